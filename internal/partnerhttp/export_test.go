package partnerhttp

import (
	"context"
	"time"
)

// SetSleep replaces how the client waits between attempts, so tests can see
// the waits without spending them.
func SetSleep(c *Client, f func(ctx context.Context, d time.Duration) error) { c.sleep = f }

// RetryAfter exposes the header parser.
var RetryAfter = retryAfter
