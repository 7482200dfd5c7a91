package claims

import (
	"context"

	"github.com/kabinet/kabinet/eventstore"
	"github.com/kabinet/kabinet/internal/sqldb"
	"github.com/kabinet/kabinet/projections"
)

// Projection builds the claims read model.
type Projection struct{}

var _ projections.Projection = Projection{}

// claimsTable is the logical name of the one table; queries read the view
// of that name.
const claimsTable = "claims"

// Name implements projections.Projection.
func (Projection) Name() string { return "claims" }

// Version implements projections.Projection; bump it whenever the schema or
// the handling of an event changes.
func (Projection) Version() int { return 2 }

// Tables implements projections.Projection.
func (Projection) Tables() []string { return []string{claimsTable} }

// Schema implements projections.Projection.
func (Projection) Schema(d sqldb.Dialect, t projections.Tables) []string {
	c := t[claimsTable]
	create := pgTable(c)
	if d == sqldb.SQLite {
		create = liteTable(c)
	}
	return []string{
		create,
		`CREATE INDEX ` + c + `_client_idx ON ` + c + ` (client_id, last_change_at DESC)`,
	}
}

func pgTable(c string) string {
	return `CREATE TABLE ` + c + ` (
			claim_id       uuid PRIMARY KEY,
			client_id      uuid NOT NULL,
			policy_id      uuid NOT NULL,
			number         text NOT NULL,
			kind           text NOT NULL,
			description    text NOT NULL,
			stage          text NOT NULL,
			settled        boolean NOT NULL,
			payout_tiyn    bigint NOT NULL,
			decision_ref   text NOT NULL,
			reported_at    timestamptz NOT NULL,
			last_change_at timestamptz NOT NULL,
			closed_at      timestamptz,
			missing        jsonb NOT NULL,
			timeline       jsonb NOT NULL
		)`
}

// liteTable is the same table in SQLite's representation: UUIDs and JSON
// as text, times as Unix microseconds, the flag as 0 or 1, the payout in
// tiyn as an integer.
func liteTable(c string) string {
	return `CREATE TABLE ` + c + ` (
			claim_id       TEXT PRIMARY KEY,
			client_id      TEXT NOT NULL,
			policy_id      TEXT NOT NULL,
			number         TEXT NOT NULL,
			kind           TEXT NOT NULL,
			description    TEXT NOT NULL,
			stage          TEXT NOT NULL,
			settled        INTEGER NOT NULL,
			payout_tiyn    INTEGER NOT NULL,
			decision_ref   TEXT NOT NULL,
			reported_at    INTEGER NOT NULL,
			last_change_at INTEGER NOT NULL,
			closed_at      INTEGER,
			missing        TEXT NOT NULL,
			timeline       TEXT NOT NULL
		)`
}

// Apply implements projections.Projection. It folds the batch in memory and
// sends at most two set-based statements in one round trip: the claims
// reported in the batch, inserted whole with the rest of the batch already
// applied, and the changes to older claims. SQLite, which has no arrays to
// unnest and no round trips to save, gets the same rows from statements per
// claim (see apply_sqlite.go).
func (Projection) Apply(ctx context.Context, tx sqldb.Tx, t projections.Tables, batch []eventstore.RecordedEvent) error {
	f, err := fold(batch)
	if err != nil {
		return err
	}
	if err := f.write(ctx, tx, t); err != nil {
		return err
	}
	return projections.Scrub(ctx, tx, batch, `UPDATE `+t[claimsTable]+` SET description = '' WHERE client_id = $1`)
}

func (f *folded) write(ctx context.Context, tx sqldb.Tx, t projections.Tables) error {
	if tx.Dialect() == sqldb.SQLite {
		return f.writeLite(ctx, tx, t[claimsTable])
	}
	b := &sqldb.Batch{}
	if err := f.queue(b, t); err != nil {
		return err
	}
	if b.Len() == 0 {
		return nil
	}
	return tx.SendBatch(ctx, b)
}
