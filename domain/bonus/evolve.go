package bonus

import "maps"

// Evolve applies one event to the state. It never validates: events are facts.
func Evolve(s State, e Event) State {
	switch e := e.(type) {
	case Accrued:
		s.Balance += e.Points
		s.accrued = with(s.accrued, e.PaymentRef, e.Points)
	case Spent:
		s.Balance -= e.Points
		s.spent = with(s.spent, e.OrderRef, e.Points)
	case Reversed:
		s.Balance -= e.Points
		s.Shortfall += e.Shortfall
		s.reversed = with(s.reversed, e.PaymentRef, e)
	case Expired:
		s.Balance -= e.Points
		s.expired = with(s.expired, asOfKey(e.AsOf), e.Points)
	}
	return s
}

// with returns a copy of m with k set to v, leaving m untouched.
func with[V any](m map[string]V, k string, v V) map[string]V {
	c := maps.Clone(m)
	if c == nil {
		c = make(map[string]V, 1)
	}
	c[k] = v
	return c
}
