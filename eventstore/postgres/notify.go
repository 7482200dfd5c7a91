package postgres

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"
)

// listenBackoffMax caps the wait between attempts to reconnect the listener.
const listenBackoffMax = 5 * time.Second

// listen keeps a LISTEN connection open and wakes local subscribers on every
// notification. After each (re)connect it wakes them once, in case a
// notification was lost while it was away.
func (s *Store) listen(ctx context.Context) {
	backoff := 100 * time.Millisecond
	for ctx.Err() == nil {
		err := s.listenOnce(ctx)
		if ctx.Err() != nil {
			return
		}
		s.opts.Logger.Warn("event store listener lost; subscribers poll until it is back", "error", err, "retry_in", backoff)
		select {
		case <-ctx.Done():
			return
		case <-time.After(backoff):
		}
		backoff = min(backoff*2, listenBackoffMax)
	}
}

func (s *Store) listenOnce(ctx context.Context) error {
	connectCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	conn, err := pgx.ConnectConfig(connectCtx, s.pool.Config().ConnConfig.Copy())
	if err != nil {
		return err
	}
	defer conn.Close(context.Background())
	if _, err := conn.Exec(ctx, "LISTEN "+pgx.Identifier{s.opts.NotifyChannel}.Sanitize()); err != nil {
		return err
	}
	s.wake.Notify()
	for {
		if _, err := conn.WaitForNotification(ctx); err != nil {
			return err
		}
		s.wake.Notify()
	}
}

// notifyEvery spaces NOTIFYs: each is a small transaction of its own, and
// under a steady write load one per commit costs the writers about an eighth
// of their throughput. Subscribers in other processes wake at most this much
// later; those in this process are woken at once.
const notifyEvery = 5 * time.Millisecond

// notifyLoop sends one NOTIFY for however many commits happened since the last.
func (s *Store) notifyLoop(ctx context.Context) {
	pace := time.NewTicker(notifyEvery)
	defer pace.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-pace.C:
		}
		select {
		case <-ctx.Done():
			return
		case <-s.pending:
		}
		sendCtx, cancel := context.WithTimeout(ctx, 5*time.Second)
		_, err := s.pool.Exec(sendCtx, `SELECT pg_notify($1, '')`, s.opts.NotifyChannel)
		cancel()
		if err != nil && ctx.Err() == nil {
			s.opts.Logger.Warn("notify other processes of a commit; they will poll", "error", err)
		}
	}
}
