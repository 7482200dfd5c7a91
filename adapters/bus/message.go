package bus

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/google/uuid"

	"github.com/kabinet/kabinet/eventstore"
)

// Metadata keys of a bus message. The payload is the event's data.
const (
	MetaEventID       = "event_id"
	MetaEventType     = "event_type"
	MetaStream        = "stream"
	MetaVersion       = "version"
	MetaPosition      = "position" // tx:seq, see eventstore.Position
	MetaSchemaVersion = "schema_version"
	MetaOccurredAt    = "occurred_at" // RFC 3339 with nanoseconds
	MetaRecordedAt    = "recorded_at"
	MetaCorrelationID = "correlation_id"
	MetaCausationID   = "causation_id"
	MetaCommandID     = "command_id"
	MetaActor         = "actor"
	MetaTrace         = "trace"
	MetaHash          = "hash" // hex
)

// ErrMalformedMessage means a bus message does not carry a whole event.
var ErrMalformedMessage = errors.New("malformed bus message")

// NewMessage turns a recorded event into a bus message whose UUID is the
// event ID, so that a broker's duplicate detection and the reactions'
// deduplication both key on it.
func NewMessage(e eventstore.RecordedEvent) *message.Message {
	msg := message.NewMessage(e.ID.String(), message.Payload(e.Data))
	md := msg.Metadata
	md.Set(MetaEventID, e.ID.String())
	md.Set(MetaEventType, e.Type)
	md.Set(MetaStream, e.Stream)
	md.Set(MetaVersion, strconv.FormatInt(e.Version, 10))
	md.Set(MetaPosition, e.Position.String())
	md.Set(MetaSchemaVersion, strconv.Itoa(e.SchemaVersion))
	md.Set(MetaOccurredAt, e.OccurredAt.UTC().Format(time.RFC3339Nano))
	md.Set(MetaRecordedAt, e.RecordedAt.UTC().Format(time.RFC3339Nano))
	for k, v := range map[string]string{
		MetaCorrelationID: e.Metadata.CorrelationID, MetaCausationID: e.Metadata.CausationID,
		MetaCommandID: e.Metadata.CommandID, MetaActor: e.Metadata.Actor, MetaTrace: e.Metadata.Trace,
	} {
		if v != "" {
			md.Set(k, v)
		}
	}
	if len(e.Hash) > 0 {
		md.Set(MetaHash, hex.EncodeToString(e.Hash))
	}
	return msg
}

// EventFromMessage rebuilds the recorded event that NewMessage carried. The
// error wraps ErrMalformedMessage and names the field, never its value.
func EventFromMessage(msg *message.Message) (eventstore.RecordedEvent, error) {
	var (
		e    eventstore.RecordedEvent
		errs []error
	)
	md := msg.Metadata
	bad := func(key string, err error) {
		errs = append(errs, fmt.Errorf("%s: %w", key, err))
	}
	var err error
	if e.ID, err = uuid.Parse(md.Get(MetaEventID)); err != nil {
		bad(MetaEventID, errors.New("not a UUID"))
	}
	if e.Type = md.Get(MetaEventType); e.Type == "" {
		bad(MetaEventType, errors.New("missing"))
	}
	if e.Stream = md.Get(MetaStream); e.Stream == "" {
		bad(MetaStream, errors.New("missing"))
	}
	if e.Version, err = strconv.ParseInt(md.Get(MetaVersion), 10, 64); err != nil || e.Version < 1 {
		bad(MetaVersion, errors.New("not a positive integer"))
	}
	if e.Position, err = eventstore.ParsePosition(md.Get(MetaPosition)); err != nil {
		bad(MetaPosition, errors.New("not tx:seq"))
	}
	if e.SchemaVersion, err = strconv.Atoi(md.Get(MetaSchemaVersion)); err != nil || e.SchemaVersion < 1 {
		bad(MetaSchemaVersion, errors.New("not a positive integer"))
	}
	if e.OccurredAt, err = time.Parse(time.RFC3339Nano, md.Get(MetaOccurredAt)); err != nil {
		bad(MetaOccurredAt, errors.New("not an RFC 3339 time"))
	}
	if e.RecordedAt, err = time.Parse(time.RFC3339Nano, md.Get(MetaRecordedAt)); err != nil {
		bad(MetaRecordedAt, errors.New("not an RFC 3339 time"))
	}
	if h := md.Get(MetaHash); h != "" {
		if e.Hash, err = hex.DecodeString(h); err != nil {
			bad(MetaHash, errors.New("not hex"))
		}
	}
	if !json.Valid(msg.Payload) {
		bad("payload", errors.New("not JSON"))
	}
	if err := errors.Join(errs...); err != nil {
		return eventstore.RecordedEvent{}, fmt.Errorf("%w: %w", ErrMalformedMessage, err)
	}
	e.OccurredAt, e.RecordedAt = e.OccurredAt.UTC(), e.RecordedAt.UTC()
	e.Data = json.RawMessage(bytes.Clone(msg.Payload))
	e.Metadata = eventstore.Metadata{
		CorrelationID: md.Get(MetaCorrelationID), CausationID: md.Get(MetaCausationID),
		CommandID: md.Get(MetaCommandID), Actor: md.Get(MetaActor), Trace: md.Get(MetaTrace),
	}
	return e, nil
}
