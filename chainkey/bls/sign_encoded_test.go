package bls

import (
	"errors"
	"testing"
)

func TestVerifyEncoded(t *testing.T) {
	sk, err := KeyGen(make([]byte, 32), nil)
	if err != nil {
		t.Fatal(err)
	}
	pk := sk.PublicKey()
	msg := []byte("\x0dic-state-root" + "root hash")
	sig := sk.Sign(msg)
	pkb, sigb := pk.Bytes(), sig.Bytes()
	var v EncodedVerifier
	if err := v.VerifySignature(pkb[:], msg, sigb[:]); err != nil {
		t.Fatalf("valid signature: %v", err)
	}
	if err := VerifyEncoded(pkb[:], []byte("other"), sigb[:]); !errors.Is(err, ErrInvalidSignature) {
		t.Errorf("other message: %v", err)
	}
	if err := VerifyEncoded(pkb[:10], msg, sigb[:]); err == nil {
		t.Error("accepted a truncated public key")
	}
	if err := VerifyEncoded(pkb[:], msg, sigb[:47]); err == nil {
		t.Error("accepted a truncated signature")
	}
}
