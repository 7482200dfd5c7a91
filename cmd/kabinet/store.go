package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"time"
)

// exitError carries a process exit code other than the default 2.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string { return e.err.Error() }
func (e *exitError) Unwrap() error { return e.err }

// withEnv opens the configured database for one operator command.
func withEnv(ctx context.Context, fn func(*backend) error) error {
	cfg, err := loadConfig()
	if err != nil {
		return err
	}
	b, err := openBackend(ctx, cfg, nil)
	if err != nil {
		return err
	}
	defer b.close()
	return fn(b)
}

func frontierCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("frontier", flag.ContinueOnError)
	fs.SetOutput(stderr)
	if err := fs.Parse(args); err != nil {
		return err
	}
	return withEnv(ctx, func(b *backend) error {
		if b.pg == nil {
			fmt.Fprintln(stdout, "the embedded SQLite store has one writer at a time: readers of the log are never held back")
			return nil
		}
		f, err := b.pg.Frontier(ctx)
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
