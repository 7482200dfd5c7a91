package reactions

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"time"
	_ "time/tzdata" // Asia/Almaty must resolve on hosts without a zone database

	"github.com/kabinet/kabinet/commands"
	"github.com/kabinet/kabinet/internal/sqldb"
)

// Deps are what the reactions act through; every field is required.
type Deps struct {
	Clients  *commands.Clients
	Policies *commands.Policies
	Claims   *commands.Claims
	Bonuses  *commands.Bonuses
	Notices  *commands.Notices
	Codes    *commands.AccessCodes
	// Pool holds the read models (client profiles, policy details) and the
	// reactions' own tables: scheduled_reminders and reaction_deliveries.
	DB           sqldb.DB
	SMS          SMS
	Mailer       Mailer
	KIAS         KIAS
	History      History
	RenderPolicy RenderPolicy
}

// Defaults of Config.
const (
	DefaultPartnerTimeout  = 10 * time.Second
	DefaultInitialCodeTTL  = 30 * 24 * time.Hour
	DefaultReminderHour    = 10
	DefaultInstallmentLead = 3
	DefaultProlongationAt  = 30
	DefaultPollInterval    = 30 * time.Second
	DefaultBatchSize       = 20
	DefaultLease           = 5 * time.Minute
	DefaultMaxAttempts     = 10
	DefaultRetryBackoff    = time.Minute
)

// DefaultExpiryReminders are the days before a policy's last day on which
// the client is reminded that it ends.
var DefaultExpiryReminders = []int{30, 7, 1}

// Config tunes the reactions and the scheduler. Only CodeKey is required;
// zero values of the others mean the defaults above.
type Config struct {
	// CodeKey (at least 32 bytes) keys the access code sent to a client
	// registered after a purchase. The code is derived from the event that
	// caused the registration, so that a reaction run again after a crash
	// sends the very code it stored the first time instead of one that no
	// longer matches. Keep it secret and apart from other keys; cmd draws it
	// from the server secret.
	CodeKey []byte
	// Now is the clock of the reactions and the scheduler; nil means time.Now.
	Now func() time.Time
	// Logger receives what the reactions did, never a message text, a code
	// or personal data; nil discards it.
	Logger *slog.Logger
	// PartnerTimeout bounds every call to KIAS, the SMS gateway and the mail server.
	PartnerTimeout time.Duration
	// InitialCodeTTL is how long the access code sent at registration stays valid.
	InitialCodeTTL time.Duration
	// ExpiryReminders are the days before the last day of cover on which the
	// client is reminded, each once; nil means DefaultExpiryReminders.
	ExpiryReminders []int
	// ProlongationAt is the reminder, in days before the end, that tells a
	// client with auto-prolongation on that the renewal draft is ready; it
	// is added to ExpiryReminders if missing.
	ProlongationAt int
	// InstallmentLead is how many days before an installment falls due the
	// client is reminded of it.
	InstallmentLead int
	// ReminderHour is the hour of the day, Asia/Almaty time, at which
	// reminders are due (0 to 23); 0 means DefaultReminderHour, so midnight
	// cannot be chosen.
	ReminderHour int
	// PollInterval is how often an idle scheduler looks for due reminders.
	PollInterval time.Duration
	// BatchSize is how many due reminders a scheduler claims at a time.
	BatchSize int
	// Lease is how long a claimed reminder is left to the scheduler that
	// claimed it before another may fire it; it must well exceed the time
	// one reminder takes to send.
	Lease time.Duration
	// MaxAttempts bounds how often a reminder is tried before it is set
	// aside as failed, with its last error, for an operator.
	MaxAttempts int
	// RetryBackoff is the wait after a reminder's first failure; it doubles
	// with each further one, up to a day.
	RetryBackoff time.Duration
}

func (c *Config) setDefaults() {
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if c.PartnerTimeout == 0 {
		c.PartnerTimeout = DefaultPartnerTimeout
	}
	if c.InitialCodeTTL == 0 {
		c.InitialCodeTTL = DefaultInitialCodeTTL
	}
	if c.ExpiryReminders == nil {
		c.ExpiryReminders = DefaultExpiryReminders
	}
	if c.ProlongationAt == 0 {
		c.ProlongationAt = DefaultProlongationAt
	}
	if c.InstallmentLead == 0 {
		c.InstallmentLead = DefaultInstallmentLead
	}
	if c.ReminderHour == 0 {
		c.ReminderHour = DefaultReminderHour
	}
	if c.PollInterval == 0 {
		c.PollInterval = DefaultPollInterval
	}
	if c.BatchSize == 0 {
		c.BatchSize = DefaultBatchSize
	}
	if c.Lease == 0 {
		c.Lease = DefaultLease
	}
	if c.MaxAttempts == 0 {
		c.MaxAttempts = DefaultMaxAttempts
	}
	if c.RetryBackoff == 0 {
		c.RetryBackoff = DefaultRetryBackoff
	}
}

// Validate reports every problem of the configuration at once; zero values
// that have a default are not problems.
func (c Config) Validate() error {
	c.setDefaults()
	var errs []error
	if len(c.CodeKey) < 32 {
		errs = append(errs, fmt.Errorf("reactions: code key must be at least 32 bytes, got %d", len(c.CodeKey)))
	}
	for name, d := range map[string]time.Duration{
		"partner timeout": c.PartnerTimeout, "initial code ttl": c.InitialCodeTTL, "poll interval": c.PollInterval,
		"lease": c.Lease, "retry backoff": c.RetryBackoff,
	} {
		if d < 0 {
			errs = append(errs, fmt.Errorf("reactions: %s must not be negative, got %s", name, d))
		}
	}
	for _, d := range c.ExpiryReminders {
		if d < 0 || d > 365 {
			errs = append(errs, fmt.Errorf("reactions: expiry reminder days must be 0 to 365, got %d", d))
		}
	}
	if c.ProlongationAt < 0 || c.ProlongationAt > 365 {
		errs = append(errs, fmt.Errorf("reactions: prolongation days must be 0 to 365, got %d", c.ProlongationAt))
	}
	if c.InstallmentLead < 0 || c.InstallmentLead > 60 {
		errs = append(errs, fmt.Errorf("reactions: installment lead must be 0 to 60 days, got %d", c.InstallmentLead))
	}
	if c.ReminderHour < 0 || c.ReminderHour > 23 {
		errs = append(errs, fmt.Errorf("reactions: reminder hour must be 0 to 23, got %d", c.ReminderHour))
	}
	if c.BatchSize < 0 || c.BatchSize > 1000 {
		errs = append(errs, fmt.Errorf("reactions: batch size must be 1 to 1000, got %d", c.BatchSize))
	}
	if c.MaxAttempts < 0 {
		errs = append(errs, fmt.Errorf("reactions: max attempts must not be negative, got %d", c.MaxAttempts))
	}
	if c.PartnerTimeout > 0 && c.Lease > 0 && c.Lease < 4*c.PartnerTimeout {
		errs = append(errs, fmt.Errorf("reactions: lease %s must be at least four partner timeouts (%s)", c.Lease, 4*c.PartnerTimeout))
	}
	return errors.Join(errs...)
}

// Format keeps the code key out of every fmt verb.
func (c Config) Format(f fmt.State, _ rune) {
	fmt.Fprintf(f, "reactions.Config{CodeKey: [%d bytes redacted], ExpiryReminders: %v, ProlongationAt: %d, InstallmentLead: %d, ReminderHour: %d}",
		len(c.CodeKey), c.ExpiryReminders, c.ProlongationAt, c.InstallmentLead, c.ReminderHour)
}

// Set is kabinet's automatic processes, wired: the reactions to events
// (All) and the reminders the clock drives (Scheduler).
//
// # Effects happen once
//
// The bus delivers an event at least once, and a reminder may be fired
// again after a crash, so every effect is keyed by its cause:
//   - commands get IDs derived from the event ID and the reaction's name,
//     so a repeat writes nothing (commands package, Idempotency); those of
//     a history import take theirs from KIAS's changes instead, as the feed
//     does (kias.FeedPoller.Import);
//   - a notice's ID is derived from the event ID (commands.NoticeIDFor) or
//     the reminder's key, so the inbox records it once;
//   - an SMS carries the idempotency key "<reaction>:<event ID>" (or the
//     reminder's key), and an e-mail the same key;
//   - each message sent is noted in reaction_deliveries once the gateway
//     accepted it, and not sent again. Between the gateway's answer and that
//     note a crash can happen; the message is then sent again with the same
//     key, which the gateway recognises.
//
// A notice goes out by the channels the client chose for its kind
// (client.Settings.Channels) and always lands in the inbox, recorded with
// the channels that were actually used. A client without a cabinet, or
// erased, is told nothing.
//
// Errors never carry a message text, an access code or personal data, and
// neither do log lines; they name events, policies and claims by ID.
type Set struct {
	d      Deps
	cfg    Config
	almaty *time.Location
	log    *slog.Logger
}

// Format keeps the code key out of every fmt verb.
func (s *Set) Format(f fmt.State, verb rune) {
	fmt.Fprint(f, "reactions.Set{")
	s.cfg.Format(f, verb)
	fmt.Fprint(f, "}")
}

// New checks deps and cfg and wires the reactions.
func New(deps Deps, cfg Config) (*Set, error) {
	var errs []error
	for name, missing := range map[string]bool{
		"Clients": deps.Clients == nil, "Policies": deps.Policies == nil, "Claims": deps.Claims == nil,
		"Bonuses": deps.Bonuses == nil, "Notices": deps.Notices == nil, "Codes": deps.Codes == nil,
		"DB": deps.DB == nil, "SMS": deps.SMS == nil, "Mailer": deps.Mailer == nil, "KIAS": deps.KIAS == nil,
		"History": deps.History == nil, "RenderPolicy": deps.RenderPolicy == nil,
	} {
		if missing {
			errs = append(errs, fmt.Errorf("reactions: Deps.%s is required", name))
		}
	}
	if err := cfg.Validate(); err != nil {
		errs = append(errs, err)
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	cfg.setDefaults()
	cfg.CodeKey = slices.Clone(cfg.CodeKey)
	cfg.ExpiryReminders = slices.Clone(cfg.ExpiryReminders)
	if !slices.Contains(cfg.ExpiryReminders, cfg.ProlongationAt) {
		cfg.ExpiryReminders = append(cfg.ExpiryReminders, cfg.ProlongationAt)
	}
	slices.Sort(cfg.ExpiryReminders)
	cfg.ExpiryReminders = slices.Compact(cfg.ExpiryReminders)
	loc, err := time.LoadLocation("Asia/Almaty")
	if err != nil {
		return nil, fmt.Errorf("reactions: load zone Asia/Almaty: %w", err)
	}
	return &Set{d: deps, cfg: cfg, almaty: loc, log: cfg.Logger}, nil
}

// Names of the reactions; they are stable, as the bus keys deduplication
// and the poison queue by them.
const (
	NameRegisterClientOnPolicyIssued    = "RegisterClientOnPolicyIssued"
	NameAccrueBonusOnPaymentReceived    = "AccrueBonusOnPaymentReceived"
	NameReverseBonusOnPaymentRefunded   = "ReverseBonusOnPaymentRefunded"
	NameScheduleRemindersOnPolicyIssued = "ScheduleRemindersOnPolicyIssued"
	NameNotifyOnClaimStatusChanged      = "NotifyOnClaimStatusChanged"
	NameNotifyOnClaimDocumentsRequested = "NotifyOnClaimDocumentsRequested"
	NameImportHistoryOnClientRegistered = "ImportHistoryOnClientRegistered"
)

// All returns every reaction, in a fixed order.
func (s *Set) All() []Reaction {
	return []Reaction{
		s.registerClientOnPolicyIssued(),
		s.accrueBonusOnPaymentReceived(),
		s.reverseBonusOnPaymentRefunded(),
		s.scheduleRemindersOnPolicyIssued(),
		s.notifyOnClaimStatusChanged(),
		s.notifyOnClaimDocumentsRequested(),
		s.importHistoryOnClientRegistered(),
	}
}

func (s *Set) now() time.Time { return s.cfg.Now() }
