package routing

import "github.com/thebigfile/bigfile"

// fifo is a first-in first-out queue that reuses its array: popping moves
// a head index, and the live part is moved down once the dead prefix
// outgrows it, so n pushes and pops cost O(n) in total.
type fifo[T any] struct {
	items []T
	head  int
}

func (q *fifo[T]) len() int { return len(q.items) - q.head }

func (q *fifo[T]) push(x T) { q.items = append(q.items, x) }

func (q *fifo[T]) peek() *T { return &q.items[q.head] }

// pop removes the head. The queue must not be empty.
func (q *fifo[T]) pop() T {
	var zero T
	x := q.items[q.head]
	q.items[q.head] = zero // drop references for the garbage collector
	q.head++
	if q.head == len(q.items) {
		q.items, q.head = q.items[:0], 0
	} else if q.head > 64 && q.head*2 > len(q.items) {
		n := copy(q.items, q.items[q.head:])
		clear(q.items[n:])
		q.items, q.head = q.items[:n], 0
	}
	return x
}

// at returns the i-th live element.
func (q *fifo[T]) at(i int) *T { return &q.items[q.head+i] }

// inputQueue holds what waits for one cube (or the management cube):
// requests and responses from other cubes in arrival order, and ingress
// messages, which execution takes alternately.
type inputQueue struct {
	msgs    fifo[Message]
	ingress fifo[ingressItem]
	// requests counts the requests in msgs; at most QueueCapacity.
	requests int
	// responses counts responses in msgs; reserved counts response slots
	// held for this cube's outstanding calls. Together at most
	// QueueCapacity: a call is refused when no slot can be reserved, so a
	// response always finds room.
	responses, reserved int
	// ingressTurn says the next pop prefers ingress (round robin).
	ingressTurn bool
}

func (q *inputQueue) empty() bool { return q.msgs.len() == 0 && q.ingress.len() == 0 }

// pop takes the next message, alternating between ingress and the calls
// and responses of cubes whenever both are waiting.
func (q *inputQueue) pop() (Message, bool) {
	useIngress := q.ingress.len() > 0 && (q.ingressTurn || q.msgs.len() == 0)
	if !useIngress && q.msgs.len() == 0 {
		return Message{}, false
	}
	q.ingressTurn = !useIngress
	if useIngress {
		it := q.ingress.pop()
		return Message{Kind: KindIngress, Ingress: it.m, ID: it.id}, true
	}
	m := q.msgs.pop()
	if m.Kind == KindRequest {
		q.requests--
	} else {
		q.responses--
	}
	return m, true
}

// ingressItem is a queued ingress message: smaller than a [Message], so
// inducting a large batch copies less.
type ingressItem struct {
	m  bigfile.Ingress
	id bigfile.MessageID
}

// outputQueue holds one cube's requests to one cube on another subnet
// while the stream there is too long to take them (backpressure).
type outputQueue struct {
	msgs fifo[Message]
}

// pairKey names an output queue: from a cube to a principal.
type pairKey struct {
	from bigfile.CubeID
	to   bigfile.Principal
}

func (k pairKey) compare(l pairKey) int {
	switch {
	case k.from < l.from:
		return -1
	case k.from > l.from:
		return 1
	}
	return k.to.Compare(l.to)
}

// stream is the outgoing stream to one subnet plus this subnet's signals
// for the incoming stream from it.
type stream struct {
	begin uint64 // index of msgs' first element
	msgs  fifo[Message]
	// signalsEnd is the next index expected on the incoming stream.
	signalsEnd uint64
	// rejectSignals are indices of incoming messages refused for
	// rerouting, increasing; dropped once the peer's stream begin passes.
	rejectSignals []uint64
	// lastHeight is the height of the last slice inducted from the peer.
	lastHeight bigfile.Height
	seen       bool // a slice from the peer was inducted
}

func (s *stream) end() uint64 { return s.begin + uint64(s.msgs.len()) }

func (s *stream) header() StreamHeader {
	return StreamHeader{Begin: s.begin, End: s.end(), SignalsEnd: s.signalsEnd, RejectSignals: append([]uint64(nil), s.rejectSignals...)}
}
