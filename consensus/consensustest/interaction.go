package consensustest

import (
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cockroachdb/datadriven"

	"github.com/thebigfile/bigfile"
	"github.com/thebigfile/bigfile/consensus"
)

// InteractionEnv runs datadriven scripts against a simulated [Cluster], in
// the manner of etcd raft's rafttest.InteractionEnv. Commands:
//
//	init n=4 [seed=1] [delay=50ms] [jitter=0s] [drop=0.1] [dup=0.1]
//	     [notary=20ms] [unit=100ms] [interval=10] [status=200ms]
//	     [retransmit=300ms] [verbose]   start a cluster at genesis
//	run for=300ms                       advance simulated time; print events
//	crash n2 / restart n2               stop a node / restart it from its store
//	byzantine n1 equivocate|invalid-shares|withhold|silent|forge|honest
//	partition n1,n2 n3,n4 / heal        cut links between groups / restore them
//	ranks h=3                           block-maker ranks at a height
//	status                              each node's heights
//	check                               safety report
type InteractionEnv struct {
	C *Cluster
}

// Handle runs one command and returns its output.
func (e *InteractionEnv) Handle(t *testing.T, d *datadriven.TestData) string {
	out, err := e.handle(d)
	if err != nil {
		return "error: " + err.Error() + "\n"
	}
	return out
}

// args splits a command's arguments into key=value pairs and bare words
// (node names, behaviours); bare words also appear as keys with no value.
func args(d *datadriven.TestData) (map[string]string, []string) {
	kv := map[string]string{}
	var pos []string
	for _, a := range d.CmdArgs {
		if len(a.Vals) == 0 {
			pos = append(pos, a.Key)
			kv[a.Key] = ""
		} else {
			kv[a.Key] = strings.Join(a.Vals, ",")
		}
	}
	return kv, pos
}

// handle runs one command. Errors become part of the expected output, so a
// script may also show what is refused.
func (e *InteractionEnv) handle(d *datadriven.TestData) (string, error) {
	kv, pos := args(d)
	dur := func(k string, def time.Duration) (time.Duration, error) {
		if v, ok := kv[k]; ok {
			return time.ParseDuration(v)
		}
		return def, nil
	}
	num := func(k string, def float64) (float64, error) {
		if v, ok := kv[k]; ok {
			return strconv.ParseFloat(v, 64)
		}
		return def, nil
	}
	if d.Cmd != "init" && e.C == nil {
		return "", fmt.Errorf("no cluster; use init")
	}
	switch d.Cmd {
	case "init":
		var o Options
		var err error
		var f float64
		errs := []error{}
		f, err = num("n", 4)
		o.N = int(f)
		errs = append(errs, err)
		f, err = num("seed", 1)
		o.Seed = uint64(f)
		errs = append(errs, err)
		o.Delay, err = dur("delay", 50*time.Millisecond)
		errs = append(errs, err)
		o.Jitter, err = dur("jitter", 0)
		errs = append(errs, err)
		o.Drop, err = num("drop", 0)
		errs = append(errs, err)
		o.Duplicate, err = num("dup", 0)
		errs = append(errs, err)
		o.Config.InitialNotaryDelay, err = dur("notary", 20*time.Millisecond)
		errs = append(errs, err)
		o.Config.UnitDelay, err = dur("unit", 100*time.Millisecond)
		errs = append(errs, err)
		o.Config.StatusInterval, err = dur("status", 200*time.Millisecond)
		errs = append(errs, err)
		o.Config.RetransmitInterval, err = dur("retransmit", 300*time.Millisecond)
		errs = append(errs, err)
		f, err = num("interval", 10)
		o.Config.SummaryInterval = bigfile.Height(f)
		errs = append(errs, err)
		for _, err := range errs {
			if err != nil {
				return "", err
			}
		}
		_, o.Verbose = kv["verbose"]
		o.Log = true
		c, err := NewCluster(o)
		if err != nil {
			return "", err
		}
		e.C = c
		var b strings.Builder
		for _, n := range c.Nodes {
			fmt.Fprintf(&b, "%s: %s\n", n.Name, n.ID)
		}
		return b.String() + c.TakeLog(), nil
	case "run":
		d, err := dur("for", time.Second)
		if err != nil {
			return "", err
		}
		e.C.Run(d)
		return e.C.TakeLog(), nil
	case "crash", "restart":
		var b strings.Builder
		for _, name := range pos {
			n := e.C.Node(name)
			if n == nil {
				return "", fmt.Errorf("no node %s", name)
			}
			if d.Cmd == "crash" {
				e.C.Crash(n)
				fmt.Fprintf(&b, "%s crashed at %s\n", name, n.Core.Status().String())
			} else {
				if err := e.C.Restart(n); err != nil {
					return "", err
				}
				fmt.Fprintf(&b, "%s restarted at %s\n", name, n.Core.Status().String())
			}
		}
		return b.String() + e.C.TakeLog(), nil
	case "byzantine":
		if len(pos) != 2 {
			return "", fmt.Errorf("usage: byzantine <node> <behaviour>")
		}
		n := e.C.Node(pos[0])
		if n == nil {
			return "", fmt.Errorf("no node %s", pos[0])
		}
		switch pos[1] {
		case "equivocate":
			n.Behavior = Behavior{Equivocate: true}
		case "invalid-shares":
			n.Behavior = Behavior{InvalidShares: true}
		case "withhold":
			n.Behavior = Behavior{WithholdProposals: true}
		case "silent":
			n.Behavior = Behavior{Silent: true}
		case "forge":
			n.Behavior = Behavior{Forge: true}
		case "honest":
			n.Behavior = Behavior{}
		default:
			return "", fmt.Errorf("unknown behaviour %q", pos[1])
		}
		return "ok\n", nil
	case "partition":
		var groups [][]*Node
		for _, a := range d.CmdArgs {
			var g []*Node
			for _, name := range append(strings.Split(a.Key, ","), a.Vals...) {
				if n := e.C.Node(name); n != nil {
					g = append(g, n)
				} else {
					return "", fmt.Errorf("no node %s", name)
				}
			}
			groups = append(groups, g)
		}
		e.C.Partition(groups...)
		return "ok\n", nil
	case "heal":
		e.C.Heal()
		return "ok\n", nil
	case "ranks":
		f, err := num("h", 1)
		if err != nil {
			return "", err
		}
		for _, n := range e.C.Nodes {
			if n.Crashed {
				continue
			}
			r := n.Core.Ranks(bigfile.Height(f))
			if r == nil {
				continue
			}
			names := make([]string, len(r))
			for i, id := range n.Core.Nodes() {
				names[r[i]] = e.C.Name(id)
			}
			return fmt.Sprintf("height %d: %s (ranks 0..%d make blocks)\n", int(f), strings.Join(names, " "), consensus.Faults(len(r))), nil
		}
		return "", fmt.Errorf("no node knows the beacon below height %d", int(f))
	case "status":
		var b strings.Builder
		for _, n := range e.C.Nodes {
			state := ""
			if n.Crashed {
				state = " (crashed)"
			} else if !n.Behavior.Honest() {
				state = " (byzantine)"
			}
			fmt.Fprintf(&b, "%s: %s%s\n", n.Name, n.Core.Status().String(), state)
		}
		return b.String(), nil
	case "check":
		if len(e.C.Violations) > 0 {
			return "VIOLATIONS:\n" + strings.Join(e.C.Violations, "\n") + "\n", nil
		}
		return fmt.Sprintf("safe: honest nodes agree on every delivered height; lowest live honest delivered height %d\n", e.C.MinDelivered()), nil
	}
	return "", fmt.Errorf("unknown command %q", d.Cmd)
}
