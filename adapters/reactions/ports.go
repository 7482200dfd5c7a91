package reactions

import (
	"context"
	"time"

	"github.com/kabinet/kabinet/adapters/kias"
	"github.com/kabinet/kabinet/domain/kz"
	"github.com/kabinet/kabinet/projections/policies"
)

// SMS sends a text message. A repeated idempotencyKey must not send a second
// message: the gateway (or its adapter) answers with the first message's ID.
// Send honours ctx and is safe for concurrent use; an error means the message
// may or may not have gone out, and the reactions retry with the same key.
type SMS interface {
	Send(ctx context.Context, phone kz.Phone, text, idempotencyKey string) (string, error)
}

// Mailer sends an e-mail. It honours ctx and is safe for concurrent use; an
// error means the message may or may not have gone out, and the reactions
// retry with the same MailMessage.IdempotencyKey.
type Mailer interface {
	Send(ctx context.Context, m MailMessage) error
}

// MailMessage is one e-mail to a client, in Russian.
type MailMessage struct {
	To          string // one address
	Subject     string
	Text        string // plain text, UTF-8
	Attachments []Attachment
	// IdempotencyKey is the same for every attempt to send this message; an
	// SMTP adapter can derive the Message-ID from it, so that a repeat is
	// recognisable as one.
	IdempotencyKey string
}

// Attachment is a file attached to an e-mail.
type Attachment struct {
	Name        string // e.g. "polis-OGPO-00000001.pdf"
	ContentType string // e.g. "application/pdf"
	Content     []byte
}

// KIAS finds a client's counterparty card by IIN: found is false when KIAS
// has none. It honours ctx and is safe for concurrent use.
type KIAS interface {
	FindClient(ctx context.Context, iin kz.IIN) (kias.Person, bool, error)
}

// History brings what KIAS holds for a client (policies bought and claims
// reported before the cabinet, or before the feed was first read) into
// kabinet: kias.FeedPoller. Import applies the client's history and returns
// how many of its changes are in the log, applied now or before. It is
// idempotent: a change imported again, or seen in KIAS's feed as well,
// writes once. It honours ctx, bounds its own call to KIAS, and is safe for
// concurrent use; its errors never name the IIN.
type History interface {
	Import(ctx context.Context, iin kz.IIN) (int, error)
}

// RenderPolicy renders the policy document (adapters/pdf.Policy) as the
// details screen shows the policy at now.
type RenderPolicy func(d policies.Details, now time.Time) ([]byte, error)
