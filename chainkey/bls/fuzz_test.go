package bls_test

import (
	"bytes"
	"testing"

	"github.com/thebigfile/bigfile/chainkey/bls"
)

// Every decoder either rejects its input or accepts exactly the canonical
// encoding it would produce itself.

func fuzzSeeds(f *testing.F, size int) {
	r := seeded(40)
	sk := mustKey(f, r)
	sig := sk.Sign([]byte("seed"))
	pk := sk.PublicKey()
	sb, _ := sig.MarshalBinary()
	pb, _ := pk.MarshalBinary()
	f.Add(sb)
	f.Add(pb)
	f.Add(make([]byte, size))
	inf := make([]byte, size)
	inf[0] = 0xc0
	f.Add(inf)
	f.Add(bytes.Repeat([]byte{0xff}, size))
	x := make([]byte, size)
	x[0], x[size-1] = 0x80, 3
	f.Add(x)
}

func FuzzParseSignature(f *testing.F) {
	fuzzSeeds(f, bls.SignatureSize)
	f.Fuzz(func(t *testing.T, data []byte) {
		sig, err := bls.ParseSignature(data)
		if err != nil {
			return
		}
		out, err := sig.MarshalBinary()
		if err != nil || !bytes.Equal(out, data) {
			t.Fatalf("accepted non-canonical %x (re-encodes to %x, %v)", data, out, err)
		}
	})
}

func FuzzParsePublicKey(f *testing.F) {
	fuzzSeeds(f, bls.PublicKeySize)
	f.Fuzz(func(t *testing.T, data []byte) {
		pk, err := bls.ParsePublicKey(data)
		if err != nil {
			return
		}
		out, err := pk.MarshalBinary()
		if err != nil || !bytes.Equal(out, data) {
			t.Fatalf("accepted non-canonical %x", data)
		}
		der, _ := pk.MarshalDER()
		if back, err := bls.ParseDER(der); err != nil || back != pk {
			t.Fatalf("DER round trip failed: %v", err)
		}
	})
}

func FuzzParseDER(f *testing.F) {
	pk := mustKey(f, seeded(41)).PublicKey()
	der, _ := pk.MarshalDER()
	f.Add(der)
	f.Add(der[:100])
	f.Fuzz(func(t *testing.T, data []byte) {
		pk, err := bls.ParseDER(data)
		if err != nil {
			return
		}
		out, _ := pk.MarshalDER()
		if !bytes.Equal(out, data) {
			t.Fatalf("accepted non-canonical DER %x", data)
		}
	})
}

func FuzzSecretKey(f *testing.F) {
	sk := mustKey(f, seeded(42))
	b, _ := sk.MarshalBinary()
	f.Add(b)
	f.Add(make([]byte, 32))
	f.Add(bytes.Repeat([]byte{0xff}, 32))
	f.Fuzz(func(t *testing.T, data []byte) {
		var sk bls.SecretKey
		if err := sk.UnmarshalBinary(data); err != nil {
			return
		}
		out, err := sk.MarshalBinary()
		if err != nil || !bytes.Equal(out, data) {
			t.Fatalf("accepted non-canonical secret key %x", data)
		}
	})
}

func FuzzPublicCoefficients(f *testing.F) {
	_, c, shares := dealShares(f, seeded(43), 3, 4)
	b, _ := c.MarshalBinary()
	f.Add(b)
	f.Add(b[:50])
	f.Add([]byte{0, 0, 0, 0})
	f.Add([]byte{0xff, 0xff, 0xff, 0xff})
	sb, _ := shares[1].Sign([]byte("m")).MarshalBinary()
	f.Add(sb)
	f.Fuzz(func(t *testing.T, data []byte) {
		var pc bls.PublicCoefficients
		if err := pc.UnmarshalBinary(data); err == nil {
			out, err := pc.MarshalBinary()
			if err != nil || !bytes.Equal(out, data) {
				t.Fatalf("coefficients: accepted non-canonical %x", data)
			}
		}
		var ss bls.SignatureShare
		if err := ss.UnmarshalBinary(data); err == nil {
			out, _ := ss.MarshalBinary()
			if !bytes.Equal(out, data) {
				t.Fatalf("signature share: accepted non-canonical %x", data)
			}
		}
		var ps bls.PublicKeyShare
		if err := ps.UnmarshalBinary(data); err == nil {
			out, _ := ps.MarshalBinary()
			if !bytes.Equal(out, data) {
				t.Fatalf("public key share: accepted non-canonical %x", data)
			}
		}
		var dh bls.DHPublicKey
		if err := dh.UnmarshalBinary(data); err == nil {
			out, _ := dh.MarshalBinary()
			if !bytes.Equal(out, data) {
				t.Fatalf("dh key: accepted non-canonical %x", data)
			}
		}
	})
}
