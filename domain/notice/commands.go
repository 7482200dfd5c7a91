package notice

import "github.com/google/uuid"

// Command is a request to change a client's inbox; the set is closed to this package.
type Command interface{ isCommand() }

// RecordNotice records a notice that was sent. For KindAccessCode leave
// Title and Body empty (or set them to AccessCodeTitle and AccessCodeBody).
type RecordNotice struct {
	NoticeID uuid.UUID
	Kind     Kind
	Channels []Channel
	Title    string
	Body     string
	PolicyID uuid.UUID // zero when the notice is not about a policy
	ClaimID  uuid.UUID // zero when the notice is not about a claim
}

// MarkRead records that the client opened a notice.
type MarkRead struct {
	NoticeID uuid.UUID
}

func (RecordNotice) isCommand() {}
func (MarkRead) isCommand()     {}
