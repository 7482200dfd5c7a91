package policies

import (
	"cmp"
	"fmt"
	"sync"
	"time"
	_ "time/tzdata" // Asia/Almaty must resolve on hosts without a zone database

	"github.com/kabinet/kabinet/domain/policy"
)

// Bucket is a tab of "Мои полисы"; see the package documentation for the rules.
type Bucket string

// The buckets. The zero Bucket means All.
const (
	All          Bucket = "all"
	Expiring     Bucket = "expiring"
	Active       Bucket = "active"
	Installments Bucket = "installments"
	History      Bucket = "history"
)

// Standing is where a policy stands on the day asked about.
type Standing string

// The standings.
const (
	Upcoming  Standing = "upcoming"  // concluded; cover starts after today
	InForce   Standing = "in_force"  // covers today
	Ended     Standing = "ended"     // the term is over
	Cancelled Standing = "cancelled" // a cancellation has taken effect
)

// ExpiringWithin is how many days ahead a policy's end makes it expiring:
// the end is at most today + 30 days.
const ExpiringWithin = 30

// Counts is how many policies each bucket holds.
type Counts struct {
	All, Expiring, Active, Installments, History int
}

var almaty = sync.OnceValues(func() (*time.Location, error) { return time.LoadLocation("Asia/Almaty") })

// Today is the calendar day now falls on in Asia/Almaty: the day every
// bucket is computed for.
func Today(now time.Time) (policy.Date, error) {
	loc, err := almaty()
	if err != nil {
		return policy.Date{}, fmt.Errorf("load zone Asia/Almaty: %w", err)
	}
	return policy.DateOf(now.In(loc)), nil
}

// term is what the buckets depend on.
type term struct {
	starts, ends policy.Date
	cancelled    bool
	cancelledOn  policy.Date // first day without cover
}

// lastDay is the last day the policy covers.
func (t term) lastDay() policy.Date {
	if t.cancelled && t.cancelledOn.AddDays(-1).Before(t.ends) {
		return t.cancelledOn.AddDays(-1)
	}
	return t.ends
}

// classify places a policy on today. HasInForce asks the same question in
// SQL (not history); the tests hold the two together.
func classify(today policy.Date, t term) (Standing, Bucket) {
	switch {
	case t.cancelled && (!today.Before(t.cancelledOn) || !t.cancelledOn.After(t.starts)):
		return Cancelled, History
	case today.After(t.ends):
		return Ended, History
	}
	standing := InForce
	if today.Before(t.starts) {
		standing = Upcoming
	}
	if t.lastDay().After(today.AddDays(ExpiringWithin)) {
		return standing, Active
	}
	return standing, Expiring
}

// in reports whether s belongs to bucket b.
func (s Summary) in(b Bucket) bool {
	switch b {
	case All:
		return true
	case Installments:
		return s.Next != nil
	default:
		return s.Bucket == b
	}
}

// order sorts a bucket: what ends or falls due soonest first, history most
// recent first; in All, current policies before history.
func order(b Bucket) func(x, y Summary) int {
	return func(x, y Summary) int {
		var c int
		switch {
		case b == Installments:
			c = x.Next.DueOn.Compare(y.Next.DueOn)
		case (x.Bucket == History) != (y.Bucket == History):
			if x.Bucket == History {
				return 1
			}
			return -1
		case x.Bucket == History:
			c = y.LastDay.Compare(x.LastDay)
		default:
			c = x.LastDay.Compare(y.LastDay)
		}
		if c != 0 {
			return c
		}
		if c = cmp.Compare(x.Number, y.Number); c != 0 {
			return c
		}
		return cmp.Compare(x.PolicyID.String(), y.PolicyID.String())
	}
}
