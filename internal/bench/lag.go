package bench

import (
	"context"
	"fmt"
	"time"

	"github.com/kabinet/kabinet/eventstore"
	"github.com/kabinet/kabinet/internal/sqldb"
	"github.com/kabinet/kabinet/projections"
)

// commit is an append whose transaction committed at the given time.
type commit struct {
	pos eventstore.Position
	at  time.Time
}

// lagTracker measures, for every commit it is told of, the time from the
// commit to the moment every projection's checkpoint has passed it: from
// then on every read model shows the event. It waits with the runner's
// WaitFor, which the runner wakes after each batch it applies, and then
// reads the checkpoints once to settle every commit they have passed.
type lagTracker struct {
	runner *projections.Runner
	db     sqldb.DB
	names  map[string]bool
	in     chan commit
	done   chan struct{} // closed when run returns
}

func newLagTracker(runner *projections.Runner, db sqldb.DB) *lagTracker {
	t := &lagTracker{runner: runner, db: db, names: map[string]bool{}, in: make(chan commit, 1<<16), done: make(chan struct{})}
	for _, p := range runner.Projections() {
		t.names[p.Name()] = true
	}
	return t
}

// committed tells the tracker of a commit; writers call it. Once the
// tracker has stopped it drops the commit rather than block the writer.
func (t *lagTracker) committed(pos eventstore.Position, at time.Time) {
	select {
	case t.in <- commit{pos, at}:
	case <-t.done:
	}
}

// close says no more commits will come.
func (t *lagTracker) close() { close(t.in) }

// run measures until close has been called and every commit is settled,
// or ctx ends.
func (t *lagTracker) run(ctx context.Context) ([]time.Duration, error) {
	defer close(t.done)
	var (
		lags    []time.Duration
		pending []commit
		open    = true
	)
	take := func(c commit, ok bool) {
		if ok {
			pending = append(pending, c)
		} else {
			open = false
		}
	}
	for {
		for drained := false; open && !drained; {
			select {
			case c, ok := <-t.in:
				take(c, ok)
			default:
				drained = true
			}
		}
		if len(pending) == 0 {
			if !open {
				return lags, nil
			}
			select {
			case c, ok := <-t.in:
				take(c, ok)
			case <-ctx.Done():
				return lags, ctx.Err()
			}
			continue
		}
		oldest := pending[0].pos
		for _, c := range pending[1:] {
			if c.pos.Less(oldest) {
				oldest = c.pos
			}
		}
		if err := t.runner.WaitFor(ctx, oldest); err != nil {
			return lags, err
		}
		reached, err := t.checkpoint(ctx)
		if err != nil {
			return lags, err
		}
		now := time.Now()
		kept := pending[:0]
		for _, c := range pending {
			if reached.Less(c.pos) {
				kept = append(kept, c)
			} else {
				lags = append(lags, now.Sub(c.at))
			}
		}
		pending = kept
	}
}

// checkpoint is the position every projection has passed. It reads every
// live checkpoint and keeps the runner's, as the runner's own WaitFor does:
// SQLite has no arrays to name them in the query.
func (t *lagTracker) checkpoint(ctx context.Context) (eventstore.Position, error) {
	rows, err := t.db.Query(ctx, `SELECT name, position_tx, position_seq FROM projection_generations WHERE state = 'live'`)
	if err != nil {
		return eventstore.Position{}, fmt.Errorf("read projection checkpoints: %w", err)
	}
	var (
		name    string
		tx, seq int64
		reached eventstore.Position
		found   bool
	)
	err = sqldb.ForEachRow(rows, []any{&name, &tx, &seq}, func() error {
		if !t.names[name] {
			return nil
		}
		pos := eventstore.Position{Tx: uint64(tx), Seq: uint64(seq)}
		if !found || pos.Less(reached) {
			reached, found = pos, true
		}
		return nil
	})
	if err != nil {
		return eventstore.Position{}, fmt.Errorf("read projection checkpoints: %w", err)
	}
	return reached, nil
}
