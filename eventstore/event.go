package eventstore

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"
)

// Event is what a caller appends.
type Event struct {
	ID            uuid.UUID       // unique in the store; derive it from the command ID
	Type          string          // stable wire name such as "policy.issued", never a Go type name
	SchemaVersion int             // shape of Data; 1 for a new type
	Data          json.RawMessage // the payload, a JSON value
	Metadata      Metadata
	OccurredAt    time.Time // business time, given by the command
}

// Metadata travels with an event and says why it was written.
type Metadata struct {
	CorrelationID string `json:"correlation_id,omitempty"`
	CausationID   string `json:"causation_id,omitempty"`
	CommandID     string `json:"command_id,omitempty"`
	Actor         string `json:"actor,omitempty"`
	Trace         string `json:"trace,omitempty"`
}

// RecordedEvent is an event as the store keeps it.
type RecordedEvent struct {
	Event
	Stream     string
	Version    int64
	RecordedAt time.Time
	Position   Position
	Hash       []byte // chain hash, see ChainHash
}

// Position is a place in the global log. Tx orders first: backends with
// concurrent writers put the writing transaction's ID there (see the postgres
// package); single-writer backends leave it zero and count in Seq.
type Position struct {
	Tx  uint64
	Seq uint64
}

// Less reports whether p comes before q in the global log.
func (p Position) Less(q Position) bool {
	if p.Tx != q.Tx {
		return p.Tx < q.Tx
	}
	return p.Seq < q.Seq
}

// IsZero reports whether p is the start of the log.
func (p Position) IsZero() bool { return p == Position{} }

// String formats p as "tx:seq", the form ParsePosition reads.
func (p Position) String() string {
	return strconv.FormatUint(p.Tx, 10) + ":" + strconv.FormatUint(p.Seq, 10)
}

// ParsePosition reads "tx:seq" or a bare "seq".
func ParsePosition(s string) (Position, error) {
	tx, seq, found := strings.Cut(s, ":")
	if !found {
		tx, seq = "0", s
	}
	t, err1 := strconv.ParseUint(tx, 10, 64)
	q, err2 := strconv.ParseUint(seq, 10, 64)
	if err1 != nil || err2 != nil {
		return Position{}, fmt.Errorf("position %q: want tx:seq with two unsigned integers", s)
	}
	return Position{Tx: t, Seq: q}, nil
}

// ExpectedVersion is the check Append makes before it writes.
type ExpectedVersion int64

const (
	// Any appends whatever the stream's version.
	Any ExpectedVersion = -1
	// NoStream appends only if the stream has no events yet.
	NoStream ExpectedVersion = 0
)

// Exactly expects the stream's last version to be v; Exactly(0) is NoStream.
func Exactly(v int64) ExpectedVersion { return ExpectedVersion(v) }

func (e ExpectedVersion) String() string {
	switch {
	case e == Any:
		return "any"
	case e == NoStream:
		return "no stream"
	default:
		return strconv.FormatInt(int64(e), 10)
	}
}

// AppendResult tells where an append landed.
type AppendResult struct {
	// FirstVersion and LastVersion are the versions of the first and last
	// appended events.
	FirstVersion, LastVersion int64
	// Position is the global position of the last appended event; wait for
	// readers to pass it to read your own write.
	Position Position
	// Duplicate is true when every event was already stored and nothing was
	// written; the versions and position are those of the first append.
	Duplicate bool
}

// TimeAxis chooses which time LoadAsOf cuts at.
type TimeAxis int

const (
	// ByRecorded cuts at RecordedAt: what the store knew at that moment.
	ByRecorded TimeAxis = iota
	// ByOccurred cuts at OccurredAt: what had happened in business time.
	ByOccurred
)

func (a TimeAxis) String() string {
	if a == ByOccurred {
		return "occurred"
	}
	return "recorded"
}
