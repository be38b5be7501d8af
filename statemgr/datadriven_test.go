package statemgr_test

import (
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"unicode"

	"github.com/cockroachdb/datadriven"

	"github.com/thebigfile/bigfile"
	"github.com/thebigfile/bigfile/statemgr"
	"github.com/thebigfile/bigfile/statemgr/hashtree"
)

// TestTraces runs the scripts in testdata/. Commands:
//
//	set             input lines "a/b/c = value": set leaves
//	delete          input lines "a/b": delete subtrees
//	commit          commit the next height; prints the root hash
//	witness         input lines of paths: prints the witness of the last
//	                commit and what each path looks up to in it
//
// Regenerate the expected output with go test ./statemgr -run TestTraces -rewrite.
func TestTraces(t *testing.T) {
	datadriven.Walk(t, "testdata", func(t *testing.T, path string) {
		m, err := statemgr.Open(statemgr.Config{Store: statemgr.NewMemStore()})
		if err != nil {
			t.Fatal(err)
		}
		var snap *statemgr.Snapshot
		datadriven.RunTest(t, path, func(t *testing.T, d *datadriven.TestData) string {
			switch d.Cmd {
			case "set":
				for _, line := range lines(d.Input) {
					p, v, ok := strings.Cut(line, "=")
					if !ok {
						d.Fatalf(t, "want path = value, got %q", line)
					}
					if err := m.State().Set(parsePath(strings.TrimSpace(p)), []byte(strings.TrimSpace(v))); err != nil {
						return err.Error()
					}
				}
				return ""
			case "delete":
				for _, line := range lines(d.Input) {
					m.State().Delete(parsePath(line))
				}
				return ""
			case "commit":
				snap, err = m.Commit(m.Height() + 1)
				if err != nil {
					return err.Error()
				}
				return fmt.Sprintf("height %d root %s", snap.Height(), snap.RootHash())
			case "witness":
				var paths []hashtree.Path
				for _, line := range lines(d.Input) {
					paths = append(paths, parsePath(line))
				}
				w := snap.Witness(paths...)
				var b strings.Builder
				if w.Digest() != snap.RootHash() {
					fmt.Fprintf(&b, "DIGEST MISMATCH %s\n", w.Digest())
				}
				render(&b, w, 0)
				for i, p := range paths {
					v, st := w.Lookup(p...)
					fmt.Fprintf(&b, "lookup %s: %s", strings.Split(lines(d.Input)[i], " ")[0], st)
					if st == hashtree.Found {
						fmt.Fprintf(&b, " %s", label(v))
					}
					b.WriteString("\n")
				}
				return b.String()
			}
			d.Fatalf(t, "unknown command %s", d.Cmd)
			return ""
		})
	})
}

func lines(s string) []string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}

// parsePath splits a/b/c; a label "#n" is cube n's principal bytes.
func parsePath(s string) hashtree.Path {
	var p hashtree.Path
	for _, l := range strings.Split(s, "/") {
		if n, err := strconv.ParseUint(strings.TrimPrefix(l, "#"), 10, 64); err == nil && strings.HasPrefix(l, "#") {
			p = append(p, bigfile.CubeID(n).Principal().Bytes())
			continue
		}
		p = append(p, []byte(l))
	}
	return p
}

func label(b []byte) string {
	for _, r := range string(b) {
		if r > unicode.MaxASCII || !unicode.IsPrint(r) {
			return "0x" + hex.EncodeToString(b)
		}
	}
	return strconv.Quote(string(b))
}

// render prints a hash tree one node per line, indented by depth; pruned
// digests are abbreviated.
func render(b *strings.Builder, t *hashtree.Tree, depth int) {
	ind := strings.Repeat("  ", depth)
	switch t.Kind() {
	case hashtree.KindEmpty:
		fmt.Fprintf(b, "%sempty\n", ind)
	case hashtree.KindFork:
		fmt.Fprintf(b, "%sfork\n", ind)
		render(b, t.Left(), depth+1)
		render(b, t.Right(), depth+1)
	case hashtree.KindLabeled:
		fmt.Fprintf(b, "%s%s\n", ind, label(t.Label()))
		render(b, t.Left(), depth+1)
	case hashtree.KindLeaf:
		fmt.Fprintf(b, "%sleaf %s\n", ind, label(t.Value()))
	case hashtree.KindPruned:
		fmt.Fprintf(b, "%spruned %s…\n", ind, t.Digest().String()[:8])
	}
}
