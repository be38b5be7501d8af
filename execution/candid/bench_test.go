package candid

import (
	"encoding/json"
	"testing"
)

// benchInstall is a typical argument record: install_code with a 1 KiB
// module.
func benchInstall(b *testing.B) installCodeArgs {
	opts := &upgradeOpts{WasmMemoryPersistence: &memoryPersistence{Keep: &Null{}}}
	v := uint64(3)
	return installCodeArgs{
		Mode:                  installMode{Upgrade: &opts},
		CanisterID:            cube1(b),
		WasmModule:            make([]byte, 1024),
		Arg:                   []byte("DIDL\x00\x00"),
		SenderCanisterVersion: &v,
	}
}

func BenchmarkMarshalRecord(b *testing.B) {
	in := benchInstall(b)
	buf := make([]byte, 0, 2048)
	b.ReportAllocs()
	for b.Loop() {
		var err error
		if buf, err = AppendMarshal(buf[:0], in); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkUnmarshalRecord(b *testing.B) {
	data, err := Marshal(benchInstall(b))
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		var out installCodeArgs
		if err := Unmarshal(data, &out); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkEncodeRecord(b *testing.B) {
	ty := installCodeArgsType()
	data, _ := Marshal(benchInstall(b))
	vals, err := DecodeAs(data, []*Type{ty})
	if err != nil {
		b.Fatal(err)
	}
	types := []*Type{ty}
	buf := make([]byte, 0, 2048)
	b.ReportAllocs()
	for b.Loop() {
		if buf, err = AppendEncode(buf[:0], types, vals); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkDecodeAsRecord(b *testing.B) {
	types := []*Type{installCodeArgsType()}
	data, _ := Marshal(benchInstall(b))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := DecodeAs(data, types); err != nil {
			b.Fatal(err)
		}
	}
}

// The encoding/json benchmarks are the baseline: the same Go value through
// the standard library's reflective codec.
func BenchmarkJSONMarshalRecordBaseline(b *testing.B) {
	in := benchInstall(b)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := json.Marshal(in); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkJSONUnmarshalRecordBaseline(b *testing.B) {
	data, err := json.Marshal(benchInstall(b))
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		var out installCodeArgs
		if err := json.Unmarshal(data, &out); err != nil {
			b.Fatal(err)
		}
	}
}
