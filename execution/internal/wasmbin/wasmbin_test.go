package wasmbin

import (
	"bytes"
	"errors"
	"strings"
	"testing"
)

// module assembles a binary from (id, body) pairs.
func module(sections ...[]byte) []byte {
	out := []byte(wasmMagic)
	for _, s := range sections {
		out = append(out, s[0])
		out = appendULEB(out, uint64(len(s)-1))
		out = append(out, s[1:]...)
	}
	return out
}

func sec(id byte, body ...byte) []byte { return append([]byte{id}, body...) }

// A module with type ()->(), two functions, a 64-bit memory, a mutable and
// an immutable global, an export, a start function and code.
var sample = module(
	sec(sectionType, 1, 0x60, 0, 0),
	sec(sectionFunc, 2, 0, 0),
	sec(sectionMemory, 1, 0x04, 2),
	sec(sectionGlobal, 2, I64, 1, 0x42, 7, 0x0b, I32, 0, 0x41, 1, 0x0b),
	sec(sectionExport, 1, 15, 'c', 'a', 'n', 'i', 's', 't', 'e', 'r', '_', 'q', 'u', 'e', 'r', 'y', ' ', 0, 1),
	sec(sectionStart, 0),
	sec(sectionCode, 2, 2, 0, 0x0b, 2, 0, 0x0b),
	append([]byte{sectionCustom}, append([]byte{byte(len(eopSection))}, append([]byte(eopSection), "64-bit"...)...)...),
)

func TestParseSample(t *testing.T) {
	m, err := Parse(sample, Limits{})
	if err != nil {
		t.Fatal(err)
	}
	if !m.Memory64 || m.MemoryMin != 2 || m.Start != 0 || len(m.Globals) != 2 || !m.Globals[0].Mutable ||
		!m.EnhancedOrthogonalPersistence() || !m.HasExport("canister_query ") {
		t.Fatalf("parsed %+v", m)
	}
}

func TestInstrument(t *testing.T) {
	m, err := Parse(sample, Limits{})
	if err != nil {
		t.Fatal(err)
	}
	out := m.Instrument()
	n, err := Parse(out, Limits{})
	if err == nil {
		t.Fatal("the instrumented module uses reserved names and must not parse as a cube module")
	}
	// Parse with the reserved-name check out of the way: look at the parts.
	r := &reader{b: out, off: 8}
	var ids []byte
	for r.off < len(r.b) {
		id, _ := r.byte()
		size, _ := r.u32()
		body, _ := r.bytes(uint64(size))
		ids = append(ids, id)
		if id == sectionExport {
			for _, want := range []string{StartExport, MemoryExport, GlobalPrefix + "0", "canister_query "} {
				if !bytes.Contains(body, []byte(want)) {
					t.Errorf("export %q missing", want)
				}
			}
			if bytes.Contains(body, []byte(GlobalPrefix+"1")) {
				t.Error("immutable global exported")
			}
		}
	}
	if bytes.IndexByte(ids, sectionStart) >= 0 {
		t.Fatal("start section kept")
	}
	_ = n
}

func TestInstrumentAddsExportSection(t *testing.T) {
	m, err := Parse(module(sec(sectionType, 1, 0x60, 0, 0), sec(sectionFunc, 1, 0), sec(sectionStart, 0),
		sec(sectionCode, 1, 2, 0, 0x0b)), Limits{})
	if err != nil {
		t.Fatal(err)
	}
	out := m.Instrument()
	if !bytes.Contains(out, []byte(StartExport)) {
		t.Fatal("no canister_start export")
	}
	// Sections stay in order: the new export section precedes the code.
	if i, j := bytes.Index(out, []byte(StartExport)), bytes.Index(out, []byte{sectionCode, 4, 1, 2, 0, 0x0b}); i > j {
		t.Fatal("export section after the code section")
	}
}

func TestParseRejects(t *testing.T) {
	cases := []struct {
		name string
		wasm []byte
		lim  Limits
		want string
	}{
		{"magic", []byte("\x00asm\x02\x00\x00\x00"), Limits{}, "bad magic"},
		{"order", module(sec(sectionFunc, 0), sec(sectionType, 0)), Limits{}, "out of order"},
		{"unknown section", module(sec(42)), Limits{}, "unknown section"},
		{"two memories", module(sec(sectionMemory, 2, 0, 1, 0, 1)), Limits{}, "at most one memory"},
		{"globals", module(sec(sectionGlobal, 2, I32, 0, 0x41, 0, 0x0b, I32, 0, 0x41, 0, 0x0b)), Limits{MaxGlobals: 1}, "too many globals"},
		{"functions", module(sec(sectionType, 1, 0x60, 0, 0), sec(sectionFunc, 2, 0, 0)), Limits{MaxFunctions: 1}, "too many functions"},
		{"code count", module(sec(sectionType, 1, 0x60, 0, 0), sec(sectionFunc, 1, 0)), Limits{}, "counts differ"},
		{"code size", module(sec(sectionCode, 0, 0, 0, 0)), Limits{MaxCodeSectionSize: 2}, "code section is 4 bytes"},
		{"mutable v128", module(sec(sectionGlobal, 1, V128, 1, 0xfd, 12, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x0b)), Limits{}, "cannot be persisted"},
		{"icp prefix", module(append([]byte{0}, append([]byte{7}, "icp:foo"...)...)), Limits{}, "only icp:public and icp:private"},
		{"trailing", module(sec(sectionType, 0, 0)), Limits{}, "trailing bytes"},
		{"start type", module(sec(sectionType, 1, 0x60, 1, I32, 0), sec(sectionFunc, 1, 0), sec(sectionStart, 0), sec(sectionCode, 1, 2, 0, 0x0b)), Limits{}, "start function must have type"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := Parse(c.wasm, c.lim)
			if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("err %v, want %q", err, c.want)
			}
		})
	}
}

// FuzzParse checks that Parse never panics, and that what it accepts can be
// instrumented into a module that parses again (up to the reserved names it
// adds).
func FuzzParse(f *testing.F) {
	f.Add(sample)
	f.Add([]byte(wasmMagic))
	f.Add(module(sec(sectionType, 1, 0x60, 0, 0), sec(sectionFunc, 1, 0), sec(sectionCode, 1, 2, 0, 0x0b)))
	f.Add(module(sec(sectionGlobal, 1, I32, 1, 0x41, 0x80, 0x80, 0x80, 0x80, 0x08, 0x0b)))
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := Parse(b, Limits{MaxFunctions: 1000, MaxGlobals: 100})
		if err != nil {
			if !errors.Is(err, ErrInvalid) {
				t.Fatalf("error %v does not wrap ErrInvalid", err)
			}
			return
		}
		out := m.Instrument()
		if _, err := Parse(out, Limits{}); err != nil && !strings.Contains(err.Error(), "reserved name") {
			t.Fatalf("instrumented module does not parse: %v", err)
		}
	})
}
