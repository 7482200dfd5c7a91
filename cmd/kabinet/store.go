package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/kabinet/kabinet/eventstore"
	"github.com/kabinet/kabinet/eventstore/postgres"
	"github.com/kabinet/kabinet/internal/sqldb"
)

// exitError carries a process exit code other than the default 2.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string { return e.err.Error() }
func (e *exitError) Unwrap() error { return e.err }

// env is what an operator command works on: the configured database, its
// event store and the read models this binary knows.
type env struct {
	pool  *pgxpool.Pool
	db    sqldb.DB
	store *postgres.Store
}

// withEnv opens the configured store for one operator command.
func withEnv(ctx context.Context, fn func(env) error) error {
	cfg, err := loadConfig()
	if err != nil {
		return err
	}
	pool, _, err := openPostgres(ctx, cfg.DatabaseURL)
	if err != nil {
		return err
	}
	defer pool.Close()
	store := postgres.New(pool, postgres.Options{})
	defer store.Close()
	return fn(env{pool: pool, db: sqldb.FromPgx(pool), store: store})
}

func withStore(ctx context.Context, fn func(*postgres.Store) error) error {
	return withEnv(ctx, func(e env) error { return fn(e.store) })
}

func verifyCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("verify", flag.ContinueOnError)
	fs.SetOutput(stderr)
	stream := fs.String("stream", "", "verify only this stream")
	if err := fs.Parse(args); err != nil {
		return err
	}
	return withStore(ctx, func(s *postgres.Store) error {
		start := time.Now()
		err := s.Verify(ctx, *stream)
		var ce *eventstore.ChainError
		if errors.As(err, &ce) {
			fmt.Fprintf(stdout, "BROKEN %s version %d: %s\n", ce.Stream, ce.Version, ce.Reason)
			return &exitError{code: 1, err: err}
		}
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "intact: every hash chain and stream head verifies (%s)\n", time.Since(start).Round(time.Millisecond))
		return nil
	})
}

func frontierCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("frontier", flag.ContinueOnError)
	fs.SetOutput(stderr)
	if err := fs.Parse(args); err != nil {
		return err
	}
	return withStore(ctx, func(s *postgres.Store) error {
		f, err := s.Frontier(ctx)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "readers see transactions below %d\n", f.Xmin)
		if !f.Held() {
			fmt.Fprintln(stdout, "no open write transaction holds them back")
			return nil
		}
		fmt.Fprintf(stdout, "held back by pid %d in database %q (xid %d, %s, application %q), open for %s since %s\n",
			f.OldestPID, f.OldestDatabase, f.OldestXID, f.OldestState, f.OldestApp, f.OldestAge.Round(time.Millisecond), f.OldestStartedAt.Format(time.RFC3339))
		return nil
	})
}
