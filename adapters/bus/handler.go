package bus

import (
	"context"
	"fmt"
	"log/slog"
	"math"
	"sync/atomic"
	"time"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/ThreeDotsLabs/watermill/message/router/middleware"

	"github.com/kabinet/kabinet/adapters/reactions"
	"github.com/kabinet/kabinet/eventstore"
	"github.com/kabinet/kabinet/internal/sqldb"
)

// reactionHandler carries one reaction out on the events the bus delivers.
type reactionHandler struct {
	r      reactions.Reaction
	types  map[string]bool
	db     sqldb.DB
	cfg    Config
	log    *slog.Logger
	retry  middleware.Retry
	stalls atomic.Int64 // consecutive failures of the bus's own bookkeeping
}

func newReactionHandler(r reactions.Reaction, db sqldb.DB, cfg Config, log *slog.Logger) *reactionHandler {
	types := make(map[string]bool, len(r.Types))
	for _, t := range r.Types {
		types[t] = true
	}
	return &reactionHandler{
		r: r, types: types, db: db, cfg: cfg, log: log.With("reaction", r.Name),
		retry: middleware.Retry{
			MaxRetries:          cfg.MaxRetries,
			InitialInterval:     cfg.InitialInterval,
			MaxInterval:         cfg.MaxInterval,
			Multiplier:          cfg.Multiplier,
			RandomizationFactor: 0.2, // instances that failed together do not retry together
		},
	}
}

// handle settles one delivery. It returns nil, and the message is acked,
// when the event is carried out, was already settled, is not of the
// reaction's types, or went to the poison queue. It returns an error, and
// the message comes again, only when the bus could not settle it: the bus is
// stopping, or its database is out of reach.
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

	attempts := 0
	run := h.retry.Middleware(func(*message.Message) ([]*message.Message, error) {
		attempts++
		err := attempt(hard, h.r, e, h.cfg.HandlerTimeout)
		if err != nil && msg.Context().Err() == nil && attempts <= h.cfg.MaxRetries {
			log.Warn("reaction failed; retrying", "attempts", attempts, "error", err.Error())
		}
		return nil, err
	})
	_, err = run(msg)
	if err == nil {
		if err := c.markDone(hard); err != nil {
			return h.stall(msg.Context(), log, err)
		}
		h.stalls.Store(0)
		return nil
	}
	if msg.Context().Err() != nil {
		log.Info("bus stopping; the event will come again", "attempts", attempts)
		return err
	}
	if err := c.poison(hard, attempts, err); err != nil {
		return h.stall(msg.Context(), log, err)
	}
	h.stalls.Store(0)
	log.Error("reaction gave up; event is in the poison queue", "attempts", attempts, "error", err.Error())
	return nil
}

// stall pauses before an event is given back, so that an unreachable
// database does not become a tight loop of redeliveries.
func (h *reactionHandler) stall(ctx context.Context, log *slog.Logger, err error) error {
	n := h.stalls.Add(1)
	d := backoffDelay(h.cfg, int(n))
	if ctx.Err() == nil {
		log.Warn("could not settle the event; it will come again", "retry_in", d, "error", err.Error())
	}
	sleep(ctx, d)
	return err
}

// attempt runs the reaction once, bounded by timeout, and turns a panic
// into an error so that it is retried and poisoned like any failure.
func attempt(ctx context.Context, r reactions.Reaction, e eventstore.RecordedEvent, timeout time.Duration) (err error) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("reaction %s panicked: %v", r.Name, p)
		}
	}()
	return r.Handle(ctx, e)
}

// backoffDelay is the pause before the n-th retry (from 1).
func backoffDelay(cfg Config, n int) time.Duration {
	d := float64(cfg.InitialInterval) * math.Pow(cfg.Multiplier, float64(max(n-1, 0)))
	if d > float64(cfg.MaxInterval) || math.IsInf(d, 0) || math.IsNaN(d) {
		return cfg.MaxInterval
	}
	return time.Duration(d)
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
