package routing

import (
	"bytes"
	"container/heap"
	"fmt"
	"time"

	"github.com/thebigfile/bigfile"
)

// IngressStatus is the status of an ingress message, with the Internet
// Computer's meaning (http-interface.md §5.2 and §7). The zero value,
// [StatusUnknown], is what the history reports for ids it does not hold.
type IngressStatus uint8

// The ingress statuses.
const (
	// StatusUnknown: the id is not in the history (never inducted, skipped,
	// or pruned after its expiry).
	StatusUnknown IngressStatus = iota
	// StatusReceived: inducted into the cube's ingress queue.
	StatusReceived
	// StatusProcessing: execution took it from the queue and has not
	// finished (for example it awaits the responses of its own calls).
	StatusProcessing
	// StatusReplied: finished with a reply; the reply is kept until expiry.
	StatusReplied
	// StatusRejected: finished with a reject, by the cube or by induction.
	StatusRejected
	// StatusDone: finished, and the reply or reject was dropped after
	// expiry. The id stays a while longer so that a replay is still refused.
	StatusDone
)

var statusNames = [...]string{"unknown", "received", "processing", "replied", "rejected", "done"}

// String returns the status as the state tree spells it ("received",
// "processing", "replied", "rejected", "done"), or "unknown".
func (s IngressStatus) String() string {
	if int(s) < len(statusNames) {
		return statusNames[s]
	}
	return fmt.Sprintf("IngressStatus(%d)", s)
}

// Terminal reports whether s is replied, rejected or done.
func (s IngressStatus) Terminal() bool { return s >= StatusReplied }

// IngressState is an ingress message's entry in the history: the fields of
// /request_status/<id> plus what the HTTP layer needs to decide who may read
// it (the same sender and cube as the call).
type IngressState struct {
	Status   IngressStatus
	Sender   bigfile.Principal // the caller
	Receiver bigfile.Principal // the called cube (or the management cube)
	Expiry   bigfile.Time      // the call's ingress_expiry
	Time     bigfile.Time      // the batch time of the last status change
	// Reply is the reply, when Status is StatusReplied. Shared: read-only.
	Reply []byte
	// RejectCode, RejectMessage and ErrorCode describe a reject, when
	// Status is StatusRejected. ErrorCode is like "IC0503", or empty.
	RejectCode    bigfile.RejectCode
	RejectMessage string
	ErrorCode     string
}

// IngressHistory maps ingress ids to their states and prunes by expiry.
// Its zero value is not usable; the [Router] makes one. Not safe for
// concurrent use.
//
// Pruning keeps the replay guarantee: an entry leaves the history only
// after its expiry has passed, and induction refuses expired ingress, so an
// id can never be inducted twice. A terminal status whose expiry passed
// becomes "done" (its reply is dropped) at the first batch after its expiry
// and is deleted one retention period (Config.MaxIngressExpiry) later. Non-terminal entries are never pruned.
type IngressHistory struct {
	entries   map[bigfile.MessageID]*IngressState
	queue     expiryHeap
	retention time.Duration
}

func newIngressHistory(retention time.Duration) *IngressHistory {
	return &IngressHistory{entries: map[bigfile.MessageID]*IngressState{}, retention: retention}
}

// Len returns the number of entries.
func (h *IngressHistory) Len() int { return len(h.entries) }

// Get returns the state of id, and false if the history does not hold it.
// The returned value is a copy whose Reply is shared.
func (h *IngressHistory) Get(id bigfile.MessageID) (IngressState, bool) {
	e, ok := h.entries[id]
	if !ok {
		return IngressState{}, false
	}
	return *e, true
}

func (h *IngressHistory) has(id bigfile.MessageID) bool {
	_, ok := h.entries[id]
	return ok
}

// add records a new entry; the caller has checked that id is absent.
//
// Every entry is scheduled for a look at its expiry; the heap, not a scan,
// finds the entries due, so pruning costs O(log n) per entry over its life.
func (h *IngressHistory) add(id bigfile.MessageID, st IngressState) {
	e := new(IngressState)
	*e = st
	h.entries[id] = e
	heap.Push(&h.queue, expiryItem{at: st.Expiry, id: id})
}

// prune applies expiry at time now: see [IngressHistory].
func (h *IngressHistory) prune(now bigfile.Time) {
	for len(h.queue) > 0 && h.queue[0].at < now {
		it := heap.Pop(&h.queue).(expiryItem)
		e, ok := h.entries[it.id]
		if !ok {
			continue
		}
		switch {
		case e.Status == StatusDone && it.second:
			delete(h.entries, it.id)
		case e.Status.Terminal():
			e.Status, e.Reply, e.RejectCode, e.RejectMessage, e.ErrorCode = StatusDone, nil, 0, "", ""
			e.Time = now
			// Keep "done" for a retention period from now: a message that
			// finished late is still visible as done for that long.
			heap.Push(&h.queue, expiryItem{at: now.Add(h.retention), id: it.id, second: true})
		default:
			// Still in a queue or executing: look again after another
			// retention period; the entry must outlive its message.
			heap.Push(&h.queue, expiryItem{at: now.Add(h.retention), id: it.id})
		}
	}
}

// expiryItem schedules a look at an entry: at its expiry (second false) or
// at the end of its retention as "done" (second true).
type expiryItem struct {
	at     bigfile.Time
	id     bigfile.MessageID
	second bool
}

// expiryHeap is a min-heap by time, ties broken by id, so that pruning
// visits entries in the same order on every replica.
type expiryHeap []expiryItem

func (q expiryHeap) Len() int { return len(q) }
func (q expiryHeap) Less(i, j int) bool {
	if q[i].at != q[j].at {
		return q[i].at < q[j].at
	}
	return bytes.Compare(q[i].id[:], q[j].id[:]) < 0
}
func (q expiryHeap) Swap(i, j int) { q[i], q[j] = q[j], q[i] }
func (q *expiryHeap) Push(x any)   { *q = append(*q, x.(expiryItem)) }
func (q *expiryHeap) Pop() any {
	old := *q
	x := old[len(old)-1]
	*q = old[:len(old)-1]
	return x
}
