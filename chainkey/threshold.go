package chainkey

import (
	"errors"
	"fmt"
	"slices"
	"sync"

	"github.com/thebigfile/bigfile/chainkey/bls"
)

// Errors of [ThresholdKey].
var (
	// ErrNoShare reports signing with a key that holds no secret share
	// (a verifier-only node).
	ErrNoShare = errors.New("chainkey: no secret share")
	// ErrTooFewShares reports that fewer valid shares than the threshold
	// were given to Combine; it wraps the positions of the invalid ones in
	// a [*ShareError] when there were any.
	ErrTooFewShares = errors.New("chainkey: too few valid shares")
)

// ShareError reports signature shares that failed to decode or verify, by
// position in the input, alongside the sentinel it unwraps to.
type ShareError struct {
	Bad []int // positions of invalid shares, ascending
	Err error
}

func (e *ShareError) Error() string { return fmt.Sprintf("%v: invalid shares at %v", e.Err, e.Bad) }
func (e *ShareError) Unwrap() error { return e.Err }

// ThresholdKey is one node's handle on a threshold key: the public
// coefficients from the DKG transcript and, on a member, its own secret
// share. Its methods take and return encoded bytes, so consumers can
// declare small interfaces on byte slices (SignShare, VerifyShare, Combine,
// Verify) without importing chainkey types. A ThresholdKey is safe for
// concurrent use.
type ThresholdKey struct {
	coeffs   bls.PublicCoefficients
	verifier *bls.Verifier
	share    *bls.SecretKeyShare

	mu        sync.Mutex
	shareKeys map[uint32]bls.PublicKeyShare // cache of coeffs.ShareKey
}

// NewThresholdKey returns a key for the given public coefficients and,
// if share is non-nil, this node's secret share (checked against the
// coefficients; the key keeps its own copy). Pass a nil share for
// verification only.
func NewThresholdKey(coeffs bls.PublicCoefficients, share *bls.SecretKeyShare) (*ThresholdKey, error) {
	if coeffs.Threshold() == 0 {
		return nil, fmt.Errorf("chainkey: %w", bls.ErrZeroValue)
	}
	v, err := bls.NewVerifier(coeffs.PublicKey())
	if err != nil {
		return nil, fmt.Errorf("chainkey: %w", err)
	}
	k := &ThresholdKey{coeffs: coeffs, verifier: v, shareKeys: make(map[uint32]bls.PublicKeyShare)}
	if share != nil {
		if !coeffs.VerifyShare(*share) {
			return nil, fmt.Errorf("chainkey: secret share %d does not match the public coefficients", share.Index)
		}
		s := *share
		k.share = &s
	}
	return k, nil
}

// PublicKey returns the group public key.
func (k *ThresholdKey) PublicKey() bls.PublicKey { return k.coeffs.PublicKey() }

// Threshold returns the number of shares needed to sign.
func (k *ThresholdKey) Threshold() int { return k.coeffs.Threshold() }

// Index returns this node's share index, and false if it holds no share.
func (k *ThresholdKey) Index() (uint32, bool) {
	if k.share == nil {
		return 0, false
	}
	return k.share.Index, true
}

// ShareKey returns the public key share of holder index (cached).
func (k *ThresholdKey) ShareKey(index uint32) bls.PublicKeyShare {
	k.mu.Lock()
	defer k.mu.Unlock()
	if pk, ok := k.shareKeys[index]; ok {
		return pk
	}
	pk := k.coeffs.ShareKey(index)
	k.shareKeys[index] = pk
	return pk
}

// SignShare signs msg with this node's share and returns the encoded
// [bls.SignatureShare] (52 bytes: index ‖ signature). It returns
// [ErrNoShare] on a verification-only key.
func (k *ThresholdKey) SignShare(msg []byte) ([]byte, error) {
	if k.share == nil {
		return nil, ErrNoShare
	}
	return k.share.Sign(msg).MarshalBinary()
}

// VerifyShare decodes and checks one encoded signature share on msg
// against the share key of the index it carries. It returns nil or a
// decoding or verification error from package bls.
func (k *ThresholdKey) VerifyShare(msg, share []byte) error {
	var s bls.SignatureShare
	if err := s.UnmarshalBinary(share); err != nil {
		return err
	}
	return k.ShareKey(s.Index).Verify(msg, s)
}

// Combine turns encoded signature shares on msg into the encoded group
// signature (48 bytes). It decodes the shares (undecodable ones and
// duplicate indices are skipped), optimistically combines the first
// threshold of them and checks the result with one pairing. Only if that
// fails does it check every share with one batched pairing product
// (bisecting to find the bad ones), drop the invalid ones and combine
// again. If fewer than the threshold are valid it returns a [*ShareError]
// wrapping [ErrTooFewShares] that lists the bad positions. On success,
// shares that were not needed may go unchecked.
func (k *ThresholdKey) Combine(msg []byte, shares [][]byte) ([]byte, error) {
	t := k.coeffs.Threshold()
	var bad []int
	var decoded []bls.SignatureShare
	var pos []int
	seen := make(map[uint32]bool, len(shares))
	for i, b := range shares {
		var s bls.SignatureShare
		if err := s.UnmarshalBinary(b); err != nil {
			bad = append(bad, i)
			continue
		}
		if seen[s.Index] {
			continue // a duplicate adds nothing
		}
		seen[s.Index] = true
		decoded = append(decoded, s)
		pos = append(pos, i)
	}
	if len(decoded) >= t {
		// Optimistic path: with honest signers the first t shares are good.
		if sig, err := bls.Combine(t, decoded); err == nil && k.verifier.Verify(msg, sig) == nil {
			return sig.MarshalBinary()
		}
	}
	var good []bls.SignatureShare
	if len(decoded) > 0 {
		keys := make([]bls.PublicKeyShare, len(decoded))
		for i, s := range decoded {
			keys[i] = k.ShareKey(s.Index)
		}
		invalid, err := bls.BatchVerifyShares(keys, msg, decoded)
		if err != nil {
			return nil, err
		}
		j := 0
		for i, s := range decoded {
			if j < len(invalid) && invalid[j] == i {
				bad = append(bad, pos[i])
				j++
				continue
			}
			good = append(good, s)
		}
	}
	if len(good) < t {
		slices.Sort(bad)
		return nil, &ShareError{Bad: bad, Err: ErrTooFewShares}
	}
	sig, err := bls.Combine(t, good)
	if err != nil {
		return nil, err
	}
	if err := k.verifier.Verify(msg, sig); err != nil {
		// Unreachable with verified shares; kept as a final guard.
		return nil, fmt.Errorf("chainkey: combined signature: %w", err)
	}
	return sig.MarshalBinary()
}

// Verify checks an encoded group signature on msg.
func (k *ThresholdKey) Verify(msg, sig []byte) error {
	s, err := bls.ParseSignature(sig)
	if err != nil {
		return err
	}
	return k.verifier.Verify(msg, s)
}

// Zero overwrites this node's secret share; the key can still verify.
// Zero must not run concurrently with SignShare.
func (k *ThresholdKey) Zero() {
	if k.share != nil {
		k.share.Zero()
		k.share = nil
	}
}
