package bus

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/ThreeDotsLabs/watermill"
	wnats "github.com/ThreeDotsLabs/watermill-nats/v2/pkg/nats"
	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/ThreeDotsLabs/watermill/pubsub/gochannel"
	"github.com/nats-io/nats.go"

	"github.com/kabinet/kabinet/adapters/reactions"
)

// goChannelTopic is the in-process topic; it never leaves the process.
const goChannelTopic = "kabinet.events"

// transport is what the bus runs on: one publisher for the relay and one
// subscriber per reaction.
type transport struct {
	topic     string
	publisher message.Publisher
	subscribe func(r reactions.Reaction) (message.Subscriber, error)
	// inProcess is true for the GoChannel, whose Publish returns when every
	// reaction has acked the message, but also, without a word, when the
	// GoChannel is closing; the relay must not move its checkpoint then.
	inProcess bool
	close     func() error
}

// goChannelTransport keeps the bus inside this process. Publish blocks until
// every reaction has settled the event, so a checkpoint that moves after it
// never runs ahead of the reactions: after a crash the relay publishes again
// from the checkpoint and the reactions skip what they had done.
func goChannelTransport(wlog watermill.LoggerAdapter) *transport {
	gc := gochannel.NewGoChannel(gochannel.Config{BlockPublishUntilSubscriberAck: true}, wlog)
	return &transport{
		topic:     goChannelTopic,
		publisher: gc,
		subscribe: func(reactions.Reaction) (message.Subscriber, error) { return gc, nil },
		inProcess: true,
		close:     gc.Close,
	}
}

// natsTransport connects to NATS JetStream and makes sure the stream
// exists, trying again with backoff until it does or ctx ends, so that a
// bus may start before its NATS server.
func natsTransport(ctx context.Context, cfg Config, log *slog.Logger, wlog watermill.LoggerAdapter) (*transport, error) {
	conn, err := nats.Connect(cfg.NATSURL, natsOptions(cfg, log, "relay")...)
	if err != nil {
		return nil, fmt.Errorf("connect to NATS: %w", err)
	}
	js, err := conn.JetStream(nats.MaxWait(cfg.PublishTimeout))
	if err != nil {
		conn.Close()
		return nil, fmt.Errorf("open JetStream: %w", err)
	}
	for n := 1; ; n++ {
		err := ensureStream(js, cfg)
		if err == nil {
			break
		}
		d := backoffDelay(cfg, n)
		log.Warn("NATS stream not ready; trying again", "stream", cfg.NATSStream, "attempt", n, "retry_in", d, "error", err.Error())
		if !sleep(ctx, d) {
			conn.Close()
			return nil, fmt.Errorf("provision NATS stream %s: %w", cfg.NATSStream, err)
		}
	}
	jsCfg := wnats.JetStreamConfig{
		// The message UUID is the event ID: JetStream drops a publish it
		// has already stored within its duplicate window, which covers a
		// relay that crashed between a publish and its checkpoint.
		TrackMsgId:     true,
		ConnectOptions: []nats.JSOpt{nats.MaxWait(cfg.PublishTimeout)},
	}
	pub, err := wnats.NewPublisherWithNatsConn(conn, wnats.PublisherPublishConfig{
		Marshaler: &wnats.NATSMarshaler{}, SubjectCalculator: wnats.DefaultSubjectCalculator, JetStream: jsCfg,
	}, wlog)
	if err != nil {
		conn.Close()
		return nil, fmt.Errorf("NATS publisher: %w", err)
	}
	return &transport{
		topic:     cfg.NATSSubject,
		publisher: pub,
		subscribe: func(r reactions.Reaction) (message.Subscriber, error) {
			return natsSubscriber(js, cfg, r, log, wlog)
		},
		close: pub.Close,
	}, nil
}

// natsSubscriber gives a reaction a durable JetStream consumer of its own,
// delivering to a queue group of the same name: every instance joins the
// group, and each event reaches one of them. The consumer is created here
// and then bound to, never left to the client library, which would delete a
// consumer it created when the subscription closes. Acks are explicit and
// sent only when the reaction has settled the event (nats.ManualAck: no ack
// when the callback returns), and MaxAckPending keeps the reaction in log
// order across instances.
func natsSubscriber(js nats.JetStreamManager, cfg Config, r reactions.Reaction, log *slog.Logger, wlog watermill.LoggerAdapter) (message.Subscriber, error) {
	durable := r.Name // checked by checkReactions to be a valid consumer name
	if err := ensureConsumer(js, cfg, durable); err != nil {
		return nil, fmt.Errorf("NATS consumer for %s: %w", r.Name, err)
	}
	sub, err := wnats.NewSubscriber(wnats.SubscriberConfig{
		URL:              cfg.NATSURL,
		NatsOptions:      natsOptions(cfg, log, r.Name),
		QueueGroupPrefix: durable,
		SubscribersCount: 1,
		AckWaitTimeout:   cfg.AckWait,
		CloseTimeout:     cfg.DrainTimeout,
		SubscribeTimeout: cfg.PublishTimeout,
		Unmarshaler:      &wnats.NATSMarshaler{},
		JetStream: wnats.JetStreamConfig{
			DurablePrefix:    durable,
			SubscribeOptions: []nats.SubOpt{nats.Bind(cfg.NATSStream, durable), nats.ManualAck()},
		},
	}, wlog)
	if err != nil {
		return nil, fmt.Errorf("NATS subscriber for %s: %w", r.Name, err)
	}
	return sub, nil
}

// ensureConsumer creates a reaction's consumer, or brings the settings an
// existing one may change (AckWait, MaxAckPending) in line with cfg. A new
// consumer starts at new events (DeliverNew), as a new reaction in the
// in-process bus starts at the relay's checkpoint: it is never handed the
// history the stream still holds.
func ensureConsumer(js nats.JetStreamManager, cfg Config, durable string) error {
	cc := &nats.ConsumerConfig{
		Durable:        durable,
		Description:    "kabinet reaction " + durable,
		DeliverSubject: "_kabinet.deliver." + cfg.NATSStream + "." + durable,
		DeliverGroup:   durable,
		DeliverPolicy:  nats.DeliverNewPolicy,
		FilterSubject:  cfg.NATSSubject,
		AckPolicy:      nats.AckExplicitPolicy,
		AckWait:        cfg.AckWait,
		MaxAckPending:  cfg.MaxInFlight,
		MaxDeliver:     -1,
	}
	_, err := js.AddConsumer(cfg.NATSStream, cc)
	if errors.Is(err, nats.ErrConsumerNameAlreadyInUse) {
		_, err = js.UpdateConsumer(cfg.NATSStream, cc)
	}
	return err
}

// ensureStream creates the stream the relay publishes to unless it exists.
func ensureStream(js nats.JetStreamManager, cfg Config) error {
	_, err := js.StreamInfo(cfg.NATSStream)
	if !errors.Is(err, nats.ErrStreamNotFound) {
		return err
	}
	_, err = js.AddStream(&nats.StreamConfig{
		Name:       cfg.NATSStream,
		Subjects:   []string{cfg.NATSSubject},
		Storage:    nats.FileStorage,
		Retention:  nats.LimitsPolicy,
		Discard:    nats.DiscardOld,
		MaxAge:     cfg.NATSMaxAge,
		Duplicates: min(2*time.Minute, cfg.NATSMaxAge),
	})
	if errors.Is(err, nats.ErrStreamNameAlreadyInUse) {
		return nil // another instance created it meanwhile
	}
	return err
}

// natsOptions keep a connection trying to reconnect for as long as the bus
// runs; role names the connection on the server (never the URL, which may
// hold credentials, in logs).
func natsOptions(cfg Config, log *slog.Logger, role string) []nats.Option {
	log = log.With("nats_connection", role)
	return []nats.Option{
		nats.Name("kabinet " + cfg.Instance + " " + role),
		nats.Timeout(cfg.PublishTimeout),
		nats.RetryOnFailedConnect(true),
		nats.MaxReconnects(-1),
		nats.ReconnectWait(min(cfg.MaxInterval, time.Second)),
		nats.DisconnectErrHandler(func(_ *nats.Conn, err error) {
			if err != nil {
				log.Warn("NATS connection lost; reconnecting", "error", err.Error())
			}
		}),
		nats.ReconnectHandler(func(*nats.Conn) { log.Info("NATS connection restored") }),
	}
}
