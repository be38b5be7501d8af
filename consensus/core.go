package consensus

import (
	"fmt"
	"slices"

	"github.com/thebigfile/bigfile"
)

// Core is the deterministic ICC state machine of one node, in the shape of
// etcd raft's RawNode: it has no goroutines, clock, randomness or I/O.
// Inputs are artifacts from peers ([Core.Step]) and the current time
// ([Core.Tick]); outputs are collected in a [Ready] value that the caller
// persists, sends and delivers before calling [Core.Advance].
//
// A Core is not safe for concurrent use. [Node] wraps one in a goroutine.
type Core struct {
	// The pool is one slot per height from the floor (latest catch-up
	// package) up; slots below the delivered height are trimmed to the
	// chain. Everything else is bookkeeping for timers and outputs.
	cfg   Config
	n, f  int
	me    int                    // index of cfg.ID in cfg.Nodes
	index map[bigfile.NodeID]int // node → position in sorted cfg.Nodes
	now   bigfile.Time
	wake  bigfile.Time // earliest future time at which a Tick can matter (0: none)
	slots map[bigfile.Height]*slot
	dirty map[bigfile.Height]bool // heights with share sets changed since the last aggregation
	peers map[bigfile.NodeID]*peer
	floor bigfile.Height // latest catch-up package height; nothing below is kept
	cup   *CatchUpPackage
	ready Ready // outputs accumulated since the last Advance
	// stateHashes holds state hashes reported for summary heights above
	// the floor (Config.StateHashes).
	stateHashes map[bigfile.Height]bigfile.Hash
	nextSt      bigfile.Time
	lastPr      bigfile.Time // time of the last progress (or retransmission)

	notarized bigfile.Height // every height in (floor, notarized] has a notarized block held
	finalized bigfile.Height // highest height with a finalization held
	delivered bigfile.Height // height of the last batch output
}

// Message is an artifact to send. The zero To means every other member.
type Message struct {
	To       bigfile.NodeID
	Artifact Artifact
}

// Broadcast reports whether m goes to every other member.
func (m Message) Broadcast() bool { return m.To == bigfile.NodeID{} }

// Ready is the core's output since the last [Core.Advance]. The caller
// handles it in this order: persist (Persist, PurgeBelow) — fsynced before
// anything is sent, so a restarted node never contradicts what it signed —
// then send Messages, then fetch state if CatchUp is set, then deliver
// Batches in order, then call Advance. All slices are owned by the caller
// after Ready returns; the artifacts in them must not be modified.
type Ready struct {
	// Persist lists artifacts added to the validated pool, among them the
	// node's own shares and proposals.
	Persist []Artifact
	// PurgeBelow, when non-zero, allows the store to drop everything below
	// that height (a catch-up package there has been adopted).
	PurgeBelow bigfile.Height
	// Messages lists artifacts to send.
	Messages []Message
	// CatchUp is set when the node jumped forward to a catch-up package it
	// had not delivered up to: batches resume after CatchUp's height and the
	// caller must bring its state to that height (state sync).
	CatchUp *CatchUpPackage
	// Batches lists finalized payloads, in height order, each exactly once.
	Batches []bigfile.Batch
	// Delivered is the height of the last batch once Batches are delivered.
	Delivered bigfile.Height
}

// slot holds everything the core knows at one height.
type slot struct {
	proposals map[bigfile.Hash]*Proposal
	state     map[bigfile.Hash]int8 // 0 unchecked, 1 valid, -1 invalid
	notar     map[bigfile.Hash]*Aggregate
	final     *Aggregate // finalization, if held
	beacon    *Aggregate
	shares    map[shareKey]*shareSet
	myNotar   map[bigfile.Hash]bool // blocks this node notarization-signed
	myFinal   bool
	myBeacon  bool
	myCUP     bool
	proposed  bool
	disq      map[int]bool            // ranks whose maker equivocated
	relayed   map[bigfile.NodeID]bool // peers sent this height's notarized proposals
	sigOK     map[bigfile.Hash]bool   // proposals whose maker signature checked out
	started   bool
	start     bigfile.Time // round start: when Height−1 became notarized
	ranks     []int        // rank of each node index, from the beacon at Height−1
	chain     bigfile.Hash // the finalized block, once delivered (or the CUP block)
}

type shareKey struct {
	kind   Kind
	target bigfile.Hash
}

// shareSet collects shares of one (kind, height, target), verified lazily.
type shareSet struct {
	sigs  map[int][]byte // by signer index
	state map[int]int8   // 0 unverified, 1 verified, -1 invalid
	dirty bool           // changed since the last combination attempt
}

type peer struct {
	last     Status
	seen     bool
	syncedAt bigfile.Time
	synced   Status // the status last answered
}

// New returns a core starting from cfg.CUP, or from genesis if that is nil.
// It returns an error wrapping [ErrInvalidConfig] or, for a CUP that does
// not verify, [ErrInvalidArtifact].
func New(cfg Config) (*Core, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	cfg = cfg.withDefaults()
	c := &Core{
		cfg:   cfg,
		n:     len(cfg.Nodes),
		f:     Faults(len(cfg.Nodes)),
		index: make(map[bigfile.NodeID]int, len(cfg.Nodes)),
		slots: map[bigfile.Height]*slot{},
		dirty: map[bigfile.Height]bool{},

		stateHashes: map[bigfile.Height]bigfile.Hash{},
		peers:       map[bigfile.NodeID]*peer{},
	}
	for i, id := range cfg.Nodes {
		c.index[id] = i
	}
	c.me = c.index[cfg.ID]
	cup := cfg.CUP
	if cup == nil {
		cup = Genesis(cfg.GenesisTime)
	} else if err := c.verifyCUP(cup); err != nil {
		return nil, err
	}
	c.adopt(cup)
	c.ready = Ready{}
	return c, nil
}

// Restart returns a core that resumes from artifacts persisted from an
// earlier run (every Ready.Persist since the last purge, in any order) and
// the height of the last batch the caller delivered. The artifacts are
// trusted: they were validated before being persisted.
func Restart(cfg Config, saved []Artifact, delivered bigfile.Height) (*Core, error) {
	c, err := New(cfg)
	if err != nil {
		return nil, err
	}
	// Adopt the highest saved catch-up package first: it sets the floor.
	for _, a := range saved {
		if cup, ok := a.(*CatchUpPackage); ok && cup.Height() > c.floor {
			c.adopt(cup)
		}
	}
	for _, a := range saved {
		if a.ArtifactHeight() <= c.floor {
			continue
		}
		switch a := a.(type) {
		case *Proposal:
			s := c.slot(a.Block.Height)
			s.proposals[a.Hash()] = a
			s.state[a.Hash()] = 1
			if a.Block.Maker == c.cfg.ID {
				s.proposed = true
			}
		case *Share:
			s := c.slot(a.Height)
			i, ok := c.index[a.Signer]
			if !ok {
				continue
			}
			set := s.set(shareKey{a.Type, a.Target})
			set.sigs[i], set.state[i], set.dirty = a.Signature, 1, true
			c.dirty[a.Height] = true
			if i == c.me {
				switch a.Type {
				case KindNotarizationShare:
					s.myNotar[a.Target] = true
				case KindFinalizationShare:
					s.myFinal = true
				case KindBeaconShare:
					s.myBeacon = true
				case KindCUPShare:
					s.myCUP = true
				}
			}
		case *Aggregate:
			s := c.slot(a.Height)
			switch a.Type {
			case KindNotarization:
				s.notar[a.Target] = a
			case KindFinalization:
				s.final = a
				c.finalized = max(c.finalized, a.Height)
			case KindBeacon:
				s.beacon = a
			}
		}
	}
	// Rebuild the delivered chain: walk down from the highest finalization
	// whose ancestry is complete.
	if delivered > c.floor {
		ok := false
		for h := c.finalized; h >= delivered && !ok; h-- {
			if s := c.slots[h]; s != nil && s.final != nil {
				ok = c.markChain(h, s.final.Target, delivered)
			}
		}
		if ok {
			c.delivered = delivered
		} else {
			c.cfg.Logger.Warn("consensus: saved chain incomplete; redelivering from the catch-up package",
				"delivered", delivered, "cup", c.floor)
		}
	}
	c.advanceNotarized()
	c.ready = Ready{}
	return c, nil
}

// markChain walks from block hash at height h down to the floor and, if
// every block is held, records the chain for heights up to upTo.
func (c *Core) markChain(h bigfile.Height, hash bigfile.Hash, upTo bigfile.Height) bool {
	path := map[bigfile.Height]bigfile.Hash{}
	for ; h > c.floor; h-- {
		s := c.slots[h]
		if s == nil || s.proposals[hash] == nil {
			return false
		}
		path[h] = hash
		hash = s.proposals[hash].Block.Parent
	}
	if hash != c.slots[c.floor].chain {
		return false
	}
	for h, hash := range path {
		if h <= upTo {
			c.slots[h].chain = hash
		}
	}
	return true
}

// Genesis returns the catch-up package every subnet starts from: an empty
// block at height 0 with the given time and a fixed beacon. It carries no
// signature and is trusted by configuration.
func Genesis(t bigfile.Time) *CatchUpPackage {
	b := NewProposal(Block{Time: t}, nil)
	beacon := &Aggregate{Type: KindBeacon, Signature: []byte("genesis")}
	return &CatchUpPackage{Block: b, Beacon: beacon}
}

// adopt makes cup the latest catch-up package: the pool below it goes, and
// if the node had not delivered up to it, it resumes there.
func (c *Core) adopt(cup *CatchUpPackage) {
	h := cup.Height()
	for k := range c.slots {
		if k < h {
			delete(c.slots, k)
		}
	}
	c.floor, c.cup = h, cup
	for k := range c.stateHashes {
		if k <= h {
			delete(c.stateHashes, k)
		}
	}
	s := c.slot(h)
	hash := cup.Block.Hash()
	s.proposals[hash] = cup.Block
	s.state[hash] = 1
	s.beacon = cup.Beacon
	s.chain = hash
	if h > 0 {
		c.ready.PurgeBelow = h
	}
	if c.delivered < h {
		if h > 0 {
			c.ready.CatchUp = cup
		}
		c.delivered = h
		c.ready.Delivered = h
	}
	c.finalized = max(c.finalized, h)
	if c.notarized <= h {
		c.notarized = h
		c.slot(h + 1).startRound(c.now)
	}
}

func (c *Core) slot(h bigfile.Height) *slot {
	s := c.slots[h]
	if s == nil {
		s = &slot{
			proposals: map[bigfile.Hash]*Proposal{},
			state:     map[bigfile.Hash]int8{},
			notar:     map[bigfile.Hash]*Aggregate{},
			shares:    map[shareKey]*shareSet{},
			myNotar:   map[bigfile.Hash]bool{},
			disq:      map[int]bool{},
		}
		c.slots[h] = s
	}
	return s
}

func (s *slot) set(k shareKey) *shareSet {
	set := s.shares[k]
	if set == nil {
		set = &shareSet{sigs: map[int][]byte{}, state: map[int]int8{}}
		s.shares[k] = set
	}
	return set
}

func (s *slot) startRound(now bigfile.Time) {
	if !s.started {
		s.started, s.start = true, now
	}
}

// Tick tells the core the current time. Time must not go backwards; an
// earlier time is ignored. The core acts on delays only when ticked, so
// tick at least at [Core.Deadline], or periodically.
func (c *Core) Tick(now bigfile.Time) {
	if now > c.now {
		c.now = now
	}
	c.process()
}

// SetStateHash reports the hash of the replicated state after the batch at
// summary height h (a multiple of Config.SummaryInterval), which the core
// puts in the catch-up package it signs there. Other heights, and heights
// at or below the latest package, are ignored.
func (c *Core) SetStateHash(h bigfile.Height, hash bigfile.Hash) {
	if h <= c.floor || h%c.cfg.SummaryInterval != 0 {
		return
	}
	c.stateHashes[h] = hash
	c.dirty[h] = true
	if s := c.slots[h]; s != nil {
		for k, set := range s.shares {
			if k.kind == KindCUPShare {
				set.dirty = true
			}
		}
	}
	c.process()
}

// Deadline returns the earliest future time at which a Tick could make the
// core act (a maker or notary delay expiring, a status or retransmission
// due), and false if none is pending. Simulators use it to skip idle time.
func (c *Core) Deadline() (bigfile.Time, bool) { return c.wake, c.wake != 0 }

// Step hands the core an artifact received from peer from. Artifacts that
// are stale, duplicated or too far ahead are dropped silently. Step returns
// an error wrapping [ErrUnknownNode] or [ErrInvalidArtifact] for an
// artifact that proves its sender faulty (or corrupt); the caller may
// count these, but the core has already discarded the artifact.
func (c *Core) Step(from bigfile.NodeID, a Artifact) error {
	if _, ok := c.index[from]; !ok {
		return fmt.Errorf("%w: %s", ErrUnknownNode, from)
	}
	err := c.receive(from, a)
	c.process()
	return err
}

// HasReady reports whether [Core.Ready] has anything to handle.
func (c *Core) HasReady() bool {
	r := &c.ready
	return len(r.Persist) > 0 || len(r.Messages) > 0 || len(r.Batches) > 0 || r.PurgeBelow > 0 || r.CatchUp != nil
}

// Ready returns the outputs accumulated since the last Advance. Call
// Advance before the next Step or Tick.
func (c *Core) Ready() Ready {
	rd := c.ready
	rd.Delivered = c.delivered
	return rd
}

// Advance acknowledges that rd, returned by the last Ready, was handled.
func (c *Core) Advance(rd Ready) {
	// The core accumulates into c.ready between Advance calls; Ready hands
	// out that value, so acknowledging it is simply starting afresh.
	c.ready = Ready{}
}

// Status returns the node's progress, as gossiped to peers.
func (c *Core) Status() Status {
	return Status{Notarized: c.notarized, Finalized: c.finalized, Delivered: c.delivered, CUP: c.floor}
}

// Now returns the latest time given to Tick.
func (c *Core) Now() bigfile.Time { return c.now }

// Nodes returns the sorted membership. The caller must not modify it.
func (c *Core) Nodes() []bigfile.NodeID { return c.cfg.Nodes }

// FinalizedHash returns the hash of the finalized block at h, if h has
// been delivered and not purged (or is the catch-up package height).
func (c *Core) FinalizedHash(h bigfile.Height) (bigfile.Hash, bool) {
	if s := c.slots[h]; s != nil && !s.chain.IsZero() {
		return s.chain, true
	}
	return bigfile.Hash{}, false
}

// Ranks returns the block-maker rank of every node (in [Core.Nodes] order)
// at height h, or nil if the beacon at h−1 is not known.
func (c *Core) Ranks(h bigfile.Height) []int { return slices.Clone(c.ranks(h)) }

func (c *Core) send(to bigfile.NodeID, a Artifact) {
	c.ready.Messages = append(c.ready.Messages, Message{To: to, Artifact: a})
}

func (c *Core) broadcast(a Artifact) { c.send(bigfile.NodeID{}, a) }

func (c *Core) persist(a Artifact) { c.ready.Persist = append(c.ready.Persist, a) }

// wakeAt records t as a time at which a Tick will matter.
func (c *Core) wakeAt(t bigfile.Time) {
	if t > c.now && (c.wake == 0 || t < c.wake) {
		c.wake = t
	}
}

// String returns the status in the form traces print it.
func (s Status) String() string {
	return fmt.Sprintf("notarized=%d finalized=%d delivered=%d cup=%d", s.Notarized, s.Finalized, s.Delivered, s.CUP)
}
