package main

import (
	"context"
	"io"
	"net/http"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kabinet/kabinet/internal/logtest"
	"github.com/kabinet/kabinet/internal/pgtest"
)

// TestServeAPI starts serve as an operator would, makes API keys with the
// apikey command and calls both protocols through the real listener.
func TestServeAPI(t *testing.T) {
	_, url := pgtest.New(t)
	t.Setenv("KABINET_DATABASE_URL", url)
	t.Setenv("KABINET_SECRET_FILE", filepath.Join(t.TempDir(), "secret.key"))

	key, err := kabinet(t, "apikey", "create", "website", "--role", "website")
	require.NoError(t, err, key)
	key, _, _ = strings.Cut(key, "\n") // stdout, the key alone, comes first
	require.True(t, strings.HasPrefix(key, "kb_"), key)

	ctx, cancel := context.WithCancel(context.Background())
	var stdout, stderr logtest.Buffer
	done := make(chan error, 1)
	go func() { done <- run(ctx, []string{"serve", "--addr", "127.0.0.1:0"}, &stdout, &stderr) }()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			assert.NoError(t, err, stderr.String())
		case <-time.After(30 * time.Second):
			t.Error("serve did not stop within 30 s of its context ending")
		}
	})
	addr := regexp.MustCompile(`listening on http://(\S+)`)
	var base string
	require.Eventually(t, func() bool {
		if m := addr.FindStringSubmatch(stdout.String()); m != nil {
			base = "http://" + m[1]
			return true
		}
		return false
	}, 30*time.Second, 20*time.Millisecond, "serve printed no address; stderr: %s", stderr.String())
	assert.Contains(t, stdout.String(), base+"/soap?wsdl")
	assert.Contains(t, stdout.String(), base+"/api/v1/openapi.json")

	get := func(path string) (int, string) {
		resp, err := http.Get(base + path)
		require.NoError(t, err)
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	status, body := get("/soap?wsdl")
	require.Equal(t, http.StatusOK, status)
	assert.Contains(t, body, `targetNamespace="urn:kabinet:v1"`)
	status, body = get("/api/v1/openapi.json")
	require.Equal(t, http.StatusOK, status)
	assert.Contains(t, body, `"StartRegistration"`)

	post := func(path, key, contentType, body string) (int, string) {
		req, err := http.NewRequest(http.MethodPost, base+path, strings.NewReader(body))
		require.NoError(t, err)
		req.Header.Set("Content-Type", contentType)
		if key != "" {
			req.Header.Set("X-API-Key", key)
		}
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	status, body = post("/api/v1/registrations", key, "application/json", `{"iin":"900115300003"}`)
	require.Equal(t, http.StatusOK, status, body)
	assert.Contains(t, body, `"foundIn":"none"`)

	status, body = post("/api/v1/registrations", "kb_wrong", "application/json", `{"iin":"900115300003"}`)
	assert.Equal(t, http.StatusUnauthorized, status, body)
	assert.Contains(t, body, "AUTH_FAILED")

	envelope := `<?xml version="1.0"?><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body>` +
		`<StartRegistration xmlns="urn:kabinet:v1"><iin>900115300004</iin></StartRegistration></soap:Body></soap:Envelope>`
	status, body = post("/soap", key, "text/xml; charset=utf-8", envelope)
	assert.Equal(t, http.StatusInternalServerError, status, "a SOAP 1.1 fault answers 500")
	assert.Contains(t, body, "INVALID_ARGUMENT")
	assert.Contains(t, body, "iin")
}
