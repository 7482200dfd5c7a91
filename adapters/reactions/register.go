package reactions

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/google/uuid"

	"github.com/kabinet/kabinet/commands"
	"github.com/kabinet/kabinet/domain/client"
	"github.com/kabinet/kabinet/domain/kz"
	"github.com/kabinet/kabinet/domain/notice"
	"github.com/kabinet/kabinet/domain/policy"
	"github.com/kabinet/kabinet/eventstore"
	"github.com/kabinet/kabinet/projections/clientprofile"
)

// registerClientOnPolicyIssued opens a cabinet for the holder of a new
// policy who has none, as after a purchase on the website: name and phone
// from KIAS's card, the access code by SMS. A holder KIAS has no mobile
// phone for, or whose phone is already another cabinet's login, gets no
// cabinet here: without an SMS nobody could log in.
//
// Run again for the same event, it finds its own registration (the command
// ID is derived from the event), adopts the same code (derived from the
// event, see codeFor) and sends nothing already sent.
func (s *Set) registerClientOnPolicyIssued() Reaction {
	const name = NameRegisterClientOnPolicyIssued
	return Reaction{
		Name:  name,
		Types: []string{policy.TypeIssued},
		Handle: func(ctx context.Context, e eventstore.RecordedEvent) error {
			ev, err := decodePolicy[policy.Issued](e)
			if err != nil {
				return err
			}
			ctx = withCause(ctx, e, name)
			if err := s.registerHolder(ctx, e, ev); err != nil {
				return fmt.Errorf("%s: policy %s: %w", name, ev.PolicyID, err)
			}
			return nil
		},
	}
}

func (s *Set) registerHolder(ctx context.Context, e eventstore.RecordedEvent, ev policy.Issued) error {
	const name = NameRegisterClientOnPolicyIssued
	iin := ev.Holder.IIN
	if iin.IsZero() {
		return nil
	}
	clientID := s.d.Clients.IDFor(iin)
	regID := commandID(e.ID, name, "register")
	st, err := s.d.Clients.Load(ctx, clientID)
	if err != nil {
		return err
	}
	if st.Exists() {
		// Either someone else registered the client, and there is nothing to
		// do, or this reaction did and was interrupted before the SMS went
		// out: its command ID tells which.
		_, res, err := s.d.Clients.RegisterClient(ctx, regID, client.RegisterClient{IIN: iin})
		switch {
		case err == nil && res.Duplicate && !st.Erased():
			return s.sendCode(ctx, e, ev, clientID, st.Phone)
		case err == nil, errors.Is(err, client.ErrAlreadyRegistered), errors.Is(err, client.ErrErased):
			s.log.DebugContext(ctx, "holder has a cabinet", "event_id", e.ID, "client_id", clientID)
			return nil
		default:
			return err
		}
	}

	pctx, cancel := context.WithTimeout(ctx, s.cfg.PartnerTimeout)
	person, found, err := s.d.KIAS.FindClient(pctx, iin)
	cancel()
	if err != nil {
		return fmt.Errorf("find holder in KIAS: %w", err)
	}
	if !found || person.Phone.IsZero() {
		s.log.InfoContext(ctx, "holder has no mobile phone in KIAS; no cabinet opened", "event_id", e.ID, "client_id", clientID)
		return nil
	}
	if other, inUse, err := (clientprofile.Directory{Q: s.d.DB}).ClientByPhone(ctx, person.Phone); err != nil {
		return err
	} else if inUse && other != clientID {
		s.log.InfoContext(ctx, "holder's phone is another cabinet's login; no cabinet opened", "event_id", e.ID, "client_id", clientID)
		return nil
	}
	first, last := holderNames(person.FirstName, person.LastName, ev.Holder.Name)
	if first == "" || last == "" {
		s.log.InfoContext(ctx, "holder's name is unknown; no cabinet opened", "event_id", e.ID, "client_id", clientID)
		return nil
	}
	_, _, err = s.d.Clients.RegisterClient(ctx, regID, client.RegisterClient{
		IIN: iin, FirstName: first, LastName: last, Phone: person.Phone,
		Source: client.SourcePurchase, KIASClientID: person.ClientID,
	})
	if errors.Is(err, client.ErrAlreadyRegistered) {
		// Registered a moment ago by someone else, who tells the client.
		return nil
	}
	if err != nil {
		return err
	}
	return s.sendCode(ctx, e, ev, clientID, person.Phone)
}

// sendCode makes the event's code the client's access code and sends it.
func (s *Set) sendCode(ctx context.Context, e eventstore.RecordedEvent, ev policy.Issued, clientID uuid.UUID, phone kz.Phone) error {
	const name = NameRegisterClientOnPolicyIssued
	code := s.codeFor(e.ID)
	// A repeat of this command writes nothing, even if the client has since
	// chosen another code: the first run's result stands.
	_, err := s.d.Clients.AdoptSentCode(ctx, commandID(e.ID, name, "code"), clientID,
		s.d.Codes.HashOneTime(code), s.now().Add(s.cfg.InitialCodeTTL))
	if err != nil {
		return err
	}
	title, body := titleRegistered, fmt.Sprintf(bodyRegistered, ev.Number)
	err = s.deliver(ctx, message{
		Key:      eventKey(name, e.ID),
		NoticeID: commands.NoticeIDFor(e.ID, notice.KindRegistration),
		RecordID: commandID(e.ID, name, "notice"),
		ClientID: clientID,
		Kind:     notice.KindRegistration,
		Title:    title,
		Body:     body,
		SMS:      fmt.Sprintf(smsRegistered, code),
		PolicyID: ev.PolicyID,
	}, recipient{Phone: phone, Channels: client.Channels{SMS: true}})
	if err != nil {
		return err
	}
	s.log.InfoContext(ctx, "cabinet opened for a policy holder", "event_id", e.ID, "client_id", clientID)
	return nil
}

// holderNames takes the names from KIAS's card, or else from the policy's
// holder, written "Фамилия Имя [Отчество]".
func holderNames(first, last, holder string) (string, string) {
	first, last = strings.TrimSpace(first), strings.TrimSpace(last)
	if first != "" && last != "" {
		return first, last
	}
	parts := strings.Fields(holder)
	if last == "" && len(parts) > 0 {
		last = parts[0]
	}
	if first == "" && len(parts) > 1 {
		first = parts[1]
	}
	return first, last
}
