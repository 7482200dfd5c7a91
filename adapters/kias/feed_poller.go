package kias

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/kabinet/kabinet/domain/kz"
	"github.com/kabinet/kabinet/internal/sqldb"
	"github.com/kabinet/kabinet/internal/text"
)

// FeedSource is where FeedPoller reads KIAS's changes: Client, or the
// Simulator itself in the embedded default. Both methods honour ctx and
// return changes oldest first: Changes those of the feed after the cursor,
// History those of one client (see Client.History).
type FeedSource interface {
	Changes(ctx context.Context, after string, limit int) (FeedPage, error)
	History(ctx context.Context, iin kz.IIN) ([]Change, error)
}

// FeedConfig tunes a FeedPoller; the zero value is usable.
type FeedConfig struct {
	// Name is the feed's row in kias_feed_cursor; "kias" when empty. Two
	// pollers with one name share the cursor (and take turns).
	Name string
	// Interval is the pause between polls once the feed is drained, and
	// after a failed poll; 0 means 5 s.
	Interval time.Duration
	// BatchSize is how many changes one poll reads; 0 means 100.
	BatchSize int
	// ReadTimeout bounds one read of the feed or of a client's history; 0
	// means 30 s.
	ReadTimeout time.Duration
	// Now is kabinet's clock, against which claims KIAS dates a moment
	// ahead are brought back; nil means time.Now.
	Now    func() time.Time
	Logger *slog.Logger
}

func (c *FeedConfig) setDefaults() {
	if c.Name == "" {
		c.Name = "kias"
	}
	if c.Interval == 0 {
		c.Interval = 5 * time.Second
	}
	if c.BatchSize == 0 {
		c.BatchSize = DefaultFeedLimit
	}
	if c.ReadTimeout == 0 {
		c.ReadTimeout = 30 * time.Second
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
}

// Validate reports every problem of the configuration at once.
func (c FeedConfig) Validate() error {
	var errs []error
	if c.Interval < 0 || c.ReadTimeout < 0 {
		errs = append(errs, errors.New("durations must not be negative"))
	}
	if c.BatchSize < 0 || c.BatchSize > MaxFeedLimit {
		errs = append(errs, fmt.Errorf("BatchSize must be 0 to %d", MaxFeedLimit))
	}
	return errors.Join(errs...)
}

// FeedPoller turns KIAS's feed into kabinet's commands: policies issued,
// paid or cancelled and claims reported or moved at KIAS's desk.
//
// Idempotency: a change's command ID is derived from the change's ID
// (commandID), so a change applied twice writes once; a refusal that means
// "already so" (the policy exists, the payment is recorded) counts as done.
// The cursor is stored in kias_feed_cursor and moves past a change only after
// its command succeeded, so after a crash the poller resumes where it stopped,
// and if the cursor is lost it replays the feed without writing anything twice.
//
// Refusals: a change kabinet refuses for good (ErrInvalidChange, or a domain
// refusal such as a payment on a policy it does not have) is logged and
// recorded in kias_feed_rejects with the reason and skipped, so one bad
// change does not stop the feed. Text kabinet cannot store (a NUL character
// or invalid UTF-8 anywhere in the change, which would stop a read model) is
// such a refusal, named by its field; a cursor that cannot be stored is not,
// as the cursor must be given back to KIAS as it came: it stops the poll as
// a missing cursor does. Any other error stops the poll at that change; the
// next poll tries it again.
//
// Concurrency: a poll holds a session lock for its feed's name (a PostgreSQL
// advisory lock; in-process on SQLite, whose file one process owns), so
// instances sharing a database take turns; a poll that finds the lock taken
// does nothing. The lock is not a transaction: commands commit one by one and
// no transaction stays open across the batch.
//
// Import applies one client's history with the same commands; it takes no
// lock and leaves the cursor alone, as the command IDs alone keep it and a
// poll running at the same time from writing anything twice.
type FeedPoller struct {
	db     sqldb.DB
	source FeedSource
	cmds   FeedCommands
	cfg    FeedConfig
}

// NewFeedPoller checks its arguments and returns a poller.
func NewFeedPoller(db sqldb.DB, source FeedSource, cmds FeedCommands, cfg FeedConfig) (*FeedPoller, error) {
	var errs []error
	if db == nil {
		errs = append(errs, errors.New("kias feed: a database is required"))
	}
	if source == nil {
		errs = append(errs, errors.New("kias feed: a source is required"))
	}
	if cmds.Clients == nil || cmds.Policies == nil || cmds.Claims == nil {
		errs = append(errs, errors.New("kias feed: FeedCommands needs Clients, Policies and Claims"))
	}
	if err := cfg.Validate(); err != nil {
		errs = append(errs, fmt.Errorf("kias feed: %w", err))
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	cfg.setDefaults()
	return &FeedPoller{db: db, source: source, cmds: cmds, cfg: cfg}, nil
}

// Run polls until ctx ends, at once again while pages come back full, every
// Interval otherwise. A failed poll is logged and tried again after
// Interval. It returns nil when ctx ends.
func (p *FeedPoller) Run(ctx context.Context) error {
	log := p.cfg.Logger.With("feed", p.cfg.Name)
	for ctx.Err() == nil {
		n, err := p.PollOnce(ctx)
		if err != nil && ctx.Err() == nil {
			log.WarnContext(ctx, "kias feed poll", "error", err)
		}
		if err == nil && n >= p.cfg.BatchSize {
			continue
		}
		wait(ctx, p.cfg.Interval)
	}
	return nil
}

// PollOnce reads one page of changes after the stored cursor and applies it,
// and returns how many changes it took in (applied, found done, or rejected).
// It returns at the first change that fails for a passing reason, with the
// cursor just before it. When another instance is polling the same feed it
// does nothing.
func (p *FeedPoller) PollOnce(ctx context.Context) (int, error) {
	unlock, locked, err := p.db.TryLock(ctx, lockFeed, p.cfg.Name)
	if err != nil {
		return 0, fmt.Errorf("kias feed %s: take the lock: %w", p.cfg.Name, err)
	}
	if !locked {
		return 0, nil
	}
	defer unlock()
	return p.poll(ctx)
}

// lockFeed is the first key of the feed's session advisory lock (7310 is
// the event store's, 7311 and 7313 the projections', 7320 and 7321 the bus's).
const lockFeed = 7322

func (p *FeedPoller) poll(ctx context.Context) (int, error) {
	cursor, err := cursorOf(ctx, p.db, p.cfg.Name)
	if err != nil {
		return 0, err
	}
	rctx, cancel := context.WithTimeout(ctx, p.cfg.ReadTimeout)
	page, err := p.source.Changes(rctx, cursor, p.cfg.BatchSize)
	cancel()
	if err != nil {
		return 0, fmt.Errorf("kias feed %s: read after %q: %w", p.cfg.Name, cursor, err)
	}
	log := p.cfg.Logger.With("feed", p.cfg.Name)
	for i, c := range page.Changes {
		// A cursor is the feed's own, given back as it came: one that cannot
		// be stored breaks the feed, not one change, as a missing one does.
		if c.Cursor == "" || !text.Storable(c.Cursor) {
			return i, fmt.Errorf("kias feed %s: change %q has no cursor kabinet can store", p.cfg.Name, text.Replace(c.ID))
		}
		err := p.apply(feedMetadata(ctx, c), c)
		switch {
		case err == nil:
			err = p.advance(ctx, c.Cursor)
		case refused(err):
			logReject(ctx, log, "kias feed change rejected", c, err)
			err = p.reject(ctx, c, err)
		default:
			return i, fmt.Errorf("kias feed %s: change %s (%s): %w", p.cfg.Name, c.ID, c.Kind, err)
		}
		if err != nil {
			return i, err
		}
		cursor = c.Cursor
	}
	if !text.Storable(page.Next) {
		return len(page.Changes), fmt.Errorf("kias feed %s: the page's next cursor cannot be stored", p.cfg.Name)
	}
	if page.Next != "" && page.Next != cursor {
		if err := p.advance(ctx, page.Next); err != nil {
			return len(page.Changes), err
		}
	}
	return len(page.Changes), nil
}

func cursorOf(ctx context.Context, q sqldb.Querier, name string) (string, error) {
	var cursor string
	err := q.QueryRow(ctx, `SELECT cursor FROM kias_feed_cursor WHERE name = $1`, name).Scan(&cursor)
	if sqldb.IsNoRows(err) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("kias feed %s: read the cursor: %w", name, err)
	}
	return cursor, nil
}

const saveCursor = `INSERT INTO kias_feed_cursor (name, cursor, updated_at) VALUES ($1, $2, now())
	ON CONFLICT (name) DO UPDATE SET cursor = excluded.cursor, updated_at = excluded.updated_at`

func (p *FeedPoller) advance(ctx context.Context, cursor string) error {
	if _, err := p.db.Exec(ctx, saveCursor, p.cfg.Name, cursor); err != nil {
		return fmt.Errorf("kias feed %s: save the cursor: %w", p.cfg.Name, err)
	}
	return nil
}

// reject records a refused change and moves the cursor past it, together.
func (p *FeedPoller) reject(ctx context.Context, c Change, reason error) error {
	err := p.db.InTx(ctx, func(tx sqldb.Tx) error {
		if err := p.recordReject(ctx, tx, c, reason); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, saveCursor, p.cfg.Name, c.Cursor)
		return err
	})
	if err != nil {
		return fmt.Errorf("kias feed %s: record the rejected change %s: %w", p.cfg.Name, text.Replace(c.ID), err)
	}
	return nil
}

// recordReject notes a refused change in kias_feed_rejects once: the same
// change refused again, by the feed or by an import, keeps its first row.
// Its text is made storable first: PostgreSQL refuses a NUL and invalid
// UTF-8, and a refused insert would stop the feed at this change.
func (p *FeedPoller) recordReject(ctx context.Context, db sqldb.Querier, c Change, reason error) error {
	msg := text.Clip(text.Replace(reason.Error()), 1000)
	_, err := db.Exec(ctx, `INSERT INTO kias_feed_rejects (name, change_id, cursor, kind, reason)
		VALUES ($1, $2, $3, $4, $5) ON CONFLICT (name, change_id) DO NOTHING`,
		p.cfg.Name, rejectKey(c), text.Replace(c.Cursor), text.Replace(string(c.Kind)), msg)
	return err
}

func rejectKey(c Change) string {
	if c.ID != "" {
		return text.Replace(c.ID)
	}
	return "cursor:" + text.Replace(c.Cursor)
}

// logReject logs a refused change by its ID and kind, made readable, and
// the reason, which names fields and never values.
func logReject(ctx context.Context, log *slog.Logger, msg string, c Change, reason error) {
	log.WarnContext(ctx, msg, "change_id", text.Replace(c.ID), "kind", text.Replace(string(c.Kind)), "reason", text.Replace(reason.Error()))
}

// Cursor returns the feed's stored cursor, "" before the first change.
func (p *FeedPoller) Cursor(ctx context.Context) (string, error) {
	return cursorOf(ctx, p.db, p.cfg.Name)
}

// FeedReject is a change the poller refused and skipped.
type FeedReject struct {
	ChangeID   string
	Cursor     string
	Kind       ChangeKind
	Reason     string
	RejectedAt time.Time
}

// Rejects lists the feed's rejected changes, oldest first.
func (p *FeedPoller) Rejects(ctx context.Context) ([]FeedReject, error) {
	rows, err := p.db.Query(ctx, `SELECT change_id, cursor, kind, reason, rejected_at FROM kias_feed_rejects
		WHERE name = $1 ORDER BY rejected_at, change_id`, p.cfg.Name)
	if err != nil {
		return nil, fmt.Errorf("kias feed %s: list rejects: %w", p.cfg.Name, err)
	}
	out, err := sqldb.CollectRows(rows, func(r sqldb.Row) (FeedReject, error) {
		var x FeedReject
		err := r.Scan(&x.ChangeID, &x.Cursor, &x.Kind, &x.Reason, &x.RejectedAt)
		return x, err
	})
	if err != nil {
		return nil, fmt.Errorf("kias feed %s: list rejects: %w", p.cfg.Name, err)
	}
	return out, nil
}

func wait(ctx context.Context, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
	case <-t.C:
	}
}
