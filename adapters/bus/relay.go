package bus

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/kabinet/kabinet/eventstore"
	"github.com/kabinet/kabinet/internal/sqldb"
)

// relay publishes the global log to the bus from its own checkpoint. Of all
// relays with one name on one database, only the one holding the relay lock
// publishes; the others stand by and ask for the lock every PollInterval, so
// one takes over soon after the active one stops or dies.
type relay struct {
	db       sqldb.DB
	store    eventstore.Store
	t        *transport
	cfg      Config
	log      *slog.Logger
	active   *atomic.Bool // this relay holds the lock
	stopping *atomic.Bool // the bus is stopping; see transport.inProcess
}

// errStopping ends a relay whose in-process publish may have been dropped.
var errStopping = errors.New("bus stopping")

// run keeps the relay going until ctx ends; it returns nil then.
func (r *relay) run(ctx context.Context) error {
	failures := 0
	for ctx.Err() == nil {
		began := time.Now()
		err := r.lead(ctx)
		if ctx.Err() != nil || errors.Is(err, errStopping) {
			return nil
		}
		if time.Since(began) > r.cfg.MaxInterval {
			failures = 0 // it had been running well: start the backoff over
		}
		failures++
		d := backoffDelay(r.cfg, failures)
		r.log.Error("relay stopped; starting over", "retry_in", d, "error", err.Error())
		sleep(ctx, d)
	}
	return nil
}

// lead takes the lock on a session of its own, then publishes until ctx
// ends or something fails. Closing the session releases the lock.
func (r *relay) lead(ctx context.Context) error {
	s, err := openRelaySession(ctx, r.db, r.cfg.RelayName)
	if err != nil {
		return fmt.Errorf("open the relay's lock session: %w", err)
	}
	defer s.close()
	standby := false
	for {
		ok, err := s.tryLock(ctx)
		if err != nil {
			return fmt.Errorf("ask for the relay lock: %w", err)
		}
		if ok {
			break
		}
		if !standby {
			standby = true
			r.log.Info("relay on standby: another instance publishes")
		}
		if !sleep(ctx, r.cfg.PollInterval) {
			return ctx.Err()
		}
	}
	r.active.Store(true)
	defer r.active.Store(false)
	return r.publishFrom(ctx, s)
}

// publishFrom publishes every event after the checkpoint. The checkpoint is
// written through the lock's session, so that on PostgreSQL a relay that
// lost its lock with its session cannot move it; the position it writes
// never goes backwards.
func (r *relay) publishFrom(ctx context.Context, s relaySession) error {
	pos, err := loadCheckpoint(ctx, s, r.cfg.RelayName)
	if err != nil {
		return err
	}
	r.log.Info("relay active", "position", pos.String())
	saved, acked := pos, pos
	save := func(ctx context.Context) error {
		if err := saveCheckpoint(ctx, s, r.cfg.RelayName, r.cfg.Instance, acked); err != nil {
			return err
		}
		saved = acked
		return nil
	}
	err = r.store.Subscribe(ctx, eventstore.SubscribeOptions{After: pos, BatchSize: r.cfg.BatchSize, PollInterval: r.cfg.PollInterval},
		func(ctx context.Context, batch []eventstore.RecordedEvent) error {
			for _, e := range batch {
				if err := r.publish(ctx, e); err != nil {
					return err
				}
				acked = e.Position
			}
			return save(ctx)
		})
	if acked != saved {
		// Stopped within a batch: keep what was acknowledged.
		saveCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), dbTimeout)
		defer cancel()
		if serr := save(saveCtx); serr != nil {
			r.log.Warn("could not save the relay checkpoint on the way out; the events after it will be published again", "position", saved.String(), "error", serr)
		}
	}
	if ctx.Err() != nil {
		return ctx.Err()
	}
	return err
}

// publish hands one event to the bus, trying again with backoff until the
// publish is acknowledged or ctx ends.
func (r *relay) publish(ctx context.Context, e eventstore.RecordedEvent) error {
	for n := 1; ; n++ {
		err := r.t.publisher.Publish(r.t.topic, NewMessage(e))
		if err == nil {
			if r.t.inProcess && r.stopping.Load() {
				return errStopping // the GoChannel may have dropped it unhandled
			}
			return nil
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		d := backoffDelay(r.cfg, n)
		r.log.Warn("publish failed; backing off", "event_id", e.ID, "position", e.Position.String(), "attempt", n, "retry_in", d, "error", err.Error())
		if !sleep(ctx, d) {
			return ctx.Err()
		}
	}
}

func loadCheckpoint(ctx context.Context, s relaySession, name string) (eventstore.Position, error) {
	ctx, cancel := context.WithTimeout(ctx, dbTimeout)
	defer cancel()
	if err := s.exec(ctx, `INSERT INTO relay_checkpoints (name) VALUES ($1) ON CONFLICT DO NOTHING`, name); err != nil {
		return eventstore.Position{}, fmt.Errorf("create relay checkpoint %s: %w", name, err)
	}
	var tx, seq int64
	err := s.queryRow(ctx, `SELECT position_tx, position_seq FROM relay_checkpoints WHERE name = $1`, name).Scan(&tx, &seq)
	if err != nil {
		return eventstore.Position{}, fmt.Errorf("load relay checkpoint %s: %w", name, err)
	}
	return eventstore.Position{Tx: uint64(tx), Seq: uint64(seq)}, nil
}

func saveCheckpoint(ctx context.Context, s relaySession, name, instance string, pos eventstore.Position) error {
	ctx, cancel := context.WithTimeout(ctx, dbTimeout)
	defer cancel()
	err := s.exec(ctx, `UPDATE relay_checkpoints
		   SET position_tx = $2, position_seq = $3, instance = $4, updated_at = now()
		 WHERE name = $1 AND (position_tx, position_seq) < ($2, $3)`, name, int64(pos.Tx), int64(pos.Seq), instance)
	if err != nil {
		return fmt.Errorf("save relay checkpoint %s at %s: %w", name, pos, err)
	}
	return nil
}

// Checkpoint returns the relay's position in the global log: every event up
// to it has been published and acknowledged.
func Checkpoint(ctx context.Context, pool sqldb.Querier, relayName string) (eventstore.Position, error) {
	var tx, seq int64
	err := pool.QueryRow(ctx, `SELECT position_tx, position_seq FROM relay_checkpoints WHERE name = $1`, relayName).Scan(&tx, &seq)
	if sqldb.IsNoRows(err) {
		return eventstore.Position{}, nil
	}
	if err != nil {
		return eventstore.Position{}, fmt.Errorf("read relay checkpoint %s: %w", relayName, err)
	}
	return eventstore.Position{Tx: uint64(tx), Seq: uint64(seq)}, nil
}
