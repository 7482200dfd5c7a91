package notice

import (
	"maps"

	"github.com/google/uuid"
)

// Evolve applies one event to the state. It never validates: events are facts.
func Evolve(s State, e Event) State {
	switch e := e.(type) {
	case Recorded:
		if !s.Has(e.NoticeID) {
			s.notices = with(s.notices, e.NoticeID, false)
		}
	case Read:
		s.notices = with(s.notices, e.NoticeID, true)
	}
	return s
}

// with returns a copy of m with k set to v, leaving m untouched.
func with(m map[uuid.UUID]bool, k uuid.UUID, v bool) map[uuid.UUID]bool {
	c := maps.Clone(m)
	if c == nil {
		c = make(map[uuid.UUID]bool, 1)
	}
	c[k] = v
	return c
}
