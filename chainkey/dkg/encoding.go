package dkg

import (
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/thebigfile/bigfile/chainkey/bls"
)

// Binary encodings. Each starts with a version byte (1); integers are
// big-endian; points are compressed. Decoders check every point (curve,
// subgroup, identity) and reject trailing bytes, so an encoding that
// decodes re-encodes to the same bytes.

const encodingVersion = 1

// ErrEncoding reports a malformed dealing, complaint or transcript encoding.
var ErrEncoding = errors.New("dkg: malformed encoding")

// signedBytes is the encoding of everything but the signature.
func (d *Dealing) signedBytes() ([]byte, error) {
	b := []byte{encodingVersion}
	b = binary.BigEndian.AppendUint32(b, d.Dealer)
	b, err := d.Commitments.AppendBinary(b)
	if err != nil {
		return nil, fmt.Errorf("%w: commitments: %v", ErrInvalidDealing, err)
	}
	e, err := d.Ephemeral.MarshalBinary()
	if err != nil {
		return nil, fmt.Errorf("%w: ephemeral key: %v", ErrInvalidDealing, err)
	}
	b = append(b, e...)
	b = binary.BigEndian.AppendUint32(b, uint32(len(d.Ciphertexts)))
	for j, ct := range d.Ciphertexts {
		if len(ct) != ciphertextSize {
			return nil, fmt.Errorf("%w: ciphertext %d has %d bytes", ErrInvalidDealing, j, len(ct))
		}
		b = append(b, ct...)
	}
	return b, nil
}

// MarshalBinary encodes the dealing: version ‖ dealer ‖ commitments ‖
// ephemeral key (48) ‖ count ‖ count × 48-byte ciphertexts ‖ signature (48).
func (d *Dealing) MarshalBinary() ([]byte, error) {
	b, err := d.signedBytes()
	if err != nil {
		return nil, err
	}
	s, err := d.Signature.MarshalBinary()
	if err != nil {
		return nil, fmt.Errorf("%w: signature: %v", ErrInvalidDealing, err)
	}
	return append(b, s...), nil
}

// UnmarshalBinary decodes a dealing. It checks the encoding only; call
// [Config.VerifyDealing] before trusting it.
func (d *Dealing) UnmarshalBinary(data []byte) error {
	if len(data) < 5 || data[0] != encodingVersion {
		return fmt.Errorf("%w: dealing header", ErrEncoding)
	}
	var out Dealing
	out.Dealer = binary.BigEndian.Uint32(data[1:])
	c, rest, err := bls.DecodePublicCoefficients(data[5:])
	if err != nil {
		return fmt.Errorf("%w: dealing: %w", ErrEncoding, err)
	}
	out.Commitments = c
	if len(rest) < bls.DHPublicKeySize+4 {
		return fmt.Errorf("%w: dealing truncated", ErrEncoding)
	}
	if err := out.Ephemeral.UnmarshalBinary(rest[:bls.DHPublicKeySize]); err != nil {
		return fmt.Errorf("%w: dealing: %w", ErrEncoding, err)
	}
	rest = rest[bls.DHPublicKeySize:]
	n := binary.BigEndian.Uint32(rest)
	rest = rest[4:]
	if n > MaxParticipants {
		return fmt.Errorf("%w: %d ciphertexts", ErrEncoding, n)
	}
	if len(rest) != int(n)*ciphertextSize+bls.SignatureSize {
		return fmt.Errorf("%w: dealing length", ErrEncoding)
	}
	out.Ciphertexts = make([][]byte, n)
	for j := range out.Ciphertexts {
		out.Ciphertexts[j] = append([]byte(nil), rest[j*ciphertextSize:(j+1)*ciphertextSize]...)
	}
	if err := out.Signature.UnmarshalBinary(rest[int(n)*ciphertextSize:]); err != nil {
		return fmt.Errorf("%w: dealing: %w", ErrEncoding, err)
	}
	*d = out
	return nil
}

// MarshalBinary encodes the complaint: version ‖ dealer ‖ receiver ‖
// shared secret (48) ‖ proof (64).
func (cp *Complaint) MarshalBinary() ([]byte, error) {
	b := make([]byte, 0, ComplaintSize)
	b = append(b, encodingVersion)
	b = binary.BigEndian.AppendUint32(b, cp.Dealer)
	b = binary.BigEndian.AppendUint32(b, cp.Receiver)
	b = append(b, cp.Secret[:]...)
	return append(b, cp.Proof[:]...), nil
}

// UnmarshalBinary decodes a complaint; [Config.VerifyComplaint] checks it.
func (cp *Complaint) UnmarshalBinary(data []byte) error {
	if len(data) != ComplaintSize || data[0] != encodingVersion {
		return fmt.Errorf("%w: complaint length or version", ErrEncoding)
	}
	var out Complaint
	out.Dealer = binary.BigEndian.Uint32(data[1:])
	out.Receiver = binary.BigEndian.Uint32(data[5:])
	copy(out.Secret[:], data[9:9+bls.SharedSecretSize])
	copy(out.Proof[:], data[9+bls.SharedSecretSize:])
	var p bls.DHPublicKey
	if err := p.UnmarshalBinary(out.Secret[:]); err != nil {
		return fmt.Errorf("%w: complaint: %w", ErrEncoding, err)
	}
	*cp = out
	return nil
}

// MarshalBinary encodes the transcript: version ‖ count ‖ count × dealer
// index ‖ coefficients.
func (t *Transcript) MarshalBinary() ([]byte, error) {
	b := []byte{encodingVersion}
	b = binary.BigEndian.AppendUint32(b, uint32(len(t.Dealers)))
	for _, d := range t.Dealers {
		b = binary.BigEndian.AppendUint32(b, d)
	}
	return t.Coefficients.AppendBinary(b)
}

// UnmarshalBinary decodes a transcript.
func (t *Transcript) UnmarshalBinary(data []byte) error {
	if len(data) < 5 || data[0] != encodingVersion {
		return fmt.Errorf("%w: transcript header", ErrEncoding)
	}
	n := binary.BigEndian.Uint32(data[1:])
	if n == 0 || n > MaxParticipants || len(data) < 5+4*int(n) {
		return fmt.Errorf("%w: transcript dealer count %d", ErrEncoding, n)
	}
	dealers := make([]uint32, n)
	seen := make(map[uint32]bool, n)
	for i := range dealers {
		dealers[i] = binary.BigEndian.Uint32(data[5+4*i:])
		if seen[dealers[i]] {
			return fmt.Errorf("%w: duplicate dealer %d", ErrEncoding, dealers[i])
		}
		seen[dealers[i]] = true
	}
	var c bls.PublicCoefficients
	if err := c.UnmarshalBinary(data[5+4*int(n):]); err != nil {
		return fmt.Errorf("%w: transcript: %w", ErrEncoding, err)
	}
	t.Dealers, t.Coefficients = dealers, c
	return nil
}
