package notice

import "github.com/google/uuid"

// State is a client's inbox as its events built it. The zero value is an
// empty inbox.
type State struct {
	// Evolve copies the map before writing, so states that share it stay
	// independent. The value is whether the notice was read.
	notices map[uuid.UUID]bool
}

// Has reports whether a notice with this ID was recorded.
func (s State) Has(id uuid.UUID) bool {
	_, ok := s.notices[id]
	return ok
}

// IsRead reports whether the notice was recorded and read.
func (s State) IsRead(id uuid.UUID) bool { return s.notices[id] }

// Len is the number of notices recorded.
func (s State) Len() int { return len(s.notices) }

// Unread is the number of notices not read yet.
func (s State) Unread() int {
	n := 0
	for _, read := range s.notices {
		if !read {
			n++
		}
	}
	return n
}
