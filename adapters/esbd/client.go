package esbd

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/kabinet/kabinet/domain/kz"
	"github.com/kabinet/kabinet/internal/partnerhttp"
)

// Config is how kabinet reaches ESBD. BaseURL, Login and Password are
// required.
type Config struct {
	BaseURL  string
	Login    string // HTTP basic auth
	Password string
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
		errs = append(errs, errors.New("esbd: BaseURL is required"))
	}
	if strings.TrimSpace(c.Login) == "" || c.Password == "" {
		errs = append(errs, errors.New("esbd: Login and Password are required"))
	}
	if c.Timeout < 0 {
		errs = append(errs, errors.New("esbd: Timeout must not be negative"))
	}
	if c.MaxAttempts < 0 {
		errs = append(errs, errors.New("esbd: MaxAttempts must not be negative"))
	}
	if err := errors.Join(errs...); err != nil {
		return err
	}
	if err := c.http().Validate(); err != nil {
		return fmt.Errorf("esbd: %w", err)
	}
	return nil
}

func (c Config) http() partnerhttp.Config {
	attempts := c.MaxAttempts
	if attempts == 0 {
		attempts = 3
	}
	return partnerhttp.Config{
		Partner: "esbd", BaseURL: c.BaseURL, Username: c.Login, Password: c.Password,
		AttemptTimeout: c.Timeout, MaxAttempts: attempts, HTTPClient: c.HTTPClient, Logger: c.Logger,
	}
}

// Client is ESBD over its HTTP API, with the Simulator's FindPerson. It is
// safe for concurrent use.
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
		return nil, fmt.Errorf("esbd: %w", err)
	}
	return &Client{http: c}, nil
}

// FindPerson returns what ESBD knows of iin; found is false when nothing.
func (c *Client) FindPerson(ctx context.Context, iin kz.IIN) (Person, bool, error) {
	var p personJSON
	err := c.http.Do(ctx, partnerhttp.Request{
		Method: http.MethodGet, Path: "/persons/" + url.PathEscape(iin.String()), Route: "/persons/{iin}",
	}, &p)
	switch {
	case partnerhttp.StatusOf(err) == http.StatusNotFound:
		return Person{}, false, nil
	case err != nil:
		return Person{}, false, err
	}
	out, err := p.person(iin)
	if err != nil {
		return Person{}, false, fmt.Errorf("esbd GET /persons/{iin}: %w", err)
	}
	return out, true, nil
}
