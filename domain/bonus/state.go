package bonus

import "time"

// State is a bonus account as its events built it. The zero value is an account
// with no history, which behaves as an empty account.
type State struct {
	Balance int64
	// Shortfall is the sum of points that reversals could not take back.
	Shortfall int64

	// Evolve copies these maps before writing, so states that share them stay
	// independent.
	accrued  map[string]int64    // payment ref → points accrued
	reversed map[string]Reversed // payment ref → the reversal
	spent    map[string]int64    // order ref → points spent
	expired  map[string]int64    // as-of date (YYYY-MM-DD) → points expired
}

// Exists reports whether anything has happened on the account.
func (s State) Exists() bool {
	return len(s.accrued) > 0 || len(s.spent) > 0 || len(s.expired) > 0
}

// AccruedFor returns the points accrued for a payment and whether there were any.
func (s State) AccruedFor(paymentRef string) (int64, bool) {
	p, ok := s.accrued[paymentRef]
	return p, ok
}

// ReversalOf returns the reversal of a payment's points, if it was reversed.
func (s State) ReversalOf(paymentRef string) (Reversed, bool) {
	r, ok := s.reversed[paymentRef]
	return r, ok
}

// SpentOn returns the points spent on an order and whether the order was paid with points.
func (s State) SpentOn(orderRef string) (int64, bool) {
	p, ok := s.spent[orderRef]
	return p, ok
}

// ExpiredAsOf returns the points expired as of a date, if that expiry was decided.
func (s State) ExpiredAsOf(asOf time.Time) (int64, bool) {
	p, ok := s.expired[asOfKey(asOf)]
	return p, ok
}

// asOfKey makes an as-of date a map key that ignores the clock time and
// monotonic reading, so that the same date always finds the same entry.
func asOfKey(t time.Time) string { return t.Format(time.DateOnly) }
