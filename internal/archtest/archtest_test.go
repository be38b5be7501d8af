package archtest

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"os/exec"
	"strings"
	"testing"
)

// TestImportGraph checks the real module.
func TestImportGraph(t *testing.T) {
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("the go command is not on PATH")
	}
	cmd := exec.Command("go", "list", "-deps", "-json=ImportPath,Standard,Imports,Deps", Module+"/...")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, stderr.String())
	}
	var pkgs []Package
	dec := json.NewDecoder(bytes.NewReader(out))
	for {
		var p Package
		if err := dec.Decode(&p); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			t.Fatal(err)
		}
		pkgs = append(pkgs, p)
	}
	own := 0
	for _, p := range pkgs {
		if _, ok := relative(p.ImportPath); ok {
			own++
		}
	}
	if own < 2 {
		t.Fatalf("go list found %d packages of the module; expected the whole module", own)
	}
	for _, v := range Check(pkgs) {
		t.Error(v)
	}
}

// TestCheckCatchesForbiddenEdges shows that every rule fires on a graph that
// breaks it, and stays silent on one that keeps it.
func TestCheckCatchesForbiddenEdges(t *testing.T) {
	const (
		root     = Module
		exec     = Module + "/execution"
		wasm     = Module + "/execution/wasm"
		cons     = Module + "/consensus"
		internal = Module + "/internal/bridge"
		wasmtime = "github.com/bytecodealliance/wasmtime-go/v44"
	)
	stdlib := []Package{{ImportPath: "fmt", Standard: true}, {ImportPath: "crypto/sha256", Standard: true}}
	good := append(stdlib,
		Package{ImportPath: root, Imports: []string{"fmt"}, Deps: []string{"fmt"}},
		Package{ImportPath: exec, Imports: []string{root}, Deps: []string{root, "fmt"}},
		Package{ImportPath: wasm, Imports: []string{exec, wasmtime}, Deps: []string{exec, root, wasmtime, "fmt"}},
		Package{ImportPath: cons, Imports: []string{root}, Deps: []string{root, "fmt"}},
	)
	if vs := Check(good); len(vs) != 0 {
		t.Fatalf("a clean graph reported %v", vs)
	}

	for _, tc := range []struct {
		name string
		pkg  Package
		want string
	}{
		{"root imports third party",
			Package{ImportPath: root, Imports: []string{wasmtime}, Deps: []string{wasmtime}},
			"root package imports beyond the standard library"},
		{"component imports component",
			Package{ImportPath: cons, Imports: []string{exec}, Deps: []string{exec, root}},
			"component depends on another component"},
		{"component reaches component through internal",
			Package{ImportPath: cons, Imports: []string{internal}, Deps: []string{internal, exec, root}},
			"component depends on another component"},
		{"wasmtime outside its leaf",
			Package{ImportPath: exec, Imports: []string{wasmtime}, Deps: []string{wasmtime}},
			"third-party module outside its designated leaf"},
		{"cgo outside the engine leaf",
			Package{ImportPath: cons, Imports: []string{"C"}, Deps: []string{"C"}},
			"third-party module outside its designated leaf"},
		{"unknown module",
			Package{ImportPath: cons, Imports: []string{"example.com/left-pad"}, Deps: []string{"example.com/left-pad"}},
			"third-party module not in the leaf table"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			graph := append([]Package(nil), stdlib...)
			graph = append(graph, tc.pkg)
			vs := Check(graph)
			found := false
			for _, v := range vs {
				if v.Package == tc.pkg.ImportPath && strings.Contains(v.Rule, tc.want) {
					found = true
				}
			}
			if !found {
				t.Errorf("Check(%s) = %v, want a %q violation", tc.pkg.ImportPath, vs, tc.want)
			}
		})
	}
}

func TestAllowedIn(t *testing.T) {
	for _, tc := range []struct {
		rel     string
		allowed []string
		want    bool
	}{
		{"execution/wasm", []string{"execution/wasm/..."}, true},
		{"execution/wasm/shim", []string{"execution/wasm/..."}, true},
		{"execution/wasmx", []string{"execution/wasm/..."}, false},
		{"execution", []string{"execution/wasm"}, false},
		{"statemgr", []string{}, false},
	} {
		if got := allowedIn(tc.rel, tc.allowed); got != tc.want {
			t.Errorf("allowedIn(%q, %q) = %v", tc.rel, tc.allowed, got)
		}
	}
}
