package execution

import (
	"errors"
	"fmt"

	"github.com/thebigfile/bigfile"
)

// ErrorCode is an Internet Computer execution error code (system-api.md
// §2.5). Its first digit is the reject code. String gives the "IC0503" form.
type ErrorCode uint16

// The error codes the executor produces, with the IC's names.
const (
	// CodeCanisterRejectedMessage (IC0406): canister_inspect_message did
	// not accept the ingress message.
	CodeCanisterRejectedMessage ErrorCode = 406
	// CodeCanisterTrapped (IC0502): Wasm trapped (unreachable, out of
	// bounds, division by zero, stack overflow, …).
	CodeCanisterTrapped ErrorCode = 502
	// CodeCanisterCalledTrap (IC0503): the cube called ic0.trap (Motoko's
	// assert and Runtime.trap, Rust panics).
	CodeCanisterCalledTrap ErrorCode = 503
	// CodeCanisterContractViolation (IC0504): System API misuse: a call
	// from the wrong context, an out-of-bounds copy, replying twice, a
	// function not implemented yet, a missing upgrade option.
	CodeCanisterContractViolation ErrorCode = 504
	// CodeCanisterInvalidWasm (IC0505): the module failed validation or
	// compilation.
	CodeCanisterInvalidWasm ErrorCode = 505
	// CodeCanisterDidNotReply (IC0506): an update returned without
	// answering (its state changes are kept).
	CodeCanisterDidNotReply ErrorCode = 506
	// CodeCanisterOutOfMemory (IC0507): reserved for memory exhaustion the
	// cube cannot observe; memory.grow past the limit returns -1 instead.
	CodeCanisterOutOfMemory ErrorCode = 507
	// CodeCanisterInstructionLimitExceed (IC0522): the message used its
	// whole instruction budget.
	CodeCanisterInstructionLimitExceed ErrorCode = 522
	// CodeCompositeQueryCalledInReplicatedMode (IC0527): a composite query
	// method was called as an update.
	CodeCompositeQueryCalledInReplicatedMode ErrorCode = 527
	// CodeCanisterMethodNotFound (IC0536): no such update or query method.
	CodeCanisterMethodNotFound ErrorCode = 536
	// CodeCanisterWasmModuleNotFound (IC0537): the cube has no code.
	CodeCanisterWasmModuleNotFound ErrorCode = 537

	// Codes of the cycles model and the management cube.

	// CodeCanisterQueueFull (IC0201): the cube's input queue has no room
	// for another call (the scheduler's queue limit).
	CodeCanisterQueueFull ErrorCode = 201
	// CodeCanisterIDAlreadyExists (IC0205): provisional_create with a
	// specified id that is taken.
	CodeCanisterIDAlreadyExists ErrorCode = 205
	// CodeCanisterOutOfCycles (IC0207): the cube is frozen, or cannot pay
	// for the message.
	CodeCanisterOutOfCycles ErrorCode = 207
	// CodeCanisterNotFound (IC0301): no such cube.
	CodeCanisterNotFound ErrorCode = 301
	// CodeInsufficientCyclesForCreateCanister (IC0403).
	CodeInsufficientCyclesForCreateCanister ErrorCode = 403
	// CodeUnknownManagementMessage (IC0407).
	CodeUnknownManagementMessage ErrorCode = 407
	// CodeInvalidManagementPayload (IC0408): the Candid argument does not
	// decode, or a setting is out of range.
	CodeInvalidManagementPayload ErrorCode = 408
	// CodeCanisterStopped (IC0508) and CodeCanisterStopping (IC0509): calls
	// to a cube that is not running.
	CodeCanisterStopped  ErrorCode = 508
	CodeCanisterStopping ErrorCode = 509
	// CodeCanisterNotStopped (IC0510): delete_canister on a running cube.
	CodeCanisterNotStopped ErrorCode = 510
	// CodeCanisterInvalidController (IC0512): the caller is not a
	// controller.
	CodeCanisterInvalidController ErrorCode = 512
	// CodeCanisterNonEmpty (IC0514): install on a cube that has code.
	CodeCanisterNonEmpty ErrorCode = 514
)

// String returns the code as "IC" followed by four digits.
func (c ErrorCode) String() string { return fmt.Sprintf("IC%04d", uint16(c)) }

// RejectCode returns the reject code a caller sees: the first digit.
func (c ErrorCode) RejectCode() bigfile.RejectCode { return bigfile.RejectCode(c / 100) }

// Error is an execution failure reported to the caller: a trap, a limit, a
// contract violation, an invalid module. It is a value in [Output.Err], not
// a Go failure of the executor.
type Error struct {
	Code    ErrorCode
	Cube    bigfile.CubeID
	Message string // the description, without the "Error from Canister" prefix
}

// RejectMessage returns the text a caller sees, in the IC's form
// "Error from Canister <id>: <description>".
func (e *Error) RejectMessage() string {
	return fmt.Sprintf("Error from Canister %s: %s", e.Cube, e.Message)
}

// Error returns "IC0503: Error from Canister <id>: <description>".
func (e *Error) Error() string { return e.Code.String() + ": " + e.RejectMessage() }

// hostTrap is what a System API function returns to make the message trap;
// the executor turns it into an [Error] for the cube.
type hostTrap struct {
	code ErrorCode
	msg  string
}

func (t *hostTrap) Error() string { return t.msg }

func violation(format string, args ...any) error {
	return &hostTrap{code: CodeCanisterContractViolation, msg: fmt.Sprintf(format, args...)}
}

// TrapKind classifies a trap raised by the Wasm engine.
type TrapKind uint8

// Trap kinds an [Engine] reports.
const (
	TrapOther TrapKind = iota
	TrapUnreachable
	TrapOutOfBounds // memory or table out of bounds
	TrapStackOverflow
	TrapOutOfInstructions // fuel exhausted
	TrapDivisionByZero
	TrapIntegerOverflow
	TrapIndirectCall // null or mistyped call_indirect
	TrapBadConversion
	TrapMisaligned
)

// Trap is the error an [Instance] returns when Wasm code traps.
type Trap struct {
	Kind    TrapKind
	Message string // the engine's description, for diagnostics
}

func (t *Trap) Error() string { return "execution: wasm trap: " + t.describe() }

func (t *Trap) describe() string {
	switch t.Kind {
	case TrapUnreachable:
		return "unreachable"
	case TrapOutOfBounds:
		return "heap out of bounds"
	case TrapStackOverflow:
		return "stack overflow"
	case TrapOutOfInstructions:
		return "instruction limit exceeded"
	case TrapDivisionByZero:
		return "integer division by 0"
	case TrapIntegerOverflow:
		return "integer overflow"
	case TrapIndirectCall:
		return "indirect call failed"
	case TrapBadConversion:
		return "invalid conversion to integer"
	case TrapMisaligned:
		return "misaligned memory access"
	}
	return t.Message
}

// Errors returned by [New] and [Executor.Execute] for misuse; execution
// failures of a cube are values in [Output.Err] instead.
var (
	// ErrNoEngine: [New] was given a nil Engine.
	ErrNoEngine = errors.New("execution: no engine")
	// ErrInvalidInput: the Input is malformed (unknown kind, missing Wasm for
	// an install).
	ErrInvalidInput = errors.New("execution: invalid input")
	// ErrEngine: the Wasm engine failed in a way that is not the cube's
	// fault; wraps the engine's error.
	ErrEngine = errors.New("execution: engine failure")
)
