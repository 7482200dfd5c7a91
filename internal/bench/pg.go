package bench

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/kabinet/kabinet/eventstore"
	"github.com/kabinet/kabinet/eventstore/postgres"
	"github.com/kabinet/kabinet/internal/sqldb"
)

// pgTarget is a scratch database on PostgreSQL: kabinet's store on a pgx
// pool, and the raw side in plain pgx on the same pool.
type pgTarget struct {
	dbName string
	pool   *pgxpool.Pool
	pg     *postgres.Store
}

func newPGTarget(name string, pool *pgxpool.Pool) *pgTarget {
	return &pgTarget{dbName: name, pool: pool, pg: postgres.New(pool, postgres.Options{})}
}

var pgLabels = labels{
	raw:          "raw pgx",
	insertOne:    "pgx single-row INSERT",
	insertMany:   "pgx multi-row INSERT",
	importRow:    "bulk import through COPY",
	importMethod: "pgx CopyFrom",
}

func (t *pgTarget) name() string                               { return "scratch database " + t.dbName }
func (t *pgTarget) labels() labels                             { return pgLabels }
func (t *pgTarget) db() sqldb.DB                               { return sqldb.FromPgx(t.pool) }
func (t *pgTarget) store() eventstore.Store                    { return t.pg }
func (t *pgTarget) rawAppend() AppendFunc                      { return RawAppend(t.pool) }
func (t *pgTarget) rawRead(ctx context.Context) (int64, error) { return ReadAllRaw(ctx, t.pool) }
func (t *pgTarget) verify(ctx context.Context) error           { return t.pg.Verify(ctx, "") }

func (t *pgTarget) rawImport(ctx context.Context, n int) (int64, error) {
	return CopyEvents(ctx, t.pool, n)
}

func (t *pgTarget) close() {
	t.pg.Close()
	t.pool.Close()
}

// reset empties the log and flushes dirty pages. CHECKPOINT needs a
// privileged role; without one the measurement goes on with the server's
// own checkpoints.
func (t *pgTarget) reset(ctx context.Context) error {
	if _, err := t.pool.Exec(ctx, `TRUNCATE events, event_streams`); err != nil {
		return fmt.Errorf("empty the log: %w", err)
	}
	_, _ = t.pool.Exec(ctx, `CHECKPOINT`)
	return nil
}

// settingNames are the PostgreSQL settings that matter to the figures.
var settingNames = []string{"shared_buffers", "synchronous_commit", "fsync", "wal_level", "max_connections",
	"full_page_writes", "wal_sync_method", "max_wal_size", "commit_delay"}

// describe reads the server's version, its settings that bound the
// figures, and how busy it is with other work.
func (t *pgTarget) describe(ctx context.Context, m *Machine) error {
	m.Database = "postgresql"
	if err := t.pool.QueryRow(ctx, `SELECT version()`).Scan(&m.PostgreSQL); err != nil {
		return fmt.Errorf("read the server version: %w", err)
	}
	m.Settings = map[string]string{}
	for _, name := range settingNames {
		var v string
		if err := t.pool.QueryRow(ctx, `SELECT current_setting($1)`, name).Scan(&v); err != nil {
			return fmt.Errorf("read setting %s: %w", name, err)
		}
		m.Settings[name] = v
	}
	err := t.pool.QueryRow(ctx, `SELECT count(*) FROM pg_stat_activity
		WHERE state = 'active' AND pid <> pg_backend_pid() AND coalesce(datname, '') NOT LIKE $1 || '%'`, scratchPrefix).Scan(&m.OtherSessions)
	if err != nil {
		return fmt.Errorf("count the server's active sessions: %w", err)
	}
	return nil
}

// appendHeld appends through AppendInTx in a pgx transaction of its own.
func (t *pgTarget) appendHeld(ctx context.Context, stream string, version int64, e eventstore.Event, hold time.Duration, rollBack bool) (eventstore.Position, error) {
	tx, err := t.pool.Begin(ctx)
	if err != nil {
		return eventstore.Position{}, fmt.Errorf("begin: %w", err)
	}
	defer func() { _ = tx.Rollback(context.WithoutCancel(ctx)) }() // a no-op after Commit
	res, err := t.pg.AppendInTx(ctx, tx.QueryRow, stream, eventstore.Exactly(version), e)
	if err != nil {
		return eventstore.Position{}, err
	}
	time.Sleep(hold)
	if rollBack {
		if err := tx.Rollback(ctx); err != nil {
			return eventstore.Position{}, fmt.Errorf("roll back: %w", err)
		}
		return eventstore.Position{}, nil
	}
	if err := tx.Commit(ctx); err != nil {
		return eventstore.Position{}, fmt.Errorf("commit: %w", err)
	}
	t.pg.Committed()
	return res.Position, nil
}
