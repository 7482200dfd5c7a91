package kias

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/kabinet/kabinet/domain/kz"
	"github.com/kabinet/kabinet/internal/partnerhttp"
)

// Config is how kabinet reaches KIAS. BaseURL and APIKey are required.
type Config struct {
	BaseURL string // e.g. "https://kias.example.kz/api/v1"
	APIKey  string // sent as X-API-Key
	// Timeout bounds one attempt of a call; 0 means 10 s. The caller's ctx
	// bounds the call with its retries.
	Timeout time.Duration
	// MaxAttempts bounds the attempts of one call; 0 means 3.
	MaxAttempts int
	// HTTPClient sends the requests (TLS settings, a proxy); nil means a
	// client of its own.
	HTTPClient *http.Client
	Logger     *slog.Logger
}

// Validate reports every problem of the configuration at once.
func (c Config) Validate() error {
	var errs []error
	if c.BaseURL == "" {
		errs = append(errs, errors.New("kias: BaseURL is required"))
	}
	if strings.TrimSpace(c.APIKey) == "" {
		errs = append(errs, errors.New("kias: APIKey is required"))
	}
	if c.Timeout < 0 {
		errs = append(errs, errors.New("kias: Timeout must not be negative"))
	}
	if c.MaxAttempts < 0 {
		errs = append(errs, errors.New("kias: MaxAttempts must not be negative"))
	}
	if err := errors.Join(errs...); err != nil {
		return err
	}
	if _, err := c.http(); err != nil {
		return fmt.Errorf("kias: %w", err)
	}
	return nil
}

func (c Config) http() (partnerhttp.Config, error) {
	attempts := c.MaxAttempts
	if attempts == 0 {
		attempts = 3
	}
	cfg := partnerhttp.Config{
		Partner: "kias", BaseURL: c.BaseURL,
		Header:         http.Header{"X-Api-Key": {c.APIKey}},
		AttemptTimeout: c.Timeout, MaxAttempts: attempts,
		// Scans and print forms travel as base64 in JSON.
		MaxResponseBytes: 32 << 20,
		HTTPClient:       c.HTTPClient, Logger: c.Logger,
	}
	return cfg, cfg.Validate()
}

// Client is KIAS over its HTTP API. It has the Simulator's methods and is
// safe for concurrent use.
type Client struct {
	http *partnerhttp.Client
}

// NewClient checks cfg and returns a Client.
func NewClient(cfg Config) (*Client, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	hc, err := cfg.http()
	if err != nil {
		return nil, fmt.Errorf("kias: %w", err)
	}
	c, err := partnerhttp.New(hc)
	if err != nil {
		return nil, fmt.Errorf("kias: %w", err)
	}
	return &Client{http: c}, nil
}

func clientPath(iin kz.IIN, rest string) string {
	return "/clients/" + url.PathEscape(iin.String()) + rest
}

func isNotFound(err error) bool { return partnerhttp.StatusOf(err) == http.StatusNotFound }

// FindClient returns the counterparty card of an IIN; found is false when
// KIAS does not know it.
func (c *Client) FindClient(ctx context.Context, iin kz.IIN) (Person, bool, error) {
	var p personJSON
	err := c.http.Do(ctx, partnerhttp.Request{Method: http.MethodGet, Path: clientPath(iin, ""), Route: "/clients/{iin}"}, &p)
	switch {
	case isNotFound(err):
		return Person{}, false, nil
	case err != nil:
		return Person{}, false, err
	}
	return p.person(iin), true, nil
}

// HasPolicy reports whether KIAS has a policy with this number held by iin.
func (c *Client) HasPolicy(ctx context.Context, iin kz.IIN, number string) (bool, error) {
	number = strings.TrimSpace(number)
	if number == "" {
		return false, nil
	}
	var list policiesJSON
	err := c.http.Do(ctx, partnerhttp.Request{Method: http.MethodGet, Path: clientPath(iin, "/policies"), Route: "/clients/{iin}/policies"}, &list)
	switch {
	case isNotFound(err):
		return false, nil
	case err != nil:
		return false, err
	}
	return slices.ContainsFunc(list.Policies, func(p policyNumberJSON) bool { return strings.TrimSpace(p.Number) == number }), nil
}

// PersonalData returns the client's personal data; ErrNotFound when KIAS has
// no card for the IIN.
func (c *Client) PersonalData(ctx context.Context, iin kz.IIN) (PersonalData, error) {
	var d personalDataJSON
	err := c.http.Do(ctx, partnerhttp.Request{Method: http.MethodGet, Path: clientPath(iin, "/personal-data"), Route: "/clients/{iin}/personal-data"}, &d)
	switch {
	case isNotFound(err):
		return PersonalData{}, ErrNotFound
	case err != nil:
		return PersonalData{}, err
	}
	return d.personalData(), nil
}

// SavePersonalData replaces the client's personal data, creating the card of
// a client KIAS did not know.
func (c *Client) SavePersonalData(ctx context.Context, iin kz.IIN, d PersonalData) error {
	return c.http.Do(ctx, partnerhttp.Request{
		Method: http.MethodPut, Path: clientPath(iin, "/personal-data"), Route: "/clients/{iin}/personal-data",
		Body: toPersonalDataJSON(d),
	}, nil)
}

// SaveScan stores a scan for the client and returns it with its ID, size and
// hash, without content.
func (c *Client) SaveScan(ctx context.Context, iin kz.IIN, scan Scan) (Scan, error) {
	in := scanJSON{Kind: string(scan.Kind), FileName: scan.FileName, ContentType: scan.ContentType, Content: scan.Content}
	var out scanJSON
	if err := c.http.Do(ctx, partnerhttp.Request{
		Method: http.MethodPost, Path: clientPath(iin, "/scans"), Route: "/clients/{iin}/scans", Body: in,
	}, &out); err != nil {
		return Scan{}, err
	}
	s := out.scan()
	s.Content = nil
	return s, nil
}

// Scans lists the client's scans without their content.
func (c *Client) Scans(ctx context.Context, iin kz.IIN) ([]Scan, error) {
	var list scansJSON
	err := c.http.Do(ctx, partnerhttp.Request{Method: http.MethodGet, Path: clientPath(iin, "/scans"), Route: "/clients/{iin}/scans"}, &list)
	switch {
	case isNotFound(err):
		return nil, nil
	case err != nil:
		return nil, err
	}
	out := make([]Scan, 0, len(list.Scans))
	for _, s := range list.Scans {
		sc := s.scan()
		sc.Content = nil
		out = append(out, sc)
	}
	return out, nil
}

// Scan returns one of the client's scans with its content; ErrNotFound when
// the client has no scan with the ID.
func (c *Client) Scan(ctx context.Context, iin kz.IIN, id string) (Scan, error) {
	if strings.TrimSpace(id) == "" {
		return Scan{}, ErrNotFound
	}
	var s scanJSON
	err := c.http.Do(ctx, partnerhttp.Request{
		Method: http.MethodGet, Path: clientPath(iin, "/scans/"+url.PathEscape(id)), Route: "/clients/{iin}/scans/{id}",
	}, &s)
	switch {
	case isNotFound(err):
		return Scan{}, ErrNotFound
	case err != nil:
		return Scan{}, err
	}
	return s.scan(), nil
}

// PrintForm returns KIAS's print form of a contract; found is false when KIAS
// has none.
func (c *Client) PrintForm(ctx context.Context, contractID string) ([]byte, bool, error) {
	if strings.TrimSpace(contractID) == "" {
		return nil, false, nil
	}
	var f printFormJSON
	err := c.http.Do(ctx, partnerhttp.Request{
		Method: http.MethodGet, Path: "/contracts/" + url.PathEscape(contractID) + "/print-form", Route: "/contracts/{id}/print-form",
	}, &f)
	switch {
	case isNotFound(err):
		return nil, false, nil
	case err != nil:
		return nil, false, err
	}
	return f.Content, true, nil
}

// Changes reads up to limit changes of the feed after the cursor ("" for the
// start). A change that cannot be decoded comes back with its ID, cursor and
// kind only, marked so that FeedPoller rejects it; a page that cannot be
// decoded at all is an error.
func (c *Client) Changes(ctx context.Context, after string, limit int) (FeedPage, error) {
	q := url.Values{"limit": {strconv.Itoa(feedLimit(limit))}}
	if after != "" {
		q.Set("after", after)
	}
	var page feedJSON
	if err := c.http.Do(ctx, partnerhttp.Request{Method: http.MethodGet, Path: "/feed", Query: q}, &page); err != nil {
		return FeedPage{}, err
	}
	out := FeedPage{Next: page.Next, Changes: make([]Change, 0, len(page.Changes))}
	for i, raw := range page.Changes {
		ch, ok := decodeChange(raw)
		if !ok || (ch.unreadable != nil && ch.Cursor == "") {
			return FeedPage{}, fmt.Errorf("kias feed: change %d of the page has no readable cursor", i)
		}
		out.Changes = append(out.Changes, ch)
	}
	return out, nil
}

// decodeChange decodes one change on its own. A change that cannot be
// decoded comes back with its ID, cursor and kind only, marked so that
// FeedPoller rejects it; ok is false when not even those are readable.
func decodeChange(raw json.RawMessage) (ch Change, ok bool) {
	err := json.Unmarshal(raw, &ch)
	if err == nil {
		return ch, true
	}
	var head changeHead
	if json.Unmarshal(raw, &head) != nil {
		return Change{}, false
	}
	return Change{ID: head.ID, Cursor: head.Cursor, Kind: head.Kind, unreadable: fmt.Errorf("decode change: %w", err)}, true
}
