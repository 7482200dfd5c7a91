package memory

import (
	"context"
	"fmt"
	"sort"

	"github.com/kabinet/kabinet/eventstore"
)

// Verify implements eventstore.Store. With stream "" it checks every stream
// in name order, so the first broken link it reports is the same each time.
// A named stream that has neither rows nor a head is ErrStreamNotFound.
func (s *Store) Verify(ctx context.Context, stream string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	if stream != "" {
		_, hasRows := s.streams[stream]
		_, hasHead := s.heads[stream]
		if !hasRows && !hasHead {
			return fmt.Errorf("verify %s: %w", stream, eventstore.ErrStreamNotFound)
		}
		return s.verifyStream(stream)
	}
	names := make([]string, 0, len(s.heads))
	seen := make(map[string]bool, len(s.heads))
	for name := range s.heads {
		names, seen[name] = append(names, name), true
	}
	for name := range s.streams {
		if !seen[name] {
			names = append(names, name) // rows without a head: VerifyStream reports it
		}
	}
	sort.Strings(names)
	for _, name := range names {
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := s.verifyStream(name); err != nil {
			return err
		}
	}
	return nil
}

// verifyStream hands one stream's stored rows, in slice order, to
// eventstore.VerifyStream. Callers hold s.mu.
func (s *Store) verifyStream(stream string) error {
	rows := s.streams[stream]
	stored := make([]eventstore.StoredRow, len(rows))
	for i, r := range rows {
		stored[i] = r.StoredRow
	}
	var head *eventstore.Head
	if h, ok := s.heads[stream]; ok {
		head = &h
	}
	return eventstore.VerifyStream(stream, head, stored)
}
