package httpapi

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kabinet/kabinet/adapters/cabinet"
	"github.com/kabinet/kabinet/adapters/cabinet/cabinettest"
	"github.com/kabinet/kabinet/internal/logtest"
)

// bodyEndpoints are the routes that take a JSON body, in table order, so
// that a fuzz input's first byte picks the same route on every run.
func bodyEndpoints(t testing.TB) []*endpoint {
	t.Helper()
	eps, err := compile(routes, cabinet.Operations())
	require.NoError(t, err)
	var out []*endpoint
	for _, ep := range eps {
		if takesBody(ep.method) {
			out = append(out, ep)
		}
	}
	require.NotEmpty(t, out)
	return out
}

// filled is the route's path with every parameter set to value.
func filled(ep *endpoint, value string) string {
	return basePath + pathParam.ReplaceAllString(ep.path, value)
}

// bodySeeds are, for every body route, the JSON of its zero request (every
// member present) and a few hostile shapes.
func bodySeeds(f *testing.F, eps []*endpoint) {
	for i, ep := range eps {
		zero, err := json.Marshal(ep.op.NewRequest())
		require.NoError(f, err)
		for _, body := range [][]byte{
			zero, []byte(`{}`), []byte(``), []byte(`null`), []byte(`[]`), []byte(`{"a":1}`),
			[]byte(`{"` + strings.Repeat("x", 200) + `":1}`),
			[]byte(strings.Repeat(`{"a":`, 100) + `1` + strings.Repeat(`}`, 100)),
			[]byte(`{"login":"\u0000","points":1e999,"documents":[{"kind":null}],"content":"===="}`),
		} {
			f.Add(uint8(i), body)
		}
	}
}

// bindBody binds body as the route ep would, path parameters and all.
func bindBody(ep *endpoint, body []byte) (any, error) {
	r := httptest.NewRequest(ep.method, filled(ep, "p-1"), bytes.NewReader(body))
	r.Header.Set("Content-Type", "application/json")
	var req any
	var err error
	mux := http.NewServeMux()
	mux.HandleFunc(ep.method+" "+basePath+ep.path, func(w http.ResponseWriter, r *http.Request) {
		r.Body = http.MaxBytesReader(w, r.Body, maxBody)
		req = ep.op.NewRequest()
		err = ep.binding.bind(r, req)
	})
	mux.ServeHTTP(httptest.NewRecorder(), r)
	return req, err
}

// FuzzBindBody binds arbitrary bodies to every route that takes one. A
// refusal is a cabinet error the caller may see (malformed, or an invalid
// member) with a bounded text; a request that binds, sent again
// as JSON, binds to the same request.
func FuzzBindBody(f *testing.F) {
	eps := bodyEndpoints(f)
	bodySeeds(f, eps)
	f.Fuzz(func(t *testing.T, route uint8, body []byte) {
		ep := eps[int(route)%len(eps)]
		req, err := bindBody(ep, body)
		if err != nil {
			e, ok := cabinet.ErrorOf(err)
			require.True(t, ok, "%s: a refusal nobody mapped: %v", ep.op.Name, err)
			require.Contains(t, []cabinet.Code{cabinet.CodeMalformedRequest, cabinet.CodeInvalidArgument}, e.Code, "%v", e)
			assert.True(t, utf8.ValidString(e.Field) && utf8.ValidString(e.Message), "the answer is valid UTF-8: %q", e)
			assert.LessOrEqual(t, len(e.Field)+len(e.Message), 1024, "the answer quotes a bounded piece of the body")
			return
		}
		again, err := json.Marshal(req)
		require.NoError(t, err)
		var members map[string]any
		require.NoError(t, json.Unmarshal(again, &members))
		for _, m := range ep.binding.path {
			delete(members, m.name) // the path carries them
		}
		resent, err := json.Marshal(members)
		require.NoError(t, err)
		back, err := bindBody(ep, resent)
		require.NoError(t, err, "%s: what bound once must bind again: %s", ep.op.Name, resent)
		backJSON, err := json.Marshal(back)
		require.NoError(t, err)
		assert.JSONEq(t, string(again), string(backJSON))
	})
}

// FuzzHandlerBody sends arbitrary bodies through the handler to a running
// cabinet, with the credentials each route needs, so that what binds also
// runs. Whatever the body, the answer is the operation's JSON or a problem
// document the caller is meant to get, never INTERNAL, and nothing is
// logged as an error.
func FuzzHandlerBody(f *testing.F) {
	eps := bodyEndpoints(f)
	bodySeeds(f, eps)
	kit := cabinettest.New(f)
	alice := kit.Client(f)
	leaver := kit.Client(f) // Logout ends this session, not alice's
	logs := &logtest.Buffer{}
	h, err := NewHandler(kit.Service, Config{Logger: slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))})
	require.NoError(f, err)
	policy := kit.Policy(f, alice, cabinettest.PolicyOptions{Installments: 2})

	f.Fuzz(func(t *testing.T, route uint8, body []byte) {
		ep := eps[int(route)%len(eps)]
		// Every path parameter names the client's policy: the policy
		// routes find it, the others refuse it as not theirs.
		r := httptest.NewRequest(ep.method, filled(ep, policy.ID.String()), bytes.NewReader(body))
		r.Header.Set("Content-Type", "application/json")
		switch {
		case ep.op.Access == cabinet.InsurerSystem:
			r.Header.Set("X-API-Key", kit.InsurerKey)
		case ep.op.Name == "Logout":
			r.Header.Set("X-API-Key", kit.WebsiteKey)
			r.Header.Set("Authorization", "Bearer "+leaver.Session.SessionToken)
		default:
			r.Header.Set("X-API-Key", kit.WebsiteKey)
			r.Header.Set("Authorization", "Bearer "+alice.Session.SessionToken)
		}
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)

		require.NotEqual(t, http.StatusInternalServerError, w.Code, "%s: %s", ep.op.Name, w.Body)
		require.True(t, json.Valid(w.Body.Bytes()), "%s: the answer is JSON: %s", ep.op.Name, w.Body)
		if w.Code != http.StatusOK {
			require.Equal(t, "application/problem+json", w.Header().Get("Content-Type"))
			var p problem
			require.NoError(t, json.Unmarshal(w.Body.Bytes(), &p))
			assert.Equal(t, w.Code, (&cabinet.Error{Code: cabinet.Code(p.Code)}).Status(), "the status is the code's: %s", w.Body)
		}
		require.NotContains(t, logs.String(), `"level":"ERROR"`, "%s: nothing failed inside", ep.op.Name)
	})
}
