package routing

import (
	"errors"
	"fmt"

	"github.com/thebigfile/bigfile"
)

// Errors returned by this package. Returned errors wrap one of these (often
// inside a [*SliceError] or a [*CallError]); test with [errors.Is].
var (
	// ErrInvalidConfig reports a [Config] that [Config.Validate] refuses.
	ErrInvalidConfig = errors.New("routing: invalid config")
	// ErrInvalidRange reports a cube range whose start exceeds its end.
	ErrInvalidRange = errors.New("routing: invalid cube range")
	// ErrOverlap reports routing table assignments that overlap.
	ErrOverlap = errors.New("routing: overlapping cube ranges")
	// ErrPastHeight reports a routing table change scheduled at or below a
	// height the table already serves (changes cannot rewrite the past).
	ErrPastHeight = errors.New("routing: change scheduled in the past")
	// ErrHeight reports a batch whose height is not the next one expected.
	ErrHeight = errors.New("routing: unexpected batch height")
	// ErrTime reports a batch whose time is earlier than the previous batch's.
	ErrTime = errors.New("routing: batch time went backwards")

	// ErrMalformedSlice reports stream slice bytes that do not decode
	// (truncated, non-canonical, unknown version, trailing bytes, …).
	ErrMalformedSlice = errors.New("routing: malformed stream slice")
	// ErrUnverifiedSlice reports a slice whose certification does not verify
	// against the sending subnet's public key (forged or corrupted).
	ErrUnverifiedSlice = errors.New("routing: slice certification invalid")
	// ErrWrongSubnet reports a slice addressed to another subnet, or sent by
	// a subnet other than the one the batch names.
	ErrWrongSubnet = errors.New("routing: slice for the wrong subnet")
	// ErrSliceOrder reports a slice that does not start at the next expected
	// message index: a replay (it starts below) or a gap (it starts above).
	ErrSliceOrder = errors.New("routing: slice out of order")
	// ErrInvalidSignals reports a slice header whose signals contradict the
	// receiver's own stream (acknowledging messages never sent, going
	// backwards, unsorted reject signals).
	ErrInvalidSignals = errors.New("routing: invalid stream signals")
	// ErrStaleSlice reports a slice cut from an older certified height than
	// one already inducted from that subnet.
	ErrStaleSlice = errors.New("routing: stale slice")

	// ErrUnknownSubnet reports a subnet that the routing table does not know.
	ErrUnknownSubnet = errors.New("routing: unknown subnet")
	// ErrNoReservation reports a response for which no request was inducted
	// (its slot was never reserved), so it cannot be queued.
	ErrNoReservation = errors.New("routing: no reserved slot for response")
)

// SliceError is a rejected stream slice: which subnet sent it and why. It
// unwraps to one of the slice sentinels ([ErrMalformedSlice],
// [ErrUnverifiedSlice], [ErrSliceOrder], …).
type SliceError struct {
	From bigfile.SubnetID // the sending subnet as named by the batch
	Err  error
}

func (e *SliceError) Error() string { return fmt.Sprintf("routing: slice from %s: %v", e.From, e.Err) }

func (e *SliceError) Unwrap() error { return e.Err }

// CallError is a call that routing refuses to carry. It unwraps to
// *[bigfile.RejectError], so the caller can hand the code and message to the
// calling cube as a synchronous call_perform failure or a reject response.
type CallError struct {
	Code      bigfile.RejectCode // the reject code the caller should see
	ErrorCode string             // the Internet Computer style error code, such as "IC0201", or ""
	Message   string             // the human readable reason
}

func (e *CallError) Error() string {
	if e.ErrorCode != "" {
		return fmt.Sprintf("routing: %s (%s): %s", e.Code, e.ErrorCode, e.Message)
	}
	return fmt.Sprintf("routing: %s: %s", e.Code, e.Message)
}

// Unwrap returns the reject as a [*bigfile.RejectError].
func (e *CallError) Unwrap() error { return &bigfile.RejectError{Code: e.Code, Message: e.Message} }
