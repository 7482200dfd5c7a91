package partnerhttp_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kabinet/kabinet/internal/partnerhttp"
)

// secret is what a partner's answer might hold; it must never reach an error.
const secret = "900115300123 Сарсенова"

type attempt struct {
	method, path, key, body string
}

// gateway is an httptest partner that answers with the scripted handlers in
// turn (the last one again once the script runs out) and records each
// request it got.
type gateway struct {
	srv    *httptest.Server
	mu     sync.Mutex
	seen   []attempt
	script []http.HandlerFunc
}

func newGateway(t *testing.T, script ...http.HandlerFunc) *gateway {
	t.Helper()
	g := &gateway{script: script}
	g.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		g.mu.Lock()
		n := len(g.seen)
		g.seen = append(g.seen, attempt{r.Method, r.URL.Path, r.Header.Get("Idempotency-Key"), string(b)})
		h := g.script[min(n, len(g.script)-1)]
		g.mu.Unlock()
		h(w, r)
	}))
	t.Cleanup(g.srv.Close)
	return g
}

func (g *gateway) attempts() []attempt {
	g.mu.Lock()
	defer g.mu.Unlock()
	return append([]attempt(nil), g.seen...)
}

func status(code int, header ...string) http.HandlerFunc {
	return func(w http.ResponseWriter, _ *http.Request) {
		for i := 0; i+1 < len(header); i += 2 {
			w.Header().Set(header[i], header[i+1])
		}
		w.WriteHeader(code)
		_, _ = io.WriteString(w, `{"error":"`+secret+`"}`)
	}
}

func ok(body string) http.HandlerFunc {
	return func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, body)
	}
}

// waits records the client's waits between attempts instead of spending them.
type waits struct {
	mu sync.Mutex
	d  []time.Duration
}

func (w *waits) sleep(ctx context.Context, d time.Duration) error {
	w.mu.Lock()
	w.d = append(w.d, d)
	w.mu.Unlock()
	return ctx.Err()
}

func (w *waits) all() []time.Duration {
	w.mu.Lock()
	defer w.mu.Unlock()
	return append([]time.Duration(nil), w.d...)
}

func newClient(t *testing.T, baseURL string, cfg partnerhttp.Config) (*partnerhttp.Client, *waits) {
	t.Helper()
	cfg.Partner, cfg.BaseURL = "kias", baseURL
	c, err := partnerhttp.New(cfg)
	require.NoError(t, err)
	w := &waits{}
	partnerhttp.SetSleep(c, w.sleep)
	return c, w
}

type person struct {
	IIN  string `json:"iin"`
	Name string `json:"name"`
}

func TestRetriesA500WithTheSameIdempotencyKey(t *testing.T) {
	g := newGateway(t, status(500), status(502), ok(`{"iin":"900115300123","name":"Айгерим"}`))
	c, w := newClient(t, g.srv.URL, partnerhttp.Config{})

	var out person
	err := c.Do(context.Background(), partnerhttp.Request{
		Method: http.MethodPost, Path: "/clients/900115300123/scans", Route: "/clients/{iin}/scans",
		Body: person{IIN: "900115300123", Name: "Айгерим"},
	}, &out)

	require.NoError(t, err)
	assert.Equal(t, person{IIN: "900115300123", Name: "Айгерим"}, out)
	seen := g.attempts()
	require.Len(t, seen, 3)
	assert.NotEmpty(t, seen[0].key, "a write carries an idempotency key")
	for _, a := range seen[1:] {
		assert.Equal(t, seen[0].key, a.key, "every retry of one call carries the same key")
		assert.Equal(t, seen[0].body, a.body, "every retry sends the whole body again")
	}
	assert.Len(t, w.all(), 2, "a wait before each retry")
}

func TestTwoCallsGetTwoKeysAndAGivenKeyIsUsed(t *testing.T) {
	g := newGateway(t, ok(`{}`))
	c, _ := newClient(t, g.srv.URL, partnerhttp.Config{})
	ctx := context.Background()

	require.NoError(t, c.Do(ctx, partnerhttp.Request{Method: http.MethodPut, Path: "/a"}, nil))
	require.NoError(t, c.Do(ctx, partnerhttp.Request{Method: http.MethodPut, Path: "/a"}, nil))
	require.NoError(t, c.Do(ctx, partnerhttp.Request{Method: http.MethodPost, Path: "/a", IdempotencyKey: "event-42"}, nil))
	require.NoError(t, c.Do(ctx, partnerhttp.Request{Method: http.MethodGet, Path: "/a", IdempotencyKey: "ignored"}, nil))

	seen := g.attempts()
	require.Len(t, seen, 4)
	assert.NotEqual(t, seen[0].key, seen[1].key, "separate calls are separate writes")
	assert.Equal(t, "event-42", seen[2].key)
	assert.Empty(t, seen[3].key, "a read carries no idempotency key")
}

func TestHonoursRetryAfterOn429(t *testing.T) {
	g := newGateway(t, status(429, "Retry-After", "2"), ok(`{"iin":"1"}`))
	c, w := newClient(t, g.srv.URL, partnerhttp.Config{MinBackoff: time.Millisecond, MaxBackoff: 10 * time.Millisecond})

	var out person
	require.NoError(t, c.Do(context.Background(), partnerhttp.Request{Method: http.MethodGet, Path: "/clients/1"}, &out))

	assert.Equal(t, "1", out.IIN)
	assert.Equal(t, []time.Duration{2 * time.Second}, w.all(), "the wait is the partner's Retry-After, not the backoff")
}

func TestRetryAfterLongerThanAllowedEndsTheCall(t *testing.T) {
	g := newGateway(t, status(429, "Retry-After", "120"), ok(`{}`))
	c, w := newClient(t, g.srv.URL, partnerhttp.Config{MaxRetryAfter: 10 * time.Second})

	err := c.Do(context.Background(), partnerhttp.Request{Method: http.MethodGet, Path: "/x"}, nil)

	var e *partnerhttp.Error
	require.ErrorAs(t, err, &e)
	assert.Equal(t, 429, e.Status)
	assert.Equal(t, 2*time.Minute, e.RetryAfter, "the caller learns when to come back")
	assert.True(t, e.Temporary())
	assert.Len(t, g.attempts(), 1)
	assert.Empty(t, w.all())
}

func TestABackoffPastTheDeadlineIsNotWaited(t *testing.T) {
	g := newGateway(t, status(503, "Retry-After", "5"))
	c, w := newClient(t, g.srv.URL, partnerhttp.Config{})
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()

	err := c.Do(ctx, partnerhttp.Request{Method: http.MethodGet, Path: "/x"}, nil)

	assert.Equal(t, 503, partnerhttp.StatusOf(err))
	assert.Len(t, g.attempts(), 1)
	assert.Empty(t, w.all(), "the client gives up instead of sleeping past ctx's deadline")
}

func TestAHangingPartnerTimesOut(t *testing.T) {
	release := make(chan struct{})
	t.Cleanup(func() { close(release) })
	hang := func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-release:
		}
	}
	g := newGateway(t, hang)
	c, w := newClient(t, g.srv.URL, partnerhttp.Config{AttemptTimeout: 50 * time.Millisecond, MaxAttempts: 3})

	err := c.Do(context.Background(), partnerhttp.Request{Method: http.MethodGet, Path: "/clients/900115300123", Route: "/clients/{iin}"}, nil)

	require.ErrorIs(t, err, partnerhttp.ErrTimeout)
	var e *partnerhttp.Error
	require.ErrorAs(t, err, &e)
	assert.Equal(t, 3, e.Attempts, "a timed-out attempt is retried")
	assert.Zero(t, e.Status)
	assert.Len(t, w.all(), 2)
	assert.NotContains(t, err.Error(), "900115300123", "the error names the route, not the path")
	assert.Contains(t, err.Error(), "/clients/{iin}")
}

func TestAHangingBodyTimesOut(t *testing.T) {
	release := make(chan struct{})
	t.Cleanup(func() { close(release) })
	g := newGateway(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{"iin":`)
		w.(http.Flusher).Flush()
		select {
		case <-r.Context().Done():
		case <-release:
		}
	})
	c, _ := newClient(t, g.srv.URL, partnerhttp.Config{AttemptTimeout: 50 * time.Millisecond, MaxAttempts: 2})

	err := c.Do(context.Background(), partnerhttp.Request{Method: http.MethodGet, Path: "/x"}, &person{})

	require.ErrorIs(t, err, partnerhttp.ErrTimeout)
	assert.Len(t, g.attempts(), 2)
}

func TestA400IsNotRetriedAndItsBodyNeverShows(t *testing.T) {
	g := newGateway(t, status(400), ok(`{}`))
	c, w := newClient(t, g.srv.URL, partnerhttp.Config{})

	err := c.Do(context.Background(), partnerhttp.Request{
		Method: http.MethodPut, Path: "/clients/900115300123/personal-data", Route: "/clients/{iin}/personal-data",
		Body: person{Name: "Айгерим"},
	}, nil)

	var e *partnerhttp.Error
	require.ErrorAs(t, err, &e)
	assert.Equal(t, 400, e.Status)
	assert.Equal(t, 400, partnerhttp.StatusOf(err))
	assert.False(t, e.Temporary())
	assert.Len(t, g.attempts(), 1, "a 4xx other than 429 is final")
	assert.Empty(t, w.all())
	assert.Equal(t, "kias PUT /clients/{iin}/personal-data: status 400", err.Error())
}

func TestOther4xxAreNotRetried(t *testing.T) {
	for _, code := range []int{401, 403, 404, 409, 422} {
		g := newGateway(t, status(code), ok(`{}`))
		c, _ := newClient(t, g.srv.URL, partnerhttp.Config{})
		err := c.Do(context.Background(), partnerhttp.Request{Method: http.MethodGet, Path: "/x"}, nil)
		assert.Equal(t, code, partnerhttp.StatusOf(err))
		assert.Len(t, g.attempts(), 1, "status %d", code)
	}
}

func TestATransportErrorIsRetriedAndTheURLNeverShows(t *testing.T) {
	g := newGateway(t, ok(`{}`))
	base := g.srv.URL
	g.srv.Close() // nothing listens there any more
	c, w := newClient(t, base, partnerhttp.Config{MaxAttempts: 3})

	err := c.Do(context.Background(), partnerhttp.Request{Method: http.MethodGet, Path: "/clients/900115300123", Route: "/clients/{iin}"}, nil)

	var e *partnerhttp.Error
	require.ErrorAs(t, err, &e)
	assert.Equal(t, 3, e.Attempts)
	assert.True(t, e.Temporary())
	assert.Len(t, w.all(), 2)
	assert.NotContains(t, err.Error(), "900115300123")
	assert.NotContains(t, err.Error(), "http://")
}

func TestCancelledContextStopsRetrying(t *testing.T) {
	g := newGateway(t, status(500))
	c, err := partnerhttp.New(partnerhttp.Config{Partner: "kias", BaseURL: g.srv.URL, MaxAttempts: 10})
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	var calls atomic.Int32
	partnerhttp.SetSleep(c, func(ctx context.Context, d time.Duration) error {
		if calls.Add(1) == 2 {
			cancel()
		}
		return ctx.Err()
	})

	err = c.Do(ctx, partnerhttp.Request{Method: http.MethodGet, Path: "/x"}, nil)

	assert.Equal(t, 500, partnerhttp.StatusOf(err))
	assert.Len(t, g.attempts(), 2)
}

func TestUndecodableAnswerIsNotRetried(t *testing.T) {
	g := newGateway(t, ok(`{"iin": 12`))
	c, _ := newClient(t, g.srv.URL, partnerhttp.Config{})

	err := c.Do(context.Background(), partnerhttp.Request{Method: http.MethodGet, Path: "/x"}, &person{})

	require.Error(t, err)
	assert.Len(t, g.attempts(), 1)
	assert.Contains(t, err.Error(), "decode answer")
}

func TestAnswerLargerThanTheLimitIsRefused(t *testing.T) {
	g := newGateway(t, ok(`{"name":"`+string(make([]byte, 100))+`"}`))
	c, _ := newClient(t, g.srv.URL, partnerhttp.Config{MaxResponseBytes: 64})

	err := c.Do(context.Background(), partnerhttp.Request{Method: http.MethodGet, Path: "/x"}, &person{})

	assert.ErrorContains(t, err, "larger than 64 bytes")
}

func TestCredentialsAndRawBodies(t *testing.T) {
	var got http.Header
	var body []byte
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got = r.Header.Clone()
		body, _ = io.ReadAll(r.Body)
	}))
	t.Cleanup(srv.Close)
	c, err := partnerhttp.New(partnerhttp.Config{
		Partner: "esbd", BaseURL: srv.URL + "/api/", Header: http.Header{"X-Api-Key": {"k1"}},
		Username: "login", Password: "pass",
	})
	require.NoError(t, err)
	raw := json.RawMessage("{ \"a\" : 1 }")

	require.NoError(t, c.Do(context.Background(), partnerhttp.Request{
		Method: http.MethodPost, Path: "/x", Body: raw, Header: http.Header{"X-Signature": {"s"}},
	}, nil))

	assert.Equal(t, "k1", got.Get("X-Api-Key"))
	assert.Equal(t, "s", got.Get("X-Signature"))
	assert.Equal(t, "application/json", got.Get("Content-Type"))
	user, pass, okAuth := (&http.Request{Header: got}).BasicAuth()
	assert.True(t, okAuth)
	assert.Equal(t, "login", user)
	assert.Equal(t, "pass", pass)
	assert.Equal(t, string(raw), string(body), "a raw body goes byte for byte, so a signature over it holds")
}

func TestConfigValidateNamesEveryProblem(t *testing.T) {
	err := partnerhttp.Config{BaseURL: "kias.local", AttemptTimeout: -1, MaxAttempts: -1}.Validate()
	require.Error(t, err)
	for _, want := range []string{"Partner", "BaseURL", "negative", "MaxAttempts"} {
		assert.ErrorContains(t, err, want)
	}
	assert.NoError(t, partnerhttp.Config{Partner: "kias", BaseURL: "https://kias.example.kz/api"}.Validate())
	assert.NoError(t, partnerhttp.Config{Partner: "kias", BaseURL: "http://127.0.0.1:8081"}.Validate(), "a simulator on this machine")
	assert.ErrorContains(t, partnerhttp.Config{Partner: "kias", BaseURL: "http://kias.example.kz/api"}.Validate(), "https",
		"credentials never travel in clear to another host")
	_, err = partnerhttp.New(partnerhttp.Config{Partner: "kias"})
	assert.Error(t, err)
}

func TestRetryAfterForms(t *testing.T) {
	now := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	assert.Equal(t, 3*time.Second, partnerhttp.RetryAfter("3", now))
	assert.Equal(t, 90*time.Second, partnerhttp.RetryAfter(now.Add(90*time.Second).Format(http.TimeFormat), now))
	assert.Zero(t, partnerhttp.RetryAfter("", now))
	assert.Zero(t, partnerhttp.RetryAfter("-1", now))
	assert.Zero(t, partnerhttp.RetryAfter("soon", now))
	assert.Zero(t, partnerhttp.RetryAfter(now.Add(-time.Minute).Format(http.TimeFormat), now))
	assert.Equal(t, 24*time.Hour, partnerhttp.RetryAfter("99999999999999", now))
}

func TestErrorsAreMatchable(t *testing.T) {
	var e error = &partnerhttp.Error{Partner: "sms", Method: "POST", Route: "/send", Err: context.DeadlineExceeded, Attempts: 1}
	assert.True(t, errors.Is(e, context.DeadlineExceeded))
	assert.Zero(t, partnerhttp.StatusOf(e))
	assert.Zero(t, partnerhttp.StatusOf(errors.New("other")))
}
