package consensus

import (
	"fmt"

	"github.com/thebigfile/bigfile"
)

// receive adds an artifact from a peer to the pool, checking what can be
// checked on arrival. Shares are kept unverified until enough of them exist
// to combine (see aggregate); aggregates are verified here, once, and only
// if the pool lacks one for the same content.
func (c *Core) receive(from bigfile.NodeID, a Artifact) error {
	// Artifacts far above the notarized height are dropped rather than
	// kept: a faulty peer could otherwise fill memory with future heights,
	// and an honest peer re-sends them once this node gets there.
	h := a.ArtifactHeight()
	horizon := c.notarized + bigfile.Height(c.cfg.SyncWindow)
	switch a := a.(type) {
	case *Status:
		c.onStatus(from, *a)
		return nil
	case *CatchUpPackage:
		return c.receiveCUP(a)
	case *Proposal:
		if h <= c.delivered || h > horizon {
			return nil
		}
		b := &a.Block
		if _, ok := c.index[b.Maker]; !ok {
			return fmt.Errorf("%w: proposal by %s", ErrUnknownNode, b.Maker)
		}
		if b.Rank > c.f {
			return fmt.Errorf("%w: rank %d above f", ErrInvalidArtifact, b.Rank)
		}
		s := c.slot(h)
		hash := a.Hash()
		if s.proposals[hash] != nil {
			return nil
		}
		if s.state[hash] == -1 {
			return nil // known invalid
		}
		// Bound what one maker can put in the pool: a second block at a
		// height proves equivocation, a third adds nothing. Proposals are
		// relayed, so a peer could forge blocks in an honest maker's name
		// to fill its places: once a maker has a block here, further ones
		// are checked on arrival and forgeries (and an unchecked forgery
		// already held) are dropped.
		var mine []*Proposal
		for _, p := range s.sortedProposals() {
			if p.Block.Maker == b.Maker {
				mine = append(mine, p)
			}
		}
		if len(mine) > 0 {
			if !c.signedByMaker(s, a) {
				return fmt.Errorf("%w: proposal signature", ErrInvalidArtifact)
			}
			kept := 0
			for _, p := range mine {
				if c.signedByMaker(s, p) {
					kept++
				} else {
					delete(s.proposals, p.Hash())
				}
			}
			if kept >= 2 {
				return nil
			}
		}
		s.proposals[hash] = a
		if s.notar[hash] != nil { // notarized: n−f notaries checked it already
			c.markValid(s, a)
		}
		return nil
	case *Share:
		if !a.Type.isShare() {
			return fmt.Errorf("%w: share of kind %s", ErrMalformed, a.Type)
		}
		i, ok := c.index[a.Signer]
		if !ok {
			return fmt.Errorf("%w: share by %s", ErrUnknownNode, a.Signer)
		}
		if i == c.me || h <= c.floor || h > horizon+1 {
			return nil
		}
		if from != a.Signer {
			// Nodes send only their own shares; accepting relayed ones
			// would let a peer occupy an honest signer's place with a
			// forgery.
			return nil
		}
		s := c.slot(h)
		switch a.Type {
		case KindNotarizationShare:
			if h <= c.finalized || s.notar[a.Target] != nil {
				return nil
			}
		case KindFinalizationShare:
			if h <= c.finalized {
				return nil
			}
		case KindBeaconShare:
			if s.beacon != nil {
				return nil
			}
		}
		set := s.set(shareKey{a.Type, a.Target})
		if _, dup := set.sigs[i]; dup {
			return nil
		}
		// One share per signer and height and kind, except that notaries
		// may sign several blocks; bound those by the number of makers.
		if n := c.sharesBy(s, a.Type, i); n > c.f {
			return nil
		}
		set.sigs[i] = a.Signature
		set.dirty = true
		c.dirty[h] = true
		if a.Type == KindNotarizationShare && h == c.notarized+1 && s.proposals[a.Target] == nil {
			c.relayTo(from, s, h)
		}
		return nil
	case *Aggregate:
		return c.receiveAggregate(a)
	}
	return fmt.Errorf("%w: unexpected %T", ErrMalformed, a)
}

// sharesBy counts the shares of kind k by signer i at slot s.
func (c *Core) sharesBy(s *slot, k Kind, i int) int {
	n := 0
	for key, set := range s.shares {
		if key.kind == k {
			if _, ok := set.sigs[i]; ok {
				n++
			}
		}
	}
	return n
}

func (c *Core) receiveAggregate(a *Aggregate) error {
	h := a.Height
	if h <= c.floor || h > c.notarized+bigfile.Height(c.cfg.SyncWindow) {
		return nil
	}
	s := c.slot(h)
	switch a.Type {
	case KindNotarization:
		if h <= c.delivered || s.notar[a.Target] != nil {
			return nil
		}
	case KindFinalization:
		if h <= c.finalized {
			return nil
		}
	case KindBeacon:
		if s.beacon != nil {
			return nil
		}
		if len(a.Signers) != 0 {
			return fmt.Errorf("%w: beacon lists signers", ErrInvalidArtifact)
		}
		if prev := c.beaconAt(h - 1); prev != nil && prev.BeaconHash() != a.Target {
			return fmt.Errorf("%w: beacon %d does not chain", ErrInvalidArtifact, h)
		}
	default:
		return fmt.Errorf("%w: aggregate of kind %s", ErrMalformed, a.Type)
	}
	// A multi-signature proves only what its signer list says, so the list
	// must name at least n−f distinct members. Beacons are threshold
	// signatures: the group key alone verifies them.
	if a.Type != KindBeacon {
		if err := c.checkSigners(a.Signers, c.n-c.f); err != nil {
			return err
		}
	}
	msg := SignedBytes(a.Type, h, a.Target)
	if err := c.cfg.Verifier.VerifyCombined(a.Type.scheme(), msg, a.Signers, a.Signature); err != nil {
		return fmt.Errorf("%w: %s at %d: %v", ErrInvalidArtifact, a.Type, h, err)
	}
	c.store(a)
	return nil
}

// store adds a verified aggregate to the pool.
func (c *Core) store(a *Aggregate) {
	s := c.slot(a.Height)
	switch a.Type {
	case KindNotarization:
		s.notar[a.Target] = a
		if p := s.proposals[a.Target]; p != nil {
			c.markValid(s, p)
		}
	case KindFinalization:
		s.final = a
		if a.Height > c.finalized {
			c.finalized = a.Height
			c.progress()
		}
	case KindBeacon:
		s.beacon = a
	}
	c.persist(a)
}

func (c *Core) markValid(s *slot, p *Proposal) {
	if s.state[p.Hash()] != 1 {
		s.state[p.Hash()] = 1
		c.persist(p)
	}
}

// checkSigners checks that signers are at least min distinct members in
// increasing order.
func (c *Core) checkSigners(signers []bigfile.NodeID, min int) error {
	if len(signers) < min || len(signers) > c.n {
		return fmt.Errorf("%w: %d signers, need %d", ErrInvalidArtifact, len(signers), min)
	}
	for i, s := range signers {
		if _, ok := c.index[s]; !ok {
			return fmt.Errorf("%w: signer %s", ErrUnknownNode, s)
		}
		if i > 0 && signers[i-1].Compare(s) >= 0 {
			return fmt.Errorf("%w: signers not sorted and distinct", ErrInvalidArtifact)
		}
	}
	return nil
}

func (c *Core) verifyCUP(cup *CatchUpPackage) error {
	if cup.Block == nil || cup.Beacon == nil {
		return fmt.Errorf("%w: incomplete catch-up package", ErrInvalidArtifact)
	}
	h := cup.Height()
	if cup.Beacon.Height != h || cup.Beacon.Type != KindBeacon {
		return fmt.Errorf("%w: catch-up package beacon at %d, block at %d", ErrInvalidArtifact, cup.Beacon.Height, h)
	}
	msg := SignedBytes(KindCUP, h, cup.ContentHash())
	if err := c.cfg.Verifier.VerifyCombined(SchemeHigh, msg, nil, cup.Signature); err != nil {
		return fmt.Errorf("%w: catch-up package at %d: %v", ErrInvalidArtifact, h, err)
	}
	return nil
}

func (c *Core) receiveCUP(cup *CatchUpPackage) error {
	if cup.Block == nil || cup.Beacon == nil || cup.Height() <= c.floor {
		return nil
	}
	if err := c.verifyCUP(cup); err != nil {
		return err
	}
	h := cup.Height()
	if h <= c.delivered {
		if s := c.slots[h]; s != nil && s.chain != cup.Block.Hash() {
			// n−f signed a different block than this node delivered: more
			// than f nodes are faulty. Keep going on the subnet's chain.
			c.cfg.Logger.Error("consensus: catch-up package contradicts the delivered chain", "height", h)
		}
		if local, ok := c.stateHashes[h]; ok && local != cup.StateHash {
			// The Internet Computer stops the replica here: its state
			// diverged from what n−f certified. Report it loudly; what to
			// do is the state manager's decision.
			c.cfg.Logger.Error("consensus: local state hash differs from the catch-up package", "height", h)
		}
	}
	c.adopt(cup)
	c.persist(cup)
	c.progress()
	return nil
}

// onStatus answers a peer that reports less progress than this node has,
// and has not moved since its previous report (or lags by more than one
// height): it sends what the peer lacks, a window of heights at a time, and
// a catch-up package if the peer lags below this node's pool.
func (c *Core) onStatus(from bigfile.NodeID, st Status) {
	p := c.peers[from]
	if p == nil {
		p = &peer{}
		c.peers[from] = p
	}
	prev, seen := p.last, p.seen
	p.last, p.seen = st, true
	// Reports cross messages in flight, so a peer one height behind is
	// normal; answer only a peer that did not move since its last report
	// (stuck) or lags by more (far), and at most once per interval for the
	// same report, lest repairs cost more than the messages they replace.
	behind := st.Notarized < c.notarized || st.Delivered < c.delivered
	if !behind {
		return
	}
	stuck := seen && prev == st
	far := st.Notarized+1 < c.notarized || st.Delivered+1 < c.delivered
	if !stuck && !far {
		return
	}
	if p.synced == st && c.now < p.syncedAt+bigfile.Time(c.cfg.RetransmitInterval) {
		return
	}
	p.synced, p.syncedAt = st, c.now
	start := st.Delivered + 1
	if st.Delivered < c.floor {
		if c.floor > 0 {
			c.send(from, c.cup)
		}
		start = c.floor + 1
	}
	end := min(start+bigfile.Height(c.cfg.SyncWindow)-1, c.notarized)
	for h := start; h <= end; h++ {
		s := c.slots[h]
		if s == nil {
			break
		}
		if blk := c.chainBlock(h); blk != nil {
			if h > st.Notarized || h > st.Delivered {
				c.send(from, blk)
			}
			if n := s.notar[blk.Hash()]; n != nil && h > st.Notarized {
				c.send(from, n)
			}
		}
		if s.final != nil {
			c.send(from, s.final)
		}
		if s.beacon != nil && (h > st.Delivered || h+1 > st.Notarized) {
			c.send(from, s.beacon)
		}
	}
	if end < c.notarized {
		return
	}
	// The peer will be at this node's round: give it the beacon and any
	// finalizations of the open heights.
	if s := c.slots[c.notarized+1]; s != nil && s.beacon != nil {
		c.send(from, s.beacon)
	}
}

// chainBlock returns the block at h that the chain runs through as far as
// this node knows: the finalized one if known, else the lowest-ranked
// notarized one.
func (c *Core) chainBlock(h bigfile.Height) *Proposal {
	s := c.slots[h]
	if s == nil {
		return nil
	}
	if !s.chain.IsZero() {
		return s.proposals[s.chain]
	}
	if s.final != nil {
		if p := s.proposals[s.final.Target]; p != nil {
			return p
		}
	}
	var best *Proposal
	for hash := range s.notar {
		p := s.proposals[hash]
		if p != nil && (best == nil || p.Block.Rank < best.Block.Rank ||
			p.Block.Rank == best.Block.Rank && lessHash(p.Hash(), best.Hash())) {
			best = p
		}
	}
	return best
}

// beaconAt returns the beacon at h, if held.
func (c *Core) beaconAt(h bigfile.Height) *Aggregate {
	if s := c.slots[h]; s != nil {
		return s.beacon
	}
	return nil
}

// relayTo sends peer the proposals this node notarized at the open height
// h, once per peer and height. It is called when the peer signed a block
// this node has not seen: either the block is still in flight, or the maker
// equivocated, and then each side needs the other's block to see it.
func (c *Core) relayTo(peerID bigfile.NodeID, s *slot, h bigfile.Height) {
	if len(s.myNotar) == 0 {
		return
	}
	if s.relayed == nil {
		s.relayed = map[bigfile.NodeID]bool{}
	}
	if s.relayed[peerID] {
		return
	}
	s.relayed[peerID] = true
	for _, p := range s.sortedProposals() {
		if s.myNotar[p.Hash()] {
			c.send(peerID, p)
		}
	}
}

// signedByMaker reports whether p carries a valid maker signature, checking
// it at most once (the verdict is kept in the slot's validation state only
// when negative, since a good signature does not make the block valid).
func (c *Core) signedByMaker(s *slot, p *Proposal) bool {
	hash := p.Hash()
	if s.state[hash] == 1 || s.sigOK[hash] {
		return true
	}
	if s.state[hash] == -1 {
		return false
	}
	if c.cfg.Verifier.Verify(SchemeBasic, p.Block.Maker, ProposalSignedBytes(hash), p.Signature) != nil {
		s.state[hash] = -1
		return false
	}
	if s.sigOK == nil {
		s.sigOK = map[bigfile.Hash]bool{}
	}
	s.sigOK[hash] = true
	return true
}
