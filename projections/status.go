package projections

import (
	"context"
	"fmt"
	"time"

	"github.com/kabinet/kabinet/internal/sqldb"
)

// Status is what an operator needs to know about one projection.
type Status struct {
	Name        string
	CodeVersion int        // the version this binary would build
	Live        Generation // zero Number when not installed
	Building    *Generation
	LagEvents   int64         // visible events not yet applied (counted up to 1,000,000)
	Lag         time.Duration // age of the oldest event not yet applied
}

// Statuses reports on the given projections.
func Statuses(ctx context.Context, db sqldb.DB, projections []Projection) ([]Status, error) {
	gens, err := Generations(ctx, db)
	if err != nil {
		return nil, err
	}
	out := make([]Status, 0, len(projections))
	for _, p := range projections {
		s := Status{Name: p.Name(), CodeVersion: p.Version()}
		for _, g := range gens {
			switch {
			case g.Name != p.Name():
			case g.State == StateLive:
				s.Live = g
			case g.State == StateBuilding && s.Building == nil:
				b := g
				s.Building = &b
			}
		}
		if s.Live.Number > 0 {
			if s.LagEvents, s.Lag, err = lag(ctx, db, s.Live); err != nil {
				return nil, err
			}
		}
		out = append(out, s)
	}
	return out, nil
}

func lag(ctx context.Context, db sqldb.DB, g Generation) (int64, time.Duration, error) {
	n, oldest, err := logAfter(ctx, db, g.Position, 1_000_000)
	if err != nil || n == 0 {
		return n, 0, wrapLag(g, err)
	}
	return n, time.Since(oldest), nil
}

func wrapLag(g Generation, err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("lag of %s: %w", g.Name, err)
}
