package projections

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/kabinet/kabinet/eventstore"
	"github.com/kabinet/kabinet/internal/sqldb"
)

// Config tunes a Runner. The zero value is usable.
type Config struct {
	BatchSize    int           // events per transaction; default DefaultBatchSize
	PollInterval time.Duration // fallback poll of the log; default 500ms
	Standby      time.Duration // how often a standby process asks for a projection; default 2s
	Backoff      time.Duration // pause after a failed batch; default 1s
	Logger       *slog.Logger  // default: discard
}

func (c *Config) setDefaults() {
	if c.BatchSize <= 0 {
		c.BatchSize = DefaultBatchSize
	}
	if c.PollInterval <= 0 {
		c.PollInterval = 500 * time.Millisecond
	}
	if c.Standby <= 0 {
		c.Standby = 2 * time.Second
	}
	if c.Backoff <= 0 {
		c.Backoff = time.Second
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
}

// Runner keeps projections current. Several processes may run the same
// projections on one database: each projection is applied by whichever
// holds its advisory lock, and the checkpoint compare-and-set makes a second
// applier harmless even if locks are lost.
type Runner struct {
	db          sqldb.DB
	store       eventstore.Store
	projections []Projection
	cfg         Config
	applied     eventstore.Notifier // a batch committed in this process
	locks       *locker
}

// NewRunner checks the projections (unique, well-formed names).
func NewRunner(db sqldb.DB, store eventstore.Store, projections []Projection, cfg Config) (*Runner, error) {
	cfg.setDefaults()
	seen := map[string]bool{}
	var errs []error
	for _, p := range projections {
		if err := check(p); err != nil {
			errs = append(errs, err)
		}
		if seen[p.Name()] {
			errs = append(errs, fmt.Errorf("projection %s registered twice", p.Name()))
		}
		seen[p.Name()] = true
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return &Runner{db: db, store: store, projections: projections, cfg: cfg, locks: &locker{db: db}}, nil
}

// Projections returns the projections the runner keeps.
func (r *Runner) Projections() []Projection { return r.projections }

// Run applies events to every projection until ctx ends; it returns nil then.
func (r *Runner) Run(ctx context.Context) error {
	var wg sync.WaitGroup
	for _, p := range r.projections {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r.runOne(ctx, p)
		}()
	}
	wg.Wait()
	r.locks.close()
	return nil
}

// runOne owns one projection: wait for its lock, rebuild it if the code's
// version is not the live one, then follow the log.
func (r *Runner) runOne(ctx context.Context, p Projection) {
	log := r.cfg.Logger.With("projection", p.Name())
	for ctx.Err() == nil {
		ok, err := r.locks.tryLock(ctx, p.Name())
		if err != nil || !ok {
			if err != nil && ctx.Err() == nil {
				log.Warn("take the projection lock", "error", err)
			}
			sleep(ctx, r.cfg.Standby)
			continue
		}
		err = r.follow(ctx, p, log)
		r.locks.unlock(p.Name())
		if ctx.Err() != nil {
			return
		}
		if err != nil {
			log.Error("projection stopped; retrying", "error", err)
			r.recordError(p.Name(), err)
			sleep(ctx, r.cfg.Backoff)
		}
	}
}

func (r *Runner) follow(ctx context.Context, p Projection, log *slog.Logger) error {
	g, err := install(ctx, r.db, p)
	if err != nil {
		return err
	}
	if g.Version != p.Version() {
		log.Info("live generation was built by another version; rebuilding", "live_version", g.Version, "version", p.Version())
		if _, err := Rebuild(ctx, r.db, r.store, p, RebuildOptions{}); err != nil {
			return fmt.Errorf("rebuild to version %d: %w", p.Version(), err)
		}
		return nil // follow the new live generation on the next turn
	}
	err = r.store.Subscribe(ctx, eventstore.SubscribeOptions{After: g.Position, BatchSize: r.cfg.BatchSize, PollInterval: r.cfg.PollInterval},
		func(ctx context.Context, batch []eventstore.RecordedEvent) error {
			next, err := applyBatch(ctx, r.db, p, g, batch)
			if err != nil {
				return err
			}
			g = next
			r.applied.Notify()
			return nil
		})
	if errors.Is(err, errCheckpointMoved) {
		log.Info("checkpoint moved by another process or a rebuild; reloading")
		return nil
	}
	return err
}

// locker holds the runner's session locks, one per projection it runs. On
// PostgreSQL they are advisory locks, all on one connection of its own: if
// that connection dies the locks go with it and another process may take a
// projection over; the checkpoint compare-and-set keeps that safe, and this
// runner's next batch for it then fails and reloads. On SQLite, whose file
// one process owns, they are the DB's in-process locks.
type locker struct {
	db      sqldb.DB
	mu      sync.Mutex
	conn    *pgxpool.Conn
	unlocks map[string]func()
}

func (l *locker) tryLock(ctx context.Context, name string) (bool, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	pool, ok := sqldb.Pgx(l.db)
	if !ok {
		unlock, ok, err := l.db.TryLock(ctx, lockRunner, name)
		if ok {
			if l.unlocks == nil {
				l.unlocks = map[string]func(){}
			}
			l.unlocks[name] = unlock
		}
		return ok, err
	}
	if l.conn == nil {
		conn, err := pool.Acquire(ctx)
		if err != nil {
			return false, err
		}
		l.conn = conn
	}
	if err := l.conn.QueryRow(ctx, `SELECT pg_try_advisory_lock($1, hashtext($2))`, lockRunner, name).Scan(&ok); err != nil {
		l.dropLocked()
		return false, err
	}
	return ok, nil
}

func (l *locker) unlock(name string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if unlock, ok := l.unlocks[name]; ok {
		delete(l.unlocks, name)
		unlock()
		return
	}
	if l.conn == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if _, err := l.conn.Exec(ctx, `SELECT pg_advisory_unlock($1, hashtext($2))`, lockRunner, name); err != nil {
		l.dropLocked()
	}
}

// dropLocked closes the session, which releases every lock it held.
func (l *locker) dropLocked() {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_ = l.conn.Conn().Close(ctx)
	l.conn.Release()
	l.conn = nil
}

func (l *locker) close() {
	l.mu.Lock()
	defer l.mu.Unlock()
	for name, unlock := range l.unlocks {
		delete(l.unlocks, name)
		unlock()
	}
	if l.conn != nil {
		l.dropLocked()
	}
}

func (r *Runner) recordError(name string, cause error) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	msg := cause.Error()
	if len(msg) > 500 {
		msg = msg[:500]
	}
	_, _ = r.db.Exec(ctx, `UPDATE projection_generations SET last_error = $2 WHERE name = $1 AND state = 'live'`, name, msg)
}

// WaitFor blocks until every named projection (all of the runner's when none
// are named) has applied the log up to pos, or ctx ends. Commands use it so
// that the next query reads their own write. It works whichever process
// applies the projections.
func (r *Runner) WaitFor(ctx context.Context, pos eventstore.Position, names ...string) error {
	if len(names) == 0 {
		for _, p := range r.projections {
			names = append(names, p.Name())
		}
	}
	poll := time.NewTimer(0)
	defer poll.Stop()
	for {
		woken := r.applied.Wait()
		behind, err := r.behind(ctx, pos, names)
		if err != nil {
			if ctx.Err() != nil { // the deadline fell during the query
				return fmt.Errorf("wait for projections %s to reach %s: %w", strings.Join(names, ", "), pos, ctx.Err())
			}
			return err
		}
		if behind == "" {
			return nil
		}
		poll.Reset(10 * time.Millisecond) // another process may be the one applying
		select {
		case <-ctx.Done():
			return fmt.Errorf("wait for projection %s to reach %s: %w", behind, pos, ctx.Err())
		case <-woken:
		case <-poll.C:
		}
	}
}

// behind names a projection whose live checkpoint is before pos, or "".
func (r *Runner) behind(ctx context.Context, pos eventstore.Position, names []string) (string, error) {
	rows, err := r.db.Query(ctx, `SELECT name, position_tx, position_seq FROM projection_generations WHERE state = 'live'`)
	if err != nil {
		return "", fmt.Errorf("read projection checkpoints: %w", err)
	}
	defer rows.Close()
	reached := map[string]bool{}
	for rows.Next() {
		var (
			name    string
			tx, seq int64
		)
		if err := rows.Scan(&name, &tx, &seq); err != nil {
			return "", err
		}
		at := eventstore.Position{Tx: uint64(tx), Seq: uint64(seq)}
		reached[name] = !at.Less(pos)
	}
	if err := rows.Err(); err != nil {
		return "", err
	}
	for _, n := range names {
		if !reached[n] {
			return n, nil
		}
	}
	return "", nil
}

func sleep(ctx context.Context, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
	case <-t.C:
	}
}
