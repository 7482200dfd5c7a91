package reactions

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/kabinet/kabinet/internal/sqldb"
)

// Outcomes of a fired reminder.
const (
	OutcomeSent    = "sent"    // delivered: by the client's channels and to the inbox
	OutcomeSkipped = "skipped" // nothing to remind of any more; reason says why
	OutcomeFailed  = "failed"  // MaxAttempts failures; last_error says the last
)

// markTimeout bounds marking a reminder after it fired, which is done even
// while the scheduler shuts down so that the reminder is not fired again.
const markTimeout = 5 * time.Second

// maxBackoff caps the wait between attempts at a failing reminder.
const maxBackoff = 24 * time.Hour

// Scheduler fires reminders when they fall due. Its state is the
// scheduled_reminders table, so it survives restarts, and any number of
// schedulers may run at once, in one process or many, on one database.
//
// A scheduler claims a batch of due rows in one short statement (FOR UPDATE
// SKIP LOCKED on PostgreSQL, so concurrent schedulers take different rows;
// on SQLite, whose statements write one at a time, the UPDATE alone) that
// gives them a lease, fires them, and marks each fired with the claim's
// token.
// The firing happens outside any transaction: a transaction that locks rows
// holds an XID, and an open XID holds back every reader of the event log
// (eventstore/postgres releases events only below the oldest open
// transaction) for as long as an SMS gateway or a mail server takes.
// A scheduler that dies mid-batch leaves its rows claimed until the lease
// ends; another one then fires them again, and the effects stay single
// because they are keyed by the reminder's key (see Set). A row never fires
// again once marked. A failure is retried after RetryBackoff, doubling,
// until MaxAttempts, when the row is marked failed with its last error.
//
// At firing time the reminder checks the policy again: the expiry reminder
// of a cancelled or renewed policy is skipped, as is the installment
// reminder of an installment paid or a cancelled policy (an installment of
// a renewed policy is still owed, so it is still reminded of). At
// ProlongationAt days before the end, a client with auto-prolongation on is
// told that the renewal draft is ready instead; the draft is what the
// cabinet's ProlongPolicy computes from the policy, so there is nothing to
// store.
type Scheduler struct {
	s *Set
}

// Scheduler returns a new scheduler over the set's dependencies.
func (s *Set) Scheduler() *Scheduler { return &Scheduler{s: s} }

// Run fires due reminders until ctx ends, then returns ctx.Err(). It looks
// again at once while it finds work and every PollInterval when idle; a
// failing database is logged and retried at the same interval.
func (sc *Scheduler) Run(ctx context.Context) error {
	t := time.NewTimer(0)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-t.C:
		}
		n, err := sc.Tick(ctx)
		if err != nil && ctx.Err() == nil {
			sc.s.log.ErrorContext(ctx, "scheduler tick", "err", err)
		}
		next := sc.s.cfg.PollInterval
		if n > 0 && err == nil {
			next = 0
		}
		t.Reset(next)
	}
}

// claimDue leases a batch of due reminders ($1 now, $2 the lease's end, $3
// the claim's token, $4 the batch size). FOR UPDATE SKIP LOCKED lets
// concurrent schedulers take different rows.
const claimDue = `
	UPDATE scheduled_reminders r SET claimed_until = $2, claim_token = $3, attempts = r.attempts + 1
	FROM (SELECT key FROM scheduled_reminders
		WHERE fired_at IS NULL AND due_at <= $1 AND (claimed_until IS NULL OR claimed_until <= $1)
		ORDER BY due_at, key LIMIT $4
		FOR UPDATE SKIP LOCKED) AS due
	WHERE r.key = due.key
	RETURNING r.key, r.kind, r.due_at, r.policy_id, r.client_id, r.payload, r.attempts`

// claimDueLite is claimDue on SQLite, which writes one statement at a time:
// no other scheduler can come between the choice of rows and their lease.
const claimDueLite = `
	UPDATE scheduled_reminders SET claimed_until = $2, claim_token = $3, attempts = attempts + 1
	WHERE key IN (SELECT key FROM scheduled_reminders
		WHERE fired_at IS NULL AND due_at <= $1 AND (claimed_until IS NULL OR claimed_until <= $1)
		ORDER BY due_at, key LIMIT $4)
	RETURNING key, kind, due_at, policy_id, client_id, payload, attempts`

// Tick claims one batch of due reminders, fires them and returns how many
// it claimed. A reminder that fails is not an error of Tick: it is retried
// later (see Scheduler). Tick returns an error when it cannot claim or mark.
func (sc *Scheduler) Tick(ctx context.Context) (int, error) {
	s := sc.s
	now := s.now()
	token := uuid.New()
	db := s.d.DB
	rows, err := db.Query(ctx, db.Dialect().Pick(claimDue, claimDueLite), now, now.Add(s.cfg.Lease), token, s.cfg.BatchSize)
	if err != nil {
		return 0, fmt.Errorf("claim reminders: %w", err)
	}
	var (
		batch   []Reminder
		r       Reminder
		payload []byte
	)
	err = sqldb.ForEachRow(rows, []any{&r.Key, &r.Kind, &r.DueAt, &r.PolicyID, &r.ClientID, &payload, &r.Attempts}, func() error {
		r.Payload = ReminderPayload{}
		if err := json.Unmarshal(payload, &r.Payload); err != nil {
			return fmt.Errorf("reminder %s: payload: %w", r.Key, err)
		}
		batch = append(batch, r)
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("claim reminders: %w", err)
	}
	// RETURNING gives rows in no particular order; fire them as they fell due.
	slices.SortFunc(batch, func(a, b Reminder) int {
		return cmp.Or(a.DueAt.Compare(b.DueAt), strings.Compare(a.Key, b.Key))
	})
	var errs []error
	for _, r := range batch {
		if ctx.Err() != nil {
			break
		}
		if err := sc.fireOne(ctx, r, token); err != nil {
			errs = append(errs, err)
		}
	}
	if ctx.Err() != nil {
		// Shutting down: hand back what this batch did not settle, without
		// counting the attempt, so that a restart or another scheduler fires
		// it at once instead of after the lease.
		mctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), markTimeout)
		defer cancel()
		if _, err := s.d.DB.Exec(mctx, `UPDATE scheduled_reminders
			SET attempts = attempts - 1, claimed_until = NULL, claim_token = NULL
			WHERE claim_token = $1 AND fired_at IS NULL`, token); err != nil {
			errs = append(errs, fmt.Errorf("release reminders: %w", err))
		}
	}
	return len(batch), errors.Join(errs...)
}

// fireOne fires a claimed reminder and marks the outcome.
func (sc *Scheduler) fireOne(ctx context.Context, r Reminder, token uuid.UUID) error {
	s := sc.s
	outcome, reason, ferr := s.fire(ctx, r)
	if ferr != nil && ctx.Err() != nil {
		// Interrupted, not failed: Tick hands the reminder back without
		// counting the attempt.
		return nil
	}
	mctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), markTimeout)
	defer cancel()
	now := s.now()
	var err error
	switch {
	case ferr == nil:
		_, err = s.d.DB.Exec(mctx, `UPDATE scheduled_reminders
			SET fired_at = $3, outcome = $4, reason = $5, claimed_until = NULL, claim_token = NULL, last_error = NULL
			WHERE key = $1 AND claim_token = $2 AND fired_at IS NULL`, r.Key, token, now, outcome, nullable(reason))
		s.log.InfoContext(ctx, "reminder fired", "key", r.Key, "outcome", outcome, "reason", reason)
	case r.Attempts >= s.cfg.MaxAttempts:
		_, err = s.d.DB.Exec(mctx, `UPDATE scheduled_reminders
			SET fired_at = $3, outcome = 'failed', claimed_until = NULL, claim_token = NULL, last_error = $4
			WHERE key = $1 AND claim_token = $2 AND fired_at IS NULL`, r.Key, token, now, errorText(ferr))
		s.log.ErrorContext(ctx, "reminder failed for good", "key", r.Key, "attempts", r.Attempts, "err", ferr)
	default:
		_, err = s.d.DB.Exec(mctx, `UPDATE scheduled_reminders
			SET claimed_until = $3, claim_token = NULL, last_error = $4
			WHERE key = $1 AND claim_token = $2 AND fired_at IS NULL`, r.Key, token, now.Add(sc.backoff(r.Attempts)), errorText(ferr))
		s.log.WarnContext(ctx, "reminder will be retried", "key", r.Key, "attempts", r.Attempts, "err", ferr)
	}
	if err != nil {
		return fmt.Errorf("mark reminder %s: %w", r.Key, err)
	}
	return nil
}

// backoff is the wait after the attempts-th failure.
func (sc *Scheduler) backoff(attempts int) time.Duration {
	d := sc.s.cfg.RetryBackoff
	for i := 1; i < attempts && d < maxBackoff; i++ {
		d *= 2
	}
	return min(d, maxBackoff)
}

// errorText keeps a stored error short.
func errorText(err error) string { return clip(err.Error(), 1000) }

func nullable(s string) any {
	if s == "" {
		return nil
	}
	return s
}
