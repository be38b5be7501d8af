package routing_test

import (
	"encoding/binary"
	"fmt"
	"strings"
	"testing"

	"github.com/cockroachdb/datadriven"
	"github.com/thebigfile/bigfile"
	"github.com/thebigfile/bigfile/routing"
	"github.com/thebigfile/bigfile/routing/routingtest"
)

// TestTraces replays the scripts in testdata/ (datadriven; regenerate with
// go test ./routing -run TestTraces -rewrite and review the diff).
//
// Commands:
//
//	setup [stream-max=N] [queue=N]    three subnets a, b, c; callers 1..3 on a, doublers 100, 101 on b and 200 on c
//	ingress name=X from=CUBE to=CUBE n=N    queue a call for the next step (cube 1..3 calls cube TO with N)
//	step [drop=(a,b)] [migrate=(CUBE,c)]    one round; drop leaves out the slices a→b; migrate moves a cube at this height
//	status X                           the ingress status of call X
func TestTraces(t *testing.T) {
	datadriven.Walk(t, "testdata", func(t *testing.T, path string) {
		var tr *trace
		datadriven.RunTest(t, path, func(t *testing.T, d *datadriven.TestData) string {
			switch d.Cmd {
			case "setup":
				tr = newTrace(t, d)
				return ""
			case "ingress":
				var name string
				var from, to, n int
				d.ScanArgs(t, "name", &name)
				d.ScanArgs(t, "from", &from)
				d.ScanArgs(t, "to", &to)
				d.ScanArgs(t, "n", &n)
				in := callIngressFrom(bigfile.CubeID(from), bigfile.CubeID(to), uint64(n), len(tr.names))
				tr.names[name] = in.ID()
				tr.pending = append(tr.pending, in)
				return ""
			case "step":
				return tr.step(t, d)
			case "status":
				st, _ := tr.nodes[0].r.History().Get(tr.names[d.CmdArgs[0].Key])
				switch st.Status {
				case routing.StatusReplied:
					return fmt.Sprintf("replied %d\n", binary.BigEndian.Uint64(st.Reply))
				case routing.StatusRejected:
					return fmt.Sprintf("rejected %s: %s\n", st.RejectCode, st.RejectMessage)
				}
				return st.Status.String() + "\n"
			}
			d.Fatalf(t, "unknown command %s", d.Cmd)
			return ""
		})
	})
}

type trace struct {
	nodes   []*node // a, b, c
	net     *routingtest.Net
	names   map[string]bigfile.MessageID
	pending []bigfile.Ingress
	caller  *caller
}

var traceSubnets = map[string]bigfile.SubnetID{"a": subnetA, "b": subnetB, "c": subnetC}

func subnetName(s bigfile.SubnetID) string {
	for k, v := range traceSubnets {
		if v == s {
			return k
		}
	}
	return s.String()
}

func newTrace(t *testing.T, d *datadriven.TestData) *trace {
	streamMax, queue := 0, 0
	d.MaybeScanArgs(t, "stream-max", &streamMax)
	d.MaybeScanArgs(t, "queue", &queue)
	tweak := func(c *routing.Config) { c.MaxStreamMessages, c.QueueCapacity = streamMax, queue }
	keys := routingtest.NewKeys()
	tr := &trace{names: map[string]bigfile.MessageID{}, caller: newCaller()}
	tr.nodes = []*node{
		newNode(t, keys, subnetA, []bigfile.CubeID{1, 2, 3}, tweak),
		newNode(t, keys, subnetB, []bigfile.CubeID{100, 101}, tweak),
		newNode(t, keys, subnetC, []bigfile.CubeID{200}, tweak),
	}
	tr.net = routingtest.NewNet(tr.nodes[0].r, tr.nodes[1].r, tr.nodes[2].r)
	tr.net.Time = t0
	for _, id := range []bigfile.CubeID{1, 2, 3} {
		tr.net.Handlers[id.Principal()] = tr.caller.handle
	}
	for _, id := range []bigfile.CubeID{100, 101, 150, 200} {
		tr.net.Handlers[id.Principal()] = doubler
	}
	return tr
}

func (tr *trace) step(t *testing.T, d *datadriven.TestData) string {
	var drop [2]string
	if d.MaybeScanArgs(t, "drop", &drop[0], &drop[1]) {
		from, to := traceSubnets[drop[0]], traceSubnets[drop[1]]
		tr.net.Tamper = func(f, tt bigfile.SubnetID, data []byte) []byte {
			if f == from && tt == to {
				return nil
			}
			return data
		}
	} else {
		tr.net.Tamper = nil
	}
	var mig struct {
		cube int
		to   string
	}
	if d.MaybeScanArgs(t, "migrate", &mig.cube, &mig.to) {
		r := bigfile.CubeRange{Start: bigfile.CubeID(mig.cube), End: bigfile.CubeID(mig.cube)}
		for _, n := range tr.nodes {
			if err := n.r.Migrate(tr.net.Height, r, traceSubnets[mig.to]); err != nil {
				t.Fatal(err)
			}
		}
		// The cube's state moves with it: it exists on its new subnet only.
		for _, n := range tr.nodes {
			if n.r.Subnet() == traceSubnets[mig.to] {
				n.cubes.Add(bigfile.CubeID(mig.cube), routing.CubeInfo{Liquid: bigfile.CyclesFromUint64(1e12)})
			} else {
				n.cubes.Remove(bigfile.CubeID(mig.cube))
			}
		}
	}
	in := map[bigfile.SubnetID][]bigfile.Ingress{subnetA: tr.pending}
	tr.pending = nil
	errs := len(tr.caller.errs)
	if err := tr.net.Step(in); err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "height %d\n", tr.net.Height-1)
	for _, err := range tr.caller.errs[errs:] {
		fmt.Fprintf(&b, "call refused: %v\n", err)
	}
	for _, n := range tr.nodes {
		name := subnetName(n.r.Subnet())
		for _, s := range tr.net.Reports[n.r.Subnet()].Slices {
			if s.Err != nil {
				fmt.Fprintf(&b, "%s: slice from %s refused: %v\n", name, subnetName(s.From), s.Err)
			} else if s.Inducted > 0 {
				fmt.Fprintf(&b, "%s: slice from %s: %d inducted\n", name, subnetName(s.From), s.Inducted)
			}
		}
	}
	for _, n := range tr.nodes {
		for _, peer := range tr.nodes {
			if peer == n {
				continue
			}
			h := n.r.StreamHeader(peer.r.Subnet())
			if h.End == 0 && h.SignalsEnd == 0 {
				continue
			}
			fmt.Fprintf(&b, "stream %s→%s: messages [%d,%d) signals-end %d", subnetName(n.r.Subnet()), subnetName(peer.r.Subnet()), h.Begin, h.End, h.SignalsEnd)
			if len(h.RejectSignals) > 0 {
				fmt.Fprintf(&b, " reject-signals %v", h.RejectSignals)
			}
			b.WriteString("\n")
		}
		if w := n.r.OutputLen(); w > 0 {
			fmt.Fprintf(&b, "%s: %d requests wait for stream space\n", subnetName(n.r.Subnet()), w)
		}
	}
	return b.String()
}
