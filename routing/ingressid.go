package routing

import (
	"bytes"
	"crypto/sha256"

	"github.com/thebigfile/bigfile"
	"github.com/thebigfile/bigfile/internal/leb128"
)

// ingressID computes m.ID(), the request id, without rehashing the
// constant keys and the constant "call" for every message, and without
// allocating the pieces: induction hashes every ingress message of a batch.
// TestIngressIDMatches and FuzzIngressID hold it to [bigfile.Ingress.ID].
//
// cache, if not nil, memoises principal hashes across the messages of a
// batch, where the same senders and cubes recur.
func ingressID(m *bigfile.Ingress, cache map[bigfile.Principal]bigfile.Hash) bigfile.MessageID {
	var pieces [7][64]byte
	n := 0
	put := func(key *[32]byte, val [32]byte) {
		copy(pieces[n][:32], key[:])
		copy(pieces[n][32:], val[:])
		n++
	}
	var buf [10]byte
	put(&keyRequestType, callHash)
	put(&keySender, principalHash(m.Sender, cache))
	put(&keyExpiry, sha256.Sum256(leb128.AppendUint(buf[:0], uint64(m.Expiry))))
	put(&keyCanisterID, principalHash(m.Receiver, cache))
	put(&keyMethod, sha256.Sum256([]byte(m.Method)))
	put(&keyArg, sha256.Sum256(m.Arg))
	if m.Nonce != nil {
		put(&keyNonce, sha256.Sum256(m.Nonce))
	}
	// Insertion sort: at most seven pieces.
	for i := 1; i < n; i++ {
		for j := i; j > 0 && bytes.Compare(pieces[j-1][:], pieces[j][:]) > 0; j-- {
			pieces[j-1], pieces[j] = pieces[j], pieces[j-1]
		}
	}
	var flat [7 * 64]byte
	for i := 0; i < n; i++ {
		copy(flat[64*i:], pieces[i][:])
	}
	return bigfile.MessageID(sha256.Sum256(flat[:64*n]))
}

func principalHash(p bigfile.Principal, cache map[bigfile.Principal]bigfile.Hash) bigfile.Hash {
	if h, ok := cache[p]; ok {
		return h
	}
	h := bigfile.Sum256(p.Bytes())
	if cache != nil {
		cache[p] = h
	}
	return h
}

var (
	keyRequestType = sha256.Sum256([]byte("request_type"))
	keySender      = sha256.Sum256([]byte("sender"))
	keyExpiry      = sha256.Sum256([]byte("ingress_expiry"))
	keyCanisterID  = sha256.Sum256([]byte("canister_id"))
	keyMethod      = sha256.Sum256([]byte("method_name"))
	keyArg         = sha256.Sum256([]byte("arg"))
	keyNonce       = sha256.Sum256([]byte("nonce"))
	callHash       = sha256.Sum256([]byte("call"))
)
