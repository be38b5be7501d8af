package wasm_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// shimCheck asserts that the structs shim.h mirrors match wasmtime's
// headers in size and field offsets.
const shimCheck = `
#include <stddef.h>
#include <wasmtime.h>
#include "shim.h"
#define SAME(a, b) _Static_assert(sizeof(a) == sizeof(b), #a " size differs from " #b)
SAME(bf_func_t, wasmtime_func_t);
SAME(bf_instance_t, wasmtime_instance_t);
SAME(bf_val_t, wasmtime_val_t);
SAME(bf_continuation_t, wasmtime_async_continuation_t);
SAME(bf_byte_vec_t, wasm_byte_vec_t);
_Static_assert(sizeof(bf_extern_t) >= sizeof(wasmtime_extern_t), "bf_extern_t too small");
_Static_assert(offsetof(bf_val_t, of) == offsetof(wasmtime_val_t, of), "val union offset");
_Static_assert(offsetof(bf_extern_t, of) == offsetof(wasmtime_extern_t, of), "extern union offset");
_Static_assert(offsetof(bf_continuation_t, env) == offsetof(wasmtime_async_continuation_t, env), "continuation env");
_Static_assert(offsetof(bf_continuation_t, finalizer) == offsetof(wasmtime_async_continuation_t, finalizer), "continuation finalizer");
_Static_assert(WASMTIME_EXTERN_MEMORY == 3, "extern kind");
_Static_assert(WASMTIME_I32 == 0 && WASMTIME_I64 == 1, "val kinds");
_Static_assert(WASM_I32 == 0 && WASM_I64 == 1, "valtype kinds");
_Static_assert(WASMTIME_TRAP_CODE_STACK_OVERFLOW == 0 && WASMTIME_TRAP_CODE_UNREACHABLE_CODE_REACHED == 9 &&
               WASMTIME_TRAP_CODE_OUT_OF_FUEL == 11, "trap codes");
`

// TestShimDeclarations compiles the check above against the headers of the
// pinned wasmtime-go (found with go list, never hard-coded). Run it whenever
// the pin changes; it is skipped where no C compiler or go command exists.
func TestShimDeclarations(t *testing.T) {
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command")
	}
	cc, err := exec.LookPath("cc")
	if err != nil {
		t.Skip("no C compiler")
	}
	out, err := exec.Command(goBin, "list", "-m", "-f", "{{.Dir}}", "github.com/bytecodealliance/wasmtime-go/v44").Output()
	if err != nil {
		t.Skipf("go list: %v", err)
	}
	inc := filepath.Join(strings.TrimSpace(string(out)), "build", "include")
	dir := t.TempDir()
	src := filepath.Join(dir, "check.c")
	if err := os.WriteFile(src, []byte(shimCheck), 0o644); err != nil {
		t.Fatal(err)
	}
	wd, _ := os.Getwd()
	cmd := exec.Command(cc, "-fsyntax-only", "-Werror", "-std=c11", "-I"+inc, "-I"+wd, src)
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("shim declarations do not match wasmtime's headers: %v\n%s", err, b)
	}
}
