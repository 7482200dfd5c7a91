package synth

import (
	"context"
	"sync/atomic"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/kabinet/kabinet/eventstore"
)

// Fill appends stories to store from the given number of writers until at
// least events events are stored, and returns how many it appended.
func Fill(ctx context.Context, store eventstore.Store, events int64, writers int, seed uint64, now time.Time) (int64, error) {
	var total atomic.Int64
	g, ctx := errgroup.WithContext(ctx)
	for w := 0; w < max(writers, 1); w++ {
		gen := New(seed+uint64(w), now)
		g.Go(func() error {
			for total.Load() < events {
				appends, err := gen.Next()
				if err != nil {
					return err
				}
				for _, a := range appends {
					if _, err := store.Append(ctx, a.Stream, eventstore.NoStream, a.Events...); err != nil {
						return err
					}
					total.Add(int64(len(a.Events)))
				}
			}
			return nil
		})
	}
	err := g.Wait()
	return total.Load(), err
}
