// Package wasmbin reads the parts of a WebAssembly binary that the execution
// layer needs to validate a cube module against the IC's limits, and rewrites
// the module so the host owns its start function and globals.
//
// It is not a full validator: wasmtime validates the code itself when it
// compiles the rewritten module. wasmbin checks the structure around the code
// (sections, imports, exports, memory, globals, custom sections) and the
// IC-specific limits, and reports the first violation as a descriptive error.
//
// # Usage
//
//	m, err := wasmbin.Parse(raw, wasmbin.Limits{MaxFunctions: 50000})
//	if err != nil { ... } // the module is invalid; err says why
//	prepared := m.Instrument() // start removed, canister_start and globals exported
package wasmbin

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"
)

// Value types as encoded in the binary format.
const (
	I32       byte = 0x7f
	I64       byte = 0x7e
	F32       byte = 0x7d
	F64       byte = 0x7c
	V128      byte = 0x7b
	FuncRef   byte = 0x70
	ExternRef byte = 0x6f
)

// Reserved export names added by Instrument. A module may not export them
// itself.
const (
	StartExport  = "canister_start"
	MemoryExport = "__bf_memory"
	GlobalPrefix = "__bf_global_"
	// CallbackExport is the trampoline Instrument adds to a module that
	// imports ic0.call_new and has a table: it calls table entry
	// CallbackFun with argument CallbackEnv, both read from the last two
	// (added, exported) mutable i64 globals, so the host can run a call's
	// reply, reject and cleanup closures through the plain () -> () entry
	// points an engine runs.
	CallbackExport = "__bf_callback"
	eopSection     = "icp:private enhanced-orthogonal-persistence"
	icpPublic      = "icp:public "
	icpPrivate     = "icp:private "
	wasmMagic      = "\x00asm\x01\x00\x00\x00"
	sectionCustom  = 0
	sectionType    = 1
	sectionImport  = 2
	sectionFunc    = 3
	sectionTable   = 4
	sectionMemory  = 5
	sectionGlobal  = 6
	sectionExport  = 7
	sectionStart   = 8
	sectionElem    = 9
	sectionCode    = 10
	sectionData    = 11
	sectionDCount  = 12
	sectionTag     = 13
)

// ErrInvalid is wrapped by every error Parse returns.
var ErrInvalid = errors.New("wasmbin: invalid module")

// Limits are the IC's module limits (system-api.md §2.1, §3.2). Zero fields
// mean "no limit".
type Limits struct {
	MaxFunctions       int // defined plus imported functions
	MaxGlobals         int
	MaxExportedMethods int // update, query and composite query methods
	MaxMethodNameBytes int // total bytes of exported method names
	MaxCodeSectionSize int // bytes
	MaxCustomSections  int // icp: sections
	MaxCustomBytes     int // total bytes of icp: sections (names and contents)
}

// FuncType is a function signature.
type FuncType struct {
	Params, Results []byte
}

// Equal reports whether t and u have the same parameters and results.
func (t FuncType) Equal(u FuncType) bool {
	return bytes.Equal(t.Params, u.Params) && bytes.Equal(t.Results, u.Results)
}

// Import is a function import.
type Import struct {
	Module, Name string
	Type         FuncType
}

// Global is a global defined by the module.
type Global struct {
	Type    byte
	Mutable bool
}

// Export is an export entry.
type Export struct {
	Name  string
	Kind  byte // 0 func, 1 table, 2 memory, 3 global, 4 tag
	Index uint32
}

type section struct {
	id   byte
	body []byte // the payload, aliasing the input
}

// Module is a parsed module. Its slices alias the input given to Parse.
type Module struct {
	sections []section

	Types    []FuncType
	Imports  []Import
	Funcs    []uint32 // type index of each defined function
	Globals  []Global
	Exports  []Export
	Start    int // start function index, -1 if none
	HasMem   bool
	Memory64 bool
	// HasTable and Table64 describe table 0 (Table64: 64-bit indexes).
	HasTable bool
	Table64  bool
	// MemoryMin is the memory's declared minimum in 64 KiB pages.
	MemoryMin uint64
	// Custom holds the icp: custom sections by full name.
	Custom map[string][]byte
}

// EnhancedOrthogonalPersistence reports whether the module carries the
// private custom section that marks Motoko's enhanced orthogonal persistence.
func (m *Module) EnhancedOrthogonalPersistence() bool {
	_, ok := m.Custom[eopSection]
	return ok
}

// FuncType returns the type of function idx (imports first).
func (m *Module) FuncType(idx uint32) (FuncType, bool) {
	if int(idx) < len(m.Imports) {
		return m.Imports[idx].Type, true
	}
	i := int(idx) - len(m.Imports)
	if i >= len(m.Funcs) || int(m.Funcs[i]) >= len(m.Types) {
		return FuncType{}, false
	}
	return m.Types[m.Funcs[i]], true
}

type reader struct {
	b   []byte
	off int
}

var errEOF = errors.New("unexpected end")

func (r *reader) byte() (byte, error) {
	if r.off >= len(r.b) {
		return 0, errEOF
	}
	c := r.b[r.off]
	r.off++
	return c, nil
}

// uleb reads an unsigned LEB128 integer of at most maxBits bits, rejecting
// over-long encodings whose extra bits are set.
func (r *reader) uleb(maxBits uint) (uint64, error) {
	var v uint64
	var shift uint
	for {
		c, err := r.byte()
		if err != nil {
			return 0, err
		}
		if shift >= maxBits || (shift+7 > maxBits && c&0x7f>>(maxBits-shift) != 0) {
			return 0, errors.New("integer too large")
		}
		v |= uint64(c&0x7f) << shift
		shift += 7
		if c&0x80 == 0 {
			return v, nil
		}
	}
}

func (r *reader) u32() (uint32, error) {
	v, err := r.uleb(32)
	return uint32(v), err
}

// sleb skips a signed LEB128 of at most maxBits bits.
func (r *reader) sleb(maxBits uint) error {
	for n := uint(0); ; n += 7 {
		if n >= maxBits+7 {
			return errors.New("integer too large")
		}
		c, err := r.byte()
		if err != nil {
			return err
		}
		if c&0x80 == 0 {
			return nil
		}
	}
}

func (r *reader) bytes(n uint64) ([]byte, error) {
	if n > uint64(len(r.b)-r.off) {
		return nil, errEOF
	}
	b := r.b[r.off : r.off+int(n)]
	r.off += int(n)
	return b, nil
}

func (r *reader) name() (string, error) {
	n, err := r.u32()
	if err != nil {
		return "", err
	}
	b, err := r.bytes(uint64(n))
	if err != nil {
		return "", err
	}
	if !utf8.Valid(b) {
		return "", errors.New("name is not valid UTF-8")
	}
	return string(b), nil
}

func (r *reader) valtype() (byte, error) {
	c, err := r.byte()
	if err != nil {
		return 0, err
	}
	switch c {
	case I32, I64, F32, F64, V128, FuncRef, ExternRef:
		return c, nil
	}
	return 0, fmt.Errorf("unsupported value type 0x%02x", c)
}

// limits reads memory or table limits. Flags: 0x01 has a maximum, 0x02
// shared (threads, rejected: not deterministic), 0x04 64-bit.
func (r *reader) limits() (min uint64, is64 bool, err error) {
	flags, err := r.byte()
	if err != nil {
		return 0, false, err
	}
	if flags&^0x05 != 0 {
		if flags&0x02 != 0 {
			return 0, false, errors.New("shared memories are not allowed")
		}
		return 0, false, fmt.Errorf("unsupported limits flags 0x%02x", flags)
	}
	is64 = flags&0x04 != 0
	bits := uint(32)
	if is64 {
		bits = 64
	}
	if min, err = r.uleb(bits); err != nil {
		return 0, false, err
	}
	if flags&0x01 != 0 {
		if _, err = r.uleb(bits); err != nil {
			return 0, false, err
		}
	}
	return min, is64, nil
}

// constExpr skips a constant expression up to and including its end opcode.
func (r *reader) constExpr() error {
	for {
		op, err := r.byte()
		if err != nil {
			return err
		}
		switch op {
		case 0x0b: // end
			return nil
		case 0x41: // i32.const
			err = r.sleb(32)
		case 0x42: // i64.const
			err = r.sleb(64)
		case 0x43:
			_, err = r.bytes(4)
		case 0x44:
			_, err = r.bytes(8)
		case 0x23, 0xd2: // global.get, ref.func
			_, err = r.u32()
		case 0xd0: // ref.null
			_, err = r.byte()
		case 0x6a, 0x6b, 0x6c, 0x7c, 0x7d, 0x7e: // extended-const arithmetic
		case 0xfd: // v128.const
			var sub uint32
			if sub, err = r.u32(); err == nil {
				if sub != 12 {
					return fmt.Errorf("unsupported constant opcode 0xfd %d", sub)
				}
				_, err = r.bytes(16)
			}
		default:
			return fmt.Errorf("unsupported constant opcode 0x%02x", op)
		}
		if err != nil {
			return err
		}
	}
}

func invalid(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrInvalid, fmt.Sprintf(format, args...))
}

// Parse reads the module structure and checks it against lim and the IC's
// structural rules. The returned Module aliases wasm.
//
// Parse walks the sections once. It checks section order and sizes, reads
// types, imports, functions, the memory, globals, exports, the start
// function and the icp: custom sections, and skips code and data (the
// compiler validates them). The limits are checked as soon as a count is
// known, so a module with a huge function count is rejected before anything
// is allocated for it.
func Parse(wasm []byte, lim Limits) (*Module, error) {
	if len(wasm) < 8 || string(wasm[:8]) != wasmMagic {
		return nil, invalid("not a WebAssembly binary (bad magic or version)")
	}
	m := &Module{Start: -1, Custom: map[string][]byte{}}
	r := &reader{b: wasm, off: 8}
	var last byte
	order := map[byte]int{1: 1, 2: 2, 3: 3, 4: 4, 5: 5, 13: 6, 6: 7, 7: 8, 8: 9, 9: 10, 12: 11, 10: 12, 11: 13}
	codeCount := -1
	customCount, customBytes := 0, 0
	for r.off < len(r.b) {
		id, err := r.byte()
		if err != nil {
			return nil, invalid("truncated section header")
		}
		size, err := r.u32()
		if err != nil {
			return nil, invalid("section %d: bad size", id)
		}
		body, err := r.bytes(uint64(size))
		if err != nil {
			return nil, invalid("section %d: size %d past the end of the module", id, size)
		}
		m.sections = append(m.sections, section{id: id, body: body})
		if id != sectionCustom {
			o, ok := order[id]
			if !ok {
				return nil, invalid("unknown section id %d", id)
			}
			if o <= order[last] && last != 0 {
				return nil, invalid("section %d out of order or duplicated", id)
			}
			last = id
		}
		sr := &reader{b: body}
		if err := m.parseSection(id, sr, &codeCount, lim); err != nil {
			var inv error = err
			if !errors.Is(err, ErrInvalid) {
				inv = invalid("section %d: %v", id, err)
			}
			return nil, inv
		}
		if id == sectionCustom {
			name, _ := (&reader{b: body}).name()
			if strings.HasPrefix(name, "icp:") {
				customCount++
				customBytes += len(body)
			}
		} else if sr.off != len(body) {
			return nil, invalid("section %d: %d trailing bytes", id, len(body)-sr.off)
		}
	}
	if codeCount < 0 && len(m.Funcs) > 0 || codeCount >= 0 && codeCount != len(m.Funcs) {
		return nil, invalid("function and code section counts differ")
	}
	if n := len(m.Imports) + len(m.Funcs); lim.MaxFunctions > 0 && n > lim.MaxFunctions {
		return nil, invalid("too many functions: %d, the limit is %d", n, lim.MaxFunctions)
	}
	if lim.MaxGlobals > 0 && len(m.Globals) > lim.MaxGlobals {
		return nil, invalid("too many globals: %d, the limit is %d", len(m.Globals), lim.MaxGlobals)
	}
	if lim.MaxCustomSections > 0 && customCount > lim.MaxCustomSections {
		return nil, invalid("too many icp: custom sections: %d, the limit is %d", customCount, lim.MaxCustomSections)
	}
	if lim.MaxCustomBytes > 0 && customBytes > lim.MaxCustomBytes {
		return nil, invalid("icp: custom sections take %d bytes, the limit is %d", customBytes, lim.MaxCustomBytes)
	}
	if m.Start >= 0 {
		t, ok := m.FuncType(uint32(m.Start))
		if !ok {
			return nil, invalid("start function %d does not exist", m.Start)
		}
		if len(t.Params) != 0 || len(t.Results) != 0 {
			return nil, invalid("start function must have type () -> ()")
		}
	}
	if err := m.checkExports(lim); err != nil {
		return nil, err
	}
	return m, nil
}

// parseSection reads one non-custom or custom section body. Errors that
// do not wrap ErrInvalid are wrapped by Parse with the section id.
func (m *Module) parseSection(id byte, r *reader, codeCount *int, lim Limits) error {
	switch id {
	case sectionCustom:
		// icp: sections carry cube metadata (candid:service, Motoko's
		// persistence marker); other custom sections are ignored.
		name, err := r.name()
		if err != nil {
			return err
		}
		if strings.HasPrefix(name, "icp:") {
			if !strings.HasPrefix(name, icpPublic) && !strings.HasPrefix(name, icpPrivate) {
				return invalid("custom section %q: only icp:public and icp:private are allowed", name)
			}
			short := name[strings.IndexByte(name, ' ')+1:]
			if _, dup := m.Custom[icpPublic+short]; dup {
				return invalid("custom section %q declared twice or both public and private", short)
			}
			if _, dup := m.Custom[icpPrivate+short]; dup {
				return invalid("custom section %q declared twice or both public and private", short)
			}
			m.Custom[name] = r.b[r.off:]
		}
		r.off = len(r.b)
	case sectionType:
		// Only plain function types (0x60); GC-proposal rec/sub types are
		// disabled in the engine anyway.
		n, err := r.u32()
		if err != nil {
			return err
		}
		for i := uint32(0); i < n; i++ {
			form, err := r.byte()
			if err != nil {
				return err
			}
			if form != 0x60 {
				return fmt.Errorf("type %d: unsupported type form 0x%02x", i, form)
			}
			var t FuncType
			for _, dst := range []*[]byte{&t.Params, &t.Results} {
				c, err := r.u32()
				if err != nil {
					return err
				}
				for j := uint32(0); j < c; j++ {
					v, err := r.valtype()
					if err != nil {
						return err
					}
					*dst = append(*dst, v)
				}
			}
			m.Types = append(m.Types, t)
		}
	case sectionImport:
		// Cubes may import only functions; the executor then checks that
		// each is an ic0 function of the right type.
		n, err := r.u32()
		if err != nil {
			return err
		}
		for i := uint32(0); i < n; i++ {
			mod, err := r.name()
			if err != nil {
				return err
			}
			name, err := r.name()
			if err != nil {
				return err
			}
			kind, err := r.byte()
			if err != nil {
				return err
			}
			if kind != 0 {
				return invalid("import %s.%s: only function imports from ic0 are allowed", mod, name)
			}
			ti, err := r.u32()
			if err != nil {
				return err
			}
			if int(ti) >= len(m.Types) {
				return fmt.Errorf("import %s.%s: type index %d out of range", mod, name, ti)
			}
			m.Imports = append(m.Imports, Import{Module: mod, Name: name, Type: m.Types[ti]})
		}
	case sectionFunc:
		n, err := r.u32()
		if err != nil {
			return err
		}
		if lim.MaxFunctions > 0 && int(n) > lim.MaxFunctions {
			return invalid("too many functions: %d, the limit is %d", n, lim.MaxFunctions)
		}
		m.Funcs = make([]uint32, 0, n)
		for i := uint32(0); i < n; i++ {
			ti, err := r.u32()
			if err != nil {
				return err
			}
			if int(ti) >= len(m.Types) {
				return fmt.Errorf("function %d: type index %d out of range", i, ti)
			}
			m.Funcs = append(m.Funcs, ti)
		}
	case sectionTable:
		n, err := r.u32()
		if err != nil {
			return err
		}
		for i := uint32(0); i < n; i++ {
			if _, err := r.valtype(); err != nil {
				return err
			}
			_, is64, err := r.limits()
			if err != nil {
				return err
			}
			if i == 0 {
				m.HasTable, m.Table64 = true, is64
			}
		}
	case sectionMemory:
		// One memory at most; its index type decides the System API's
		// pointer width.
		n, err := r.u32()
		if err != nil {
			return err
		}
		if n > 1 {
			return invalid("at most one memory is allowed, the module declares %d", n)
		}
		if n == 1 {
			min, is64, err := r.limits()
			if err != nil {
				return err
			}
			m.HasMem, m.Memory64, m.MemoryMin = true, is64, min
		}
	case sectionGlobal:
		// Mutable globals are saved and restored as 64-bit values, so only
		// numeric ones are accepted.
		n, err := r.u32()
		if err != nil {
			return err
		}
		if lim.MaxGlobals > 0 && int(n) > lim.MaxGlobals {
			return invalid("too many globals: %d, the limit is %d", n, lim.MaxGlobals)
		}
		for i := uint32(0); i < n; i++ {
			t, err := r.valtype()
			if err != nil {
				return err
			}
			mut, err := r.byte()
			if err != nil {
				return err
			}
			if mut > 1 {
				return fmt.Errorf("global %d: bad mutability", i)
			}
			if mut == 1 && t != I32 && t != I64 && t != F32 && t != F64 {
				return invalid("global %d: mutable globals of type 0x%02x cannot be persisted", i, t)
			}
			if err := r.constExpr(); err != nil {
				return fmt.Errorf("global %d: %v", i, err)
			}
			m.Globals = append(m.Globals, Global{Type: t, Mutable: mut == 1})
		}
	case sectionExport:
		n, err := r.u32()
		if err != nil {
			return err
		}
		for i := uint32(0); i < n; i++ {
			name, err := r.name()
			if err != nil {
				return err
			}
			kind, err := r.byte()
			if err != nil {
				return err
			}
			idx, err := r.u32()
			if err != nil {
				return err
			}
			m.Exports = append(m.Exports, Export{Name: name, Kind: kind, Index: idx})
		}
	case sectionStart:
		idx, err := r.u32()
		if err != nil {
			return err
		}
		m.Start = int(idx)
	case sectionCode:
		// The bodies are left to the compiler; only the size and count
		// matter here.
		if lim.MaxCodeSectionSize > 0 && len(r.b) > lim.MaxCodeSectionSize {
			return invalid("code section is %d bytes, the limit is %d", len(r.b), lim.MaxCodeSectionSize)
		}
		n, err := r.u32()
		if err != nil {
			return err
		}
		*codeCount = int(n)
		r.off = len(r.b) // the bodies are validated by the compiler
	default:
		r.off = len(r.b)
	}
	return nil
}

var entryKinds = []string{"canister_update ", "canister_query ", "canister_composite_query "}

var plainEntries = map[string]bool{
	"canister_init": true, "canister_pre_upgrade": true, "canister_post_upgrade": true,
	"canister_inspect_message": true, "canister_heartbeat": true, "canister_global_timer": true,
	"canister_on_low_wasm_memory": true,
}

// checkExports applies the IC's rules to exported names (system-api.md
// §2.1): no reserved names, canister_* exports must be known entry points
// of type () -> (), a method name under one kind only, and bounds on the
// number and total length of method names.
func (m *Module) checkExports(lim Limits) error {
	seen := map[string]bool{}
	methods := map[string]string{}
	nameBytes := 0
	for _, e := range m.Exports {
		if seen[e.Name] {
			return invalid("duplicate export %q", e.Name)
		}
		seen[e.Name] = true
		if e.Name == StartExport || e.Name == MemoryExport || strings.HasPrefix(e.Name, GlobalPrefix) ||
			e.Name == CallbackExport ||
			e.Name == "canister counter_instructions" {
			return invalid("export %q uses a reserved name", e.Name)
		}
		if !strings.HasPrefix(e.Name, "canister_") && !strings.HasPrefix(e.Name, "canister ") {
			continue
		}
		method, kind := "", ""
		for _, k := range entryKinds {
			if strings.HasPrefix(e.Name, k) {
				kind, method = strings.TrimSpace(k), e.Name[len(k):]
			}
		}
		if kind == "" && !plainEntries[e.Name] {
			return invalid("export %q starts with canister_ but is not a known entry point", e.Name)
		}
		if e.Kind != 0 {
			return invalid("export %q must be a function", e.Name)
		}
		t, ok := m.FuncType(e.Index)
		if !ok {
			return invalid("export %q refers to missing function %d", e.Name, e.Index)
		}
		if len(t.Params) != 0 || len(t.Results) != 0 {
			return invalid("export %q must have type () -> ()", e.Name)
		}
		if kind != "" {
			if prev, dup := methods[method]; dup {
				return invalid("method %q is exported as both %s and %s", method, prev, kind)
			}
			methods[method] = kind
			nameBytes += len(method)
		}
	}
	if lim.MaxExportedMethods > 0 && len(methods) > lim.MaxExportedMethods {
		return invalid("too many exported methods: %d, the limit is %d", len(methods), lim.MaxExportedMethods)
	}
	if lim.MaxMethodNameBytes > 0 && nameBytes > lim.MaxMethodNameBytes {
		return invalid("exported method names take %d bytes, the limit is %d", nameBytes, lim.MaxMethodNameBytes)
	}
	return nil
}

// HasExport reports whether the module exports name.
func (m *Module) HasExport(name string) bool {
	for _, e := range m.Exports {
		if e.Name == name {
			return true
		}
	}
	return false
}

func appendULEB(b []byte, v uint64) []byte {
	for {
		c := byte(v & 0x7f)
		v >>= 7
		if v != 0 {
			b = append(b, c|0x80)
		} else {
			return append(b, c)
		}
	}
}

func appendName(b []byte, s string) []byte {
	return append(appendULEB(b, uint64(len(s))), s...)
}

// Callbacks reports whether Instrument adds the callback trampoline
// (CallbackExport): the module imports ic0.call_new and has a table.
func (m *Module) Callbacks() bool {
	if !m.HasTable || len(m.Funcs) == 0 {
		return false
	}
	for _, im := range m.Imports {
		if im.Module == "ic0" && im.Name == "call_new" {
			return true
		}
	}
	return false
}

// vecAppend returns a vector section body with n more entries appended.
func vecAppend(body []byte, n uint64, entries []byte) []byte {
	r := &reader{b: body}
	c, _ := r.uleb(32) // the body was parsed already
	out := appendULEB(nil, c+n)
	out = append(out, body[r.off:]...)
	return append(out, entries...)
}

// Instrument returns a new binary in which the start section is removed and
// exported as canister_start, every mutable global is exported as
// __bf_global_<index>, and the memory is exported as __bf_memory, so the host
// decides when the start function runs and can save and restore all state.
// If Callbacks holds it also adds two mutable i64 globals (the callback's
// function index and environment, exported like the others, last) and the
// CallbackExport trampoline.
func (m *Module) Instrument() []byte {
	var exp []byte
	n := uint64(len(m.Exports))
	for _, e := range m.Exports {
		exp = appendName(exp, e.Name)
		exp = append(exp, e.Kind)
		exp = appendULEB(exp, uint64(e.Index))
	}
	if m.Start >= 0 {
		exp = appendName(exp, StartExport)
		exp = append(exp, 0)
		exp = appendULEB(exp, uint64(m.Start))
		n++
	}
	if m.HasMem {
		exp = appendName(exp, MemoryExport)
		exp = append(exp, 2, 0)
		n++
	}
	for i, g := range m.Globals {
		if g.Mutable {
			exp = appendName(exp, fmt.Sprintf("%s%d", GlobalPrefix, i))
			exp = append(exp, 3)
			exp = appendULEB(exp, uint64(i))
			n++
		}
	}
	cb := m.Callbacks()
	// The trampoline's pieces: two types, two i64 globals, one
	// function. Appending keeps every existing index valid.
	var cbType, cbGlobals, cbFunc, cbCode []byte
	if cb {
		funG, envG := uint64(len(m.Globals)), uint64(len(m.Globals)+1)
		for _, g := range []uint64{funG, envG} {
			exp = appendName(exp, fmt.Sprintf("%s%d", GlobalPrefix, g))
			exp = append(exp, 3)
			exp = appendULEB(exp, g)
			n++
		}
		fnIdx := uint64(len(m.Imports) + len(m.Funcs))
		exp = appendName(exp, CallbackExport)
		exp = append(exp, 0)
		exp = appendULEB(exp, fnIdx)
		n++
		param := I32
		if m.Memory64 {
			param = I64
		}
		// Two types: the trampoline's () -> () and the closures' (I) -> ().
		cbType = []byte{0x60, 0, 0, 0x60, 1, param, 0}
		cbGlobals = []byte{I64, 1, 0x42, 0, 0x0b, I64, 1, 0x42, 0, 0x0b}
		cbFunc = appendULEB(nil, uint64(len(m.Types)))
		code := []byte{0} // no locals
		code = append(code, 0x23)
		code = appendULEB(code, envG)
		if !m.Memory64 {
			code = append(code, 0xa7) // i32.wrap_i64
		}
		code = append(code, 0x23)
		code = appendULEB(code, funG)
		if !m.Table64 {
			code = append(code, 0xa7)
		}
		code = append(code, 0x11)
		code = appendULEB(code, uint64(len(m.Types)+1))
		code = append(code, 0, 0x0b)
		cbCode = append(appendULEB(nil, uint64(len(code))), code...)
	}
	body := appendULEB(nil, n)
	body = append(body, exp...)

	out := append([]byte(nil), wasmMagic...)
	emit := func(id byte, b []byte) {
		out = append(out, id)
		out = appendULEB(out, uint64(len(b)))
		out = append(out, b...)
	}
	// Copy every section except start; the rewritten export section takes
	// the place of the old one, or is inserted where the binary format's
	// order puts it (before start, element, data count, code and data).
	// With the trampoline, the type, function, global and code sections
	// get their entries appended (a missing global section is inserted
	// before the exports; the others exist in any module with a table
	// and an import).
	written, globals := false, false
	for _, s := range m.sections {
		if cb && !globals && (s.id == sectionExport || s.id == sectionStart || s.id == sectionElem ||
			s.id == sectionDCount || s.id == sectionCode || s.id == sectionData) {
			emit(sectionGlobal, vecAppend([]byte{0}, 2, cbGlobals))
			globals = true
		}
		switch {
		case s.id == sectionStart:
			continue
		case s.id == sectionExport:
			emit(sectionExport, body)
			written = true
			continue
		case !written && (s.id == sectionStart || s.id == sectionElem || s.id == sectionDCount ||
			s.id == sectionCode || s.id == sectionData):
			emit(sectionExport, body)
			written = true
		}
		switch {
		case cb && s.id == sectionType:
			emit(s.id, vecAppend(s.body, 2, cbType))
		case cb && s.id == sectionFunc:
			emit(s.id, vecAppend(s.body, 1, cbFunc))
		case cb && s.id == sectionGlobal:
			emit(s.id, vecAppend(s.body, 2, cbGlobals))
			globals = true
		case cb && s.id == sectionCode:
			emit(s.id, vecAppend(s.body, 1, cbCode))
		default:
			emit(s.id, s.body)
		}
	}
	if !written {
		emit(sectionExport, body)
	}
	return out
}
