package chainkey

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"io"

	"github.com/thebigfile/bigfile/chainkey/bls"
)

// TapeMessage is the message whose low-threshold signature is the random
// tape at height: the domain and the height. Shares for height h+1 are
// made once h is finalized, so the tape used by a batch is unknown when
// that batch's block is proposed.
func TapeMessage(height uint64) []byte {
	return binary.BigEndian.AppendUint64(domainPrefix(tapeDomain), height)
}

// Tape is the random tape of one height: the group's unique signature on
// [TapeMessage]. Execution draws cube randomness (raw_rand) from it.
type Tape struct {
	Height    uint64
	Signature bls.Signature
}

// VerifyTape checks a tape under the group key active at its height.
func VerifyTape(groupKey bls.PublicKey, t Tape) error {
	return groupKey.Verify(TapeMessage(t.Height), t.Signature)
}

// Reader returns the deterministic random stream of one raw_rand call:
// call is the caller-maintained counter of calls by cube within this
// height (0, 1, …). Distinct (cube, call) pairs get independent streams,
// and every replica derives the same bytes.
//
// Construction: key = HKDF-SHA256(secret = signature, salt =
// "big-random-tape-v1", info = height ‖ len(cube) ‖ cube ‖ call), then the
// AES-256-CTR keystream under a zero IV. The stream is a CSPRNG as long as
// the signature is unpredictable; it is practically unbounded (2^68 bytes
// before the counter wraps). The returned reader is not safe for
// concurrent use; Read never fails.
func (t Tape) Reader(cube []byte, call uint64) io.Reader {
	sig := t.Signature.Bytes()
	info := make([]byte, 0, 8+4+len(cube)+8)
	info = binary.BigEndian.AppendUint64(info, t.Height)
	info = binary.BigEndian.AppendUint32(info, uint32(len(cube)))
	info = append(info, cube...)
	info = binary.BigEndian.AppendUint64(info, call)
	key, err := hkdf.Key(sha256.New, sig[:], []byte("big-random-tape-v1"), string(info), 32)
	if err != nil {
		// Only possible for outputs over 255·32 bytes; ours is 32.
		panic(fmt.Sprintf("chainkey: tape hkdf: %v", err))
	}
	block, err := aes.NewCipher(key)
	clear(key)
	if err != nil {
		panic(fmt.Sprintf("chainkey: tape aes: %v", err)) // 32-byte keys are valid
	}
	var iv [aes.BlockSize]byte
	return &keystream{s: cipher.NewCTR(block, iv[:])}
}

// Randomness returns the 32 bytes raw_rand returns for (cube, call): the
// first 32 bytes of [Tape.Reader].
func (t Tape) Randomness(cube []byte, call uint64) [32]byte {
	var out [32]byte
	_, _ = io.ReadFull(t.Reader(cube, call), out[:])
	return out
}

// keystream reads a stream cipher's keystream.
type keystream struct{ s cipher.Stream }

func (k *keystream) Read(p []byte) (int, error) {
	clear(p)
	k.s.XORKeyStream(p, p)
	return len(p), nil
}
