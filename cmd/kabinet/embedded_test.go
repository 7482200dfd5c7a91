package main

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kabinet/kabinet/adapters/web/webtest"
	"github.com/kabinet/kabinet/internal/logtest"
)

// served is a serve run by a test on its configuration.
type served struct {
	base   string
	stdout *logtest.Buffer
	stderr *logtest.Buffer
	stop   func() error // graceful stop: cancels serve's context and waits
}

// startServe runs serve with args until stop, and waits until it listens.
func startServe(t *testing.T, args ...string) *served {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	s := &served{stdout: &logtest.Buffer{}, stderr: &logtest.Buffer{}}
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, append([]string{"serve", "--addr", "127.0.0.1:0"}, args...), s.stdout, s.stderr)
	}()
	var stopped bool
	var stopErr error
	s.stop = func() error {
		if stopped {
			return stopErr
		}
		stopped = true
		cancel()
		select {
		case stopErr = <-done:
		case <-time.After(60 * time.Second):
			stopErr = context.DeadlineExceeded
		}
		return stopErr
	}
	t.Cleanup(func() { _ = s.stop() })
	addr := regexp.MustCompile(`listening on http://(\S+)`)
	require.Eventually(t, func() bool {
		if m := addr.FindStringSubmatch(s.stdout.String()); m != nil {
			s.base = "http://" + m[1]
			return true
		}
		select {
		case err := <-done:
			t.Fatalf("serve ended before listening: %v\n%s", err, s.stderr.String())
		default:
		}
		return false
	}, 60*time.Second, 20*time.Millisecond, "serve printed no address; stderr: %s", s.stderr.String())
	return s
}

// waitReady waits for /readyz to answer 200.
func (s *served) waitReady(t *testing.T, within time.Duration) {
	t.Helper()
	require.Eventually(t, func() bool {
		resp, err := http.Get(s.base + "/readyz")
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == http.StatusOK
	}, within, 50*time.Millisecond, "not ready; stdout: %s\nstderr: %s", s.stdout.String(), s.stderr.String())
}

// call makes a JSON API request and decodes the answer into out.
func (s *served) call(t *testing.T, method, path, key, token, body string, out any) int {
	t.Helper()
	req, err := http.NewRequest(method, s.base+"/api/v1"+path, strings.NewReader(body))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-API-Key", key)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	if resp.StatusCode != http.StatusOK {
		t.Logf("%s %s: %d %s", method, path, resp.StatusCode, b)
	} else if out != nil {
		require.NoError(t, json.Unmarshal(b, out), string(b))
	}
	return resp.StatusCode
}

type policyCounts struct {
	All, Expiring, Active, Installments, History int64
}

// demoCounts logs in as the main demo client and returns its policy counts.
func (s *served) demoCounts(t *testing.T, key string) policyCounts {
	t.Helper()
	var login struct {
		Session struct{ Token string }
	}
	require.Equal(t, http.StatusOK, s.call(t, http.MethodPost, "/sessions", key, "", `{"login":"900115300003","accessCode":"2468"}`, &login))
	require.NotEmpty(t, login.Session.Token)
	var list struct{ Counts policyCounts }
	require.Equal(t, http.StatusOK, s.call(t, http.MethodGet, "/policies", key, login.Session.Token, "", &list))
	return list.Counts
}

// TestEmbeddedDemoSurvivesRestart is the newcomer's path: serve with no
// database configured keeps everything in one SQLite file, loads the demo,
// stops gracefully and, started again, finds every read model where it was;
// the operator commands work on the same file.
func TestEmbeddedDemoSurvivesRestart(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("KABINET_DATABASE_URL", "")
	t.Setenv("KABINET_DATA_DIR", dir)
	t.Setenv("KABINET_SECRET_FILE", filepath.Join(dir, "secret.key"))

	first := startServe(t, "--demo")
	assert.Contains(t, first.stdout.String(), "SQLite "+filepath.Join(dir, "kabinet.db"))
	first.waitReady(t, 3*time.Minute)
	assert.Contains(t, first.stdout.String(), "900115300003")

	// An operator makes a key while serve runs on the file.
	out, err := kabinet(t, "apikey", "create", "tester", "--role", "website")
	require.NoError(t, err, out)
	key, _, _ := strings.Cut(out, "\n")

	before := first.demoCounts(t, key)
	assert.Positive(t, before.Expiring, "%+v", before)
	assert.Positive(t, before.Active, "%+v", before)
	assert.Positive(t, before.Installments, "%+v", before)
	assert.Positive(t, before.History, "%+v", before)

	_, err = kabinet(t, "serve", "--addr", "127.0.0.1:0")
	require.ErrorContains(t, err, "in use by another kabinet serve", "a second serve must not share the file")

	require.NoError(t, first.stop(), first.stderr.String())

	for _, args := range [][]string{{"verify"}, {"audit", "verify"}, {"projections", "status"}, {"replay", "verify"}} {
		out, err := kabinet(t, args...)
		require.NoError(t, err, "%v: %s", args, out)
	}
	out, err = kabinet(t, "projections", "status")
	require.NoError(t, err)
	assert.NotContains(t, out, "building", "no read model is left half-built:\n%s", out)

	second := startServe(t)
	second.waitReady(t, time.Minute)
	assert.Equal(t, before, second.demoCounts(t, key), "the restart found the read models as they were")
	require.NoError(t, second.stop(), second.stderr.String())

	out, err = kabinet(t, "rebuild", "--all")
	require.NoError(t, err, out)
	third := startServe(t, "--demo")
	third.waitReady(t, time.Minute)
	assert.Equal(t, before, third.demoCounts(t, key), "rebuilt read models and a second demo load change nothing")
}

// TestWebCabinetOnTheDemo drives the web cabinet in headless Chromium
// against serve --demo, as a newcomer would look at it.
func TestWebCabinetOnTheDemo(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("KABINET_DATABASE_URL", "")
	t.Setenv("KABINET_DATA_DIR", dir)
	t.Setenv("KABINET_SECRET_FILE", filepath.Join(dir, "secret.key"))
	s := startServe(t, "--demo")
	s.waitReady(t, 3*time.Minute)
	out, err := kabinet(t, "apikey", "create", "tester", "--role", "website")
	require.NoError(t, err, out)
	key, _, _ := strings.Cut(out, "\n")
	c := s.demoCounts(t, key)
	webtest.Browse(t, webtest.Target{URL: s.base, Login: "900115300003", AccessCode: "2468", Counts: map[string]int{
		"expiring": int(c.Expiring), "active": int(c.Active), "installments": int(c.Installments), "history": int(c.History),
	}})
	require.NoError(t, s.stop(), s.stderr.String())
}
