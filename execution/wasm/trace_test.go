package wasm_test

import (
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"
	"testing"

	"github.com/cockroachdb/datadriven"

	"github.com/thebigfile/bigfile/execution"
)

// TestTraces runs the scripts in testdata/traces: each reads like a trace
// of messages on one cube and their outcomes. Regenerate the expected
// output with `go test ./execution/wasm -run TestTraces -rewrite`.
//
// Commands:
//
//	new [ic] [max-instructions=N] [max-memory=N] [max-stable=N]
//	install|reinstall [motoko=Name]   (WAT in the input otherwise)
//	upgrade [motoko=Name] [persistence=keep|replace] [skip-pre-upgrade]
//	update|query|rquery|inspect method=M [arg=hex] [text=T]
//	heartbeat | timer
//	state | log
func TestTraces(t *testing.T) {
	datadriven.Walk(t, "testdata/traces", func(t *testing.T, path string) {
		var x *execution.Executor
		var c *cube
		datadriven.RunTest(t, path, func(t *testing.T, d *datadriven.TestData) string {
			if d.Cmd != "new" && c == nil {
				d.Fatalf(t, "no cube: start with new")
			}
			switch d.Cmd {
			case "new":
				cfg := execution.Config{}
				if d.HasArg("ic") {
					cfg = execution.ICConfig()
				}
				var n uint64
				if d.HasArg("max-instructions") {
					d.ScanArgs(t, "max-instructions", &n)
					cfg.MaxInstructionsPerMessage, cfg.MaxInstructionsPerSlice = n, n/4
				}
				if d.HasArg("max-memory") {
					d.ScanArgs(t, "max-memory", &n)
					cfg.MaxWasm32Memory, cfg.MaxWasm64Memory = n, n
				}
				if d.HasArg("max-stable") {
					d.ScanArgs(t, "max-stable", &n)
					cfg.MaxStableMemory = n
				}
				x = newExecutor(t, cfg)
				c = newCube(t, x)
				return "ok"
			case "install", "reinstall", "upgrade":
				in := execution.Input{Kind: execution.KindInstall, Wasm: traceModule(t, d), Arg: didlEmpty}
				if d.Cmd == "reinstall" {
					in.Kind = execution.KindReinstall
				}
				if d.Cmd == "upgrade" {
					in.Kind = execution.KindUpgrade
					in.SkipPreUpgrade = d.HasArg("skip-pre-upgrade")
					if d.HasArg("persistence") {
						var p string
						d.ScanArgs(t, "persistence", &p)
						in.Persistence = map[string]execution.Persistence{"keep": execution.PersistenceKeep,
							"replace": execution.PersistenceReplace}[p]
					}
				}
				return outcome(c.exec(in))
			case "update", "query", "rquery", "inspect":
				kinds := map[string]execution.Kind{"update": execution.KindUpdate, "query": execution.KindQuery,
					"rquery": execution.KindReplicatedQuery, "inspect": execution.KindInspectMessage}
				in := execution.Input{Kind: kinds[d.Cmd], Arg: didlEmpty}
				d.ScanArgs(t, "method", &in.Method)
				if d.HasArg("arg") {
					var h string
					d.ScanArgs(t, "arg", &h)
					b, err := hex.DecodeString(h)
					if err != nil {
						d.Fatalf(t, "arg: %v", err)
					}
					in.Arg = b
				}
				if d.HasArg("text") {
					var s string
					d.ScanArgs(t, "text", &s)
					in.Arg = []byte(s)
				}
				return outcome(c.exec(in))
			case "heartbeat":
				return outcome(c.exec(execution.Input{Kind: execution.KindHeartbeat}))
			case "timer":
				return outcome(c.exec(execution.Input{Kind: execution.KindGlobalTimer}))
			case "state":
				st := c.st
				return fmt.Sprintf("version=%d memory=%d stable=%d globals=%d timer=%d certified=%x log=%d",
					st.Version, st.Memory.Len(), st.Stable.Len(), len(st.Globals), st.GlobalTimer,
					st.CertifiedData, len(st.Log.Records))
			case "log":
				var b strings.Builder
				for _, r := range c.st.Log.Records {
					fmt.Fprintf(&b, "%d: %q\n", r.Index, r.Content)
				}
				return b.String()
			}
			d.Fatalf(t, "unknown command %s", d.Cmd)
			return ""
		})
	})
}

func traceModule(t *testing.T, d *datadriven.TestData) []byte {
	if d.HasArg("motoko") {
		var name string
		d.ScanArgs(t, "motoko", &name)
		return motoko(t, name)
	}
	return wat(t, d.Input)
}

// outcome prints an Output in one line.
func outcome(out execution.Output) string {
	var s string
	switch {
	case out.Err != nil:
		s = fmt.Sprintf("error %s (reject %d): %s", out.Err.Code, out.Err.Code.RejectCode(), out.Err.Message)
	case out.Response.Kind == execution.Replied:
		s = "reply " + hex.EncodeToString(out.Response.Data)
		if len(out.Response.Data) == 0 {
			s = "reply (empty)"
		}
	case out.Response.Kind == execution.Rejected:
		s = fmt.Sprintf("reject %d %s", out.Response.Code, strconv.Quote(out.Response.Message))
	default:
		s = "ok"
	}
	if out.Accepted {
		s += " (accepted)"
	}
	for _, r := range out.Log {
		s += fmt.Sprintf("\nlog %q", r.Content)
	}
	return s
}
