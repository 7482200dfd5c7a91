package sms

import (
	"bytes"
	"context"
	crand "crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/kabinet/kabinet/domain/kz"

	"github.com/kabinet/kabinet/internal/partnerhttp"
)

// sendPath is where an SMSC-style gateway takes messages.
const sendPath = "/sys/send.php"

// maxAnswer bounds what is read of an answer; a real one is under 100 bytes.
const maxAnswer = 64 << 10

// Config tunes a Client. URL and the credentials are required.
type Config struct {
	// URL is the gateway's base address, "https://smsc.kz"; the client
	// posts to URL + "/sys/send.php". Plain http is accepted only for a
	// gateway on this machine.
	URL string

	// Login and Password, or APIKey instead of both, identify kabinet to
	// the gateway. They travel in the POST body, never in the URL.
	Login    string
	Password string
	APIKey   string

	Sender string // the sender name registered with the gateway; empty for its default

	Timeout    time.Duration // bound of one attempt; default 10 s
	Attempts   int           // tries of one Send, the first included; default 3
	Backoff    time.Duration // pause after the first failed try, doubled after each; default 250 ms
	MaxBackoff time.Duration // the longest pause, Retry-After included; default 5 s

	HTTPClient *http.Client // default: a client of its own
	Logger     *slog.Logger // retries are logged at warn level; default: discard
}

func (c *Config) setDefaults() {
	if c.Timeout == 0 {
		c.Timeout = 10 * time.Second
	}
	if c.Attempts == 0 {
		c.Attempts = 3
	}
	if c.Backoff == 0 {
		c.Backoff = 250 * time.Millisecond
	}
	if c.MaxBackoff == 0 {
		c.MaxBackoff = 5 * time.Second
	}
	if c.HTTPClient == nil {
		c.HTTPClient = &http.Client{}
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
}

// Validate reports every problem of the configuration at once. Unset
// fields that have a default are not problems.
func (c Config) Validate() error {
	var errs []error
	if c.URL == "" {
		errs = append(errs, errors.New("url is required"))
	} else if u, err := url.Parse(c.URL); err != nil {
		errs = append(errs, errors.New("url does not parse"))
	} else {
		switch {
		case u.Host == "":
			errs = append(errs, errors.New("url must be absolute, https://host"))
		case u.Scheme == "http" && !partnerhttp.Loopback(u.Hostname()):
			errs = append(errs, errors.New("url must be https unless the gateway is on this machine"))
		case u.Scheme != "https" && u.Scheme != "http":
			errs = append(errs, fmt.Errorf("url scheme %q: want https", u.Scheme))
		}
		if u.User != nil || u.RawQuery != "" || u.Fragment != "" {
			errs = append(errs, errors.New("url must carry no credentials, query or fragment"))
		}
	}
	switch {
	case c.APIKey != "" && (c.Login != "" || c.Password != ""):
		errs = append(errs, errors.New("set either the api key or the login and password"))
	case c.APIKey == "" && (c.Login == "" || c.Password == ""):
		errs = append(errs, errors.New("an api key, or a login and a password, are required"))
	}
	if strings.ContainsFunc(c.Sender, func(r rune) bool { return r < ' ' }) {
		errs = append(errs, errors.New("sender must be printable"))
	}
	if c.Timeout < 0 || c.Backoff < 0 || c.MaxBackoff < 0 {
		errs = append(errs, errors.New("durations must not be negative"))
	}
	if c.Attempts < 0 {
		errs = append(errs, errors.New("attempts must not be negative"))
	}
	return errors.Join(errs...)
}

// Client sends SMS through an SMSC-style gateway (POST /sys/send.php with
// fmt=3, answers in JSON). It is safe for concurrent use.
//
// Every try of one Send carries the same id parameter, derived from the
// idempotency key, and kabinet's gateway contract is that a repeated id
// answers with the first message's ID and sends nothing: so an answer lost
// on the way back is retried without a second SMS. Client retries
// transport errors, timeouts, HTTP 5xx and 429 and the throttling error
// codes (4 and 9); it never retries an answer that refuses the request
// (see the Err variables for which codes mean what).
type Client struct {
	cfg      Config
	endpoint string
}

var _ Sender = (*Client)(nil)

// NewClient checks cfg and returns a Client. It makes no call.
func NewClient(cfg Config) (*Client, error) {
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("sms: %w", err)
	}
	cfg.setDefaults()
	return &Client{cfg: cfg, endpoint: strings.TrimRight(cfg.URL, "/") + sendPath}, nil
}

// Send sends text to phone and returns the gateway's message ID. A repeated
// idempotencyKey returns the first message's ID and sends nothing, as far
// as the gateway keeps its promise; an empty key makes every Send a new
// message (its own retries still share one id).
func (c *Client) Send(ctx context.Context, phone kz.Phone, text, idempotencyKey string) (string, error) {
	if phone.IsZero() {
		return "", fmt.Errorf("send sms: %w: no phone", ErrRejected)
	}
	if strings.TrimSpace(text) == "" {
		return "", fmt.Errorf("send sms: %w: no text", ErrRejected)
	}
	form := url.Values{
		"phones":  {phone.String()}, // with the +, which turns off the gateway's guessing at the number
		"mes":     {text},
		"fmt":     {"3"},
		"charset": {"utf-8"},
		"id":      {gatewayID(idempotencyKey)},
	}
	if c.cfg.APIKey != "" {
		form.Set("apikey", c.cfg.APIKey)
	} else {
		form.Set("login", c.cfg.Login)
		form.Set("psw", c.cfg.Password)
	}
	if c.cfg.Sender != "" {
		form.Set("sender", c.cfg.Sender)
	}
	body := []byte(form.Encode())

	for attempt := 1; ; attempt++ {
		id, err := c.post(ctx, body)
		if err == nil {
			return id, nil
		}
		if ctx.Err() != nil {
			return "", fmt.Errorf("send sms: %w (attempt %d: %w)", ctx.Err(), attempt, unwrapRetryable(err))
		}
		var r *retryable
		if !errors.As(err, &r) {
			return "", fmt.Errorf("send sms: %w", err)
		}
		if attempt >= c.cfg.Attempts {
			return "", fmt.Errorf("send sms: %w (gave up after %d attempts)", r.err, attempt)
		}
		pause := c.pause(attempt, r.after)
		c.cfg.Logger.WarnContext(ctx, "sms gateway call failed, retrying",
			"attempt", attempt, "retry_in", pause, "error", r.err.Error())
		t := time.NewTimer(pause)
		select {
		case <-ctx.Done():
			t.Stop()
			return "", fmt.Errorf("send sms: %w (attempt %d: %w)", ctx.Err(), attempt, r.err)
		case <-t.C:
		}
	}
}

// answer is the gateway's JSON answer, a message ID or an error.
type answer struct {
	ID        json.RawMessage `json:"id"`
	Count     int             `json:"cnt"`
	Error     string          `json:"error"`
	ErrorCode int             `json:"error_code"`
}

// post makes one try. A *retryable error means the same request may be
// sent again.
func (c *Client) post(ctx context.Context, body []byte) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, c.cfg.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.endpoint, bytes.NewReader(body))
	if err != nil {
		return "", fmt.Errorf("build the request: %w", err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
	req.Header.Set("Accept", "application/json")
	resp, err := c.cfg.HTTPClient.Do(req)
	if err != nil {
		// The error names the endpoint, which holds no secret: Validate
		// keeps credentials out of the URL.
		return "", &retryable{err: fmt.Errorf("%w: %w", ErrUnavailable, err)}
	}
	defer func() { _ = resp.Body.Close() }()
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxAnswer))

	switch code := resp.StatusCode; {
	case code == http.StatusTooManyRequests:
		return "", &retryable{err: fmt.Errorf("%w: HTTP %d", ErrThrottled, code), after: retryAfter(resp.Header)}
	case code >= 500:
		return "", &retryable{err: fmt.Errorf("%w: HTTP %d", ErrUnavailable, code), after: retryAfter(resp.Header)}
	case code == http.StatusUnauthorized || code == http.StatusForbidden:
		return "", fmt.Errorf("%w: HTTP %d", ErrCredentials, code)
	case code >= 400:
		return "", fmt.Errorf("%w: HTTP %d", ErrRejected, code)
	case code != http.StatusOK:
		return "", fmt.Errorf("sms gateway answered HTTP %d", code)
	case err != nil:
		// The gateway may have sent the message; the retry carries the
		// same id, so it will not send it twice.
		return "", &retryable{err: fmt.Errorf("%w: reading the answer: %w", ErrUnavailable, err)}
	}

	var a answer
	if err := json.Unmarshal(data, &a); err != nil {
		return "", errors.New("sms gateway answer is not the JSON expected (is fmt=3 supported?)")
	}
	if a.ErrorCode != 0 || a.Error != "" {
		return "", codeError(a.ErrorCode)
	}
	id := messageID(a.ID)
	if id == "" {
		return "", errors.New("sms gateway answer holds neither an id nor an error")
	}
	return id, nil
}

// pause is the wait before try attempt+1: exponential with jitter, at
// least what the gateway asked for, at most MaxBackoff.
func (c *Client) pause(attempt int, asked time.Duration) time.Duration {
	d := c.cfg.Backoff << (attempt - 1)
	if d <= 0 || d > c.cfg.MaxBackoff {
		d = c.cfg.MaxBackoff
	}
	d = d/2 + rand.N(d/2+1)
	return min(max(d, asked), c.cfg.MaxBackoff)
}

// retryable marks an error after which the same request may be sent
// again, after at least the pause the gateway asked for.
type retryable struct {
	err   error
	after time.Duration
}

func (r *retryable) Error() string { return r.err.Error() }
func (r *retryable) Unwrap() error { return r.err }

func unwrapRetryable(err error) error {
	if r, ok := err.(*retryable); ok {
		return r.err
	}
	return err
}

// retryAfter reads Retry-After in seconds or as an HTTP date; 0 when absent.
func retryAfter(h http.Header) time.Duration {
	v := strings.TrimSpace(h.Get("Retry-After"))
	if v == "" {
		return 0
	}
	if s, err := strconv.Atoi(v); err == nil && s > 0 {
		return time.Duration(s) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil {
		return max(time.Until(t), 0)
	}
	return 0
}

// messageID reads the answer's id, a number or a string.
func messageID(raw json.RawMessage) string {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	var n json.Number
	if json.Unmarshal(raw, &n) == nil {
		return n.String()
	}
	return ""
}

// maxIDLength is the longest id the gateway takes.
const maxIDLength = 40

// gatewayID turns an idempotency key into the id parameter: the key itself
// when it is up to 40 letters, digits, dots, dashes and underscores (a
// UUID), else a hash of it of that length. An empty key gets a random id,
// shared by the retries of one Send.
func gatewayID(key string) string {
	if key == "" {
		var b [16]byte
		_, _ = crand.Read(b[:]) // never fails: crypto/rand aborts the program instead
		return hex.EncodeToString(b[:])
	}
	if validID(key) {
		return key
	}
	sum := sha256.Sum256([]byte(key))
	return hex.EncodeToString(sum[:])[:maxIDLength]
}

func validID(id string) bool {
	if id == "" || len(id) > maxIDLength {
		return false
	}
	for _, r := range id {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '.', r == '-', r == '_':
		default:
			return false
		}
	}
	return true
}
