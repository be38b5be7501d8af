package derive_test

import (
	"bytes"
	"crypto/rand"
	"encoding/base32"
	"encoding/hex"
	"errors"
	"math/big"
	"strings"
	"testing"

	"filippo.io/edwards25519"
	"github.com/decred/dcrd/dcrec/secp256k1/v4"

	"github.com/thebigfile/bigfile/chainkey/derive"
)

func unhex(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func cc32(t testing.TB, s string) (c [32]byte) {
	t.Helper()
	copy(c[:], unhex(t, s))
	return c
}

// principalBytes decodes the textual form of an IC principal (base32 of
// CRC32 || bytes, grouped by dashes) to its raw bytes.
func principalBytes(t testing.TB, text string) []byte {
	t.Helper()
	s := strings.ToUpper(strings.ReplaceAll(text, "-", ""))
	for len(s)%8 != 0 {
		s += "="
	}
	b, err := base32.StdEncoding.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b[4:]
}

// slashPath splits the test-vector path notation ("2/444/66666") into
// elements; the vectors only use printable ASCII.
func slashPath(s string) [][]byte {
	if s == "" {
		return nil
	}
	var out [][]byte
	for _, p := range strings.Split(s, "/") {
		out = append(out, []byte(p))
	}
	return out
}

// Vectors from dfinity/ic-pub-key test/samples.json: responses of the
// mainnet management canister (via the chain fusion signer) to
// ecdsa_public_key and schnorr_public_key calls, i.e. real IC derivations.
var sampleVectors = []struct {
	name, curve        string
	pub, chain, path   string
	wantPub, wantChain string
}{
	{"ecdsa null path", "secp256k1",
		"02b84ff3f88329a887657d0309bd1a1af9e37601e5d1a535d6fe7d42e37f79f40a",
		"212891bc032f28d369bacf39dc369feb516eced9a3d83498246aead1546f8cd1", "",
		"02b84ff3f88329a887657d0309bd1a1af9e37601e5d1a535d6fe7d42e37f79f40a",
		"212891bc032f28d369bacf39dc369feb516eced9a3d83498246aead1546f8cd1"},
	{"ecdsa canister 2/444/66666", "secp256k1",
		"02b84ff3f88329a887657d0309bd1a1af9e37601e5d1a535d6fe7d42e37f79f40a",
		"212891bc032f28d369bacf39dc369feb516eced9a3d83498246aead1546f8cd1", "2/444/66666",
		"024bf78e40bb51d2c6c14c11aa8f3af1549741de5acdf925e6dc230dfc5daa22d9",
		"bc35b8515f03aa1543081e2af4e878f28b27f3ce00c035f4068702d33ee88586"},
	{"ecdsa caller 2/444/66666", "secp256k1",
		"0291f38cada7f498d467a18527dc6706b6343b124062776a9996077820d2c76be2",
		"9cfbcc11fbc2d401c3719785c31840a2bad151baf28c3795bc63f5fbc9cb26d7", "2/444/66666",
		"024279ea3e07582bd07388725255b3806276f2997323cedbcfa78fea658740c8a2",
		"1b2cfa6fa9720fe41c730761d804577bdce4ec93098e44a4dc78746b4e8d2c5d"},
	{"ecdsa caller bungee", "secp256k1",
		"0291f38cada7f498d467a18527dc6706b6343b124062776a9996077820d2c76be2",
		"9cfbcc11fbc2d401c3719785c31840a2bad151baf28c3795bc63f5fbc9cb26d7", "bungee",
		"02cc48da88c3b372cb5d5ac2665c92da65714de07ad148a5a838bb5e95fbddb591",
		"2dfe858431260fefb8b8093cfbf69bd1428c08757eee9131b901f9010238703b"},
	{"ecdsa caller two empty elements", "secp256k1",
		"0291f38cada7f498d467a18527dc6706b6343b124062776a9996077820d2c76be2",
		"9cfbcc11fbc2d401c3719785c31840a2bad151baf28c3795bc63f5fbc9cb26d7", "/",
		"03e204c5244fc5a7a98be3d643fca87b3f0b73db55cdd23abb197c191c89e4bfc6",
		"f28e1c6f888684f2a46ab564e648e08a45e27b2d5b7b799ffd6adbd424dc643f"},
	{"ed25519 caller", "ed25519",
		"5dc497e58f2eaaa2acb80f8f235e754ea243ab2c1d5683d55eec5b3275b31691",
		"96094ba65eb8d6e71797b837a27bf175d8ad2828fa508fab3d57041550dc0334", "2/444/66666",
		"d41c15e8f8f718ada435d38c96a8f04ca342e70c9396642bc2c1c08da8cc0406",
		"541a8e8b26c80efcb462d036e88ae6e66e46876e3deceb2c54ddfecc94e2a1aa"},
	{"ed25519 canister", "ed25519",
		"da38b16641af7626e372070ff9f844b7c89d1012850d2198393849d79d3d2d5d",
		"985be5283a68fc22540930ca02680f86c771419ece571eb838b33eb5604cfbc0", "2/444/66666",
		"7b3e64014987350f8ef9b89e0e804032c9c2de3b1825a789d0fd53266b5b0e71",
		"0816a73ea47f024698baab4c453f6381acc0b829384974eb96c611ab63837b05"},
	{"bip340 canister", "secp256k1",
		"030466da666fe067f52cb5337a72e7722123ab3fc82f92b8a5f92b89d0e9bbd6e1",
		"8b51936ff7862e556e31f1116a657469f00083497062db2e8ee9573e3346a83a", "2/444/66666",
		"0329d1f060d8225b2547abd7b7cdccc56ea675cfacd46a75863bd98d9a5dcafca7",
		"4741d01b413e340d0a253e8adf860fd28cea1eebfad71493bac7476e6d20b1ab"},
	{"bip340 caller", "secp256k1",
		"03d81a2def33c99ce5e60138d66e68474ab3560ee26882c26ea790bf6ecfa2a213",
		"4698afadc51f3b38434e66f35ae73d37347446cf0a0bcbda43ed7a7e0cd9efa7", "2/444/66666",
		"024e1e180ae1a1b685a5834e40ecd239e1624bd2a8bdee4e7f0fa70e8de9804765",
		"2e04ed5006d04725fea1508a00c35da2f033b39d8a8ab3d86d0b66ed347656ce"},
}

func TestICSampleVectors(t *testing.T) {
	for _, v := range sampleVectors {
		t.Run(v.name, func(t *testing.T) {
			f := derive.Secp256k1
			if v.curve == "ed25519" {
				f = derive.Ed25519
			}
			k, err := f(unhex(t, v.pub), cc32(t, v.chain), slashPath(v.path))
			if err != nil {
				t.Fatal(err)
			}
			if got := hex.EncodeToString(k.PublicKey); got != v.wantPub {
				t.Errorf("public key = %s, want %s", got, v.wantPub)
			}
			if got := hex.EncodeToString(k.ChainCode[:]); got != v.wantChain {
				t.Errorf("chain code = %s, want %s", got, v.wantChain)
			}
		})
	}
}

// Mainnet master keys (dfinity/ic-pub-key forMainnetKey) and the derived
// keys its mainnet_derivation tests record for canister
// h5jwf-5iaaa-aaaan-qmvoa-cai: these start from the master chain code.
func TestMainnetMasterKeyDerivation(t *testing.T) {
	cube := principalBytes(t, "h5jwf-5iaaa-aaaan-qmvoa-cai")
	testKey1Path := derive.CubePath(cube, []byte("Hello"), []byte("Threshold"), []byte("Signatures"))
	key1Path := derive.CubePath(cube, unhex(t, "abcdef"), unhex(t, "012345"))
	cases := []struct {
		name    string
		f       func([]byte, [32]byte, [][]byte) (derive.Key, error)
		master  string
		path    [][]byte
		wantPub string
	}{
		{"bip340 test_key_1", derive.Secp256k1, "037a651a2e5ef3d1ef63e84c4c4caa029fa4a43a347a91e4d84a8e846853d51be1",
			testKey1Path, "0237ca6a41c1db8ab40410445250a5d46fbec7f3e449c8f40f86d8622a4106cebd"},
		{"bip340 key_1", derive.Secp256k1, "02246e29785f06d37a8a50c49f6152a34df74738f8c13a44f59fef4cbe90eb13ac",
			key1Path, "03e5e92c2399985f82521b110ac3dbf697a6b9522002c0d31d0b7cd5352c343457"},
		{"ed25519 test_key_1", derive.Ed25519, "6c0824beb37621bcca6eecc237ed1bc4e64c9c59dcb85344aa7f9cc8278ee31f",
			testKey1Path, "d9a2ce6a3cd33fe16dce37e045609e51ff516e93bb51013823d6d7a915e3cfb9"},
		{"ed25519 key_1", derive.Ed25519, "476374d9df3a8af28d3164dc2422cff894482eadd1295290b6d9ad92b2eeaa5c",
			key1Path, "43f0008b26564b6da51f585ad47669dfeb1db6d94d7dd216bd304fc1f5f5e997"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			k, err := c.f(unhex(t, c.master), derive.MasterChainCode, c.path)
			if err != nil {
				t.Fatal(err)
			}
			if got := hex.EncodeToString(k.PublicKey); got != c.wantPub {
				t.Errorf("public key = %s, want %s", got, c.wantPub)
			}
		})
	}
}

// The offset must relate parent and child keys additively: with parent
// secret x, (x + offset)·G is the derived key. This is what lets FROST sign
// for derived keys.
func TestOffsetConsistency(t *testing.T) {
	paths := [][][]byte{nil, {{}}, {[]byte("a")}, {[]byte("cube"), []byte("x"), {0, 0, 0, 1}}, {bytes.Repeat([]byte{7}, 300)}}
	for i := 0; i < 8; i++ {
		var seed [32]byte
		rand.Read(seed[:])
		var cc [32]byte
		rand.Read(cc[:])
		for _, path := range paths {
			// secp256k1
			var x secp256k1.ModNScalar
			x.SetByteSlice(seed[:])
			var X secp256k1.JacobianPoint
			secp256k1.ScalarBaseMultNonConst(&x, &X)
			X.ToAffine()
			k, err := derive.Secp256k1(secp256k1.NewPublicKey(&X.X, &X.Y).SerializeCompressed(), cc, path)
			if err != nil {
				t.Fatal(err)
			}
			var off secp256k1.ModNScalar
			if off.SetByteSlice(k.Offset[:]) {
				t.Fatal("offset not reduced")
			}
			x.Add(&off)
			secp256k1.ScalarBaseMultNonConst(&x, &X)
			X.ToAffine()
			if got := secp256k1.NewPublicKey(&X.X, &X.Y).SerializeCompressed(); !bytes.Equal(got, k.PublicKey) {
				t.Fatalf("secp256k1: (x+offset)·G = %x, derived %x", got, k.PublicKey)
			}
			// Ed25519
			var wide [64]byte
			copy(wide[:], seed[:])
			s, _ := edwards25519.NewScalar().SetUniformBytes(wide[:])
			A := new(edwards25519.Point).ScalarBaseMult(s)
			ke, err := derive.Ed25519(A.Bytes(), cc, path)
			if err != nil {
				t.Fatal(err)
			}
			o, err := edwards25519.NewScalar().SetCanonicalBytes(ke.Offset[:])
			if err != nil {
				t.Fatal("offset not canonical:", err)
			}
			s.Add(s, o)
			if got := new(edwards25519.Point).ScalarBaseMult(s).Bytes(); !bytes.Equal(got, ke.PublicKey) {
				t.Fatalf("ed25519: (s+offset)·B = %x, derived %x", got, ke.PublicKey)
			}
		}
	}
}

// Deriving along a then b equals deriving along a||b, with offsets adding up.
func TestDerivationComposes(t *testing.T) {
	pub := unhex(t, "02b84ff3f88329a887657d0309bd1a1af9e37601e5d1a535d6fe7d42e37f79f40a")
	a := [][]byte{[]byte("cube"), []byte("one")}
	b := [][]byte{[]byte("two"), {}}
	ab := append(append([][]byte{}, a...), b...)
	n := secp256k1.S256().N
	k1, _ := derive.Secp256k1(pub, derive.MasterChainCode, a)
	k2, _ := derive.Secp256k1(k1.PublicKey, k1.ChainCode, b)
	k12, _ := derive.Secp256k1(pub, derive.MasterChainCode, ab)
	if !bytes.Equal(k2.PublicKey, k12.PublicKey) || k2.ChainCode != k12.ChainCode {
		t.Fatal("secp256k1: stepwise derivation differs from whole-path derivation")
	}
	sum := new(big.Int).Add(new(big.Int).SetBytes(k1.Offset[:]), new(big.Int).SetBytes(k2.Offset[:]))
	if sum.Mod(sum, n).Cmp(new(big.Int).SetBytes(k12.Offset[:])) != 0 {
		t.Fatal("secp256k1: offsets do not add up")
	}
	epub := unhex(t, "476374d9df3a8af28d3164dc2422cff894482eadd1295290b6d9ad92b2eeaa5c")
	e1, _ := derive.Ed25519(epub, derive.MasterChainCode, a)
	e2, _ := derive.Ed25519(e1.PublicKey, e1.ChainCode, b)
	e12, _ := derive.Ed25519(epub, derive.MasterChainCode, ab)
	if !bytes.Equal(e2.PublicKey, e12.PublicKey) || e2.ChainCode != e12.ChainCode {
		t.Fatal("ed25519: stepwise derivation differs from whole-path derivation")
	}
	o1, _ := edwards25519.NewScalar().SetCanonicalBytes(e1.Offset[:])
	o2, _ := edwards25519.NewScalar().SetCanonicalBytes(e2.Offset[:])
	o12, _ := edwards25519.NewScalar().SetCanonicalBytes(e12.Offset[:])
	if o1.Add(o1, o2).Equal(o12) != 1 {
		t.Fatal("ed25519: offsets do not add up")
	}
}

func TestRejectsBadKeys(t *testing.T) {
	good := unhex(t, "02b84ff3f88329a887657d0309bd1a1af9e37601e5d1a535d6fe7d42e37f79f40a")
	bad := [][]byte{
		nil,
		good[:32],
		append([]byte{4}, good[1:]...),
		append([]byte{2}, bytes.Repeat([]byte{0xff}, 32)...), // x >= p
		append([]byte{2}, make([]byte, 32)...),               // x = 0: not on the curve
	}
	for _, b := range bad {
		if _, err := derive.Secp256k1(b, derive.MasterChainCode, nil); !errors.Is(err, derive.ErrInvalidPublicKey) {
			t.Errorf("Secp256k1(%x) error = %v, want ErrInvalidPublicKey", b, err)
		}
	}
	nonCanonical := bytes.Repeat([]byte{0xff}, 32) // y >= p
	nonCanonical[31] = 0x7f
	for _, b := range [][]byte{nil, make([]byte, 31), nonCanonical} {
		if _, err := derive.Ed25519(b, derive.MasterChainCode, nil); !errors.Is(err, derive.ErrInvalidPublicKey) {
			t.Errorf("Ed25519(%x) error = %v, want ErrInvalidPublicKey", b, err)
		}
	}
}

func FuzzSecp256k1(f *testing.F) {
	f.Add(unhex(f, "02b84ff3f88329a887657d0309bd1a1af9e37601e5d1a535d6fe7d42e37f79f40a"), []byte("path"))
	f.Add([]byte{3}, []byte{})
	f.Add(append([]byte{2}, bytes.Repeat([]byte{0xff}, 32)...), []byte("x"))
	f.Fuzz(func(t *testing.T, pub, elem []byte) {
		k, err := derive.Secp256k1(pub, derive.MasterChainCode, [][]byte{elem})
		if err != nil {
			if !errors.Is(err, derive.ErrInvalidPublicKey) {
				t.Fatalf("unexpected error %v", err)
			}
			return
		}
		if _, err := secp256k1.ParsePubKey(k.PublicKey); err != nil || len(k.PublicKey) != 33 {
			t.Fatalf("derived key %x does not parse: %v", k.PublicKey, err)
		}
	})
}

func FuzzEd25519(f *testing.F) {
	f.Add(unhex(f, "476374d9df3a8af28d3164dc2422cff894482eadd1295290b6d9ad92b2eeaa5c"), []byte("path"))
	f.Add(make([]byte, 32), []byte{})
	f.Add(bytes.Repeat([]byte{0xff}, 32), []byte("x"))
	f.Fuzz(func(t *testing.T, pub, elem []byte) {
		k, err := derive.Ed25519(pub, derive.MasterChainCode, [][]byte{elem})
		if err != nil {
			if !errors.Is(err, derive.ErrInvalidPublicKey) {
				t.Fatalf("unexpected error %v", err)
			}
			return
		}
		if _, err := new(edwards25519.Point).SetBytes(k.PublicKey); err != nil {
			t.Fatalf("derived key %x does not parse", k.PublicKey)
		}
	})
}
