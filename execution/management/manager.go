package management

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/thebigfile/bigfile"
	"github.com/thebigfile/bigfile/execution"
	"github.com/thebigfile/bigfile/execution/candid"
)

// Errors returned by [New] and the Manager's methods for misuse; refusals
// of a call are reject responses in [Result] instead.
var (
	ErrInvalidConfig = errors.New("management: invalid config")
	ErrNoExecutor    = errors.New("management: no executor")
	ErrNoRandomness  = errors.New("management: no randomness source")
)

// DefaultProvisionalCycles is the balance provisional_create_canister_with_cycles
// gives when no amount is named: 100 T, as the IC replica's test setups do.
const DefaultProvisionalCycles = 100_000_000_000_000

// DefaultReservedCyclesLimit is a new cube's reserved_cycles_limit: 5 T.
const DefaultReservedCyclesLimit = 5_000_000_000_000

// maxControllers bounds a cube's controller list.
const maxControllers = 10

// Config configures a [Manager].
type Config struct {
	// FirstCubeID is the first id the manager issues; ids are issued in
	// increasing order and never reused. Default 1.
	FirstCubeID bigfile.CubeID
	// LastCubeID bounds the issued ids (the subnet's range). Default: no
	// bound.
	LastCubeID bigfile.CubeID
	// Provisional enables provisional_create_canister_with_cycles and
	// provisional_top_up_canister, which mint cycles: for development
	// instances only.
	Provisional bool
}

// Validate reports an error wrapping [ErrInvalidConfig] for an empty id
// range.
func (c Config) Validate() error {
	if c.LastCubeID != 0 && c.LastCubeID < max(c.FirstCubeID, 1) {
		return fmt.Errorf("%w: LastCubeID %d before FirstCubeID %d", ErrInvalidConfig, c.LastCubeID, c.FirstCubeID)
	}
	return nil
}

// Manager is the management cube aaaaa-aa of one subnet: it owns the
// subnet's cube states and serves the management methods on them, running
// code through an [execution.Executor]. It is deterministic given its
// inputs and the injected randomness (raw_rand). It is not safe for
// concurrent use.
type Manager struct {
	cfg     Config
	x       *execution.Executor
	rand    io.Reader
	cubes   map[bigfile.CubeID]*execution.State
	deleted map[bigfile.CubeID]bool
	next    bigfile.CubeID
	pending map[bigfile.CubeID][]uint64 // stop_canister calls waiting, by ticket
	ticket  uint64
}

// New returns a Manager running code on x, drawing raw_rand's bytes from
// rand.
func New(cfg Config, x *execution.Executor, rand io.Reader) (*Manager, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if x == nil {
		return nil, ErrNoExecutor
	}
	if rand == nil {
		return nil, ErrNoRandomness
	}
	return &Manager{cfg: cfg, x: x, rand: rand, cubes: map[bigfile.CubeID]*execution.State{},
		deleted: map[bigfile.CubeID]bool{}, next: max(cfg.FirstCubeID, 1),
		pending: map[bigfile.CubeID][]uint64{}}, nil
}

// Call is one call to the management cube.
type Call struct {
	Caller bigfile.Principal
	Method string
	Arg    []byte // Candid-encoded argument
	// Cycles attached by a calling cube (create_canister, deposit_cycles).
	Cycles bigfile.Cycles
	Time   bigfile.Time
	// Ingress marks a call sent by a user; create_canister,
	// deposit_cycles and raw_rand refuse those.
	Ingress bool
}

// Result is the management cube's answer to a [Call].
type Result struct {
	// Response is the reply (Candid) or reject. NoResponse when Pending.
	Response execution.Response
	// Pending is set when the answer comes later: a stop_canister call on
	// a cube with open call contexts. Ticket identifies it in the
	// [Completion] that answers it.
	Pending bool
	Ticket  uint64
	// Refund is the part of the attached cycles returned to the caller.
	Refund bigfile.Cycles
	// Completed answers earlier pending calls this call settled (a
	// start_canister cancels pending stops).
	Completed []Completion
}

// Completion is the late answer to a pending call.
type Completion struct {
	Ticket   uint64
	Response execution.Response
}

// reject builds a reject response with an IC error code.
func reject(code execution.ErrorCode, format string, args ...any) execution.Response {
	return execution.Response{Kind: execution.Rejected, Code: code.RejectCode(),
		Message: fmt.Sprintf(format, args...), ErrorCode: code}
}

func rejected(c Call, code execution.ErrorCode, format string, args ...any) Result {
	return Result{Response: reject(code, format, args...), Refund: c.Cycles}
}

// replied encodes a reply; the Go values here always encode.
func replied(vals ...any) execution.Response {
	b, err := candid.Marshal(vals...)
	if err != nil {
		return reject(execution.CodeCanisterContractViolation, "management: encoding the reply: %v", err)
	}
	return execution.Response{Kind: execution.Replied, Data: b}
}

var emptyReply = []byte("DIDL\x00\x00")

// Cube returns the state of cube id.
func (m *Manager) Cube(id bigfile.CubeID) (*execution.State, bool) {
	st, ok := m.cubes[id]
	return st, ok
}

// Cubes returns the ids of the existing cubes in increasing order.
func (m *Manager) Cubes() []bigfile.CubeID {
	ids := make([]bigfile.CubeID, 0, len(m.cubes))
	for id := range m.cubes {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	return ids
}

// SetCube replaces the state of an existing cube or adds one (a state
// manager restoring a checkpoint). The executor's cached instance of the
// cube is dropped.
func (m *Manager) SetCube(st *execution.State) {
	m.x.Forget(st.ID)
	m.cubes[st.ID] = st
	if st.ID >= m.next {
		m.next = st.ID + 1
	}
}

// Adopt is SetCube for a state the Manager's executor produced and still
// holds an instance for (a scheduler handing over the latest state before
// a management call): the instance is kept.
func (m *Manager) Adopt(st *execution.State) {
	m.cubes[st.ID] = st
	if st.ID >= m.next {
		m.next = st.ID + 1
	}
}

// Settle stops cube id if it is stopping and has no open call contexts
// any more (the executor closed them), and answers its pending
// stop_canister calls in the returned completions.
func (m *Manager) Settle(id bigfile.CubeID) []Completion { return m.settleStopping(id) }

// Call serves one management call. It returns a Go error only for a
// cancelled ctx or an engine failure.
func (m *Manager) Call(ctx context.Context, c Call) (Result, error) {
	switch c.Method {
	case "create_canister", "deposit_cycles", "raw_rand":
		if c.Ingress {
			return rejected(c, execution.CodeCanisterContractViolation,
				"ic00 method %s can not be called via ingress messages", c.Method), nil
		}
	}
	switch c.Method {
	case "create_canister":
		return m.createCanister(c), nil
	case "provisional_create_canister_with_cycles":
		return m.provisionalCreate(c), nil
	case "provisional_top_up_canister":
		return m.provisionalTopUp(c), nil
	case "install_code":
		return m.installCode(ctx, c)
	case "uninstall_code":
		return m.uninstallCode(c), nil
	case "update_settings":
		return m.updateSettings(c), nil
	case "start_canister":
		return m.startCanister(c), nil
	case "stop_canister":
		return m.stopCanister(c), nil
	case "canister_status":
		return m.canisterStatus(c), nil
	case "delete_canister":
		return m.deleteCanister(c), nil
	case "deposit_cycles":
		return m.depositCycles(c), nil
	case "raw_rand":
		return m.rawRand(c), nil
	}
	return rejected(c, execution.CodeUnknownManagementMessage, "Management canister has no method '%s'", c.Method), nil
}

// decode unmarshals the argument, or returns the IC0408 reject.
func decode(c Call, v any) (Result, bool) {
	if err := candid.Unmarshal(c.Arg, v); err != nil {
		return rejected(c, execution.CodeInvalidManagementPayload,
			"Error decoding candid for method %s: %v", c.Method, err), false
	}
	return Result{}, true
}

// target finds the cube named by a principal argument, checking that the
// caller controls it (or is the cube itself, if self is allowed).
func (m *Manager) target(c Call, p bigfile.Principal, self bool) (*execution.State, Result, bool) {
	id, err := bigfile.CubeIDFromPrincipal(p)
	if err != nil {
		return nil, rejected(c, execution.CodeInvalidManagementPayload, "%s is not a canister id", p), false
	}
	st, ok := m.cubes[id]
	if !ok {
		return nil, rejected(c, execution.CodeCanisterNotFound, "Canister %s not found", id), false
	}
	if self && c.Caller == id.Principal() {
		return st, Result{}, true
	}
	if !slices.Contains(st.Controllers, c.Caller) {
		names := make([]string, len(st.Controllers))
		for i, p := range st.Controllers {
			names[i] = p.String()
		}
		return nil, rejected(c, execution.CodeCanisterInvalidController,
			"Only the controllers of the canister %s can control it.\nCanister's controllers: %s\nSender's ID: %s",
			id, strings.Join(names, " "), c.Caller), false
	}
	return st, Result{}, true
}

// issue returns a fresh cube id, or false when the range is exhausted.
func (m *Manager) issue() (bigfile.CubeID, bool) {
	for m.cubes[m.next] != nil || m.deleted[m.next] {
		m.next++
	}
	if m.cfg.LastCubeID != 0 && m.next > m.cfg.LastCubeID {
		return 0, false
	}
	id := m.next
	m.next++
	return id, true
}

// newCube creates a cube with default settings, then applies s.
func (m *Manager) newCube(c Call, id bigfile.CubeID, cycles bigfile.Cycles, s *CanisterSettings) (*execution.State, *execution.Response) {
	st := &execution.State{ID: id, Controllers: []bigfile.Principal{c.Caller}, Status: execution.Running,
		Cycles: cycles, FreezingThreshold: execution.DefaultFreezingThreshold,
		ReservedCyclesLimit: DefaultReservedCyclesLimit, StorageChargedUntil: c.Time}
	if s != nil {
		if r := applySettings(st, s); r != nil {
			return nil, r
		}
	}
	return st, nil
}

func (m *Manager) createCanister(c Call) Result {
	var a CreateCanisterArgs
	if r, ok := decode(c, &a); !ok {
		return r
	}
	if c.Caller.Class() != bigfile.ClassOpaque {
		return rejected(c, execution.CodeCanisterContractViolation, "create_canister can only be called by other canisters")
	}
	fee := m.x.Config().Costs.CreateCost()
	if c.Cycles.Cmp(fee) < 0 {
		return rejected(c, execution.CodeInsufficientCyclesForCreateCanister,
			"Creating a canister requires a fee of %s that is deducted from the canister's initial balance but only %s cycles were received with the create_canister request.",
			fee, c.Cycles)
	}
	return m.create(c, c.Cycles.Sub(fee), a.Settings, nil, bigfile.Cycles{})
}

// create makes the cube and answers with its id.
func (m *Manager) create(c Call, cycles bigfile.Cycles, s *CanisterSettings, specified *bigfile.Principal, refund bigfile.Cycles) Result {
	var id bigfile.CubeID
	if specified != nil {
		var err error
		if id, err = bigfile.CubeIDFromPrincipal(*specified); err != nil {
			return rejected(c, execution.CodeInvalidManagementPayload, "%s is not a canister id", *specified)
		}
		if m.cubes[id] != nil || m.deleted[id] {
			return rejected(c, execution.CodeCanisterIDAlreadyExists, "Canister %s is already installed.", id)
		}
	} else {
		var ok bool
		if id, ok = m.issue(); !ok {
			return rejected(c, execution.ErrorCode(102), "Maximum number of canisters reached.")
		}
	}
	st, r := m.newCube(c, id, cycles, s)
	if r != nil {
		return Result{Response: *r, Refund: c.Cycles}
	}
	m.cubes[id] = st
	return Result{Response: replied(CanisterIDRecord{CanisterID: id.Principal()}), Refund: refund}
}

func (m *Manager) provisionalCreate(c Call) Result {
	if !m.cfg.Provisional {
		return rejected(c, execution.CodeCanisterContractViolation, "provisional_create_canister_with_cycles is disabled on this subnet")
	}
	var a ProvisionalCreateArgs
	if r, ok := decode(c, &a); !ok {
		return r
	}
	amount := bigfile.CyclesFromUint64(DefaultProvisionalCycles)
	if a.Amount != nil {
		var err error
		if amount, err = bigfile.CyclesFromBig(a.Amount.Big()); err != nil {
			return rejected(c, execution.CodeInvalidManagementPayload, "amount %s out of range", a.Amount)
		}
	}
	return m.create(c, amount, a.Settings, a.SpecifiedID, c.Cycles)
}

func (m *Manager) provisionalTopUp(c Call) Result {
	if !m.cfg.Provisional {
		return rejected(c, execution.CodeCanisterContractViolation, "provisional_top_up_canister is disabled on this subnet")
	}
	var a ProvisionalTopUpArgs
	if r, ok := decode(c, &a); !ok {
		return r
	}
	id, err := bigfile.CubeIDFromPrincipal(a.CanisterID)
	if err != nil || m.cubes[id] == nil {
		return rejected(c, execution.CodeCanisterNotFound, "Canister %s not found", a.CanisterID)
	}
	amount, err := bigfile.CyclesFromBig(a.Amount.Big())
	if err != nil {
		return rejected(c, execution.CodeInvalidManagementPayload, "amount %s out of range", a.Amount)
	}
	m.update(id, func(st *execution.State) { st.Cycles = st.Cycles.Add(amount) })
	return repliedEmpty(c)
}

// update replaces cube id's state by a modified copy. When f changes only
// accounting, settings or status, the executor's cached instance carries
// over to the copy.
func (m *Manager) update(id bigfile.CubeID, f func(st *execution.State)) *execution.State {
	old := m.cubes[id]
	ns := *old
	f(&ns)
	m.cubes[id] = &ns
	m.x.Carry(old, &ns)
	return &ns
}

func (m *Manager) installCode(ctx context.Context, c Call) (Result, error) {
	var a InstallCodeArgs
	if r, ok := decode(c, &a); !ok {
		return r, nil
	}
	st, r, ok := m.target(c, a.CanisterID, false)
	if !ok {
		return r, nil
	}
	in := execution.Input{Caller: c.Caller, Time: c.Time, Wasm: a.WasmModule, Arg: a.Arg}
	switch {
	case a.Mode.Install != nil:
		if st.Wasm != nil {
			return rejected(c, execution.CodeCanisterNonEmpty,
				"Canister %s cannot be installed because the canister is not empty. Try installing with mode='reinstall' instead.",
				st.ID), nil
		}
		in.Kind = execution.KindInstall
	case a.Mode.Reinstall != nil:
		in.Kind = execution.KindReinstall
	case a.Mode.Upgrade != nil:
		in.Kind = execution.KindUpgrade
		if o := *a.Mode.Upgrade; o != nil {
			in.SkipPreUpgrade = o.SkipPreUpgrade != nil && *o.SkipPreUpgrade
			if p := o.WasmMemoryPersistence; p != nil {
				in.Persistence = execution.PersistenceReplace
				if p.Keep != nil {
					in.Persistence = execution.PersistenceKeep
				}
			}
		}
	default:
		return rejected(c, execution.CodeInvalidManagementPayload, "install_code: no mode"), nil
	}
	if in.Wasm == nil {
		in.Wasm = []byte{}
	}
	out, err := m.x.Execute(ctx, st, in)
	if err != nil {
		return Result{}, err
	}
	m.cubes[st.ID] = out.State
	if out.Err != nil {
		return Result{Response: out.Response, Refund: c.Cycles}, nil
	}
	return repliedEmpty(c), nil
}

func (m *Manager) uninstallCode(c Call) Result {
	var a UninstallCodeArgs
	if r, ok := decode(c, &a); !ok {
		return r
	}
	st, r, ok := m.target(c, a.CanisterID, false)
	if !ok {
		return r
	}
	m.x.Forget(st.ID)
	m.update(st.ID, func(s *execution.State) {
		s.Wasm, s.Memory, s.Globals, s.Stable = nil, execution.Memory{}, nil, execution.Memory{}
		s.CertifiedData, s.GlobalTimer = nil, 0
		s.OpenCallContexts = 0 // their calls are rejected
		s.Version++
	})
	m.settleStopping(st.ID)
	return repliedEmpty(c)
}

// applySettings applies the present fields of s to st, or returns the
// reject for an invalid one (st may then be partly modified: callers pass
// a copy).
func applySettings(st *execution.State, s *CanisterSettings) *execution.Response {
	nat := func(name string, n *candid.Nat, limit uint64, dst *uint64) *execution.Response {
		if n == nil {
			return nil
		}
		v, ok := n.Uint64()
		if !ok || v > limit {
			r := reject(execution.CodeInvalidManagementPayload, "Invalid settings: %s %s out of range", name, n)
			return &r
		}
		*dst = v
		return nil
	}
	if s.Controllers != nil {
		if len(*s.Controllers) > maxControllers {
			r := reject(execution.CodeInvalidManagementPayload,
				"Invalid settings: %d controllers, at most %d are allowed", len(*s.Controllers), maxControllers)
			return &r
		}
		st.Controllers = slices.Clone(*s.Controllers)
	}
	for _, f := range []struct {
		name  string
		n     *candid.Nat
		limit uint64
		dst   *uint64
	}{
		{"compute_allocation", s.ComputeAllocation, 100, &st.ComputeAllocation},
		{"memory_allocation", s.MemoryAllocation, 1 << 48, &st.MemoryAllocation},
		{"freezing_threshold", s.FreezingThreshold, 1<<64 - 1, &st.FreezingThreshold},
		{"reserved_cycles_limit", s.ReservedCyclesLimit, 1<<64 - 1, &st.ReservedCyclesLimit},
		{"wasm_memory_limit", s.WasmMemoryLimit, 1 << 48, &st.WasmMemoryLimit},
	} {
		if r := nat(f.name, f.n, f.limit, f.dst); r != nil {
			return r
		}
	}
	if s.EnvironmentVariables != nil {
		vars := make([]execution.EnvVar, len(*s.EnvironmentVariables))
		for i, v := range *s.EnvironmentVariables {
			vars[i] = execution.EnvVar{Name: v.Name, Value: v.Value}
		}
		slices.SortFunc(vars, func(a, b execution.EnvVar) int { return strings.Compare(a.Name, b.Name) })
		st.EnvVars = vars
	}
	return nil
}

func (m *Manager) updateSettings(c Call) Result {
	var a UpdateSettingsArgs
	if r, ok := decode(c, &a); !ok {
		return r
	}
	st, r, ok := m.target(c, a.CanisterID, false)
	if !ok {
		return r
	}
	ns := *st
	if r := applySettings(&ns, &a.Settings); r != nil {
		return Result{Response: *r, Refund: c.Cycles}
	}
	m.cubes[st.ID] = &ns
	m.x.Carry(st, &ns) // settings do not touch memory
	return repliedEmpty(c)
}

func (m *Manager) startCanister(c Call) Result {
	var a CanisterIDRecord
	if r, ok := decode(c, &a); !ok {
		return r
	}
	st, r, ok := m.target(c, a.CanisterID, false)
	if !ok {
		return r
	}
	m.update(st.ID, func(s *execution.State) { s.Status = execution.Running })
	res := repliedEmpty(c)
	for _, t := range m.pending[st.ID] {
		res.Completed = append(res.Completed, Completion{Ticket: t, Response: reject(execution.ErrorCode(511),
			"Canister %s has been restarted while stopping.", st.ID)})
	}
	delete(m.pending, st.ID)
	return res
}

func (m *Manager) stopCanister(c Call) Result {
	var a CanisterIDRecord
	if r, ok := decode(c, &a); !ok {
		return r
	}
	st, r, ok := m.target(c, a.CanisterID, false)
	if !ok {
		return r
	}
	done := repliedEmpty(c)
	if st.Status == execution.Stopped {
		return done
	}
	if st.OpenCallContexts == 0 {
		m.update(st.ID, func(s *execution.State) { s.Status = execution.Stopped })
		return done
	}
	// Stopping: the reply waits until the open call contexts close.
	m.update(st.ID, func(s *execution.State) { s.Status = execution.Stopping })
	m.ticket++
	m.pending[st.ID] = append(m.pending[st.ID], m.ticket)
	return Result{Pending: true, Ticket: m.ticket, Refund: c.Cycles}
}

// OpenCallContext records that cube id accepted a call it has not answered
// yet, for calls the executor does not track itself (it maintains the
// counter for calls between cubes); tests model outstanding calls with it.
func (m *Manager) OpenCallContext(id bigfile.CubeID) bool {
	if m.cubes[id] == nil {
		return false
	}
	m.update(id, func(s *execution.State) { s.OpenCallContexts++ })
	return true
}

// CloseCallContext records that cube id answered one open call. When a
// stopping cube's last call closes it becomes stopped, and the pending
// stop_canister calls are answered in the returned completions.
func (m *Manager) CloseCallContext(id bigfile.CubeID) []Completion {
	st := m.cubes[id]
	if st == nil || st.OpenCallContexts == 0 {
		return nil
	}
	m.update(id, func(s *execution.State) { s.OpenCallContexts-- })
	return m.settleStopping(id)
}

// settleStopping stops a stopping cube without open calls and answers its
// pending stop calls.
func (m *Manager) settleStopping(id bigfile.CubeID) []Completion {
	st := m.cubes[id]
	if st == nil || st.Status != execution.Stopping || st.OpenCallContexts > 0 {
		return nil
	}
	m.update(id, func(s *execution.State) { s.Status = execution.Stopped })
	var out []Completion
	for _, t := range m.pending[id] {
		out = append(out, Completion{Ticket: t, Response: execution.Response{Kind: execution.Replied, Data: emptyReply}})
	}
	delete(m.pending, id)
	return out
}

func (m *Manager) canisterStatus(c Call) Result {
	var a CanisterIDRecord
	if r, ok := decode(c, &a); !ok {
		return r
	}
	st, r, ok := m.target(c, a.CanisterID, true)
	if !ok {
		return r
	}
	n := func(v uint64) candid.Nat { return candid.NewNat(v) }
	cyc := func(x bigfile.Cycles) candid.Nat { v, _ := candid.NatFromBig(x.Big()); return v }
	res := CanisterStatusResult{
		Version: st.Version,
		Settings: DefiniteSettings{Controllers: st.Controllers, ComputeAllocation: n(st.ComputeAllocation),
			MemoryAllocation: n(st.MemoryAllocation), FreezingThreshold: n(st.FreezingThreshold),
			ReservedCyclesLimit: n(st.ReservedCyclesLimit), LogVisibility: LogVisibility{Controllers: &candid.Null{}},
			WasmMemoryLimit: n(st.WasmMemoryLimit), EnvironmentVariables: []EnvironmentVar{}},
		MemorySize: n(st.MemoryUsage()),
		MemoryMetrics: MemoryMetrics{WasmMemorySize: n(uint64(st.Memory.Len())),
			StableMemorySize: n(uint64(st.Stable.Len())), GlobalMemorySize: n(8 * uint64(len(st.Globals))),
			WasmBinarySize: n(uint64(len(st.Wasm)))},
		Cycles:                 cyc(st.Cycles),
		IdleCyclesBurnedPerDay: cyc(m.x.Config().Costs.IdleCyclesPerDay(max(st.MemoryUsage(), st.MemoryAllocation), st.ComputeAllocation)),
	}
	for _, v := range st.EnvVars {
		res.Settings.EnvironmentVariables = append(res.Settings.EnvironmentVariables, EnvironmentVar{v.Name, v.Value})
	}
	switch st.Status {
	case execution.Stopping:
		res.Status.Stopping = &candid.Null{}
	case execution.Stopped:
		res.Status.Stopped = &candid.Null{}
	default:
		res.Status.Running = &candid.Null{}
	}
	if st.Wasm != nil {
		h := sha256.Sum256(st.Wasm)
		b := h[:]
		res.ModuleHash = &b
	}
	return Result{Response: replied(res), Refund: c.Cycles}
}

func (m *Manager) deleteCanister(c Call) Result {
	var a CanisterIDRecord
	if r, ok := decode(c, &a); !ok {
		return r
	}
	st, r, ok := m.target(c, a.CanisterID, false)
	if !ok {
		return r
	}
	if st.Status != execution.Stopped {
		return rejected(c, execution.CodeCanisterNotStopped, "Canister %s must be stopped before it is deleted.", st.ID)
	}
	m.x.Forget(st.ID)
	delete(m.cubes, st.ID)
	m.deleted[st.ID] = true
	return repliedEmpty(c)
}

func (m *Manager) depositCycles(c Call) Result {
	var a CanisterIDRecord
	if r, ok := decode(c, &a); !ok {
		return r
	}
	id, err := bigfile.CubeIDFromPrincipal(a.CanisterID)
	if err != nil || m.cubes[id] == nil {
		return rejected(c, execution.CodeCanisterNotFound, "Canister %s not found", a.CanisterID)
	}
	m.update(id, func(s *execution.State) { s.Cycles = s.Cycles.Add(c.Cycles) })
	return Result{Response: execution.Response{Kind: execution.Replied, Data: emptyReply}}
}

func (m *Manager) rawRand(c Call) Result {
	var b [32]byte
	if _, err := io.ReadFull(m.rand, b[:]); err != nil {
		return rejected(c, execution.CodeCanisterContractViolation, "raw_rand: randomness unavailable: %v", err)
	}
	return Result{Response: replied(b[:]), Refund: c.Cycles}
}

// Execute runs a message on cube id (an update, query or system task) and
// keeps the resulting state. Calls to a missing, stopping or stopped cube
// are rejected as on the IC (IC0301, IC0509, IC0508); a frozen cube
// rejects with IC0207 (the executor's cost rules).
//
// Code installation goes through install_code (with its controller
// check), never through Execute: an install kind returns an error wrapping
// [execution.ErrInvalidInput].
func (m *Manager) Execute(ctx context.Context, id bigfile.CubeID, in execution.Input) (execution.Output, error) {
	switch in.Kind {
	case execution.KindInstall, execution.KindReinstall, execution.KindUpgrade:
		return execution.Output{}, fmt.Errorf("%w: %s through Execute; use install_code", execution.ErrInvalidInput, in.Kind)
	}
	st := m.cubes[id]
	if st == nil {
		return execution.Output{Response: reject(execution.CodeCanisterNotFound, "Canister %s not found", id)}, nil
	}
	switch st.Status {
	case execution.Stopping:
		return execution.Output{State: st, Response: reject(execution.CodeCanisterStopping, "Canister %s is stopping", id)}, nil
	case execution.Stopped:
		return execution.Output{State: st, Response: reject(execution.CodeCanisterStopped, "Canister %s is stopped", id)}, nil
	}
	out, err := m.x.Execute(ctx, st, in)
	if err != nil {
		return out, err
	}
	m.cubes[id] = out.State
	return out, nil
}

// repliedEmpty is the reply of a method that returns (), refunding the
// cycles the call carried.
func repliedEmpty(c Call) Result {
	return Result{Response: execution.Response{Kind: execution.Replied, Data: emptyReply}, Refund: c.Cycles}
}
