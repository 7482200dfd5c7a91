package reactions

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/kabinet/kabinet/domain/policy"
	"github.com/kabinet/kabinet/eventstore"
	"github.com/kabinet/kabinet/internal/sqldb"
)

// Kinds of reminder, as the scheduled_reminders table spells them.
const (
	ReminderExpiring    = "expiring_policy"
	ReminderInstallment = "installment_due"
)

// Reminder is a row of scheduled_reminders.
type Reminder struct {
	Key      string
	Kind     string
	DueAt    time.Time
	PolicyID uuid.UUID
	ClientID uuid.UUID
	Payload  ReminderPayload
	Attempts int
}

// ReminderPayload says what a reminder is about.
type ReminderPayload struct {
	Days        int `json:"days,omitempty"`        // expiring_policy: days before the last day of cover
	Installment int `json:"installment,omitempty"` // installment_due: the installment's number
}

// scheduleRemindersOnPolicyIssued plans the reminders of a new policy:
// ExpiryReminders days before its last day of cover and InstallmentLead
// days before each installment falls due, each at ReminderHour on that day
// in Asia/Almaty. A reminder whose day has passed when the policy is issued
// is not planned (a policy ending in 7 days gets the 7- and 1-day ones,
// the 7-day one at once if its hour has passed); an installment falling due
// after today but within the lead is reminded of today. Each reminder has a
// key, so handling the event again plans nothing new.
//
// The renewal of a policy (Issued.RenewedFrom) also retires the expiry
// reminders the renewed policy still has pending.
func (s *Set) scheduleRemindersOnPolicyIssued() Reaction {
	const name = NameScheduleRemindersOnPolicyIssued
	return Reaction{
		Name:  name,
		Types: []string{policy.TypeIssued},
		Handle: func(ctx context.Context, e eventstore.RecordedEvent) error {
			ev, err := decodePolicy[policy.Issued](e)
			if err != nil {
				return err
			}
			now := s.now()
			plan := s.plan(ev, now)
			b := &sqldb.Batch{}
			for _, r := range plan {
				payload, err := json.Marshal(r.Payload)
				if err != nil {
					return fmt.Errorf("%s: %w", name, err)
				}
				// The payload goes as text: SQLite keeps JSON as TEXT, and
				// would keep a []byte as a BLOB its JSON functions misread.
				b.Queue(`INSERT INTO scheduled_reminders (key, kind, due_at, policy_id, client_id, payload, created_at)
					VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (key) DO NOTHING`,
					r.Key, r.Kind, r.DueAt, r.PolicyID, r.ClientID, string(payload), now)
			}
			if ev.RenewedFrom != uuid.Nil && ev.RenewedFrom != ev.PolicyID {
				b.Queue(`UPDATE scheduled_reminders SET fired_at = $2, outcome = 'skipped', reason = 'renewed',
						claimed_until = NULL, claim_token = NULL
					WHERE policy_id = $1 AND kind = 'expiring_policy' AND fired_at IS NULL
						AND (claimed_until IS NULL OR claimed_until <= $2)`, ev.RenewedFrom, now)
			}
			if b.Len() == 0 {
				return nil
			}
			if err := s.d.DB.InTx(ctx, func(tx sqldb.Tx) error { return tx.SendBatch(ctx, b) }); err != nil {
				return fmt.Errorf("%s: policy %s: store reminders: %w", name, ev.PolicyID, err)
			}
			s.log.InfoContext(ctx, "reminders planned", "event_id", e.ID, "policy_id", ev.PolicyID, "reminders", len(plan))
			return nil
		},
	}
}

// plan lists the reminders of a policy issued at now.
func (s *Set) plan(ev policy.Issued, now time.Time) []Reminder {
	today := policy.DateOf(now.In(s.almaty))
	var out []Reminder
	for _, d := range s.cfg.ExpiryReminders {
		day := ev.EndsOn.AddDays(-d)
		if day.Before(today) {
			continue
		}
		out = append(out, Reminder{
			Key:  fmt.Sprintf("expiring:%s:%d", ev.PolicyID, d),
			Kind: ReminderExpiring, DueAt: s.remindAt(day),
			PolicyID: ev.PolicyID, ClientID: ev.Holder.ClientID, Payload: ReminderPayload{Days: d},
		})
	}
	for _, in := range ev.Installments {
		if !in.DueOn.After(today) {
			continue
		}
		day := in.DueOn.AddDays(-s.cfg.InstallmentLead)
		if day.Before(today) {
			day = today
		}
		out = append(out, Reminder{
			Key:  fmt.Sprintf("installment:%s:%d", ev.PolicyID, in.Number),
			Kind: ReminderInstallment, DueAt: s.remindAt(day),
			PolicyID: ev.PolicyID, ClientID: ev.Holder.ClientID, Payload: ReminderPayload{Installment: in.Number},
		})
	}
	return out
}

// remindAt is ReminderHour on day in Asia/Almaty.
func (s *Set) remindAt(day policy.Date) time.Time {
	return time.Date(day.Year, day.Month, day.Day, s.cfg.ReminderHour, 0, 0, 0, s.almaty)
}

// today is the calendar day now falls on in Asia/Almaty.
func (s *Set) today(now time.Time) policy.Date { return policy.DateOf(now.In(s.almaty)) }

// daysBetween counts the days from a to b.
func daysBetween(a, b policy.Date) int {
	return int(b.In(time.UTC).Sub(a.In(time.UTC)).Hours() / 24)
}
