package partnerhttp

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/google/uuid"
)

// Config tunes a Client. Partner and BaseURL are required; the zero values of
// the others are usable.
type Config struct {
	// Partner names the partner in errors and logs, e.g. "kias".
	Partner string
	// BaseURL is the scheme, host and an optional path prefix that request
	// paths are appended to, e.g. "https://kias.example.kz/api/v1".
	BaseURL string
	// Header is sent with every request, e.g. the partner's API key.
	Header http.Header
	// Username and Password are sent as HTTP basic auth when Username is set.
	Username string
	Password string
	// AttemptTimeout bounds one attempt, answer included; 0 means 10 s.
	AttemptTimeout time.Duration
	// MaxAttempts bounds the attempts of one call; 0 means 4.
	MaxAttempts int
	// MinBackoff is the wait before the second attempt, doubled for each
	// later one up to MaxBackoff; 0 means 100 ms and 5 s.
	MinBackoff time.Duration
	MaxBackoff time.Duration
	// MaxRetryAfter is the longest Retry-After the client waits for; a longer
	// one ends the call with Error.RetryAfter set. 0 means 30 s.
	MaxRetryAfter time.Duration
	// MaxResponseBytes bounds an answer's body; 0 means 8 MiB.
	MaxResponseBytes int64
	// HTTPClient sends the requests; nil means a client of its own. Its
	// Timeout, if any, applies on top of AttemptTimeout.
	HTTPClient *http.Client
	// Logger receives a warning for every retry; nil discards them.
	Logger *slog.Logger
}

func (c *Config) setDefaults() {
	if c.AttemptTimeout == 0 {
		c.AttemptTimeout = 10 * time.Second
	}
	if c.MaxAttempts == 0 {
		c.MaxAttempts = 4
	}
	if c.MinBackoff == 0 {
		c.MinBackoff = 100 * time.Millisecond
	}
	if c.MaxBackoff == 0 {
		c.MaxBackoff = 5 * time.Second
	}
	if c.MaxRetryAfter == 0 {
		c.MaxRetryAfter = 30 * time.Second
	}
	if c.MaxResponseBytes == 0 {
		c.MaxResponseBytes = 8 << 20
	}
	if c.HTTPClient == nil {
		c.HTTPClient = &http.Client{Transport: http.DefaultTransport.(*http.Transport).Clone()}
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
}

// Validate reports every problem of the configuration at once.
func (c Config) Validate() error {
	var errs []error
	if strings.TrimSpace(c.Partner) == "" {
		errs = append(errs, errors.New("Partner is required"))
	}
	if err := checkBaseURL(c.BaseURL); err != nil {
		errs = append(errs, err)
	}
	if c.AttemptTimeout < 0 || c.MinBackoff < 0 || c.MaxBackoff < 0 || c.MaxRetryAfter < 0 {
		errs = append(errs, errors.New("durations must not be negative"))
	}
	if c.MinBackoff > 0 && c.MaxBackoff > 0 && c.MinBackoff > c.MaxBackoff {
		errs = append(errs, errors.New("MinBackoff must not exceed MaxBackoff"))
	}
	if c.MaxAttempts < 0 {
		errs = append(errs, errors.New("MaxAttempts must not be negative"))
	}
	if c.MaxResponseBytes < 0 {
		errs = append(errs, errors.New("MaxResponseBytes must not be negative"))
	}
	return errors.Join(errs...)
}

func checkBaseURL(s string) error {
	if s == "" {
		return errors.New("BaseURL is required")
	}
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return errors.New("BaseURL must be an absolute http or https URL")
	}
	if u.RawQuery != "" || u.Fragment != "" {
		return errors.New("BaseURL must have no query or fragment")
	}
	// Every partner call carries credentials: plain http only to this machine.
	if u.Scheme == "http" && !Loopback(u.Hostname()) {
		return errors.New("BaseURL must use https; plain http is allowed only for a partner on this machine")
	}
	return nil
}

// Loopback reports whether host names this machine.
func Loopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// Request is one call to a partner.
type Request struct {
	Method string
	// Path is appended to BaseURL, already escaped (url.PathEscape each
	// value put into it).
	Path string
	// Route is Path's pattern ("/clients/{iin}"), named in errors and logs
	// instead of Path, which may hold personal data; "" means Path.
	Route string
	Query url.Values
	// Body is sent as JSON; nil sends no body. A json.RawMessage is sent
	// byte for byte, which a signed body needs.
	Body any
	// Header is added to this request only.
	Header http.Header
	// IdempotencyKey is sent with a write on every attempt; "" gives the
	// call a random key of its own. Reads send none.
	IdempotencyKey string
}

// Client calls one partner. It is safe for concurrent use.
type Client struct {
	cfg   Config
	base  string
	sleep func(ctx context.Context, d time.Duration) error
}

// New checks cfg and returns a Client.
func New(cfg Config) (*Client, error) {
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("partner client %s: %w", cfg.Partner, err)
	}
	cfg.setDefaults()
	return &Client{cfg: cfg, base: strings.TrimRight(cfg.BaseURL, "/"), sleep: sleep}, nil
}

// Partner is the name the client reports in errors.
func (c *Client) Partner() string { return c.cfg.Partner }

// Do sends req, retrying as the package documentation says, and decodes a
// 2xx answer's JSON body into out (nil ignores the body). Any failure is an
// *Error; a non-2xx answer has its Status set.
func (c *Client) Do(ctx context.Context, req Request, out any) error {
	route := req.Route
	if route == "" {
		route = req.Path
	}
	fail := func(attempts, status int, err error) *Error {
		return &Error{Partner: c.cfg.Partner, Method: req.Method, Route: route, Status: status, Attempts: attempts, Err: err}
	}
	var body []byte
	switch b := req.Body.(type) {
	case nil:
	case json.RawMessage:
		body = b
	default:
		var err error
		if body, err = json.Marshal(b); err != nil {
			return fail(0, 0, fmt.Errorf("encode request: %w", err))
		}
	}
	key := req.IdempotencyKey
	if key == "" && isWrite(req.Method) {
		key = uuid.NewString()
	}
	for attempt := 1; ; attempt++ {
		res := c.attempt(ctx, req, body, key, out)
		if res.err == nil {
			return nil
		}
		cause := res.err
		if errors.Is(cause, errStatus) {
			cause = nil
		}
		e := fail(attempt, res.status, cause)
		if !res.retry || ctx.Err() != nil || attempt >= c.cfg.MaxAttempts {
			return e
		}
		wait := c.backoff(attempt)
		if res.retryAfter > 0 {
			wait = res.retryAfter
			if wait > c.cfg.MaxRetryAfter {
				e.RetryAfter = wait
				return e
			}
		}
		if deadline, ok := ctx.Deadline(); ok && time.Until(deadline) < wait {
			e.RetryAfter = res.retryAfter
			return e
		}
		c.cfg.Logger.WarnContext(ctx, "partner call retried", "partner", c.cfg.Partner, "method", req.Method,
			"route", route, "status", res.status, "attempt", attempt, "wait", wait, "error", res.err)
		if err := c.sleep(ctx, wait); err != nil {
			return e
		}
	}
}

// outcome is what one attempt came to.
type outcome struct {
	status     int // 0 when no answer arrived
	err        error
	retry      bool
	retryAfter time.Duration
}

func (c *Client) attempt(ctx context.Context, req Request, body []byte, key string, out any) outcome {
	actx, cancel := context.WithTimeout(ctx, c.cfg.AttemptTimeout)
	defer cancel()
	hreq, err := c.newRequest(actx, req, body, key)
	if err != nil {
		return outcome{err: err}
	}
	resp, err := c.cfg.HTTPClient.Do(hreq)
	if err != nil {
		return c.transportFailure(ctx, actx, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		// Drain a little so the connection can be reused; the body itself
		// is never looked at.
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
		return outcome{
			status:     resp.StatusCode,
			err:        errStatus,
			retry:      resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode >= 500,
			retryAfter: retryAfter(resp.Header.Get("Retry-After"), time.Now()),
		}
	}
	raw, err := io.ReadAll(io.LimitReader(resp.Body, c.cfg.MaxResponseBytes+1))
	if err != nil {
		o := c.transportFailure(ctx, actx, err)
		o.status = resp.StatusCode
		return o
	}
	if int64(len(raw)) > c.cfg.MaxResponseBytes {
		return outcome{status: resp.StatusCode, err: fmt.Errorf("answer is larger than %d bytes", c.cfg.MaxResponseBytes)}
	}
	if out != nil && len(bytes.TrimSpace(raw)) > 0 {
		if err := json.Unmarshal(raw, out); err != nil {
			return outcome{status: resp.StatusCode, err: fmt.Errorf("decode answer: %w", err)}
		}
	}
	return outcome{status: resp.StatusCode}
}

func (c *Client) newRequest(ctx context.Context, req Request, body []byte, key string) (*http.Request, error) {
	target := c.base + req.Path
	if len(req.Query) > 0 {
		target += "?" + req.Query.Encode()
	}
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	hreq, err := http.NewRequestWithContext(ctx, req.Method, target, rd)
	if err != nil {
		// The error would quote the URL; say only what was wrong.
		return nil, errors.New("build request: invalid method or path")
	}
	for k, vs := range c.cfg.Header {
		hreq.Header[k] = append([]string(nil), vs...)
	}
	for k, vs := range req.Header {
		hreq.Header[k] = append([]string(nil), vs...)
	}
	hreq.Header.Set("Accept", "application/json")
	if body != nil {
		hreq.Header.Set("Content-Type", "application/json")
	}
	if key != "" && isWrite(req.Method) {
		hreq.Header.Set("Idempotency-Key", key)
	}
	if c.cfg.Username != "" {
		hreq.SetBasicAuth(c.cfg.Username, c.cfg.Password)
	}
	return hreq, nil
}

// transportFailure describes an attempt that got no usable answer. The URL is
// dropped from the error: its path may hold personal data.
func (c *Client) transportFailure(ctx, actx context.Context, err error) outcome {
	if ctx.Err() != nil {
		return outcome{err: ctx.Err()}
	}
	if errors.Is(actx.Err(), context.DeadlineExceeded) {
		return outcome{err: fmt.Errorf("%w after %s", ErrTimeout, c.cfg.AttemptTimeout), retry: true}
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	return outcome{err: err, retry: true}
}

// errStatus marks an attempt answered with a non-2xx status; the Error
// carries the status and no cause.
var errStatus = errors.New("unexpected status")

func isWrite(method string) bool {
	switch method {
	case http.MethodGet, http.MethodHead, http.MethodOptions:
		return false
	}
	return true
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
