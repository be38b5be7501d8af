package statemgr_test

import (
	"os/exec"
	"strings"
	"testing"
)

// TestImports keeps third-party code out of statemgr and its client-facing
// sub-packages: badger may be imported only by statemgr/badgerstore, and no
// component package may be imported at all.
func TestImports(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the go command")
	}
	out, err := exec.Command("go", "list", "-deps", ".", "./hashtree", "./statemgrtest").CombinedOutput()
	if err != nil {
		t.Skipf("go list unavailable: %v\n%s", err, out)
	}
	for _, p := range strings.Fields(string(out)) {
		first := strings.SplitN(p, "/", 2)[0]
		if !strings.Contains(first, ".") {
			continue // standard library
		}
		switch {
		case p == "github.com/thebigfile/bigfile",
			strings.HasPrefix(p, "github.com/thebigfile/bigfile/statemgr"),
			strings.HasPrefix(p, "github.com/thebigfile/bigfile/internal/"):
		default:
			t.Errorf("statemgr depends on %s", p)
		}
	}
}
