package web

import (
	"errors"
	"fmt"
	"log/slog"
	"net/url"
)

// Config configures the site. APIKey and Key are required.
type Config struct {
	// APIKey is the site's own key of the website role (cabinet.CreateAPIKey).
	// Sessions are bound to the key's name, so a client logged in through the
	// site is logged in nowhere else.
	APIKey string
	// Key (at least 32 bytes) keys the CSRF tokens. Every instance of the site
	// must have the same one; cabinet.Subkey of the server secret is a good
	// source.
	Key []byte
	// SecureCookies marks cookies Secure even when the request came over
	// plain HTTP, for a site behind a proxy that ends TLS. A request that
	// came over TLS always gets Secure cookies.
	SecureCookies bool
	// PurchaseURL is the website's purchase form. The renewal screen links
	// to it with ?renews=<policyId>; empty means the screen only shows the
	// draft.
	PurchaseURL string
	// Logger receives the errors the service did not classify, once each,
	// with the request ID. Nil discards them.
	Logger *slog.Logger
}

// Validate reports every problem of the configuration at once.
func (c Config) Validate() error {
	var errs []error
	if c.APIKey == "" {
		errs = append(errs, errors.New("APIKey is required: create a key of the website role for the site"))
	}
	if len(c.Key) < 32 {
		errs = append(errs, fmt.Errorf("Key has %d bytes: want at least 32", len(c.Key)))
	}
	if c.PurchaseURL != "" {
		u, err := url.Parse(c.PurchaseURL)
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			errs = append(errs, fmt.Errorf("PurchaseURL %q: want an absolute http or https URL", c.PurchaseURL))
		}
	}
	return errors.Join(errs...)
}

func (c *Config) setDefaults() {
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
}
