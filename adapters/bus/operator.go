package bus

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/kabinet/kabinet/adapters/reactions"
	"github.com/kabinet/kabinet/eventstore"
	"github.com/kabinet/kabinet/internal/sqldb"
)

// AllFailures as the ID makes Retry run every entry of the poison queue.
const AllFailures int64 = 0

// retryTimeout bounds an operator's retry of one event.
const retryTimeout = 30 * time.Second

// ErrUnknownReaction means a failure names a reaction this binary does not run.
var ErrUnknownReaction = errors.New("unknown reaction")

// RetryResult is the outcome of one entry's retry.
type RetryResult struct {
	Failure Failure
	// Err is nil when the reaction succeeded and the entry left the queue;
	// otherwise the entry stays, with this error as its reason.
	Err error
}

// Retry runs the reaction of one poison-queue entry (or of every entry, with
// AllFailures) once more on the stored event, loaded from the store by
// stream and version. A success records the event as done and removes the
// entry; a failure keeps it with the new reason and one more attempt. It
// takes the same per-event lock as a running bus, so it never runs an event
// at the same time as one (on SQLite that lock is the process's own, but a
// bus in another process skips an event in the poison queue). The error is for a retry that could not be
// attempted at all (no such entry, the database out of reach); each entry's
// own outcome is in its RetryResult.
func Retry(ctx context.Context, db sqldb.DB, store eventstore.Store, rs []reactions.Reaction, id int64) ([]RetryResult, error) {
	failures, err := queryFailures(ctx, db, id)
	if err != nil {
		return nil, err
	}
	if id != AllFailures && len(failures) == 0 {
		return nil, fmt.Errorf("retry failure %d: %w", id, ErrFailureNotFound)
	}
	byName := make(map[string]reactions.Reaction, len(rs))
	for _, r := range rs {
		byName[r.Name] = r
	}
	out := make([]RetryResult, 0, len(failures))
	for _, f := range failures {
		if err := ctx.Err(); err != nil {
			return out, err
		}
		r, ok := byName[f.Reaction]
		if !ok {
			out = append(out, RetryResult{Failure: f, Err: fmt.Errorf("retry failure %d: %w %s", f.ID, ErrUnknownReaction, f.Reaction)})
			continue
		}
		out = append(out, RetryResult{Failure: f, Err: retryOne(ctx, db, store, r, f)})
	}
	return out, nil
}

func retryOne(ctx context.Context, db sqldb.DB, store eventstore.Store, r reactions.Reaction, f Failure) error {
	events, err := store.Load(ctx, f.Stream, f.Version)
	if err != nil {
		return fmt.Errorf("load %s version %d: %w", f.Stream, f.Version, err)
	}
	if len(events) == 0 || events[0].Version != f.Version || events[0].ID != f.EventID {
		return fmt.Errorf("event %s is not at %s version %d", f.EventID, f.Stream, f.Version)
	}
	c, err := claimEvent(ctx, db, r.Name, events[0])
	if err != nil {
		return err
	}
	defer c.release()
	done, failed, err := c.settled(ctx)
	switch {
	case err != nil:
		return err
	case done:
		return c.markDone(ctx) // carried out meanwhile: only the entry is left to clear
	case !failed:
		return nil // another retry settled it first
	}
	if err := attempt(ctx, r, events[0], retryTimeout); err != nil {
		if perr := c.poison(ctx, 1, err); perr != nil {
			return errors.Join(err, perr)
		}
		return err
	}
	return c.markDone(ctx)
}
