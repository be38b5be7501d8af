package consensus_test

import (
	"bytes"
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/thebigfile/bigfile"
	"github.com/thebigfile/bigfile/consensus"
	"github.com/thebigfile/bigfile/consensus/consensustest"
)

func sampleArtifacts() []consensus.Artifact {
	id := consensustest.NodeID(1)
	blk := consensus.Block{Height: 7, Rank: 1, Parent: bigfile.Sum256([]byte("p")), Maker: id, Time: 123456789,
		Payload: consensus.Payload{
			Ingress: []bigfile.Ingress{
				{Sender: id.Principal, Receiver: bigfile.CubeID(5).Principal(), Method: "go", Arg: []byte{1, 2}, Nonce: []byte{9}, Expiry: 42},
				{Sender: bigfile.Anonymous, Method: "", Arg: nil, Nonce: nil},
			},
			XNet: []bigfile.XNetSlice{{From: bigfile.SubnetIDFromPublicKey([]byte("s")), Slice: []byte("slice")}},
		}}
	prop := consensus.NewProposal(blk, []byte("sig"))
	beacon := &consensus.Aggregate{Type: consensus.KindBeacon, Height: 7, Target: bigfile.Sum256([]byte("b")), Signature: []byte("bs")}
	return []consensus.Artifact{
		prop,
		&consensus.Share{Type: consensus.KindNotarizationShare, Height: 7, Target: prop.Hash(), Signer: id, Signature: []byte("s1")},
		&consensus.Share{Type: consensus.KindCUPShare, Height: 10, Target: prop.Hash(), Signer: id, Signature: []byte{}},
		&consensus.Aggregate{Type: consensus.KindFinalization, Height: 7, Target: prop.Hash(),
			Signers: []bigfile.NodeID{consensustest.NodeID(0), id}, Signature: []byte("agg")},
		beacon,
		&consensus.CatchUpPackage{Block: prop, Beacon: beacon, StateHash: bigfile.Sum256([]byte("st")), Signature: []byte("cup")},
		&consensus.Status{Notarized: 9, Finalized: 8, Delivered: 7, CUP: 5},
	}
}

func TestEncodeDecode(t *testing.T) {
	opts := []cmp.Option{cmp.AllowUnexported(consensus.Proposal{}), cmpopts.EquateEmpty(),
		cmp.Comparer(func(a, b bigfile.Principal) bool { return a == b })}
	for _, a := range sampleArtifacts() {
		enc := consensus.Encode(a)
		got, err := consensus.Decode(enc)
		if err != nil {
			t.Fatalf("%s: %v", a.Kind(), err)
		}
		if diff := cmp.Diff(a, got, opts...); diff != "" {
			t.Errorf("%s: round trip differs (-want +got):\n%s", a.Kind(), diff)
		}
		// Every strict prefix is rejected.
		for i := range len(enc) {
			if _, err := consensus.Decode(enc[:i]); !errors.Is(err, consensus.ErrMalformed) {
				t.Errorf("%s: prefix of %d bytes: err = %v", a.Kind(), i, err)
			}
		}
		if _, err := consensus.Decode(append(enc, 0)); !errors.Is(err, consensus.ErrMalformed) {
			t.Errorf("%s: trailing byte accepted", a.Kind())
		}
	}
}

// TestBlockHashCoversNonce: a nil and an empty nonce give different ingress
// ids, so the encoding (and the block hash) must tell them apart.
func TestBlockHashCoversNonce(t *testing.T) {
	a := consensus.Block{Height: 1, Payload: consensus.Payload{Ingress: []bigfile.Ingress{{Nonce: nil}}}}
	b := consensus.Block{Height: 1, Payload: consensus.Payload{Ingress: []bigfile.Ingress{{Nonce: []byte{}}}}}
	if a.Hash() == b.Hash() {
		t.Error("nil and empty nonce hash alike")
	}
}

func FuzzDecode(f *testing.F) {
	for _, a := range sampleArtifacts() {
		f.Add(consensus.Encode(a))
	}
	f.Add([]byte{})
	f.Add([]byte{99})
	f.Fuzz(func(t *testing.T, data []byte) {
		a, err := consensus.Decode(data)
		if err != nil {
			if !errors.Is(err, consensus.ErrMalformed) {
				t.Fatalf("error %v does not wrap ErrMalformed", err)
			}
			return
		}
		enc := consensus.Encode(a)
		b, err := consensus.Decode(enc)
		if err != nil {
			t.Fatalf("re-encoding does not decode: %v", err)
		}
		if !bytes.Equal(consensus.Encode(b), enc) {
			t.Fatal("encoding not stable")
		}
	})
}
