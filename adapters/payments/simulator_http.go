package payments

import (
	"context"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/kabinet/kabinet/internal/partnerhttp"
)

// ErrUnknownLink means Pay was given a link the simulator never made.
var ErrUnknownLink = errors.New("payment link unknown to the provider")

// RequireAPIKey makes Handler answer 401 to requests without this bearer
// token. Call it before serving.
func (s *Simulator) RequireAPIKey(key string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.apiKey = key
}

// SetCallback tells the simulator where to report payments (kabinet's
// CallbackPath, as a full URL) and the secret it signs them with.
func (s *Simulator) SetCallback(url string, secret []byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.callbackURL, s.callbackSecret = url, append([]byte(nil), secret...)
}

// Pay completes the payment of a link as a client at the provider's page
// would, and reports it to the callback with a signed Report, retrying as a
// provider does while kabinet answers 5xx. It returns the payment's
// reference. Paying a link again reports the same payment again, with the
// same reference, as a provider redelivering its report does.
func (s *Simulator) Pay(ctx context.Context, link Link) (string, error) {
	s.mu.Lock()
	req, ok := s.requests[link.URL]
	if !ok {
		s.mu.Unlock()
		return "", ErrUnknownLink
	}
	if s.paid == nil {
		s.paid = map[string]string{}
	}
	ref, again := s.paid[link.URL]
	if !again {
		s.payments++
		ref = fmt.Sprintf("SIM-PAY-%06d", s.payments)
		s.paid[link.URL] = ref
	}
	target, secret := s.callbackURL, s.callbackSecret
	s.mu.Unlock()
	if target == "" {
		return "", errors.New("payments simulator: no callback URL set")
	}
	body, err := json.Marshal(Report{
		PaymentRef: ref, Status: StatusPaid, PolicyID: req.PolicyID, PolicyNumber: req.PolicyNumber,
		Installment: req.Installment, Amount: req.Amount, PaidAt: time.Now().UTC().Truncate(time.Second),
	})
	if err != nil {
		return "", fmt.Errorf("payments simulator: encode report: %w", err)
	}
	c, err := partnerhttp.New(partnerhttp.Config{
		Partner: "kabinet", BaseURL: target, AttemptTimeout: 10 * time.Second, MaxAttempts: 3,
		MinBackoff: 50 * time.Millisecond, MaxBackoff: time.Second,
	})
	if err != nil {
		return "", fmt.Errorf("payments simulator: callback: %w", err)
	}
	err = c.Do(ctx, partnerhttp.Request{
		Method: http.MethodPost, Route: CallbackPath, Body: json.RawMessage(body),
		Header: http.Header{SignatureHeader: {Sign(secret, body)}}, IdempotencyKey: ref,
	}, nil)
	if err != nil {
		return ref, fmt.Errorf("payments simulator: report payment %s: %w", ref, err)
	}
	return ref, nil
}

// Handler serves the simulator over the provider's HTTP API (see the package
// documentation).
func (s *Simulator) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /links", s.serveLink)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		key := s.apiKey
		s.mu.Unlock()
		token, _ := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		if key != "" && subtle.ConstantTimeCompare([]byte(token), []byte(key)) != 1 {
			writeJSON(w, http.StatusUnauthorized, errorJSON("unauthorized", "a valid bearer token is required"))
			return
		}
		mux.ServeHTTP(w, r)
	})
}

func (s *Simulator) serveLink(w http.ResponseWriter, r *http.Request) {
	var in linkRequestJSON
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 64<<10)).Decode(&in); err != nil {
		writeJSON(w, http.StatusBadRequest, errorJSON("invalid_body", "the body is not the JSON expected"))
		return
	}
	if !in.Amount.IsPositive() {
		writeJSON(w, http.StatusBadRequest, errorJSON("invalid_amount", "amount must be positive"))
		return
	}
	l, err := s.PaymentLink(r.Context(), LinkRequest{
		PolicyID: in.PolicyID, PolicyNumber: in.PolicyNumber, Installment: in.Installment, Amount: in.Amount,
		IdempotencyKey: r.Header.Get("Idempotency-Key"),
	})
	if err != nil {
		writeJSON(w, http.StatusInternalServerError, errorJSON("internal", "try again"))
		return
	}
	writeJSON(w, http.StatusCreated, linkJSON{URL: l.URL, Expires: l.Expires})
}

func errorJSON(code, message string) map[string]map[string]string {
	return map[string]map[string]string{"error": {"code": code, "message": message}}
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
