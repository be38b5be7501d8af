package archtest

import (
	"fmt"
	"slices"
	"sort"
	"strings"
)

// Module is the module path of BIG.
const Module = "github.com/thebigfile/bigfile"

// Package is one node of the import graph, as `go list -json` describes it.
type Package struct {
	ImportPath string
	Standard   bool     // part of the standard library
	Imports    []string // direct imports of the non-test files
	Deps       []string // transitive imports of the non-test files
}

// Components are the top-level packages that must not depend on one another.
var Components = []string{"consensus", "execution", "routing", "statemgr", "chainkey", "bigmap"}

// Leaves says, per third-party module, which of BIG's packages may import it
// directly. An entry ending in "/..." allows that package and everything
// below it. Test files are not checked, so test-only oracles need no entry.
var Leaves = map[string][]string{
	// "C" is cgo's pseudo-import: cgo stays in the engine leaf.
	"C": {"execution/wasm/..."},
	"github.com/bytecodealliance/wasmtime-go/v44": {"execution/wasm/..."},
	"github.com/dgraph-io/badger/v4":              {"statemgr/badgerstore/..."},
	"github.com/consensys/gnark-crypto":           {"chainkey/..."},
	"filippo.io/edwards25519":                     {"chainkey/..."},
	"github.com/decred/dcrd/dcrec/secp256k1/v4":   {"chainkey/..."},
	"github.com/fxamacker/cbor/v2":                {"statemgr/...", "examples/..."},
	"github.com/cockroachdb/datadriven":           {"consensus/consensustest/...", "examples/harness/..."},
	"github.com/google/go-cmp":                    {},
}

// Violation is one broken rule.
type Violation struct {
	Package string // the offending package
	Rule    string // which rule, in a few words
	Detail  string // the forbidden import or dependency
}

// String formats v as "package: rule: detail".
func (v Violation) String() string { return fmt.Sprintf("%s: %s: %s", v.Package, v.Rule, v.Detail) }

// Check applies the rules to pkgs, the packages of the module and their
// dependencies, and returns the violations sorted by package.
func Check(pkgs []Package) []Violation {
	std := map[string]bool{}
	for _, p := range pkgs {
		if p.Standard {
			std[p.ImportPath] = true
		}
	}
	var vs []Violation
	for _, p := range pkgs {
		rel, own := relative(p.ImportPath)
		if !own {
			continue
		}
		// Rule 1: the root package is standard library only.
		if rel == "" {
			for _, d := range p.Deps {
				if !std[d] {
					vs = append(vs, Violation{p.ImportPath, "root package imports beyond the standard library", d})
				}
			}
		}
		// Rule 2: components never depend on one another.
		if c := component(rel); c != "" {
			for _, d := range p.Deps {
				if drel, ok := relative(d); ok {
					if dc := component(drel); dc != "" && dc != c {
						vs = append(vs, Violation{p.ImportPath, "component depends on another component", d})
					}
				}
			}
		}
		// Rule 3: third-party modules only in their designated leaves.
		for _, imp := range p.Imports {
			if std[imp] {
				continue
			}
			if _, ok := relative(imp); ok {
				continue
			}
			mod, allowed, known := leafRule(imp)
			switch {
			case !known:
				vs = append(vs, Violation{p.ImportPath, "third-party module not in the leaf table", imp})
			case !allowedIn(rel, allowed):
				vs = append(vs, Violation{p.ImportPath, "third-party module outside its designated leaf", mod})
			}
		}
	}
	sort.SliceStable(vs, func(i, j int) bool { return vs[i].Package < vs[j].Package })
	return vs
}

// relative returns the path of pkg inside the module ("" for the root) and
// whether pkg belongs to the module at all.
func relative(pkg string) (string, bool) {
	if pkg == Module {
		return "", true
	}
	if rest, ok := strings.CutPrefix(pkg, Module+"/"); ok {
		return rest, true
	}
	return "", false
}

// component returns the component that a module-relative path belongs to, or "".
func component(rel string) string {
	first, _, _ := strings.Cut(rel, "/")
	if slices.Contains(Components, first) {
		return first
	}
	return ""
}

// leafRule finds the module of an import path in [Leaves].
func leafRule(imp string) (mod string, allowed []string, known bool) {
	for m, a := range Leaves {
		if imp == m || strings.HasPrefix(imp, m+"/") {
			return m, a, true
		}
	}
	return "", nil, false
}

func allowedIn(rel string, allowed []string) bool {
	for _, a := range allowed {
		if base, tree := strings.CutSuffix(a, "/..."); tree {
			if rel == base || strings.HasPrefix(rel, base+"/") {
				return true
			}
		} else if rel == a {
			return true
		}
	}
	return false
}
