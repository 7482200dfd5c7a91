package bus

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/ThreeDotsLabs/watermill"
	"github.com/ThreeDotsLabs/watermill/message"

	"github.com/kabinet/kabinet/adapters/reactions"
	"github.com/kabinet/kabinet/eventstore"
	"github.com/kabinet/kabinet/internal/sqldb"
)

// Bus runs the relay and the reactions of one kabinet process.
type Bus struct {
	db        sqldb.DB
	store     eventstore.Store
	reactions []reactions.Reaction
	cfg       Config
	log       *slog.Logger
	wlog      watermill.LoggerAdapter

	running     atomic.Bool
	relayActive atomic.Bool
}

// New checks its arguments; it connects to nothing until Run.
func New(db sqldb.DB, store eventstore.Store, rs []reactions.Reaction, cfg Config) (*Bus, error) {
	cfg.setDefaults()
	var errs []error
	if db == nil {
		errs = append(errs, errors.New("bus: db is required"))
	}
	if store == nil {
		errs = append(errs, errors.New("bus: store is required"))
	}
	errs = append(errs, cfg.Validate(), checkReactions(rs))
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	log := cfg.Logger.With("instance", cfg.Instance)
	// watermill's own info lines (a handler started, a subscriber closed)
	// are routine here; they go to debug.
	wlog := plainErrors{watermill.NewSlogLoggerWithLevelMapping(log.With("component", "watermill"),
		map[slog.Level]slog.Level{slog.LevelInfo: slog.LevelDebug})}
	return &Bus{db: db, store: store, reactions: append([]reactions.Reaction(nil), rs...), cfg: cfg, log: log, wlog: wlog}, nil
}

// RelayActive reports whether this bus's relay is the one publishing.
func (b *Bus) RelayActive() bool { return b.relayActive.Load() }

// Run runs the reactions and the relay until ctx ends, then stops them: the
// relay first, so that nothing new is published, then the reactions, which
// get DrainTimeout to finish what they are doing before their context is
// cancelled. An event whose reaction did not finish comes again, to this
// instance after a restart or to another one. Run returns nil after a
// stop that ctx asked for, and an error if the bus could not start or its
// router stopped by itself. A Bus runs once.
func (b *Bus) Run(ctx context.Context) error {
	if !b.running.CompareAndSwap(false, true) {
		return errors.New("bus: Run called twice")
	}
	t, err := b.transport(ctx)
	if err != nil {
		if ctx.Err() != nil {
			return nil
		}
		return err
	}
	defer func() {
		if err := t.close(); err != nil {
			b.log.Warn("close the bus transport", "error", err.Error())
		}
	}()

	// Reactions run in hard, which outlives ctx by at most DrainTimeout.
	hard, stopHard := context.WithCancel(context.WithoutCancel(ctx))
	defer stopHard()
	router, err := message.NewRouter(message.RouterConfig{CloseTimeout: b.cfg.DrainTimeout + 5*time.Second}, b.wlog)
	if err != nil {
		return fmt.Errorf("reaction router: %w", err)
	}
	var subs []message.Subscriber
	closeSubs := func() {
		for _, s := range subs {
			_ = s.Close() // the bus did not start; nothing was delivered on them
		}
	}
	for _, r := range b.reactions {
		sub, err := t.subscribe(r)
		if err != nil {
			closeSubs()
			return err
		}
		subs = append(subs, sub)
		h := newReactionHandler(r, b.db, b.cfg, b.log)
		router.AddConsumerHandler(r.Name, t.topic, sub, func(msg *message.Message) error { return h.handle(hard, msg) })
	}
	// The router stops only through Close, after the relay, never by ctx.
	routerDone := make(chan error, 1)
	go func() { routerDone <- router.Run(context.WithoutCancel(ctx)) }()
	select {
	case <-router.Running():
	case err := <-routerDone:
		closeSubs()
		return fmt.Errorf("start the reaction router: %w", err)
	}
	b.log.Info("bus running", "reactions", len(b.reactions), "nats", b.cfg.NATSURL != "")

	var stopping atomic.Bool
	relayCtx, stopRelay := context.WithCancel(ctx)
	defer stopRelay()
	rl := &relay{db: b.db, store: b.store, t: t, cfg: b.cfg, log: b.log.With("relay", b.cfg.RelayName),
		active: &b.relayActive, stopping: &stopping}
	relayDone := make(chan error, 1)
	go func() { relayDone <- rl.run(relayCtx) }()

	var runErr error
	routerStopped := false
	select {
	case <-ctx.Done():
	case err := <-routerDone:
		routerStopped = true
		runErr = fmt.Errorf("reaction router stopped by itself: %v", err)
	}
	stopping.Store(true)
	stopRelay()
	drain := time.AfterFunc(b.cfg.DrainTimeout, stopHard)
	defer drain.Stop()
	if err := router.Close(); err != nil {
		b.log.Warn("reactions did not finish in time", "error", err.Error())
	}
	if !routerStopped {
		<-routerDone
	}
	<-relayDone
	b.log.Info("bus stopped")
	return runErr
}

func (b *Bus) transport(ctx context.Context) (*transport, error) {
	if b.cfg.NATSURL == "" {
		return goChannelTransport(b.wlog), nil
	}
	return natsTransport(ctx, b.cfg, b.log, b.wlog)
}

// plainErrors logs watermill's errors by their text: the errors of watermill
// and its NATS adapter carry stack traces that slog would print in full.
type plainErrors struct{ watermill.LoggerAdapter }

func (p plainErrors) Error(msg string, err error, fields watermill.LogFields) {
	if err != nil {
		err = errors.New(err.Error())
	}
	p.LoggerAdapter.Error(msg, err, fields)
}

func (p plainErrors) With(fields watermill.LogFields) watermill.LoggerAdapter {
	return plainErrors{p.LoggerAdapter.With(fields)}
}
