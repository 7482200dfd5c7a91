package mail

import (
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"mime"
	netmail "net/mail"
	"strings"
	"time"

	gomail "github.com/wneessen/go-mail"
)

// Message is one e-mail to one client.
type Message struct {
	To      string // the recipient's address
	Subject string // plain text; encoded for the header as RFC 2047 asks
	Text    string // the text/plain body, required
	HTML    string // an optional text/html alternative of the same content

	Attachments []Attachment

	// IdempotencyKey, when set, makes the Message-ID a function of it, so a
	// message sent again after a lost answer carries the same Message-ID and
	// mail systems that drop repeated IDs show it once. Use the ID of the
	// event the message reacts to.
	IdempotencyKey string
}

// Attachment is a file sent with a message.
type Attachment struct {
	Name        string // the file name the client sees, "polis-123.pdf"
	ContentType string // default application/octet-stream
	Data        []byte
}

// compose checks m and builds the MIME message: UTF-8 everywhere,
// quoted-printable text parts and base64 attachments.
func compose(from *netmail.Address, m Message, now time.Time) (*gomail.Msg, error) {
	to, err := netmail.ParseAddress(m.To)
	if err != nil {
		return nil, fmt.Errorf("%w: the recipient is not an e-mail address", ErrInvalidMessage)
	}
	if strings.TrimSpace(m.Subject) == "" {
		return nil, fmt.Errorf("%w: no subject", ErrInvalidMessage)
	}
	if strings.ContainsAny(m.Subject, "\r\n") {
		return nil, fmt.Errorf("%w: the subject is more than one line", ErrInvalidMessage)
	}
	if strings.TrimSpace(m.Text) == "" {
		return nil, fmt.Errorf("%w: no text", ErrInvalidMessage)
	}

	msg := gomail.NewMsg(gomail.WithNoDefaultUserAgent(), gomail.WithCharset(gomail.CharsetUTF8),
		gomail.WithEncoding(gomail.EncodingQP))
	msg.FromMailAddress(from)
	msg.ToMailAddress(to)
	msg.Subject(m.Subject)
	msg.SetDateWithValue(now)
	msg.SetMessageIDWithValue(messageID(from, m.IdempotencyKey))
	msg.SetBodyString(gomail.TypeTextPlain, m.Text)
	if m.HTML != "" {
		msg.AddAlternativeString(gomail.TypeTextHTML, m.HTML)
	}
	for i, a := range m.Attachments {
		if err := a.check(); err != nil {
			return nil, fmt.Errorf("%w: attachment %d: %w", ErrInvalidMessage, i+1, err)
		}
		ct := a.ContentType
		if ct == "" {
			ct = string(gomail.TypeAppOctetStream)
		}
		msg.AttachReadSeeker(a.Name, bytes.NewReader(a.Data),
			gomail.WithFileContentType(gomail.ContentType(ct)), gomail.WithFileEncoding(gomail.EncodingB64))
	}
	return msg, nil
}

func (a Attachment) check() error {
	switch {
	case strings.TrimSpace(a.Name) == "":
		return errors.New("no name")
	case strings.ContainsAny(a.Name, "/\\\"\r\n"):
		return errors.New("the name holds a path separator, a quote or a line break")
	case len(a.Data) == 0:
		return errors.New("no content")
	}
	if a.ContentType != "" {
		if _, _, err := mime.ParseMediaType(a.ContentType); err != nil {
			return fmt.Errorf("content type: %w", err)
		}
	}
	return nil
}

// messageID is random without a key, and a hash of the key with one, so the
// key itself (an event ID) does not travel in the header.
func messageID(from *netmail.Address, key string) string {
	domain := "kabinet.invalid"
	if _, d, ok := strings.Cut(from.Address, "@"); ok && d != "" {
		domain = d
	}
	if key == "" {
		var b [16]byte
		_, _ = rand.Read(b[:]) // never fails: crypto/rand aborts the program instead
		return hex.EncodeToString(b[:]) + "@" + domain
	}
	sum := sha256.Sum256([]byte("kabinet mail " + key))
	return hex.EncodeToString(sum[:16]) + "@" + domain
}
