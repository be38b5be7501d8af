package hashtree

import (
	"bytes"
	"testing"
)

// FuzzDecodeTree checks that any input either fails to decode or decodes to
// a tree whose encoding decodes to the same tree with the same digest.
func FuzzDecodeTree(f *testing.F) {
	f.Add(mustHex(f, specTreeHex))
	f.Add(mustHex(f, specPrunedHex))
	f.Add([]byte{0xd9, 0xd9, 0xf7, 0x81, 0x00})
	f.Add([]byte{0x83, 0x02, 0x41})
	f.Fuzz(func(t *testing.T, data []byte) {
		tree, err := DecodeTree(data)
		if err != nil {
			return
		}
		enc, _ := tree.MarshalCBOR()
		again, err := DecodeTree(enc)
		if err != nil {
			t.Fatalf("re-decoding %x: %v", enc, err)
		}
		if !again.Equal(tree) || again.Digest() != tree.Digest() {
			t.Fatalf("round trip changed the tree")
		}
		// Lookups and witnesses must not panic on arbitrary trees.
		tree.Lookup([]byte("a"), []byte("x"))
		w := tree.Witness(PathOf("a"), PathOf("time"))
		if w.Digest() != tree.Digest() {
			t.Fatalf("witness changes the digest")
		}
	})
}

// FuzzDecodeCertificate checks that decoding never panics and that decoded
// certificates re-encode to something that decodes the same way.
func FuzzDecodeCertificate(f *testing.F) {
	tree := specTree()
	c := &Certificate{Tree: tree, Signature: bytes.Repeat([]byte{7}, 48)}
	enc, _ := c.MarshalCBOR()
	f.Add(enc)
	c.Delegation = &Delegation{Certificate: enc}
	enc2, _ := c.MarshalCBOR()
	f.Add(enc2)
	f.Add([]byte{0xa0})
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := DecodeCertificate(data)
		if err != nil {
			return
		}
		enc, _ := c.MarshalCBOR()
		d, err := DecodeCertificate(enc)
		if err != nil {
			t.Fatalf("re-decoding: %v", err)
		}
		if !d.Tree.Equal(c.Tree) || !bytes.Equal(d.Signature, c.Signature) || (d.Delegation == nil) != (c.Delegation == nil) {
			t.Fatalf("round trip changed the certificate")
		}
		_ = c.Verify(VerifyOptions{RootKey: bytes.Repeat([]byte{1}, 133), Verifier: fakeVerifier{}})
		_, _ = c.Time()
	})
}
