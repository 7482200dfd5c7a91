package commands

import (
	"context"
	"fmt"

	"github.com/google/uuid"

	"github.com/kabinet/kabinet/domain/notice"
)

// noticeNamespace is the UUIDv5 namespace of notice IDs derived from their
// cause. Changing it would record every redelivered notice again.
var noticeNamespace = uuid.MustParse("9d3c1f60-2b7e-5a41-8c6d-0e5f4a3b2c19")

// NoticeIDFor is the ID of the notice of a kind that an event (by its event
// ID) caused. A reaction delivered twice derives the same ID, so the inbox
// records the notice once.
func NoticeIDFor(causeEventID uuid.UUID, kind notice.Kind) uuid.UUID {
	return uuid.NewSHA1(noticeNamespace, append(causeEventID[:], kind...))
}

// Notices handles the commands of a client's notification inbox, one stream
// per client, "notice-<client id>". It is safe for concurrent use.
type Notices struct {
	runner *Runner
}

// NewNotices wires the inbox handlers; r is required.
func NewNotices(r *Runner) *Notices { return &Notices{runner: r} }

// noticeAggregate is the notice package as the runner drives it.
func noticeAggregate() Aggregate[notice.State, notice.Event, notice.Command] {
	return Aggregate[notice.State, notice.Event, notice.Command]{
		Name:          notice.Aggregate,
		Evolve:        notice.Evolve,
		Decide:        notice.Decide,
		Encode:        notice.EncodeEvent,
		Decode:        notice.DecodeEvent,
		SchemaVersion: notice.SchemaVersion,
	}
}

func (n *Notices) execute(ctx context.Context, cmdID, clientID uuid.UUID, cmd notice.Command) (Result, error) {
	// The inbox of uuid.Nil would be a stream every unidentified caller shares.
	if clientID == uuid.Nil {
		return Result{}, fmt.Errorf("notice %T: client_id: required: %w", cmd, notice.ErrInvalidCommand)
	}
	return Execute(ctx, n.runner, noticeAggregate(), clientID, cmdID, cmd)
}

// Record puts a notice that was sent into the client's inbox. It is
// idempotent per notice ID: a notice already recorded decides nothing
// (Result.Events 0), whatever the command ID. An access-code notice carries
// only a fixed text (see package notice).
func (n *Notices) Record(ctx context.Context, cmdID, clientID uuid.UUID, cmd notice.RecordNotice) (Result, error) {
	return n.execute(ctx, cmdID, clientID, cmd)
}

// MarkRead records that the client opened a notice of their own inbox;
// another client's notice is not in it and is refused with
// notice.ErrNoticeNotFound, as is an unknown one. A notice already read
// decides nothing.
func (n *Notices) MarkRead(ctx context.Context, cmdID, clientID, noticeID uuid.UUID) (Result, error) {
	return n.execute(ctx, cmdID, clientID, notice.MarkRead{NoticeID: noticeID})
}
