package consensustest

import (
	"container/heap"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"math/rand/v2"
	"sort"
	"strings"
	"time"

	"github.com/thebigfile/bigfile"
	"github.com/thebigfile/bigfile/consensus"
)

// Options configures a simulated [Cluster]. Durations are simulated time.
type Options struct {
	N    int    // number of nodes; required
	Seed uint64 // seeds every random choice of the network

	// Delay is the one-way latency of every link (default 10 ms); LinkDelay
	// overrides it per (from, to) pair of node indices.
	Delay     time.Duration
	LinkDelay map[[2]int]time.Duration
	// Jitter adds a uniform random [0, Jitter) to each message's latency,
	// which reorders messages.
	Jitter time.Duration
	// Drop and Duplicate are the probabilities that a message is lost, or
	// delivered twice (the copy with its own latency).
	Drop, Duplicate float64

	// Config is the template for every node's core: delays and intervals.
	// ID, Nodes, Signer, Verifier and Payloads are filled in.
	Config consensus.Config
	// Items and ItemSize shape the fake payload of each block (default one
	// empty item).
	Items, ItemSize int
	// StateHash, when set, plays the state manager: after each checkpoint
	// batch the cluster reports StateHash(height) to the node's core
	// (Core.SetStateHash). Use it with Config.StateHashes.
	StateHash func(bigfile.Height) bigfile.Hash
	// Keys, when set, signs and verifies in place of the fake [Crypto]
	// (real BLS keys for benchmarks, say). It must know NodeID(0..N−1).
	Keys Keys
	// Log, when set, records protocol events (proposals, deliveries,
	// catch-ups) for [Cluster.TakeLog].
	Log bool
	// Verbose adds each node's notarization and finalization shares and
	// every notarization and finalization it stores to the log.
	Verbose bool
}

// Keys gives each node's signer and the subnet's verifier.
type Keys interface {
	Signer(bigfile.NodeID) consensus.Signer
	consensus.Verifier
}

// Behavior makes a node Byzantine for tests. Its core stays honest; the
// cluster distorts what it sends.
type Behavior struct {
	Equivocate        bool // as a maker, send one block to half the peers and another to the rest
	InvalidShares     bool // corrupt the signature of every share it sends
	WithholdProposals bool // never send its own proposals
	Silent            bool // send nothing at all
	// Forge makes it also send, for each share and proposal of its own, a
	// copy in another member's name with its own (so invalid) signature.
	Forge bool
}

// Honest reports whether b is the zero behaviour.
func (b Behavior) Honest() bool { return b == Behavior{} }

// Node is one simulated replica.
type Node struct {
	Index    int
	ID       bigfile.NodeID
	Name     string // "n1", "n2", … in creation order
	Core     *consensus.Core
	Store    *consensus.MemStore
	Crashed  bool
	Behavior Behavior
	// Delivered is the height of the last batch delivered, and
	// DeliveredAt the simulated time each height was delivered.
	Delivered   bigfile.Height
	DeliveredAt map[bigfile.Height]bigfile.Time
	cfg         consensus.Config
}

// Cluster is a deterministic simulation of a subnet: n cores over an
// in-memory network with seeded faults, in simulated time. It is driven by
// [Cluster.Run]; nothing runs in the background.
type Cluster struct {
	opts   Options
	Nodes  []*Node
	Crypto *Crypto // the fake keys (used unless Options.Keys is set)
	keys   Keys
	now    bigfile.Time
	rng    *rand.Rand
	q      events
	seq    uint64
	cut    map[[2]int]bool
	byID   map[bigfile.NodeID]*Node
	final  map[bigfile.Height]string // batch digest first delivered at each height
	// Violations lists safety violations found: two honest nodes delivering
	// different batches at one height, or batches out of order.
	Violations []string
	// ProposedAt records when each block was first sent.
	ProposedAt map[bigfile.Hash]bigfile.Time
	twins      map[bigfile.Hash]bool // second blocks made by equivocating makers
	// Sent counts messages put on the network.
	Sent int
	log  strings.Builder
}

// NewCluster builds and starts a cluster (every node at genesis, time 0).
func NewCluster(o Options) (*Cluster, error) {
	if o.N < 1 {
		return nil, fmt.Errorf("consensustest: N = %d", o.N)
	}
	if o.Delay == 0 {
		o.Delay = 10 * time.Millisecond
	}
	c := &Cluster{
		opts:       o,
		rng:        rand.New(rand.NewPCG(o.Seed, o.Seed^0x9e3779b97f4a7c15)),
		cut:        map[[2]int]bool{},
		byID:       map[bigfile.NodeID]*Node{},
		final:      map[bigfile.Height]string{},
		ProposedAt: map[bigfile.Hash]bigfile.Time{},
		twins:      map[bigfile.Hash]bool{},
	}
	ids := make([]bigfile.NodeID, o.N)
	for i := range ids {
		ids[i] = NodeID(i)
	}
	c.Crypto = NewCrypto("sim", ids)
	c.keys = o.Keys
	if c.keys == nil {
		c.keys = c.Crypto
	}
	for i, id := range ids {
		cfg := o.Config
		cfg.ID, cfg.Nodes = id, ids
		cfg.Signer, cfg.Verifier = c.keys.Signer(id), c.keys
		cfg.Payloads = &Payloads{Maker: id, Items: o.Items, ItemSize: o.ItemSize}
		core, err := consensus.New(cfg)
		if err != nil {
			return nil, err
		}
		n := &Node{Index: i, ID: id, Name: fmt.Sprintf("n%d", i+1), Core: core, Store: consensus.NewMemStore(),
			DeliveredAt: map[bigfile.Height]bigfile.Time{}, cfg: cfg}
		c.Nodes = append(c.Nodes, n)
		c.byID[id] = n
	}
	for _, n := range c.Nodes {
		n.Core.Tick(0)
		c.drain(n)
	}
	return c, nil
}

// NodeID returns the id of the i-th simulated node: the self-authenticating
// principal of a made-up key, so ids sort differently from indices.
func NodeID(i int) bigfile.NodeID {
	return bigfile.NodeIDFromPublicKey(fmt.Appendf(nil, "sim-node-key-%d", i))
}

// Now returns the simulated time.
func (c *Cluster) Now() bigfile.Time { return c.now }

// Node returns the node named name ("n1", …), or nil.
func (c *Cluster) Node(name string) *Node {
	for _, n := range c.Nodes {
		if n.Name == name {
			return n
		}
	}
	return nil
}

// Name returns the name of the node with id, or its principal.
func (c *Cluster) Name(id bigfile.NodeID) string {
	if n := c.byID[id]; n != nil {
		return n.Name
	}
	return id.String()
}

// TakeLog returns and clears the event log.
func (c *Cluster) TakeLog() string {
	s := c.log.String()
	c.log.Reset()
	return s
}

func (c *Cluster) logf(format string, args ...any) {
	if c.opts.Log {
		fmt.Fprintf(&c.log, "%6s ", time.Duration(c.now).String())
		fmt.Fprintf(&c.log, format, args...)
		c.log.WriteByte('\n')
	}
}

// Run advances simulated time by d, delivering messages and ticking nodes
// at their deadlines.
func (c *Cluster) Run(d time.Duration) { c.RunUntil(c.now.Add(d)) }

// RunUntil advances simulated time to t.
func (c *Cluster) RunUntil(t bigfile.Time) {
	// Discrete-event loop: jump to the earliest of the next message and
	// the nodes' deadlines (Core.Deadline), so idle simulated time costs
	// nothing. Messages win ties with deadlines at the same instant only
	// by coming first in this order, which is fixed, so runs reproduce.
	for {
		next, isMsg := t+1, false
		if len(c.q) > 0 && c.q[0].at < next {
			next, isMsg = c.q[0].at, true
		}
		for _, n := range c.Nodes {
			if dl, ok := n.Core.Deadline(); ok && !n.Crashed && dl < next {
				next, isMsg = dl, false
			}
		}
		if next > t {
			c.now = t
			return
		}
		c.now = next
		if isMsg {
			ev := heap.Pop(&c.q).(*event)
			n := c.Nodes[ev.to]
			if n.Crashed {
				continue
			}
			n.Core.Tick(c.now)
			n.Core.Step(ev.from, ev.a)
			c.drain(n)
			continue
		}
		for _, n := range c.Nodes {
			if dl, ok := n.Core.Deadline(); ok && !n.Crashed && dl <= c.now {
				n.Core.Tick(c.now)
				c.drain(n)
			}
		}
	}
}

// drain handles a node's Ready: persist, send, deliver, advance.
func (c *Cluster) drain(n *Node) {
	for n.Core.HasReady() {
		rd := n.Core.Ready()
		if err := consensus.Save(n.Store, rd); err != nil {
			panic(err) // MemStore does not fail
		}
		for _, a := range rd.Persist {
			switch a := a.(type) {
			case *consensus.CatchUpPackage:
				c.logf("%s: catch-up package %d", n.Name, a.Height())
			case *consensus.Share:
				if c.opts.Verbose && a.Type != consensus.KindBeaconShare {
					c.logf("%s: %s %d %s", n.Name, a.Type, a.Height, short(a.Target))
				}
			case *consensus.Aggregate:
				if c.opts.Verbose && a.Type != consensus.KindBeacon {
					c.logf("%s: got %s %d %s", n.Name, a.Type, a.Height, short(a.Target))
				}
			}
		}
		for _, m := range rd.Messages {
			if p, ok := m.Artifact.(*consensus.Proposal); ok && p.Block.Maker == n.ID {
				if _, seen := c.ProposedAt[p.Hash()]; !seen {
					c.ProposedAt[p.Hash()] = c.now
					c.logf("%s: propose %d rank %d %s", n.Name, p.Block.Height, p.Block.Rank, short(p.Hash()))
				}
			}
			c.send(n, m)
		}
		if rd.CatchUp != nil {
			c.logf("%s: resume from catch-up package %d", n.Name, rd.CatchUp.Height())
			n.Delivered = rd.CatchUp.Height()
		}
		for _, b := range rd.Batches {
			c.deliver(n, b)
		}
		n.Store.SetDelivered(rd.Delivered)
		n.Core.Advance(rd)
		if c.opts.StateHash != nil {
			for _, b := range rd.Batches {
				if b.Checkpoint {
					n.Core.SetStateHash(b.Height, c.opts.StateHash(b.Height))
				}
			}
		}
	}
}

// deliver records a batch and checks the safety properties: batches come
// in height order, and every honest node's batch at a height is the same.
// Byzantine nodes run honest cores, but their deliveries are not held to
// the property, which is about honest nodes only.
func (c *Cluster) deliver(n *Node, b bigfile.Batch) {
	if b.Height != n.Delivered+1 {
		c.Violations = append(c.Violations, fmt.Sprintf("%s delivered %d after %d", n.Name, b.Height, n.Delivered))
	}
	n.Delivered = b.Height
	n.DeliveredAt[b.Height] = c.now
	hash, _ := n.Core.FinalizedHash(b.Height)
	c.logf("%s: deliver %d %s", n.Name, b.Height, short(hash))
	if !n.Behavior.Honest() {
		return
	}
	d := digest(b)
	if prev, ok := c.final[b.Height]; !ok {
		c.final[b.Height] = d
	} else if prev != d {
		c.Violations = append(c.Violations, fmt.Sprintf("height %d: %s delivered a different batch", b.Height, n.Name))
	}
}

// digest identifies a batch's content for the agreement check. The fake
// payloads carry maker- and height-specific nonces, so different blocks
// give different digests.
func digest(b bigfile.Batch) string {
	h := sha256.New()
	binary.Write(h, binary.BigEndian, uint64(b.Height))
	binary.Write(h, binary.BigEndian, uint64(b.Time))
	h.Write(b.Randomness[:])
	for _, m := range b.Ingress {
		h.Write(m.Sender.Bytes())
		h.Write(m.Nonce)
		h.Write(m.Arg)
	}
	return string(h.Sum(nil))
}

// short abbreviates a hash for logs, as git does.
func short(h bigfile.Hash) string { return h.String()[:8] }

// send puts a node's message on the network, distorted by its behaviour.
func (c *Cluster) send(n *Node, m consensus.Message) {
	b := n.Behavior
	if b.Silent {
		return
	}
	a := m.Artifact
	if p, ok := a.(*consensus.Proposal); ok && p.Block.Maker == n.ID {
		if b.WithholdProposals {
			return
		}
		if b.Equivocate && m.Broadcast() && !c.twins[p.Hash()] {
			alt := c.twin(n, p)
			c.twins[alt.Hash()] = true
			if _, seen := c.ProposedAt[alt.Hash()]; !seen {
				c.ProposedAt[alt.Hash()] = c.now
			}
			c.logf("%s: equivocate %d: %s and %s", n.Name, p.Block.Height, short(p.Hash()), short(alt.Hash()))
			peers := c.others(n)
			for i, to := range peers {
				if i < len(peers)/2 {
					c.post(n, to, p)
				} else {
					c.post(n, to, alt)
				}
			}
			return
		}
	}
	if b.Forge {
		c.forge(n, a)
	}
	if s, ok := a.(*consensus.Share); ok && b.InvalidShares {
		bad := *s
		bad.Signature = append([]byte{}, s.Signature...)
		bad.Signature[0] ^= 0xff
		a = &bad
	}
	if m.Broadcast() {
		for _, to := range c.others(n) {
			c.post(n, to, a)
		}
		return
	}
	if to := c.byID[m.To]; to != nil {
		c.post(n, to, a)
	}
}

// twin returns a second, validly signed block for p's height and rank.
func (c *Cluster) twin(n *Node, p *consensus.Proposal) *consensus.Proposal {
	b := p.Block
	b.Payload.Ingress = append(append([]bigfile.Ingress{}, b.Payload.Ingress...),
		bigfile.Ingress{Sender: n.ID.Principal, Method: "twin", Nonce: []byte("twin")})
	sig, _ := c.keys.Signer(n.ID).Sign(consensus.SchemeBasic, consensus.ProposalSignedBytes(b.Hash()))
	return consensus.NewProposal(b, sig)
}

// others returns every node but n, in index order.
func (c *Cluster) others(n *Node) []*Node {
	var out []*Node
	for _, m := range c.Nodes {
		if m != n {
			out = append(out, m)
		}
	}
	return out
}

// post schedules delivery of a from one node to another with faults.
func (c *Cluster) post(from, to *Node, a consensus.Artifact) {
	// Faults are drawn from the cluster's one seeded source in a fixed
	// order, so the whole schedule is a function of the seed.
	if c.cut[[2]int{from.Index, to.Index}] {
		return
	}
	copies := 1
	if c.opts.Duplicate > 0 && c.rng.Float64() < c.opts.Duplicate {
		copies = 2
	}
	for range copies {
		if c.opts.Drop > 0 && c.rng.Float64() < c.opts.Drop {
			continue
		}
		d := c.opts.Delay
		if ld, ok := c.opts.LinkDelay[[2]int{from.Index, to.Index}]; ok {
			d = ld
		}
		if c.opts.Jitter > 0 {
			d += time.Duration(c.rng.Int64N(int64(c.opts.Jitter)))
		}
		c.seq++
		c.Sent++
		heap.Push(&c.q, &event{at: c.now.Add(d), seq: c.seq, from: from.ID, to: to.Index, a: a})
	}
}

// Crash stops a node: it receives and sends nothing until Restart.
func (c *Cluster) Crash(n *Node) { n.Crashed = true }

// Restart rebuilds a crashed node's core from its store, as after a
// process restart.
func (c *Cluster) Restart(n *Node) error {
	arts, delivered, err := n.Store.Load()
	if err != nil {
		return err
	}
	core, err := consensus.Restart(n.cfg, arts, delivered)
	if err != nil {
		return err
	}
	n.Core, n.Crashed = core, false
	core.Tick(c.now)
	c.drain(n)
	return nil
}

// Partition cuts every link between nodes of different groups; nodes in no
// group are cut off from all.
func (c *Cluster) Partition(groups ...[]*Node) {
	group := map[int]int{}
	for g, ns := range groups {
		for _, n := range ns {
			group[n.Index] = g + 1
		}
	}
	for _, a := range c.Nodes {
		for _, b := range c.Nodes {
			if a != b && (group[a.Index] == 0 || group[a.Index] != group[b.Index]) {
				c.cut[[2]int{a.Index, b.Index}] = true
			}
		}
	}
}

// Heal restores every link.
func (c *Cluster) Heal() { clear(c.cut) }

// MinDelivered returns the lowest delivered height among live honest nodes.
func (c *Cluster) MinDelivered() bigfile.Height {
	first, low := true, bigfile.Height(0)
	for _, n := range c.Nodes {
		if n.Crashed || !n.Behavior.Honest() {
			continue
		}
		if first || n.Delivered < low {
			low, first = n.Delivered, false
		}
	}
	return low
}

// Latencies returns, for every block delivered by a live honest node, the
// simulated time from the block's proposal to its delivery, sorted.
func (c *Cluster) Latencies() []time.Duration {
	var out []time.Duration
	for _, n := range c.Nodes {
		if n.Crashed || !n.Behavior.Honest() {
			continue
		}
		for h, at := range n.DeliveredAt {
			hash, ok := n.Core.FinalizedHash(h)
			if !ok {
				continue
			}
			if t, ok := c.ProposedAt[hash]; ok {
				out = append(out, at.Sub(t))
			}
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out
}

// event is a message in flight, due at a simulated time; seq breaks ties
// in sending order, which keeps the heap order (and so the run) fixed.
type event struct {
	at   bigfile.Time
	seq  uint64
	from bigfile.NodeID
	to   int
	a    consensus.Artifact
}

// events is a min-heap of events by (at, seq), for container/heap.
type events []*event

func (q events) Len() int { return len(q) }
func (q events) Less(i, j int) bool {
	return q[i].at < q[j].at || q[i].at == q[j].at && q[i].seq < q[j].seq
}
func (q events) Swap(i, j int) { q[i], q[j] = q[j], q[i] }
func (q *events) Push(x any)   { *q = append(*q, x.(*event)) }
func (q *events) Pop() any {
	old := *q
	e := old[len(old)-1]
	*q = old[:len(old)-1]
	return e
}

// forge sends every peer a copy of a in the name of another member.
func (c *Cluster) forge(n *Node, a consensus.Artifact) {
	victim := c.Nodes[(n.Index+1+c.rng.IntN(len(c.Nodes)-1))%len(c.Nodes)]
	var fake consensus.Artifact
	switch a := a.(type) {
	case *consensus.Share:
		f := *a
		f.Signer = victim.ID
		fake = &f
	case *consensus.Proposal:
		b := a.Block
		b.Maker = victim.ID
		fake = consensus.NewProposal(b, a.Signature)
	default:
		return
	}
	for _, to := range c.others(n) {
		c.post(n, to, fake)
	}
}
