package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestLogsKeepNoSecrets runs serve --demo on the embedded file with debug
// logs while slow clients hold connections open and the main demo client
// goes through the cabinet over the JSON and SOAP APIs, then reads every
// line serve logged. None holds an access code, a session token, an API
// key, the server secret or a demo client's identifiers, name or personal
// data. Standard output lists the demo logins on purpose and is not a log.
func TestLogsKeepNoSecrets(t *testing.T) {
	dir := t.TempDir()
	secretFile := filepath.Join(dir, "secret.key")
	t.Setenv("KABINET_DATABASE_URL", "")
	t.Setenv("KABINET_DATA_DIR", dir)
	t.Setenv("KABINET_SECRET_FILE", secretFile)
	t.Setenv("KABINET_LOG_LEVEL", "debug")
	s := startServe(t, "--demo")

	// The slow clients start at once and trickle while the demo loads and
	// the scenario runs.
	var slow sync.WaitGroup
	slow.Go(func() {
		t.Run("a client slow to send its headers is cut off", func(t *testing.T) { slowHeaders(t, s.base) })
	})
	slow.Go(func() { t.Run("a client slow to send its body is cut off", func(t *testing.T) { slowBody(t, s.base) }) })

	s.waitReady(t, 3*time.Minute)
	out, err := kabinet(t, "apikey", "create", "tester", "--role", "website")
	require.NoError(t, err, out)
	key, _, _ := strings.Cut(out, "\n")
	require.True(t, strings.HasPrefix(key, "kb_"), out)

	secrets := s.scenario(t, key)
	slow.Wait()
	require.NoError(t, s.stop(), s.stderr.String())

	secret, err := os.ReadFile(secretFile)
	require.NoError(t, err)
	secrets = append(secrets, key, strings.TrimSpace(string(secret)))
	people := demoPeople(t, s.stdout.String())
	for _, p := range people {
		secrets = append(secrets, p...)
	}

	logs := s.stderr.String()
	lines := strings.Split(strings.TrimSpace(logs), "\n")
	require.Greater(t, len(lines), 10, "serve logged at debug level:\n%s", logs)
	assert.Contains(t, logs, `"level":"DEBUG"`, "debug lines are on, so that the test sees everything")
	for _, secret := range secrets {
		require.GreaterOrEqual(t, len(secret), 4, "a secret to look for: %q", secret)
		for i, line := range lines {
			assert.False(t, leaks(line, secret), "line %d holds %q:\n%s", i+1, secret, line)
		}
	}
	anyKey := regexp.MustCompile(`kb_[A-Za-z0-9_-]{43}`)
	assert.Empty(t, anyKey.FindAllString(logs, -1), "no API key of any caller is logged")
}

// scenario is the main demo client's visit to the cabinet: log in, look at
// the policies, the personal data and the settings, change a setting,
// spend points, log out; then a login with a wrong code, a call with the
// ended session and a login over SOAP. It returns what must not be logged:
// the codes and the session token used, and the personal data shown.
func (s *served) scenario(t *testing.T, key string) []string {
	t.Helper()
	const login, code, wrongCode = "900115300003", "2468", "97531864"
	var session struct {
		Session struct{ Token string }
	}
	s.api(t, http.StatusOK, http.MethodPost, "/sessions", key, "", `{"login":"`+login+`","accessCode":"`+code+`"}`, &session)
	token := session.Session.Token
	require.NotEmpty(t, token)

	var list struct {
		Policies []struct{ PolicyID string }
	}
	s.api(t, http.StatusOK, http.MethodGet, "/policies", key, token, "", &list)
	require.NotEmpty(t, list.Policies)
	s.api(t, http.StatusOK, http.MethodGet, "/policies/"+list.Policies[0].PolicyID, key, token, "", nil)

	var personal struct {
		PersonalData map[string]string
	}
	s.api(t, http.StatusOK, http.MethodGet, "/me/personal-data", key, token, "", &personal)
	var settings struct {
		Settings map[string]any `json:"settings"`
	}
	s.api(t, http.StatusOK, http.MethodGet, "/me/settings", key, token, "", &settings)
	settings.Settings["autoProlongation"] = !settings.Settings["autoProlongation"].(bool)
	body, err := json.Marshal(settings)
	require.NoError(t, err)
	s.api(t, http.StatusOK, http.MethodPut, "/me/settings", key, token, string(body), nil)

	s.api(t, http.StatusOK, http.MethodGet, "/bonus", key, token, "", nil)
	s.api(t, http.StatusOK, http.MethodPost, "/bonus/spend", key, token, `{"orderRef":"LOG-TEST-1","points":1}`, nil)
	s.api(t, http.StatusOK, http.MethodDelete, "/sessions/current", key, token, "", nil)

	s.api(t, http.StatusUnauthorized, http.MethodPost, "/sessions", key, "", `{"login":"`+login+`","accessCode":"`+wrongCode+`"}`, nil)
	s.api(t, http.StatusUnauthorized, http.MethodGet, "/me/settings", key, token, "", nil) // the ended session is refused
	s.soapLogin(t, key, login, code)

	secrets := []string{code, wrongCode, token}
	for member, v := range personal.PersonalData {
		switch member {
		case "documentType", "documentIssuedBy", "documentIssuedOn", "drivingLicenceDate":
			// A kind, an authority every card names, dates: none tells who.
		default:
			if v != "" {
				secrets = append(secrets, v)
			}
		}
	}
	return secrets
}

// api makes a JSON API request that must answer want, and decodes a 200
// answer into out.
func (s *served) api(t *testing.T, want int, method, path, key, token, body string, out any) {
	t.Helper()
	require.Equal(t, want, s.call(t, method, path, key, token, body, out), "%s %s", method, path)
}

// soapLogin logs in over SOAP, whose edge logs on its own.
func (s *served) soapLogin(t *testing.T, key, login, code string) {
	t.Helper()
	envelope := `<?xml version="1.0" encoding="UTF-8"?><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body>` +
		`<Login xmlns="urn:kabinet:v1"><login>` + login + `</login><accessCode>` + code + `</accessCode></Login></soap:Body></soap:Envelope>`
	req, err := http.NewRequest(http.MethodPost, s.base+"/soap", strings.NewReader(envelope))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "text/xml; charset=utf-8")
	req.Header.Set("X-API-Key", key)
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	b, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, resp.StatusCode, "%s", b)
}

// demoPeople reads the demo logins serve printed: for each client their
// IIN, their phone as ten digits (how it shows in any format) and each part
// of their name.
func demoPeople(t *testing.T, stdout string) [][]string {
	t.Helper()
	row := regexp.MustCompile(`(?m)^\s+(\d{12})\s+\+7(\d{10})\s+\S+\s+([^:]+):`)
	var people [][]string
	for _, m := range row.FindAllStringSubmatch(stdout, -1) {
		people = append(people, append([]string{m[1], m[2]}, strings.Fields(m[3])...))
	}
	require.Len(t, people, 4, "the demo's four clients are listed:\n%s", stdout)
	return people
}

// leaks reports whether a log line holds secret. A secret of digits only
// counts where it stands alone, not inside a longer number, an ID or a hex
// string, so that a short access code is not found in a request ID.
func leaks(line, secret string) bool {
	if strings.Trim(secret, "0123456789") != "" {
		return strings.Contains(line, secret)
	}
	alone := regexp.MustCompile(`(^|[^0-9A-Za-z.\-])` + secret + `($|[^0-9A-Za-z.\-])`)
	return alone.MatchString(line)
}

// TestLeaksFindsASecretWhereverItStands pins what the log check looks
// for: a code in a JSON value, a message or a dumped body is found; the
// same digits inside an ID, a longer number or a fraction are not.
func TestLeaksFindsASecretWhereverItStands(t *testing.T) {
	for line, want := range map[string]bool{
		`{"msg":"login","access_code":"2468"}`:                      true,
		`{"msg":"login with code 2468 refused"}`:                    true,
		`{"body":"{\"login\":\"x\",\"accessCode\":\"2468\"}"}`:      true,
		`{"error":"code=2468"}`:                                     true,
		`{"correlation_id":"0c1f2468-aa01-4e5b-8c2d-1a2468bc0d9e"}`: false,
		`{"position":"124681"}`:                                     false,
		`{"took":"0.2468s"}`:                                        false,
	} {
		assert.Equal(t, want, leaks(line, "2468"), line)
	}
	assert.True(t, leaks(`{"name":"Сапаров Ерлан"}`, "Ерлан"), "any other secret is found anywhere")
}

// slowHeaders sends a request's headers a byte at a time, for much longer
// than the server's header timeout: the server must end the connection
// rather than hold it for as long as the client trickles.
func slowHeaders(t *testing.T, base string) {
	conn := dial(t, base)
	_, err := io.WriteString(conn, "GET /healthz HTTP/1.1\r\nHost: kabinet\r\nX-Slow: ")
	require.NoError(t, err)
	answer, ended := trickle(t, conn)
	require.True(t, ended, "the server still waits for the headers")
	assert.NotContains(t, answer, "200 OK", "a request whose headers never ended is not served")
}

// slowBody sends the headers of a login at once and its body a byte at a
// time, for much longer than the server's read timeout.
func slowBody(t *testing.T, base string) {
	conn := dial(t, base)
	_, err := io.WriteString(conn, "POST /api/v1/sessions HTTP/1.1\r\nHost: kabinet\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{")
	require.NoError(t, err)
	answer, ended := trickle(t, conn)
	require.True(t, ended, "the server still waits for the body")
	if answer != "" {
		status, _, _ := strings.Cut(answer, "\r\n")
		assert.Regexp(t, `^HTTP/1\.1 4\d\d `, status, "a body that never came is the client's fault: %s", answer)
	}
}

func dial(t *testing.T, base string) net.Conn {
	t.Helper()
	conn, err := net.Dial("tcp", strings.TrimPrefix(base, "http://"))
	require.NoError(t, err)
	t.Cleanup(func() { conn.Close() })
	return conn
}

// trickle writes a byte every half second until the server ends the
// connection or two minutes pass, four times serve's read timeout. It
// returns what the server answered and whether it ended the connection.
func trickle(t *testing.T, conn net.Conn) (answer string, ended bool) {
	t.Helper()
	read := make(chan string, 1)
	go func() {
		b, _ := io.ReadAll(bufio.NewReader(conn)) // until the server closes
		read <- string(b)
	}()
	tick := time.NewTicker(500 * time.Millisecond)
	defer tick.Stop()
	giveUp := time.After(2 * time.Minute)
	for {
		select {
		case answer = <-read:
			return answer, true
		case <-giveUp:
			return "", false
		case <-tick.C:
			if _, err := conn.Write([]byte("x")); err != nil {
				if errors.Is(err, net.ErrClosed) {
					return "", false
				}
				return <-read, true // the server closed its end
			}
		}
	}
}
