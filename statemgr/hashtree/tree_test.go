package hashtree

import (
	"bytes"
	"encoding/hex"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/thebigfile/bigfile"
)

// The interface specification's example tree: a/x = "hello", a/y = "world",
// b = "good", c empty, d = "morning", with its CBOR, root hash and the
// witness for the paths /a/y, /ax and /d.
const (
	specTreeHex = "8301830183024161830183018302417882034568656c6c6f810083024179820345776f726c6483024162820344676f6f6483" +
		"01830241638100830241648203476d6f726e696e67"
	specRootHex   = "eb5c5b2195e62d996b84c9bcc8259d19a83786a2f59e0878cec84c811f669aa0"
	specPrunedHex = "83018301830241618301820458201b4feff9bef8131788b0c9dc6dbad6e81e524249c879e9f10f71ce3749f5a638830241" +
		"79820345776f726c6483024162820458207b32ac0c6ba8ce35ac82c255fc7906f7fc130dab2a090f80fe12f9c2cae83ba6" +
		"830182045820ec8324b8a1f1ac16bd2e806edba78006479c9877fed4eb464a25485465af601d830241648203476d6f726e" +
		"696e67"
)

func specTree() *Tree {
	l := func(s string) []byte { return []byte(s) }
	return Fork(
		Fork(
			Labeled(l("a"), Fork(
				Fork(Labeled(l("x"), Leaf(l("hello"))), Empty()),
				Labeled(l("y"), Leaf(l("world"))),
			)),
			Labeled(l("b"), Leaf(l("good"))),
		),
		Fork(
			Labeled(l("c"), Empty()),
			Labeled(l("d"), Leaf(l("morning"))),
		),
	)
}

func mustHex(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestSpecVectors(t *testing.T) {
	tree := specTree()
	enc, _ := tree.MarshalCBOR()
	if got := hex.EncodeToString(enc); got != specTreeHex {
		t.Fatalf("CBOR:\ngot  %s\nwant %s", got, specTreeHex)
	}
	if got := tree.Digest().String(); got != specRootHex {
		t.Fatalf("root: got %s, want %s", got, specRootHex)
	}
	dec, err := DecodeTree(mustHex(t, specTreeHex))
	if err != nil {
		t.Fatal(err)
	}
	if !dec.Equal(tree) {
		t.Fatal("decoded tree differs from the spec tree")
	}
	w := tree.Witness(PathOf("a", "y"), PathOf("ax"), PathOf("d"))
	wenc, _ := w.MarshalCBOR()
	if got := hex.EncodeToString(wenc); got != specPrunedHex {
		t.Fatalf("witness:\ngot  %s\nwant %s", got, specPrunedHex)
	}
	if w.Digest() != tree.Digest() {
		t.Fatal("witness digest differs from the root")
	}
}

func TestLookup(t *testing.T) {
	full := specTree()
	pruned, err := DecodeTree(mustHex(t, specPrunedHex))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		path      string
		full, wit Status
		value     string
	}{
		{"a/x", Found, Unknown, "hello"},
		{"a/y", Found, Found, "world"},
		{"ax", Absent, Absent, ""},
		{"b", Found, Unknown, "good"},
		{"c", Absent, Unknown, ""},
		{"d", Found, Found, "morning"},
		{"e", Absent, Absent, ""},
		{"0", Absent, Absent, ""},
		{"a", Error, Error, ""},
		{"bb", Absent, Unknown, ""},
		{"a/y/z", Error, Error, ""},
	}
	for _, tc := range tests {
		p := PathOf(strings.Split(tc.path, "/")...)
		for _, c := range []struct {
			name string
			tree *Tree
			want Status
		}{{"full", full, tc.full}, {"witness", pruned, tc.wit}} {
			v, st := c.tree.Lookup(p...)
			if st != c.want {
				t.Errorf("%s lookup %s: got %s, want %s", c.name, tc.path, st, c.want)
			}
			if st == Found && string(v) != tc.value {
				t.Errorf("%s lookup %s: got %q, want %q", c.name, tc.path, v, tc.value)
			}
		}
	}
}

// TestWitnessAgreesWithLookup checks on every path prefix of a larger tree
// that a witness for a path answers it as the full tree does.
func TestWitnessAgreesWithLookup(t *testing.T) {
	var leaves []*Tree
	for i := range 37 {
		leaves = append(leaves, Labeled([]byte{byte(2 * i)}, Leaf([]byte{byte(i)})))
	}
	tree := balanced(leaves)
	root := tree.Digest()
	for q := range 80 {
		p := Path{{byte(q)}}
		w := tree.Witness(p)
		if w.Digest() != root {
			t.Fatalf("witness for %d changes the root", q)
		}
		v1, s1 := tree.Lookup(p...)
		v2, s2 := w.Lookup(p...)
		if s1 != s2 || !bytes.Equal(v1, v2) {
			t.Fatalf("path %d: full %s %x, witness %s %x", q, s1, v1, s2, v2)
		}
	}
}

func balanced(ns []*Tree) *Tree {
	switch len(ns) {
	case 0:
		return Empty()
	case 1:
		return ns[0]
	}
	return Fork(balanced(ns[:len(ns)/2]), balanced(ns[len(ns)/2:]))
}

func TestDecodeErrors(t *testing.T) {
	for _, h := range []string{
		"", "80", "8105", "820300", "83014100", "820458", "8204581f" + strings.Repeat("00", 31),
		"8100" + "00", "f6", "9f00ff", "830183", "820361",
	} {
		if _, err := DecodeTree(mustHex(t, h)); !errors.Is(err, ErrMalformed) {
			t.Errorf("DecodeTree(%s): got %v, want ErrMalformed", h, err)
		}
	}
	var b []byte
	for range MaxDepth + 2 {
		b = append(b, 0x83, 0x02, 0x41, 'a')
	}
	b = append(b, 0x81, 0x00)
	if _, err := DecodeTree(b); !errors.Is(err, ErrTooDeep) {
		t.Errorf("deep tree: got %v, want ErrTooDeep", err)
	}
}

// fakeVerifier accepts a signature equal to SHA-256(key ‖ msg): enough to
// test the certificate logic without BLS.
type fakeVerifier struct{}

func fakeSign(key, msg []byte) []byte {
	h := bigfile.Sum256(append(append([]byte{}, key...), msg...))
	return h[:]
}

func (fakeVerifier) VerifySignature(key, msg, sig []byte) error {
	if !bytes.Equal(sig, fakeSign(key, msg)) {
		return errors.New("bad signature")
	}
	return nil
}

func TestCertificateDelegation(t *testing.T) {
	rootKey := bytes.Repeat([]byte{1}, 96)
	subKey := bytes.Repeat([]byte{2}, 96)
	rootDER, _ := PublicKeyDER(rootKey)
	subDER, _ := PublicKeyDER(subKey)
	sid := bigfile.SubnetIDFromPublicKey(subDER)
	ranges := EncodeCanisterRanges([]bigfile.CubeRange{{Start: 10, End: 20}})
	dtree := Fork(
		Labeled([]byte("subnet"), Labeled(sid.Bytes(), Fork(
			Labeled([]byte("canister_ranges"), Leaf(ranges)),
			Labeled([]byte("public_key"), Leaf(subDER))))),
		Labeled([]byte("time"), Leaf([]byte{5})))
	dcert := &Certificate{Tree: dtree, Signature: fakeSign(rootKey, SignedMessage(dtree.Digest()))}
	denc, _ := dcert.MarshalCBOR()
	tree := Labeled([]byte("time"), Leaf([]byte{0xe5, 0x8e, 0x26}))
	cert := &Certificate{
		Tree:       tree,
		Signature:  fakeSign(subKey, SignedMessage(tree.Digest())),
		Delegation: &Delegation{SubnetID: sid, Certificate: denc},
	}
	enc, _ := cert.MarshalCBOR()
	got, err := DecodeCertificate(enc)
	if err != nil {
		t.Fatal(err)
	}
	in, out := bigfile.CubeID(15), bigfile.CubeID(21)
	if err := got.Verify(VerifyOptions{RootKey: rootDER, Verifier: fakeVerifier{}, Cube: &in}); err != nil {
		t.Fatalf("verify: %v", err)
	}
	if err := got.Verify(VerifyOptions{RootKey: rootDER, Verifier: fakeVerifier{}, Cube: &out}); !errors.Is(err, ErrInvalidCertificate) {
		t.Fatalf("cube outside ranges: got %v", err)
	}
	if err := got.Verify(VerifyOptions{RootKey: subDER, Verifier: fakeVerifier{}}); !errors.Is(err, ErrInvalidCertificate) {
		t.Fatalf("wrong root key: got %v", err)
	}
	if ts, err := got.Time(); err != nil || ts != 624485 {
		t.Fatalf("time: got %d, %v", ts, err)
	}
	// Freshness: /time is 624485 ns, the delegation's 5 ns.
	fresh := VerifyOptions{RootKey: rootDER, Verifier: fakeVerifier{}, Now: 624485 + bigfile.Time(time.Minute)}
	if err := got.Verify(fresh); err != nil {
		t.Fatalf("fresh certificate: %v", err)
	}
	stale := fresh
	stale.Now += bigfile.Time(10 * time.Minute)
	if err := got.Verify(stale); !errors.Is(err, ErrInvalidCertificate) {
		t.Fatalf("certificate 11 minutes old: got %v", err)
	}
	stale.MaxSkew = time.Hour
	stale.MaxDelegationAge = time.Minute
	if err := got.Verify(stale); !errors.Is(err, ErrInvalidCertificate) {
		t.Fatalf("delegation older than its limit: got %v", err)
	}
	got.Tree = Labeled([]byte("time"), Leaf([]byte{1}))
	if err := got.Verify(VerifyOptions{RootKey: rootDER, Verifier: fakeVerifier{}}); !errors.Is(err, ErrInvalidCertificate) {
		t.Fatalf("tampered tree: got %v", err)
	}
}
