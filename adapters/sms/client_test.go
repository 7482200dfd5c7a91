package sms_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kabinet/kabinet/adapters/sms"
	"github.com/kabinet/kabinet/domain/kz"
)

const (
	login    = "kabinet"
	password = "gateway-secret"
	text     = "Код доступа: 482913. Никому его не сообщайте."
)

var phone = kz.MustParsePhone("+7 701 123 45 67")

// gateway is the simulator served over HTTP, with a hook in front of it
// that can answer instead of it.
type gateway struct {
	sim      *sms.Simulator
	url      string
	requests atomic.Int32

	mu    sync.Mutex
	hook  func(n int, w http.ResponseWriter, r *http.Request) bool // true: answered, the simulator is skipped
	forms []url.Values
}

func newGateway(t *testing.T) *gateway {
	t.Helper()
	g := &gateway{sim: sms.NewSimulator()}
	g.sim.Login, g.sim.Password = login, password
	inner := g.sim.Handler()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := int(g.requests.Add(1))
		body := new(bytes.Buffer)
		_, _ = body.ReadFrom(r.Body)
		form, _ := url.ParseQuery(body.String())
		r.Body = readCloser{bytes.NewReader(body.Bytes())}
		g.mu.Lock()
		g.forms = append(g.forms, form)
		hook := g.hook
		g.mu.Unlock()
		if hook != nil && hook(n, w, r) {
			return
		}
		inner.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	g.url = srv.URL
	return g
}

type readCloser struct{ *bytes.Reader }

func (readCloser) Close() error { return nil }

func (g *gateway) setHook(h func(n int, w http.ResponseWriter, r *http.Request) bool) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.hook = h
}

func (g *gateway) Forms() []url.Values {
	g.mu.Lock()
	defer g.mu.Unlock()
	return append([]url.Values(nil), g.forms...)
}

func (g *gateway) config() sms.Config {
	return sms.Config{
		URL: g.url, Login: login, Password: password,
		Timeout: 2 * time.Second, Attempts: 3, Backoff: time.Millisecond, MaxBackoff: 20 * time.Millisecond,
	}
}

func newClient(t *testing.T, cfg sms.Config) *sms.Client {
	t.Helper()
	c, err := sms.NewClient(cfg)
	require.NoError(t, err)
	return c
}

func TestClientSendsThroughTheGateway(t *testing.T) {
	g := newGateway(t)
	id, err := newClient(t, g.config()).Send(t.Context(), phone, text, "3f0e0c2e-8a43-4a6e-9b57-1d1f2c3b4a5d")
	require.NoError(t, err)

	assert.Equal(t, "1", id, "the gateway's number of the message")
	sent := g.sim.Sent()
	require.Len(t, sent, 1)
	assert.Equal(t, phone, sent[0].Phone)
	assert.Equal(t, text, sent[0].Text, "Cyrillic arrives intact")
	assert.Equal(t, "3f0e0c2e-8a43-4a6e-9b57-1d1f2c3b4a5d", sent[0].IdempotencyKey, "a UUID key is the id as it is")

	form := g.Forms()[0]
	assert.Equal(t, "+77011234567", form.Get("phones"))
	assert.Equal(t, "3", form.Get("fmt"))
	assert.Equal(t, "utf-8", form.Get("charset"))
	assert.Equal(t, login, form.Get("login"))
	assert.Empty(t, form.Get("apikey"))
}

func TestClientWithAnAPIKeyAndASender(t *testing.T) {
	g := newGateway(t)
	g.sim.Login, g.sim.Password, g.sim.APIKey = "", "", "key-1"
	cfg := g.config()
	cfg.Login, cfg.Password, cfg.APIKey, cfg.Sender = "", "", "key-1", "Insurer"
	_, err := newClient(t, cfg).Send(t.Context(), phone, text, "")
	require.NoError(t, err)

	form := g.Forms()[0]
	assert.Equal(t, "key-1", form.Get("apikey"))
	assert.Equal(t, "Insurer", form.Get("sender"))
	assert.Empty(t, form.Get("login"))
	assert.Empty(t, form.Get("psw"))
}

func TestClientSendIsIdempotentByKey(t *testing.T) {
	g := newGateway(t)
	c := newClient(t, g.config())
	first, err := c.Send(t.Context(), phone, text, "reaction:event-1")
	require.NoError(t, err)
	again, err := c.Send(t.Context(), phone, text, "reaction:event-1")
	require.NoError(t, err)
	other, err := c.Send(t.Context(), phone, text, "reaction:event-2")
	require.NoError(t, err)

	assert.Equal(t, first, again)
	assert.NotEqual(t, first, other)
	assert.Len(t, g.sim.Sent(), 2)
	forms := g.Forms()
	assert.Equal(t, forms[0].Get("id"), forms[1].Get("id"))
	assert.Len(t, forms[0].Get("id"), 40, "a key the gateway cannot take is hashed to its length")
	assert.NotContains(t, forms[0].Get("id"), "event-1")

	_, err = c.Send(t.Context(), phone, text, "")
	require.NoError(t, err)
	_, err = c.Send(t.Context(), phone, text, "")
	require.NoError(t, err)
	assert.Len(t, g.sim.Sent(), 4, "without a key every Send is a new message")
}

func TestClientRetriesA500AndTheGatewaySendsOnce(t *testing.T) {
	g := newGateway(t)
	g.setHook(func(n int, w http.ResponseWriter, _ *http.Request) bool {
		if n == 1 {
			http.Error(w, "internal error", http.StatusInternalServerError)
			return true
		}
		return false
	})
	id, err := newClient(t, g.config()).Send(t.Context(), phone, text, "k-500")
	require.NoError(t, err)

	assert.Equal(t, "1", id)
	assert.EqualValues(t, 2, g.requests.Load())
	assert.Len(t, g.sim.Sent(), 1)
	forms := g.Forms()
	assert.Equal(t, forms[0].Get("id"), forms[1].Get("id"), "the retry carries the same id")
}

func TestClientRetryAfterALostAnswerSendsNoSecondSMS(t *testing.T) {
	g := newGateway(t)
	inner := g.sim.Handler()
	g.setHook(func(n int, w http.ResponseWriter, r *http.Request) bool {
		if n == 1 {
			// The gateway sends the message, then the answer is lost.
			inner.ServeHTTP(httptest.NewRecorder(), r)
			http.Error(w, "bad gateway", http.StatusBadGateway)
			return true
		}
		return false
	})
	id, err := newClient(t, g.config()).Send(t.Context(), phone, text, "k-lost")
	require.NoError(t, err)

	assert.Equal(t, "1", id, "the first message's ID")
	assert.Len(t, g.sim.Sent(), 1, "the gateway deduplicated the retry by its id")
}

func TestClientRetries429HonouringRetryAfter(t *testing.T) {
	g := newGateway(t)
	g.setHook(func(n int, w http.ResponseWriter, _ *http.Request) bool {
		if n == 1 {
			w.Header().Set("Retry-After", "1") // one second, cut to MaxBackoff
			w.WriteHeader(http.StatusTooManyRequests)
			return true
		}
		return false
	})
	_, err := newClient(t, g.config()).Send(t.Context(), phone, text, "k-429")
	require.NoError(t, err)
	assert.EqualValues(t, 2, g.requests.Load())
	assert.Len(t, g.sim.Sent(), 1)
}

func TestClientRetriesThrottlingErrorCodes(t *testing.T) {
	g := newGateway(t)
	g.setHook(func(n int, w http.ResponseWriter, _ *http.Request) bool {
		if n == 1 {
			writeJSON(w, map[string]any{"error": "too many concurrent requests", "error_code": 9})
			return true
		}
		return false
	})
	_, err := newClient(t, g.config()).Send(t.Context(), phone, text, "k-9")
	require.NoError(t, err)
	assert.EqualValues(t, 2, g.requests.Load())
}

func TestClientDoesNotRetryARefusal(t *testing.T) {
	for _, tc := range []struct {
		code int
		want error
	}{
		{1, sms.ErrRejected}, {2, sms.ErrCredentials}, {3, sms.ErrBalance}, {5, sms.ErrRejected},
		{6, sms.ErrRejected}, {7, sms.ErrRejected}, {8, sms.ErrRejected},
	} {
		t.Run(fmt.Sprintf("code %d", tc.code), func(t *testing.T) {
			g := newGateway(t)
			g.setHook(func(_ int, w http.ResponseWriter, _ *http.Request) bool {
				// A gateway may quote the request in its description.
				writeJSON(w, map[string]any{"error": "bad number +77011234567 for " + text, "error_code": tc.code})
				return true
			})
			_, err := newClient(t, g.config()).Send(t.Context(), phone, text, "k")

			require.ErrorIs(t, err, tc.want)
			assert.EqualValues(t, 1, g.requests.Load(), "not retried")
			assertNoPII(t, err)
		})
	}
}

func TestClientGivesUpAfterTheAttempts(t *testing.T) {
	g := newGateway(t)
	g.setHook(func(_ int, w http.ResponseWriter, _ *http.Request) bool {
		http.Error(w, "unavailable for "+phone.String(), http.StatusServiceUnavailable)
		return true
	})
	_, err := newClient(t, g.config()).Send(t.Context(), phone, text, "k")

	require.ErrorIs(t, err, sms.ErrUnavailable)
	assert.Contains(t, err.Error(), "HTTP 503")
	assert.Contains(t, err.Error(), "3 attempts")
	assert.EqualValues(t, 3, g.requests.Load())
	assertNoPII(t, err)
}

func TestClientRetriesATimeout(t *testing.T) {
	g := newGateway(t)
	g.setHook(func(n int, _ http.ResponseWriter, r *http.Request) bool {
		if n == 1 {
			<-r.Context().Done() // hangs until the client gives up on the try
			return true
		}
		return false
	})
	cfg := g.config()
	cfg.Timeout = 100 * time.Millisecond
	_, err := newClient(t, cfg).Send(t.Context(), phone, text, "k-timeout")
	require.NoError(t, err)
	assert.EqualValues(t, 2, g.requests.Load())
	assert.Len(t, g.sim.Sent(), 1)
}

func TestClientStopsWhenTheCallerGivesUp(t *testing.T) {
	g := newGateway(t)
	g.setHook(func(_ int, w http.ResponseWriter, _ *http.Request) bool {
		w.WriteHeader(http.StatusServiceUnavailable)
		return true
	})
	cfg := g.config()
	cfg.Attempts, cfg.Backoff, cfg.MaxBackoff = 100, time.Minute, time.Minute
	ctx, cancel := context.WithTimeout(t.Context(), 100*time.Millisecond)
	defer cancel()

	_, err := newClient(t, cfg).Send(ctx, phone, text, "k")

	require.ErrorIs(t, err, context.DeadlineExceeded)
	assert.ErrorIs(t, err, sms.ErrUnavailable, "the last failure is kept")
	assert.EqualValues(t, 1, g.requests.Load(), "the pause was cut short")
}

func TestClientToAGatewayThatIsDown(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	srv.Close()
	var logs bytes.Buffer
	cfg := sms.Config{URL: srv.URL, Login: login, Password: password, Backoff: time.Millisecond, MaxBackoff: time.Millisecond,
		Logger: slog.New(slog.NewJSONHandler(&logs, nil))}
	_, err := newClient(t, cfg).Send(t.Context(), phone, text, "k")

	require.ErrorIs(t, err, sms.ErrUnavailable)
	assertNoPII(t, err)
	assert.Equal(t, 2, strings.Count(logs.String(), "retrying"), "each retry is logged")
	assert.NotContains(t, logs.String(), phone.String()[2:])
	assert.NotContains(t, logs.String(), password)
}

func TestClientRefusesWrongCredentials(t *testing.T) {
	g := newGateway(t)
	cfg := g.config()
	cfg.Password = "not-the-password-42"
	_, err := newClient(t, cfg).Send(t.Context(), phone, text, "k")
	require.ErrorIs(t, err, sms.ErrCredentials)
	assert.EqualValues(t, 1, g.requests.Load())
	assert.Empty(t, g.sim.Sent())
	assert.NotContains(t, err.Error(), "not-the-password-42")
	assert.Contains(t, err.Error(), "error code 2")
}

func TestClientMapsHTTPStatuses(t *testing.T) {
	for status, want := range map[int]error{
		http.StatusUnauthorized: sms.ErrCredentials,
		http.StatusForbidden:    sms.ErrCredentials,
		http.StatusNotFound:     sms.ErrRejected,
		http.StatusBadRequest:   sms.ErrRejected,
	} {
		g := newGateway(t)
		g.setHook(func(_ int, w http.ResponseWriter, _ *http.Request) bool {
			w.WriteHeader(status)
			return true
		})
		_, err := newClient(t, g.config()).Send(t.Context(), phone, text, "k")
		require.ErrorIs(t, err, want, "HTTP %d", status)
		assert.EqualValues(t, 1, g.requests.Load(), "HTTP %d is not retried", status)
	}
}

func TestClientRefusesAnOddAnswer(t *testing.T) {
	for name, body := range map[string]string{
		"not JSON": "OK - 1 SMS, ID - 1",
		"no id":    `{"cnt": 1}`,
	} {
		g := newGateway(t)
		g.setHook(func(_ int, w http.ResponseWriter, _ *http.Request) bool {
			_, _ = w.Write([]byte(body))
			return true
		})
		_, err := newClient(t, g.config()).Send(t.Context(), phone, text, "k")
		require.Error(t, err, name)
		assert.EqualValues(t, 1, g.requests.Load(), name)
	}
	g := newGateway(t)
	g.setHook(func(_ int, w http.ResponseWriter, _ *http.Request) bool {
		_, _ = w.Write([]byte(`{"id": "A-17", "cnt": 1}`))
		return true
	})
	id, err := newClient(t, g.config()).Send(t.Context(), phone, text, "k")
	require.NoError(t, err)
	assert.Equal(t, "A-17", id, "a string id is taken as it is")
}

func TestClientRefusesAnEmptyMessageWithoutACall(t *testing.T) {
	g := newGateway(t)
	c := newClient(t, g.config())
	_, err := c.Send(t.Context(), kz.Phone{}, text, "")
	require.ErrorIs(t, err, sms.ErrRejected)
	_, err = c.Send(t.Context(), phone, "  ", "")
	require.ErrorIs(t, err, sms.ErrRejected)
	assert.Zero(t, g.requests.Load())
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(v)
}

// assertNoPII checks that err names neither the phone nor the text.
func assertNoPII(t *testing.T, err error) {
	t.Helper()
	msg := err.Error()
	for _, pii := range []string{"7011234567", "701 123", "482913", "Код доступа", password} {
		assert.NotContains(t, msg, pii)
	}
}
