package consensus_test

import (
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/thebigfile/bigfile"
	"github.com/thebigfile/bigfile/consensus"
	"github.com/thebigfile/bigfile/consensus/consensustest"
)

func TestConfigValidate(t *testing.T) {
	ids := []bigfile.NodeID{consensustest.NodeID(0), consensustest.NodeID(1)}
	keys := consensustest.NewCrypto("cfg", ids)
	good := consensus.Config{ID: ids[0], Nodes: ids, Signer: keys.Signer(ids[0]), Verifier: keys}
	if err := good.Validate(); err != nil {
		t.Fatalf("valid config: %v", err)
	}
	for name, mod := range map[string]func(*consensus.Config){
		"no nodes":       func(c *consensus.Config) { c.Nodes = nil },
		"ID not member":  func(c *consensus.Config) { c.ID = consensustest.NodeID(9) },
		"no signer":      func(c *consensus.Config) { c.Signer = nil },
		"no verifier":    func(c *consensus.Config) { c.Verifier = nil },
		"negative delay": func(c *consensus.Config) { c.UnitDelay = -time.Second },
		"duplicate node": func(c *consensus.Config) { c.Nodes = []bigfile.NodeID{ids[0], ids[0]} },
	} {
		c := good
		mod(&c)
		if err := c.Validate(); !errors.Is(err, consensus.ErrInvalidConfig) {
			t.Errorf("%s: err = %v, want ErrInvalidConfig", name, err)
		}
		if _, err := consensus.New(c); !errors.Is(err, consensus.ErrInvalidConfig) {
			t.Errorf("%s: New err = %v", name, err)
		}
	}
}

func TestFaults(t *testing.T) {
	for n, want := range map[int]int{0: 0, 1: 0, 3: 0, 4: 1, 7: 2, 13: 4, 28: 9, 34: 11, 40: 13} {
		if got := consensus.Faults(n); got != want {
			t.Errorf("Faults(%d) = %d, want %d", n, got, want)
		}
	}
}

// TestRanking checks that ranks are a permutation, deterministic, and
// spread: over many beacons every node is leader sometimes.
func TestRanking(t *testing.T) {
	for _, n := range []int{1, 4, 7, 13} {
		leaders := make([]int, n)
		for i := range 200 {
			beacon := bigfile.Sum256(fmt.Appendf(nil, "beacon %d", i))
			r := consensus.Ranking(beacon, n)
			sorted := slices.Sorted(slices.Values(r))
			for j := range n {
				if sorted[j] != j {
					t.Fatalf("n=%d: ranks %v not a permutation", n, r)
				}
			}
			if !slices.Equal(r, consensus.Ranking(beacon, n)) {
				t.Fatal("ranking not deterministic")
			}
			leaders[slices.Index(r, 0)]++
		}
		for i, c := range leaders {
			if c < 200/n/3 {
				t.Errorf("n=%d: node %d led %d of 200 heights", n, i, c)
			}
		}
	}
}

// TestRestartResumes stops a node and rebuilds it from its store: it
// resumes at the heights it had reached, and afterwards never re-signs a
// share it had already signed nor signs a second finalization or beacon
// share at one height.
func TestRestartResumes(t *testing.T) {
	c, err := consensustest.NewCluster(consensustest.Options{N: 4, Seed: 3, Drop: 0.05, Config: simConfig()})
	if err != nil {
		t.Fatal(err)
	}
	c.Run(time.Second)
	n := c.Nodes[0]
	before := n.Core.Status()
	c.Crash(n)
	if err := c.Restart(n); err != nil {
		t.Fatal(err)
	}
	after := n.Core.Status()
	if after.Delivered != before.Delivered || after.Notarized < before.Notarized || after.CUP != before.CUP {
		t.Fatalf("restarted at %v, stopped at %v", after, before)
	}
	c.Run(time.Second)
	if n.Delivered < before.Delivered+3 {
		t.Fatalf("restarted node delivered %d, stopped at %d", n.Delivered, before.Delivered)
	}
	arts, _, _ := n.Store.Load()
	type key struct {
		kind consensus.Kind
		h    bigfile.Height
	}
	seen := map[string]bool{}
	targets := map[key]bigfile.Hash{}
	for _, a := range arts {
		s, ok := a.(*consensus.Share)
		if !ok || s.Signer != n.ID {
			continue
		}
		id := fmt.Sprint(s.Type, s.Height, s.Target)
		if seen[id] {
			t.Errorf("re-signed %s at %d", s.Type, s.Height)
		}
		seen[id] = true
		if s.Type == consensus.KindNotarizationShare {
			continue
		}
		k := key{s.Type, s.Height}
		if prev, ok := targets[k]; ok && prev != s.Target {
			t.Errorf("two %ss at %d", s.Type, s.Height)
		}
		targets[k] = s.Target
	}
	if len(c.Violations) > 0 {
		t.Fatal(c.Violations)
	}
}

// TestCUPFromConfig starts a node from a catch-up package (a new node
// joining a running subnet) and checks that a forged package is refused.
func TestCUPFromConfig(t *testing.T) {
	c, err := consensustest.NewCluster(consensustest.Options{N: 4, Seed: 5, Config: simConfig()})
	if err != nil {
		t.Fatal(err)
	}
	c.Run(time.Second)
	arts, _, _ := c.Nodes[1].Store.Load()
	var cup *consensus.CatchUpPackage
	for _, a := range arts {
		if p, ok := a.(*consensus.CatchUpPackage); ok && (cup == nil || p.Height() > cup.Height()) {
			cup = p
		}
	}
	if cup == nil {
		t.Fatal("no catch-up package made in 1 s with SummaryInterval 10")
	}
	ids := c.Nodes[0].Core.Nodes()
	cfg := consensus.Config{ID: ids[0], Nodes: ids, Signer: c.Crypto.Signer(ids[0]), Verifier: c.Crypto, CUP: cup}
	core, err := consensus.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if st := core.Status(); st.CUP != cup.Height() || st.Delivered != cup.Height() {
		t.Errorf("started at %v, want the package height %d", st, cup.Height())
	}
	forged := *cup
	forged.StateHash = bigfile.Sum256([]byte("other state"))
	cfg.CUP = &forged
	if _, err := consensus.New(cfg); !errors.Is(err, consensus.ErrInvalidArtifact) {
		t.Errorf("forged package: err = %v, want ErrInvalidArtifact", err)
	}
}

// TestStepRejectsStrangers: artifacts from non-members are refused.
func TestStepRejectsStrangers(t *testing.T) {
	ids := []bigfile.NodeID{consensustest.NodeID(0), consensustest.NodeID(1), consensustest.NodeID(2), consensustest.NodeID(3)}
	keys := consensustest.NewCrypto("x", ids)
	core, err := consensus.New(consensus.Config{ID: ids[0], Nodes: ids, Signer: keys.Signer(ids[0]), Verifier: keys})
	if err != nil {
		t.Fatal(err)
	}
	stranger := consensustest.NodeID(99)
	if err := core.Step(stranger, &consensus.Status{}); !errors.Is(err, consensus.ErrUnknownNode) {
		t.Errorf("status from stranger: %v", err)
	}
	share := &consensus.Share{Type: consensus.KindBeaconShare, Height: 1, Signer: stranger, Signature: []byte("x")}
	if err := core.Step(ids[1], share); !errors.Is(err, consensus.ErrUnknownNode) {
		t.Errorf("share by stranger: %v", err)
	}
	bad := &consensus.Aggregate{Type: consensus.KindNotarization, Height: 1, Signers: ids[:3], Signature: []byte("forged")}
	if err := core.Step(ids[1], bad); !errors.Is(err, consensus.ErrInvalidArtifact) {
		t.Errorf("forged notarization: %v", err)
	}
}

// TestCUPStateHash: with Config.StateHashes, catch-up packages carry the
// state hash reported at their height, and progress does not stall on it.
func TestCUPStateHash(t *testing.T) {
	cfg := simConfig()
	cfg.StateHashes = true
	state := func(h bigfile.Height) bigfile.Hash { return bigfile.Sum256(fmt.Appendf(nil, "state %d", h)) }
	c, err := consensustest.NewCluster(consensustest.Options{N: 4, Seed: 9, Config: cfg, StateHash: state})
	if err != nil {
		t.Fatal(err)
	}
	c.Run(time.Second)
	for _, n := range c.Nodes {
		if n.Core.Status().CUP < 20 {
			t.Errorf("%s: latest catch-up package at %d, want ≥ 20", n.Name, n.Core.Status().CUP)
		}
		arts, _, _ := n.Store.Load()
		for _, a := range arts {
			if cup, ok := a.(*consensus.CatchUpPackage); ok && cup.StateHash != state(cup.Height()) {
				t.Errorf("%s: package at %d has state hash %s", n.Name, cup.Height(), cup.StateHash)
			}
		}
	}
}
