package execution

// callContext is the System API calling context of one Wasm invocation
// (system-api.md §1.1). Which ic0 functions may be called depends on it.
type callContext uint8

// The calling contexts, with the spec's codes.
const (
	ctxStart      callContext = iota // s: the (start) function
	ctxInit                          // I: canister_init, canister_post_upgrade
	ctxPreUpgrade                    // G
	ctxUpdate                        // U
	ctxRQ                            // replicated query
	ctxNRQ                           // non-replicated query
	ctxTQ                            // transform query (HTTP outcalls)
	ctxCQ                            // composite query
	ctxRy                            // reply callback
	ctxRt                            // reject callback
	ctxCRy                           // composite reply callback
	ctxCRt                           // composite reject callback
	ctxC                             // cleanup callback
	ctxCC                            // composite cleanup callback
	ctxF                             // canister_inspect_message
	ctxT                             // system task: heartbeat, global timer
	numContexts
)

// ctxSet is a set of calling contexts.
type ctxSet uint32

func set(cs ...callContext) ctxSet {
	var s ctxSet
	for _, c := range cs {
		s |= 1 << c
	}
	return s
}

func (s ctxSet) has(c callContext) bool { return s&(1<<c) != 0 }

// anyCtx is the spec's "*": every context except the start function;
// anyCtxS adds it.
var (
	anyCtx  = ctxSet(1<<numContexts-1) &^ set(ctxStart)
	anyCtxS = ctxSet(1<<numContexts - 1)
)

// modeNames name the contexts in trap messages the way the IC replica does:
// `"ic0_msg_reply" cannot be executed in init mode`.
var modeNames = [numContexts]string{
	ctxStart: "start", ctxInit: "init", ctxPreUpgrade: "pre upgrade", ctxUpdate: "update",
	ctxRQ: "replicated query", ctxNRQ: "non replicated query", ctxTQ: "transform query",
	ctxCQ: "composite query", ctxRy: "reply callback", ctxRt: "reject callback",
	ctxCRy: "composite reply callback", ctxCRt: "composite reject callback", ctxC: "cleanup",
	ctxCC: "composite cleanup", ctxF: "inspect message", ctxT: "system task",
}

func (c callContext) String() string { return modeNames[c] }
