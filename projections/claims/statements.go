package claims

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/kabinet/kabinet/domain/claim"
	"github.com/kabinet/kabinet/internal/sqldb"
	"github.com/kabinet/kabinet/projections"
)

const (
	// insertSQL adds the claims reported in the batch, each with the rest of
	// the batch already applied. A claim is reported once, so the conflict
	// clause only makes a repeated apply harmless.
	insertSQL = insertIntoSQL + `SELECT u.id, u.client, u.policy, u.number, u.kind, u.description, u.stage, u.settled, u.payout, u.decision_ref,
	u.reported_at, u.last_change, CASE WHEN u.closed THEN u.closed_at END, u.missing::jsonb, u.timeline::jsonb
FROM unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::text[], $5::text[], $6::text[], $7::text[], $8::bool[],
	$9::bigint[], $10::text[], $11::timestamptz[], $12::timestamptz[], $13::bool[], $14::timestamptz[], $15::text[],
	$16::text[])
	AS u(id, client, policy, number, kind, description, stage, settled, payout, decision_ref, reported_at,
	     last_change, closed, closed_at, missing, timeline)` + onConflictSQL

	insertIntoSQL = `INSERT INTO %[1]s (claim_id, client_id, policy_id, number, kind, description, stage, settled,
	payout_tiyn, decision_ref, reported_at, last_change_at, closed_at, missing, timeline)
`
	onConflictSQL = `
ON CONFLICT (claim_id) DO UPDATE SET client_id = excluded.client_id, policy_id = excluded.policy_id,
	number = excluded.number, kind = excluded.kind, description = excluded.description, stage = excluded.stage,
	settled = excluded.settled, payout_tiyn = excluded.payout_tiyn, decision_ref = excluded.decision_ref,
	reported_at = excluded.reported_at, last_change_at = excluded.last_change_at, closed_at = excluded.closed_at,
	missing = excluded.missing, timeline = excluded.timeline`

	// updateSQL applies the batch to older claims, each new value computed
	// from the old one in SQL: entries are appended, and the missing list
	// loses every kind the batch touched before the batch's own requests
	// are appended.
	updateSQL = `UPDATE %[1]s AS c SET
	stage = CASE WHEN u.stage = '' THEN c.stage ELSE u.stage END,
	settled = CASE WHEN u.stage = '' THEN c.settled ELSE u.settled END,
	payout_tiyn = CASE WHEN u.has_payout THEN u.payout ELSE c.payout_tiyn END,
	decision_ref = CASE WHEN u.decision_ref = '' THEN c.decision_ref ELSE u.decision_ref END,
	closed_at = CASE WHEN u.closed THEN u.closed_at ELSE c.closed_at END,
	last_change_at = greatest(c.last_change_at, u.last_change),
	timeline = c.timeline || u.entries::jsonb,
	missing = CASE WHEN u.touched = '[]' THEN c.missing ELSE (
		SELECT coalesce(jsonb_agg(m ORDER BY o), '[]'::jsonb)
		FROM jsonb_array_elements(c.missing) WITH ORDINALITY AS x(m, o)
		WHERE NOT u.touched::jsonb ? (m->>'kind')) || u.added::jsonb END
FROM unnest($1::uuid[], $2::text[], $3::bool[], $4::bool[], $5::bigint[], $6::text[], $7::bool[],
	$8::timestamptz[], $9::timestamptz[], $10::text[], $11::text[], $12::text[])
	AS u(id, stage, settled, has_payout, payout, decision_ref, closed, closed_at, last_change, entries, touched, added)
WHERE c.claim_id = u.id`
)

// queue adds the batch's statements to b, skipping those with nothing to do.
func (f *folded) queue(b *sqldb.Batch, t projections.Tables) error {
	var fresh, old columns
	for _, id := range f.order {
		c := f.changes[id]
		if c.reported != nil {
			if err := fresh.add(id, c); err != nil {
				return err
			}
		} else if err := old.add(id, c); err != nil {
			return err
		}
	}
	if len(fresh.id) > 0 {
		b.Queue(fmt.Sprintf(insertSQL, t[claimsTable]), fresh.id, fresh.client, fresh.policy, fresh.number,
			fresh.kind, fresh.description, fresh.stage, fresh.settled, fresh.payout, fresh.decisionRef,
			fresh.reportedAt, fresh.lastChange, fresh.closed, fresh.closedAt, fresh.added, fresh.entries)
	}
	if len(old.id) > 0 {
		b.Queue(fmt.Sprintf(updateSQL, t[claimsTable]), old.id, old.stage, old.settled, old.hasPayout, old.payout,
			old.decisionRef, old.closed, old.closedAt, old.lastChange, old.entries, old.touched, old.added)
	}
	return nil
}

// columns are changes column by column, for unnest. A fresh claim starts
// from nothing, so its missing list is exactly the batch's added list.
type columns struct {
	id, client, policy                            []uuid.UUID
	number, kind, description, stage, decisionRef []string
	entries, touched, added                       []string
	settled, hasPayout, closed                    []bool
	payout                                        []int64
	reportedAt, lastChange, closedAt              []time.Time
}

func (cols *columns) add(id uuid.UUID, c *change) error {
	entries, err := jsonArray(c.entries)
	if err != nil {
		return err
	}
	touched, err := jsonArray(c.touched)
	if err != nil {
		return err
	}
	added, err := jsonArray(c.added)
	if err != nil {
		return err
	}
	stage, last := c.stage, c.lastChange
	if r := c.reported; r != nil {
		stage = c.freshStage()
		cols.client = append(cols.client, r.ClientID)
		cols.policy = append(cols.policy, r.PolicyID)
		cols.number = append(cols.number, r.Number)
		cols.kind = append(cols.kind, r.Kind)
		cols.description = append(cols.description, r.Description)
		cols.reportedAt = append(cols.reportedAt, r.ReportedAt)
	}
	cols.id = append(cols.id, id)
	cols.stage = append(cols.stage, string(stage))
	cols.settled = append(cols.settled, stage.Terminal())
	cols.hasPayout = append(cols.hasPayout, c.hasPayout)
	cols.payout = append(cols.payout, c.payout)
	cols.decisionRef = append(cols.decisionRef, c.decisionRef)
	cols.closed = append(cols.closed, !c.closedAt.IsZero())
	cols.closedAt = append(cols.closedAt, c.closedAt)
	cols.lastChange = append(cols.lastChange, last)
	cols.entries = append(cols.entries, entries)
	cols.touched = append(cols.touched, touched)
	cols.added = append(cols.added, added)
	return nil
}

// freshStage is the stage of a claim reported in the batch: the last one
// the batch set, or reported.
func (c *change) freshStage() claim.Status {
	if c.stage == "" {
		return claim.StatusReported
	}
	return c.stage
}

// jsonArray encodes a list; nil is the empty array.
func jsonArray[T any](xs []T) (string, error) {
	if len(xs) == 0 {
		return "[]", nil
	}
	b, err := json.Marshal(xs)
	return string(b), err
}
