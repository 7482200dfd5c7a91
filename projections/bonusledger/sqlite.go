package bonusledger

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/kabinet/kabinet/internal/sqldb"
	"github.com/kabinet/kabinet/projections"
)

// sqliteSchema is the tables in the SQLite file: IDs are text, times INTEGER
// Unix microseconds (internal/sqldb), and points and tiyn INTEGER, so that
// totals add up exactly. The rate stays text, never a REAL. STRICT refuses
// a value of another type instead of converting it.
func sqliteSchema(t projections.Tables) []string {
	return []string{
		`CREATE TABLE ` + t[tableAccounts] + ` (
			client_id     TEXT PRIMARY KEY,
			balance       INTEGER NOT NULL,
			accrued       INTEGER NOT NULL,
			spent         INTEGER NOT NULL,
			reversed      INTEGER NOT NULL,
			expired       INTEGER NOT NULL,
			shortfall     INTEGER NOT NULL,
			entries       INTEGER NOT NULL,
			last_entry_at INTEGER NOT NULL
		) STRICT, WITHOUT ROWID`,
		`CREATE TABLE ` + t[tableEntries] + ` (
			client_id   TEXT NOT NULL,
			seq         INTEGER NOT NULL,
			kind        TEXT NOT NULL,
			points      INTEGER NOT NULL,
			delta       INTEGER NOT NULL,
			shortfall   INTEGER NOT NULL,
			reason      TEXT,
			ref         TEXT,
			policy_id   TEXT,
			amount_tiyn INTEGER,
			rate        TEXT,
			as_of       INTEGER,
			at          INTEGER NOT NULL,
			PRIMARY KEY (client_id, seq)
		) STRICT, WITHOUT ROWID`,
	}
}

// writeSQLite writes a folded batch on SQLite, which has no arrays to
// unnest: one insert per ledger row, then one upsert per account, in the
// same transaction. Statements run in process, so one per row costs little.
// The NULLs are the PostgreSQL insert's: no reason, policy, rate or as-of
// date where the kind has none, and an amount for accruals only.
func writeSQLite(ctx context.Context, tx sqldb.Tx, t projections.Tables, r *rows, order []uuid.UUID, accounts map[uuid.UUID]*totals) error {
	insert := `INSERT INTO ` + t[tableEntries] + ` (client_id, seq, kind, points, delta, shortfall, reason, ref,
			policy_id, amount_tiyn, rate, as_of, at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`
	for i := range r.client {
		var (
			policy *uuid.UUID
			amount *int64
			asOf   *time.Time
		)
		if id := uuid.UUID(r.policy[i]); id != uuid.Nil {
			policy = &id
		}
		if Kind(r.kind[i]) == KindAccrued {
			amount = &r.amount[i]
		}
		if !r.asOf[i].IsZero() {
			asOf = &r.asOf[i]
		}
		_, err := tx.Exec(ctx, insert, uuid.UUID(r.client[i]), r.seq[i], r.kind[i], r.points[i], r.delta[i], r.shortfall[i],
			nullIfEmpty(r.reason[i]), r.ref[i], policy, amount, nullIfEmpty(r.rate[i]), asOf, r.at[i])
		if err != nil {
			return fmt.Errorf("bonus ledger entry %d of %s: %w", r.seq[i], uuid.UUID(r.client[i]), err)
		}
	}
	upsert := `INSERT INTO ` + t[tableAccounts] + ` AS a (client_id, balance, accrued, spent, reversed, expired, shortfall,
			entries, last_entry_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
		ON CONFLICT (client_id) DO UPDATE SET
			balance = a.balance + excluded.balance, accrued = a.accrued + excluded.accrued,
			spent = a.spent + excluded.spent, reversed = a.reversed + excluded.reversed,
			expired = a.expired + excluded.expired, shortfall = a.shortfall + excluded.shortfall,
			entries = a.entries + excluded.entries, last_entry_at = max(a.last_entry_at, excluded.last_entry_at)`
	for _, id := range order {
		a := accounts[id]
		if a.entries == 0 {
			continue
		}
		_, err := tx.Exec(ctx, upsert, id, a.balance, a.accrued, a.spent, a.reversed, a.expired, a.shortfall, a.entries, a.last)
		if err != nil {
			return fmt.Errorf("bonus account %s: %w", id, err)
		}
	}
	return nil
}

// nullIfEmpty turns "" into NULL, as nullif does in the PostgreSQL insert.
func nullIfEmpty(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}
