package cabinet

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/kabinet/kabinet/internal/sqldb"
)

// sweepEvery is how often RunSweeper clears what has expired and completes
// the erasures that no longer have to wait.
const sweepEvery = 10 * time.Minute

// Sweep deletes what can no longer be used: sessions a day past their
// expiry, registrations past theirs, rate-limit windows that closed a day
// ago (every window is at most an hour), and copies of erased clients' scans
// that the erasure failed to delete (their key is gone, so they no longer
// open). It returns how many rows went.
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
		{"scan copies of erased clients", `DELETE FROM scan_copies WHERE stored_at < $1
			AND client_id IN (SELECT client_id FROM client_keys WHERE wrapped IS NULL)`, now},
	} {
		tag, err := s.d.DB.Exec(ctx, q.sql, q.before)
		if err != nil {
			return total, fmt.Errorf("sweep %s: %w", q.what, err)
		}
		total += tag.RowsAffected()
	}
	return total, nil
}

// RunSweeper runs Sweep and FinishErasures every ten minutes until ctx
// ends; a failure is logged and tried again at the next tick. Every instance
// may run one: the deletes are idempotent, and an erasure completed by two
// instances at once is recorded once.
func (s *Service) RunSweeper(ctx context.Context) error {
	t := time.NewTicker(sweepEvery)
	defer t.Stop()
	for {
		if n, err := s.Sweep(ctx); err != nil && !errors.Is(err, context.Canceled) {
			s.cfg.Logger.WarnContext(ctx, "sweep expired rows", "error", err)
		} else if n > 0 {
			s.cfg.Logger.DebugContext(ctx, "swept expired rows", "rows", n)
		}
		// Before the runner first creates the read models on a new
		// database, their views are missing: nothing to finish yet.
		if n, err := s.FinishErasures(ctx); sqldb.IsUndefinedTable(err) {
			s.cfg.Logger.DebugContext(ctx, "finish pending erasures: the read models are not built yet")
		} else if err != nil && !errors.Is(err, context.Canceled) {
			s.cfg.Logger.WarnContext(ctx, "finish pending erasures", "erased", n, "error", err)
		} else if n > 0 {
			s.cfg.Logger.InfoContext(ctx, "finished pending erasures", "erased", n)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-t.C:
		}
	}
}
