package bench

import (
	"sync"

	"github.com/google/uuid"

	"github.com/kabinet/kabinet/eventstore"
)

// reader is what one reader of the log saw: how often each event, and
// whether each stream came in version order. It is safe for concurrent use.
type reader struct {
	mu         sync.Mutex
	seen       map[uuid.UUID]int
	versions   map[string]int64
	outOfOrder int
	last       eventstore.Position
	n          int
}

func newReader() *reader {
	return &reader{seen: map[uuid.UUID]int{}, versions: map[string]int64{}}
}

func (r *reader) see(e eventstore.RecordedEvent) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.seen[e.ID]++
	r.n++
	if r.versions[e.Stream]+1 != e.Version {
		r.outOfOrder++
	}
	r.versions[e.Stream] = e.Version
}

// passed records that the reader has gone past pos in the log (whether or
// not it kept the events there); positions must only grow.
func (r *reader) passed(pos eventstore.Position) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if pos.Less(r.last) {
		r.outOfOrder++
	}
	r.last = pos
}

func (r *reader) position() eventstore.Position {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.last
}

// writes is what the writers did: the events whose transactions committed
// and those whose transactions rolled back.
type writes struct {
	committed  map[uuid.UUID]bool
	rolledBack map[uuid.UUID]bool
}

// check compares what a reader saw with what was written: every committed
// event exactly once, each stream in version order, nothing else.
func check(name string, w writes, r *reader) ReaderCheck {
	r.mu.Lock()
	defer r.mu.Unlock()
	c := ReaderCheck{Name: name, Seen: r.n, OutOfOrder: r.outOfOrder}
	for id := range w.committed {
		switch r.seen[id] {
		case 0:
			c.Missing++
		case 1:
		default:
			c.Repeated++
		}
	}
	for id := range r.seen {
		switch {
		case w.rolledBack[id]:
			c.RolledBack++
		case !w.committed[id]:
			c.Unknown++
		}
	}
	return c
}
