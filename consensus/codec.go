package consensus

import (
	"encoding/binary"
	"fmt"

	"github.com/thebigfile/bigfile"
)

// Encoding limits: a decoder rejects anything larger, so a hostile peer
// cannot make it allocate without bound.
const (
	// MaxSignatureSize bounds one signature or signature share.
	MaxSignatureSize = 1024
	// maxItems bounds the number of ingress messages, XNet slices or
	// signers in one artifact.
	maxItems = 1 << 20
)

// Encode returns the binary encoding of a: its kind byte, then its fields.
// Integers are unsigned varints; byte strings, principals and lists carry a
// varint length prefix; hashes are 32 raw bytes. The same encoding is used
// on the wire and by stores.
func Encode(a Artifact) []byte {
	b := []byte{byte(a.Kind())}
	switch a := a.(type) {
	case *Proposal:
		b = appendBlock(b, &a.Block)
		b = appendBytes(b, a.Signature)
	case *Share:
		b = binary.AppendUvarint(b, uint64(a.Height))
		b = append(b, a.Target[:]...)
		b = appendNode(b, a.Signer)
		b = appendBytes(b, a.Signature)
	case *Aggregate:
		b = binary.AppendUvarint(b, uint64(a.Height))
		b = append(b, a.Target[:]...)
		b = binary.AppendUvarint(b, uint64(len(a.Signers)))
		for _, s := range a.Signers {
			b = appendNode(b, s)
		}
		b = appendBytes(b, a.Signature)
	case *CatchUpPackage:
		// The beacon is written without its kind and signer list: a
		// package always holds a beacon, and beacons list no signers.
		b = appendBlock(b, &a.Block.Block)
		b = appendBytes(b, a.Block.Signature)
		b = binary.AppendUvarint(b, uint64(a.Beacon.Height))
		b = append(b, a.Beacon.Target[:]...)
		b = appendBytes(b, a.Beacon.Signature)
		b = append(b, a.StateHash[:]...)
		b = appendBytes(b, a.Signature)
	case *Status:
		b = binary.AppendUvarint(b, uint64(a.Notarized))
		b = binary.AppendUvarint(b, uint64(a.Finalized))
		b = binary.AppendUvarint(b, uint64(a.Delivered))
		b = binary.AppendUvarint(b, uint64(a.CUP))
	}
	return b
}

// Decode parses an encoding made by [Encode]. It returns an error wrapping
// [ErrMalformed] for truncated, oversized or trailing input and for
// unknown kinds. Decode checks form only, not signatures.
func Decode(data []byte) (Artifact, error) {
	if len(data) == 0 {
		return nil, fmt.Errorf("%w: empty", ErrMalformed)
	}
	r := reader{b: data[1:]}
	var a Artifact
	switch k := Kind(data[0]); k {
	case KindProposal:
		blk := r.block()
		sig := r.bytes(MaxSignatureSize)
		if r.err == nil {
			a = NewProposal(blk, sig)
		}
	case KindNotarizationShare, KindFinalizationShare, KindBeaconShare, KindCUPShare:
		s := &Share{Type: k}
		s.Height = bigfile.Height(r.uvarint())
		s.Target = r.hash()
		s.Signer = r.node()
		s.Signature = r.bytes(MaxSignatureSize)
		a = s
	case KindNotarization, KindFinalization, KindBeacon:
		g := &Aggregate{Type: k}
		g.Height = bigfile.Height(r.uvarint())
		g.Target = r.hash()
		n := r.count()
		for i := 0; i < n && r.err == nil; i++ {
			g.Signers = append(g.Signers, r.node())
		}
		g.Signature = r.bytes(MaxSignatureSize)
		a = g
	case KindCUP:
		blk := r.block()
		bsig := r.bytes(MaxSignatureSize)
		beacon := &Aggregate{Type: KindBeacon}
		beacon.Height = bigfile.Height(r.uvarint())
		beacon.Target = r.hash()
		beacon.Signature = r.bytes(MaxSignatureSize)
		c := &CatchUpPackage{Beacon: beacon}
		c.StateHash = r.hash()
		c.Signature = r.bytes(MaxSignatureSize)
		if r.err == nil {
			c.Block = NewProposal(blk, bsig)
		}
		a = c
	case KindStatus:
		s := &Status{}
		s.Notarized = bigfile.Height(r.uvarint())
		s.Finalized = bigfile.Height(r.uvarint())
		s.Delivered = bigfile.Height(r.uvarint())
		s.CUP = bigfile.Height(r.uvarint())
		a = s
	default:
		return nil, fmt.Errorf("%w: unknown kind %d", ErrMalformed, data[0])
	}
	if r.err != nil {
		return nil, r.err
	}
	if len(r.b) != 0 {
		return nil, fmt.Errorf("%w: %d trailing bytes", ErrMalformed, len(r.b))
	}
	return a, nil
}

func appendBytes(b, v []byte) []byte {
	b = binary.AppendUvarint(b, uint64(len(v)))
	return append(b, v...)
}

func appendNode(b []byte, n bigfile.NodeID) []byte {
	return appendBytes(b, n.Bytes())
}

func appendPrincipal(b []byte, p bigfile.Principal) []byte { return appendBytes(b, p.Bytes()) }

// appendBlock encodes a block's fields; the block hash covers exactly these.
func appendBlock(b []byte, blk *Block) []byte {
	b = binary.AppendUvarint(b, uint64(blk.Height))
	b = binary.AppendUvarint(b, uint64(blk.Rank))
	b = append(b, blk.Parent[:]...)
	b = appendNode(b, blk.Maker)
	b = binary.AppendUvarint(b, uint64(blk.Time))
	b = binary.AppendUvarint(b, uint64(len(blk.Payload.Ingress)))
	for i := range blk.Payload.Ingress {
		m := &blk.Payload.Ingress[i]
		b = appendPrincipal(b, m.Sender)
		b = appendPrincipal(b, m.Receiver)
		b = appendBytes(b, []byte(m.Method))
		b = appendBytes(b, m.Arg)
		// A nil and an empty nonce give different request ids (the nonce
		// field is absent or present), so a flag byte keeps them apart.
		if m.Nonce == nil {
			b = append(b, 0)
		} else {
			b = append(b, 1)
			b = appendBytes(b, m.Nonce)
		}
		b = binary.AppendUvarint(b, uint64(m.Expiry))
	}
	b = binary.AppendUvarint(b, uint64(len(blk.Payload.XNet)))
	for _, x := range blk.Payload.XNet {
		b = appendPrincipal(b, x.From.Principal)
		b = appendBytes(b, x.Slice)
	}
	return b
}

// reader decodes with a sticky error, so field reads need no checks.
type reader struct {
	b   []byte
	err error
}

func (r *reader) fail(format string, args ...any) {
	if r.err == nil {
		r.err = fmt.Errorf("%w: "+format, append([]any{ErrMalformed}, args...)...)
	}
}

func (r *reader) uvarint() uint64 {
	if r.err != nil {
		return 0
	}
	v, n := binary.Uvarint(r.b)
	if n <= 0 {
		r.fail("bad varint")
		return 0
	}
	r.b = r.b[n:]
	return v
}

// count reads a list length. Every item takes at least one byte, so a
// count above the bytes left is malformed; checking that before allocating
// keeps a 5-byte input from asking for a gigabyte.
func (r *reader) count() int {
	v := r.uvarint()
	if v > maxItems || v > uint64(len(r.b)) { // every item takes at least one byte
		r.fail("count %d too large", v)
		return 0
	}
	return int(v)
}

func (r *reader) bytes(limit int) []byte {
	n := r.uvarint()
	if r.err != nil {
		return nil
	}
	if n > uint64(limit) || n > uint64(len(r.b)) {
		r.fail("length %d out of range", n)
		return nil
	}
	v := make([]byte, n)
	copy(v, r.b)
	r.b = r.b[n:]
	return v
}

func (r *reader) hash() bigfile.Hash {
	var h bigfile.Hash
	if r.err != nil {
		return h
	}
	if len(r.b) < len(h) {
		r.fail("short hash")
		return h
	}
	copy(h[:], r.b)
	r.b = r.b[len(h):]
	return h
}

func (r *reader) principal() bigfile.Principal {
	b := r.bytes(29)
	if r.err != nil {
		return bigfile.Principal{}
	}
	p, err := bigfile.PrincipalFromBytes(b)
	if err != nil {
		r.fail("principal: %v", err)
	}
	return p
}

func (r *reader) node() bigfile.NodeID { return bigfile.NodeID{Principal: r.principal()} }

func (r *reader) block() Block {
	var blk Block
	blk.Height = bigfile.Height(r.uvarint())
	rank := r.uvarint()
	if rank > 1<<16 {
		r.fail("rank %d", rank)
	}
	blk.Rank = int(rank)
	blk.Parent = r.hash()
	blk.Maker = r.node()
	blk.Time = bigfile.Time(r.uvarint())
	n := r.count()
	if n > 0 {
		blk.Payload.Ingress = make([]bigfile.Ingress, 0, n)
	}
	for i := 0; i < n && r.err == nil; i++ {
		var m bigfile.Ingress
		m.Sender = r.principal()
		m.Receiver = r.principal()
		m.Method = string(r.bytes(len(r.b)))
		m.Arg = r.bytes(len(r.b))
		if len(r.b) == 0 {
			r.fail("short ingress")
			break
		}
		flag := r.b[0]
		r.b = r.b[1:]
		switch flag {
		case 0:
		case 1:
			m.Nonce = r.bytes(len(r.b))
		default:
			r.fail("nonce flag %d", flag)
		}
		m.Expiry = bigfile.Time(r.uvarint())
		blk.Payload.Ingress = append(blk.Payload.Ingress, m)
	}
	n = r.count()
	for i := 0; i < n && r.err == nil; i++ {
		var x bigfile.XNetSlice
		x.From = bigfile.SubnetID{Principal: r.principal()}
		x.Slice = r.bytes(len(r.b))
		blk.Payload.XNet = append(blk.Payload.XNet, x)
	}
	return blk
}
