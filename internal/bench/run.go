package bench

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

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
