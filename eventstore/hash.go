package eventstore

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"time"

	"github.com/google/uuid"
)

// StoredRow is an event exactly as a backend keeps it: the bytes that were
// hashed, before any upcasting. Verify works on these.
type StoredRow struct {
	ID            uuid.UUID
	Stream        string
	Version       int64
	Type          string
	SchemaVersion int
	Data          []byte
	Metadata      []byte // the stored JSON of Metadata
	OccurredAt    time.Time
	RecordedAt    time.Time
	Hash          []byte
}

// Head is a stream's head record: its last version and hash.
type Head struct {
	Stream  string
	Version int64
	Hash    []byte
}

// Digest is SHA-256 over the canonical envelope: every field that the caller
// gave, each length-prefixed so that no two envelopes share an encoding.
func Digest(id uuid.UUID, stream, eventType string, schemaVersion int, data, metadata []byte, occurredAt time.Time) []byte {
	h := sha256.New()
	var n [8]byte
	field := func(b []byte) {
		binary.BigEndian.PutUint32(n[:4], uint32(len(b)))
		h.Write(n[:4])
		h.Write(b)
	}
	field(id[:])
	field([]byte(stream))
	field([]byte(eventType))
	binary.BigEndian.PutUint64(n[:], uint64(int64(schemaVersion)))
	h.Write(n[:])
	field(data)
	field(metadata)
	binary.BigEndian.PutUint64(n[:], uint64(occurredAt.UnixMicro()))
	h.Write(n[:])
	return h.Sum(nil)
}

// ChainHash links an event to its predecessor in the stream:
// SHA-256(prev ‖ int64 version ‖ int64 recorded_at in Unix microseconds ‖
// digest), integers big-endian. The first event's prev is empty. Backends
// that compute it in SQL must produce the same bytes.
func ChainHash(prev []byte, version int64, recordedAt time.Time, digest []byte) []byte {
	h := sha256.New()
	h.Write(prev)
	var n [8]byte
	binary.BigEndian.PutUint64(n[:], uint64(version))
	h.Write(n[:])
	binary.BigEndian.PutUint64(n[:], uint64(recordedAt.UnixMicro()))
	h.Write(n[:])
	h.Write(digest)
	return h.Sum(nil)
}

// RowDigest is Digest of a stored row.
func RowDigest(r StoredRow) []byte {
	return Digest(r.ID, r.Stream, r.Type, r.SchemaVersion, r.Data, r.Metadata, r.OccurredAt)
}

// VerifyStream checks one stream's rows, in the order of their version
// column, against each other and against its head (nil when the head record
// is missing). It returns nil or a *ChainError naming the first broken link.
func VerifyStream(stream string, head *Head, rows []StoredRow) error {
	broken := func(v int64, format string, args ...any) error {
		return &ChainError{Stream: stream, Version: v, Reason: fmt.Sprintf(format, args...)}
	}
	var prev []byte
	for i, r := range rows {
		want := int64(i + 1)
		if r.Stream != stream {
			return broken(r.Version, "row belongs to stream %q", r.Stream)
		}
		if r.Version != want {
			return broken(want, "version %d missing (next stored is %d)", want, r.Version)
		}
		if got := ChainHash(prev, r.Version, r.RecordedAt, RowDigest(r)); !bytes.Equal(got, r.Hash) {
			return broken(r.Version, "stored hash does not match the row's content and its predecessor")
		}
		prev = r.Hash
	}
	last := int64(len(rows))
	switch {
	case head == nil:
		return broken(0, "no head record for a stream with %d events", last)
	case head.Version > last:
		return broken(last+1, "head says version %d but the stream ends at %d", head.Version, last)
	case head.Version < last:
		return broken(head.Version+1, "stream has %d events but head says %d", last, head.Version)
	case !bytes.Equal(head.Hash, prev):
		return broken(last, "head hash does not match the last event")
	}
	return nil
}
