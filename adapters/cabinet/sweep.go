package cabinet

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// sweepEvery is how often RunSweeper clears what has expired.
const sweepEvery = 10 * time.Minute

// Sweep deletes what can no longer be used: sessions a day past their
// expiry, registrations past theirs, and rate-limit windows that closed a day
// ago (every window is at most an hour). It returns how many rows went.
func (s *Service) Sweep(ctx context.Context) (int64, error) {
	now := s.cfg.Now()
	var total int64
	for _, q := range []struct {
		what, sql string
		before    time.Time
	}{
		{"sessions", `DELETE FROM sessions WHERE expires_at < $1`, now.Add(-24 * time.Hour)},
		{"registrations", `DELETE FROM registrations WHERE expires_at < $1`, now},
		{"rate limits", `DELETE FROM rate_limits WHERE window_start < $1`, now.Add(-24 * time.Hour)},
	} {
		tag, err := s.d.DB.Exec(ctx, q.sql, q.before)
		if err != nil {
			return total, fmt.Errorf("sweep %s: %w", q.what, err)
		}
		total += tag.RowsAffected()
	}
	return total, nil
}

// RunSweeper sweeps every ten minutes until ctx ends; a failed sweep is
// logged and tried again at the next tick. Every instance may run one: the
// deletes are idempotent.
func (s *Service) RunSweeper(ctx context.Context) error {
	t := time.NewTicker(sweepEvery)
	defer t.Stop()
	for {
		if n, err := s.Sweep(ctx); err != nil && !errors.Is(err, context.Canceled) {
			s.cfg.Logger.WarnContext(ctx, "sweep expired rows", "error", err)
		} else if n > 0 {
			s.cfg.Logger.DebugContext(ctx, "swept expired rows", "rows", n)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-t.C:
		}
	}
}
