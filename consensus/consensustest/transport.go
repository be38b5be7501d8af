package consensustest

import (
	"context"
	"sync"

	"github.com/thebigfile/bigfile"
)

// MemNetwork connects [MemTransport]s in one process with channels, for
// tests of [consensus.Node] on real time. It delivers in order and loses
// messages only when a receiver's queue is full or a node is detached.
type MemNetwork struct {
	mu    sync.Mutex
	nodes map[bigfile.NodeID]*MemTransport
}

// NewMemNetwork returns an empty network.
func NewMemNetwork() *MemNetwork { return &MemNetwork{nodes: map[bigfile.NodeID]*MemTransport{}} }

// envelope is a message in a receiver's queue, with the sender the
// network vouches for (a real transport authenticates it).
type envelope struct {
	from bigfile.NodeID
	msg  []byte
}

// MemTransport is one node's endpoint on a [MemNetwork]; it implements
// consensus.Transport.
type MemTransport struct {
	net *MemNetwork
	id  bigfile.NodeID
	in  chan envelope
}

// Attach returns the endpoint of node id, replacing an earlier one (as a
// restarted process would).
func (n *MemNetwork) Attach(id bigfile.NodeID) *MemTransport {
	t := &MemTransport{net: n, id: id, in: make(chan envelope, 4096)}
	n.mu.Lock()
	n.nodes[id] = t
	n.mu.Unlock()
	return t
}

// Detach disconnects node id: messages to it are dropped.
func (n *MemNetwork) Detach(id bigfile.NodeID) {
	n.mu.Lock()
	delete(n.nodes, id)
	n.mu.Unlock()
}

// Send implements consensus.Transport; it drops when the receiver is full.
func (t *MemTransport) Send(to bigfile.NodeID, msg []byte) {
	t.net.mu.Lock()
	dst := t.net.nodes[to]
	t.net.mu.Unlock()
	if dst == nil {
		return
	}
	select {
	case dst.in <- envelope{t.id, msg}:
	default:
	}
}

// Recv implements consensus.Transport.
func (t *MemTransport) Recv(ctx context.Context) (bigfile.NodeID, []byte, error) {
	select {
	case e := <-t.in:
		return e.from, e.msg, nil
	case <-ctx.Done():
		return bigfile.NodeID{}, nil, ctx.Err()
	}
}
