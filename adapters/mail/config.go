package mail

import (
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	netmail "net/mail"
	"strings"
	"time"

	"github.com/kabinet/kabinet/internal/partnerhttp"
)

// TLSPolicy says how the connection to the SMTP server is protected.
type TLSPolicy string

// The policies.
const (
	// TLSStartTLS, the default, requires the server to offer STARTTLS and
	// upgrades the connection before anything else is said: credentials and
	// messages never travel in clear. A server without STARTTLS is refused
	// with ErrNoSTARTTLS.
	TLSStartTLS TLSPolicy = "starttls"
	// TLSNone talks plain SMTP. It exists for a relay on the same machine
	// (a local test server) and is accepted only with a loopback Host.
	TLSNone TLSPolicy = "none"
)

// Config tunes a Mailer. Host and From are required.
type Config struct {
	Host string // the SMTP server's name or IP address, also the name its certificate must carry
	Port int    // default 587, the submission port

	// Username and Password are the SMTP AUTH PLAIN credentials; both or
	// neither. They are sent only over TLS (or to a loopback server with
	// TLSNone).
	Username string
	Password string

	// From is the sender, "Name <address>" or a bare address. A Cyrillic
	// name is encoded as RFC 2047 asks.
	From string

	TLSPolicy TLSPolicy // default TLSStartTLS

	// RootCAs are the authorities the server's certificate must chain to;
	// nil means the system's. Set it for a server with a private CA.
	RootCAs *x509.CertPool

	// Timeout bounds one Send as a whole, from the dial to the server's
	// answer to the message. Default 30 s.
	Timeout time.Duration

	// HELO is the name kabinet gives itself in EHLO; default the host name
	// of the machine.
	HELO string
}

func (c *Config) setDefaults() {
	if c.Port == 0 {
		c.Port = 587
	}
	if c.TLSPolicy == "" {
		c.TLSPolicy = TLSStartTLS
	}
	if c.Timeout == 0 {
		c.Timeout = 30 * time.Second
	}
}

// Validate reports every problem of the configuration at once. Unset
// fields that have a default are not problems.
func (c Config) Validate() error {
	var errs []error
	if strings.TrimSpace(c.Host) == "" {
		errs = append(errs, errors.New("host is required"))
	} else if net.ParseIP(c.Host) == nil && strings.ContainsAny(c.Host, ":/[] ") {
		errs = append(errs, errors.New("host must be a name or an address without a port"))
	}
	if c.Port < 0 || c.Port > 65535 {
		errs = append(errs, fmt.Errorf("port %d is out of range", c.Port))
	}
	if (c.Username == "") != (c.Password == "") {
		errs = append(errs, errors.New("username and password go together"))
	}
	if c.From == "" {
		errs = append(errs, errors.New("from is required"))
	} else if _, err := netmail.ParseAddress(c.From); err != nil {
		errs = append(errs, fmt.Errorf("from: %w", err))
	}
	switch c.TLSPolicy {
	case "", TLSStartTLS:
	case TLSNone:
		if c.Host != "" && !partnerhttp.Loopback(c.Host) {
			errs = append(errs, errors.New(`tls policy "none" is only for a server on this machine (localhost, 127.0.0.1, ::1)`))
		}
	default:
		errs = append(errs, fmt.Errorf("tls policy %q: want %q or %q", c.TLSPolicy, TLSStartTLS, TLSNone))
	}
	if c.Timeout < 0 {
		errs = append(errs, errors.New("timeout must not be negative"))
	}
	if strings.ContainsAny(c.HELO, " \r\n") {
		errs = append(errs, errors.New("helo must be a single name"))
	}
	return errors.Join(errs...)
}
