package sqldb_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/kabinet/kabinet/eventstore/sqlite"
	"github.com/kabinet/kabinet/internal/sqldb"
)

func TestSQLiteRoundTrip(t *testing.T) {
	ctx := context.Background()
	s, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "k.db"), sqlite.Options{})
	require.NoError(t, err)
	defer s.Close()
	db := sqldb.FromSQLite(s.DB(), s.ReadDB())

	at := time.Date(2026, 3, 1, 10, 0, 0, 123456000, time.UTC)
	_, err = db.Exec(ctx, `INSERT INTO projection_generations (name, generation, version, state, applied_at) VALUES ($1, $2, $3, $4, $5)`,
		"x", 1, 1, "live", at)
	require.NoError(t, err)
	var (
		got, created time.Time
		rec          *time.Time
	)
	require.NoError(t, db.QueryRow(ctx, `SELECT applied_at, created_at, last_event_recorded_at FROM projection_generations WHERE name = $1 AND applied_at < now()`, "x").
		Scan(&got, &created, &rec))
	require.True(t, got.Equal(at))
	require.Nil(t, rec)
	require.WithinDuration(t, time.Now(), created, time.Minute)

	id := uuid.New()
	require.NoError(t, db.InTx(ctx, func(tx sqldb.Tx) error {
		b := &sqldb.Batch{}
		b.Queue(`INSERT INTO sessions (token_hash, client_id, caller, created_at, expires_at) VALUES ($1, $2, $3, $4, $4)`, []byte{1}, id, "w", at)
		return tx.SendBatch(ctx, b)
	}))
	var back uuid.UUID
	require.NoError(t, db.QueryRow(ctx, `SELECT client_id FROM sessions`).Scan(&back))
	require.Equal(t, id, back)

	err = db.QueryRow(ctx, `SELECT client_id FROM sessions WHERE caller = $1`, "nobody").Scan(&back)
	require.True(t, sqldb.IsNoRows(err))
	_, err = db.Exec(ctx, `INSERT INTO sessions (token_hash, client_id, caller, created_at, expires_at) VALUES ($1, $2, $3, $4, $4)`, []byte{1}, id, "w", at)
	require.True(t, sqldb.IsUniqueViolation(err), "%v", err)

	var day time.Time
	require.NoError(t, db.QueryRow(ctx, `SELECT $1`, "2026-03-01").Scan(&day))
	require.Equal(t, time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC), day)

	unlock, ok, err := db.TryLock(ctx, 1, "a")
	require.NoError(t, err)
	require.True(t, ok)
	_, ok, _ = db.TryLock(ctx, 1, "a")
	require.False(t, ok)
	unlock()
	unlock, err = db.Lock(ctx, 1, "a")
	require.NoError(t, err)
	unlock()
}

func TestSQLiteRefusesArrays(t *testing.T) {
	ctx := context.Background()
	s, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "k.db"), sqlite.Options{})
	require.NoError(t, err)
	defer s.Close()
	db := sqldb.FromSQLite(s.DB(), s.ReadDB())
	_, err = db.Exec(ctx, `SELECT $1`, []string{"a"})
	require.ErrorContains(t, err, "arrays are PostgreSQL's only")
	var n int
	require.NoError(t, db.QueryRow(ctx, `SELECT length($1)`, []byte("abc")).Scan(&n), "[]byte is a blob, not an array")
	require.Equal(t, 3, n)
}
