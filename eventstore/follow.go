package eventstore

import (
	"context"
	"sync"
	"time"
)

// Notifier broadcasts "something was committed" to any number of waiters.
// Take the channel from Wait before reading, then block on it: a Notify that
// comes between the read and the block is not missed.
type Notifier struct {
	mu sync.Mutex
	ch chan struct{}
}

// Wait returns a channel that is closed by the next Notify.
func (n *Notifier) Wait() <-chan struct{} {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.ch == nil {
		n.ch = make(chan struct{})
	}
	return n.ch
}

// Notify wakes every current waiter.
func (n *Notifier) Notify() {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.ch != nil {
		close(n.ch)
		n.ch = nil
	}
}

// ReadAller is the part of a Store that Follow needs.
type ReadAller interface {
	ReadAll(ctx context.Context, after Position, limit int) ([]RecordedEvent, error)
}

// Follow implements Store.Subscribe over ReadAll and a Notifier. Correctness
// comes from ReadAll alone; the notifier only makes delivery prompt. After a
// wake-up that finds nothing visible yet (an older append still open), it
// polls again soon, backing off to the poll interval.
func Follow(ctx context.Context, r ReadAller, wake *Notifier, opts SubscribeOptions, handle func(context.Context, []RecordedEvent) error) error {
	opts.setDefaults()
	after := opts.After
	const firstRetry = 2 * time.Millisecond
	var retry time.Duration // > 0 while chasing a wake-up
	timer := time.NewTimer(opts.PollInterval)
	defer timer.Stop()
	for {
		woken := wake.Wait()
		batch, err := r.ReadAll(ctx, after, opts.BatchSize)
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			return err
		}
		if len(batch) > 0 {
			if err := handle(ctx, batch); err != nil {
				return err
			}
			after = batch[len(batch)-1].Position
			continue
		}
		wait := opts.PollInterval
		if retry > 0 {
			wait, retry = retry, retry*2
			if retry > opts.PollInterval {
				retry = 0
			}
		}
		timer.Reset(wait)
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-woken:
			retry = firstRetry
		case <-timer.C:
		}
		if !timer.Stop() {
			select {
			case <-timer.C:
			default:
			}
		}
	}
}
