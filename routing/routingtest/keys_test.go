package routingtest_test

import (
	"testing"

	"github.com/thebigfile/bigfile"
	"github.com/thebigfile/bigfile/routing/routingtest"
)

func TestKeysConform(t *testing.T) {
	keys := routingtest.NewKeys()
	a := bigfile.SubnetIDFromPublicKey([]byte("a"))
	b := bigfile.SubnetIDFromPublicKey([]byte("b"))
	routingtest.TestCertifier(t, keys.Certifier(a), keys, a, b)
	// Keys derive from the subnet id: a second key set verifies the first's proofs.
	d := bigfile.Sum256([]byte("x"))
	cert, _ := keys.Certifier(a).Certify(d)
	if err := routingtest.NewKeys().Verify(a, d, cert); err != nil {
		t.Fatal(err)
	}
}
