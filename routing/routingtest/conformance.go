package routingtest

import (
	"testing"

	"github.com/thebigfile/bigfile"
	"github.com/thebigfile/bigfile/routing"
)

// TestCertifier checks a certifier of subnet from against a verifier that
// knows from's public key: a certification verifies for its own digest and
// sender only, and fails once any byte of it or of the digest changes.
// other must be a subnet whose key differs from from's.
func TestCertifier(t *testing.T, c routing.Certifier, v routing.Verifier, from, other bigfile.SubnetID) {
	t.Helper()
	digest := bigfile.Sum256([]byte("routingtest conformance digest"))
	cert, err := c.Certify(digest)
	if err != nil {
		t.Fatalf("Certify: %v", err)
	}
	if err := v.Verify(from, digest, cert); err != nil {
		t.Fatalf("Verify of a fresh certification: %v", err)
	}
	if err := v.Verify(other, digest, cert); err == nil {
		t.Errorf("Verify accepted the certification under subnet %s's key", other)
	}
	bad := digest
	bad[31] ^= 1
	if err := v.Verify(from, bad, cert); err == nil {
		t.Errorf("Verify accepted a certification for another digest")
	}
	for _, i := range []int{0, len(cert) / 2, len(cert) - 1} {
		if len(cert) == 0 {
			break
		}
		c2 := append([]byte(nil), cert...)
		c2[i] ^= 0x04
		if err := v.Verify(from, digest, c2); err == nil {
			t.Errorf("Verify accepted a certification with byte %d flipped", i)
		}
	}
	if err := v.Verify(from, digest, cert[:len(cert)/2]); err == nil {
		t.Errorf("Verify accepted a truncated certification")
	}
	if err := v.Verify(from, digest, nil); err == nil {
		t.Errorf("Verify accepted an empty certification")
	}
}
