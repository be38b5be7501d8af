package frost

import (
	"errors"
	"fmt"
	"slices"
	"strings"
)

// Sentinel errors. Functions wrap them with details; test with errors.Is.
var (
	// ErrUnknownSuite reports a Suite value (or encoded suite byte) that is
	// neither Ed25519 nor BIP340.
	ErrUnknownSuite = errors.New("frost: unknown ciphersuite")
	// ErrInvalidParameters reports a bad threshold, signer count or identifier.
	ErrInvalidParameters = errors.New("frost: invalid parameters")
	// ErrMalformed reports an encoding that does not decode: wrong length,
	// trailing bytes, an out-of-range scalar, an off-curve or identity point.
	ErrMalformed = errors.New("frost: malformed encoding")
	// ErrRandomness reports a failure of the caller's random source.
	ErrRandomness = errors.New("frost: reading randomness failed")
	// ErrNonceUsed reports a Nonce that was already consumed by Sign or wiped.
	ErrNonceUsed = errors.New("frost: nonce already used")
	// ErrKeyMismatch reports values that belong to different groups (another
	// group key, suite or signer).
	ErrKeyMismatch = errors.New("frost: key mismatch")
	// ErrCommitmentMismatch reports a signing package that does not contain
	// the signer's own round-one commitment.
	ErrCommitmentMismatch = errors.New("frost: commitment not in signing package")
	// ErrTooFewSigners reports fewer participants than the threshold.
	ErrTooFewSigners = errors.New("frost: fewer signers than the threshold")
	// ErrInvalidShare reports a signature share that fails verification.
	ErrInvalidShare = errors.New("frost: invalid signature share")
	// ErrInvalidSignature reports a signature that does not verify.
	ErrInvalidSignature = errors.New("frost: invalid signature")
	// ErrInvalidDealing reports a DKG dealing whose proof of knowledge
	// fails, or a dealt share inconsistent with its dealer's commitment.
	ErrInvalidDealing = errors.New("frost: invalid dealing")
)

// BlameError attributes a failure to participants: the signers whose
// signature shares failed verification ([ErrInvalidShare]), or the DKG
// dealers whose dealing or share was bad ([ErrInvalidDealing]). Culprits is
// sorted and has no duplicates. It unwraps to Err.
type BlameError struct {
	Culprits []Identifier
	Err      error
}

func (e *BlameError) Error() string {
	ids := make([]string, len(e.Culprits))
	for i, id := range e.Culprits {
		ids[i] = fmt.Sprint(uint16(id))
	}
	return fmt.Sprintf("%v (participants %s)", e.Err, strings.Join(ids, ", "))
}

func (e *BlameError) Unwrap() error { return e.Err }

func blame(err error, ids []Identifier) error {
	ids = slices.Clone(ids)
	slices.Sort(ids)
	return &BlameError{Culprits: slices.Compact(ids), Err: err}
}

func malformed(what string, err error) error {
	return fmt.Errorf("%w: %s: %v", ErrMalformed, what, err)
}
