package reactions_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/kabinet/kabinet/adapters/cabinet/cabinettest"
	"github.com/kabinet/kabinet/adapters/kias"
	"github.com/kabinet/kabinet/adapters/pdf"
	"github.com/kabinet/kabinet/adapters/reactions"
	"github.com/kabinet/kabinet/domain/client"
	"github.com/kabinet/kabinet/domain/kz"
	"github.com/kabinet/kabinet/domain/notice"
	"github.com/kabinet/kabinet/domain/policy"
	"github.com/kabinet/kabinet/eventstore"
)

var almaty = func() *time.Location {
	l, err := time.LoadLocation("Asia/Almaty")
	if err != nil {
		panic(err)
	}
	return l
}()

// harness is a cabinet on a fresh database with the reactions wired to
// recording fakes and a clock the test sets.
type harness struct {
	k     *cabinettest.Kit
	set   *reactions.Set
	sms   *fakeSMS
	mail  *fakeMailer
	clock *clock
	deps  reactions.Deps
	cfg   reactions.Config
	today policy.Date // the day the clock starts on, in Asia/Almaty
}

// backend is the database a harness runs on.
type backend struct{ sqlite bool }

var (
	onPostgres = backend{}
	onSQLite   = backend{sqlite: true}
)

// eachBackend runs fn as a subtest on PostgreSQL and on SQLite.
func eachBackend(t *testing.T, fn func(t *testing.T, db backend)) {
	t.Run("postgres", func(t *testing.T) { fn(t, onPostgres) })
	t.Run("sqlite", func(t *testing.T) { fn(t, onSQLite) })
}

func newHarness(t *testing.T, db backend, tune ...func(*reactions.Config)) *harness {
	t.Helper()
	k := cabinettest.New(t, cabinettest.Options{SQLite: db.sqlite})
	today := policy.DateOf(k.Now().In(almaty))
	h := &harness{
		k: k, sms: &fakeSMS{}, mail: &fakeMailer{}, today: today,
		clock: &clock{t: time.Date(today.Year, today.Month, today.Day, 9, 0, 0, 0, almaty)},
	}
	// The history comes from the kit's KIAS simulator, as in the embedded default.
	history, err := kias.NewFeedPoller(k.DB, k.KIAS, kias.FeedCommands{
		Clients: k.Deps.Clients, Policies: k.Deps.Policies, Claims: k.Deps.Claims,
	}, kias.FeedConfig{Now: k.Now})
	require.NoError(t, err)
	h.deps = reactions.Deps{
		Clients: k.Deps.Clients, Policies: k.Deps.Policies, Claims: k.Deps.Claims, Bonuses: k.Deps.Bonuses,
		Notices: k.Deps.Notices, Codes: k.Deps.Codes, DB: k.DB,
		SMS: h.sms, Mailer: h.mail, KIAS: k.KIAS, History: history, RenderPolicy: pdf.Policy,
	}
	h.cfg = reactions.Config{CodeKey: bytes.Repeat([]byte{9}, 32), Now: h.clock.Now, PollInterval: 20 * time.Millisecond}
	for _, f := range tune {
		f(&h.cfg)
	}
	h.set, err = reactions.New(h.deps, h.cfg)
	require.NoError(t, err)
	return h
}

// at sets the clock to hour:00 on the day today+offset, Asia/Almaty.
func (h *harness) at(offset, hour, minute int) time.Time {
	d := h.today.AddDays(offset)
	now := time.Date(d.Year, d.Month, d.Day, hour, minute, 0, 0, almaty)
	h.clock.set(now)
	return now
}

// reaction returns the reaction with this name.
func (h *harness) reaction(t *testing.T, name string) reactions.Reaction {
	t.Helper()
	for _, r := range h.set.All() {
		if r.Name == name {
			return r
		}
	}
	t.Fatalf("no reaction %s", name)
	return reactions.Reaction{}
}

// handle delivers e to the reaction as the bus would.
func (h *harness) handle(t *testing.T, name string, e eventstore.RecordedEvent) error {
	t.Helper()
	r := h.reaction(t, name)
	require.Contains(t, r.Types, e.Type, "the bus would not give %s to %s", e.Type, name)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	return r.Handle(ctx, e)
}

// event returns the last event of type typ in stream.
func (h *harness) event(t *testing.T, stream, typ string) eventstore.RecordedEvent {
	t.Helper()
	events, err := h.k.Store.Load(context.Background(), stream, 1)
	require.NoError(t, err)
	for i := len(events) - 1; i >= 0; i-- {
		if events[i].Type == typ {
			return events[i]
		}
	}
	t.Fatalf("no %s in %s", typ, stream)
	return eventstore.RecordedEvent{}
}

func (h *harness) policyEvent(t *testing.T, policyID uuid.UUID, typ string) eventstore.RecordedEvent {
	t.Helper()
	return h.event(t, eventstore.StreamName(policy.Aggregate, policyID), typ)
}

// notices returns the notices recorded in the client's inbox, oldest first.
func (h *harness) notices(t *testing.T, clientID uuid.UUID) []notice.Recorded {
	t.Helper()
	events, err := h.k.Store.Load(context.Background(), eventstore.StreamName(notice.Aggregate, clientID), 1)
	if errors.Is(err, eventstore.ErrStreamNotFound) {
		return nil
	}
	require.NoError(t, err)
	var out []notice.Recorded
	for _, e := range events {
		ev, err := notice.DecodeEvent(e.Type, e.SchemaVersion, e.Data)
		require.NoError(t, err)
		if r, ok := ev.(notice.Recorded); ok {
			out = append(out, r)
		}
	}
	return out
}

// settings replaces the client's settings and waits for the read models.
func (h *harness) settings(t *testing.T, clientID uuid.UUID, s client.Settings) {
	t.Helper()
	res, err := h.k.Deps.Clients.ChangeSettings(context.Background(), uuid.New(), clientID, s)
	h.k.Done(t, res, err)
	h.k.Settle(t)
}

// settleLog waits until the read models show every event committed so far.
func (h *harness) settleLog(t *testing.T) { h.k.SettleLog(t) }

// tick runs one scheduler pass and returns how many reminders it claimed.
func (h *harness) tick(t *testing.T) int {
	t.Helper()
	n, err := h.set.Scheduler().Tick(context.Background())
	require.NoError(t, err)
	return n
}

// reminderRow is a row of scheduled_reminders as a test looks at it.
type reminderRow struct {
	Key      string
	DueAt    time.Time
	Attempts int
	Fired    bool
	Outcome  string
	Reason   string
	Error    string
}

func (h *harness) reminders(t *testing.T, policyID uuid.UUID) map[string]reminderRow {
	t.Helper()
	rows, err := h.k.DB.Query(context.Background(), `SELECT key, due_at, attempts, fired_at IS NOT NULL,
		coalesce(outcome, ''), coalesce(reason, ''), coalesce(last_error, '')
		FROM scheduled_reminders WHERE policy_id = $1`, policyID)
	require.NoError(t, err)
	defer rows.Close()
	out := map[string]reminderRow{}
	for rows.Next() {
		var r reminderRow
		require.NoError(t, rows.Scan(&r.Key, &r.DueAt, &r.Attempts, &r.Fired, &r.Outcome, &r.Reason, &r.Error))
		out[r.Key] = r
	}
	require.NoError(t, rows.Err())
	return out
}

// clock is a settable clock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = t
}

func (c *clock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// sentSMS is one call of fakeSMS.Send.
type sentSMS struct {
	Phone kz.Phone
	Text  string
	Key   string
}

// fakeSMS records every Send, repeats included, so that a test sees a
// second send that a real gateway would have swallowed.
type fakeSMS struct {
	mu    sync.Mutex
	sent  []sentSMS
	delay time.Duration
	// failOnce, when set, fails the next call; failAccepted says whether the
	// gateway took the message before the answer was lost.
	failOnce     error
	failAccepted bool
}

var _ reactions.SMS = (*fakeSMS)(nil)

func (f *fakeSMS) Send(ctx context.Context, phone kz.Phone, text, key string) (string, error) {
	if f.delay > 0 {
		time.Sleep(f.delay)
		if err := ctx.Err(); err != nil {
			return "", err // the caller gave up while the gateway was slow
		}
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.failOnce; err != nil {
		f.failOnce = nil
		if f.failAccepted {
			f.sent = append(f.sent, sentSMS{Phone: phone, Text: text, Key: key})
		}
		return "", err
	}
	f.sent = append(f.sent, sentSMS{Phone: phone, Text: text, Key: key})
	return fmt.Sprintf("SMS-%d", len(f.sent)), nil
}

// failNext makes the next Send fail; accepted says whether the message
// went out all the same.
func (f *fakeSMS) failNext(err error, accepted bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.failOnce, f.failAccepted = err, accepted
}

func (f *fakeSMS) to(phone kz.Phone) []sentSMS {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []sentSMS
	for _, m := range f.sent {
		if m.Phone == phone {
			out = append(out, m)
		}
	}
	return out
}

func (f *fakeSMS) all() []sentSMS {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.sent)
}

// fakeMailer records every Send.
type fakeMailer struct {
	mu   sync.Mutex
	sent []reactions.MailMessage
	fail error // returned once, then cleared
}

var _ reactions.Mailer = (*fakeMailer)(nil)

func (f *fakeMailer) Send(ctx context.Context, m reactions.MailMessage) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.fail; err != nil {
		f.fail = nil
		return err
	}
	f.sent = append(f.sent, m)
	return nil
}

func (f *fakeMailer) to(addr string) []reactions.MailMessage {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []reactions.MailMessage
	for _, m := range f.sent {
		if m.To == addr {
			out = append(out, m)
		}
	}
	return out
}
