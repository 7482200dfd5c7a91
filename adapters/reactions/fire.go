package reactions

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/kabinet/kabinet/commands"
	"github.com/kabinet/kabinet/domain/notice"
	"github.com/kabinet/kabinet/domain/policy"
	"github.com/kabinet/kabinet/eventstore"
	"github.com/kabinet/kabinet/projections/policies"
)

// reminderActor is the actor of the commands a reminder runs.
const reminderActor = "reminder"

// fire sends a claimed reminder, or finds there is nothing to remind of.
// The policy is read from its stream, not from a read model, so that a
// cancellation or payment recorded a moment ago is seen.
func (s *Set) fire(ctx context.Context, r Reminder) (outcome, reason string, err error) {
	ctx = commands.WithMetadata(ctx, eventstore.Metadata{
		CorrelationID: reminderCause(r.Key).String(), CausationID: "reminder:" + r.Key, Actor: reminderActor,
	})
	st, err := s.d.Policies.Load(ctx, r.PolicyID)
	if err != nil {
		return "", "", err
	}
	if !st.Exists() {
		return OutcomeSkipped, "no policy", nil
	}
	if st.Cancelled {
		return OutcomeSkipped, "cancelled", nil
	}
	now := s.now()
	today := s.today(now)
	switch r.Kind {
	case ReminderExpiring:
		return s.fireExpiring(ctx, r, st, now, today)
	case ReminderInstallment:
		return s.fireInstallment(ctx, r, st, today)
	}
	return OutcomeSkipped, "unknown kind", nil
}

func (s *Set) fireExpiring(ctx context.Context, r Reminder, st policy.State, now time.Time, today policy.Date) (string, string, error) {
	switch {
	case st.Prolonged():
		return OutcomeSkipped, "renewed", nil
	case st.EndsOn.Before(today):
		return OutcomeSkipped, "ended", nil
	}
	const kind = notice.KindExpiringPolicy
	to, ok, err := s.recipientFor(ctx, st.Holder.ClientID, kind)
	if err != nil {
		return "", "", err
	}
	if !ok {
		return OutcomeSkipped, "no cabinet", nil
	}
	product, ends := productName(st.Product), formatDate(st.EndsOn)
	m := s.reminderMessage(r, st, kind)
	if r.Payload.Days == s.cfg.ProlongationAt && to.AutoProlongation {
		start := st.EndsOn.AddDays(1)
		if start.Before(today) {
			start = today
		}
		m.Title = titleRenewalDraft
		m.Body = fmt.Sprintf(bodyRenewalDraft, st.Number, product, ends, formatDate(start))
		m.SMS = fmt.Sprintf(smsRenewalDraft, st.Number)
	} else {
		m.Title = titleExpiring
		m.Body = fmt.Sprintf(bodyExpiring, st.Number, product, ends, left(daysBetween(today, st.EndsOn)))
		m.SMS = fmt.Sprintf(smsExpiring, st.Number, ends)
	}
	m.Attach = func(ctx context.Context) ([]Attachment, error) {
		d, err := policies.Get(ctx, s.d.DB, st.Holder.ClientID, st.ID, now)
		if err != nil {
			return nil, err
		}
		doc, err := s.d.RenderPolicy(d, now)
		if err != nil {
			return nil, fmt.Errorf("render policy %s: %w", st.ID, err)
		}
		return []Attachment{{Name: "polis-" + fileSafe(st.Number) + ".pdf", ContentType: "application/pdf", Content: doc}}, nil
	}
	if err := s.deliver(ctx, m, to); err != nil {
		return "", "", err
	}
	return OutcomeSent, "", nil
}

func (s *Set) fireInstallment(ctx context.Context, r Reminder, st policy.State, today policy.Date) (string, string, error) {
	var (
		due   policy.ScheduledInstallment
		found bool
	)
	for _, in := range st.Schedule() {
		if in.Number == r.Payload.Installment {
			due, found = in, true
		}
	}
	switch {
	case !found:
		return OutcomeSkipped, "no installment", nil
	case due.Paid():
		return OutcomeSkipped, "paid", nil
	case due.DueOn.Before(today):
		return OutcomeSkipped, "overdue", nil
	}
	const kind = notice.KindInstallmentDue
	to, ok, err := s.recipientFor(ctx, st.Holder.ClientID, kind)
	if err != nil {
		return "", "", err
	}
	if !ok {
		return OutcomeSkipped, "no cabinet", nil
	}
	amount, dueOn := formatMoney(due.Amount), formatDate(due.DueOn)
	m := s.reminderMessage(r, st, kind)
	m.Title = titleInstallment
	m.Body = fmt.Sprintf(bodyInstallment, due.Number, st.Number, amount, dueOn)
	m.SMS = fmt.Sprintf(smsInstallment, amount, st.Number, dueOn)
	if err := s.deliver(ctx, m, to); err != nil {
		return "", "", err
	}
	return OutcomeSent, "", nil
}

// reminderMessage is a reminder's message without its text.
func (s *Set) reminderMessage(r Reminder, st policy.State, kind notice.Kind) message {
	return message{
		Key:      r.Key,
		NoticeID: reminderNoticeID(r.Key, kind),
		RecordID: commandID(reminderCause(r.Key), reminderActor, "notice"),
		ClientID: st.Holder.ClientID,
		Kind:     kind,
		PolicyID: st.ID,
	}
}

// fileSafe keeps the letters, digits and dashes of a policy number for a file name.
func fileSafe(s string) string {
	out := strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '-', r == '_':
			return r
		}
		return -1
	}, s)
	if out == "" {
		return "policy"
	}
	return out
}
