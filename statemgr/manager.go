package statemgr

import (
	"errors"
	"fmt"
	"log/slog"
	"sync"

	"github.com/thebigfile/bigfile"
	"github.com/thebigfile/bigfile/statemgr/hashtree"
)

// Errors returned by the [Manager]; returned errors wrap one of these (or
// [ErrNotCertified], [ErrCorrupt], [ErrNotFound], or a store's error).
var (
	// ErrHeight reports a commit or certification at an unexpected height.
	ErrHeight = errors.New("statemgr: unexpected height")
	// ErrStateRemoved reports a height whose snapshot is no longer kept.
	ErrStateRemoved = errors.New("statemgr: state removed")
	// ErrNoSigner reports a certification request without a configured Signer.
	ErrNoSigner = errors.New("statemgr: no signer configured")
	// ErrBadSignature reports a certification that does not verify.
	ErrBadSignature = errors.New("statemgr: bad certification signature")
	// ErrInvalidConfig reports a [Config] that fails [Config.Validate].
	ErrInvalidConfig = errors.New("statemgr: invalid config")
)

// Signer produces the subnet's threshold signature on a message (the
// chain-key n−f BLS signature, in the Internet Computer's min-sig scheme).
// In a replica it is an adapter over consensus and chain-key; tests use a
// local key.
type Signer interface {
	Sign(msg []byte) ([]byte, error)
}

// Defaults for the zero fields of [Config].
const (
	DefaultCheckpointInterval = 500
	DefaultRetainCheckpoints  = 2
	DefaultRetainSnapshots    = 8
	DefaultWriteBatchSize     = 4 << 20
)

// Config configures a [Manager]. The zero value of an optional field means
// its default.
type Config struct {
	// Store holds checkpoints; required. Use [NewMemStore] or a
	// badgerstore.Store.
	Store Store
	// CheckpointInterval is the number of rounds between checkpoints: the
	// state at each height divisible by it is checkpointed by Commit.
	// Default [DefaultCheckpointInterval].
	CheckpointInterval uint64
	// RetainCheckpoints is how many checkpoints the store keeps; older ones
	// are deleted after each new one. Default [DefaultRetainCheckpoints].
	RetainCheckpoints int
	// RetainSnapshots is how many recent heights stay readable in memory
	// (for queries and certification lag). Default [DefaultRetainSnapshots].
	RetainSnapshots int
	// WriteBatchSize bounds the bytes per store batch when writing chunks,
	// so each batch fits a store transaction. Default [DefaultWriteBatchSize].
	WriteBatchSize int
	// Signer signs root hashes in [Manager.Certify]; optional (without it,
	// certifications come in through [Manager.AddCertification]).
	Signer Signer
	// PublicKey is the subnet's DER-encoded BLS public key (133 bytes) and
	// Verifier the BLS verifier; when both are set, AddCertification checks
	// signatures. Optional.
	PublicKey []byte
	Verifier  hashtree.SignatureVerifier
	// Delegation is attached to every certificate; nil on the root subnet
	// (and on a single-subnet network).
	Delegation *hashtree.Delegation
	// Logger receives checkpoint and recovery events; default discard.
	Logger *slog.Logger
}

// Validate checks the configuration; errors wrap [ErrInvalidConfig].
func (c *Config) Validate() error {
	switch {
	case c.Store == nil:
		return fmt.Errorf("%w: Store is required", ErrInvalidConfig)
	case c.RetainCheckpoints < 0 || c.RetainSnapshots < 0 || c.WriteBatchSize < 0:
		return fmt.Errorf("%w: negative retention or batch size", ErrInvalidConfig)
	case (c.Verifier == nil) != (c.PublicKey == nil):
		return fmt.Errorf("%w: PublicKey and Verifier go together", ErrInvalidConfig)
	}
	if c.PublicKey != nil {
		if _, err := hashtree.PublicKeyFromDER(c.PublicKey); err != nil {
			return fmt.Errorf("%w: PublicKey: %v", ErrInvalidConfig, err)
		}
	}
	return nil
}

func (c *Config) withDefaults() Config {
	d := *c
	if d.CheckpointInterval == 0 {
		d.CheckpointInterval = DefaultCheckpointInterval
	}
	if d.RetainCheckpoints == 0 {
		d.RetainCheckpoints = DefaultRetainCheckpoints
	}
	if d.RetainSnapshots == 0 {
		d.RetainSnapshots = DefaultRetainSnapshots
	}
	if d.WriteBatchSize == 0 {
		d.WriteBatchSize = DefaultWriteBatchSize
	}
	if d.Logger == nil {
		d.Logger = slog.New(slog.DiscardHandler)
	}
	return d
}

// CheckpointInfo describes a stored checkpoint.
type CheckpointInfo struct {
	Height       bigfile.Height
	Root         bigfile.Hash // the state's root hash
	ManifestHash bigfile.Hash // what a catch-up package certifies
}

// Manager owns the replicated state: the working [State] that execution
// changes, the committed [Snapshot]s of recent heights, their
// certifications, and the checkpoints in the [Store].
//
// Its methods are safe for concurrent use, but the working state returned
// by [Manager.State] belongs to one writer (the execution loop), which must
// not use it concurrently with Commit.
type Manager struct {
	cfg Config

	mu        sync.Mutex
	state     *State
	height    bigfile.Height
	snaps     map[bigfile.Height]*Snapshot
	certified *Snapshot
	cps       []*storedCheckpoint // retained checkpoints, oldest first
	stored    map[bigfile.Hash]int
}

// storedCheckpoint is a retained checkpoint with its chunk hashes (for
// reference counting) and encoded record (served to syncing peers).
type storedCheckpoint struct {
	info   CheckpointInfo
	record []byte
	chunks []bigfile.Hash // every chunk, manifest parts included
}

// Open returns a manager over cfg.Store. If the store holds checkpoints, it
// loads the latest one that verifies (falling back to older ones, which are
// logged) and resumes at its height; otherwise it starts from an empty state
// at height 0. It then deletes chunks that no checkpoint references
// (left by an interrupted write). Errors wrap [ErrInvalidConfig],
// [ErrCorrupt] (when no stored checkpoint verifies) or the store's error.
func Open(cfg Config) (*Manager, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	m := &Manager{cfg: cfg.withDefaults(), snaps: map[bigfile.Height]*Snapshot{}, stored: map[bigfile.Hash]int{}}
	if err := m.recover(); err != nil {
		return nil, err
	}
	return m, nil
}

// State returns the working state that the next Commit will certify. It
// stays the same object across commits.
func (m *Manager) State() *State {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.state
}

// Height returns the height of the last committed state.
func (m *Manager) Height() bigfile.Height {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.height
}

// Commit hashes the working state (only what changed since the last
// commit), records it as the immutable state at height h and returns its
// snapshot. h must be [Manager.Height]+1. At checkpoint heights it also
// writes a checkpoint, synchronously. Errors wrap [ErrHeight] or the
// store's error (the commit itself has happened then; only the checkpoint
// failed).
func (m *Manager) Commit(h bigfile.Height) (*Snapshot, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if h != m.height+1 {
		return nil, fmt.Errorf("%w: commit %d after %d", ErrHeight, h, m.height)
	}
	root := m.state.hash()
	tree, pages := m.state.freeze()
	s := &Snapshot{height: h, root: tree, pages: pages, hash: root, deleg: m.cfg.Delegation}
	m.snaps[h] = s
	m.height = h
	for old := range m.snaps {
		if old+bigfile.Height(m.cfg.RetainSnapshots) <= h && old != m.certifiedHeight() {
			delete(m.snaps, old)
		}
	}
	if uint64(h)%m.cfg.CheckpointInterval == 0 {
		if err := m.checkpoint(s); err != nil {
			return s, err
		}
	}
	return s, nil
}

func (m *Manager) certifiedHeight() bigfile.Height {
	if m.certified == nil {
		return 0
	}
	return m.certified.height
}

// Checkpoint writes a checkpoint of the last committed state now (for
// example when consensus asks for one at a summary height). It is a no-op
// if that height is checkpointed already.
func (m *Manager) Checkpoint() error {
	m.mu.Lock()
	defer m.mu.Unlock()
	s, ok := m.snaps[m.height]
	if !ok {
		return fmt.Errorf("%w: height %d", ErrStateRemoved, m.height)
	}
	if n := len(m.cps); n > 0 && m.cps[n-1].info.Height == s.height {
		return nil
	}
	return m.checkpoint(s)
}

// Snapshot returns the committed state at height h. Errors wrap
// [ErrStateRemoved] for a height no longer (or not yet) kept.
func (m *Manager) Snapshot(h bigfile.Height) (*Snapshot, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	s, ok := m.snaps[h]
	if !ok {
		return nil, fmt.Errorf("%w: height %d", ErrStateRemoved, h)
	}
	return s, nil
}

// Certified returns the latest certified snapshot, or nil if none is: the
// state that queries and read_state requests are answered from.
func (m *Manager) Certified() *Snapshot {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.certified
}

// Certify signs the root hash of the state at height h with the configured
// Signer and records the signature. Errors wrap [ErrNoSigner],
// [ErrStateRemoved] or the signer's error.
func (m *Manager) Certify(h bigfile.Height) (*Snapshot, error) {
	if m.cfg.Signer == nil {
		return nil, ErrNoSigner
	}
	s, err := m.Snapshot(h)
	if err != nil {
		return nil, err
	}
	sig, err := m.cfg.Signer.Sign(hashtree.SignedMessage(s.hash))
	if err != nil {
		return nil, fmt.Errorf("statemgr: signing height %d: %w", h, err)
	}
	return s, m.certify(s, sig)
}

// AddCertification records sig, the threshold signature that consensus
// aggregated for the state at height h. With a configured Verifier the
// signature is checked first. Errors wrap [ErrStateRemoved] or
// [ErrBadSignature].
func (m *Manager) AddCertification(h bigfile.Height, sig []byte) error {
	s, err := m.Snapshot(h)
	if err != nil {
		return err
	}
	if m.cfg.Verifier != nil {
		key, _ := hashtree.PublicKeyFromDER(m.cfg.PublicKey)
		if err := m.cfg.Verifier.VerifySignature(key, hashtree.SignedMessage(s.hash), sig); err != nil {
			return fmt.Errorf("%w: height %d: %v", ErrBadSignature, h, err)
		}
	}
	return m.certify(s, sig)
}

func (m *Manager) certify(s *Snapshot, sig []byte) error {
	sig = append([]byte(nil), sig...)
	s.sig.Store(&sig)
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.certified == nil || s.height > m.certified.height {
		m.certified = s
	}
	return nil
}

// Checkpoints returns the retained checkpoints, oldest first.
func (m *Manager) Checkpoints() []CheckpointInfo {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := make([]CheckpointInfo, len(m.cps))
	for i, c := range m.cps {
		out[i] = c.info
	}
	return out
}
