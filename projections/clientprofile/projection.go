package clientprofile

import (
	"context"
	"fmt"
	"strings"

	"github.com/google/uuid"

	"github.com/kabinet/kabinet/domain/client"
	"github.com/kabinet/kabinet/eventstore"
	"github.com/kabinet/kabinet/internal/sqldb"
	"github.com/kabinet/kabinet/projections"
)

// Name is the projection's name.
const Name = "client_profile"

// tableProfiles is the logical table (the view queries read).
const tableProfiles = "client_profiles"

// Projection builds the client profiles.
type Projection struct{}

var _ projections.Projection = Projection{}

// Name implements projections.Projection.
func (Projection) Name() string { return Name }

// Version implements projections.Projection.
func (Projection) Version() int { return 1 }

// Tables implements projections.Projection.
func (Projection) Tables() []string { return []string{tableProfiles} }

// Schema implements projections.Projection.
func (Projection) Schema(d sqldb.Dialect, t projections.Tables) []string {
	p := t[tableProfiles]
	if d == sqldb.SQLite {
		return sqliteSchema(p)
	}
	return []string{
		// Every column but the ID and the dates is NULL after an erasure.
		// Settings are JSON kept as text: they are only ever replaced and
		// read back whole, and text takes no conversion on the way in.
		// Consents are a jsonb object keyed by purpose, since updates merge
		// into it; keeping them in the row rather than a table of their own
		// saves a rebuild a row write per consent.
		`CREATE TABLE ` + p + ` (
			client_id            uuid PRIMARY KEY,
			registered_at        timestamptz NOT NULL,
			source               text,
			kias_client_id       text,
			iin                  text,
			phone                text,
			first_name           text,
			last_name            text,
			settings             text,
			consents             jsonb,
			locked_until         timestamptz,
			last_login_at        timestamptz,
			erasure_requested_at timestamptz,
			erasure_deferred_by  text NOT NULL DEFAULT '',
			erased_at            timestamptz
		)`,
		`CREATE INDEX ` + p + `_phone_idx ON ` + p + ` (phone) WHERE erased_at IS NULL`,
	}
}

// handled are the client events this model shows; the rest are skipped
// without decoding.
var handled = map[string]bool{
	client.TypeRegistered:       true,
	client.TypeLoginSucceeded:   true,
	client.TypeLoginLocked:      true,
	client.TypePhoneChanged:     true,
	client.TypeSettingsChanged:  true,
	client.TypeConsentGiven:     true,
	client.TypeConsentWithdrawn: true,
	client.TypeErasureRequested: true,
	client.TypeErasureDeferred:  true,
	client.TypeErased:           true,
}

// Apply implements projections.Projection.
func (Projection) Apply(ctx context.Context, tx sqldb.Tx, t projections.Tables, batch []eventstore.RecordedEvent) error {
	f := newFold()
	for _, e := range batch {
		if !handled[e.Type] {
			continue
		}
		id, err := uuid.Parse(strings.TrimPrefix(e.Stream, client.Aggregate+"-"))
		if err != nil {
			return fmt.Errorf("client stream %q: %w", e.Stream, err)
		}
		ev, err := client.DecodeEvent(e.Type, e.SchemaVersion, e.Data)
		if err != nil {
			return fmt.Errorf("%s version %d: %w", e.Stream, e.Version, err)
		}
		if err := f.add(id, ev); err != nil {
			return fmt.Errorf("%s version %d: %w", e.Stream, e.Version, err)
		}
	}
	if tx.Dialect() == sqldb.SQLite {
		return f.writeSQLite(ctx, tx, t[tableProfiles])
	}
	b := &sqldb.Batch{}
	if err := f.queue(b, t[tableProfiles]); err != nil {
		return err
	}
	if b.Len() == 0 {
		return nil
	}
	return tx.SendBatch(ctx, b)
}
