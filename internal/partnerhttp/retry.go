package partnerhttp

import (
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// backoff is the wait after the given attempt (from 1): MinBackoff doubled
// per attempt up to MaxBackoff, of which a random half, so that callers
// that failed together do not retry together.
func (c *Client) backoff(attempt int) time.Duration {
	d := c.cfg.MaxBackoff
	if shift := attempt - 1; shift < 32 {
		if b := c.cfg.MinBackoff << shift; b > 0 && b < d {
			d = b
		}
	}
	half := d / 2
	if half <= 0 {
		return d
	}
	return half + rand.N(half+1)
}

// retryAfter reads a Retry-After header: seconds or an HTTP date. Anything
// else, or a time already past, is 0.
func retryAfter(v string, now time.Time) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	if n, err := strconv.ParseInt(v, 10, 64); err == nil {
		if n <= 0 {
			return 0
		}
		// A day is longer than any caller waits; it also keeps the
		// multiplication from overflowing.
		return time.Duration(min(n, int64(24*time.Hour/time.Second))) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil && t.After(now) {
		return t.Sub(now)
	}
	return 0
}
