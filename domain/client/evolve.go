package client

import "maps"

// Evolve applies one event to the state. It never validates: events are facts.
func Evolve(s State, e Event) State {
	switch e := e.(type) {
	case Registered:
		s.ID = e.ClientID
		s.IIN = e.IIN
		s.FirstName = e.FirstName
		s.LastName = e.LastName
		s.Phone = e.Phone
		s.Source = e.Source
		s.KIASClientID = e.KIASClientID
		s.Settings = e.Settings
		s.RegisteredAt = e.RegisteredAt
	case AccessCodeIssued:
		s.Code = AccessCode{Kind: e.Kind, Hash: e.Hash, ExpiresAt: e.ExpiresAt, IssuedAt: e.IssuedAt}
	case AccessCodeChanged:
		s.Code = AccessCode{Kind: e.Kind, Hash: e.Hash, IssuedAt: e.ChangedAt}
	case LoginFailed:
		s.FailedAttempts = e.Attempts
	case LoginSucceeded:
		s.FailedAttempts = 0
		s.Locks = 0
		s.LastLoginAt = e.SucceededAt
	case LoginLocked:
		s.FailedAttempts = 0
		s.Locks++
		s.LockedUntil = e.Until
	case PhoneChanged:
		s.Phone = e.New
	case SettingsChanged:
		s.Settings = e.Settings
	case ConsentGiven:
		s.consents = withConsent(s.consents, e.Purpose, Consent{Scope: e.Scope, ExpiresAt: e.ExpiresAt, GivenAt: e.GivenAt})
	case ConsentWithdrawn:
		c := s.consents[e.Purpose]
		c.WithdrawnAt = e.WithdrawnAt
		s.consents = withConsent(s.consents, e.Purpose, c)
	case ErasureRequested:
		s.ErasureRequestedAt = e.RequestedAt
		s.ErasureDeferredBy = ""
	case ErasureDeferred:
		s.ErasureDeferredBy = e.Reason
	case Erased:
		// Only what proves the erasure stays; the personal data goes.
		s = State{ID: s.ID, RegisteredAt: s.RegisteredAt, ErasureRequestedAt: s.ErasureRequestedAt, ErasedAt: e.ErasedAt}
	}
	return s
}

func withConsent(m map[Purpose]Consent, p Purpose, c Consent) map[Purpose]Consent {
	out := maps.Clone(m)
	if out == nil {
		out = make(map[Purpose]Consent, 1)
	}
	out[p] = c
	return out
}
