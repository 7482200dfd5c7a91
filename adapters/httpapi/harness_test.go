package httpapi

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/legacy"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kabinet/kabinet/adapters/cabinet"
	"github.com/kabinet/kabinet/adapters/cabinet/cabinettest"
	"github.com/kabinet/kabinet/internal/logtest"
)

// api is the JSON API of a running cabinet, called over loopback. Every
// request it sends and every response it gets is validated against the
// OpenAPI document the server serves.
type api struct {
	t      *testing.T
	kit    *cabinettest.Kit
	srv    *httptest.Server
	doc    *openapi3.T
	router routers.Router
	logs   *logtest.Buffer
}

func newAPI(t *testing.T, opts ...cabinettest.Options) *api {
	t.Helper()
	kit := cabinettest.New(t, opts...)
	return serveAPI(t, kit, kit.Service)
}

// serveAPI serves svc, a service over kit's database.
func serveAPI(t *testing.T, kit *cabinettest.Kit, svc *cabinet.Service) *api {
	t.Helper()
	logs := &logtest.Buffer{}
	srv := httptest.NewUnstartedServer(nil)
	h, err := NewHandler(svc, Config{
		Logger:    slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
		ServerURL: "http://" + srv.Listener.Addr().String() + basePath,
	})
	require.NoError(t, err)
	mux := http.NewServeMux()
	mux.Handle(basePath+"/", h) // mounted as the serve command mounts it
	srv.Config.Handler = mux
	srv.Start()
	t.Cleanup(srv.Close)

	resp, err := srv.Client().Get(srv.URL + basePath + "/openapi.json")
	require.NoError(t, err)
	defer resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.Equal(t, "application/json", resp.Header.Get("Content-Type"))
	data, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	doc := loadDocument(t, data)
	router, err := legacy.NewRouter(doc)
	require.NoError(t, err)
	return &api{t: t, kit: kit, srv: srv, doc: doc, router: router, logs: logs}
}

// on is a with failures reported to t, for subtests.
func (a *api) on(t *testing.T) *api {
	c := *a
	c.t = t
	return &c
}

// call is one request.
type call struct {
	method string
	path   string // below /api/v1, with its query
	body   any    // marshalled to JSON; a string or []byte is sent as is
	key    string // X-API-Key
	token  string // the bearer token
	header map[string]string
	// outside says the request is deliberately outside the document (no
	// key, bad JSON, an unknown route…): it is not validated, its response
	// still is.
	outside bool
}

// as sets the credentials of a call.
func (c call) as(creds cabinet.Credentials) call {
	c.key, c.token = creds.APIKey, creds.SessionToken
	return c
}

// reply is a response, read in full.
type reply struct {
	status int
	header http.Header
	body   []byte
}

func (a *api) do(c call) reply {
	a.t.Helper()
	var body []byte
	switch b := c.body.(type) {
	case nil:
	case string:
		body = []byte(b)
	case []byte:
		body = b
	default:
		var err error
		body, err = json.Marshal(b)
		require.NoError(a.t, err)
	}
	newRequest := func() *http.Request {
		var r io.Reader
		if body != nil {
			r = bytes.NewReader(body)
		}
		req, err := http.NewRequest(c.method, a.srv.URL+basePath+c.path, r)
		require.NoError(a.t, err)
		if body != nil {
			req.Header.Set("Content-Type", "application/json")
		}
		if c.key != "" {
			req.Header.Set("X-API-Key", c.key)
		}
		if c.token != "" {
			req.Header.Set("Authorization", "Bearer "+c.token)
		}
		for k, v := range c.header {
			req.Header.Set(k, v)
		}
		return req
	}

	ctx := context.Background()
	var input *openapi3filter.RequestValidationInput
	if route, params, err := a.router.FindRoute(newRequest()); err == nil {
		input = &openapi3filter.RequestValidationInput{Request: newRequest(), PathParams: params, Route: route,
			Options: &openapi3filter.Options{AuthenticationFunc: presentCredentials, MultiError: true}}
		if !c.outside {
			require.NoError(a.t, openapi3filter.ValidateRequest(ctx, input), "%s %s: the request is not what the document says", c.method, c.path)
		}
	} else {
		require.True(a.t, c.outside, "%s %s: no such operation in the document: %v", c.method, c.path, err)
	}

	resp, err := a.srv.Client().Do(newRequest())
	require.NoError(a.t, err)
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	require.NoError(a.t, err)
	out := reply{status: resp.StatusCode, header: resp.Header, body: data}

	assert.NotEmpty(a.t, resp.Header.Get("X-Request-ID"), "every answer names its request")
	if input != nil {
		input.Request = newRequest()
		err = openapi3filter.ValidateResponse(ctx, &openapi3filter.ResponseValidationInput{
			RequestValidationInput: input, Status: resp.StatusCode, Header: resp.Header,
			Body: io.NopCloser(bytes.NewReader(data)),
			Options: &openapi3filter.Options{IncludeResponseStatus: true, MultiError: true,
				SchemaValidationOptions: []openapi3.SchemaValidationOption{openapi3.EnableFormatValidation()}},
		})
		require.NoError(a.t, err, "%s %s: the response is not what the document says:\n%s", c.method, c.path, data)
	} else {
		a.validProblem(out) // no operation to check against: it must be a problem
	}
	return out
}

// presentCredentials accepts a security requirement whose header is there;
// whether its value is right is the server's to say.
func presentCredentials(_ context.Context, in *openapi3filter.AuthenticationInput) error {
	r := in.RequestValidationInput.Request
	switch in.SecurityScheme.Type {
	case "apiKey":
		if r.Header.Get(in.SecurityScheme.Name) == "" {
			return in.NewError(nil)
		}
	case "http":
		if !strings.HasPrefix(r.Header.Get("Authorization"), "Bearer ") {
			return in.NewError(nil)
		}
	}
	return nil
}

// validProblem checks a problem against the document's Problem schema.
func (a *api) validProblem(r reply) problem {
	a.t.Helper()
	require.Equal(a.t, "application/problem+json", r.header.Get("Content-Type"), "%s", r.body)
	var v any
	require.NoError(a.t, json.Unmarshal(r.body, &v))
	require.NoError(a.t, a.doc.Components.Schemas["Problem"].Value.VisitJSON(v), "%s", r.body)
	var p problem
	require.NoError(a.t, json.Unmarshal(r.body, &p))
	assert.Equal(a.t, r.status, p.Status)
	assert.Equal(a.t, r.header.Get("X-Request-ID"), p.RequestID)
	assert.Equal(a.t, problemType+p.Code, p.Type)
	return p
}

// ok calls and decodes a 200 answer into out.
func (a *api) ok(c call, out any) reply {
	a.t.Helper()
	r := a.do(c)
	require.Equal(a.t, http.StatusOK, r.status, "%s %s: %s", c.method, c.path, r.body)
	if out != nil {
		require.NoError(a.t, json.Unmarshal(r.body, out))
	}
	return r
}

// fails calls and expects a problem of a code at a status.
func (a *api) fails(c call, status int, code cabinet.Code) problem {
	a.t.Helper()
	r := a.do(c)
	require.Equal(a.t, status, r.status, "%s %s: %s", c.method, c.path, r.body)
	p := a.validProblem(r)
	require.Equal(a.t, string(code), p.Code, "%s %s: %s", c.method, c.path, r.body)
	return p
}
