// Package mail sends kabinet's e-mail to clients over SMTP: STARTTLS and AUTH
// PLAIN, MIME messages in UTF-8 with RFC 2047 subjects, quoted-printable
// text and base64 attachments (the policy PDF). The texts are the reactions'
// (adapters/reactions).
//
// Nothing here logs, and no error quotes an address, a subject or a body:
// a server's reply is reduced to its status codes, because a refusal usually
// repeats the recipient's address.
package mail

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	netmail "net/mail"
	"net/textproto"
	"os"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	gomail "github.com/wneessen/go-mail"
	"github.com/wneessen/go-mail/smtp"
)

// Errors of Send; each is wrapped with the step that failed and the
// server's reply codes, if any.
var (
	// ErrInvalidMessage means kabinet itself refused the message before
	// connecting: the recipient is not an address, the subject or the text
	// is missing, an attachment is malformed. The reason never quotes the
	// address or the text. Sending it again gives the same answer.
	ErrInvalidMessage = errors.New("invalid message")
	// ErrNoSTARTTLS means TLSStartTLS is in force and the server did not
	// offer STARTTLS; nothing was sent, credentials included.
	ErrNoSTARTTLS = errors.New("smtp server does not offer STARTTLS")
	// ErrTLS means the TLS handshake failed, most often because the
	// server's certificate does not chain to Config.RootCAs.
	ErrTLS = errors.New("tls with the smtp server")
	// ErrAuth means the server refused the credentials, or offers no way to
	// present them. An operator has to fix the configuration.
	ErrAuth = errors.New("smtp server refused the credentials")
	// ErrRejected means the server refused this message for good (a 5xx
	// reply to the sender, the recipient or the content); sending it again
	// gives the same answer.
	ErrRejected = errors.New("smtp server rejected the message")
	// ErrUnavailable means the server could not be reached, did not answer
	// within Config.Timeout, broke the connection or answered "try later"
	// (4xx). Sending again later may succeed.
	ErrUnavailable = errors.New("smtp server unavailable")
)

// Steps of a Send, named in errors.
const (
	stepConnect = "connect"
	stepTLS     = "starttls"
	stepAuth    = "authenticate"
	stepSend    = "send"
)

// Mailer sends messages, one SMTP connection per message. It is safe for
// concurrent use.
type Mailer struct {
	cfg  Config
	from *netmail.Address
	now  func() time.Time
}

// New checks cfg and returns a Mailer. It does not connect: a server that
// is down shows on the first Send.
func New(cfg Config) (*Mailer, error) {
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("mail: %w", err)
	}
	cfg.setDefaults()
	from, err := netmail.ParseAddress(cfg.From)
	if err != nil {
		return nil, fmt.Errorf("mail: from: %w", err)
	}
	return &Mailer{cfg: cfg, from: from, now: time.Now}, nil
}

// Send delivers msg to the server, which answers for the rest of its
// journey. It returns when the server has accepted the message, refused it,
// or Config.Timeout or ctx ran out. A Send that fails after the server
// accepted the data may have delivered the message; a retry with the same
// Message.IdempotencyKey carries the same Message-ID.
func (m *Mailer) Send(ctx context.Context, msg Message) error {
	gm, err := compose(m.from, msg, m.now())
	if err != nil {
		return fmt.Errorf("send mail: %w", err)
	}
	if err := m.deliver(ctx, gm); err != nil {
		return fmt.Errorf("send mail: %w", err)
	}
	return nil
}

func (m *Mailer) deliver(parent context.Context, msg *gomail.Msg) error {
	ctx, cancel := context.WithTimeout(parent, m.cfg.Timeout)
	defer cancel()

	// go-mail bounds each exchange with a deadline of its own but does not
	// watch ctx; closing the connection when ctx ends stops a Send at once.
	var (
		mu  sync.Mutex
		raw net.Conn
	)
	dial := func(ctx context.Context, network, _ string) (net.Conn, error) {
		// go-mail writes "host:port", which breaks an IPv6 address.
		var d net.Dialer
		c, err := d.DialContext(ctx, network, net.JoinHostPort(m.cfg.Host, strconv.Itoa(m.cfg.Port)))
		if err == nil {
			mu.Lock()
			raw = c
			mu.Unlock()
		}
		return c, err
	}
	stop := context.AfterFunc(ctx, func() {
		mu.Lock()
		defer mu.Unlock()
		if raw != nil {
			_ = raw.Close()
		}
	})
	defer stop()

	opts := []gomail.Option{
		gomail.WithPort(m.cfg.Port),
		gomail.WithTimeout(m.cfg.Timeout),
		// STARTTLS and AUTH are done below, step by step, so that each
		// failure has its own error.
		gomail.WithTLSPolicy(gomail.NoTLS),
		gomail.WithDialContextFunc(dial),
	}
	if m.cfg.HELO != "" {
		opts = append(opts, gomail.WithHELO(m.cfg.HELO))
	}
	client, err := gomail.NewClient(m.cfg.Host, opts...)
	if err != nil {
		return fmt.Errorf("set up the smtp client: %w", err)
	}

	conn, err := client.DialToSMTPClientWithContext(ctx)
	if err != nil {
		return m.failure(parent, ctx, stepConnect, err)
	}
	defer func() { _ = conn.Close() }()

	if err := m.secure(conn); err != nil {
		if errors.Is(err, ErrNoSTARTTLS) {
			return fmt.Errorf("%s: %w", stepTLS, err)
		}
		return m.failure(parent, ctx, stepTLS, err)
	}
	if err := m.authenticate(conn); err != nil {
		if errors.Is(err, ErrAuth) {
			return fmt.Errorf("%s: %w", stepAuth, err)
		}
		return m.failure(parent, ctx, stepAuth, err)
	}
	if err := client.SendWithSMTPClient(conn, msg); err != nil && !msg.IsDelivered() {
		return m.failure(parent, ctx, stepSend, err)
	}
	_ = conn.Quit() // the server has the message; a lost goodbye changes nothing
	return nil
}

// secure upgrades the connection with STARTTLS unless the policy is none.
func (m *Mailer) secure(c *smtp.Client) error {
	if m.cfg.TLSPolicy == TLSNone {
		return nil
	}
	if ok, _ := c.Extension("STARTTLS"); !ok {
		return ErrNoSTARTTLS
	}
	return c.StartTLS(&tls.Config{
		ServerName: m.cfg.Host,
		RootCAs:    m.cfg.RootCAs,
		MinVersion: tls.VersionTLS12,
	})
}

// authenticate presents the credentials with AUTH PLAIN, the mechanism
// every submission server offers over TLS.
func (m *Mailer) authenticate(c *smtp.Client) error {
	if m.cfg.Username == "" {
		return nil
	}
	ok, mechanisms := c.Extension("AUTH")
	if !ok || !hasWord(mechanisms, "PLAIN") {
		return fmt.Errorf("%w: the server offers no AUTH PLAIN", ErrAuth)
	}
	// Plain auth without TLS is allowed only under TLSNone, which Validate
	// limits to a server on this machine.
	return c.Auth(smtp.PlainAuth("", m.cfg.Username, m.cfg.Password, m.cfg.Host, m.cfg.TLSPolicy == TLSNone))
}

// failure turns the error of a step into one of the package's errors.
func (m *Mailer) failure(parent, ctx context.Context, step string, err error) error {
	switch {
	case parent.Err() != nil:
		return fmt.Errorf("%s: %w", step, parent.Err())
	case ctx.Err() != nil || errors.Is(err, os.ErrDeadlineExceeded):
		return fmt.Errorf("%s: %w: no answer within %s: %w", step, ErrUnavailable, m.cfg.Timeout, context.DeadlineExceeded)
	}
	r, isReply := replyOf(err)
	cause := redact(err)
	switch step {
	case stepTLS:
		return fmt.Errorf("%s: %w: %w", step, ErrTLS, cause)
	case stepAuth:
		if transport(err) || (isReply && r.Code < 500) {
			break
		}
		return fmt.Errorf("%s: %w: %w", step, ErrAuth, cause)
	case stepSend:
		if isReply && r.Code >= 500 {
			return fmt.Errorf("%s: %w: %w", step, ErrRejected, cause)
		}
	}
	return fmt.Errorf("%s: %w: %w", step, ErrUnavailable, cause)
}

// replyError is a server's reply without its text.
type replyError struct {
	Code     int    // 4xx or 5xx
	Enhanced string // the RFC 3463 code, "5.1.1", when the server gives one
}

func (e replyError) Error() string {
	if e.Enhanced == "" {
		return fmt.Sprintf("reply %d", e.Code)
	}
	return fmt.Sprintf("reply %d %s", e.Code, e.Enhanced)
}

var enhancedCode = regexp.MustCompile(`^[245]\.\d{1,3}\.\d{1,3}\b`)

// replyOf finds the server's error reply in err.
func replyOf(err error) (replyError, bool) {
	var se *gomail.SendError
	if errors.As(err, &se) {
		if code := se.ErrorCode(); code >= 400 {
			return replyError{Code: code, Enhanced: se.EnhancedStatusCode()}, true
		}
		return replyError{}, false
	}
	var te *textproto.Error
	if errors.As(err, &te) {
		return replyError{Code: te.Code, Enhanced: enhancedCode.FindString(te.Msg)}, true
	}
	return replyError{}, false
}

// redact keeps what err says about the connection and drops any text from
// the server: a reply is reduced to its codes, a malformed reply to the fact.
// A SendError's text lists the recipients, so only its reason survives.
func redact(err error) error {
	if r, ok := replyOf(err); ok {
		return r
	}
	var se *gomail.SendError
	if errors.As(err, &se) {
		return errors.New(se.Reason.String())
	}
	var pe textproto.ProtocolError
	if errors.As(err, &pe) {
		return errors.New("malformed reply")
	}
	return err
}

// transport reports whether err is the connection failing rather than the
// server answering.
func transport(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) || errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) ||
		errors.Is(err, net.ErrClosed)
}

func hasWord(list, word string) bool {
	for _, w := range strings.Fields(list) {
		if strings.EqualFold(w, word) {
			return true
		}
	}
	return false
}
