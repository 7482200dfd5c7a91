// Package sms is kabinet's port to an SMS gateway. Client speaks an
// SMSC-style HTTP send API (client.go); the Simulator records the messages
// instead of sending them, for tests and the embedded default, and serves the
// same API over HTTP (handler.go) so that Client is tested on the wire.
package sms

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/kabinet/kabinet/domain/kz"
)

// Sender sends an SMS. Client and Simulator are senders.
type Sender interface {
	// Send sends text to phone and returns the gateway's message ID. A
	// repeated idempotencyKey returns the first message's ID and sends
	// nothing; an empty key sends every time.
	Send(ctx context.Context, phone kz.Phone, text, idempotencyKey string) (string, error)
}

var _ Sender = (*Simulator)(nil)

// Message is an SMS as sent.
type Message struct {
	ID             string
	Phone          kz.Phone
	Text           string
	IdempotencyKey string
	SentAt         time.Time
}

// Simulator records messages. With Print set it also hands each one to Print,
// which the demo uses to show a person the code they would have received.
// Handler serves the same simulator over the gateway's HTTP API, for tests of
// Client. It is safe for concurrent use.
type Simulator struct {
	Print func(Message)

	// Login and Password, or APIKey, are the credentials Handler accepts;
	// with none set it accepts any. Set them before serving.
	Login    string
	Password string
	APIKey   string

	mu       sync.Mutex
	sent     []Message
	byKey    map[string]int // idempotency key → index in sent
	failNext int
}

// FailNext makes the next n sends fail with ErrUnavailable, sending
// nothing, as a gateway that is down would; tests use it.
func (s *Simulator) FailNext(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failNext = n
}

// NewSimulator returns a simulator that has sent nothing.
func NewSimulator() *Simulator { return &Simulator{byKey: map[string]int{}} }

// Send records the message and returns its ID. A repeated idempotency key
// returns the first message's ID and sends nothing.
func (s *Simulator) Send(ctx context.Context, phone kz.Phone, text, idempotencyKey string) (string, error) {
	m, _, err := s.send(ctx, phone, text, idempotencyKey)
	return m.ID, err
}

// send is Send that also returns the message's number, from 1.
func (s *Simulator) send(ctx context.Context, phone kz.Phone, text, idempotencyKey string) (Message, int, error) {
	if err := ctx.Err(); err != nil {
		return Message{}, 0, err
	}
	if phone.IsZero() {
		return Message{}, 0, fmt.Errorf("send sms: no phone")
	}
	s.mu.Lock()
	if s.failNext > 0 {
		s.failNext--
		s.mu.Unlock()
		return Message{}, 0, ErrUnavailable
	}
	if i, ok := s.byKey[idempotencyKey]; ok && idempotencyKey != "" {
		m := s.sent[i]
		s.mu.Unlock()
		return m, i + 1, nil
	}
	n := len(s.sent) + 1
	m := Message{ID: fmt.Sprintf("SMS-%d", n), Phone: phone, Text: text, IdempotencyKey: idempotencyKey, SentAt: time.Now()}
	s.sent = append(s.sent, m)
	if idempotencyKey != "" {
		if s.byKey == nil {
			s.byKey = map[string]int{}
		}
		s.byKey[idempotencyKey] = n - 1
	}
	print := s.Print
	s.mu.Unlock()
	if print != nil {
		print(m)
	}
	return m, n, nil
}

// Sent returns every message sent so far, oldest first.
func (s *Simulator) Sent() []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Message(nil), s.sent...)
}

// Last returns the newest message sent to phone.
func (s *Simulator) Last(phone kz.Phone) (Message, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i := len(s.sent) - 1; i >= 0; i-- {
		if s.sent[i].Phone == phone {
			return s.sent[i], true
		}
	}
	return Message{}, false
}
