package consensus

import (
	"crypto/sha256"
	"encoding/binary"
	"math"
	"slices"
	"sort"
	"time"

	"github.com/thebigfile/bigfile"
)

// process runs the protocol's sub-components until none changes anything,
// finalization first (as the Internet Computer does, lest notarization
// outrun it): aggregate shares, advance heights, sign finalization shares,
// deliver, make catch-up packages, sign beacon shares, notarize, propose,
// and run the gossip timers.
func (c *Core) process() {
	// Every pass starts afresh on the wake-up time: sub-components that
	// wait for a delay record when it expires (wakeAt).
	c.wake = 0
	// Each sub-component may enable another (a notarization enables a
	// finalization share, a beacon enables a proposal), so repeat until
	// nothing changes. 64 passes is far more than any input needs; the
	// bound only guards against a bug looping forever.
	for i := 0; i < 64; i++ {
		changed := c.aggregate()
		changed = c.advanceNotarized() || changed
		changed = c.finalize() || changed
		changed = c.deliver() || changed
		changed = c.makeCUPShare() || changed
		changed = c.makeBeaconShare() || changed
		changed = c.notarize() || changed
		changed = c.propose() || changed
		if !changed {
			break
		}
	}
	c.timers()
}

func (c *Core) progress() { c.lastPr = c.now }

// ---- aggregation ----

// threshold returns how many shares of kind k make an aggregate.
func (c *Core) threshold(k Kind) int {
	if k == KindBeaconShare {
		return c.f + 1
	}
	return c.n - c.f
}

// aggregate combines share sets that reached their threshold and are still
// useful. It combines unverified shares and verifies the result once; only
// when that fails does it verify the shares singly and drop the bad ones.
func (c *Core) aggregate() bool {
	changed := false
	hs := make([]bigfile.Height, 0, len(c.dirty))
	for h := range c.dirty {
		hs = append(hs, h)
	}
	slices.Sort(hs)
	clear(c.dirty)
	for _, h := range hs {
		s := c.slots[h]
		if s == nil {
			continue // purged by a catch-up package adopted in this loop
		}
		for _, key := range s.shareKeys() {
			set := s.shares[key]
			if !set.dirty {
				continue
			}
			set.dirty = false
			if !c.wanted(h, s, key) {
				continue
			}
			if a := c.combine(h, key, set); a != nil {
				if key.kind == KindCUPShare {
					cup := &CatchUpPackage{Block: s.proposals[s.chain], Beacon: s.beacon,
						StateHash: c.stateHashes[h], Signature: a.Signature}
					c.adopt(cup)
					c.persist(cup)
				} else {
					c.store(a)
				}
				changed = true
			}
		}
	}
	return changed
}

// wanted reports whether an aggregate for the share set is still needed.
func (c *Core) wanted(h bigfile.Height, s *slot, key shareKey) bool {
	switch key.kind {
	case KindNotarizationShare:
		return h > c.finalized && s.notar[key.target] == nil
	case KindFinalizationShare:
		return h > c.finalized
	case KindBeaconShare:
		prev := c.beaconAt(h - 1)
		return s.beacon == nil && prev != nil && prev.BeaconHash() == key.target
	case KindCUPShare:
		content, ok := c.cupContent(h, s)
		return ok && h > c.floor && h <= c.delivered && content == key.target
	}
	return false
}

func (c *Core) combine(h bigfile.Height, key shareKey, set *shareSet) *Aggregate {
	t := c.threshold(key.kind)
	scheme := key.kind.scheme()
	msg := SignedBytes(key.kind.aggregateOf(), h, key.target)
	for {
		var idx []int
		for i, st := range set.state {
			if st == 1 {
				idx = append(idx, i)
			}
		}
		for i := range set.sigs {
			if set.state[i] == 0 {
				idx = append(idx, i)
			}
		}
		if len(idx) < t {
			return nil
		}
		// Prefer verified shares, then the lowest indices, deterministically:
		// a known-good share never needs checking again, and a fixed choice
		// keeps simulations reproducible.
		sort.Slice(idx, func(a, b int) bool {
			va, vb := set.state[idx[a]] == 1, set.state[idx[b]] == 1
			if va != vb {
				return va
			}
			return idx[a] < idx[b]
		})
		idx = idx[:t]
		sort.Ints(idx)
		signers := make([]bigfile.NodeID, t)
		sigs := make([][]byte, t)
		for j, i := range idx {
			signers[j], sigs[j] = c.cfg.Nodes[i], set.sigs[i]
		}
		sig, err := c.cfg.Verifier.Combine(scheme, msg, signers, sigs)
		if err == nil {
			err = c.cfg.Verifier.VerifyCombined(scheme, msg, signers, sig)
		}
		if err == nil {
			for _, i := range idx {
				set.state[i] = 1
			}
			a := &Aggregate{Type: key.kind.aggregateOf(), Height: h, Target: key.target, Signature: sig}
			if key.kind != KindBeaconShare && key.kind != KindCUPShare {
				a.Signers = signers
			}
			return a
		}
		// The combination failed, so at least one unverified share in it is
		// bad. Check them singly, mark the culprits, and loop to combine
		// again from what is left. Give up if every share checks out
		// singly: then the verifier is inconsistent, and retrying would
		// spin.
		bad := false
		shareMsg := SignedBytes(key.kind, h, key.target)
		for _, i := range idx {
			if set.state[i] != 0 {
				continue
			}
			if c.cfg.Verifier.Verify(scheme, c.cfg.Nodes[i], shareMsg, set.sigs[i]) == nil {
				set.state[i] = 1
			} else {
				set.state[i] = -1
				bad = true
				c.cfg.Logger.Debug("consensus: invalid share", "kind", key.kind, "height", h, "signer", c.cfg.Nodes[i])
			}
		}
		if !bad {
			c.cfg.Logger.Error("consensus: combined signature invalid though shares verify", "kind", key.kind, "height", h)
			return nil
		}
	}
}

// ---- heights and rounds ----

// advanceNotarized raises the notarized height over every following
// height that has a notarized block held, starting the next round.
func (c *Core) advanceNotarized() bool {
	changed := false
	// Contiguity matters: the maker needs the chain of blocks down to the
	// delivered height to build a payload, so a notarization far ahead
	// (received by sync) only counts once the heights below are filled.
	for {
		s := c.slots[c.notarized+1]
		if s == nil || c.chainBlockNotarized(s) == nil {
			return changed
		}
		c.notarized++
		c.slot(c.notarized + 1).startRound(c.now)
		c.progress()
		changed = true
	}
}

func (c *Core) chainBlockNotarized(s *slot) *Proposal {
	if !s.chain.IsZero() {
		return s.proposals[s.chain]
	}
	for hash := range s.notar {
		if p := s.proposals[hash]; p != nil {
			return p
		}
	}
	return nil
}

// ranks returns the rank of every node index at height h, derived from the
// beacon at h−1: a permutation drawn with SHA-256 in counter mode, seeded by
// the beacon hash and a purpose tag.
func (c *Core) ranks(h bigfile.Height) []int {
	if h == 0 {
		return nil
	}
	s := c.slots[h]
	if s != nil && s.ranks != nil {
		return s.ranks
	}
	prev := c.beaconAt(h - 1)
	if prev == nil {
		return nil
	}
	r := Ranking(prev.BeaconHash(), c.n)
	c.slot(h).ranks = r
	return r
}

// Ranking returns the block-maker rank of each of n nodes (sorted by id)
// given the hash of the previous height's random beacon.
func Ranking(beacon bigfile.Hash, n int) []int {
	seed := sha256.Sum256(append([]byte("BlockmakerRanking"), beacon[:]...))
	perm := make([]int, n)
	for i := range perm {
		perm[i] = i
	}
	var ctr uint64
	next := func() uint64 {
		var buf [40]byte
		copy(buf[:], seed[:])
		binary.BigEndian.PutUint64(buf[32:], ctr)
		ctr++
		d := sha256.Sum256(buf[:])
		return binary.BigEndian.Uint64(d[:8])
	}
	// Fisher–Yates. The modulo bias is below 2^-50 for any subnet size and
	// irrelevant next to the beacon's own unpredictability.
	for i := n - 1; i > 0; i-- {
		j := int(next() % uint64(i+1))
		perm[i], perm[j] = perm[j], perm[i]
	}
	ranks := make([]int, n)
	for pos, node := range perm {
		ranks[node] = pos
	}
	return ranks
}

// backoff is 1.5^(notarized−finalized): when finalization lags (several
// blocks notarized per height, an asynchronous period), higher ranks wait
// longer so that one block per height is notarized again.
func (c *Core) backoff() float64 {
	gap := 0
	if c.notarized > c.finalized {
		gap = int(min(c.notarized-c.finalized, 10))
	}
	return math.Pow(1.5, float64(gap))
}

// makerDelay is when a rank-r maker proposes, after the round start.
func (c *Core) makerDelay(r int) time.Duration {
	return time.Duration(float64(c.cfg.UnitDelay) * float64(r) * c.backoff())
}

// notaryDelay is when a notary signs a rank-r block, after the round start.
func (c *Core) notaryDelay(r int) time.Duration {
	return c.cfg.InitialNotaryDelay + time.Duration(float64(c.cfg.UnitDelay)*float64(r)*c.backoff())
}

// ---- finalization and delivery ----

// finalize signs a finalization share at each open notarized height where
// exactly one block is notarized and this node notarization-signed no
// other block: then no other block at that height can be finalized.
func (c *Core) finalize() bool {
	changed := false
	for h := c.finalized + 1; h <= c.notarized; h++ {
		s := c.slots[h]
		if s == nil || s.myFinal || len(s.notar) != 1 {
			continue
		}
		var target bigfile.Hash
		for t := range s.notar {
			target = t
		}
		// The safety rule: a node that notarization-signed another block at
		// h must never finality-sign here, or two blocks could each gather
		// n−f supporters. The block itself need not be held.
		other := false
		for t := range s.myNotar {
			other = other || t != target
		}
		if other {
			continue
		}
		if c.share(KindFinalizationShare, h, target) {
			s.myFinal = true
			changed = true
		}
	}
	return changed
}

// share signs, records, persists and broadcasts this node's share.
func (c *Core) share(k Kind, h bigfile.Height, target bigfile.Hash) bool {
	sig, err := c.cfg.Signer.Sign(k.scheme(), SignedBytes(k, h, target))
	if err != nil {
		c.cfg.Logger.Error("consensus: signing failed", "kind", k, "height", h, "err", err)
		return false
	}
	sh := &Share{Type: k, Height: h, Target: target, Signer: c.cfg.ID, Signature: sig}
	set := c.slot(h).set(shareKey{k, target})
	set.sigs[c.me], set.state[c.me], set.dirty = sig, 1, true
	c.dirty[h] = true
	c.persist(sh)
	c.broadcast(sh)
	return true
}

// deliver outputs the batches of finalized heights in order: the block of
// the highest finalization whose ancestry down to the delivered height is
// held, and that ancestry.
func (c *Core) deliver() bool {
	if c.finalized <= c.delivered {
		return false
	}
	for top := c.finalized; top > c.delivered; top-- {
		s := c.slots[top]
		if s == nil || s.final == nil {
			continue
		}
		var chain []*Proposal
		hash, ok := s.final.Target, true
		for h := top; h > c.delivered; h-- {
			p := c.slots[h].proposalOrNil(hash)
			if p == nil {
				ok = false
				break
			}
			chain = append(chain, p)
			hash = p.Block.Parent
		}
		if !ok {
			continue
		}
		if hash != c.slots[c.delivered].chain {
			// Only possible if more than f nodes are faulty (or the store
			// lied at restart): never deliver a conflicting history.
			c.cfg.Logger.Error("consensus: finalized chain does not extend the delivered one", "height", top)
			return false
		}
		delivered := false
		for i := len(chain) - 1; i >= 0; i-- {
			p := chain[i]
			h := p.Block.Height
			ds := c.slots[h]
			if ds.beacon == nil {
				break // the batch's randomness is not here yet
			}
			ds.chain = p.Hash()
			c.markValid(ds, p)
			c.ready.Batches = append(c.ready.Batches, bigfile.Batch{
				Height:     h,
				Time:       p.Block.Time,
				Randomness: ds.beacon.BeaconHash(),
				Ingress:    p.Block.Payload.Ingress,
				XNet:       p.Block.Payload.XNet,
				Checkpoint: h%c.cfg.SummaryInterval == 0,
			})
			c.delivered = h
			c.trim(h)
			delivered = true
			c.advanceNotarized()
		}
		return delivered
	}
	return false
}

func (s *slot) proposalOrNil(hash bigfile.Hash) *Proposal {
	if s == nil {
		return nil
	}
	return s.proposals[hash]
}

// trim drops what a delivered height no longer needs in memory: shares,
// blocks off the chain and their notarizations. The store keeps them until
// the next catch-up package purges it.
func (c *Core) trim(h bigfile.Height) {
	s := c.slots[h]
	for k := range s.shares {
		if k.kind != KindCUPShare {
			delete(s.shares, k)
		}
	}
	for hash := range s.proposals {
		if hash != s.chain {
			delete(s.proposals, hash)
			delete(s.state, hash)
			delete(s.notar, hash)
		}
	}
}

// makeCUPShare signs the catch-up package content at a delivered summary
// height above the latest package.
func (c *Core) makeCUPShare() bool {
	iv := c.cfg.SummaryInterval
	top := c.delivered - c.delivered%iv
	if top <= c.floor {
		return false
	}
	s := c.slots[top]
	if s == nil || s.myCUP {
		return false
	}
	content, ok := c.cupContent(top, s)
	if !ok {
		return false
	}
	if c.share(KindCUPShare, top, content) {
		s.myCUP = true
		return true
	}
	return false
}

// ---- beacon, notary, block maker ----

// makeBeaconShare signs the beacon share for the next height once the
// previous beacon is held and the previous height is notarized.
func (c *Core) makeBeaconShare() bool {
	h := c.notarized + 1
	s := c.slot(h)
	prev := c.beaconAt(h - 1)
	if s.myBeacon || s.beacon != nil || prev == nil {
		return false
	}
	if c.share(KindBeaconShare, h, prev.BeaconHash()) {
		s.myBeacon = true
		return true
	}
	return false
}

// best returns the lowest rank at the open height with a valid proposal
// from a maker that did not equivocate, and that proposal. It validates
// proposals lazily, in rank order, so a node checks at most the proposals
// it might sign (plus a rival of the same rank, to detect equivocation).
func (c *Core) best(h bigfile.Height) (int, *Proposal) {
	s := c.slots[h]
	if s == nil {
		return -1, nil
	}
	byRank := map[int][]*Proposal{}
	var ranks []int
	for _, p := range s.sortedProposals() {
		r := p.Block.Rank
		if byRank[r] == nil {
			ranks = append(ranks, r)
		}
		byRank[r] = append(byRank[r], p)
	}
	slices.Sort(ranks)
	for _, r := range ranks {
		if s.disq[r] {
			continue
		}
		var valid []*Proposal
		for _, p := range byRank[r] {
			if c.validate(h, s, p) {
				valid = append(valid, p)
			}
		}
		switch len(valid) {
		case 0:
			continue
		case 1:
			return r, valid[0]
		default:
			// Two valid blocks of one maker: disqualify the rank and show
			// the evidence to everyone, since peers that saw one block only
			// would otherwise keep waiting for its notarization.
			c.cfg.Logger.Debug("consensus: maker equivocated", "height", h, "rank", r)
			s.disq[r] = true
			for _, p := range valid {
				c.broadcast(p)
			}
		}
	}
	return -1, nil
}

// validate checks a proposal at the open height h once; it returns whether
// it is valid. A proposal that cannot be checked yet (missing beacon or
// parent) counts as not valid and is checked again later.
func (c *Core) validate(h bigfile.Height, s *slot, p *Proposal) bool {
	hash := p.Hash()
	switch s.state[hash] {
	case 1:
		return true
	case -1:
		return false
	}
	ranks := c.ranks(h)
	if ranks == nil {
		return false
	}
	b := &p.Block
	i, ok := c.index[b.Maker]
	if !ok || ranks[i] != b.Rank || b.Rank > c.f || b.Height != h {
		s.state[hash] = -1
		return false
	}
	// The parent must be a notarized block we hold (or the delivered chain
	// block, whose notarization may have been trimmed). Without it the
	// proposal stays unchecked, not invalid: the parent may still arrive.
	ps := c.slots[h-1]
	parent := ps.proposalOrNil(b.Parent)
	if parent == nil || (ps.notar[b.Parent] == nil && ps.chain != b.Parent) {
		return false // wait for the parent
	}
	past, ok := c.past(parent)
	if !ok {
		if h-1 <= c.delivered {
			s.state[hash] = -1 // extends a block off the finalized chain
		}
		return false
	}
	// Block times never decrease along the chain, so batch times do not.
	// (The block time is not checked against the local clock: makers'
	// clocks are trusted to within what the payload validator enforces.)
	if b.Time < parent.Block.Time {
		s.state[hash] = -1
		return false
	}
	if !c.signedByMaker(s, p) {
		c.cfg.Logger.Debug("consensus: bad proposal signature", "height", h, "maker", b.Maker)
		return false
	}
	if c.cfg.Payloads != nil {
		ctx := PayloadContext{Height: h, Time: b.Time, Past: past}
		if err := c.cfg.Payloads.ValidatePayload(ctx, b.Payload); err != nil {
			c.cfg.Logger.Debug("consensus: invalid payload", "height", h, "err", err)
			s.state[hash] = -1
			return false
		}
	}
	c.markValid(s, p)
	return true
}

// past returns the payloads of parent and its ancestors above the delivered
// height, and false if one is missing or the chain leaves the finalized one.
func (c *Core) past(parent *Proposal) ([]Payload, bool) {
	var past []Payload
	p := parent
	for p.Block.Height > c.delivered {
		past = append(past, p.Block.Payload)
		p = c.slots[p.Block.Height-1].proposalOrNil(p.Block.Parent)
		if p == nil {
			return nil, false
		}
	}
	if p.Block.Height < c.floor || c.slots[p.Block.Height].chain != p.Hash() {
		return nil, false
	}
	return past, true
}

// notarize signs a notarization share for the best proposal at the open
// height once its rank's notary delay has passed.
func (c *Core) notarize() bool {
	h := c.notarized + 1
	s := c.slots[h]
	if s == nil || !s.started {
		return false
	}
	// Several blocks may be signed at one height (a lower-ranked one
	// arriving late, or a better rank after an equivocator was
	// disqualified), but always the best one known at signing time.
	r, p := c.best(h)
	if p == nil || s.myNotar[p.Hash()] {
		return false
	}
	due := s.start.Add(c.notaryDelay(r))
	if c.now < due {
		c.wakeAt(due)
		return false
	}
	if c.share(KindNotarizationShare, h, p.Hash()) {
		s.myNotar[p.Hash()] = true
		return true
	}
	return false
}

// propose makes this node's block at the open height if its rank is at
// most f, its delay has passed and no better-ranked valid block is known.
func (c *Core) propose() bool {
	h := c.notarized + 1
	s := c.slot(h)
	ranks := c.ranks(h)
	if s.proposed || !s.started || ranks == nil {
		return false
	}
	r := ranks[c.me]
	if r > c.f {
		return false
	}
	if br, _ := c.best(h); br >= 0 && br < r {
		return false
	}
	due := s.start.Add(c.makerDelay(r))
	if c.now < due {
		c.wakeAt(due)
		return false
	}
	// Extend the lowest-ranked notarized block at h−1: the one most nodes
	// are likely to have notarized, and the one later rounds finalize.
	parent := c.chainBlock(h - 1)
	if parent == nil {
		return false
	}
	past, ok := c.past(parent)
	if !ok {
		return false
	}
	b := Block{Height: h, Rank: r, Parent: parent.Hash(), Maker: c.cfg.ID, Time: max(c.now, parent.Block.Time)}
	if c.cfg.Payloads != nil {
		pl, err := c.cfg.Payloads.BuildPayload(PayloadContext{Height: h, Time: b.Time, Past: past})
		if err != nil {
			c.cfg.Logger.Warn("consensus: payload builder failed; proposing an empty block", "height", h, "err", err)
			pl = Payload{}
		}
		b.Payload = pl
	}
	hash := b.Hash()
	sig, err := c.cfg.Signer.Sign(SchemeBasic, ProposalSignedBytes(hash))
	if err != nil {
		c.cfg.Logger.Error("consensus: signing proposal failed", "height", h, "err", err)
		return false
	}
	p := &Proposal{Block: b, Signature: sig, hash: hash}
	s.proposals[hash] = p
	s.state[hash] = 1
	s.proposed = true
	c.persist(p)
	// Send what a notary needs to check the block along with it: the
	// parent's notarization (peers may have notarized a different block at
	// the previous height) and the beacon that ranks this height. Peers that
	// hold them drop the copies without verifying them.
	if n := c.slots[h-1].notar[parent.Hash()]; n != nil {
		c.broadcast(n)
	}
	if b := c.beaconAt(h - 1); b != nil && h-1 > c.floor {
		c.broadcast(b)
	}
	c.broadcast(p)
	return true
}

// ---- gossip timers ----

// timers sends the periodic status report and, when the node has made no
// progress for RetransmitInterval, re-sends its own artifacts of the open
// heights and relays the proposals it notarized there.
func (c *Core) timers() {
	if c.now >= c.nextSt {
		st := c.Status()
		c.broadcast(&st)
		c.nextSt = c.now.Add(c.cfg.StatusInterval)
	}
	c.wakeAt(c.nextSt)
	due := c.lastPr.Add(c.cfg.RetransmitInterval)
	if c.now < due {
		c.wakeAt(due)
		return
	}
	// No progress for a whole interval: some message was lost, or peers
	// hold different pieces. Re-send this node's pieces; reset the timer so
	// this repeats once per interval while the stall lasts.
	c.lastPr = c.now
	c.wakeAt(c.now.Add(c.cfg.RetransmitInterval))
	for h := c.delivered + 1; h <= c.notarized+1; h++ {
		s := c.slots[h]
		if s == nil {
			continue
		}
		for _, key := range s.shareKeys() {
			set := s.shares[key]
			if sig, ok := set.sigs[c.me]; ok && (h > c.finalized || key.kind == KindBeaconShare || key.kind == KindCUPShare) {
				c.broadcast(&Share{Type: key.kind, Height: h, Target: key.target, Signer: c.cfg.ID, Signature: sig})
			}
		}
		if h == c.notarized+1 {
			for _, p := range s.sortedProposals() {
				if p.Block.Maker == c.cfg.ID || s.myNotar[p.Hash()] {
					c.broadcast(p)
				}
			}
		}
		// The notarized blocks a next block may extend: a peer holding a
		// notarization without its block cannot check proposals on it.
		if h == c.notarized && h > c.delivered {
			for _, p := range s.sortedProposals() {
				if n := s.notar[p.Hash()]; n != nil {
					c.broadcast(n)
					c.broadcast(p)
				}
			}
		}
		if s.beacon != nil && h == c.notarized+1 {
			c.broadcast(s.beacon)
		}
	}
	// The beacon that ranks the open height, whatever was delivered.
	if b := c.beaconAt(c.notarized); b != nil && c.notarized > c.floor {
		c.broadcast(b)
	}
	// A pending catch-up package share, too.
	if top := c.delivered - c.delivered%c.cfg.SummaryInterval; top > c.floor {
		if s := c.slots[top]; s != nil {
			for _, key := range s.shareKeys() {
				set := s.shares[key]
				if sig, ok := set.sigs[c.me]; ok && key.kind == KindCUPShare {
					c.broadcast(&Share{Type: key.kind, Height: top, Target: key.target, Signer: c.cfg.ID, Signature: sig})
				}
			}
		}
	}
}

func lessHash(a, b bigfile.Hash) bool { return slices.Compare(a[:], b[:]) < 0 }

// The core iterates maps only through these, in a fixed order, so that
// its outputs are a deterministic function of its inputs.

func (s *slot) shareKeys() []shareKey {
	ks := make([]shareKey, 0, len(s.shares))
	for k := range s.shares {
		ks = append(ks, k)
	}
	slices.SortFunc(ks, func(a, b shareKey) int {
		if a.kind != b.kind {
			return int(a.kind) - int(b.kind)
		}
		return slices.Compare(a.target[:], b.target[:])
	})
	return ks
}

func (s *slot) sortedProposals() []*Proposal {
	ps := make([]*Proposal, 0, len(s.proposals))
	for _, p := range s.proposals {
		ps = append(ps, p)
	}
	slices.SortFunc(ps, func(a, b *Proposal) int {
		if a.Block.Rank != b.Block.Rank {
			return a.Block.Rank - b.Block.Rank
		}
		ha, hb := a.Hash(), b.Hash()
		return slices.Compare(ha[:], hb[:])
	})
	return ps
}

// cupContent returns the catch-up package content this node would sign at
// summary height h, and false while a part is missing: the delivered block,
// the beacon, or (with Config.StateHashes) the state hash.
func (c *Core) cupContent(h bigfile.Height, s *slot) (bigfile.Hash, bool) {
	if s.beacon == nil || s.chain.IsZero() {
		return bigfile.Hash{}, false
	}
	state, ok := c.stateHashes[h]
	if c.cfg.StateHashes && !ok {
		return bigfile.Hash{}, false
	}
	return cupContent(s.chain, s.beacon.BeaconHash(), state), true
}
