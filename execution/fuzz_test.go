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
// The calls the cube manages to make are answered (alternately replied
// and rejected), running random callbacks, until none is outstanding; the
// call contexts must then all be closed.
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
		// canister_init does nothing, so that a script that traps there
		// (any call, for instance) still gets to run as an update.
		"canister_init": func(*executiontest.Call) error { return nil }, "canister_update u": body, "canister_query q": body,
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
	// call_new to the management cube (empty principal) with closures 0
	// and 1, then call_perform: a call that is answered.
	idx := func(name string) byte {
		for i, im := range imports {
			if im.Name == name {
				return byte(i)
			}
		}
		panic(name)
	}
	f.Add([]byte{idx("call_new"), 0, 0, 0, 0, 0, 0, 0, 1, 0, idx("call_perform"), 0})
	f.Add([]byte{idx("call_new"), 0, 0, 0, 0, 0, 2, 0, 3, 0, idx("call_on_cleanup"), 0, 4, 0,
		idx("call_cycles_add128"), 0, 0, 0, idx("call_perform"), 0, idx("msg_reply"), 0})
	f.Fuzz(func(t *testing.T, data []byte) {
		script = data
		var pending []bigfile.Request
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
			pending = append(pending, out.Requests...)
		}
		if len(pending) > 0 && testing.Verbose() {
			t.Logf("%d calls made", len(pending))
		}
		for round := 0; len(pending) > 0 && round < 4; round++ {
			reqs := pending
			pending = nil
			for i, rq := range reqs {
				r := &bigfile.Response{Originator: rq.Sender, Respondent: rq.Receiver, Callback: rq.Callback,
					Refund: rq.Cycles, Reply: []byte("reply")}
				if i%2 == 1 {
					r.Reply, r.Reject, r.RejectMessage = nil, bigfile.RejectCanisterReject, "no"
				}
				out, err := x.Execute(context.Background(), st, execution.Input{Kind: execution.KindResponse, Response: r})
				if err != nil {
					t.Fatalf("response: %v", err)
				}
				st = out.State
				pending = append(pending, out.Requests...)
			}
		}

		if len(pending) == 0 && (len(st.Callbacks) != 0 || len(st.CallContexts) != 0 || st.OpenCallContexts != 0) {
			t.Fatalf("all calls answered, yet %d callbacks, %d contexts, open %d", len(st.Callbacks),
				len(st.CallContexts), st.OpenCallContexts)
		}
	})
}
