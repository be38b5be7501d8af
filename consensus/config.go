package consensus

import (
	"fmt"
	"log/slog"
	"slices"
	"time"

	"github.com/thebigfile/bigfile"
)

// Config configures a [Core]. The zero value of each optional field means
// its default; [Config.Validate] reports what is missing or inconsistent.
type Config struct {
	// ID is the local node. Required; must be in Nodes.
	ID bigfile.NodeID
	// Nodes is the subnet's membership, every node once; order does not
	// matter (the core sorts a copy). n = len(Nodes) tolerates
	// f = (n−1)/3 faulty nodes. Required.
	Nodes []bigfile.NodeID
	// Signer signs for ID. Required.
	Signer Signer
	// Verifier checks and combines everyone's signatures. Required.
	Verifier Verifier
	// Payloads builds and checks block payloads. Optional: nil makes empty
	// blocks and accepts any payload.
	Payloads Payloads

	// InitialNotaryDelay is how long a notary waits after a round starts
	// before it signs a rank-0 block; it caps the block rate. Default 300 ms.
	InitialNotaryDelay time.Duration
	// UnitDelay is the extra wait per rank: a rank-r maker proposes after
	// r×UnitDelay, a notary signs a rank-r block after InitialNotaryDelay +
	// r×UnitDelay×1.5^(notarized−finalized height). Default 1 s.
	UnitDelay time.Duration
	// SummaryInterval is the distance between summary heights, where
	// catch-up packages are made and the pool is purged. Default 500.
	SummaryInterval bigfile.Height
	// StatusInterval is how often the node gossips its [Status], which
	// peers answer with what it lacks. Default 1 s.
	StatusInterval time.Duration
	// RetransmitInterval: when neither the notarized nor the finalized
	// height advances for this long, the node re-sends its own artifacts
	// of the open heights and relays the proposals it notarized, repairing
	// lost messages. Default 2 s.
	RetransmitInterval time.Duration
	// SyncWindow is the number of heights sent to a lagging peer in answer
	// to one status report, and how far above its notarized height the
	// core accepts artifacts. Default 16.
	SyncWindow int

	// StateHashes makes catch-up package shares wait until the caller
	// has reported the state hash at the summary height with
	// [Core.SetStateHash] ([Node] asks a [StateHasher] deliverer), so
	// packages certify the state a resuming node syncs to. When false,
	// packages carry a zero state hash.
	StateHashes bool

	// Genesis is the starting point when the node has no catch-up package:
	// the genesis block's time. Ignored when CUP is set.
	GenesisTime bigfile.Time
	// CUP, when set, is a catch-up package to start from instead of
	// genesis (a node joining a running subnet). It is verified.
	CUP *CatchUpPackage

	// Logger receives debug messages. Optional; default discards.
	Logger *slog.Logger
}

// Validate reports whether c is usable, as an error wrapping
// [ErrInvalidConfig].
func (c *Config) Validate() error {
	bad := func(format string, args ...any) error {
		return fmt.Errorf("%w: "+format, append([]any{ErrInvalidConfig}, args...)...)
	}
	switch {
	case len(c.Nodes) == 0:
		return bad("no nodes")
	case !slices.Contains(c.Nodes, c.ID):
		return bad("ID %s not in Nodes", c.ID)
	case c.Signer == nil:
		return bad("no Signer")
	case c.Verifier == nil:
		return bad("no Verifier")
	case c.InitialNotaryDelay < 0 || c.UnitDelay < 0 || c.StatusInterval < 0 || c.RetransmitInterval < 0:
		return bad("negative delay")
	case c.SyncWindow < 0:
		return bad("negative SyncWindow")
	}
	seen := map[bigfile.NodeID]bool{}
	for _, n := range c.Nodes {
		if seen[n] {
			return bad("node %s listed twice", n)
		}
		seen[n] = true
	}
	return nil
}

// withDefaults returns a copy of c with defaults filled in.
func (c Config) withDefaults() Config {
	if c.InitialNotaryDelay == 0 {
		c.InitialNotaryDelay = 300 * time.Millisecond
	}
	if c.UnitDelay == 0 {
		c.UnitDelay = time.Second
	}
	if c.SummaryInterval == 0 {
		c.SummaryInterval = 500
	}
	if c.StatusInterval == 0 {
		c.StatusInterval = time.Second
	}
	if c.RetransmitInterval == 0 {
		c.RetransmitInterval = 2 * time.Second
	}
	if c.SyncWindow == 0 {
		c.SyncWindow = 16
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	c.Nodes = slices.Clone(c.Nodes)
	slices.SortFunc(c.Nodes, bigfile.NodeID.Compare)
	return c
}

// Faults returns f, the number of faulty nodes a subnet of n tolerates.
func Faults(n int) int {
	if n < 1 {
		return 0
	}
	return (n - 1) / 3
}

func (c *Config) logger() *slog.Logger {
	if c.Logger == nil {
		return slog.New(slog.DiscardHandler)
	}
	return c.Logger
}
