package execution

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"slices"

	"github.com/thebigfile/bigfile"
)

// Status is a cube's run status as returned by ic0.canister_status.
type Status uint8

// The run statuses.
const (
	Running  Status = 1
	Stopping Status = 2
	Stopped  Status = 3
)

// State is everything the executor needs to run a message on one cube and
// everything a message can change: the module, the Wasm heap and globals,
// stable memory, certified data, the timer and the log.
//
// A State is immutable once handed to or returned by the executor: neither
// the executor nor the caller may modify it or the slices it holds. The
// executor returns new States that may share unchanged slices with the old
// one, so keeping an old State (for a rollback or a checkpoint) costs
// nothing extra.
type State struct {
	ID          bigfile.CubeID
	Controllers []bigfile.Principal
	Status      Status // zero means Running
	Version     uint64 // ic0.canister_version
	Cycles      bigfile.Cycles
	EnvVars     []EnvVar // sorted by name

	// Wasm is the installed module as given to install (raw or gzip); nil
	// for a cube without code.
	Wasm []byte
	// Memory is the linear memory, a multiple of 64 KiB.
	Memory Memory
	// Globals holds the bits of each mutable global, in index order.
	Globals []uint64
	// Stable is stable memory, a multiple of 64 KiB.
	Stable Memory
	// CertifiedData is at most 32 bytes set with ic0.certified_data_set.
	CertifiedData []byte
	// GlobalTimer is the deadline set with ic0.global_timer_set; 0 when the
	// timer is off.
	GlobalTimer bigfile.Time

	// Log is the cube's log: debug_print output and trap messages, readable
	// by users (fetch_canister_logs).
	Log Log

	// Settings (the management cube's update_settings). FreezingThreshold
	// is in seconds (the management cube gives new cubes
	// DefaultFreezingThreshold); ComputeAllocation is in percent;
	// MemoryAllocation and WasmMemoryLimit are in bytes, zero meaning best
	// effort and no limit.
	FreezingThreshold   uint64
	ComputeAllocation   uint64
	MemoryAllocation    uint64
	WasmMemoryLimit     uint64
	ReservedCyclesLimit uint64

	// OpenCallContexts counts the calls this cube accepted and still
	// tracks (unanswered, or with calls of their own outstanding). A
	// stopping cube stops only when it reaches zero. The executor raises
	// and lowers it with CallContexts; the management cube's
	// OpenCallContext and CloseCallContext adjust it for calls it models.
	OpenCallContexts uint64
	// StorageChargedUntil is the time up to which the cube has paid for
	// its storage (see [Executor.ChargeIdle]); zero before the first
	// charge.
	StorageChargedUntil bigfile.Time

	// CallContexts are the calls this cube accepted that are unanswered or
	// have calls of their own outstanding; Callbacks are the calls it made
	// and awaits answers to. Both are sorted by ID. NextCallContext is the
	// last context id used and NextCallback the next callback id (ids
	// start at 1).
	CallContexts    []CallContext
	Callbacks       []Callback
	NextCallContext uint64
	NextCallback    bigfile.CallbackID
}

// EnvVar is one environment variable of a cube.
type EnvVar struct{ Name, Value string }

// clone returns a shallow copy: the slices are shared, which is safe
// because States are immutable.
func (s *State) clone() *State {
	c := *s
	return &c
}

// LogRecord is one entry of a cube's log.
type LogRecord struct {
	Index   uint64       // increases by one per record, over the cube's lifetime
	Time    bigfile.Time // the time of the message that wrote it
	Content []byte       // as given by the cube; may be invalid UTF-8
}

// Log is a cube's bounded log. Records are kept oldest first; once their
// contents exceed the configured size the oldest are dropped.
type Log struct {
	Records   []LogRecord
	NextIndex uint64
}

// appendRecords returns a log with recs appended (their indexes assigned)
// and trimmed to maxBytes. l is not modified.
func (l Log) appendRecords(recs []LogRecord, maxBytes int) Log {
	if len(recs) == 0 {
		return l
	}
	out := Log{Records: slices.Clone(l.Records), NextIndex: l.NextIndex}
	for _, r := range recs {
		r.Index = out.NextIndex
		out.NextIndex++
		if len(r.Content) > maxBytes {
			r.Content = r.Content[:maxBytes]
		}
		out.Records = append(out.Records, r)
	}
	total := 0
	for _, r := range out.Records {
		total += len(r.Content)
	}
	drop := 0
	for total > maxBytes && drop < len(out.Records) {
		total -= len(out.Records[drop].Content)
		drop++
	}
	out.Records = out.Records[drop:]
	return out
}

// Equal reports whether two states hold the same values, the log apart;
// used by tests and by callers that compare checkpoints.
func (s *State) Equal(t *State) bool {
	return s.ID == t.ID && slices.Equal(s.Controllers, t.Controllers) && s.Status == t.Status &&
		s.Version == t.Version && s.Cycles == t.Cycles && slices.Equal(s.EnvVars, t.EnvVars) &&
		bytes.Equal(s.Wasm, t.Wasm) && s.Memory.Equal(t.Memory) && slices.Equal(s.Globals, t.Globals) &&
		s.Stable.Equal(t.Stable) && bytes.Equal(s.CertifiedData, t.CertifiedData) &&
		s.GlobalTimer == t.GlobalTimer && s.FreezingThreshold == t.FreezingThreshold &&
		s.ComputeAllocation == t.ComputeAllocation && s.MemoryAllocation == t.MemoryAllocation &&
		s.WasmMemoryLimit == t.WasmMemoryLimit && s.ReservedCyclesLimit == t.ReservedCyclesLimit &&
		s.OpenCallContexts == t.OpenCallContexts && s.StorageChargedUntil == t.StorageChargedUntil &&
		slices.Equal(s.CallContexts, t.CallContexts) && slices.Equal(s.Callbacks, t.Callbacks) &&
		s.NextCallContext == t.NextCallContext && s.NextCallback == t.NextCallback
}

// Hash returns a deterministic SHA-256 digest of everything in the State,
// the log included: two States hash alike exactly when [State.Equal] holds
// and their logs are the same (up to SHA-256 collisions). The encoding is a fixed-order, length-prefixed sequence of
// the fields under the domain separator "bigfile/execution/state/v2";
// memories contribute their size and each non-zero page with its index,
// so the digest does not depend on how pages are shared. It reads every
// page (about 2 ms per 5 MB heap).
func (s *State) Hash() [32]byte {
	h := sha256.New()
	var buf [8]byte
	u := func(v uint64) {
		binary.BigEndian.PutUint64(buf[:], v)
		h.Write(buf[:])
	}
	b := func(p []byte) {
		u(uint64(len(p)))
		h.Write(p)
	}
	mem := func(m Memory) {
		u(uint64(m.NumPages()))
		for i := range m.NumPages() {
			if p := m.Page(i); p != nil && !isZero(p) {
				u(uint64(i))
				h.Write(p)
			}
		}
		u(^uint64(0))
	}
	h.Write([]byte("bigfile/execution/state/v2"))
	u(uint64(s.ID))
	u(uint64(len(s.Controllers)))
	for _, c := range s.Controllers {
		b(c.Bytes())
	}
	u(uint64(s.Status))
	u(s.Version)
	u(s.Cycles.Hi)
	u(s.Cycles.Lo)
	u(uint64(len(s.EnvVars)))
	for _, e := range s.EnvVars {
		b([]byte(e.Name))
		b([]byte(e.Value))
	}
	b(s.Wasm)
	mem(s.Memory)
	u(uint64(len(s.Globals)))
	for _, g := range s.Globals {
		u(g)
	}
	mem(s.Stable)
	b(s.CertifiedData)
	u(uint64(s.GlobalTimer))
	u(uint64(len(s.Log.Records)))
	for _, r := range s.Log.Records {
		u(r.Index)
		u(uint64(r.Time))
		b(r.Content)
	}
	u(s.Log.NextIndex)
	for _, v := range []uint64{s.FreezingThreshold, s.ComputeAllocation, s.MemoryAllocation, s.WasmMemoryLimit,
		s.ReservedCyclesLimit, s.OpenCallContexts, uint64(s.StorageChargedUntil)} {
		u(v)
	}
	// Calls (v2 added them after v1's fields).
	origin := func(o Origin) {
		u(uint64(o.Kind))
		b(o.Caller.Bytes())
		u(uint64(o.Callback))
		h.Write(o.Ingress[:])
		u(uint64(o.Deadline))
	}
	u(uint64(len(s.CallContexts)))
	for _, c := range s.CallContexts {
		u(c.ID)
		origin(c.Origin)
		u(c.Available.Hi)
		u(c.Available.Lo)
		if c.Responded {
			u(1)
		} else {
			u(0)
		}
	}
	u(uint64(len(s.Callbacks)))
	for _, c := range s.Callbacks {
		u(uint64(c.ID))
		u(c.Context)
		b(c.Callee.Bytes())
		for _, cl := range []Closure{c.OnReply, c.OnReject, c.OnCleanup} {
			u(cl.Fun)
			u(cl.Env)
		}
		if c.HasCleanup {
			u(1)
		} else {
			u(0)
		}
		u(c.Cycles.Hi)
		u(c.Cycles.Lo)
		u(uint64(c.Deadline))
		u(c.Reserved.Hi)
		u(c.Reserved.Lo)
	}
	u(s.NextCallContext)
	u(uint64(s.NextCallback))
	var out [32]byte
	h.Sum(out[:0])
	return out
}
