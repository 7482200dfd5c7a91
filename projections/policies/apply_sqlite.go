package policies

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/kabinet/kabinet/internal/sqldb"
)

// On SQLite a batch is applied a statement per policy: there are no arrays
// to unnest, and a statement costs a function call rather than a round
// trip. The rows come out as the PostgreSQL statements write them.

// liteInsertSQL is insertSQL for one policy, with absent values passed as
// NULL.
const liteInsertSQL = `INSERT INTO %[1]s (policy_id, client_id, number, number_key, product, kias_contract_id, insurer,
	starts_on, ends_on, people, vehicle, installments, unlimited_drivers, premium_tiyn,
	payment_method, renewed_from, issued_at, paid_tiyn, payments, documents, renewed_by, cancelled_on, cancel_reason,
	cancelled_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $24)
` + upsertSQL

// liteReadSQL reads the json columns a delta appends to or merges into.
// SQLite has no jsonb to merge in SQL with, and reading a row of the same
// file inside the write transaction is as cheap as the update itself.
const liteReadSQL = `SELECT installments, payments, documents FROM %[1]s WHERE policy_id = $1`

// liteUpdateSQL is updateSQL for one policy, given its json columns
// already merged ($3 to $5).
const liteUpdateSQL = `UPDATE %[1]s SET
	paid_tiyn = paid_tiyn + $2,
	installments = $3,
	payments = $4,
	documents = $5,
	renewed_by = coalesce($6, renewed_by),
	cancelled_on = CASE WHEN $7 THEN $8 ELSE cancelled_on END,
	cancel_reason = CASE WHEN $7 THEN $9 ELSE cancel_reason END,
	cancelled_at = CASE WHEN $7 THEN $10 ELSE cancelled_at END
WHERE policy_id = $1`

// applyLite writes the batch on SQLite: the new policies first, then the
// changes to older ones, as queue does on PostgreSQL.
func (f *folded) applyLite(ctx context.Context, tx sqldb.Tx, table string) error {
	insert := fmt.Sprintf(liteInsertSQL, table)
	for _, p := range f.fresh {
		if err := p.insertLite(ctx, tx, insert); err != nil {
			return fmt.Errorf("insert policy %s: %w", p.id, err)
		}
	}
	read, update := fmt.Sprintf(liteReadSQL, table), fmt.Sprintf(liteUpdateSQL, table)
	for _, id := range f.order {
		if err := f.deltas[id].updateLite(ctx, tx, read, update, id); err != nil {
			return fmt.Errorf("update policy %s: %w", id, err)
		}
	}
	return nil
}

func (p *fresh) insertLite(ctx context.Context, tx sqldb.Tx, insert string) error {
	e := p.e
	j, err := p.encode()
	if err != nil {
		return err
	}
	d, err := p.d.encode()
	if err != nil {
		return err
	}
	var cancelledAt *time.Time
	if d.cancelled {
		cancelledAt = &d.cancelledAt
	}
	_, err = tx.Exec(ctx, insert, p.id, e.Holder.ClientID, e.Number, numberKey(e.Number), string(e.Product),
		e.KIASContractID, e.Insurer, e.StartsOn.String(), e.EndsOn.String(), j.people, nullText(j.vehicle), j.plan,
		e.UnlimitedDrivers, e.Premium.Tiyn(), string(e.PaymentMethod), nullUUID(e.RenewedFrom), e.IssuedAt,
		d.paid, d.payments, d.docs, nullText(d.renewedBy), nullText(d.cancelledOn),
		sql.NullString{String: d.reason, Valid: d.cancelled}, cancelledAt)
	return err
}

// updateLite applies d to the stored policy id. Like updateSQL, it changes
// nothing when the read model holds no such policy.
func (d *delta) updateLite(ctx context.Context, tx sqldb.Tx, read, update string, id uuid.UUID) error {
	var plan, payments, docs string
	err := tx.QueryRow(ctx, read, id).Scan(&plan, &payments, &docs)
	if sqldb.IsNoRows(err) {
		return nil
	}
	if err != nil {
		return err
	}
	if plan, err = d.markPaid(plan); err != nil {
		return fmt.Errorf("installments: %w", err)
	}
	if payments, err = appendJSON(payments, d.payments); err != nil {
		return fmt.Errorf("payments: %w", err)
	}
	if docs, err = appendJSON(docs, d.docs); err != nil {
		return fmt.Errorf("documents: %w", err)
	}
	var on string
	if d.cancelled {
		on = d.cancelledOn.String()
	}
	_, err = tx.Exec(ctx, update, id, d.paid, plan, payments, docs, nullUUID(d.renewedBy),
		d.cancelled, nullText(on), d.reason, d.cancelledAt)
	return err
}

// markPaid merges the batch's marks into the stored schedule; marks of
// numbers the schedule lacks are dropped, as updateSQL drops them.
func (d *delta) markPaid(stored string) (string, error) {
	if len(d.marks) == 0 {
		return stored, nil
	}
	var plan []installmentJSON
	if err := json.Unmarshal([]byte(stored), &plan); err != nil {
		return "", err
	}
	for i, in := range plan {
		if m, ok := d.marks[in.Number]; ok {
			plan[i].PaymentRef, plan[i].PaidAt = m.PaymentRef, m.PaidAt
		}
	}
	return jsonArray(plan)
}

// appendJSON appends more to a stored json array, encoding the whole as a
// batch that held every element would have.
func appendJSON[T any](stored string, more []T) (string, error) {
	if len(more) == 0 {
		return stored, nil
	}
	var all []T
	if err := json.Unmarshal([]byte(stored), &all); err != nil {
		return "", err
	}
	return jsonArray(append(all, more...))
}

// nullText is NULL for the empty string, as NULLIF makes it in insertSQL.
func nullText(s string) sql.NullString { return sql.NullString{String: s, Valid: s != ""} }

func nullUUID(id uuid.UUID) uuid.NullUUID { return uuid.NullUUID{UUID: id, Valid: id != uuid.Nil} }
