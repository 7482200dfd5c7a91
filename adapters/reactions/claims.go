package reactions

import (
	"context"
	"fmt"
	"strings"

	"github.com/kabinet/kabinet/commands"
	"github.com/kabinet/kabinet/domain/claim"
	"github.com/kabinet/kabinet/domain/notice"
	"github.com/kabinet/kabinet/eventstore"
)

// notifyOnClaimStatusChanged tells the client their claim moved to another
// stage (notice kind claim_status).
func (s *Set) notifyOnClaimStatusChanged() Reaction {
	const name = NameNotifyOnClaimStatusChanged
	return Reaction{
		Name:  name,
		Types: []string{claim.TypeStatusChanged},
		Handle: func(ctx context.Context, e eventstore.RecordedEvent) error {
			ev, err := decodeClaim[claim.StatusChanged](e)
			if err != nil {
				return err
			}
			return s.notifyClaim(ctx, e, name, notice.KindClaimStatus, func(c claim.State) (string, string, string) {
				phrase := claimStatusPhrase(ev.To, ev.Payout)
				body := fmt.Sprintf(bodyClaimStatus, c.Number, phrase)
				if ev.To == claim.StatusRefused && ev.Reason != "" {
					body = fmt.Sprintf(bodyClaimRefused, c.Number, phrase, ev.Reason)
				}
				return fmt.Sprintf(titleClaimStatus, c.Number), body + moreInCabinet, fmt.Sprintf(smsClaimStatus, c.Number, phrase)
			})
		},
	}
}

// notifyOnClaimDocumentsRequested tells the client which documents their
// claim is waiting for (notice kind missing_documents): those this event
// asks for, by the titles the client is shown.
func (s *Set) notifyOnClaimDocumentsRequested() Reaction {
	const name = NameNotifyOnClaimDocumentsRequested
	return Reaction{
		Name:  name,
		Types: []string{claim.TypeDocumentsRequested},
		Handle: func(ctx context.Context, e eventstore.RecordedEvent) error {
			ev, err := decodeClaim[claim.DocumentsRequested](e)
			if err != nil {
				return err
			}
			titles := make([]string, len(ev.Documents))
			for i, d := range ev.Documents {
				titles[i] = d.Title
			}
			return s.notifyClaim(ctx, e, name, notice.KindMissingDocuments, func(c claim.State) (string, string, string) {
				return fmt.Sprintf(titleDocuments, c.Number),
					fmt.Sprintf(bodyDocuments, c.Number, strings.Join(titles, "; ")),
					fmt.Sprintf(smsDocuments, c.Number, len(titles))
			})
		},
	}
}

// notifyClaim delivers a notice about the claim whose stream e is in; text
// composes title, body and SMS from the claim.
func (s *Set) notifyClaim(ctx context.Context, e eventstore.RecordedEvent, name string, kind notice.Kind,
	text func(claim.State) (title, body, sms string)) error {
	claimID, err := streamID(e, claim.Aggregate)
	if err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	c, err := s.d.Claims.Load(ctx, claimID)
	if err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	if !c.Exists() {
		return fmt.Errorf("%s: claim %s: %w", name, claimID, claim.ErrClaimNotFound)
	}
	ctx = withCause(ctx, e, name)
	r, ok, err := s.recipientFor(ctx, c.ClientID, kind)
	if err != nil {
		return fmt.Errorf("%s: claim %s: %w", name, claimID, err)
	}
	if !ok {
		s.log.InfoContext(ctx, "nobody to tell", "reaction", name, "event_id", e.ID, "claim_id", claimID)
		return nil
	}
	title, body, sms := text(c)
	err = s.deliver(ctx, message{
		Key:      eventKey(name, e.ID),
		NoticeID: commands.NoticeIDFor(e.ID, kind),
		RecordID: commandID(e.ID, name, "notice"),
		ClientID: c.ClientID,
		Kind:     kind,
		Title:    title,
		Body:     body,
		SMS:      sms,
		PolicyID: c.PolicyID,
		ClaimID:  claimID,
	}, r)
	if err != nil {
		return fmt.Errorf("%s: claim %s: %w", name, claimID, err)
	}
	return nil
}
