package reactions

import (
	"errors"

	"github.com/kabinet/kabinet/eventstore"
	"github.com/kabinet/kabinet/internal/partnerhttp"
	"github.com/kabinet/kabinet/internal/sqldb"
)

// Unavailable reports whether err means that something a reaction calls was
// out of reach, rather than that the reaction failed: kabinet's database
// (sqldb.IsUnavailable, which also holds for a network error of any call,
// a partner's included; eventstore.ErrUnavailable), or a call that timed
// out (partnerhttp.ErrTimeout, or an error in the chain whose Timeout method
// says so, as net.Error and context.DeadlineExceeded do: a partner or the
// database that did not answer within the bound the caller gave it). Trying
// again later may succeed however often it failed before, so the bus keeps
// trying such a failure and never sets the event aside for it; the bus
// itself tells a reaction that ran out of its own time from a call that did.
func Unavailable(err error) bool {
	if err == nil {
		return false
	}
	if sqldb.IsUnavailable(err) || errors.Is(err, eventstore.ErrUnavailable) || errors.Is(err, partnerhttp.ErrTimeout) {
		return true
	}
	var t interface{ Timeout() bool }
	return errors.As(err, &t) && t.Timeout()
}
