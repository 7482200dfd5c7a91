package cabinet_test

import (
	"context"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kabinet/kabinet/adapters/cabinet"
	"github.com/kabinet/kabinet/adapters/cabinet/cabinettest"
	"github.com/kabinet/kabinet/commands"
	"github.com/kabinet/kabinet/domain/kz"
)

// newKit starts a kit and waits until its read models are live: the
// projections runner creates their views only once it has started, and an
// operation that reads one before then fails.
func newKit(t *testing.T, opts ...cabinettest.Options) *cabinettest.Kit {
	t.Helper()
	k := cabinettest.New(t, opts...)
	k.Settle(t)
	return k
}

// eachDatabase runs a behaviour test as parallel subtests on a kit over
// each database kabinet runs on: PostgreSQL and the embedded SQLite file.
// The test starts its kit with newKit(t, o), setting o.Config if it needs to.
func eachDatabase(t *testing.T, test func(t *testing.T, o cabinettest.Options)) {
	t.Helper()
	for _, db := range []struct {
		name   string
		sqlite bool
	}{{"postgres", false}, {"sqlite", true}} {
		t.Run(db.name, func(t *testing.T) {
			t.Parallel()
			test(t, cabinettest.Options{SQLite: db.sqlite})
		})
	}
}

// call runs an operation that must succeed and returns its response.
func call[R any](t *testing.T, k *cabinettest.Kit, name string, creds cabinet.Credentials, req any) *R {
	t.Helper()
	resp, err := k.Call(context.Background(), name, creds, req)
	require.NoError(t, err, "%s", name)
	out, ok := resp.(*R)
	require.True(t, ok, "%s answered %T", name, resp)
	return out
}

// refused runs an operation that must fail and returns the error the
// caller is told.
func refused(t *testing.T, k *cabinettest.Kit, name string, creds cabinet.Credentials, req any) *cabinet.Error {
	t.Helper()
	resp, err := k.Call(context.Background(), name, creds, req)
	require.Error(t, err, "%s answered %+v", name, resp)
	e, ok := cabinet.ErrorOf(err)
	require.True(t, ok, "%s: an error nobody mapped: %v", name, err)
	return e
}

// wantError checks the code and field of what a caller is told.
func wantError(t *testing.T, e *cabinet.Error, code cabinet.Code, field string) {
	t.Helper()
	assert.Equal(t, code, e.Code, "%v", e)
	assert.Equal(t, field, e.Field, "%v", e)
}

// session is the website's credentials with a client's session token.
func session(k *cabinettest.Kit, token string) cabinet.Credentials {
	c := k.Website()
	c.SessionToken = token
	return c
}

var sixDigits = regexp.MustCompile(`\b\d{6}\b`)

// smsCode is the code in the newest SMS to phone.
func smsCode(t *testing.T, k *cabinettest.Kit, phone kz.Phone) string {
	t.Helper()
	m, ok := k.SMS.Last(phone)
	require.True(t, ok, "no SMS went to the phone")
	code := sixDigits.FindString(m.Text)
	require.NotEmpty(t, code, "the SMS carries no code: %q", m.Text)
	return code
}

// smsTo counts the messages sent to phone.
func smsTo(k *cabinettest.Kit, phone kz.Phone) int {
	n := 0
	for _, m := range k.SMS.Sent() {
		if m.Phone == phone {
			n++
		}
	}
	return n
}

// login opens a session with a login and access code, which must be right.
func login(t *testing.T, k *cabinettest.Kit, login, code string) cabinet.Session {
	t.Helper()
	return call[cabinet.LoginResponse](t, k, "Login", k.Website(), &cabinet.LoginRequest{Login: login, AccessCode: code}).Session
}

// otherCode is a six-digit code that is not code.
func otherCode(code string) string {
	if code == "000000" {
		return "000001"
	}
	return "000000"
}

// waitFor waits until the read models show a command the test ran itself
// through kit.Deps (the kit's Settle knows only its own helpers' commands).
func waitFor(t *testing.T, k *cabinettest.Kit, res commands.Result, err error) {
	t.Helper()
	require.NoError(t, err)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	require.NoError(t, k.Runner.WaitFor(ctx, res.Position))
}

// retryAfter checks that a refusal asks to wait about want.
func retryAfter(t *testing.T, e *cabinet.Error, want time.Duration) {
	t.Helper()
	assert.InDelta(t, want.Seconds(), e.RetryAfter.Seconds(), 5, "retry after %s, want about %s", e.RetryAfter, want)
}

// dateTime parses a DateTime of a response.
func dateTime(t *testing.T, d cabinet.DateTime) time.Time {
	t.Helper()
	v, err := time.Parse(time.RFC3339, strings.TrimSpace(string(d)))
	require.NoError(t, err)
	return v
}
