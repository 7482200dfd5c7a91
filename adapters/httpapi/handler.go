package httpapi

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"runtime/debug"
	"sort"
	"strings"

	"github.com/kabinet/kabinet/adapters/cabinet"
)

// Config tunes the handler. The zero value is usable.
type Config struct {
	// Logger receives the errors the cabinet did not classify, once each,
	// with the request ID. Nil discards them.
	Logger *slog.Logger
	// ServerURL is the servers entry of the OpenAPI document: where the API
	// is reached, e.g. "https://cabinet.example.kz/api/v1". Empty means
	// "/api/v1", relative to wherever the document was fetched from.
	ServerURL string
}

// Validate reports every problem of the configuration at once.
func (c Config) Validate() error {
	if c.ServerURL == "" {
		return nil
	}
	u, err := url.Parse(c.ServerURL)
	if err != nil || (!u.IsAbs() && !strings.HasPrefix(c.ServerURL, "/")) || (u.IsAbs() && u.Host == "") {
		return fmt.Errorf("ServerURL %q: want an absolute URL or a path starting with /", c.ServerURL)
	}
	return nil
}

func (c *Config) setDefaults() {
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	if c.ServerURL == "" {
		c.ServerURL = basePath
	}
}

// Handler serves the JSON API under /api/v1/. It is safe for concurrent use.
type Handler struct {
	svc      *cabinet.Service
	log      *slog.Logger
	mux      *http.ServeMux
	document []byte // the OpenAPI document, generated once
}

// NewHandler builds the routes of every cabinet operation and their OpenAPI
// document. It fails when the route table and the operations disagree or a
// wire type cannot be described, which the package's tests catch.
func NewHandler(svc *cabinet.Service, cfg Config) (*Handler, error) {
	if svc == nil {
		return nil, errors.New("httpapi: a cabinet service is required")
	}
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("httpapi: %w", err)
	}
	cfg.setDefaults()
	eps, err := compile(routes, cabinet.Operations())
	if err != nil {
		return nil, fmt.Errorf("httpapi: %w", err)
	}
	doc, err := buildDocument(eps, cfg.ServerURL)
	if err != nil {
		return nil, fmt.Errorf("httpapi: openapi document: %w", err)
	}
	h := &Handler{svc: svc, log: cfg.Logger, mux: http.NewServeMux(), document: doc}
	if err := h.register(eps); err != nil {
		return nil, fmt.Errorf("httpapi: %w", err)
	}
	return h, nil
}

// ServeHTTP serves a request under /api/v1/. The handler sees the whole
// path, so it is mounted as is: mux.Handle("/api/v1/", h).
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) { h.mux.ServeHTTP(w, r) }

func (h *Handler) register(eps []*endpoint) (err error) {
	defer func() { // ServeMux panics on conflicting patterns
		if p := recover(); p != nil {
			err = fmt.Errorf("routes: %v", p)
		}
	}()
	methods := make(map[string][]string) // path → its methods, for 405
	var paths []string
	add := func(method, path string, handler http.Handler) {
		h.mux.Handle(method+" "+basePath+path, handler)
		if methods[path] == nil {
			paths = append(paths, path)
		}
		methods[path] = append(methods[path], method)
	}
	for _, ep := range eps {
		add(ep.method, ep.path, h.endpoint(ep))
	}
	add(http.MethodGet, "/openapi.json", http.HandlerFunc(h.serveDocument))
	for _, path := range paths {
		h.mux.Handle(basePath+path, methodNotAllowed(methods[path]))
	}
	h.mux.HandleFunc(basePath+"/", func(w http.ResponseWriter, r *http.Request) {
		writeProblem(w, requestID(w, r), &cabinet.Error{Code: cabinet.CodeUnknownOperation,
			Message: "no operation at this path; the operations are listed in " + basePath + "/openapi.json"})
	})
	return nil
}

// methodNotAllowed answers a known path called with another method.
func methodNotAllowed(methods []string) http.Handler {
	allow := append([]string(nil), methods...)
	for _, m := range methods {
		if m == http.MethodGet {
			allow = append(allow, http.MethodHead)
		}
	}
	sort.Strings(allow)
	list := strings.Join(allow, ", ")
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id := requestID(w, r)
		w.Header().Set("Allow", list)
		writeProblemStatus(w, id, &cabinet.Error{Code: cabinet.CodeUnknownOperation,
			Message: "this path takes " + list}, http.StatusMethodNotAllowed)
	})
}

func (h *Handler) serveDocument(w http.ResponseWriter, r *http.Request) {
	requestID(w, r)
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "public, max-age=300")
	_, _ = w.Write(h.document)
}

// endpoint serves one operation.
func (h *Handler) endpoint(ep *endpoint) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id := requestID(w, r)
		defer h.catch(w, r, ep, id)
		if takesBody(ep.method) {
			r.Body = http.MaxBytesReader(w, r.Body, maxBody)
		}
		req := ep.op.NewRequest()
		if err := ep.binding.bind(r, req); err != nil {
			h.fail(w, r, ep, id, err)
			return
		}
		resp, err := h.svc.Invoke(r.Context(), ep.op, cabinet.CredentialsFrom(r.Header, id), req)
		if err != nil {
			h.fail(w, r, ep, id, err)
			return
		}
		if ep.download != "" && prefers(r.Header.Get("Accept"), ep.download) && writeDownload(w, ep.download, resp) {
			return
		}
		if err := writeJSON(w, resp); err != nil {
			h.fail(w, r, ep, id, fmt.Errorf("encode the response: %w", err))
		}
	})
}

// fail answers with the error the caller may see, and logs the ones the
// cabinet did not classify.
func (h *Handler) fail(w http.ResponseWriter, r *http.Request, ep *endpoint, id string, err error) {
	e, ok := cabinet.ErrorOf(err)
	if !ok {
		level := slog.LevelError
		if errors.Is(r.Context().Err(), context.Canceled) {
			level = slog.LevelDebug // the caller went away
		}
		h.log.Log(r.Context(), level, "operation failed", "correlation_id", id, "operation", ep.op.Name, "error", err)
	}
	writeProblem(w, id, e)
}

// catch answers INTERNAL for a panic in an operation, logged with its stack,
// rather than dropping the connection.
func (h *Handler) catch(w http.ResponseWriter, r *http.Request, ep *endpoint, id string) {
	p := recover()
	if p == nil {
		return
	}
	if p == http.ErrAbortHandler {
		panic(p)
	}
	h.log.ErrorContext(r.Context(), "operation panicked", "correlation_id", id, "operation", ep.op.Name,
		"panic", fmt.Sprint(p), "stack", string(debug.Stack()))
	e, _ := cabinet.ErrorOf(errors.New("panic"))
	writeProblem(w, id, e)
}

// requestID is the caller's X-Request-ID when it is a sensible token, or a
// new one; either way it is echoed in the response.
func requestID(w http.ResponseWriter, r *http.Request) string {
	id := cabinet.RequestID(r.Header)
	w.Header().Set("X-Request-ID", id)
	return id
}
