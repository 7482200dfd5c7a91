package policies

import (
	"context"

	"github.com/kabinet/kabinet/eventstore"
	"github.com/kabinet/kabinet/internal/sqldb"
	"github.com/kabinet/kabinet/projections"
)

// Projection builds the policies read model.
type Projection struct{}

var _ projections.Projection = Projection{}

// table is the logical name of the one table; queries read the view of that name.
const table = "policies"

// Name implements projections.Projection.
func (Projection) Name() string { return "policies" }

// Version implements projections.Projection; bump it whenever the schema or
// the handling of an event changes.
func (Projection) Version() int { return 2 }

// Tables implements projections.Projection.
func (Projection) Tables() []string { return []string{table} }

// Schema implements projections.Projection.
func (Projection) Schema(d sqldb.Dialect, t projections.Tables) []string {
	p := t[table]
	create := pgTable(p)
	if d == sqldb.SQLite {
		create = liteTable(p)
	}
	return []string{
		create,
		`CREATE INDEX ` + p + `_client_idx ON ` + p + ` (client_id)`,
		`CREATE INDEX ` + p + `_number_idx ON ` + p + ` (number_key)`,
	}
}

func pgTable(p string) string {
	return `CREATE TABLE ` + p + ` (
			policy_id         uuid PRIMARY KEY,
			client_id         uuid NOT NULL,
			number            text NOT NULL,
			number_key        text NOT NULL,
			product           text NOT NULL,
			kias_contract_id  text NOT NULL,
			insurer           text NOT NULL,
			starts_on         date NOT NULL,
			ends_on           date NOT NULL,
			people            json NOT NULL,
			unlimited_drivers boolean NOT NULL,
			vehicle           json,
			premium_tiyn      bigint NOT NULL,
			paid_tiyn         bigint NOT NULL DEFAULT 0,
			payment_method    text NOT NULL,
			installments      jsonb NOT NULL,
			payments          jsonb NOT NULL DEFAULT '[]',
			documents         jsonb NOT NULL DEFAULT '[]',
			renewed_from      uuid,
			renewed_by        uuid,
			cancelled_on      date,
			cancel_reason     text,
			cancelled_at      timestamptz,
			issued_at         timestamptz NOT NULL
		)`
}

// liteTable is the same table in SQLite's representation: UUIDs, days
// ("2006-01-02") and json as text, times as Unix microseconds, amounts in
// tiyn as integers. Text affinity keeps a day from turning into a number.
func liteTable(p string) string {
	return `CREATE TABLE ` + p + ` (
			policy_id         TEXT PRIMARY KEY,
			client_id         TEXT NOT NULL,
			number            TEXT NOT NULL,
			number_key        TEXT NOT NULL,
			product           TEXT NOT NULL,
			kias_contract_id  TEXT NOT NULL,
			insurer           TEXT NOT NULL,
			starts_on         TEXT NOT NULL,
			ends_on           TEXT NOT NULL,
			people            TEXT NOT NULL,
			unlimited_drivers INTEGER NOT NULL,
			vehicle           TEXT,
			premium_tiyn      INTEGER NOT NULL,
			paid_tiyn         INTEGER NOT NULL DEFAULT 0,
			payment_method    TEXT NOT NULL,
			installments      TEXT NOT NULL,
			payments          TEXT NOT NULL DEFAULT '[]',
			documents         TEXT NOT NULL DEFAULT '[]',
			renewed_from      TEXT,
			renewed_by        TEXT,
			cancelled_on      TEXT,
			cancel_reason     TEXT,
			cancelled_at      INTEGER,
			issued_at         INTEGER NOT NULL
		)`
}

// Apply implements projections.Projection. It folds the batch in memory and
// sends at most two set-based statements in one round trip: the policies
// issued in the batch, inserted whole, then the changes to older policies.
// SQLite, which has no arrays to unnest and no round trips to save, gets
// the same rows from a statement per policy (see apply_sqlite.go).
func (Projection) Apply(ctx context.Context, tx sqldb.Tx, t projections.Tables, batch []eventstore.RecordedEvent) error {
	f, err := fold(batch)
	if err != nil {
		return err
	}
	if err := f.write(ctx, tx, t); err != nil {
		return err
	}
	return projections.Scrub(ctx, tx, batch, `UPDATE `+t[table]+` SET people = '{"holder":{"name":""}}', vehicle = NULL WHERE client_id = $1`)
}

func (f *folded) write(ctx context.Context, tx sqldb.Tx, t projections.Tables) error {
	if tx.Dialect() == sqldb.SQLite {
		return f.applyLite(ctx, tx, t[table])
	}
	b := &sqldb.Batch{}
	if err := f.queue(b, t[table]); err != nil {
		return err
	}
	if b.Len() == 0 {
		return nil
	}
	return tx.SendBatch(ctx, b)
}
