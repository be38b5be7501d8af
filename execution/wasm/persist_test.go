package wasm_test

import (
	"bytes"
	"encoding/binary"
	"slices"
	"testing"

	"github.com/thebigfile/bigfile/execution"
	"github.com/thebigfile/bigfile/execution/wasm"
)

// disk is a minimal state manager: it persists a cube's pages from each
// Output's dirty lists and rebuilds the State from them.
type disk struct {
	heap, stable map[int][]byte
	meta         execution.State // everything but the memories
}

func newDisk() *disk { return &disk{heap: map[int][]byte{}, stable: map[int][]byte{}} }

func (d *disk) save(st *execution.State, dirty execution.DirtyPages) {
	put := func(m execution.Memory, pages map[int][]byte, list []int) {
		for i := range pages {
			if i >= m.NumPages() {
				delete(pages, i)
			}
		}
		for _, i := range list {
			if p := m.Page(i); p != nil {
				pages[i] = bytes.Clone(p)
			} else {
				delete(pages, i)
			}
		}
	}
	put(st.Memory, d.heap, dirty.Heap)
	put(st.Stable, d.stable, dirty.Stable)
	d.meta = *st
	d.meta.Memory, d.meta.Stable = execution.Memory{}, execution.Memory{}
	d.meta.Memory, _ = d.meta.Memory.Apply(st.Memory.NumPages(), nil)
	d.meta.Stable, _ = d.meta.Stable.Apply(st.Stable.NumPages(), nil)
}

func (d *disk) load(t testing.TB) *execution.State {
	t.Helper()
	st := d.meta
	var err error
	if st.Memory, err = execution.LoadMemory(d.meta.Memory.NumPages(), d.heap); err != nil {
		t.Fatal(err)
	}
	if st.Stable, err = execution.LoadMemory(d.meta.Stable.NumPages(), d.stable); err != nil {
		t.Fatal(err)
	}
	return &st
}

// step is one input of a scripted run.
type step struct {
	kind   execution.Kind
	method string
	arg    []byte
}

// persistedRun drives a cube through steps, persisting every output's
// dirty pages; at restoreAt it rebuilds the State from the persisted pages
// into a fresh executor and checks that both copies go on identically:
// same replies, same state hashes.
func persistedRun(t *testing.T, module []byte, steps []step, restoreAt int) {
	t.Helper()
	c := newCube(t, newExecutor(t, execution.Config{}))
	d := newDisk()
	out := c.install(module, nil)
	if out.Err != nil {
		t.Fatal(out.Err)
	}
	d.save(c.st, out.Dirty)
	var twin *cube
	for i, s := range steps {
		if i == restoreAt {
			twin = newCube(t, newExecutor(t, execution.Config{}))
			twin.st, twin.tm = d.load(t), c.tm
			if twin.st.Hash() != c.st.Hash() || !twin.st.Equal(c.st) {
				t.Fatalf("state rebuilt from pages differs before step %d", i)
			}
		}
		in := execution.Input{Kind: s.kind, Method: s.method, Arg: s.arg}
		out := c.exec(in)
		d.save(c.st, out.Dirty)
		if twin != nil {
			tout := twin.exec(in)
			if out.Response.Kind != tout.Response.Kind || !bytes.Equal(out.Response.Data, tout.Response.Data) {
				t.Fatalf("step %d (%s): restored cube answered %+v, original %+v", i, s.method, tout.Response, out.Response)
			}
			if c.st.Hash() != twin.st.Hash() {
				t.Fatalf("step %d (%s): state hashes differ", i, s.method)
			}
		}
		if d.load(t).Hash() != c.st.Hash() {
			t.Fatalf("step %d (%s): persisted pages do not rebuild the state", i, s.method)
		}
	}
}

func TestRestoreFromPagesWAT(t *testing.T) {
	w := func(pages ...int) step { return step{execution.KindUpdate, "write", u32s(pages...)} }
	persistedRun(t, pagesModule(t), []step{w(1, 2, 3), {execution.KindUpdate, "trap", u32s(4)},
		{execution.KindQuery, "qwrite", u32s(5)}, w(60), {execution.KindUpdate, "grow", nil},
		{execution.KindUpdate, "sw", u32s(3)}, w(1, 1000), {execution.KindUpdate, "sw", u32s(0)},
		{execution.KindQuery, "peekpages", u32s(1)}}, 3)
}

func TestRestoreFromPagesMotoko(t *testing.T) {
	inc := step{execution.KindUpdate, "inc", didlEmpty}
	get := step{execution.KindQuery, "get", didlEmpty}
	persistedRun(t, motoko(t, "Counter"), []step{inc, inc, get, inc, inc, get, inc}, 3)

	var kv []step
	for i := 0; i < 30; i++ {
		k := string(rune('a'+i%26)) + string(rune('a'+i/26))
		kv = append(kv, step{execution.KindUpdate, "put", candidText(k, "v-"+k)})
	}
	kv = append(kv, step{execution.KindQuery, "size", didlEmpty}, step{execution.KindUpdate, "delete", candidText("ca")})
	persistedRun(t, motoko(t, "KV"), kv, 15)

	bump := step{execution.KindUpdate, "bump", didlEmpty}
	trap := step{execution.KindUpdate, "bumpThenTrap", didlEmpty}
	qw := step{execution.KindQuery, "queryWrite", didlEmpty}
	persistedRun(t, motoko(t, "Trapper"), []step{bump, trap, qw, bump, trap, bump, qw,
		{execution.KindQuery, "get", didlEmpty}}, 2)
}

// pagesModule writes one byte (incremented) into each page listed in the
// argument (little-endian u32 page indexes); "trap" does the same and
// traps; "grow" grows the memory by one Wasm page and writes its last 4
// KiB page; "sw" writes the stable page given. The memory has 64 pages
// (4 MiB).
func pagesModule(t testing.TB) []byte {
	loop := `(local $i i32) (local $n i32) (local $p i32)
		(local.set $n (call $msg_arg_data_size))
		(call $msg_arg_data_copy (i32.const 0) (i32.const 0) (local.get $n))
		(block $done (loop $next
			(br_if $done (i32.ge_u (local.get $i) (local.get $n)))
			(local.set $p (i32.add (i32.mul (i32.load (local.get $i)) (i32.const 4096)) (i32.const 8)))
			(i32.store8 (local.get $p) (i32.add (i32.load8_u (local.get $p)) (i32.const 1)))
			(local.set $i (i32.add (local.get $i) (i32.const 4)))
			(br $next)))`
	return probe(t, false, map[string]string{
		"canister_init":            "(drop (memory.grow (i32.const 63))) (drop (call $stable64_grow (i64.const 1)))",
		"canister_update write":    loop + replyMem(0),
		"canister_update trap":     loop + "unreachable",
		"canister_query qwrite":    loop + replyMem(4),
		"canister_update grow":     "(i32.store8 (i32.sub (i32.mul (memory.grow (i32.const 1)) (i32.const 65536)) (i32.const -65535)) (i32.const 9))" + replyMem(0),
		"canister_update sw":       "(call $msg_arg_data_copy (i32.const 0) (i32.const 0) (i32.const 4)) (call $stable64_write (i64.mul (i64.extend_i32_u (i32.load (i32.const 0))) (i64.const 4096)) (i64.const 0) (i64.const 4))" + replyMem(0),
		"canister_query peekpages": "(call $msg_arg_data_copy (i32.const 0) (i32.const 0) (i32.const 4)) (i32.store8 (i32.const 0) (i32.load8_u (i32.add (i32.mul (i32.load (i32.const 0)) (i32.const 4096)) (i32.const 8))))" + replyMem(1),
	}, "")
}

func u32s(v ...int) []byte {
	var b []byte
	for _, x := range v {
		b = binary.LittleEndian.AppendUint32(b, uint32(x))
	}
	return b
}

// TestDirtyPages checks the per-message dirty sets (exact for writes,
// empty after traps and queries, grown pages included) and that traps and
// queries roll back exactly, with and without the kernel tracker; both
// modes must produce identical states.
func TestDirtyPages(t *testing.T) {
	t.Logf("kernel dirty-page tracking available: %v", wasm.DirtyTrackingAvailable())
	noTrack, err := wasm.New(wasm.Config{NoDirtyTracking: true})
	if err != nil {
		t.Fatal(err)
	}
	var hashes [2][][32]byte
	mod := pagesModule(t) // once: probe's output order varies
	for mode, eng := range []execution.Engine{engine(t), noTrack} {
		x, err := execution.New(execution.Config{}, eng)
		if err != nil {
			t.Fatal(err)
		}
		c := newCube(t, x)
		c.mustInstall(mod)
		want := func(out execution.Output, heap, stable []int) {
			t.Helper()
			if !slices.Equal(out.Dirty.Heap, heap) || !slices.Equal(out.Dirty.Stable, stable) {
				t.Fatalf("mode %d: dirty heap %v stable %v, want %v %v", mode, out.Dirty.Heap, out.Dirty.Stable, heap, stable)
			}
			hashes[mode] = append(hashes[mode], c.st.Hash())
		}
		peek := func(page int) byte {
			t.Helper()
			return reply(t, c.query("peekpages", u32s(page)))[0]
		}
		out := c.update("write", u32s(3, 1, 40, 3, 63))
		reply(t, out)
		want(out, []int{0, 1, 3, 40, 63}, nil) // page 0 holds the argument
		if peek(3) != 2 || peek(1) != 1 {
			t.Fatalf("mode %d: page contents %d %d", mode, peek(3), peek(1))
		}
		out = c.update("trap", u32s(5, 6, 1))
		wantErr(t, out, execution.CodeCanisterTrapped, "unreachable")
		want(out, nil, nil)
		if peek(5) != 0 || peek(1) != 1 {
			t.Fatal("a trap was not rolled back")
		}
		reply(t, c.query("qwrite", u32s(7, 1)))
		if peek(7) != 0 || peek(1) != 1 {
			t.Fatal("a query's writes were not rolled back")
		}
		out = c.update("write", u32s(2))
		want(out, []int{0, 2}, nil) // not 5, 6, 7: rollbacks do not leak into the next set
		out = c.update("grow", nil)
		reply(t, out)
		want(out, []int{64*16 + 15}, nil)
		out = c.update("sw", u32s(9))
		reply(t, out)
		want(out, []int{0}, []int{9})
	}
	if !slices.Equal(hashes[0], hashes[1]) {
		t.Fatal("tracked and untracked executions produced different states")
	}
}

// TestTrackedMatchesCompare runs Motoko cubes (whose heaps start from data
// segments, mapped copy-on-write by wasmtime) with the kernel tracker and
// with the comparison fallback, and requires identical states after every
// step: a write the tracker missed would show up as a difference, since
// the fallback reads the whole memory.
func TestTrackedMatchesCompare(t *testing.T) {
	noTrack, err := wasm.New(wasm.Config{NoDirtyTracking: true})
	if err != nil {
		t.Fatal(err)
	}
	var kv []step
	for i := 0; i < 40; i++ {
		k := string(rune('a'+i%26)) + string(rune('a'+i/26))
		kv = append(kv, step{execution.KindUpdate, "put", candidText(k, "v-"+k)})
		if i%7 == 0 {
			kv = append(kv, step{execution.KindUpdate, "delete", candidText("aa")}, step{execution.KindQuery, "size", didlEmpty})
		}
	}
	bump := step{execution.KindUpdate, "bump", didlEmpty}
	for _, tc := range []struct {
		name  string
		steps []step
	}{
		{"KV", kv},
		{"Trapper", []step{bump, {execution.KindUpdate, "bumpThenTrap", didlEmpty}, {execution.KindQuery, "queryWrite", didlEmpty}, bump, bump}},
		{"Counter", []step{{execution.KindUpdate, "inc", didlEmpty}, {execution.KindUpdate, "inc", didlEmpty}}},
	} {
		var hashes [2][][32]byte
		for mode, eng := range []execution.Engine{engine(t), noTrack} {
			x, err := execution.New(execution.Config{}, eng)
			if err != nil {
				t.Fatal(err)
			}
			c := newCube(t, x)
			c.mustInstall(motoko(t, tc.name))
			for _, s := range tc.steps {
				c.exec(execution.Input{Kind: s.kind, Method: s.method, Arg: s.arg})
				hashes[mode] = append(hashes[mode], c.st.Hash())
			}
		}
		if !slices.Equal(hashes[0], hashes[1]) {
			t.Fatalf("%s: tracked and compared executions differ", tc.name)
		}
	}
}

// Executor.Close drops the live instances; the cubes go on from their
// States (heap restored into new instances) exactly as on an executor
// that kept them.
func TestExecutorCloseKeepsStates(t *testing.T) {
	inc := execution.Input{Kind: execution.KindUpdate, Method: "inc", Arg: didlEmpty}
	kept, closed := newCube(t, newExecutor(t, execution.Config{})), newCube(t, newExecutor(t, execution.Config{}))
	for _, c := range []*cube{kept, closed} {
		c.mustInstall(motoko(t, "Counter"))
	}
	for i := range 4 {
		if i%2 == 1 {
			closed.x.Close()
		}
		a, b := kept.exec(inc), closed.exec(inc)
		reply(t, a)
		reply(t, b)
		if !bytes.Equal(a.Response.Data, b.Response.Data) || kept.st.Hash() != closed.st.Hash() {
			t.Fatalf("inc %d after Close: reply %x, hash %x; without Close %x, %x",
				i, b.Response.Data, closed.st.Hash(), a.Response.Data, kept.st.Hash())
		}
	}
}
