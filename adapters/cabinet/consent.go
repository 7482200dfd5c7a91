package cabinet

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/kabinet/kabinet/domain/client"
)

// Bounds of a consent: a purpose code, and a scope of a few categories of
// data, each a short code.
const (
	maxScopeItems  = 20
	maxScopeLength = 64
)

// consentPurposes are the purposes a client may consent to through the API.
var consentPurposes = []client.Purpose{client.PurposePersonalData, client.PurposeThirdParties, client.PurposeMarketing}

// GetConsents lists the client's consents, read from the client's own
// stream, so they always include the client's last change.
func (s *Service) GetConsents(ctx context.Context, c Caller, _ *GetConsentsRequest) (*GetConsentsResponse, error) {
	st, err := s.clientState(ctx, c)
	if err != nil {
		return nil, err
	}
	now := s.cfg.Now()
	out := &GetConsentsResponse{Consents: []Consent{}}
	for _, p := range st.Purposes() {
		given, _ := st.ConsentFor(p)
		out.Consents = append(out.Consents, consent(p, given, now))
	}
	return out, nil
}

// GiveConsent records the client's consent for a purpose over a scope of
// data categories, until withdrawn or until it expires. A consent on file
// for the purpose is replaced.
func (s *Service) GiveConsent(ctx context.Context, c Caller, req *GiveConsentRequest) (*GiveConsentResponse, error) {
	purpose := client.Purpose(strings.TrimSpace(req.Purpose))
	if !slices.Contains(consentPurposes, purpose) {
		return nil, invalid("purpose", "must be one of personal_data, third_parties, marketing")
	}
	scope, err := parseScope(req.Scope)
	if err != nil {
		return nil, err
	}
	expires, err := parseOptionalDateTime("expiresAt", req.ExpiresAt)
	if err != nil {
		return nil, err
	}
	if !expires.IsZero() && !expires.After(s.cfg.Now()) {
		return nil, invalid("expiresAt", "must be in the future")
	}
	cmd := client.GiveConsent{Purpose: purpose, Scope: scope, ExpiresAt: expires.UTC()}
	res, err := s.d.Clients.GiveConsent(ctx, c.commandID("GiveConsent", 0), c.ClientID, cmd)
	if errors.Is(err, client.ErrInvalidCommand) {
		// Every other field was checked above: the expiry passed meanwhile.
		return nil, invalid("expiresAt", "must be in the future")
	}
	if err := s.settled(ctx, res, err); err != nil {
		return nil, err
	}
	out, err := s.consentOnFile(ctx, c, purpose)
	if err != nil {
		return nil, err
	}
	return &GiveConsentResponse{Consent: out}, nil
}

// WithdrawConsent ends the client's consent for a purpose. A consent that
// the insurer needs to serve a contract (every purpose but marketing) is
// refused with CodeConsentRequiredByContract while the client has a policy
// in force or a claim open. Any purpose on file may be withdrawn, including
// one recorded outside the API under a code GiveConsent does not offer.
func (s *Service) WithdrawConsent(ctx context.Context, c Caller, req *WithdrawConsentRequest) (*WithdrawConsentResponse, error) {
	purpose := client.Purpose(strings.TrimSpace(req.Purpose))
	if purpose == "" || len(purpose) > client.MaxPurposeLength {
		return nil, invalid("purpose", "is required: a code of at most %d characters", client.MaxPurposeLength)
	}
	res, err := s.d.Clients.WithdrawConsent(ctx, c.commandID("WithdrawConsent", 0), c.ClientID, purpose)
	if err := s.settled(ctx, res, err); err != nil {
		return nil, err
	}
	out, err := s.consentOnFile(ctx, c, purpose)
	if err != nil {
		return nil, err
	}
	return &WithdrawConsentResponse{Consent: out}, nil
}

// consentOnFile is the client's consent for a purpose as the stream holds it.
func (s *Service) consentOnFile(ctx context.Context, c Caller, p client.Purpose) (Consent, error) {
	st, err := s.clientState(ctx, c)
	if err != nil {
		return Consent{}, err
	}
	given, ok := st.ConsentFor(p)
	if !ok {
		return Consent{}, fmt.Errorf("consent for %s: %w", p, client.ErrConsentNotGiven)
	}
	return consent(p, given, s.cfg.Now()), nil
}

// parseScope trims the categories and sorts them without repeats, so that
// the same categories in another order are the same consent, which giving
// again records nothing for.
func parseScope(in []string) ([]string, error) {
	if len(in) == 0 {
		return nil, invalid("scope", "must list at least one category of data")
	}
	if len(in) > maxScopeItems {
		return nil, invalid("scope", "must list at most %d categories", maxScopeItems)
	}
	out := make([]string, len(in))
	for i, v := range in {
		v = strings.TrimSpace(v)
		if v == "" || len(v) > maxScopeLength {
			return nil, invalid(fmt.Sprintf("scope[%d]", i), "must be a category of 1 to %d characters", maxScopeLength)
		}
		out[i] = v
	}
	slices.Sort(out)
	return slices.Compact(out), nil
}

func consent(p client.Purpose, c client.Consent, now time.Time) Consent {
	out := Consent{Purpose: string(p), Scope: c.Scope, Status: "active", GivenAt: dateTime(c.GivenAt),
		ExpiresAt: dateTime(c.ExpiresAt), WithdrawnAt: dateTime(c.WithdrawnAt)}
	switch {
	case !c.WithdrawnAt.IsZero():
		out.Status = "withdrawn"
	case !c.Active(now):
		out.Status = "expired"
	}
	if out.Scope == nil {
		out.Scope = []string{}
	}
	return out
}
