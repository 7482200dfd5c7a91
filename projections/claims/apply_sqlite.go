package claims

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"github.com/google/uuid"

	"github.com/kabinet/kabinet/internal/sqldb"
)

// The SQLite write path. It stores what the PostgreSQL one does, claim by
// claim: an older claim's timeline and missing list are read, extended in
// Go and written back, so that both paths leave the same JSON text (the
// column is text here, and nothing normalises it).
const (
	insertLiteSQL = insertIntoSQL + `VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)` + onConflictSQL

	readLiteSQL = `SELECT timeline, missing FROM %[1]s WHERE claim_id = $1`

	// updateLiteSQL mirrors updateSQL for one claim; $7, the closing time,
	// is NULL unless the batch closed the claim.
	updateLiteSQL = `UPDATE %[1]s SET
	stage = CASE WHEN $2 = '' THEN stage ELSE $2 END,
	settled = CASE WHEN $2 = '' THEN settled ELSE $3 END,
	payout_tiyn = CASE WHEN $4 THEN $5 ELSE payout_tiyn END,
	decision_ref = CASE WHEN $6 = '' THEN decision_ref ELSE $6 END,
	closed_at = coalesce($7, closed_at),
	last_change_at = max(last_change_at, $8),
	timeline = $9,
	missing = $10
WHERE claim_id = $1`
)

// writeLite writes the batch into table with statements per claim.
func (f *folded) writeLite(ctx context.Context, tx sqldb.Tx, table string) error {
	for _, id := range f.order {
		c := f.changes[id]
		var err error
		if c.reported != nil {
			err = c.insertLite(ctx, tx, table, id)
		} else {
			err = c.updateLite(ctx, tx, table, id)
		}
		if err != nil {
			return fmt.Errorf("claims: claim %s: %w", id, err)
		}
	}
	return nil
}

// insertLite adds a claim reported in the batch, as insertSQL does.
func (c *change) insertLite(ctx context.Context, tx sqldb.Tx, table string, id uuid.UUID) error {
	entries, err := jsonArray(c.entries)
	if err != nil {
		return err
	}
	added, err := jsonArray(c.added)
	if err != nil {
		return err
	}
	r, stage := c.reported, c.freshStage()
	_, err = tx.Exec(ctx, fmt.Sprintf(insertLiteSQL, table), id, r.ClientID, r.PolicyID, r.Number, r.Kind,
		r.Description, string(stage), stage.Terminal(), c.payout, c.decisionRef, r.ReportedAt, c.lastChange,
		c.closedAtOrNil(), added, entries)
	return err
}

// updateLite applies the batch to an older claim, as updateSQL does; a
// claim the model does not hold is left alone there too.
func (c *change) updateLite(ctx context.Context, tx sqldb.Tx, table string, id uuid.UUID) error {
	var timeline, missing []byte
	err := tx.QueryRow(ctx, fmt.Sprintf(readLiteSQL, table), id).Scan(&timeline, &missing)
	if sqldb.IsNoRows(err) {
		return nil
	}
	if err != nil {
		return err
	}
	newTimeline, err := c.appendEntries(timeline)
	if err != nil {
		return fmt.Errorf("timeline: %w", err)
	}
	newMissing, err := c.nowMissing(missing)
	if err != nil {
		return fmt.Errorf("missing documents: %w", err)
	}
	_, err = tx.Exec(ctx, fmt.Sprintf(updateLiteSQL, table), id, string(c.stage), c.stage.Terminal(), c.hasPayout,
		c.payout, c.decisionRef, c.closedAtOrNil(), c.lastChange, newTimeline, newMissing)
	return err
}

// appendEntries is the stored timeline with the batch's entries after it.
// Stored entries are kept as they are.
func (c *change) appendEntries(stored []byte) (string, error) {
	var entries []json.RawMessage
	if err := json.Unmarshal(stored, &entries); err != nil {
		return "", err
	}
	for _, e := range c.entries {
		raw, err := json.Marshal(e)
		if err != nil {
			return "", err
		}
		entries = append(entries, raw)
	}
	return jsonArray(entries)
}

// nowMissing is the stored missing list without the kinds the batch
// touched, followed by the batch's own requests.
func (c *change) nowMissing(stored []byte) (string, error) {
	if len(c.touched) == 0 {
		return string(stored), nil
	}
	var missing []missingJSON
	if err := json.Unmarshal(stored, &missing); err != nil {
		return "", err
	}
	missing = slices.DeleteFunc(missing, func(m missingJSON) bool { return slices.Contains(c.touched, m.Kind) })
	return jsonArray(append(missing, c.added...))
}

// closedAtOrNil is the closing time, or nil (NULL) while the batch has not
// closed the claim.
func (c *change) closedAtOrNil() *time.Time {
	if c.closedAt.IsZero() {
		return nil
	}
	return &c.closedAt
}
