package wasm_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/bytecodealliance/wasmtime-go/v44"

	"github.com/thebigfile/bigfile"
	"github.com/thebigfile/bigfile/execution"
	"github.com/thebigfile/bigfile/execution/wasm"
)

// testCube is rrkah-fqaaa-aaaaa-aaaaq-cai (system-api.md §5.6).
const testCube bigfile.CubeID = 1

var sharedEngine *wasm.Engine

func engine(t testing.TB) *wasm.Engine {
	t.Helper()
	if sharedEngine == nil {
		// BIG_NO_DIRTY_TRACKING=1 runs every test on the comparison
		// fallback used on kernels without write-protect tracking.
		e, err := wasm.New(wasm.Config{NoDirtyTracking: os.Getenv("BIG_NO_DIRTY_TRACKING") != ""})
		if err != nil {
			t.Fatal(err)
		}
		sharedEngine = e
	}
	return sharedEngine
}

func newExecutor(t testing.TB, cfg execution.Config) *execution.Executor {
	t.Helper()
	x, err := execution.New(cfg, engine(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(x.Close)
	return x
}

func wat(t testing.TB, src string) []byte {
	t.Helper()
	b, err := wasmtime.Wat2Wasm(src)
	if err != nil {
		t.Fatalf("wat2wasm: %v", err)
	}
	return b
}

func motoko(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "motoko", name+".wasm"))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// cube drives one cube through an executor, keeping its state.
type cube struct {
	t  testing.TB
	x  *execution.Executor
	st *execution.State
	tm bigfile.Time
}

func newCube(t testing.TB, x *execution.Executor) *cube {
	return &cube{t: t, x: x, st: &execution.State{ID: testCube, Controllers: []bigfile.Principal{bigfile.Anonymous}},
		tm: 1_700_000_000_000_000_000}
}

func (c *cube) exec(in execution.Input) execution.Output {
	c.t.Helper()
	c.tm++
	if in.Time == 0 {
		in.Time = c.tm
	}
	if in.Caller == (bigfile.Principal{}) {
		in.Caller = bigfile.Anonymous
	}
	out, err := c.x.Execute(context.Background(), c.st, in)
	if err != nil {
		c.t.Fatalf("%s %s: %v", in.Kind, in.Method, err)
	}
	c.st = out.State
	return out
}

func (c *cube) install(wasm []byte, arg []byte) execution.Output {
	c.t.Helper()
	if arg == nil {
		arg = didlEmpty
	}
	return c.exec(execution.Input{Kind: execution.KindInstall, Wasm: wasm, Arg: arg})
}

func (c *cube) mustInstall(wasm []byte) {
	c.t.Helper()
	if out := c.install(wasm, nil); out.Err != nil {
		c.t.Fatalf("install: %v", out.Err)
	}
}

func (c *cube) update(method string, arg []byte) execution.Output {
	c.t.Helper()
	return c.exec(execution.Input{Kind: execution.KindUpdate, Method: method, Arg: arg})
}

func (c *cube) query(method string, arg []byte) execution.Output {
	c.t.Helper()
	return c.exec(execution.Input{Kind: execution.KindQuery, Method: method, Arg: arg})
}

// didlEmpty is the Candid encoding of ().
var didlEmpty = []byte("DIDL\x00\x00")

// reply fails the test unless out is a reply, and returns its data.
func reply(t testing.TB, out execution.Output) []byte {
	t.Helper()
	if out.Err != nil {
		t.Fatalf("unexpected error: %v", out.Err)
	}
	if out.Response.Kind != execution.Replied {
		t.Fatalf("response kind %d, want a reply (%+v)", out.Response.Kind, out.Response)
	}
	return out.Response.Data
}

func gz(t testing.TB, b []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	w := gzip.NewWriter(&buf)
	if _, err := w.Write(b); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}
