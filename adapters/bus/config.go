package bus

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"regexp"
	"strconv"
	"time"

	"github.com/kabinet/kabinet/adapters/reactions"
	"github.com/kabinet/kabinet/eventstore"
)

// Config tunes a Bus. The zero value is usable: GoChannel, five retries.
type Config struct {
	// Logger receives the bus's own logs and, through watermill's slog
	// adapter, watermill's. Default: discard.
	Logger *slog.Logger
	// NATSURL selects NATS JetStream (KABINET_NATS_URL); empty keeps the bus
	// in-process on a watermill GoChannel.
	NATSURL string
	// Instance names this process in logs, NATS connection names and the
	// relay checkpoint. Default: host name and process ID.
	Instance string

	// Open puts back the personal data of an event the relay published
	// sealed (internal/pii), before a reaction gets it: the store the relay
	// reads gives sealed payloads, so that the bus's transport, and
	// JetStream's files, never hold personal data in plain text. An error
	// that is an outage is waited out; any other (the sealed data was
	// altered) sets the event aside in the poison queue. Nil when the
	// store's events are not sealed.
	Open func(ctx context.Context, e *eventstore.RecordedEvent) error

	// MaxRetries is how many times a failing reaction is tried again before
	// its event goes to the poison queue: 0 means 5, negative means never.
	MaxRetries int
	// InitialInterval, MaxInterval and Multiplier shape the exponential
	// backoff between retries, and the relay's backoff when a publish
	// fails. Defaults: 100ms, 10s, 2.
	InitialInterval time.Duration
	MaxInterval     time.Duration
	Multiplier      float64
	// MaxOutageInterval caps the backoff between tries while a reaction
	// fails because the database or a partner is out of reach
	// (reactions.Unavailable), and while the bus cannot reach its own
	// tables: such tries go on until one succeeds or the bus stops, and do
	// not count towards MaxRetries. Default 30s.
	MaxOutageInterval time.Duration
	// HandlerTimeout bounds one attempt of a reaction; an attempt that runs
	// out of it counts towards MaxRetries, whatever it was waiting for.
	// Default 30s.
	HandlerTimeout time.Duration
	// DrainTimeout bounds a graceful stop: reactions under way get this long
	// to finish before their context is cancelled. Default 15s.
	DrainTimeout time.Duration

	// PollInterval is the relay's fallback poll of the log when no wake-up
	// comes, and how often a standby relay asks for the lock. Default 500ms.
	PollInterval time.Duration
	// BatchSize is the most events the relay reads at once; the checkpoint
	// moves after each batch. Default 100.
	BatchSize int
	// RelayName keys the relay's checkpoint and lock. Default "bus".
	RelayName string

	// NATSStream and NATSSubject name the JetStream stream the relay
	// publishes to. Defaults: "KABINET_EVENTS" and "kabinet.events".
	NATSStream  string
	NATSSubject string
	// NATSMaxAge is how long the stream keeps events. Default 7 days.
	NATSMaxAge time.Duration
	// AckWait is how long JetStream waits for a reaction's ack before it
	// delivers the event again (to this or another instance). Default 30s.
	AckWait time.Duration
	// MaxInFlight is how many events of one reaction JetStream lets be
	// unacknowledged at once across all instances. Default 1, which keeps
	// each reaction in log order; more trades that order for throughput.
	MaxInFlight int
	// PublishTimeout bounds one publish to JetStream. Default 5s.
	PublishTimeout time.Duration
}

func (c *Config) setDefaults() {
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	if c.Instance == "" {
		host, _ := os.Hostname() // a missing host name only makes the default less telling
		c.Instance = host + "-" + strconv.Itoa(os.Getpid())
	}
	if c.MaxRetries == 0 {
		c.MaxRetries = 5
	}
	if c.MaxRetries < 0 {
		c.MaxRetries = 0
	}
	if c.InitialInterval == 0 {
		c.InitialInterval = 100 * time.Millisecond
	}
	if c.MaxInterval == 0 {
		c.MaxInterval = 10 * time.Second
	}
	if c.Multiplier == 0 {
		c.Multiplier = 2
	}
	if c.MaxOutageInterval == 0 {
		c.MaxOutageInterval = 30 * time.Second
	}
	if c.HandlerTimeout == 0 {
		c.HandlerTimeout = 30 * time.Second
	}
	if c.DrainTimeout == 0 {
		c.DrainTimeout = 15 * time.Second
	}
	if c.PollInterval == 0 {
		c.PollInterval = 500 * time.Millisecond
	}
	if c.BatchSize == 0 {
		c.BatchSize = 100
	}
	if c.RelayName == "" {
		c.RelayName = "bus"
	}
	if c.NATSStream == "" {
		c.NATSStream = "KABINET_EVENTS"
	}
	if c.NATSSubject == "" {
		c.NATSSubject = "kabinet.events"
	}
	if c.NATSMaxAge == 0 {
		c.NATSMaxAge = 7 * 24 * time.Hour
	}
	if c.AckWait == 0 {
		c.AckWait = 30 * time.Second
	}
	if c.MaxInFlight == 0 {
		c.MaxInFlight = 1
	}
	if c.PublishTimeout == 0 {
		c.PublishTimeout = 5 * time.Second
	}
}

var (
	// reactionName keeps names usable as JetStream durable and queue names.
	reactionName = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_-]{0,99}$`)
	streamName   = regexp.MustCompile(`^[A-Za-z0-9_-]{1,64}$`)
	subjectName  = regexp.MustCompile(`^[a-z0-9_-]+(\.[a-z0-9_-]+)*$`)
)

// Validate reports every problem of the configuration at once.
func (c Config) Validate() error {
	var errs []error
	for name, d := range map[string]time.Duration{
		"InitialInterval": c.InitialInterval, "MaxInterval": c.MaxInterval, "MaxOutageInterval": c.MaxOutageInterval,
		"HandlerTimeout": c.HandlerTimeout, "DrainTimeout": c.DrainTimeout, "PollInterval": c.PollInterval,
		"NATSMaxAge": c.NATSMaxAge, "AckWait": c.AckWait, "PublishTimeout": c.PublishTimeout,
	} {
		if d < 0 {
			errs = append(errs, fmt.Errorf("bus: %s must not be negative", name))
		}
	}
	if c.MaxInterval > 0 && c.InitialInterval > c.MaxInterval {
		errs = append(errs, errors.New("bus: InitialInterval must not exceed MaxInterval"))
	}
	if c.MaxOutageInterval > 0 && c.InitialInterval > c.MaxOutageInterval {
		errs = append(errs, errors.New("bus: InitialInterval must not exceed MaxOutageInterval"))
	}
	if c.Multiplier != 0 && c.Multiplier < 1 {
		errs = append(errs, errors.New("bus: Multiplier must be at least 1"))
	}
	if c.BatchSize < 0 || c.MaxInFlight < 0 {
		errs = append(errs, errors.New("bus: BatchSize and MaxInFlight must not be negative"))
	}
	if c.NATSStream != "" && !streamName.MatchString(c.NATSStream) {
		errs = append(errs, fmt.Errorf("bus: NATSStream %q: want letters, digits, _ or -", c.NATSStream))
	}
	if c.NATSSubject != "" && !subjectName.MatchString(c.NATSSubject) {
		errs = append(errs, fmt.Errorf("bus: NATSSubject %q: want dot-separated lower-case tokens", c.NATSSubject))
	}
	return errors.Join(errs...)
}

// checkReactions reports every malformed or repeated reaction at once.
func checkReactions(rs []reactions.Reaction) error {
	var errs []error
	seen := map[string]bool{}
	for i, r := range rs {
		switch {
		case !reactionName.MatchString(r.Name):
			errs = append(errs, fmt.Errorf("bus: reaction %d: name %q: want a letter, then letters, digits, _ or -, at most 100", i, r.Name))
		case seen[r.Name]:
			errs = append(errs, fmt.Errorf("bus: reaction %s registered twice", r.Name))
		}
		seen[r.Name] = true
		if len(r.Types) == 0 {
			errs = append(errs, fmt.Errorf("bus: reaction %s: no event types", r.Name))
		}
		if r.Handle == nil {
			errs = append(errs, fmt.Errorf("bus: reaction %s: Handle is nil", r.Name))
		}
	}
	return errors.Join(errs...)
}
