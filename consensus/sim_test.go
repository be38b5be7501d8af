package consensus_test

import (
	"flag"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/thebigfile/bigfile"
	"github.com/thebigfile/bigfile/consensus"
	"github.com/thebigfile/bigfile/consensus/consensustest"
)

var (
	simSchedules = flag.Int("schedules", 1000, "random schedules run by TestSimulation")
	simSeed      = flag.Uint64("seed", 0, "run only this TestSimulation seed (0: all)")
	simFirst     = flag.Uint64("firstseed", 1, "first seed of the TestSimulation schedules")
)

func simConfig() consensus.Config {
	return consensus.Config{
		InitialNotaryDelay: 20 * time.Millisecond,
		UnitDelay:          100 * time.Millisecond,
		SummaryInterval:    10,
		StatusInterval:     200 * time.Millisecond,
		RetransmitInterval: 150 * time.Millisecond,
	}
}

// schedule is one random scenario, derived entirely from its seed.
type schedule struct {
	seed      uint64
	n         int
	opts      consensustest.Options
	faulty    map[int]consensustest.Behavior
	crash     map[int]time.Duration // node → crash time
	restart   map[int]time.Duration // node → restart time
	partStart time.Duration
	partEnd   time.Duration // 0: no partition
	side      []int         // the nodes on one side of the partition
	run       time.Duration // disruptions happen before this
	settle    time.Duration // then the network is calm for this long
}

func (s schedule) String() string {
	return fmt.Sprintf("seed=%d n=%d drop=%.2f dup=%.2f jitter=%v faulty=%v crash=%v restart=%v partition=%v..%v side=%v",
		s.seed, s.n, s.opts.Drop, s.opts.Duplicate, s.opts.Jitter, s.faulty, s.crash, s.restart, s.partStart, s.partEnd, s.side)
}

func newSchedule(seed uint64) schedule {
	r := rand.New(rand.NewPCG(seed, 42))
	n := 4
	if r.IntN(3) == 0 {
		n = 7
	}
	f := consensus.Faults(n)
	s := schedule{seed: seed, n: n, faulty: map[int]consensustest.Behavior{}, crash: map[int]time.Duration{},
		restart: map[int]time.Duration{}, run: 1500 * time.Millisecond, settle: 2000 * time.Millisecond}
	s.opts = consensustest.Options{N: n, Seed: seed, Config: simConfig(),
		Delay: time.Duration(5+r.IntN(20)) * time.Millisecond}
	if r.IntN(2) == 0 {
		s.opts.Drop = r.Float64() * 0.2
	}
	if r.IntN(3) == 0 {
		s.opts.Duplicate = r.Float64() * 0.2
	}
	if r.IntN(2) == 0 {
		s.opts.Jitter = time.Duration(r.IntN(30)) * time.Millisecond
	}
	// Up to f faulty nodes, each with one fault.
	for _, i := range r.Perm(n)[:r.IntN(f+1)] {
		switch r.IntN(7) {
		case 6:
			s.faulty[i] = consensustest.Behavior{Forge: true}
		case 0:
			s.faulty[i] = consensustest.Behavior{Equivocate: true}
		case 1:
			s.faulty[i] = consensustest.Behavior{InvalidShares: true}
		case 2:
			s.faulty[i] = consensustest.Behavior{WithholdProposals: true}
		case 3:
			s.faulty[i] = consensustest.Behavior{Silent: true}
		case 4:
			s.crash[i] = time.Duration(r.IntN(1000)) * time.Millisecond
		case 5: // crash and come back: a correct node, checked like the others
			s.crash[i] = time.Duration(r.IntN(800)) * time.Millisecond
			s.restart[i] = s.crash[i] + time.Duration(100+r.IntN(500))*time.Millisecond
		}
	}
	if r.IntN(4) == 0 {
		s.partStart = time.Duration(r.IntN(500)) * time.Millisecond
		s.partEnd = s.partStart + time.Duration(200+r.IntN(600))*time.Millisecond
		s.side = r.Perm(n)[:1+r.IntN(n-1)]
	}
	return s
}

// runSchedule plays s and returns a description of what went wrong, or "".
func runSchedule(s schedule) string {
	c, err := consensustest.NewCluster(s.opts)
	if err != nil {
		return err.Error()
	}
	for i, b := range s.faulty {
		c.Nodes[i].Behavior = b
	}
	type action struct {
		at time.Duration
		do func()
	}
	var acts []action
	for i, at := range s.crash {
		acts = append(acts, action{at, func() { c.Crash(c.Nodes[i]) }})
	}
	for i, at := range s.restart {
		acts = append(acts, action{at, func() {
			if err := c.Restart(c.Nodes[i]); err != nil {
				panic(err)
			}
		}})
	}
	if s.partEnd > 0 {
		acts = append(acts, action{s.partStart, func() {
			var a, b []*consensustest.Node
			in := map[int]bool{}
			for _, i := range s.side {
				in[i] = true
			}
			for _, n := range c.Nodes {
				if in[n.Index] {
					a = append(a, n)
				} else {
					b = append(b, n)
				}
			}
			c.Partition(a, b)
		}})
		acts = append(acts, action{s.partEnd, c.Heal})
	}
	// Play the actions in time order (ties in slice order, deterministic
	// because maps are only read for construction order below).
	for len(acts) > 0 {
		k := 0
		for j := range acts {
			if acts[j].at < acts[k].at {
				k = j
			}
		}
		c.RunUntil(bigfileTime(acts[k].at))
		acts[k].do()
		acts = append(acts[:k], acts[k+1:]...)
	}
	c.RunUntil(bigfileTime(s.run))
	if len(c.Violations) > 0 {
		return fmt.Sprint("safety: ", c.Violations)
	}
	before := c.MinDelivered()
	c.Run(s.settle)
	if debugLog != nil {
		debugLog(c.TakeLog())
	}
	if len(c.Violations) > 0 {
		return fmt.Sprint("safety: ", c.Violations)
	}
	after := c.MinDelivered()
	if after < before+2 {
		st := ""
		for _, n := range c.Nodes {
			st += fmt.Sprintf(" %s%+v crashed=%v", n.Name, n.Core.Status(), n.Crashed)
		}
		return fmt.Sprintf("liveness: delivered height %d → %d in %v of calm;%s", before, after, s.settle, st)
	}
	return ""
}

// TestSimulation plays random schedules (n = 4 or 7; up to f crashed,
// silent, equivocating, share-corrupting, forging or proposal-withholding nodes;
// message loss, duplication, reordering; partitions that heal) and checks
// safety (no two honest nodes deliver different batches at one height,
// batches in order) and liveness (every live honest node delivers at least
// two more heights within two seconds once the network is calm). A failing seed is printed;
// rerun it with -seed.
func TestSimulation(t *testing.T) {
	count := *simSchedules
	if testing.Short() {
		count = min(count, 100)
	}
	seeds := make([]uint64, 0, count)
	if *simSeed != 0 {
		seeds = append(seeds, *simSeed)
	} else {
		for i := range uint64(count) {
			seeds = append(seeds, *simFirst+i)
		}
	}
	failed := 0
	for _, seed := range seeds {
		s := newSchedule(seed)
		if msg := runSchedule(s); msg != "" {
			failed++
			t.Errorf("%s\n  %v\n  reproduce: go test ./consensus -run TestSimulation -seed %d", msg, s, seed)
			if failed >= 5 {
				t.Fatal("too many failures")
			}
		}
	}
}

func bigfileTime(d time.Duration) bigfile.Time { return bigfile.Time(d) }

var debugLog func(string)
