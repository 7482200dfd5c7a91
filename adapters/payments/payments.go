package payments

import (
	"context"
	"fmt"
	"net/url"
	"sync"
	"time"

	"github.com/google/uuid"

	"github.com/kabinet/kabinet/domain/money"
)

// LinkRequest is what a payment link is for.
type LinkRequest struct {
	PolicyID       uuid.UUID
	PolicyNumber   string
	Installment    int // the installment's number, from 1
	Amount         money.KZT
	IdempotencyKey string // the same key returns the same link
}

// Link is where the client pays, valid until Expires.
type Link struct {
	URL     string
	Expires time.Time
}

// Simulator makes links under BaseURL. It is safe for concurrent use.
type Simulator struct {
	BaseURL string
	TTL     time.Duration

	mu    sync.Mutex
	links map[string]Link

	apiKey         string                 // what Handler requires as a bearer token; "" requires nothing
	requests       map[string]LinkRequest // by link URL, for Pay
	paid           map[string]string      // payment reference by link URL
	payments       int
	callbackURL    string
	callbackSecret []byte
}

// NewSimulator returns a simulator with links under baseURL valid for a day.
func NewSimulator(baseURL string) *Simulator {
	return &Simulator{BaseURL: baseURL, TTL: 24 * time.Hour, links: map[string]Link{}}
}

// PaymentLink returns the link for req.
func (s *Simulator) PaymentLink(ctx context.Context, req LinkRequest) (Link, error) {
	if err := ctx.Err(); err != nil {
		return Link{}, err
	}
	if !req.Amount.IsPositive() {
		return Link{}, fmt.Errorf("payment link: amount must be positive")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if l, ok := s.links[req.IdempotencyKey]; ok && req.IdempotencyKey != "" {
		return l, nil
	}
	q := url.Values{"policy": {req.PolicyNumber}, "installment": {fmt.Sprint(req.Installment)}, "amount": {req.Amount.String()}}
	l := Link{
		URL:     fmt.Sprintf("%s/pay/%s?%s", s.BaseURL, uuid.NewSHA1(uuid.NameSpaceURL, []byte(req.IdempotencyKey+req.PolicyID.String())), q.Encode()),
		Expires: time.Now().Add(s.TTL).UTC().Truncate(time.Second),
	}
	if req.IdempotencyKey != "" {
		s.links[req.IdempotencyKey] = l
	}
	if s.requests == nil {
		s.requests = map[string]LinkRequest{}
	}
	s.requests[l.URL] = req
	return l, nil
}
