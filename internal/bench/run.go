package bench

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/kabinet/kabinet/internal/sqldb"
	"github.com/kabinet/kabinet/internal/synth"
)

// Run measures every workload on scratch databases it creates (on the
// PostgreSQL server of cfg.Database, or SQLite files at its path) and
// removes them before it returns. It returns the report with an error
// wrapping ErrIncorrect when the correctness check failed; any other error
// means the run could not finish, and the report holds what it had.
func Run(ctx context.Context, cfg Config) (Report, error) {
	cfg.setDefaults()
	if err := cfg.Validate(); err != nil {
		return Report{}, err
	}
	rep := Report{StartedAt: time.Now().UTC(), Quick: cfg.Quick, Sizes: cfg.Sizes}
	progress := func(format string, args ...any) {
		fmt.Fprintf(cfg.Progress, "%s  %s\n", time.Now().Format("15:04:05"), fmt.Sprintf(format, args...))
	}
	eng, err := newEngine(cfg.Database)
	if err != nil {
		return rep, err
	}
	err = run(ctx, cfg, eng, &rep, progress)
	if dropErr := eng.dropAll(); dropErr != nil {
		err = errors.Join(err, dropErr)
	}
	rep.Machine.LoadEnd = loadAverage()
	rep.Seconds = time.Since(rep.StartedAt).Seconds()
	if err != nil {
		return rep, err
	}
	if !rep.Correctness.OK {
		return rep, fmt.Errorf("%w: %s", ErrIncorrect, strings.Join(rep.Correctness.Problems, "; "))
	}
	return rep, nil
}

// run measures the three parts of the suite, each on a scratch database of
// its own that it closes before the next part starts.
func run(ctx context.Context, cfg Config, eng engine, rep *Report, progress func(string, ...any)) error {
	rep.Machine = describeHost()
	on := func(purpose string, part func(target) error) error {
		t, err := eng.create(ctx, purpose)
		if err != nil {
			return err
		}
		defer t.close()
		progress("%s", t.name())
		return part(t)
	}
	err := on("append", func(t target) error {
		if err := t.describe(ctx, &rep.Machine); err != nil {
			return err
		}
		return runAppendPart(ctx, t, cfg.Sizes, rep, progress)
	})
	if err != nil {
		return err
	}
	if err := on("storm", func(t target) error { return runStormPart(ctx, t, cfg, rep, progress) }); err != nil {
		return err
	}
	return on("log", func(t target) error { return runLogPart(ctx, t, cfg.Sizes, rep, progress) })
}

// runAppendPart measures the appends and the import baseline on one
// database, emptied between runs.
func runAppendPart(ctx context.Context, t target, sz Sizes, rep *Report, progress func(string, ...any)) error {
	rows, err := runAppends(ctx, t, sz, progress)
	if err != nil {
		return err
	}
	rep.Rows = append(rep.Rows, rows...)
	row, err := runCopy(ctx, t, sz.CopyEvents, progress)
	if err != nil {
		return err
	}
	rep.Rows = append(rep.Rows, row)
	return nil
}

// runStormPart runs the concurrent writers with the projections following,
// and the correctness check.
func runStormPart(ctx context.Context, t target, cfg Config, rep *Report, progress func(string, ...any)) error {
	progress("concurrent appends: %d writers for %s with the projections and a tailing reader following", stormWriters, cfg.Sizes.StormDuration)
	st, err := storm(ctx, t, cfg.Sizes.StormDuration, cfg.skip)
	if err != nil {
		return err
	}
	rep.Correctness = st.correctness
	lagNote := fmt.Sprintf("%d commits, commit to every read model's checkpoint", len(st.lags))
	rep.Rows = append(rep.Rows,
		Row{Name: fmt.Sprintf("append 1 event/tx, %d writers, projections following", stormWriters), Unit: "events/s",
			Kabinet: ptr(st.rate), Note: fmt.Sprintf("1 in %d held open a moment then committed, 1 in %[1]d rolled back", stormHeldEvery)},
		latencyRow("projection lag p50", percentile(st.lags, 0.50), 0, lagNote),
		latencyRow("projection lag p99", percentile(st.lags, 0.99), lagTarget, fmt.Sprintf("max %.1f ms", ms(percentile(st.lags, 1)))))
	return nil
}

// runLogPart fills a realistic log and measures ReadAll, the rebuild, and
// then the API on its clients.
func runLogPart(ctx context.Context, t target, sz Sizes, rep *Report, progress func(string, ...any)) error {
	progress("filling the log with %d events of synthetic client histories", sz.LogEvents)
	start := time.Now()
	n, err := synth.Fill(ctx, t.store(), sz.LogEvents, 4, 1, time.Now())
	if err != nil {
		return fmt.Errorf("fill the log: %w", err)
	}
	progress("filled %d events in %s", n, time.Since(start).Round(time.Second))
	if err := awaitVisible(ctx, t.db(), n, progress); err != nil {
		return err
	}
	row, readAll, err := runReadAll(ctx, t, n, sz.ReadAllRounds, progress)
	if err != nil {
		return err
	}
	rep.Rows = append(rep.Rows, row)
	if row, err = runRebuild(ctx, t, n, readAll, progress); err != nil {
		return err
	}
	rep.Rows = append(rep.Rows, row)
	rows, mem, err := runAPI(ctx, t, sz, progress)
	rep.Memory = mem
	if err != nil {
		return err
	}
	rep.Rows = append(rep.Rows, rows...)
	return nil
}

// visibleWait bounds how long awaitVisible waits for the log.
const visibleWait = 2 * time.Minute

// awaitVisible waits until all want events of the log are visible to its
// readers. On PostgreSQL a write transaction open anywhere on the server,
// in any database, holds back every event committed after it began; the
// reading workloads must not measure a log cut short by it.
func awaitVisible(ctx context.Context, db sqldb.DB, want int64, progress func(string, ...any)) error {
	count := db.Dialect().Pick(
		`SELECT count(*) FROM events WHERE tx < pg_snapshot_xmin(pg_current_snapshot())`,
		`SELECT count(*) FROM events`)
	ctx, cancel := context.WithTimeout(ctx, visibleWait)
	defer cancel()
	told := false
	for {
		var n int64
		if err := db.QueryRow(ctx, count).Scan(&n); err != nil {
			return fmt.Errorf("wait for the log to be visible: %w", err)
		}
		if n >= want {
			return nil
		}
		if !told {
			progress("waiting for %d of %d events: a write transaction open elsewhere on the server holds readers back (kabinet frontier names it)", want-n, want)
			told = true
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("wait for the log to be visible: %d of %d events after %s: %w", n, want, visibleWait, ctx.Err())
		case <-time.After(50 * time.Millisecond):
		}
	}
}
