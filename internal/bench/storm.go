package bench

import (
	"context"
	"fmt"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/google/uuid"
	"golang.org/x/sync/errgroup"

	"github.com/kabinet/kabinet/eventstore"
	"github.com/kabinet/kabinet/internal/sqldb"
	"github.com/kabinet/kabinet/internal/synth"
	"github.com/kabinet/kabinet/projections"
	"github.com/kabinet/kabinet/projections/readmodels"
)

// skipHook makes a storm reader drop events; reader is "tail" or
// "projections". Tests use it to prove that the check catches a skip.
type skipHook func(reader string, e eventstore.RecordedEvent) bool

// Storm parameters. Of every stormHeldEvery appends two run in a
// transaction of the writer's own (AppendInTx on PostgreSQL, AppendTx on
// SQLite) that stays open a moment; one of them commits and the other
// rolls back, as an import or a command that fails half-way would. A
// rolled-back event is written again with a new ID.
const (
	stormWriters   = 8
	stormHeldEvery = 10
	stormHoldMax   = 2 * time.Millisecond
	lagTarget      = 100 * time.Millisecond
	settleTimeout  = time.Minute
)

// stormResult is what the concurrent-append run measured and found.
type stormResult struct {
	rate        float64
	lags        []time.Duration
	correctness Correctness
}

// storm runs stormWriters writers of realistic client histories (synth),
// one event per transaction at the expected version, for d, while the
// read models and a recorder follow the log on a projections runner and a
// tailing reader subscribes to it. It measures each commit's projection lag
// and then checks that the tailing reader and the projections saw every
// committed event exactly once and no rolled-back one, and that every hash
// chain verifies.
func storm(ctx context.Context, t target, d time.Duration, skip skipHook) (stormResult, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	rec := recorder{}
	if skip != nil {
		rec.skip = func(e eventstore.RecordedEvent) bool { return skip("projections", e) }
	}
	db, store := t.db(), t.store()
	runner, err := projections.NewRunner(db, store, append(readmodels.All(), rec), projections.Config{})
	if err != nil {
		return stormResult{}, err
	}
	var bg sync.WaitGroup
	defer bg.Wait()
	defer cancel()
	bg.Go(func() { _ = runner.Run(ctx) })
	if err := waitLive(ctx, db, len(runner.Projections())); err != nil {
		return stormResult{}, err
	}

	tail := newReader()
	bg.Go(func() {
		_ = store.Subscribe(ctx, eventstore.SubscribeOptions{BatchSize: 100}, func(_ context.Context, batch []eventstore.RecordedEvent) error {
			for _, e := range batch {
				if skip == nil || !skip("tail", e) {
					tail.see(e)
				}
				tail.passed(e.Position)
			}
			return nil
		})
	})
	lag := newLagTracker(runner, db)
	type lagResult struct {
		lags []time.Duration
		err  error
	}
	lagCtx, stopLag := context.WithCancel(ctx)
	defer stopLag()
	lagDone := make(chan lagResult, 1)
	go func() {
		lags, err := lag.run(lagCtx)
		lagDone <- lagResult{lags, err}
	}()

	start := time.Now()
	w, last, err := stormWrite(ctx, t, time.Now().Add(d), lag)
	elapsed := time.Since(start)
	lag.close()
	if err != nil {
		return stormResult{}, err
	}

	// Let every reader reach the last commit, then a moment more for
	// anything that should not be there to show up. Readers that never get
	// there fail the check below with what they missed.
	var problems []string
	settle, stopSettle := context.WithTimeout(ctx, settleTimeout)
	defer stopSettle()
	if err := runner.WaitFor(settle, last); err != nil {
		problems = append(problems, fmt.Sprintf("the projections did not reach the last commit within %s", settleTimeout))
		stopLag()
	}
	for tail.position().Less(last) && settle.Err() == nil {
		time.Sleep(10 * time.Millisecond)
	}
	lr := <-lagDone
	if lr.err != nil && len(problems) == 0 {
		return stormResult{}, fmt.Errorf("projection lag: %w", lr.err)
	}
	time.Sleep(200 * time.Millisecond)
	cancel()
	bg.Wait()

	res := stormResult{rate: float64(len(w.committed)) / elapsed.Seconds(), lags: lr.lags}
	res.correctness, err = verifyStorm(context.WithoutCancel(ctx), t, runner, w, tail, last)
	res.correctness.Problems = append(problems, res.correctness.Problems...)
	res.correctness.OK = res.correctness.OK && len(problems) == 0
	return res, err
}

// waitLive waits until the runner has installed every projection.
func waitLive(ctx context.Context, db sqldb.DB, n int) error {
	ctx, cancel := context.WithTimeout(ctx, settleTimeout)
	defer cancel()
	for {
		var live int
		err := db.QueryRow(ctx, `SELECT count(*) FROM projection_generations WHERE state = 'live'`).Scan(&live)
		if err == nil && live >= n {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("wait for the projections to start: %w", ctx.Err())
		case <-time.After(10 * time.Millisecond):
		}
	}
}

// stormWrite runs the writers until deadline and returns what they wrote
// and the position of the last commit.
func stormWrite(ctx context.Context, t target, deadline time.Time, lag *lagTracker) (writes, eventstore.Position, error) {
	type writer struct {
		committed, rolledBack []uuid.UUID
		last                  eventstore.Position
	}
	ws := make([]writer, stormWriters)
	g, ctx := errgroup.WithContext(ctx)
	now := time.Now()
	for i := range ws {
		g.Go(func() error {
			w := &ws[i]
			gen := synth.New(uint64(i)+1, now)
			rng := rand.New(rand.NewPCG(uint64(i), 7310))
			for time.Now().Before(deadline) {
				story, err := gen.Next()
				if err != nil {
					return err
				}
				for _, a := range story {
					for v, e := range a.Events {
						if !time.Now().Before(deadline) {
							return nil
						}
						for {
							pos, rolledBack, err := stormAppend(ctx, t, rng, a.Stream, int64(v), e)
							if err != nil {
								return fmt.Errorf("writer %d: %w", i, err)
							}
							if !rolledBack {
								lag.committed(pos, time.Now())
								w.committed = append(w.committed, e.ID)
								if w.last.Less(pos) {
									w.last = pos
								}
								break
							}
							w.rolledBack = append(w.rolledBack, e.ID)
							e.ID = uuid.New()
						}
					}
				}
			}
			return nil
		})
	}
	err := g.Wait()
	out := writes{committed: map[uuid.UUID]bool{}, rolledBack: map[uuid.UUID]bool{}}
	var last eventstore.Position
	for _, w := range ws {
		for _, id := range w.committed {
			out.committed[id] = true
		}
		for _, id := range w.rolledBack {
			out.rolledBack[id] = true
		}
		if last.Less(w.last) {
			last = w.last
		}
	}
	return out, last, err
}

// stormAppend appends one event at version, mostly through Append and
// sometimes in a transaction held open a moment that then commits or
// rolls back.
func stormAppend(ctx context.Context, t target, rng *rand.Rand, stream string, version int64, e eventstore.Event) (eventstore.Position, bool, error) {
	held := rng.IntN(stormHeldEvery)
	if held > 1 {
		res, err := t.store().Append(ctx, stream, eventstore.Exactly(version), e)
		return res.Position, false, err
	}
	rollBack := held == 0
	pos, err := t.appendHeld(ctx, stream, version, e, time.Duration(rng.Int64N(int64(stormHoldMax))), rollBack)
	return pos, rollBack && err == nil, err
}

// verifyStorm checks the readers against the writers, the read models'
// checkpoints against the last commit, and the hash chains.
func verifyStorm(ctx context.Context, t target, runner *projections.Runner, w writes, tail *reader, last eventstore.Position) (Correctness, error) {
	c := Correctness{Committed: len(w.committed), RolledBack: len(w.rolledBack)}
	projected, err := delivered(ctx, t.db())
	if err != nil {
		return c, err
	}
	c.Readers = []ReaderCheck{check("tailing reader (Subscribe)", w, tail), check("projections (runner)", w, projected)}
	for _, r := range c.Readers {
		if !r.OK() {
			c.Problems = append(c.Problems, fmt.Sprintf("%s: %d missing, %d repeated, %d rolled back, %d unknown, %d out of order",
				r.Name, r.Missing, r.Repeated, r.RolledBack, r.Unknown, r.OutOfOrder))
		}
	}
	// Each read model's generation counts the events the runner applied to
	// it; with the recorder's exact list above this shows that no read
	// model was given fewer or more events than the recorder.
	gens, err := projections.Generations(ctx, t.db())
	if err != nil {
		return c, err
	}
	for _, p := range runner.Projections() {
		found := false
		for _, g := range gens {
			if g.Name != p.Name() || g.State != projections.StateLive {
				continue
			}
			found = true
			if g.Events != int64(len(w.committed)) || g.Position != last {
				c.Problems = append(c.Problems, fmt.Sprintf("read model %s applied %d events up to %s; %d were committed, the last at %s",
					p.Name(), g.Events, g.Position, len(w.committed), last))
			}
		}
		if !found {
			c.Problems = append(c.Problems, fmt.Sprintf("read model %s has no live generation", p.Name()))
		}
	}
	if c.RolledBack == 0 {
		c.Problems = append(c.Problems, "no transaction rolled back: the run proves nothing about rolled-back events")
	}
	if err := t.verify(ctx); err != nil {
		c.Problems = append(c.Problems, fmt.Sprintf("hash chains: %v", err))
	} else {
		c.ChainsIntact = true
	}
	c.OK = len(c.Problems) == 0
	return c, nil
}
