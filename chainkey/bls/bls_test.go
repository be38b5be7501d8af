package bls_test

import (
	"bytes"
	"encoding/hex"
	"errors"
	"math/rand/v2"
	"testing"

	"github.com/thebigfile/bigfile/chainkey/bls"
)

// seeded returns a deterministic io.Reader for reproducible tests.
func seeded(seed uint64) *rand.ChaCha8 {
	var s [32]byte
	s[0] = byte(seed)
	s[1] = byte(seed >> 8)
	return rand.NewChaCha8(s)
}

func mustKey(t testing.TB, r *rand.ChaCha8) bls.SecretKey {
	t.Helper()
	sk, err := bls.GenerateKey(r)
	if err != nil {
		t.Fatal(err)
	}
	return sk
}

func TestSignVerify(t *testing.T) {
	r := seeded(1)
	sk := mustKey(t, r)
	pk := sk.PublicKey()
	msg := []byte("hello")
	sig := sk.Sign(msg)
	if err := pk.Verify(msg, sig); err != nil {
		t.Fatalf("Verify(good) = %v", err)
	}
	if err := pk.Verify([]byte("hellp"), sig); !errors.Is(err, bls.ErrInvalidSignature) {
		t.Fatalf("Verify(other msg) = %v, want ErrInvalidSignature", err)
	}
	other := mustKey(t, r).PublicKey()
	if err := other.Verify(msg, sig); !errors.Is(err, bls.ErrInvalidSignature) {
		t.Fatalf("Verify(other key) = %v, want ErrInvalidSignature", err)
	}
	// The multi-signature ciphersuite is domain-separated from the basic one.
	if err := pk.VerifyMulti(msg, sig); !errors.Is(err, bls.ErrInvalidSignature) {
		t.Fatalf("VerifyMulti(basic sig) = %v, want ErrInvalidSignature", err)
	}
	v, err := bls.NewVerifier(pk)
	if err != nil {
		t.Fatal(err)
	}
	if err := v.Verify(msg, sig); err != nil {
		t.Fatalf("Verifier.Verify(good) = %v", err)
	}
	if err := v.Verify([]byte("x"), sig); !errors.Is(err, bls.ErrInvalidSignature) {
		t.Fatalf("Verifier.Verify(bad) = %v", err)
	}
	if err := pk.Verify(msg, bls.Signature{}); !errors.Is(err, bls.ErrZeroValue) {
		t.Fatalf("Verify(zero sig) = %v, want ErrZeroValue", err)
	}
	// Deterministic signing.
	if sk.Sign(msg) != sig {
		t.Fatal("signing is not deterministic")
	}
}

func TestEncodingRoundTrip(t *testing.T) {
	r := seeded(2)
	sk := mustKey(t, r)
	pk := sk.PublicKey()
	sig := sk.Sign([]byte("m"))

	skb, _ := sk.MarshalBinary()
	var sk2 bls.SecretKey
	if err := sk2.UnmarshalBinary(skb); err != nil || !sk2.Equal(sk) {
		t.Fatalf("secret key round trip: %v", err)
	}
	pkb, _ := pk.MarshalBinary()
	if len(pkb) != bls.PublicKeySize {
		t.Fatalf("public key size %d", len(pkb))
	}
	pk2, err := bls.ParsePublicKey(pkb)
	if err != nil || pk2 != pk {
		t.Fatalf("public key round trip: %v", err)
	}
	sb, _ := sig.MarshalBinary()
	if len(sb) != bls.SignatureSize {
		t.Fatalf("signature size %d", len(sb))
	}
	sig2, err := bls.ParseSignature(sb)
	if err != nil || sig2 != sig {
		t.Fatalf("signature round trip: %v", err)
	}
	sk.Zero()
	if !sk.IsZero() {
		t.Fatal("Zero did not clear the key")
	}
	if _, err := sk.MarshalBinary(); !errors.Is(err, bls.ErrZeroValue) {
		t.Fatalf("marshal zeroed key: %v", err)
	}
}

// findBadX returns a compressed encoding (flag 0x80) whose x-coordinate
// (the last 8 bytes set to k, for small k) makes the decoder return want.
func findBadX(t *testing.T, size int, want error) []byte {
	t.Helper()
	for k := 1; k < 1000; k++ {
		b := make([]byte, size)
		b[0] = 0x80
		b[size-1] = byte(k)
		b[size-2] = byte(k >> 8)
		var err error
		if size == bls.SignatureSize {
			_, err = bls.ParseSignature(b)
		} else {
			_, err = bls.ParsePublicKey(b)
		}
		if errors.Is(err, want) {
			return b
		}
	}
	t.Fatalf("no x found giving %v", want)
	return nil
}

func TestDecodeRejects(t *testing.T) {
	sk := mustKey(t, seeded(3))
	good := sk.Sign([]byte("m")).Bytes()
	goodPK := sk.PublicKey().Bytes()

	uncompressed := bytes.Clone(good[:])
	uncompressed[0] &^= 0x80
	infinity := make([]byte, 48)
	infinity[0] = 0xc0
	badInfinity := bytes.Clone(infinity)
	badInfinity[47] = 1
	nonCanonical := bytes.Repeat([]byte{0xff}, 48)
	nonCanonical[0] = 0x9f // flags 100, x ≥ p
	pkInfinity := make([]byte, 96)
	pkInfinity[0] = 0xc0

	tests := []struct {
		name string
		pk   bool
		in   []byte
		want error
	}{
		{"short sig", false, good[:47], bls.ErrEncoding},
		{"long sig", false, append(good[:], 0), bls.ErrEncoding},
		{"uncompressed flag", false, uncompressed, bls.ErrEncoding},
		{"infinity sig", false, infinity, bls.ErrIdentity},
		{"infinity with bits", false, badInfinity, bls.ErrEncoding},
		{"x not reduced", false, nonCanonical, bls.ErrEncoding},
		{"sig off curve", false, findBadX(t, 48, bls.ErrNotOnCurve), bls.ErrNotOnCurve},
		{"sig wrong subgroup", false, findBadX(t, 48, bls.ErrNotInSubgroup), bls.ErrNotInSubgroup},
		{"short pk", true, goodPK[:95], bls.ErrEncoding},
		{"infinity pk", true, pkInfinity, bls.ErrIdentity},
		{"pk off curve", true, findBadX(t, 96, bls.ErrNotOnCurve), bls.ErrNotOnCurve},
		{"pk wrong subgroup", true, findBadX(t, 96, bls.ErrNotInSubgroup), bls.ErrNotInSubgroup},
	}
	for _, tc := range tests {
		var err error
		if tc.pk {
			_, err = bls.ParsePublicKey(tc.in)
		} else {
			_, err = bls.ParseSignature(tc.in)
		}
		if !errors.Is(err, tc.want) {
			t.Errorf("%s: got %v, want %v", tc.name, err, tc.want)
		}
	}

	var sk2 bls.SecretKey
	if err := sk2.UnmarshalBinary(make([]byte, 32)); !errors.Is(err, bls.ErrInvalidSecretKey) {
		t.Errorf("zero secret key: got %v", err)
	}
	if err := sk2.UnmarshalBinary(bytes.Repeat([]byte{0xff}, 32)); !errors.Is(err, bls.ErrInvalidSecretKey) {
		t.Errorf("unreduced secret key: got %v", err)
	}
}

// RFC 9380 appendix J.9.1, suite BLS12381G1_XMD:SHA-256_SSWU_RO_: the
// published outputs P = (x, y) for each message.
func TestHashToG1RFC9380(t *testing.T) {
	dst := []byte("QUUX-V01-CS02-with-BLS12381G1_XMD:SHA-256_SSWU_RO_")
	vectors := []struct{ msg, x, y string }{
		{"",
			"052926add2207b76ca4fa57a8734416c8dc95e24501772c814278700eed6d1e4e8cf62d9c09db0fac349612b759e79a1",
			"08ba738453bfed09cb546dbb0783dbb3a5f1f566ed67bb6be0e8c67e2e81a4cc68ee29813bb7994998f3eae0c9c6a265"},
		{"abc",
			"03567bc5ef9c690c2ab2ecdf6a96ef1c139cc0b2f284dca0a9a7943388a49a3aee664ba5379a7655d3c68900be2f6903",
			"0b9c15f3fe6e5cf4211f346271d7b01c8f3b28be689c8429c85b67af215533311f0b8dfaaa154fa6b88176c229f2885d"},
		{"abcdef0123456789",
			"11e0b079dea29a68f0383ee94fed1b940995272407e3bb916bbf268c263ddd57a6a27200a784cbc248e84f357ce82d98",
			"03a87ae2caf14e8ee52e51fa2ed8eefe80f02457004ba4d486d6aa1f517c0889501dc7413753f9599b099ebcbbd2d709"},
		{"q128_" + string(bytes.Repeat([]byte("q"), 128)),
			"15f68eaa693b95ccb85215dc65fa81038d69629f70aeee0d0f677cf22285e7bf58d7cb86eefe8f2e9bc3f8cb84fac488",
			"1807a1d50c29f430b8cafc4f8638dfeeadf51211e1602a5f184443076715f91bb90a48ba1e370edce6ae1062f5e6dd38"},
		{"a512_" + string(bytes.Repeat([]byte("a"), 512)),
			"082aabae8b7dedb0e78aeb619ad3bfd9277a2f77ba7fad20ef6aabdc6c31d19ba5a6d12283553294c1825c4b3ca2dcfe",
			"05b84ae5a942248eea39e1d91030458c40153f3b654ab7872d779ad1e942856a20c438e8d99bc8abfbf74729ce1f7ac8"},
	}
	for _, v := range vectors {
		got, err := bls.HashToG1([]byte(v.msg), dst)
		if err != nil {
			t.Fatal(err)
		}
		want := compressG1(t, v.x, v.y)
		if got != want {
			t.Errorf("HashToG1(%.10q) = %x, want %x", v.msg, got, want)
		}
	}
}

// compressG1 builds the compressed encoding of the affine point (x, y):
// x with flag 0x80, plus 0x20 when y is the lexicographically larger root.
func compressG1(t *testing.T, xHex, yHex string) [48]byte {
	t.Helper()
	x, err := hex.DecodeString(xHex)
	if err != nil || len(x) != 48 {
		t.Fatalf("bad x %q", xHex)
	}
	y, err := hex.DecodeString(yHex)
	if err != nil || len(y) != 48 {
		t.Fatalf("bad y %q", yHex)
	}
	var out [48]byte
	copy(out[:], x)
	out[0] |= 0x80
	if yLarger(y) {
		out[0] |= 0x20
	}
	return out
}

// yLarger reports whether y > (p−1)/2, comparing big-endian bytes.
func yLarger(y []byte) bool {
	half, _ := hex.DecodeString("0d0088f51cbff34d258dd3db21a5d66bb23ba5c279c2895fb39869507b587b120f55ffff58a9ffffdcff7fffffffd555")
	return bytes.Compare(y, half) > 0
}

func TestDER(t *testing.T) {
	sk := mustKey(t, seeded(4))
	pk := sk.PublicKey()
	der, err := pk.MarshalDER()
	if err != nil {
		t.Fatal(err)
	}
	wantPrefix, _ := hex.DecodeString("308182301d060d2b0601040182dc7c0503010201060c2b0601040182dc7c05030201036100")
	if len(der) != 133 || !bytes.Equal(der[:37], wantPrefix) {
		t.Fatalf("DER = %x, want prefix %x and 133 bytes", der, wantPrefix)
	}
	raw := pk.Bytes()
	if !bytes.Equal(der[37:], raw[:]) {
		t.Fatal("DER body is not the compressed key")
	}
	got, err := bls.ParseDER(der)
	if err != nil || got != pk {
		t.Fatalf("ParseDER round trip: %v", err)
	}
	bad := bytes.Clone(der)
	bad[5] = 0x07
	if _, err := bls.ParseDER(bad); !errors.Is(err, bls.ErrEncoding) {
		t.Fatalf("ParseDER(bad prefix) = %v", err)
	}
	if _, err := bls.ParseDER(der[:132]); !errors.Is(err, bls.ErrEncoding) {
		t.Fatalf("ParseDER(short) = %v", err)
	}
}

func TestKeyGenDeterministic(t *testing.T) {
	ikm := bytes.Repeat([]byte{7}, 32)
	a, err := bls.KeyGen(ikm, nil)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := bls.KeyGen(ikm, nil)
	c, _ := bls.KeyGen(ikm, []byte("info"))
	if !a.Equal(b) || a.Equal(c) {
		t.Fatal("KeyGen not deterministic or ignores info")
	}
	if _, err := bls.KeyGen(ikm[:31], nil); !errors.Is(err, bls.ErrShortSeed) {
		t.Fatalf("short ikm: %v", err)
	}
}

// Signatures made by the Internet Computer itself: certified state roots
// ("\x0Dic-state-root" ‖ 32-byte root), the first under the IC mainnet root
// key, given in its published 133-byte DER form. They verify here byte for
// byte with no adaptation, which pins the ciphersuite, encodings and DER.
func TestICCertifiedStateRoots(t *testing.T) {
	vectors := []struct{ key, msg, sig string }{
		{"308182301d060d2b0601040182dc7c0503010201060c2b0601040182dc7c05030201036100814c0e6ec71fab583b08bd81373c255c3c371b2e84863c98a4f1e08b74235d14fb5d9c0cd546d9685f913a0c0b2cc5341583bf4b4392e467db96d65b9bb4cb717112f8472e0d5a4d14505ffd7484b01291091c5f87b98883463f98091a0baaae",
			"0d69632d73746174652d726f6f74e6c01e909b4923345ce5970962bcfe3004bfd8474a21dae28f50692502f46d90",
			"ace9fcdd9bc977e05d6328f889dc4e7c99114c737a494653cb27a1f55c06f4555e0f160980af5ead098acc195010b2f7"},
		{"308182301d060d2b0601040182dc7c0503010201060c2b0601040182dc7c050302010361009933e1f89e8a3c4d7fdcccdbd518089e2bd4d8180a261f18d9c247a52768ebce98dc7328a39814a8f911086a1dd50cbe015e2a53b7bf78b55288893daa15c346640e8831d72a12bdedd979d28470c34823b8d1c3f4795d9c3984a247132e94fe",
			"0d69632d73746174652d726f6f74b294b418b11ebe5dd7dd1dcb099e4e0372b9a42aef7a7a37fb4f25667d705ea9",
			"89a2be21b5fa8ac9fab1527e041327ce899d7da971436a1f2165393947b4d942365bfe5488710e61a619ba48388a21b1"},
	}
	for i, v := range vectors {
		der, _ := hex.DecodeString(v.key)
		msg, _ := hex.DecodeString(v.msg)
		sb, _ := hex.DecodeString(v.sig)
		pk, err := bls.ParseDER(der)
		if err != nil {
			t.Fatalf("vector %d: ParseDER: %v", i, err)
		}
		if back, _ := pk.MarshalDER(); !bytes.Equal(back, der) {
			t.Fatalf("vector %d: DER does not round-trip", i)
		}
		sig, err := bls.ParseSignature(sb)
		if err != nil {
			t.Fatalf("vector %d: %v", i, err)
		}
		if err := pk.Verify(msg, sig); err != nil {
			t.Fatalf("vector %d: IC signature rejected: %v", i, err)
		}
		msg[len(msg)-1] ^= 1
		if err := pk.Verify(msg, sig); !errors.Is(err, bls.ErrInvalidSignature) {
			t.Fatalf("vector %d: altered root accepted: %v", i, err)
		}
	}
}
