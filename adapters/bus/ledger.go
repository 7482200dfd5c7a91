package bus

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/kabinet/kabinet/eventstore"
	"github.com/kabinet/kabinet/internal/sqldb"
	"github.com/kabinet/kabinet/internal/text"
)

// Lock keys: two-int advisory locks whose first int names the purpose
// (7310 is the event store's, 7311 and 7313 the projections', 7322 the KIAS
// feed's).
const (
	lockRelay    = 7320 // session lock: the one active relay of a RelayName
	lockReaction = 7321 // session lock: one reaction carrying out one event
)

const (
	// dbTimeout bounds each bookkeeping statement of the bus.
	dbTimeout = 10 * time.Second
	// maxReason is how much of an error the poison queue keeps.
	maxReason = 1000
)

// claim is a reaction's hold on one event: the (reaction, event) session
// lock (sqldb.DB.Lock). A second delivery of the event, to this instance or
// another, waits on the lock until the first is settled and then finds it
// done, so an event is never carried out twice at once. On PostgreSQL the
// lock is an advisory lock on a pooled connection of its own: if the
// process dies, PostgreSQL ends the session and the lock with it. On SQLite
// the file has one process, and the lock is that process's.
type claim struct {
	db       sqldb.DB
	unlock   func()
	reaction string
	event    eventstore.RecordedEvent
}

// claimEvent waits for the lock; ctx bounds the wait.
func claimEvent(ctx context.Context, db sqldb.DB, reaction string, e eventstore.RecordedEvent) (*claim, error) {
	unlock, err := db.Lock(ctx, lockReaction, reaction+"/"+e.ID.String())
	if err != nil {
		return nil, fmt.Errorf("claim event %s for %s: %w", e.ID, reaction, err)
	}
	return &claim{db: db, unlock: unlock, reaction: reaction, event: e}, nil
}

// settled reports whether the reaction already carried the event out or set
// it aside in the poison queue, where it waits for an operator.
func (c *claim) settled(ctx context.Context) (done, failed bool, err error) {
	ctx, cancel := context.WithTimeout(ctx, dbTimeout)
	defer cancel()
	err = c.db.QueryRow(ctx, `SELECT
		EXISTS (SELECT 1 FROM reaction_done WHERE reaction = $1 AND event_id = $2),
		EXISTS (SELECT 1 FROM reaction_failures WHERE reaction = $1 AND event_id = $2)`,
		c.reaction, c.event.ID).Scan(&done, &failed)
	if err != nil {
		return false, false, fmt.Errorf("read the state of event %s for %s: %w", c.event.ID, c.reaction, err)
	}
	return done, failed, nil
}

const (
	clearFailure = `DELETE FROM reaction_failures WHERE reaction = $1 AND event_id = $2`
	insertDone   = `INSERT INTO reaction_done (reaction, event_id) VALUES ($1, $2) ON CONFLICT DO NOTHING`
)

// markDone records the event as carried out and clears any failure of it,
// together: in one statement on PostgreSQL, in one transaction on SQLite,
// which has no data-modifying WITH.
func (c *claim) markDone(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, dbTimeout)
	defer cancel()
	var err error
	if c.db.Dialect() == sqldb.Postgres {
		_, err = c.db.Exec(ctx, `WITH cleared AS (`+clearFailure+`) `+insertDone, c.reaction, c.event.ID)
	} else {
		err = c.db.InTx(ctx, func(tx sqldb.Tx) error {
			if _, err := tx.Exec(ctx, clearFailure, c.reaction, c.event.ID); err != nil {
				return err
			}
			_, err := tx.Exec(ctx, insertDone, c.reaction, c.event.ID)
			return err
		})
	}
	if err != nil {
		return fmt.Errorf("mark event %s done for %s: %w", c.event.ID, c.reaction, err)
	}
	return nil
}

// poison puts the event into the poison queue, or, when it is there already
// (an operator's retry failed again), adds the attempts and the new reason.
func (c *claim) poison(ctx context.Context, attempts int, cause error) error {
	ctx, cancel := context.WithTimeout(ctx, dbTimeout)
	defer cancel()
	e := c.event
	_, err := c.db.Exec(ctx, `INSERT INTO reaction_failures (reaction, event_id, stream, version, event_type, reason, attempts)
		VALUES ($1, $2, $3, $4, $5, $6, $7)
		ON CONFLICT (reaction, event_id) DO UPDATE
		   SET reason = excluded.reason, attempts = reaction_failures.attempts + excluded.attempts, retried_at = now()`,
		c.reaction, e.ID, e.Stream, e.Version, e.Type, reason(cause), attempts)
	if err != nil {
		return fmt.Errorf("put event %s of %s into the poison queue: %w", e.ID, c.reaction, err)
	}
	return nil
}

// release gives the lock back.
func (c *claim) release() { c.unlock() }

// reason is the error text the poison queue keeps, made storable (an error
// may quote text PostgreSQL refuses, and a refused insert would bring the
// event back for ever) and cut to maxReason bytes on a rune boundary.
func reason(err error) string {
	if err == nil {
		return ""
	}
	return text.Clip(text.Replace(err.Error()), maxReason)
}

// Failure is one entry of the poison queue.
type Failure struct {
	ID        int64
	Reaction  string
	EventID   uuid.UUID
	Stream    string
	Version   int64
	EventType string
	Reason    string // the last error, truncated
	Attempts  int    // every attempt so far, operator retries included
	FailedAt  time.Time
	RetriedAt time.Time // the last operator retry; zero if none
}

// ErrFailureNotFound means the poison queue has no entry with that ID.
var ErrFailureNotFound = errors.New("no such failure")

// Failed lists the poison queue, oldest first.
func Failed(ctx context.Context, db sqldb.DB) ([]Failure, error) {
	return queryFailures(ctx, db, 0)
}

// queryFailures reads one failure by ID, or all when id is 0.
func queryFailures(ctx context.Context, db sqldb.Querier, id int64) ([]Failure, error) {
	rows, err := db.Query(ctx, `SELECT id, reaction, event_id, stream, version, event_type, reason, attempts, failed_at, retried_at
		FROM reaction_failures WHERE $1 = 0 OR id = $1 ORDER BY failed_at, id`, id)
	if err != nil {
		return nil, fmt.Errorf("list reaction failures: %w", err)
	}
	defer rows.Close()
	var out []Failure
	for rows.Next() {
		var (
			f       Failure
			retried *time.Time
		)
		if err := rows.Scan(&f.ID, &f.Reaction, &f.EventID, &f.Stream, &f.Version, &f.EventType, &f.Reason, &f.Attempts, &f.FailedAt, &retried); err != nil {
			return nil, fmt.Errorf("list reaction failures: %w", err)
		}
		if retried != nil {
			f.RetriedAt = *retried
		}
		out = append(out, f)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list reaction failures: %w", err)
	}
	return out, nil
}
