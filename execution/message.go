package execution

import "github.com/thebigfile/bigfile"

// Kind is what an [Input] asks the executor to do.
type Kind uint8

// The kinds of input.
const (
	// KindInstall installs Wasm on a cube: a fresh instance, the start
	// function, then canister_init with Arg. Stable memory starts empty.
	KindInstall Kind = iota + 1
	// KindReinstall is KindInstall on a cube that has code: everything,
	// stable memory and certified data included, starts afresh.
	KindReinstall
	// KindUpgrade runs canister_pre_upgrade on the old code, then the new
	// module's start function and canister_post_upgrade with Arg. Stable
	// memory survives; the heap survives only with PersistenceKeep.
	KindUpgrade
	// KindUpdate runs "canister_update <Method>" (or a "canister_query" in
	// replicated mode, whose changes are discarded).
	KindUpdate
	// KindReplicatedQuery runs "canister_query <Method>" in replicated mode:
	// its reply counts, its state changes are discarded.
	KindReplicatedQuery
	// KindQuery runs "canister_query <Method>" (or "canister_composite_query
	// <Method>") in non-replicated mode (a query call); its state changes
	// are discarded.
	KindQuery
	// KindHeartbeat runs canister_heartbeat.
	KindHeartbeat
	// KindGlobalTimer runs canister_global_timer.
	KindGlobalTimer
	// KindInspectMessage runs canister_inspect_message for the ingress
	// update call to Method; Output.Accepted says whether the cube took it.
	KindInspectMessage
	// KindResponse delivers the answer to a call the cube made
	// (Input.Response): the callback's reply or reject closure runs, then
	// its cleanup closure if that traps.
	KindResponse
)

var kindNames = [...]string{"invalid", "install", "reinstall", "upgrade", "update", "replicated query",
	"query", "heartbeat", "global timer", "inspect message", "response"}

// String returns the kind's name, such as "update".
func (k Kind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return "invalid"
}

// Persistence is the wasm_memory_persistence upgrade option.
type Persistence uint8

// The memory persistence options.
const (
	// PersistenceUnset: no option given. Allowed only if the old module does
	// not use enhanced orthogonal persistence; the heap is replaced.
	PersistenceUnset Persistence = iota
	// PersistenceKeep keeps the Wasm heap across the upgrade (Motoko's
	// enhanced orthogonal persistence). Both modules must declare it.
	PersistenceKeep
	// PersistenceReplace starts the new module with a fresh heap.
	PersistenceReplace
)

// Input is one message for one cube.
type Input struct {
	Kind   Kind
	Method string // the method for update, query and inspect inputs
	Arg    []byte // the argument (install_code's arg for installs)
	Caller bigfile.Principal
	Time   bigfile.Time // the block time; ic0.time returns it
	// Cycles are attached to the call (updates only); the cube may accept
	// them with ic0.msg_cycles_accept128.
	Cycles bigfile.Cycles
	// DataCertificate is returned by ic0.data_certificate_copy in a
	// non-replicated query; nil means none is available.
	DataCertificate []byte

	// Wasm is the module for KindInstall, KindReinstall and KindUpgrade.
	Wasm []byte
	// SkipPreUpgrade skips canister_pre_upgrade (KindUpgrade).
	SkipPreUpgrade bool
	// Persistence is the wasm_memory_persistence option (KindUpgrade).
	Persistence Persistence
	// Ingress marks a KindUpdate that arrived as an ingress message: the
	// cube pays the ingress fee for it (method name plus argument bytes).
	Ingress bool

	// Origin says who waits for the answer of a KindUpdate (a cube's
	// request: OriginCube with the caller's callback; the zero value is an
	// ingress message). If the update makes calls and does not answer, its
	// call context stays open in the State with this origin, and a later
	// KindResponse execution answers it (Output.Origin).
	Origin Origin
	// Response is the answer to one of the cube's calls (KindResponse);
	// its Callback names the State's callback and Refund is credited.
	Response *bigfile.Response
	// Composite marks a KindResponse to a call made by a composite query:
	// the callback runs in the composite callback contexts, under the
	// query instruction limit, free of charge, on the scratch State the
	// query returned.
	Composite bool
}

// ResponseKind says how a call was answered.
type ResponseKind uint8

// The response kinds.
const (
	// NoResponse: the execution did not answer (system tasks, or an
	// update that made no reply; see [Output.Err]).
	NoResponse ResponseKind = iota
	Replied
	Rejected
)

// Response is the answer to a call.
type Response struct {
	Kind ResponseKind
	// Data is the reply payload (Replied).
	Data []byte
	// Code and Message are the reject code and text (Rejected). Code is
	// RejectCanisterReject for ic0.msg_reject, RejectCanisterError for traps.
	Code    bigfile.RejectCode
	Message string
	// ErrorCode is set for rejects produced by the system (IC0503 …); zero
	// for a reject the cube chose.
	ErrorCode ErrorCode
}

// Output is the result of one [Executor.Execute].
type Output struct {
	// State is the cube's state after the message. It is the input State
	// itself when nothing may change (queries, inspect), and a new State
	// otherwise; after a failure the new State differs from the old one only
	// in its log. A composite query that made calls (Requests) returns a
	// scratch State to deliver their answers to (Input.Composite), never
	// to be kept as the cube's state.
	State *State
	// Response is the answer for the caller, if the input needs one.
	Response Response
	// Err is set when the execution failed: a trap, a limit, a contract
	// violation, an invalid module. Response then carries its reject.
	Err *Error
	// Accepted reports, for KindInspectMessage, whether the cube accepted
	// the message (or has no canister_inspect_message).
	Accepted bool
	// Instructions is what the execution consumed, over all its entry
	// points.
	Instructions uint64
	// Log holds the records this execution wrote (also for queries, whose
	// records are not kept in State.Log).
	Log []LogRecord // Dirty lists the heap and stable memory pages whose contents this
	// execution changed, for a state manager that persists and hashes only
	// those (see [Memory.Page] and [Memory.Apply]). Empty when the memories
	// did not change (queries, failures).
	Dirty DirtyPages
	// Charged is what the cube paid for this input under Config.Costs:
	// storage since it was last charged, the ingress fee and the execution
	// fee of the instructions used. Zero for queries and free subnets.
	Charged bigfile.Cycles

	// Requests are the calls the execution made (ic0.call_perform), in
	// order; empty if it trapped.
	Requests []bigfile.Request
	// Origin is the origin of the call context that Response answers (for
	// a KindResponse, the context the callback belonged to).
	Origin Origin
	// Refund is the part of the answered call's attached cycles the cube
	// did not accept; it goes back to the caller with Response.
	Refund bigfile.Cycles
}

// DirtyPages lists changed pages by index (PageSize units), in increasing
// order. A page past the end of the old memory is listed only if it is not
// all zeros. Heap pages are listed only if their contents differ; stable
// pages are listed if the execution wrote them (possibly with the same
// bytes). Pages past the new memory's end are dropped by the new size
// (State.Memory.NumPages()).
type DirtyPages struct {
	Heap   []int // pages of State.Memory
	Stable []int // pages of State.Stable
}
