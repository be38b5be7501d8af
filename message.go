package bigfile

import (
	"bytes"
	"crypto/sha256"
	"fmt"
	"strconv"
)

// RejectCode classifies why a call was rejected, with the Internet Computer's
// numbering (1 to 6). The zero value means "not rejected".
type RejectCode uint8

// The reject codes of the Internet Computer.
const (
	// RejectSysFatal: a fatal system error; retrying will not help.
	RejectSysFatal RejectCode = 1
	// RejectSysTransient: a transient system error (queue full, out of cycles to
	// send, …); retrying may help.
	RejectSysTransient RejectCode = 2
	// RejectDestinationInvalid: the destination does not exist or has no such method.
	RejectDestinationInvalid RejectCode = 3
	// RejectCanisterReject: the cube rejected the call explicitly (ic0.msg_reject).
	RejectCanisterReject RejectCode = 4
	// RejectCanisterError: the cube trapped or failed in a way it did not choose.
	RejectCanisterError RejectCode = 5
	// RejectSysUnknown: the outcome is unknown, for example a best-effort
	// response whose deadline passed.
	RejectSysUnknown RejectCode = 6
)

var rejectCodeNames = [...]string{
	RejectSysFatal:           "SYS_FATAL",
	RejectSysTransient:       "SYS_TRANSIENT",
	RejectDestinationInvalid: "DESTINATION_INVALID",
	RejectCanisterReject:     "CANISTER_REJECT",
	RejectCanisterError:      "CANISTER_ERROR",
	RejectSysUnknown:         "SYS_UNKNOWN",
}

// Valid reports whether c is one of the six reject codes.
func (c RejectCode) Valid() bool { return c >= RejectSysFatal && c <= RejectSysUnknown }

// String returns the code's name in the Internet Computer's spelling, such as
// "CANISTER_ERROR", or "RejectCode(n)" for a code outside 1..6.
func (c RejectCode) String() string {
	if c.Valid() {
		return rejectCodeNames[c]
	}
	return "RejectCode(" + strconv.Itoa(int(c)) + ")"
}

// Ingress is a call from a user to a cube, as submitted through the HTTP
// interface and ordered by consensus. Its [Ingress.ID] is the Internet
// Computer's request id, so a client can look up its status.
type Ingress struct {
	Sender   Principal // the caller; [Anonymous] for unsigned calls
	Receiver Principal // the cube (a [CubeID]'s principal) or the [ManagementCube]
	Method   string    // the method name
	Arg      []byte    // the Candid-encoded argument
	Nonce    []byte    // optional; distinguishes otherwise identical calls
	Expiry   Time      // the ingress_expiry: the call is dropped if not inducted by then
}

// ID returns the request id of m: the representation-independent hash of the
// content map of an HTTP "call" request with m's fields. A request whose
// content carries further fields (a client may add some) has another id;
// compute that one with [HashOfMap] over the content as received.
func (m Ingress) ID() MessageID {
	// The keys and "call" are constant, so their hashes are precomputed, and
	// the at most seven pieces live on the stack: induction hashes every
	// ingress message of every batch.
	var pieces [7][64]byte
	n := 0
	put := func(key *Hash, val Hash) {
		copy(pieces[n][:32], key[:])
		copy(pieces[n][32:], val[:])
		n++
	}
	put(&keyRequestType, callHash)
	put(&keySender, Sum256(m.Sender.b[:m.Sender.n]))
	put(&keyIngressExpiry, hashNat(uint64(m.Expiry)))
	put(&keyCanisterID, Sum256(m.Receiver.b[:m.Receiver.n]))
	put(&keyMethodName, Sum256([]byte(m.Method)))
	put(&keyArg, Sum256(m.Arg))
	if m.Nonce != nil {
		put(&keyNonce, Sum256(m.Nonce))
	}
	// Insertion sort: at most seven pieces.
	for i := 1; i < n; i++ {
		for j := i; j > 0 && bytes.Compare(pieces[j-1][:], pieces[j][:]) > 0; j-- {
			pieces[j-1], pieces[j] = pieces[j], pieces[j-1]
		}
	}
	h := sha256.New()
	for i := 0; i < n; i++ {
		h.Write(pieces[i][:])
	}
	var id MessageID
	h.Sum(id[:0])
	return id
}

// The hashes of the constant parts of an ingress call's content map.
var (
	keyRequestType   = Sum256([]byte("request_type"))
	keySender        = Sum256([]byte("sender"))
	keyIngressExpiry = Sum256([]byte("ingress_expiry"))
	keyCanisterID    = Sum256([]byte("canister_id"))
	keyMethodName    = Sum256([]byte("method_name"))
	keyArg           = Sum256([]byte("arg"))
	keyNonce         = Sum256([]byte("nonce"))
	callHash         = Sum256([]byte("call"))
)

// CallbackID names the callback of the calling cube that a [Response] resumes.
type CallbackID uint64

// Request is a call from one cube to another (or to the management cube).
// Requests between cubes of one subnet go straight into the receiver's
// input queue; requests to other subnets travel in certified XNet streams.
type Request struct {
	Sender   CubeID     // the calling cube
	Receiver Principal  // the called cube, or the [ManagementCube]
	Method   string     // the method name
	Arg      []byte     // the Candid-encoded argument
	Cycles   Cycles     // cycles attached to the call; the unaccepted part is refunded
	Callback CallbackID // the sender's callback that the response resumes
	// Deadline is zero for a call with a guaranteed response. A non-zero
	// deadline makes the call best-effort: its response may be dropped, and
	// a reject with [RejectSysUnknown] is delivered when the deadline passes.
	Deadline Time
}

// Response answers a [Request]: either reply bytes, or a reject.
type Response struct {
	Originator CubeID     // the cube that made the request and receives the response
	Respondent Principal  // the cube (or the management cube) that answered
	Callback   CallbackID // copied from the request
	Refund     Cycles     // cycles of the request that the respondent did not accept
	Deadline   Time       // copied from the request
	// Reply is the Candid-encoded reply when Reject is zero.
	Reply []byte
	// Reject is the reject code, zero for a reply.
	Reject RejectCode
	// RejectMessage explains a reject.
	RejectMessage string
}

// Rejected reports whether r is a reject rather than a reply.
func (r Response) Rejected() bool { return r.Reject != 0 }

// Err returns nil for a reply and a [*RejectError] for a reject.
func (r Response) Err() error {
	if !r.Rejected() {
		return nil
	}
	return &RejectError{Code: r.Reject, Message: r.RejectMessage}
}

// RejectError is a rejected call as a Go error.
type RejectError struct {
	Code    RejectCode
	Message string
}

// Error returns the code and the message, for example
// "CANISTER_ERROR: IC0503: Error from Canister …".
func (e *RejectError) Error() string { return fmt.Sprintf("%s: %s", e.Code, e.Message) }
