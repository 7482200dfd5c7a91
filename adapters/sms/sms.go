// Package sms is kabinet's port to an SMS gateway. The Simulator records the
// messages instead of sending them, for tests and the embedded default.
package sms

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/kabinet/kabinet/domain/kz"
)

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
// It is safe for concurrent use.
type Simulator struct {
	Print func(Message)

	mu    sync.Mutex
	sent  []Message
	byKey map[string]string
}

// NewSimulator returns a simulator that has sent nothing.
func NewSimulator() *Simulator { return &Simulator{byKey: map[string]string{}} }

// Send records the message and returns its ID. A repeated idempotency key
// returns the first message's ID and sends nothing.
func (s *Simulator) Send(ctx context.Context, phone kz.Phone, text, idempotencyKey string) (string, error) {
	if err := ctx.Err(); err != nil {
		return "", err
	}
	if phone.IsZero() {
		return "", fmt.Errorf("send sms: no phone")
	}
	s.mu.Lock()
	if id, ok := s.byKey[idempotencyKey]; ok && idempotencyKey != "" {
		s.mu.Unlock()
		return id, nil
	}
	m := Message{ID: fmt.Sprintf("SMS-%d", len(s.sent)+1), Phone: phone, Text: text, IdempotencyKey: idempotencyKey, SentAt: time.Now()}
	s.sent = append(s.sent, m)
	if idempotencyKey != "" {
		s.byKey[idempotencyKey] = m.ID
	}
	print := s.Print
	s.mu.Unlock()
	if print != nil {
		print(m)
	}
	return m.ID, nil
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
