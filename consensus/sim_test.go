package consensus_test

import (
	"testing"
	"time"

	"github.com/thebigfile/bigfile/consensus"
	"github.com/thebigfile/bigfile/consensus/consensustest"
)

func simConfig() consensus.Config {
	return consensus.Config{
		InitialNotaryDelay: 20 * time.Millisecond,
		UnitDelay:          100 * time.Millisecond,
		SummaryInterval:    10,
		StatusInterval:     200 * time.Millisecond,
		RetransmitInterval: 400 * time.Millisecond,
	}
}

func TestSmoke(t *testing.T) {
	c, err := consensustest.NewCluster(consensustest.Options{N: 4, Seed: 1, Config: simConfig(), Log: true})
	if err != nil {
		t.Fatal(err)
	}
	c.Run(2 * time.Second)
	t.Log(c.TakeLog())
	for _, n := range c.Nodes {
		t.Logf("%s: %+v", n.Name, n.Core.Status())
	}
	if len(c.Violations) > 0 {
		t.Fatal(c.Violations)
	}
}
