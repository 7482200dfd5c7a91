// Package memory is an eventstore.Store that keeps everything in process
// memory. It is the store of unit tests and of short-lived demos: nothing
// survives a restart.
//
// One mutex serialises every append, so the global log is in commit order by
// construction and positions are Position{Tx: 0, Seq: 1, 2, 3…}. Events are
// kept as eventstore.StoredRow, the bytes that were hashed, so Verify works on
// exactly what was stored; readers get copies, upcast.
package memory

import (
	"bytes"
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/google/uuid"

	"github.com/kabinet/kabinet/eventstore"
)

// Options tune a Store. The zero value is ready to use.
type Options struct {
	// Upcasters lift old event shapes on every read; nil lifts nothing.
	Upcasters *eventstore.Upcasters
	// Now is the clock that stamps RecordedAt; default time.Now.
	Now func() time.Time
}

// Store is an in-memory eventstore.Store, safe for concurrent use.
type Store struct {
	upcasters *eventstore.Upcasters
	now       func() time.Time
	wake      eventstore.Notifier

	mu      sync.RWMutex
	streams map[string][]*row // in version order, unless tampered with
	heads   map[string]eventstore.Head
	log     []*row // global log in position order
	byID    map[uuid.UUID]*row
	seq     uint64 // last position handed out; never reused, even after TamperDelete
}

// row is a stored event and its place in the global log. The stream slice,
// the log and the ID index share one *row, so a tampered row looks the same
// from every side.
type row struct {
	eventstore.StoredRow
	pos eventstore.Position
}

var _ eventstore.Store = (*Store)(nil)

// New returns an empty Store.
func New(opts Options) *Store {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	return &Store{
		upcasters: opts.Upcasters,
		now:       opts.Now,
		streams:   make(map[string][]*row),
		heads:     make(map[string]eventstore.Head),
		byID:      make(map[uuid.UUID]*row),
	}
}

// Append implements eventstore.Store.
func (s *Store) Append(ctx context.Context, stream string, expected eventstore.ExpectedVersion, events ...eventstore.Event) (eventstore.AppendResult, error) {
	if err := ctx.Err(); err != nil {
		return eventstore.AppendResult{}, err
	}
	if err := eventstore.ValidateAppend(stream, expected, events); err != nil {
		return eventstore.AppendResult{}, err
	}
	// Canonical form and digests are computed outside the lock: they depend
	// on the caller's events only.
	rows := make([]*row, len(events))
	digests := make([][]byte, len(events))
	for i, e := range events {
		c, meta := eventstore.Canonical(e)
		rows[i] = &row{StoredRow: eventstore.StoredRow{
			ID:            c.ID,
			Stream:        stream,
			Type:          c.Type,
			SchemaVersion: c.SchemaVersion,
			Data:          bytes.Clone(c.Data),
			Metadata:      meta,
			OccurredAt:    c.OccurredAt,
		}}
		digests[i] = eventstore.RowDigest(rows[i].StoredRow)
	}

	s.mu.Lock()
	defer s.mu.Unlock()

	// Idempotency comes before the version check: a retried append gets its
	// first answer back whatever it expected.
	if res, dup, err := s.duplicate(stream, rows, digests); dup || err != nil {
		return res, err
	}

	stored := s.streams[stream]
	actual := int64(len(stored))
	if head, ok := s.heads[stream]; ok {
		actual = head.Version
	}
	if expected != eventstore.Any && int64(expected) != actual {
		return eventstore.AppendResult{}, &eventstore.ConflictError{Stream: stream, Expected: expected, Actual: actual}
	}

	recordedAt := s.now().Truncate(time.Microsecond).UTC()
	var prev []byte
	if head, ok := s.heads[stream]; ok {
		prev = head.Hash
	}
	if n := len(stored); n > 0 && stored[n-1].RecordedAt.After(recordedAt) {
		recordedAt = stored[n-1].RecordedAt // the clock stepped back; time in a stream must not
	}
	for i, r := range rows {
		s.seq++
		r.Version = actual + int64(i) + 1
		r.RecordedAt = recordedAt
		r.Hash = eventstore.ChainHash(prev, r.Version, recordedAt, digests[i])
		r.pos = eventstore.Position{Seq: s.seq}
		prev = r.Hash
		s.byID[r.ID] = r
	}
	s.streams[stream] = append(stored, rows...)
	s.log = append(s.log, rows...)
	last := rows[len(rows)-1]
	s.heads[stream] = eventstore.Head{Stream: stream, Version: last.Version, Hash: last.Hash}
	s.wake.Notify()
	return eventstore.AppendResult{FirstVersion: rows[0].Version, LastVersion: last.Version, Position: last.pos}, nil
}

// duplicate applies the idempotency rule. It reports dup when every event is
// already stored in this stream with the same content and in the same order,
// one after the other, and returns ErrDuplicateEvent when only some are, or
// any differs. Callers hold s.mu.
func (s *Store) duplicate(stream string, rows []*row, digests [][]byte) (eventstore.AppendResult, bool, error) {
	var res eventstore.AppendResult
	known := 0
	for i, r := range rows {
		old, ok := s.byID[r.ID]
		if !ok {
			continue
		}
		known++
		switch {
		case old.Stream != stream:
			return res, false, fmt.Errorf("append to %s: event %d: id %s is stored in another stream: %w",
				stream, i, r.ID, eventstore.ErrDuplicateEvent)
		case !bytes.Equal(eventstore.RowDigest(old.StoredRow), digests[i]):
			return res, false, fmt.Errorf("append to %s: event %d: id %s is stored with other content: %w",
				stream, i, r.ID, eventstore.ErrDuplicateEvent)
		}
		if i == 0 {
			res.FirstVersion = old.Version
		} else if old.Version != res.FirstVersion+int64(i) {
			return res, false, fmt.Errorf("append to %s: event %d: id %s is stored, but not in this order: %w",
				stream, i, r.ID, eventstore.ErrDuplicateEvent)
		}
		res.LastVersion, res.Position = old.Version, old.pos
	}
	switch known {
	case 0:
		return eventstore.AppendResult{}, false, nil
	case len(rows):
		res.Duplicate = true
		return res, true, nil
	default:
		return eventstore.AppendResult{}, false, fmt.Errorf("append to %s: %d of %d event ids are already stored: %w",
			stream, known, len(rows), eventstore.ErrDuplicateEvent)
	}
}
