package sms_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kabinet/kabinet/adapters/sms"
)

// post sends a form to the simulator's handler and decodes the answer.
func post(t *testing.T, h http.Handler, form url.Values) (int, map[string]any) {
	t.Helper()
	r := httptest.NewRequest(http.MethodPost, "/sys/send.php", strings.NewReader(form.Encode()))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	var out map[string]any
	if w.Code == http.StatusOK {
		require.NoError(t, json.Unmarshal(w.Body.Bytes(), &out), w.Body.String())
	}
	return w.Code, out
}

func sendForm() url.Values {
	return url.Values{
		"login": {login}, "psw": {password}, "phones": {"+77011234567"}, "mes": {text},
		"fmt": {"3"}, "charset": {"utf-8"}, "id": {"abc-1"},
	}
}

func TestHandlerAnswersErrorCodes(t *testing.T) {
	sim := sms.NewSimulator()
	sim.Login, sim.Password = login, password
	h := sim.Handler()
	for name, tc := range map[string]struct {
		change func(url.Values)
		code   float64
	}{
		"wrong password":  {func(f url.Values) { f.Set("psw", "x") }, 2},
		"no credentials":  {func(f url.Values) { f.Del("login"); f.Del("psw") }, 2},
		"plain answer":    {func(f url.Values) { f.Set("fmt", "0") }, 1},
		"windows-1251":    {func(f url.Values) { f.Del("charset") }, 1},
		"two numbers":     {func(f url.Values) { f.Set("phones", "+77011234567,+77011234568") }, 1},
		"russian number":  {func(f url.Values) { f.Set("phones", "+79161234567") }, 7},
		"landline":        {func(f url.Values) { f.Set("phones", "+77272123456") }, 7},
		"no text":         {func(f url.Values) { f.Set("mes", " ") }, 1},
		"id with a colon": {func(f url.Values) { f.Set("id", "a:b") }, 1},
	} {
		t.Run(name, func(t *testing.T) {
			f := sendForm()
			tc.change(f)
			status, out := post(t, h, f)
			require.Equal(t, http.StatusOK, status, "errors are answered in JSON with 200, as the gateway does")
			assert.Equal(t, tc.code, out["error_code"])
			assert.NotEmpty(t, out["error"])
		})
	}
	assert.Empty(t, sim.Sent())
}

func TestHandlerSendsDeduplicatesAndPrints(t *testing.T) {
	sim := sms.NewSimulator()
	var printed []sms.Message
	sim.Print = func(m sms.Message) { printed = append(printed, m) }
	h := sim.Handler()

	_, out := post(t, h, sendForm())
	assert.Equal(t, map[string]any{"id": float64(1), "cnt": float64(1)}, out)
	_, out = post(t, h, sendForm())
	assert.Equal(t, float64(1), out["id"], "a repeated id answers with the first message")

	long := sendForm()
	long.Set("id", "abc-2")
	long.Set("mes", strings.Repeat("я", 71))
	_, out = post(t, h, long)
	assert.Equal(t, map[string]any{"id": float64(2), "cnt": float64(2)}, out, "71 Cyrillic letters take two SMS")

	require.Len(t, sim.Sent(), 2)
	assert.Equal(t, "abc-1", sim.Sent()[0].IdempotencyKey)
	require.Len(t, printed, 2, "the demo printer sees messages that came over HTTP")
	assert.Equal(t, text, printed[0].Text)
}

func TestHandlerTakesTheAPIKeyAndTheBodyOnly(t *testing.T) {
	sim := sms.NewSimulator()
	sim.APIKey = "key-1"
	h := sim.Handler()

	f := sendForm()
	f.Del("login")
	f.Del("psw")
	f.Set("apikey", "key-1")
	_, out := post(t, h, f)
	assert.Equal(t, float64(1), out["id"])

	// Parameters in the URL are ignored, so a key there does not count.
	r := httptest.NewRequest(http.MethodPost, "/sys/send.php?apikey=key-1", strings.NewReader("phones=%2B77011234567&mes=x&fmt=3&charset=utf-8"))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	assert.Contains(t, w.Body.String(), `"error_code":2`)

	w = httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/sys/send.php?"+sendForm().Encode(), nil))
	assert.Equal(t, http.StatusMethodNotAllowed, w.Code, "GET would put the text and the password in the URL")
}
