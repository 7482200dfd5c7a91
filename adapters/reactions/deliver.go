package reactions

import (
	"context"
	"errors"
	"fmt"

	"github.com/google/uuid"

	"github.com/kabinet/kabinet/domain/client"
	"github.com/kabinet/kabinet/domain/kz"
	"github.com/kabinet/kabinet/domain/notice"
	"github.com/kabinet/kabinet/projections/clientprofile"
)

// message is one notice to a client, with its text for every channel.
type message struct {
	// Key is the idempotency key of the SMS and the e-mail and of their
	// delivery notes: "<reaction>:<event ID>" or a reminder's key.
	Key      string
	NoticeID uuid.UUID
	RecordID uuid.UUID // command ID of recording the notice
	ClientID uuid.UUID
	Kind     notice.Kind
	Title    string // the inbox title and the e-mail subject
	Body     string // the inbox text and the heart of the e-mail
	SMS      string // may hold an access code: it goes to the gateway and nowhere else
	PolicyID uuid.UUID
	ClaimID  uuid.UUID
	// Attach returns the e-mail's attachments; it is called only when an
	// e-mail goes out. Nil means none.
	Attach func(ctx context.Context) ([]Attachment, error)
}

// recipient is where a message may go and by which channels.
type recipient struct {
	Phone     kz.Phone
	Email     string
	FirstName string
	Channels  client.Channels
	// AutoProlongation is the client's choice to be offered a renewal
	// before a policy ends.
	AutoProlongation bool
}

// errProfileLag means the client exists but the profile read model has not
// caught up with them yet; the reaction is retried.
var errProfileLag = errors.New("the client's profile is not in the read model yet")

// recipientFor looks the client up for a notice of kind: ok is false when
// the client has no cabinet or was erased, so there is nobody to tell.
func (s *Set) recipientFor(ctx context.Context, clientID uuid.UUID, kind notice.Kind) (recipient, bool, error) {
	p, err := clientprofile.Get(ctx, s.d.DB, clientID)
	if errors.Is(err, clientprofile.ErrNotFound) {
		// The read model may lag behind the log: ask the client's stream,
		// which is the truth, whether there is anyone to tell.
		st, err := s.d.Clients.Load(ctx, clientID)
		if err != nil {
			return recipient{}, false, fmt.Errorf("client %s: %w", clientID, err)
		}
		if !st.Exists() || st.Erased() {
			return recipient{}, false, nil
		}
		return recipient{}, false, fmt.Errorf("client %s: %w", clientID, errProfileLag)
	}
	if err != nil {
		return recipient{}, false, err
	}
	if p.Erased() {
		return recipient{}, false, nil
	}
	return recipient{
		Phone:     p.Phone,
		Email:     p.Settings.Email,
		FirstName: p.FirstName,
		Channels:  p.Settings.Channels(client.NotificationKind(kind)),

		AutoProlongation: p.Settings.AutoProlongation,
	}, true, nil
}

// deliver sends m by the recipient's channels and records it in the inbox
// with the channels used. Each channel is sent at most once per key (see
// Set); the inbox records the notice once per NoticeID. An error leaves
// what was done in place, and a retry completes the rest.
func (s *Set) deliver(ctx context.Context, m message, r recipient) error {
	var used []notice.Channel
	if r.Channels.SMS {
		if r.Phone.IsZero() {
			s.log.InfoContext(ctx, "no phone for an sms notice", "key", m.Key, "client_id", m.ClientID)
		} else {
			err := s.once(ctx, m.Key+"#sms", func(ctx context.Context) error {
				pctx, cancel := context.WithTimeout(ctx, s.cfg.PartnerTimeout)
				defer cancel()
				_, err := s.d.SMS.Send(pctx, r.Phone, m.SMS, m.Key)
				return err
			})
			if err != nil {
				return fmt.Errorf("send sms %s: %w", m.Key, err)
			}
			used = append(used, notice.ChannelSMS)
		}
	}
	if r.Channels.Email {
		if r.Email == "" {
			s.log.InfoContext(ctx, "no address for an e-mail notice", "key", m.Key, "client_id", m.ClientID)
		} else {
			err := s.once(ctx, m.Key+"#email", func(ctx context.Context) error {
				var files []Attachment
				if m.Attach != nil {
					var err error
					if files, err = m.Attach(ctx); err != nil {
						return fmt.Errorf("attachments: %w", err)
					}
				}
				pctx, cancel := context.WithTimeout(ctx, s.cfg.PartnerTimeout)
				defer cancel()
				return s.d.Mailer.Send(pctx, MailMessage{
					To: r.Email, Subject: m.Title, Text: mailText(r.FirstName, m.Body),
					Attachments: files, IdempotencyKey: m.Key,
				})
			})
			if err != nil {
				return fmt.Errorf("send e-mail %s: %w", m.Key, err)
			}
			used = append(used, notice.ChannelEmail)
		}
	}
	used = append(used, notice.ChannelInbox)
	title, body := clipNotice(m.Title, m.Body)
	_, err := s.d.Notices.Record(ctx, m.RecordID, m.ClientID, notice.RecordNotice{
		NoticeID: m.NoticeID, Kind: m.Kind, Channels: used, Title: title, Body: body,
		PolicyID: m.PolicyID, ClaimID: m.ClaimID,
	})
	if err != nil {
		return fmt.Errorf("record notice %s: %w", m.NoticeID, err)
	}
	s.log.InfoContext(ctx, "notice delivered", "key", m.Key, "notice_id", m.NoticeID, "kind", string(m.Kind), "channels", len(used))
	return nil
}

// once runs send unless a delivery under key is noted as done, and notes it
// when send succeeds.
func (s *Set) once(ctx context.Context, key string, send func(context.Context) error) error {
	var done bool
	if err := s.d.DB.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM reaction_deliveries WHERE key = $1)`, key).Scan(&done); err != nil {
		return fmt.Errorf("look up delivery: %w", err)
	}
	if done {
		return nil
	}
	if err := send(ctx); err != nil {
		return err
	}
	if _, err := s.d.DB.Exec(ctx, `INSERT INTO reaction_deliveries (key, sent_at) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING`,
		key, s.now()); err != nil {
		return fmt.Errorf("note delivery: %w", err)
	}
	return nil
}
