package frost

import (
	"bytes"
	"crypto/ed25519"
	"encoding/hex"
	"strings"
	"testing"

	"github.com/thebigfile/bigfile/chainkey/frost/internal/group"
)

func h(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(strings.ReplaceAll(s, " ", ""))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestRFC9591Ed25519 replays the FROST(Ed25519, SHA-512) test vector of
// RFC 9591 appendix E.1 (MAX_PARTICIPANTS 3, MIN_PARTICIPANTS 2, signers 1
// and 3) step by step: dealing, nonce generation from the given randomness,
// binding factors, signature shares and the final signature.
func TestRFC9591Ed25519(t *testing.T) {
	cs := suiteEd25519
	scalar := func(s string) group.Scalar {
		x := cs.g.NewScalar()
		if err := x.SetCanonicalBytes(h(t, s)); err != nil {
			t.Fatal(err)
		}
		return x
	}
	secret := scalar("7b1c33d3f5291d85de664833beb1ad469f7fb6025a0ec78b3a790c6e13a98304")
	coeff := scalar("178199860edd8c62f5212ee91eff1295d0d670ab4ed4506866bae57e7030b204")
	gk, shares := dealPolynomial(cs, []group.Scalar{secret, coeff}, 3)
	if got, want := gk.PublicKey().Bytes(), h(t, "15d21ccd7ee42959562fc8aa63224c8851fb3ec85a3faf66040d380fb9738673"); !bytes.Equal(got, want) {
		t.Fatalf("group public key = %x, want %x", got, want)
	}
	wantShares := []string{
		"929dcc590407aae7d388761cddb0c0db6f5627aea8e217f4a033f2ec83d93509",
		"a91e66e012e4364ac9aaa405fcafd370402d9859f7b6685c07eed76bf409e80d",
		"d3cb090a075eb154e82fdb4b3cb507f110040905468bb9c46da8bdea643a9a02",
	}
	for i, w := range wantShares {
		if got := shares[i].secret.Bytes(); !bytes.Equal(got, h(t, w)) {
			t.Fatalf("P%d share = %x, want %s", i+1, got, w)
		}
	}
	msg := h(t, "74657374")

	type signer struct {
		ks                                 *KeyShare
		hidingRand, bindingRand            string
		hiding, binding, D, E, rho, zshare string
	}
	signers := []signer{
		{shares[0],
			"0fd2e39e111cdc266f6c0f4d0fd45c947761f1f5d3cb583dfcb9bbaf8d4c9fec",
			"69cd85f631d5f7f2721ed5e40519b1366f340a87c2f6856363dbdcda348a7501",
			"812d6104142944d5a55924de6d49940956206909f2acaeedecda2b726e630407",
			"b1110165fc2334149750b28dd813a39244f315cff14d4e89e6142f262ed83301",
			"b5aa8ab305882a6fc69cbee9327e5a45e54c08af61ae77cb8207be3d2ce13de3",
			"67e98ab55aa310c3120418e5050c9cf76cf387cb20ac9e4b6fdb6f82a469f932",
			"f2cb9d7dd9beff688da6fcc83fa89046b3479417f47f55600b106760eb3b5603",
			"001719ab5a53ee1a12095cd088fd149702c0720ce5fd2f29dbecf24b7281b603"},
		{shares[2],
			"86d64a260059e495d0fb4fcc17ea3da7452391baa494d4b00321098ed2a0062f",
			"13e6b25afb2eba51716a9a7d44130c0dbae0004a9ef8d7b5550c8a0e07c61775",
			"c256de65476204095ebdc01bd11dc10e57b36bc96284595b8215222374f99c0e",
			"243d71944d929063bc51205714ae3c2218bd3451d0214dfb5aeec2a90c35180d",
			"cfbdb165bd8aad6eb79deb8d287bcc0ab6658ae57fdcc98ed12c0669e90aec91",
			"7487bc41a6e712eea2f2af24681b58b1cf1da278ea11fe4e8b78398965f13552",
			"b087686bf35a13f3dc78e780a34b0fe8a77fef1b9938c563f5573d71d8d7890f",
			"bd86125de990acc5e1f13781d8e32c03a9bbd4c53539bbc106058bfd14326007"},
	}
	nonces := make([]*Nonce, len(signers))
	var commitments []Commitment
	for i, s := range signers {
		rand := bytes.NewReader(append(h(t, s.hidingRand), h(t, s.bindingRand)...))
		n, c, err := s.ks.Commit(rand)
		if err != nil {
			t.Fatal(err)
		}
		for _, chk := range []struct {
			name      string
			got, want []byte
		}{
			{"hiding_nonce", n.hiding.Bytes(), h(t, s.hiding)},
			{"binding_nonce", n.binding.Bytes(), h(t, s.binding)},
			{"hiding_nonce_commitment", c.hiding.Bytes(), h(t, s.D)},
			{"binding_nonce_commitment", c.binding.Bytes(), h(t, s.E)},
		} {
			if !bytes.Equal(chk.got, chk.want) {
				t.Fatalf("P%d %s = %x, want %x", s.ks.id, chk.name, chk.got, chk.want)
			}
		}
		nonces[i] = n
		commitments = append(commitments, c)
	}
	pkg, err := NewSigningPackage(gk, msg, commitments)
	if err != nil {
		t.Fatal(err)
	}
	var sigShares []SignatureShare
	for i, s := range signers {
		if got := pkg.rho[i].Bytes(); !bytes.Equal(got, h(t, s.rho)) {
			t.Fatalf("P%d binding_factor = %x, want %s", s.ks.id, got, s.rho)
		}
		z, err := s.ks.Sign(nonces[i], pkg)
		if err != nil {
			t.Fatal(err)
		}
		if got := z.z.Bytes(); !bytes.Equal(got, h(t, s.zshare)) {
			t.Fatalf("P%d sig_share = %x, want %s", s.ks.id, got, s.zshare)
		}
		if err := pkg.VerifyShare(z); err != nil {
			t.Fatalf("P%d share does not verify: %v", s.ks.id, err)
		}
		sigShares = append(sigShares, z)
	}
	sig, err := pkg.Aggregate(sigShares)
	if err != nil {
		t.Fatal(err)
	}
	want := h(t, "36282629c383bb820a88b71cae937d41f2f2adfcc3d02e55507e2fb9e2dd3cbebd9d2b0844e49ae0f3fa935161e1419aab7b47d21a37ebeae1f17d4987b3160b")
	if !bytes.Equal(sig, want) {
		t.Fatalf("sig = %x, want %x", sig, want)
	}
	if !ed25519.Verify(gk.PublicKey().Bytes(), msg, sig) {
		t.Fatal("crypto/ed25519 rejects the RFC signature")
	}
}
