package notice

import (
	"time"

	"github.com/google/uuid"
)

// Aggregate is the stream prefix: streams are "notice-<client id>".
const Aggregate = "notice"

// Event is one fact in a client's inbox; the set is closed to this package.
type Event interface{ eventType() string }

// Wire names of the events. They are stored and never change.
const (
	TypeRecorded = "notice.recorded"
	TypeRead     = "notice.read"
)

// Recorded puts a notice into the client's inbox. PolicyID and ClaimID name
// what the notice is about, when it is about a policy or a claim.
type Recorded struct {
	NoticeID   uuid.UUID `json:"notice_id"`
	Kind       Kind      `json:"kind"`
	Channels   []Channel `json:"channels"`
	Title      string    `json:"title"`
	Body       string    `json:"body"`
	PolicyID   uuid.UUID `json:"policy_id,omitzero"`
	ClaimID    uuid.UUID `json:"claim_id,omitzero"`
	OccurredAt time.Time `json:"occurred_at"`
}

// Read records that the client opened a notice.
type Read struct {
	NoticeID uuid.UUID `json:"notice_id"`
	ReadAt   time.Time `json:"read_at"`
}

func (Recorded) eventType() string { return TypeRecorded }
func (Read) eventType() string     { return TypeRead }
