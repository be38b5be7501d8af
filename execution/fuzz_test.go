package execution_test

import (
	"context"
	"encoding/binary"
	"testing"

	"github.com/thebigfile/bigfile"
	"github.com/thebigfile/bigfile/execution"
	"github.com/thebigfile/bigfile/execution/executiontest"
)

// FuzzSystemAPI calls random System API functions with random arguments
// from every kind of entry point. Whatever the cube does, the executor must
// not panic or fail with a Go error: misuse traps, and a trap rolls back.
func FuzzSystemAPI(f *testing.F) {
	var script []byte
	imports := execution.Imports(false)
	body := func(c *executiontest.Call) error {
		s := script
		for len(s) >= 2 {
			im := imports[int(s[0])%len(imports)]
			n := int(s[1]) % 4 // bias towards small values that hit edges
			s = s[2:]
			args := make([]uint64, len(im.Params))
			for i := range args {
				switch {
				case len(s) >= 8 && n == 3:
					args[i] = binary.LittleEndian.Uint64(s)
					s = s[8:]
				case len(s) >= 1:
					args[i] = uint64(s[0]) << (8 * uint(n))
					s = s[1:]
				}
				if im.Params[i] == execution.I32 {
					args[i] = uint64(uint32(args[i]))
				}
			}
			if _, err := c.Invoke(im.Name, args...); err != nil {
				return err
			}
		}
		return nil
	}
	eng := executiontest.NewEngine()
	code := eng.Cube(map[string]executiontest.Func{
		"canister_init": body, "canister_update u": body, "canister_query q": body,
		"canister_heartbeat": body, "canister_inspect_message": body, "canister_pre_upgrade": body,
		"canister_post_upgrade": body,
	})
	x, err := execution.New(execution.Config{MaxStableMemory: 1 << 20, RootKey: []byte{1, 2, 3}}, eng)
	if err != nil {
		f.Fatal(err)
	}
	f.Add([]byte{0, 0, 1, 2, 3})
	f.Add([]byte{byte(len(imports) - 1), 3, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 7, 1, 9})
	for i := range imports {
		f.Add([]byte{byte(i), 1, 200, 100, 50, 25, 10})
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		script = data
		st := &execution.State{ID: 9, Controllers: []bigfile.Principal{bigfile.Anonymous},
			EnvVars: []execution.EnvVar{{Name: "A", Value: "b"}}}
		for _, in := range []execution.Input{
			{Kind: execution.KindInstall, Wasm: code},
			{Kind: execution.KindUpdate, Method: "u", Arg: []byte("arg")},
			{Kind: execution.KindQuery, Method: "q", DataCertificate: []byte("cert")},
			{Kind: execution.KindHeartbeat},
			{Kind: execution.KindInspectMessage, Method: "u"},
			{Kind: execution.KindUpgrade, Wasm: code},
		} {
			out, err := x.Execute(context.Background(), st, in)
			if err != nil {
				t.Fatalf("%s: %v", in.Kind, err)
			}
			if out.Err != nil && out.Err.Code.RejectCode() != bigfile.RejectCanisterError &&
				out.Err.Code != execution.CodeCanisterRejectedMessage {
				t.Fatalf("%s: unexpected error %v", in.Kind, out.Err)
			}
			st = out.State
		}
	})
}
