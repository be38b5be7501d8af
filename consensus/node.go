package consensus

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/thebigfile/bigfile"
)

// Transport carries encoded artifacts between members. [Node] uses it from
// its own goroutines; implementations must be safe for concurrent use.
// consensus/tcp has one over TLS; consensustest has an in-memory one.
type Transport interface {
	// Send queues msg for peer to. It must not block for long: it may drop
	// the message (the protocol repairs losses). The transport owns msg.
	Send(to bigfile.NodeID, msg []byte)
	// Recv blocks until a message arrives and returns it with the
	// authenticated sender, or returns ctx's error once ctx is done.
	Recv(ctx context.Context) (from bigfile.NodeID, msg []byte, err error)
}

// Deliverer receives finalized batches, in height order, each once;
// message routing satisfies it.
type Deliverer interface {
	DeliverBatch(ctx context.Context, b bigfile.Batch) error
}

// StateFetcher is an optional upgrade of a [Deliverer]: when the node
// resumes from a catch-up package above its delivered height, [Node] calls
// FetchState before delivering later batches, so the state manager can
// sync the state at that height from peers.
type StateFetcher interface {
	FetchState(ctx context.Context, cup *CatchUpPackage) error
}

// StateHasher is an optional upgrade of a [Deliverer]: with
// Config.StateHashes set, [Node] asks it for the state hash after each
// checkpoint batch (one at a summary height) and reports it to the core
// for the catch-up package. It may block until the state is computed.
type StateHasher interface {
	StateHash(ctx context.Context, h bigfile.Height) (bigfile.Hash, error)
}

// NodeConfig configures a [Node].
type NodeConfig struct {
	// Core configures the protocol. Required fields as in [Config].
	Core Config
	// Transport connects the node to its peers. Required.
	Transport Transport
	// Deliverer receives finalized batches. Required.
	Deliverer Deliverer
	// Store persists the pool. Optional: nil keeps nothing, so a restart
	// begins at Core.CUP or genesis. If Store also implements [Loader] and
	// holds artifacts, the node restarts from them.
	Store Store
	// Clock returns the current time. Optional; default time.Now.
	Clock func() time.Time
	// TickInterval is how often the core is ticked. Default 10 ms; delays
	// are honoured to within it.
	TickInterval time.Duration
}

// Node runs a [Core] with goroutines: it ticks it, feeds it what the
// transport receives, persists, sends and delivers what it outputs.
type Node struct {
	cfg    NodeConfig
	core   *Core
	mu     sync.Mutex
	status Status
}

// NewNode builds a node, restarting from cfg.Store when it holds a saved
// pool. It returns errors from [New] or [Restart], or one wrapping
// [ErrInvalidConfig].
func NewNode(cfg NodeConfig) (*Node, error) {
	if cfg.Transport == nil || cfg.Deliverer == nil {
		return nil, fmt.Errorf("%w: Transport and Deliverer are required", ErrInvalidConfig)
	}
	if cfg.Clock == nil {
		cfg.Clock = time.Now
	}
	if cfg.TickInterval <= 0 {
		cfg.TickInterval = 10 * time.Millisecond
	}
	var core *Core
	var err error
	if l, ok := cfg.Store.(Loader); ok {
		arts, delivered, lerr := l.Load()
		if lerr != nil {
			return nil, lerr
		}
		if len(arts) > 0 || delivered > 0 {
			core, err = Restart(cfg.Core, arts, delivered)
		}
	}
	if core == nil && err == nil {
		core, err = New(cfg.Core)
	}
	if err != nil {
		return nil, err
	}
	n := &Node{cfg: cfg, core: core}
	n.status = core.Status()
	return n, nil
}

// Status returns the node's latest progress. Safe for concurrent use.
func (n *Node) Status() Status {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.status
}

type inbound struct {
	from bigfile.NodeID
	a    Artifact
}

// Run runs the node until ctx is done or persisting or delivering fails.
// It returns only after its goroutines have exited: ctx's error, or the
// failure. A Node runs once.
func (n *Node) Run(ctx context.Context) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	in := make(chan inbound, 256)
	var wg sync.WaitGroup
	wg.Add(1)
	// The receiver goroutine decodes off the core's goroutine (decoding a
	// large block costs more than stepping it) and exits when ctx ends; Run
	// waits for it before returning.
	go func() {
		defer wg.Done()
		for {
			from, msg, err := n.cfg.Transport.Recv(ctx)
			if err != nil {
				return
			}
			a, err := Decode(msg)
			if err != nil {
				n.cfg.Core.logger().Debug("consensus: undecodable message", "from", from, "err", err)
				continue
			}
			select {
			case in <- inbound{from, a}:
			case <-ctx.Done():
				return
			}
		}
	}()
	defer wg.Wait()
	tick := time.NewTicker(n.cfg.TickInterval)
	defer tick.Stop()
	n.core.Tick(bigfile.TimeOf(n.cfg.Clock()))
	for {
		if err := n.handle(ctx); err != nil {
			return err
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-tick.C:
			n.core.Tick(bigfile.TimeOf(n.cfg.Clock()))
		case m := <-in:
			n.core.Tick(bigfile.TimeOf(n.cfg.Clock()))
			_ = n.core.Step(m.from, m.a)
			// Drain what else has arrived before handling Ready, so that
			// one Ready covers a burst of messages.
			for more := true; more; {
				select {
				case m := <-in:
					_ = n.core.Step(m.from, m.a)
				default:
					more = false
				}
			}
		}
	}
}

// handle processes the core's Ready: persist, send, fetch state, deliver.
func (n *Node) handle(ctx context.Context) error {
	for n.core.HasReady() {
		rd := n.core.Ready()
		if n.cfg.Store != nil {
			if err := Save(n.cfg.Store, rd); err != nil {
				return fmt.Errorf("consensus: persisting: %w", err)
			}
		}
		for _, m := range rd.Messages {
			msg := Encode(m.Artifact)
			if !m.Broadcast() {
				n.cfg.Transport.Send(m.To, msg)
				continue
			}
			for _, id := range n.core.Nodes() {
				if id != n.cfg.Core.ID {
					n.cfg.Transport.Send(id, msg)
				}
			}
		}
		if rd.CatchUp != nil {
			if sf, ok := n.cfg.Deliverer.(StateFetcher); ok {
				if err := sf.FetchState(ctx, rd.CatchUp); err != nil {
					return fmt.Errorf("consensus: fetching state at %d: %w", rd.CatchUp.Height(), err)
				}
			}
		}
		var hashes []bigfile.Height
		for _, b := range rd.Batches {
			if err := n.cfg.Deliverer.DeliverBatch(ctx, b); err != nil {
				return fmt.Errorf("consensus: delivering batch %d: %w", b.Height, err)
			}
			if b.Checkpoint && n.cfg.Core.StateHashes {
				hashes = append(hashes, b.Height)
			}
		}
		// Recorded after delivery: a crash in between re-delivers batches
		// on restart rather than losing them; the deliverer must tolerate
		// a repeated height (routing checks its expected batch height).
		if n.cfg.Store != nil && (len(rd.Batches) > 0 || rd.CatchUp != nil) {
			if err := n.cfg.Store.SetDelivered(rd.Delivered); err != nil {
				return fmt.Errorf("consensus: persisting: %w", err)
			}
		}
		n.core.Advance(rd)
		if sh, ok := n.cfg.Deliverer.(StateHasher); ok {
			for _, h := range hashes {
				hash, err := sh.StateHash(ctx, h)
				if err != nil {
					return fmt.Errorf("consensus: state hash at %d: %w", h, err)
				}
				n.core.SetStateHash(h, hash)
			}
		}
	}
	st := n.core.Status()
	n.mu.Lock()
	n.status = st
	n.mu.Unlock()
	return nil
}
