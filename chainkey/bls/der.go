package bls

import (
	"bytes"
	"fmt"
)

// derPrefix is the IC's 37-byte DER prefix of a BLS12-381 G2 public key
// (the root and subnet keys): SEQUENCE { SEQUENCE { OID
// 1.3.6.1.4.1.44668.5.3.1.2.1, OID 1.3.6.1.4.1.44668.5.3.2.1 }, BIT STRING
// (97 bytes, 0 unused bits) }, followed by the 96-byte compressed key.
var derPrefix = []byte{
	0x30, 0x81, 0x82,
	0x30, 0x1d,
	0x06, 0x0d, 0x2b, 0x06, 0x01, 0x04, 0x01, 0x82, 0xdc, 0x7c, 0x05, 0x03, 0x01, 0x02, 0x01,
	0x06, 0x0c, 0x2b, 0x06, 0x01, 0x04, 0x01, 0x82, 0xdc, 0x7c, 0x05, 0x03, 0x02, 0x01,
	0x03, 0x61, 0x00,
}

// DERSize is the size of a DER-encoded public key: 37-byte prefix + 96.
const DERSize = 37 + PublicKeySize

// MarshalDER returns the IC's DER SubjectPublicKeyInfo form of pk (133
// bytes), as served at /api/v2/status (root key) and
// /subnet/<id>/public_key, and hashed into the subnet id.
func (pk PublicKey) MarshalDER() ([]byte, error) {
	if pk.IsZero() {
		return nil, ErrZeroValue
	}
	b := pk.p.Bytes()
	return append(append(make([]byte, 0, DERSize), derPrefix...), b[:]...), nil
}

// ParseDER decodes the DER form produced by [PublicKey.MarshalDER]. Like
// the IC's agents it requires the exact prefix and length, then applies
// every check of [PublicKey.UnmarshalBinary].
func ParseDER(der []byte) (PublicKey, error) {
	if len(der) != DERSize {
		return PublicKey{}, fmt.Errorf("der public key: %w: %d bytes, want %d", ErrEncoding, len(der), DERSize)
	}
	if !bytes.Equal(der[:len(derPrefix)], derPrefix) {
		return PublicKey{}, fmt.Errorf("der public key: %w: unexpected prefix", ErrEncoding)
	}
	return ParsePublicKey(der[len(derPrefix):])
}
