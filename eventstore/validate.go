package eventstore

import (
	"encoding/json"
	"fmt"
	"regexp"
	"time"

	"github.com/google/uuid"
)

// MaxBatch is the most events one Append takes.
const MaxBatch = 10_000

var (
	streamPattern = regexp.MustCompile(`^[a-z][a-z0-9_]*-[A-Za-z0-9_.:-]{1,190}$`)
	typePattern   = regexp.MustCompile(`^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$`)
)

// StreamName is the stream of one aggregate instance: "<aggregate>-<uuid>".
func StreamName(aggregate string, id uuid.UUID) string { return aggregate + "-" + id.String() }

// ValidateAppend checks an Append's arguments before anything is written. It
// returns an error wrapping ErrInvalidEvent that names the event and field.
func ValidateAppend(stream string, expected ExpectedVersion, events []Event) error {
	bad := func(format string, args ...any) error {
		return fmt.Errorf("append to %q: %w: %s", stream, ErrInvalidEvent, fmt.Sprintf(format, args...))
	}
	if !streamPattern.MatchString(stream) {
		return bad("stream name must be <aggregate>-<id> (lower-case aggregate, at most 200 characters)")
	}
	if expected < Any {
		return bad("expected version %d is neither Any, NoStream nor a version", int64(expected))
	}
	if len(events) == 0 || len(events) > MaxBatch {
		return bad("want 1 to %d events, got %d", MaxBatch, len(events))
	}
	seen := make(map[uuid.UUID]bool, len(events))
	for i, e := range events {
		switch {
		case e.ID == uuid.Nil:
			return bad("event %d: id is empty", i)
		case seen[e.ID]:
			return bad("event %d: id %s appears twice in the batch", i, e.ID)
		case !typePattern.MatchString(e.Type):
			return bad("event %d: type %q is not a dotted lower-case name such as policy.issued", i, e.Type)
		case e.SchemaVersion < 1:
			return bad("event %d: schema version must be at least 1", i)
		case !json.Valid(e.Data):
			return bad("event %d: data is not valid JSON", i)
		case e.OccurredAt.IsZero():
			return bad("event %d: occurred_at is not set", i)
		}
		seen[e.ID] = true
	}
	return nil
}

// Canonical returns the event as a backend stores it: times truncated to
// microseconds in UTC and metadata marshalled once, the bytes Digest covers.
func Canonical(e Event) (Event, []byte) {
	e.OccurredAt = e.OccurredAt.Truncate(time.Microsecond).UTC()
	meta, _ := json.Marshal(e.Metadata) // a struct of strings always marshals
	return e, meta
}
