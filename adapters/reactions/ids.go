package reactions

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"strings"

	"github.com/google/uuid"

	"github.com/kabinet/kabinet/commands"
	"github.com/kabinet/kabinet/domain/notice"
	"github.com/kabinet/kabinet/eventstore"
)

// Namespaces of derived IDs. Changing one would make a redelivered event or
// a refired reminder look new, so they never change.
var (
	commandNamespace  = uuid.MustParse("3f6e2a91-7c4d-5b08-9e1a-2d5c8b7f4e63")
	reminderNamespace = uuid.MustParse("b7d41c2e-0a9f-5e36-8c71-4f2a6d9e3b15")
)

// commandID is the ID of a command a reaction runs for an event: the same
// event, reaction and step always give the same ID, so a redelivery writes
// nothing.
func commandID(eventID uuid.UUID, reaction, step string) uuid.UUID {
	name := make([]byte, 0, 16+len(reaction)+1+len(step))
	name = append(name, eventID[:]...)
	name = append(name, reaction...)
	name = append(name, 0)
	name = append(name, step...)
	return uuid.NewSHA1(commandNamespace, name)
}

// eventKey is the idempotency key of what a reaction sends for an event.
func eventKey(reaction string, eventID uuid.UUID) string {
	return reaction + ":" + eventID.String()
}

// reminderCause stands in for a cause event ID for a reminder's notice and
// commands, derived from the reminder's key.
func reminderCause(key string) uuid.UUID { return uuid.NewSHA1(reminderNamespace, []byte(key)) }

// reminderNoticeID is the ID of the notice a reminder records.
func reminderNoticeID(key string, kind notice.Kind) uuid.UUID {
	return commands.NoticeIDFor(reminderCause(key), kind)
}

// codeLabel separates these MACs from any other use of the same key.
const codeLabel = "kabinet registration code v1\x00"

// codeFor is the six-digit access code sent to a client registered because
// of the event. It is an HMAC of the event ID under the code key, so it is
// the same every time the event is handled and unknown to anyone without the
// key. Each code is equally likely: 32-bit draws at or above the largest
// multiple of 10⁶ are thrown away, as in commands.AccessCodes.
func (s *Set) codeFor(eventID uuid.UUID) string {
	const modulus = 1_000_000
	const limit = (1 << 32) / modulus * modulus
	for round := uint32(0); ; round++ {
		mac := hmac.New(sha256.New, s.cfg.CodeKey)
		mac.Write([]byte(codeLabel))
		mac.Write(eventID[:])
		var r [4]byte
		binary.BigEndian.PutUint32(r[:], round)
		mac.Write(r[:])
		sum := mac.Sum(nil)
		for i := 0; i+4 <= len(sum); i += 4 {
			if v := binary.BigEndian.Uint32(sum[i:]); v < limit {
				return fmt.Sprintf("%06d", v%modulus)
			}
		}
	}
}

// streamID returns the aggregate ID of a stream "<aggregate>-<uuid>".
func streamID(e eventstore.RecordedEvent, aggregate string) (uuid.UUID, error) {
	raw, ok := strings.CutPrefix(e.Stream, aggregate+"-")
	if !ok {
		return uuid.Nil, fmt.Errorf("event %s: stream is not a %s stream", e.ID, aggregate)
	}
	id, err := uuid.Parse(raw)
	if err != nil {
		return uuid.Nil, fmt.Errorf("event %s: stream id: %w", e.ID, err)
	}
	return id, nil
}

// withCause returns ctx carrying the metadata of the commands a reaction
// runs for e: the event's correlation, the event as the cause, the reaction
// as the actor.
func withCause(ctx context.Context, e eventstore.RecordedEvent, reaction string) context.Context {
	corr := e.Metadata.CorrelationID
	if corr == "" {
		corr = e.ID.String()
	}
	return commands.WithMetadata(ctx, eventstore.Metadata{
		CorrelationID: corr, CausationID: e.ID.String(), Actor: "reaction:" + reaction, Trace: e.Metadata.Trace,
	})
}
