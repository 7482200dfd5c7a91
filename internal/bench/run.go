package bench

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/kabinet/kabinet/eventstore/postgres"
	"github.com/kabinet/kabinet/internal/synth"
)

// Run measures every workload on scratch databases of cfg.AdminURL's
// server and drops them before it returns. It returns the report with an
// error wrapping ErrIncorrect when the correctness check failed; any other
// error means the run could not finish, and the report holds what it had.
func Run(ctx context.Context, cfg Config) (Report, error) {
	cfg.setDefaults()
	if err := cfg.Validate(); err != nil {
		return Report{}, err
	}
	rep := Report{StartedAt: time.Now().UTC(), Quick: cfg.Quick, Sizes: cfg.Sizes}
	progress := func(format string, args ...any) {
		fmt.Fprintf(cfg.Progress, "%s  %s\n", time.Now().Format("15:04:05"), fmt.Sprintf(format, args...))
	}
	srv := newServer(cfg.AdminURL)
	err := run(ctx, cfg, srv, &rep, progress)
	if dropErr := srv.dropAll(); dropErr != nil {
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

func run(ctx context.Context, cfg Config, srv *server, rep *Report, progress func(string, ...any)) error {
	sz := cfg.Sizes
	create := func(purpose string) (*scratch, error) {
		db, err := srv.create(ctx, purpose, 32)
		if err == nil {
			progress("scratch database %s", db.name)
		}
		return db, err
	}

	// Appends and the import baseline: one database, emptied between runs.
	db, err := create("append")
	if err != nil {
		return err
	}
	defer db.pool.Close()
	if rep.Machine, err = describeMachine(ctx, db.pool); err != nil {
		return err
	}
	store := postgres.New(db.pool, postgres.Options{})
	defer store.Close()
	rows, err := runAppends(ctx, db.pool, store, sz, progress)
	if err != nil {
		return err
	}
	rep.Rows = append(rep.Rows, rows...)
	row, err := runCopy(ctx, db.pool, sz.CopyEvents, progress)
	if err != nil {
		return err
	}
	rep.Rows = append(rep.Rows, row)

	// The concurrent writers, with the projections following.
	if db, err = create("storm"); err != nil {
		return err
	}
	defer db.pool.Close()
	store = postgres.New(db.pool, postgres.Options{})
	defer store.Close()
	progress("concurrent appends: %d writers for %s with the projections and a tailing reader following", stormWriters, sz.StormDuration)
	st, err := storm(ctx, db.pool, store, sz.StormDuration, cfg.skip)
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

	// A realistic log: ReadAll, the rebuild, then the API on its clients.
	if db, err = create("log"); err != nil {
		return err
	}
	defer db.pool.Close()
	store = postgres.New(db.pool, postgres.Options{})
	defer store.Close()
	progress("filling the log with %d events of synthetic client histories", sz.LogEvents)
	start := time.Now()
	n, err := synth.Fill(ctx, store, sz.LogEvents, 4, 1, time.Now())
	if err != nil {
		return fmt.Errorf("fill the log: %w", err)
	}
	progress("filled %d events in %s", n, time.Since(start).Round(time.Second))
	row, readAll, err := runReadAll(ctx, db.pool, store, n, sz.ReadAllRounds, progress)
	if err != nil {
		return err
	}
	rep.Rows = append(rep.Rows, row)
	if row, err = runRebuild(ctx, db.pool, store, n, readAll, progress); err != nil {
		return err
	}
	rep.Rows = append(rep.Rows, row)
	rows, rep.Memory, err = runAPI(ctx, db.pool, store, sz, progress)
	if err != nil {
		return err
	}
	rep.Rows = append(rep.Rows, rows...)
	return nil
}
