package tcp_test

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/thebigfile/bigfile"
	"github.com/thebigfile/bigfile/consensus"
	"github.com/thebigfile/bigfile/consensus/consensustest"
	"github.com/thebigfile/bigfile/consensus/tcp"
)

func keys(n int) ([]ed25519.PrivateKey, []bigfile.NodeID) {
	ks := make([]ed25519.PrivateKey, n)
	ids := make([]bigfile.NodeID, n)
	for i := range ks {
		ks[i] = ed25519.NewKeyFromSeed(bytes.Repeat([]byte{byte(i + 1)}, 32))
		ids[i] = tcp.NodeID(ks[i].Public().(ed25519.PublicKey))
	}
	return ks, ids
}

// listen creates transports on free loopback ports, wired to each other.
func listen(t *testing.T, ks []ed25519.PrivateKey, ids []bigfile.NodeID) []*tcp.Transport {
	ts := make([]*tcp.Transport, len(ks))
	addrs := map[bigfile.NodeID]string{}
	for i := range ks {
		tr, err := tcp.New(tcp.Config{Key: ks[i], Listen: "127.0.0.1:0"})
		if err != nil {
			t.Fatal(err)
		}
		addrs[ids[i]] = tr.Addr().String()
		tr.Close()
	}
	for i := range ks {
		peers := map[bigfile.NodeID]string{}
		for id, a := range addrs {
			if id != ids[i] {
				peers[id] = a
			}
		}
		tr, err := tcp.New(tcp.Config{Key: ks[i], Listen: addrs[ids[i]], Peers: peers})
		if err != nil {
			t.Fatal(err)
		}
		ts[i] = tr
	}
	return ts
}

func TestSendRecv(t *testing.T) {
	ks, ids := keys(2)
	ts := listen(t, ks, ids)
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	for _, tr := range ts {
		wg.Add(1)
		go func() { defer wg.Done(); tr.Run(ctx) }()
	}
	defer func() { cancel(); wg.Wait() }()
	ts[0].Send(ids[1], []byte("hello"))
	ts[0].Send(ids[1], nil)
	rctx, rcancel := context.WithTimeout(ctx, 10*time.Second)
	defer rcancel()
	for _, want := range []string{"hello", ""} {
		from, msg, err := ts[1].Recv(rctx)
		if err != nil {
			t.Fatal(err)
		}
		if from != ids[0] || string(msg) != want {
			t.Fatalf("got %s %q, want %s %q", from, msg, ids[0], want)
		}
	}
}

// TestRejectsStranger checks that a node whose key is not a member's
// cannot deliver messages.
func TestRejectsStranger(t *testing.T) {
	ks, ids := keys(3)
	ts := listen(t, ks[:2], ids[:2])
	// The stranger (key 2) claims to be member 1 by dialling member 0 with
	// member 1's id listed as its peer address book entry.
	stranger, err := tcp.New(tcp.Config{Key: ks[2], Listen: "127.0.0.1:0",
		Peers: map[bigfile.NodeID]string{ids[0]: ts[0].Addr().String()}})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	for _, tr := range []*tcp.Transport{ts[0], stranger} {
		wg.Add(1)
		go func() { defer wg.Done(); tr.Run(ctx) }()
	}
	defer func() { cancel(); wg.Wait() }()
	stranger.Send(ids[0], []byte("let me in"))
	rctx, rcancel := context.WithTimeout(ctx, 500*time.Millisecond)
	defer rcancel()
	if from, msg, err := ts[0].Recv(rctx); err == nil {
		t.Fatalf("accepted %q from %s", msg, from)
	}
	ts[1].Close()
}

// TestConsensusOverTCP runs four consensus nodes (fake signatures) over
// loopback TLS: they finalize, one stops, the rest go on, it restarts from
// its store and catches up.
func TestConsensusOverTCP(t *testing.T) {
	const n = 4
	ks, ids := keys(n)
	crypto := consensustest.NewCrypto("tcp", ids)
	ts := listen(t, ks, ids)
	addrs := map[bigfile.NodeID]string{}
	for i := range ts {
		addrs[ids[i]] = ts[i].Addr().String()
	}
	stores := make([]*consensus.MemStore, n)
	nodes := make([]*consensus.Node, n)
	cancels := make([]context.CancelFunc, n)
	done := make([]chan error, n)
	start := func(i int) {
		if ts[i] == nil { // restarted: a fresh transport on the same address
			peers := map[bigfile.NodeID]string{}
			for id, a := range addrs {
				if id != ids[i] {
					peers[id] = a
				}
			}
			var err error
			for try := 0; try < 50; try++ { // the port may linger briefly
				if ts[i], err = tcp.New(tcp.Config{Key: ks[i], Listen: addrs[ids[i]], Peers: peers}); err == nil {
					break
				}
				time.Sleep(20 * time.Millisecond)
			}
			if err != nil {
				t.Fatal(err)
			}
		}
		node, err := consensus.NewNode(consensus.NodeConfig{
			Core: consensus.Config{ID: ids[i], Nodes: ids, Signer: crypto.Signer(ids[i]), Verifier: crypto,
				InitialNotaryDelay: 5 * time.Millisecond, UnitDelay: 100 * time.Millisecond, SummaryInterval: 10,
				StatusInterval: 50 * time.Millisecond, RetransmitInterval: 150 * time.Millisecond},
			Transport: ts[i], Deliverer: discard{}, Store: stores[i], TickInterval: 2 * time.Millisecond,
		})
		if err != nil {
			t.Fatal(err)
		}
		nodes[i] = node
		ctx, cancel := context.WithCancel(context.Background())
		cancels[i], done[i] = cancel, make(chan error, 2)
		tr := ts[i]
		go func() { done[i] <- tr.Run(ctx) }()
		go func() { done[i] <- node.Run(ctx) }()
	}
	stop := func(i int) {
		cancels[i]()
		for range 2 {
			if err := <-done[i]; !errors.Is(err, context.Canceled) {
				t.Errorf("node %d: %v", i, err)
			}
		}
		ts[i] = nil
	}
	for i := range n {
		stores[i] = consensus.NewMemStore()
		start(i)
	}
	defer func() {
		for i := range n {
			if ts[i] != nil {
				stop(i)
			}
		}
	}()
	wait := func(h bigfile.Height, skip int) {
		t.Helper()
		deadline := time.Now().Add(30 * time.Second)
		for {
			ok := true
			for i, nd := range nodes {
				ok = ok && (i == skip || nd.Status().Delivered >= h)
			}
			if ok {
				return
			}
			if time.Now().After(deadline) {
				var st string
				for i, nd := range nodes {
					st += fmt.Sprintf(" %d:%v", i, nd.Status())
				}
				t.Fatalf("timeout waiting for height %d:%s", h, st)
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
	wait(5, -1)
	stop(3)
	h := nodes[0].Status().Delivered
	wait(h+5, 3)
	start(3)
	wait(nodes[0].Status().Delivered+3, -1)
}

type discard struct{}

func (discard) DeliverBatch(context.Context, bigfile.Batch) error { return nil }
