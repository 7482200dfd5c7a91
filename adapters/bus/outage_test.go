package bus_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kabinet/kabinet/adapters/bus"
	"github.com/kabinet/kabinet/adapters/reactions"
	"github.com/kabinet/kabinet/eventstore"
	"github.com/kabinet/kabinet/internal/dbtest"
	"github.com/kabinet/kabinet/internal/partnerhttp"
)

// script answers a reaction's calls event by event: plan[id] gives the
// answer to the try-th call (from 1); an event without a plan succeeds.
type script struct {
	mu    sync.Mutex
	tries map[uuid.UUID]int
	plan  map[uuid.UUID]func(ctx context.Context, try int) error
}

func newScript() *script {
	return &script{tries: map[uuid.UUID]int{}, plan: map[uuid.UUID]func(context.Context, int) error{}}
}

func (s *script) call(ctx context.Context, e eventstore.RecordedEvent) error {
	s.mu.Lock()
	s.tries[e.ID]++
	n, answer := s.tries[e.ID], s.plan[e.ID]
	s.mu.Unlock()
	if answer == nil {
		return nil
	}
	return answer(ctx, n)
}

func (s *script) triesOf(id uuid.UUID) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.tries[id]
}

// outages are the errors of real calls made while what they call is out of
// reach: a database nobody listens for, and a partner that does not answer
// within the attempt's timeout.
func outages(t *testing.T) []error {
	t.Helper()
	ctx := context.Background()
	_, db := pgx.Connect(ctx, "postgres://kabinet@127.0.0.1:1/kabinet?connect_timeout=5")
	require.Error(t, db)
	hanging := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { <-r.Context().Done() }))
	t.Cleanup(hanging.Close)
	c, err := partnerhttp.New(partnerhttp.Config{Partner: "sms", BaseURL: hanging.URL, AttemptTimeout: 20 * time.Millisecond, MaxAttempts: 1})
	require.NoError(t, err)
	partner := c.Do(ctx, partnerhttp.Request{Method: http.MethodPost, Path: "/send"}, nil)
	require.ErrorIs(t, partner, partnerhttp.ErrTimeout)
	out := []error{db, partner}
	for _, err := range out {
		require.True(t, reactions.Unavailable(err), "%v", err)
	}
	return out
}

var errRefused = errors.New("sms gateway refused the message: invalid phone")

// outageCase is one bus under a database and partner outage: hit fails
// with an outage while down is set; mixed meets six outages and then fails
// for good; broken fails for good; stuck outlives HandlerTimeout waiting on
// a call that times out with it; fine always succeeds.
type outageCase struct {
	rec                             *recorder
	calls                           *script
	down                            atomic.Bool
	hit, mixed, broken, stuck, fine eventstore.Event
}

func newOutageCase(t *testing.T, s eventstore.Store) (*outageCase, []reactions.Reaction) {
	t.Helper()
	o := &outageCase{rec: newRecorder(), calls: newScript()}
	o.down.Store(true)
	errs := outages(t)
	events := appendEvents(t, s, newStream(), 5)
	o.hit, o.mixed, o.broken, o.stuck, o.fine = events[0], events[1], events[2], events[3], events[4]
	o.calls.plan[o.hit.ID] = func(_ context.Context, n int) error {
		if o.down.Load() {
			return errs[n%len(errs)]
		}
		return nil
	}
	o.calls.plan[o.mixed.ID] = func(_ context.Context, n int) error {
		if n <= 6 {
			return errs[n%len(errs)]
		}
		return errRefused
	}
	o.calls.plan[o.broken.ID] = func(context.Context, int) error { return errRefused }
	o.calls.plan[o.stuck.ID] = func(ctx context.Context, _ int) error {
		<-ctx.Done() // a partner call bounded by the attempt's own time
		return ctx.Err()
	}
	return o, []reactions.Reaction{o.rec.reaction("SendSMSOnHappened", "a", o.calls.call)}
}

func outageConfig(t *testing.T, name string) (bus.Config, func() string) {
	cfg, logs := testConfigWithLogs(t, name)
	cfg.MaxOutageInterval = 40 * time.Millisecond
	cfg.HandlerTimeout = 100 * time.Millisecond // on NATS the failures of one delivery must fit in AckWait
	return cfg, logs
}

// waitOutOfRetries waits until hit has been tried three times as often as
// any other failure would be before it is poisoned, and also, when given,
// for more; or until something is poisoned, which fails the test.
func (o *outageCase) waitOutOfRetries(t *testing.T, in instance, cfg bus.Config, more func() bool) {
	t.Helper()
	var failures []bus.Failure
	require.Eventually(t, func() bool {
		var err error
		if failures, err = bus.Failed(context.Background(), in.db); err != nil || len(failures) > 0 {
			return true
		}
		return o.calls.triesOf(o.hit.ID) >= 3*(cfg.MaxRetries+1) && more()
	}, 30*time.Second, 5*time.Millisecond)
	require.Empty(t, failures, "an outage poisons nothing")
}

// after lifts the outage and checks the outcome: hit and fine done once,
// mixed, broken and stuck poisoned after MaxRetries failures of their own.
func (o *outageCase) after(t *testing.T, in instance, cfg bus.Config) {
	t.Helper()
	ctx := context.Background()
	o.down.Store(false)
	o.rec.waitFor(t, 2, 30*time.Second)
	var failures []bus.Failure
	require.Eventually(t, func() bool {
		var err error
		failures, err = bus.Failed(ctx, in.db)
		return err == nil && len(failures) == 3
	}, 30*time.Second, 10*time.Millisecond)
	o.rec.onceEach(t, []eventstore.Event{o.hit, o.fine})
	byEvent := map[uuid.UUID]bus.Failure{}
	for _, f := range failures {
		byEvent[f.EventID] = f
	}
	poisonAfter := cfg.MaxRetries + 1
	assert.Equal(t, 6+poisonAfter, byEvent[o.mixed.ID].Attempts, "the outage's tries did not count towards poisoning")
	assert.Equal(t, errRefused.Error(), byEvent[o.mixed.ID].Reason)
	assert.Equal(t, poisonAfter, byEvent[o.broken.ID].Attempts, "a real failure is still poisoned")
	assert.Equal(t, errRefused.Error(), byEvent[o.broken.ID].Reason)
	assert.Equal(t, poisonAfter, byEvent[o.stuck.ID].Attempts, "a reaction that runs out of its own time fails")
	assert.Contains(t, byEvent[o.stuck.ID].Reason, "reaction ran out of time")
}

// Regression (kabinet issue 10): during a database outage a reaction's
// retries, about 3 s in all, ran out and the event landed in the poison
// queue. An outage now keeps the event unacknowledged and tried until it
// passes; only real failures are poisoned.
func TestGoChannelRetriesAnOutageUntilItPassesAndPoisonsOnlyFailures(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, backend dbtest.Backend) {
		in := onBackend(backend)
		o, rs := newOutageCase(t, in.store)
		cfg, logs := outageConfig(t, "a")
		start(t, in, rs, cfg)

		o.waitOutOfRetries(t, in, cfg, func() bool { return true })
		assert.Zero(t, o.rec.count(), "nothing was carried out: the reaction's later events wait behind the first")
		cp, err := bus.Checkpoint(context.Background(), in.db, "bus")
		require.NoError(t, err)
		assert.Equal(t, eventstore.Position{}, cp, "the event was not acked: the relay waits for it")
		assert.Contains(t, logs(), "reaction met an outage; retrying until it passes")

		o.after(t, in, cfg)
	})
}

func TestNATSRetriesAnOutageAcrossDeliveriesAndPoisonsOnlyFailures(t *testing.T) {
	t.Parallel()
	ns := natsServer(t, 0, t.TempDir())
	in, _ := newDatabase(t)
	cfg, logs := outageConfig(t, "one")
	cfg.NATSURL = ns.ClientURL()
	o, rs := newOutageCase(t, in.store)
	start(t, in, rs, cfg)

	// The delivery ends when AckWait passes; the event comes again and
	// the tries go on.
	o.waitOutOfRetries(t, in, cfg, func() bool { return strings.Contains(logs(), "the ack wait passed") })
	assert.Zero(t, o.rec.count())

	o.after(t, in, cfg)
}

// TestNATSPoisonsAFailureWhoseRetriesOutlastTheAckWait: the failures of a
// reaction add up across deliveries, so that one whose retries take longer
// than JetStream's ack wait still reaches the poison queue.
func TestNATSPoisonsAFailureWhoseRetriesOutlastTheAckWait(t *testing.T) {
	t.Parallel()
	ns := natsServer(t, 0, t.TempDir())
	in, _ := newDatabase(t)
	cfg, logs := testConfigWithLogs(t, "one")
	cfg.NATSURL = ns.ClientURL()
	cfg.AckWait = 700 * time.Millisecond
	cfg.MaxRetries = 5
	slow := func(ctx context.Context, _ eventstore.RecordedEvent) error {
		time.Sleep(250 * time.Millisecond)
		return errors.New("the reaction's own failure")
	}
	rec := newRecorder()
	start(t, in, []reactions.Reaction{rec.reaction("FailSlowly", "one", slow)}, cfg)
	ev := appendEvents(t, in.store, newStream(), 1)[0]

	require.Eventually(t, func() bool {
		failures, err := bus.Failed(context.Background(), in.db)
		require.NoError(t, err)
		return len(failures) == 1 && failures[0].EventID == ev.ID
	}, 60*time.Second, 100*time.Millisecond, "never poisoned; logs:\n%s", logs())
	assert.Contains(t, logs(), "the ack wait passed", "the retries did outlast one delivery")
	rec.mu.Lock()
	defer rec.mu.Unlock()
	assert.GreaterOrEqual(t, rec.started[ev.ID], cfg.MaxRetries+1)
}
