package bus

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ThreeDotsLabs/watermill/message"

	"github.com/kabinet/kabinet/adapters/reactions"
	"github.com/kabinet/kabinet/eventstore"
	"github.com/kabinet/kabinet/internal/sqldb"
)

// reactionHandler carries one reaction out on the events the bus delivers.
type reactionHandler struct {
	r     reactions.Reaction
	types map[string]bool
	db    sqldb.DB
	cfg   Config
	log   *slog.Logger
	// outages counts the consecutive tries that met the database or a
	// partner out of reach, the bus's own tables included; it sets the
	// backoff, and outlives a delivery that ends before the outage does
	// (a JetStream ack wait).
	outages atomic.Int64
	// failed counts, by event ID, the failures of deliveries that ended
	// (JetStream's ack wait) before the event was done or poisoned, so that
	// a reaction whose retries outlast one delivery is still poisoned after
	// MaxRetries failures in all rather than redelivered for ever.
	failed sync.Map
}

func newReactionHandler(r reactions.Reaction, db sqldb.DB, cfg Config, log *slog.Logger) *reactionHandler {
	types := make(map[string]bool, len(r.Types))
	for _, t := range r.Types {
		types[t] = true
	}
	return &reactionHandler{r: r, types: types, db: db, cfg: cfg, log: log.With("reaction", r.Name)}
}

// handle settles one delivery. It returns nil, and the message is acked,
// when the event is carried out, was already settled, is not of the
// reaction's types, or went to the poison queue. It returns an error, and
// the message comes again, only when the bus could not settle it: the bus is
// stopping, the delivery ended (JetStream's ack wait), or its database is
// out of reach.
//
// hard is the context the reaction runs in: it outlives the delivery's own
// context, which ends as soon as the bus starts to stop, so that a reaction
// under way may finish while the bus drains.
func (h *reactionHandler) handle(hard context.Context, msg *message.Message) error {
	// Every reaction's subscription receives every event: look at the type
	// before decoding the rest.
	if t := msg.Metadata.Get(MetaEventType); t != "" && !h.types[t] {
		return nil
	}
	e, err := EventFromMessage(msg)
	if err != nil {
		// Only something other than the relay publishes such a message;
		// giving it back would only bring it again.
		h.log.Error("dropped a malformed bus message", "message_uuid", msg.UUID, "error", err.Error())
		return nil
	}
	if !h.types[e.Type] {
		return nil
	}
	log := h.log.With("event_id", e.ID, "event_type", e.Type, "stream", e.Stream, "version", e.Version)

	c, err := claimEvent(msg.Context(), h.db, h.r.Name, e)
	if err != nil {
		return h.stall(msg.Context(), log, err)
	}
	defer c.release()
	done, failed, err := c.settled(hard)
	if err != nil {
		return h.stall(msg.Context(), log, err)
	}
	if done || failed {
		log.Debug("event already settled; skipped", "done", done, "poisoned", failed)
		return nil
	}

	if h.cfg.Open != nil {
		if err := h.cfg.Open(msg.Context(), &e); err != nil {
			if outage(err) || msg.Context().Err() != nil {
				return h.stall(msg.Context(), log, err)
			}
			// Its sealed personal data does not open (altered in the log):
			// no retry will change that, and the reaction must not see the
			// event without it, so it is never tried.
			return h.setAside(msg.Context(), hard, c, log, 0, err)
		}
	}
	attempts, err := h.carryOut(hard, msg.Context(), log, e)
	if err == nil {
		if err := c.markDone(hard); err != nil {
			return h.stall(msg.Context(), log, err)
		}
		h.outages.Store(0)
		return nil
	}
	if msg.Context().Err() != nil {
		log.Info("delivery ended (the bus is stopping, or the ack wait passed); the event will come again", "attempts", attempts)
		return err
	}
	return h.setAside(msg.Context(), hard, c, log, attempts, err)
}

// setAside puts the event in the poison queue for this reaction, after
// attempts that ended in failure.
func (h *reactionHandler) setAside(delivery, hard context.Context, c *claim, log *slog.Logger, attempts int, failure error) error {
	if err := c.poison(hard, attempts, failure); err != nil {
		return h.stall(delivery, log, err)
	}
	h.outages.Store(0)
	log.Error("reaction gave up; event is in the poison queue", "attempts", attempts, "error", failure.Error())
	return nil
}

// carryOut runs the reaction until it succeeds, fails more than MaxRetries
// times (counting the failures of earlier deliveries), or delivery ends, and returns how many attempts it made and the
// last error. A failure that is an outage (reactions.Unavailable) is tried
// again with a backoff of up to MaxOutageInterval, for as long as it lasts,
// and does not count as one of the failures.
func (h *reactionHandler) carryOut(hard, delivery context.Context, log *slog.Logger, e eventstore.RecordedEvent) (attempts int, err error) {
	failures := 0
	if n, ok := h.failed.Load(e.ID); ok {
		failures = n.(int)
	}
	defer func() {
		if err != nil && delivery.Err() != nil {
			h.failed.Store(e.ID, failures)
		} else {
			h.failed.Delete(e.ID)
		}
	}()
	for {
		attempts++
		err = attempt(hard, h.r, e, h.cfg.HandlerTimeout)
		if err == nil || delivery.Err() != nil {
			return attempts, err
		}
		var d time.Duration
		if outage(err) {
			d = jitter(outageDelay(h.cfg, int(h.outages.Add(1))))
			log.Warn("reaction met an outage; retrying until it passes", "attempts", attempts, "retry_in", d, "error", err.Error())
		} else {
			failures++
			if failures > h.cfg.MaxRetries {
				return attempts, err
			}
			d = jitter(backoffDelay(h.cfg, failures))
			log.Warn("reaction failed; retrying", "attempts", attempts, "retry_in", d, "error", err.Error())
		}
		if !sleep(delivery, d) {
			return attempts, err
		}
	}
}

// outage reports whether a reaction's failure is the database or a partner
// out of reach rather than the reaction's own: a reaction that ran out of
// HandlerTimeout failed, whatever it was waiting for.
func outage(err error) bool {
	return reactions.Unavailable(err) && !errors.Is(err, errOverran)
}

// stall pauses before an event is given back, so that an unreachable
// database does not become a tight loop of redeliveries.
func (h *reactionHandler) stall(ctx context.Context, log *slog.Logger, err error) error {
	d := jitter(outageDelay(h.cfg, int(h.outages.Add(1))))
	if ctx.Err() == nil {
		log.Warn("could not settle the event; it will come again", "retry_in", d, "error", err.Error())
	}
	sleep(ctx, d)
	return err
}

// errOverran marks an attempt that ran out of its time.
var errOverran = errors.New("reaction ran out of time")

// attempt runs the reaction once, bounded by timeout, and turns a panic
// into an error so that it is retried and poisoned like any failure.
func attempt(ctx context.Context, r reactions.Reaction, e eventstore.RecordedEvent, timeout time.Duration) (err error) {
	actx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("reaction %s panicked: %v", r.Name, p)
		}
		if err != nil && ctx.Err() == nil && errors.Is(actx.Err(), context.DeadlineExceeded) {
			err = fmt.Errorf("%w (%s): %w", errOverran, timeout, err)
		}
	}()
	return r.Handle(actx, e)
}

// backoffDelay is the pause before the n-th retry (from 1).
func backoffDelay(cfg Config, n int) time.Duration { return backoff(cfg, n, cfg.MaxInterval) }

// outageDelay is the pause before the n-th try (from 1) during an outage.
func outageDelay(cfg Config, n int) time.Duration { return backoff(cfg, n, cfg.MaxOutageInterval) }

func backoff(cfg Config, n int, limit time.Duration) time.Duration {
	d := float64(cfg.InitialInterval) * math.Pow(cfg.Multiplier, float64(max(n-1, 0)))
	if d > float64(limit) || math.IsInf(d, 0) || math.IsNaN(d) {
		return limit
	}
	return time.Duration(d)
}

// jitter spreads d by up to a fifth either way, so that instances that
// failed together do not retry together.
func jitter(d time.Duration) time.Duration {
	return time.Duration(float64(d) * (0.8 + 0.4*rand.Float64()))
}

// sleep waits for d or until ctx ends; it reports whether d passed.
func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}
