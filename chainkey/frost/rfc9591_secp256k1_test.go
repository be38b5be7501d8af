package frost

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"math/big"
	"testing"

	"github.com/thebigfile/bigfile/chainkey/frost/internal/group"
)

// expandMessageXMD is RFC 9380's expand_message_xmd with SHA-256.
func expandMessageXMD(msg, dst []byte, n int) []byte {
	dstPrime := append(append([]byte{}, dst...), byte(len(dst)))
	h := sha256.New()
	h.Write(make([]byte, 64))
	h.Write(msg)
	h.Write([]byte{byte(n >> 8), byte(n), 0})
	h.Write(dstPrime)
	b0 := h.Sum(nil)
	var out, prev []byte
	for i := 1; len(out) < n; i++ {
		h.Reset()
		if i == 1 {
			h.Write(b0)
		} else {
			x := make([]byte, 32)
			for j := range x {
				x[j] = b0[j] ^ prev[j]
			}
			h.Write(x)
		}
		h.Write([]byte{byte(i)})
		h.Write(dstPrime)
		prev = h.Sum(nil)
		out = append(out, prev...)
	}
	return out[:n]
}

var secpOrder, _ = new(big.Int).SetString("fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141", 16)

// hashToScalarXMD is hash_to_field(m, 1) into the secp256k1 scalar field
// with L = 48.
func hashToScalarXMD(msg, dst []byte) group.Scalar {
	e := new(big.Int).SetBytes(expandMessageXMD(msg, dst, 48))
	e.Mod(e, secpOrder)
	var b [32]byte
	e.FillBytes(b[:])
	return group.Secp256k1ScalarFromHash(b[:])
}

// rfcSecp256k1 is RFC 9591's FROST(secp256k1, SHA-256) built from the
// package's protocol code with the RFC's hash functions, SEC1 signature
// encoding and prime-order verification.
func rfcSecp256k1() *ciphersuite {
	const ctx = "FROST-secp256k1-SHA256-v1"
	cs := &ciphersuite{id: 0xfe, g: group.Secp256k1, ctx: ctx}
	cs.hashToScalarFn = func(label string, parts ...[]byte) group.Scalar {
		return hashToScalarXMD(bytes.Join(parts, nil), []byte(ctx+label))
	}
	cs.hashBytesFn = func(label string, m []byte) []byte {
		h := sha256.Sum256(append([]byte(ctx+label), m...))
		return h[:]
	}
	cs.challengeFn = func(R, P group.Element, msg []byte) group.Scalar {
		return hashToScalarXMD(bytes.Join([][]byte{R.Bytes(), P.Bytes(), msg}, nil), []byte(ctx+"chal"))
	}
	cs.verifyFn = func(P group.Element, msg, sig []byte) error {
		R := cs.g.NewElement()
		z := cs.g.NewScalar()
		if len(sig) != 65 || R.SetBytes(sig[:33]) != nil || z.SetCanonicalBytes(sig[33:]) != nil {
			return ErrInvalidSignature
		}
		c := cs.challengeFn(R, P, msg)
		l := cs.g.NewElement().ScalarBaseMult(z)
		r := cs.g.NewElement().ScalarMult(c, P)
		if !l.Equal(r.Add(r, R)) {
			return errors.New("prime_order_verify fails")
		}
		return nil
	}
	return cs
}

// TestRFC9591Secp256k1 replays RFC 9591 appendix E.5 through the same
// dealing, commitment, binding-factor, signing and aggregation code the
// BIP340 suite uses, which checks the secp256k1 group wiring (encodings,
// scalar arithmetic, Lagrange coefficients) against published values.
func TestRFC9591Secp256k1(t *testing.T) {
	cs := rfcSecp256k1()
	scalar := func(s string) group.Scalar {
		x := cs.g.NewScalar()
		if err := x.SetCanonicalBytes(h(t, s)); err != nil {
			t.Fatal(err)
		}
		return x
	}
	secret := scalar("0d004150d27c3bf2a42f312683d35fac7394b1e9e318249c1bfe7f0795a83114")
	coeff := scalar("fbf85eadae3058ea14f19148bb72b45e4399c0b16028acaf0395c9b03c823579")
	gk, shares := dealPolynomial(cs, []group.Scalar{secret, coeff}, 3)
	if got, want := gk.PublicKey().Bytes(), h(t, "02f37c34b66ced1fb51c34a90bdae006901f10625cc06c4f64663b0eae87d87b4f"); !bytes.Equal(got, want) {
		t.Fatalf("group public key = %x, want %x", got, want)
	}
	for i, w := range []string{
		"08f89ffe80ac94dcb920c26f3f46140bfc7f95b493f8310f5fc1ea2b01f4254c",
		"04f0feac2edcedc6ce1253b7fab8c86b856a797f44d83d82a385554e6e401984",
		"00e95d59dd0d46b0e303e500b62b7ccb0e555d49f5b849f5e748c071da8c0dbc",
	} {
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
			"7ea5ed09af19f6ff21040c07ec2d2adbd35b759da5a401d4c99dd26b82391cb2",
			"47acab018f116020c10cb9b9abdc7ac10aae1b48ca6e36dc15acb6ec9be5cdc5",
			"841d3a6450d7580b4da83c8e618414d0f024391f2aeb511d7579224420aa81f0",
			"8d2624f532af631377f33cf44b5ac5f849067cae2eacb88680a31e77c79b5a80",
			"03c699af97d26bb4d3f05232ec5e1938c12f1e6ae97643c8f8f11c9820303f1904",
			"02fa2aaccd51b948c9dc1a325d77226e98a5a3fe65fe9ba213761a60123040a45e",
			"3e08fe561e075c653cbfd46908a10e7637c70c74f0a77d5fd45d1a750c739ec6",
			"c4fce1775a1e141fb579944166eab0d65eefe7b98d480a569bbbfcb14f91c197"},
		{shares[2],
			"e6cc56ccbd0502b3f6f831d91e2ebd01c4de0479e0191b66895a4ffd9b68d544",
			"7203d55eb82a5ca0d7d83674541ab55f6e76f1b85391d2c13706a89a064fd5b9",
			"2b19b13f193f4ce83a399362a90cdc1e0ddcd83e57089a7af0bdca71d47869b2",
			"7a443bde83dc63ef52dda354005225ba0e553243402a4705ce28ffaafe0f5b98",
			"03077507ba327fc074d2793955ef3410ee3f03b82b4cdc2370f71d865beb926ef6",
			"02ad53031ddfbbacfc5fbda3d3b0c2445c8e3e99cbc4ca2db2aa283fa68525b135",
			"93f79041bb3fd266105be251adaeb5fd7f8b104fb554a4ba9a0becea48ddbfd7",
			"0160fd0d388932f4826d2ebcd6b9eaba734f7c71cf25b4279a4ca2581e47b18d"},
	}
	var nonces []*Nonce
	var commitments []Commitment
	for _, s := range signers {
		n, c, err := s.ks.Commit(bytes.NewReader(append(h(t, s.hidingRand), h(t, s.bindingRand)...)))
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
		nonces = append(nonces, n)
		commitments = append(commitments, c)
	}
	pkg, err := NewSigningPackage(gk, msg, commitments)
	if err != nil {
		t.Fatal(err)
	}
	var zs []SignatureShare
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
		zs = append(zs, z)
	}
	sig, err := pkg.Aggregate(zs)
	if err != nil {
		t.Fatal(err)
	}
	want := h(t, "0205b6d04d3774c8929413e3c76024d54149c372d57aae62574ed74319b5ea14d0c65dde8492a7471437e6c2fe3da49b90d23f642b5c6dbe7e36089f096dd97324")
	if !bytes.Equal(sig, want) {
		t.Fatalf("sig = %x, want %x", sig, want)
	}
}
