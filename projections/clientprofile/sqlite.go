package clientprofile

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/google/uuid"

	"github.com/kabinet/kabinet/domain/client"
	"github.com/kabinet/kabinet/internal/sqldb"
)

// sqliteSchema is the profiles table in the SQLite file: times are INTEGER
// Unix microseconds and IDs text (internal/sqldb), and consents are JSON
// text written whole by Go, so that a row reads the same whether a rebuild
// wrote it at once or updates merged it (Verify compares the text).
func sqliteSchema(p string) []string {
	return []string{
		`CREATE TABLE ` + p + ` (
			client_id            TEXT PRIMARY KEY,
			registered_at        INTEGER NOT NULL,
			source               TEXT,
			kias_client_id       TEXT,
			iin                  TEXT,
			phone                TEXT,
			first_name           TEXT,
			last_name            TEXT,
			settings             TEXT,
			consents             TEXT,
			locked_until         INTEGER,
			last_login_at        INTEGER,
			erasure_requested_at INTEGER,
			erasure_deferred_by  TEXT NOT NULL DEFAULT '',
			erased_at            INTEGER
		) STRICT`,
		`CREATE INDEX ` + p + `_phone_idx ON ` + p + ` (phone) WHERE erased_at IS NULL`,
	}
}

// writeSQLite writes the fold on SQLite, which has no arrays to unnest: one
// statement per client, in the order the batch first named them. Statements
// run in process, so one per row costs little.
func (f *fold) writeSQLite(ctx context.Context, tx sqldb.Tx, table string) error {
	for _, id := range f.order {
		r := f.profiles[id]
		var err error
		if r.inserted {
			err = r.insertSQLite(ctx, tx, table, id)
		} else {
			err = r.updateSQLite(ctx, tx, table, id)
		}
		if err != nil {
			return fmt.Errorf("client profile %s: %w", id, err)
		}
	}
	return nil
}

// insertSQLite writes the row of a client registered in the batch, as the
// insert that queue builds does on PostgreSQL.
func (r *profileRow) insertSQLite(ctx context.Context, tx sqldb.Tx, table string, id uuid.UUID) error {
	given, _, err := r.consentsJSON()
	if err != nil {
		return err
	}
	if given == nil && r.erased == nil {
		given = ptr("{}")
	}
	deferred := ""
	if r.deferredBy != nil {
		deferred = *r.deferredBy
	}
	_, err = tx.Exec(ctx, `INSERT INTO `+table+` (client_id, registered_at, source, kias_client_id, iin, first_name, last_name,
			phone, settings, locked_until, last_login_at, erasure_requested_at, erasure_deferred_by, erased_at, consents)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)`,
		id, r.registeredAt, r.source, r.kias, r.iin, r.first, r.last, r.phone, r.settings,
		r.lockedUntil, r.lastLogin, r.requested, deferred, r.erased, given)
	return err
}

// updateSQLiteSQL is updateSQL for one client ($1), with the consents
// already merged in Go ($9): an erasure ($2) scrubs everything but the ID
// and the dates, and a NULL leaves a column as it is.
func updateSQLiteSQL(table string) string {
	return `UPDATE ` + table + ` SET
		source               = CASE WHEN $2 IS NULL THEN source END,
		kias_client_id       = CASE WHEN $2 IS NULL THEN kias_client_id END,
		iin                  = CASE WHEN $2 IS NULL THEN iin END,
		first_name           = CASE WHEN $2 IS NULL THEN first_name END,
		last_name            = CASE WHEN $2 IS NULL THEN last_name END,
		phone                = CASE WHEN $2 IS NULL THEN coalesce($3, phone) END,
		settings             = CASE WHEN $2 IS NULL THEN coalesce($4, settings) END,
		locked_until         = CASE WHEN $2 IS NULL THEN coalesce($5, locked_until) END,
		last_login_at        = CASE WHEN $2 IS NULL THEN coalesce($6, last_login_at) END,
		erasure_requested_at = coalesce($7, erasure_requested_at),
		erasure_deferred_by  = coalesce($8, erasure_deferred_by),
		erased_at            = coalesce($2, erased_at),
		consents             = CASE WHEN $2 IS NULL THEN coalesce($9, consents) END
		WHERE client_id = $1`
}

// updateSQLite applies the batch's changes to a profile written by an
// earlier batch. Consents given or withdrawn are merged in Go with those on
// file, read in the same transaction.
func (r *profileRow) updateSQLite(ctx context.Context, tx sqldb.Tx, table string, id uuid.UUID) error {
	var consents *string
	if r.erased == nil && (len(r.given) > 0 || len(r.withdrawn) > 0) {
		var stored *string
		err := tx.QueryRow(ctx, `SELECT consents FROM `+table+` WHERE client_id = $1`, id).Scan(&stored)
		if sqldb.IsNoRows(err) {
			return nil // as the update on PostgreSQL, which finds no row to change
		}
		if err != nil {
			return fmt.Errorf("read consents: %w", err)
		}
		if consents, err = r.mergeConsents(stored); err != nil {
			return err
		}
	}
	_, err := tx.Exec(ctx, updateSQLiteSQL(table), id, r.erased, r.phone, r.settings, r.lockedUntil, r.lastLogin,
		r.requested, r.deferredBy, consents)
	return err
}

// mergeConsents is the consents column after the batch, as updateSQL
// computes it: a consent given replaces the one of its purpose, and a
// withdrawal sets withdrawn_at on the consent on file (a withdrawal of one
// not on file changes nothing). Encoding a map sorts its keys, as a
// registration's insert does.
func (r *profileRow) mergeConsents(stored *string) (*string, error) {
	merged := map[client.Purpose]storedConsent{}
	if stored != nil {
		if err := json.Unmarshal([]byte(*stored), &merged); err != nil {
			return nil, fmt.Errorf("stored consents: %w", err)
		}
	}
	for purpose, c := range r.given {
		merged[purpose] = *c
	}
	for purpose, at := range r.withdrawn {
		if c, ok := merged[purpose]; ok {
			c.WithdrawnAt = &at
			merged[purpose] = c
		}
	}
	b, err := json.Marshal(merged)
	if err != nil {
		return nil, fmt.Errorf("encode consents: %w", err)
	}
	return ptr(string(b)), nil
}
