package httpapi

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kabinet/kabinet/adapters/cabinet"
	"github.com/kabinet/kabinet/adapters/cabinet/cabinettest"
	"github.com/kabinet/kabinet/internal/sqldb"
)

func TestProblems(t *testing.T) {
	a := newAPI(t)
	key := a.kit.WebsiteKey
	login := func(body any) call {
		return call{method: http.MethodPost, path: "/sessions", key: key, body: body, outside: true}
	}
	tests := []struct {
		name   string
		call   call
		status int
		code   cabinet.Code
		field  string
	}{
		{"bad JSON", login(`{"login":`), 400, cabinet.CodeMalformedRequest, ""},
		{"not an object", login(`["login"]`), 400, cabinet.CodeMalformedRequest, ""},
		{"null body", login(`null`), 400, cabinet.CodeMalformedRequest, ""},
		{"two values", login(`{} {}`), 400, cabinet.CodeMalformedRequest, ""},
		{"over 1 MiB", login(`{"login":"` + strings.Repeat("7", maxBody) + `"}`), 400, cabinet.CodeMalformedRequest, ""},
		{"not JSON content", call{method: http.MethodPost, path: "/sessions", key: key, body: `login=1`, outside: true,
			header: map[string]string{"Content-Type": "application/x-www-form-urlencoded"}}, 400, cabinet.CodeMalformedRequest, ""},
		{"unknown member", login(map[string]any{"login": "870412300415", "accessCode": "1234", "remember": true}), 400, cabinet.CodeInvalidArgument, "remember"},
		{"names match exactly", login(map[string]any{"Login": "870412300415", "accessCode": "1234"}), 400, cabinet.CodeInvalidArgument, "Login"},
		{"wrong type", login(map[string]any{"login": 87012345678, "accessCode": "1234"}), 400, cabinet.CodeInvalidArgument, "login"},
		{"missing member", login(map[string]any{"login": "870412300415"}), 400, cabinet.CodeInvalidArgument, "accessCode"},
		{"unknown nested member", call{method: http.MethodPut, path: "/me/settings", key: key, outside: true,
			body: `{"settings":{"sms":true}}`}, 400, cabinet.CodeInvalidArgument, "settings.sms"},
		{"wrong type in a list", call{method: http.MethodPost, path: "/insurer/policies", key: a.kit.InsurerKey, outside: true,
			body: `{"installments":[{"number":1,"dueOn":"2026-01-01","amount":"1.00"},{"number":"two"}]}`}, 400, cabinet.CodeInvalidArgument, "installments[1].number"},
		{"integer out of range", call{method: http.MethodPost, path: "/bonus/spend", key: key, outside: true,
			body: `{"orderRef":"A","points":1e30}`}, 400, cabinet.CodeInvalidArgument, "points"},
		{"not an integer", call{method: http.MethodPost, path: "/bonus/spend", key: key, outside: true,
			body: `{"orderRef":"A","points":1.5}`}, 400, cabinet.CodeInvalidArgument, "points"},
		{"path member in the body", call{method: http.MethodPost, path: "/registrations/" + uuid.NewString() + "/confirm", key: key, outside: true,
			body: map[string]string{"code": "1234", "registrationId": uuid.NewString()}}, 400, cabinet.CodeInvalidArgument, "registrationId"},
		{"unknown query parameter", call{method: http.MethodGet, path: "/policies?buket=active", key: key, outside: true}, 400, cabinet.CodeInvalidArgument, "buket"},
		{"query on a body operation", call{method: http.MethodPost, path: "/sessions?login=1", key: key, outside: true,
			body: map[string]string{"login": "870412300415", "accessCode": "1234"}}, 400, cabinet.CodeInvalidArgument, "login"},
		{"repeated query parameter", call{method: http.MethodGet, path: "/policies?bucket=active&bucket=history", key: key, outside: true}, 400, cabinet.CodeInvalidArgument, "bucket"},
		{"not a boolean", call{method: http.MethodGet, path: "/notifications?unreadOnly=yes", key: key, outside: true}, 400, cabinet.CodeInvalidArgument, "unreadOnly"},
		{"unknown route", call{method: http.MethodGet, path: "/clients", key: key, outside: true}, 404, cabinet.CodeUnknownOperation, ""},
		{"trailing slash", call{method: http.MethodGet, path: "/policies/", key: key, outside: true}, 404, cabinet.CodeUnknownOperation, ""},
		{"wrong method", call{method: http.MethodDelete, path: "/policies", key: key, outside: true}, 405, cabinet.CodeUnknownOperation, ""},
		{"wrong method with a parameter", call{method: http.MethodPut, path: "/policies/" + uuid.NewString(), key: key, outside: true}, 405, cabinet.CodeUnknownOperation, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := a.on(t).fails(tt.call, tt.status, tt.code)
			assert.Equal(t, tt.field, p.Field)
			assert.NotEmpty(t, p.Detail)
			assert.Equal(t, title(tt.code), p.Title)
		})
	}
}

func TestMethodNotAllowedSaysWhichMethods(t *testing.T) {
	a := newAPI(t)
	r := a.do(call{method: http.MethodPatch, path: "/me/settings", key: a.kit.WebsiteKey, outside: true})
	require.Equal(t, http.StatusMethodNotAllowed, r.status)
	assert.Equal(t, "GET, HEAD, PUT", r.header.Get("Allow"))
	a.validProblem(r)
}

func TestRequestIDIsEchoed(t *testing.T) {
	a := newAPI(t)
	r := a.do(call{method: http.MethodGet, path: "/policies", key: a.kit.WebsiteKey, outside: true,
		header: map[string]string{"X-Request-ID": "site-42-abc"}})
	assert.Equal(t, "site-42-abc", r.header.Get("X-Request-ID"))
	assert.Equal(t, "site-42-abc", a.validProblem(r).RequestID)

	// A header that is no sensible token is replaced, not echoed.
	r = a.do(call{method: http.MethodGet, path: "/policies", key: a.kit.WebsiteKey, outside: true,
		header: map[string]string{"X-Request-ID": "two words"}})
	_, err := uuid.Parse(r.header.Get("X-Request-ID"))
	assert.NoError(t, err)
}

func TestUnclassifiedErrorsAreLoggedOnceAndNotExplained(t *testing.T) {
	kit := cabinettest.New(t)
	c := kit.Client(t)
	// A service whose database pool is closed fails every query with an
	// error nobody classified.
	pool, err := pgxpool.New(context.Background(), kit.Pool.Config().ConnString())
	require.NoError(t, err)
	pool.Close()
	deps := kit.Deps
	deps.DB = sqldb.FromPgx(pool)
	svc, err := cabinet.New(deps, cabinet.Config{})
	require.NoError(t, err)
	a := serveAPI(t, kit, svc)

	r := a.do(call{method: http.MethodGet, path: "/policies", header: map[string]string{"X-Request-ID": "req-internal-1"}}.as(c.Session))
	require.Equal(t, http.StatusInternalServerError, r.status, "%s", r.body)
	p := a.validProblem(r)
	assert.Equal(t, string(cabinet.CodeInternal), p.Code)
	assert.NotContains(t, strings.ToLower(string(r.body)), "pool", "the cause is not echoed")
	assert.NotContains(t, strings.ToLower(string(r.body)), "api key")

	logs := a.logs.String()
	assert.Equal(t, 1, strings.Count(logs, `"correlation_id":"req-internal-1"`), logs)
	assert.Contains(t, logs, `"operation":"ListPolicies"`)
	assert.Contains(t, logs, `"level":"ERROR"`)
	assert.NotContains(t, logs, c.Session.SessionToken, "no secret in the logs")
}
