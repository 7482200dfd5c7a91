package payments

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/kabinet/kabinet/internal/partnerhttp"
)

// Config is how kabinet reaches the payment provider. BaseURL and APIKey are
// required.
type Config struct {
	BaseURL string
	APIKey  string // sent as a bearer token
	// Timeout bounds one attempt of a call; 0 means 10 s. The caller's ctx
	// bounds the call with its retries.
	Timeout time.Duration
	// MaxAttempts bounds the attempts of one call; 0 means 3.
	MaxAttempts int
	HTTPClient  *http.Client // nil means a client of its own
	Logger      *slog.Logger
}

// Validate reports every problem of the configuration at once.
func (c Config) Validate() error {
	var errs []error
	if c.BaseURL == "" {
		errs = append(errs, errors.New("payments: BaseURL is required"))
	}
	if strings.TrimSpace(c.APIKey) == "" {
		errs = append(errs, errors.New("payments: APIKey is required"))
	}
	if c.Timeout < 0 {
		errs = append(errs, errors.New("payments: Timeout must not be negative"))
	}
	if c.MaxAttempts < 0 {
		errs = append(errs, errors.New("payments: MaxAttempts must not be negative"))
	}
	if err := errors.Join(errs...); err != nil {
		return err
	}
	if err := c.http().Validate(); err != nil {
		return fmt.Errorf("payments: %w", err)
	}
	return nil
}

func (c Config) http() partnerhttp.Config {
	attempts := c.MaxAttempts
	if attempts == 0 {
		attempts = 3
	}
	return partnerhttp.Config{
		Partner: "payments", BaseURL: c.BaseURL, Header: http.Header{"Authorization": {"Bearer " + c.APIKey}},
		AttemptTimeout: c.Timeout, MaxAttempts: attempts, HTTPClient: c.HTTPClient, Logger: c.Logger,
	}
}

// Client is the payment provider over its HTTP API, with the Simulator's
// PaymentLink. It is safe for concurrent use.
type Client struct {
	http *partnerhttp.Client
}

// NewClient checks cfg and returns a Client.
func NewClient(cfg Config) (*Client, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	c, err := partnerhttp.New(cfg.http())
	if err != nil {
		return nil, fmt.Errorf("payments: %w", err)
	}
	return &Client{http: c}, nil
}

// PaymentLink returns the link for req. The same IdempotencyKey returns the
// same link; without one, every call (with its retries) is a new link.
func (c *Client) PaymentLink(ctx context.Context, req LinkRequest) (Link, error) {
	if !req.Amount.IsPositive() {
		return Link{}, errors.New("payment link: amount must be positive")
	}
	var out linkJSON
	if err := c.http.Do(ctx, partnerhttp.Request{
		Method: http.MethodPost, Path: "/links",
		Body:           linkRequestJSON{PolicyID: req.PolicyID, PolicyNumber: req.PolicyNumber, Installment: req.Installment, Amount: req.Amount},
		IdempotencyKey: req.IdempotencyKey,
	}, &out); err != nil {
		return Link{}, err
	}
	if out.URL == "" {
		return Link{}, errors.New("payments POST /links: the answer has no url")
	}
	return Link{URL: out.URL, Expires: out.Expires}, nil
}
