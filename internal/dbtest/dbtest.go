// Package dbtest gives tests a fresh database of either dialect with its
// event store, so that code over internal/sqldb runs its tests on both.
package dbtest

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/kabinet/kabinet/eventstore"
	"github.com/kabinet/kabinet/eventstore/postgres"
	"github.com/kabinet/kabinet/eventstore/sqlite"
	"github.com/kabinet/kabinet/internal/pgtest"
	"github.com/kabinet/kabinet/internal/sqldb"
)

// Backend is one fresh, migrated database and the event store on it.
type Backend struct {
	DB    sqldb.DB
	Store eventstore.Store
	Pool  *pgxpool.Pool // PostgreSQL only; nil on SQLite
	Path  string        // SQLite only: the database file
}

// Dialect is the backend's dialect.
func (b Backend) Dialect() sqldb.Dialect { return b.DB.Dialect() }

// Postgres is a fresh PostgreSQL database (internal/pgtest), dropped when
// t ends.
func Postgres(t testing.TB, up ...*eventstore.Upcasters) Backend {
	t.Helper()
	pool, _ := pgtest.New(t)
	o := postgres.Options{}
	if len(up) > 0 {
		o.Upcasters = up[0]
	}
	store := postgres.New(pool, o)
	t.Cleanup(store.Close)
	return Backend{DB: sqldb.FromPgx(pool), Store: store, Pool: pool}
}

// SQLite is a fresh SQLite file in t's temporary directory.
func SQLite(t testing.TB, up ...*eventstore.Upcasters) Backend {
	t.Helper()
	path := filepath.Join(t.TempDir(), "kabinet.db")
	o := sqlite.Options{}
	if len(up) > 0 {
		o.Upcasters = up[0]
	}
	store, err := sqlite.Open(context.Background(), path, o)
	if err != nil {
		t.Fatalf("open %s: %v", path, err)
	}
	t.Cleanup(func() { _ = store.Close() })
	return Backend{DB: sqldb.FromSQLite(store.DB(), store.ReadDB()), Store: store, Path: path}
}

// Each runs fn as a subtest on each dialect.
func Each(t *testing.T, fn func(t *testing.T, b Backend)) {
	t.Run("postgres", func(t *testing.T) { fn(t, Postgres(t)) })
	t.Run("sqlite", func(t *testing.T) { fn(t, SQLite(t)) })
}
