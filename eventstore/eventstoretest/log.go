package eventstoretest

import (
	"context"
	"math/rand/v2"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kabinet/kabinet/eventstore"
)

func testReadAllOrderAndLimit(t *testing.T, newBackend Factory) {
	s := newBackend(t, nil).Store
	streams := []string{newStream("a"), newStream("b"), newStream("c")}
	var want []uuid.UUID
	for i := 0; i < 10; i++ {
		e := newEvent()
		mustAppend(t, s, streams[i%3], eventstore.Any, e)
		want = append(want, e.ID)
	}
	got := ReadVisible(t, s, eventstore.Position{}, 3, len(want))
	assert.Equal(t, want, ids(got), "sequential appends read back in append order")
	for i := 1; i < len(got); i++ {
		assert.True(t, got[i-1].Position.Less(got[i].Position), "positions strictly grow")
	}
	tail, err := s.ReadAll(ctxT(t), got[len(got)-1].Position, 10)
	require.NoError(t, err)
	assert.Empty(t, tail)
	none, err := s.ReadAll(ctxT(t), eventstore.Position{}, 0)
	require.NoError(t, err)
	assert.Empty(t, none)
	mid := readAllFrom(t, s, got[4].Position, 100)
	assert.Equal(t, want[5:], ids(mid), "resuming from a cursor continues after it")
}

// testLateCommitNotSkipped pins the bug the design exists to prevent: an
// append that started first and commits last must not fall behind a cursor
// that a reader has already moved past.
func testLateCommitNotSkipped(t *testing.T, newBackend Factory) {
	b := newBackend(t, nil)
	require.NotNil(t, b.BeginAppend, "the backend must provide BeginAppend")
	ctx := ctxT(t)
	early, late := newEvent(), newEvent()
	commit, _, err := b.BeginAppend(ctx, newStream("a"), eventstore.NoStream, early)
	require.NoError(t, err)
	mustAppend(t, b.Store, newStream("b"), eventstore.NoStream, late)

	seen := readAllFrom(t, b.Store, eventstore.Position{}, 10)
	for _, e := range seen {
		require.NotEqual(t, early.ID, e.ID, "an uncommitted event was visible")
	}
	require.NoError(t, commit())
	after := eventstore.Position{}
	if len(seen) > 0 {
		after = seen[len(seen)-1].Position
	}
	seen = append(seen, ReadVisible(t, b.Store, after, 10, 2-len(seen))...)
	assert.ElementsMatch(t, []uuid.UUID{early.ID, late.ID}, ids(seen), "each committed event seen exactly once")
}

func testRollbackInvisible(t *testing.T, newBackend Factory) {
	b := newBackend(t, nil)
	ctx := ctxT(t)
	stream := newStream("a")
	_, rollback, err := b.BeginAppend(ctx, stream, eventstore.NoStream, newEvents(3)...)
	require.NoError(t, err)
	require.NoError(t, rollback())
	assert.Empty(t, readAllFrom(t, b.Store, eventstore.Position{}, 10))
	_, err = b.Store.Load(ctx, stream, 0)
	assert.ErrorIs(t, err, eventstore.ErrStreamNotFound)
	res := mustAppend(t, b.Store, stream, eventstore.NoStream, newEvent())
	assert.Equal(t, int64(1), res.LastVersion, "a rolled-back append leaves no version behind")
	require.NoError(t, b.Store.Verify(ctx, ""))
}

func testSubscribeWakes(t *testing.T, newBackend Factory) {
	s := newBackend(t, nil).Store
	first := newEvent()
	mustAppend(t, s, newStream("a"), eventstore.Any, first)
	got := make(chan eventstore.RecordedEvent, 10)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	go func() {
		// An hour-long poll: only a wake-up can deliver the second event in time.
		done <- s.Subscribe(ctx, eventstore.SubscribeOptions{PollInterval: time.Hour}, func(_ context.Context, batch []eventstore.RecordedEvent) error {
			for _, e := range batch {
				got <- e
			}
			return nil
		})
	}()
	require.Equal(t, first.ID, receive(t, got).ID)
	second := newEvent()
	mustAppend(t, s, newStream("a"), eventstore.Any, second)
	require.Equal(t, second.ID, receive(t, got).ID)
	cancel()
	assert.ErrorIs(t, <-done, context.Canceled)
}

func receive(t *testing.T, ch <-chan eventstore.RecordedEvent) eventstore.RecordedEvent {
	t.Helper()
	select {
	case e := <-ch:
		return e
	case <-time.After(20 * time.Second):
		t.Fatal("no event delivered")
		return eventstore.RecordedEvent{}
	}
}

// noSkipDuration is how long the writers of NoSkippedEvents run;
// KABINET_NOSKIP_DURATION (a Go duration) overrides it for longer soaks.
func noSkipDuration() time.Duration {
	if d, err := time.ParseDuration(os.Getenv("KABINET_NOSKIP_DURATION")); err == nil && d > 0 {
		return d
	}
	return 3 * time.Second
}

// tail collects what one reader sees and checks it never goes backwards.
type tail struct {
	mu        sync.Mutex
	last      eventstore.Position
	seen      map[uuid.UUID]int
	order     []eventstore.RecordedEvent
	backwards int
}

func newTail() *tail { return &tail{seen: map[uuid.UUID]int{}} }

func (r *tail) add(batch []eventstore.RecordedEvent) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, e := range batch {
		if !r.last.Less(e.Position) {
			r.backwards++
		}
		r.last = e.Position
		r.seen[e.ID]++
		r.order = append(r.order, e)
	}
}

func (r *tail) count() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.order)
}

func testNoSkippedEvents(t *testing.T, newBackend Factory) {
	b := newBackend(t, nil)
	require.NotNil(t, b.BeginAppend)
	s := b.Store
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()

	subscribed, polled := newTail(), newTail()
	var readers sync.WaitGroup
	readers.Add(2)
	go func() {
		defer readers.Done()
		_ = s.Subscribe(ctx, eventstore.SubscribeOptions{BatchSize: 13, PollInterval: 50 * time.Millisecond},
			func(_ context.Context, batch []eventstore.RecordedEvent) error { subscribed.add(batch); return nil })
	}()
	go func() {
		defer readers.Done()
		var after eventstore.Position
		for ctx.Err() == nil {
			batch, err := s.ReadAll(ctx, after, 7)
			if err != nil {
				return
			}
			if len(batch) == 0 {
				time.Sleep(time.Millisecond)
				continue
			}
			polled.add(batch)
			after = batch[len(batch)-1].Position
		}
	}()

	const writers = 16
	shared := []string{newStream("shared"), newStream("shared"), newStream("shared"), newStream("shared")}
	var (
		mu         sync.Mutex
		committed  = map[uuid.UUID]bool{}
		rolledBack = map[uuid.UUID]bool{}
		held, rbs  int
		wg         sync.WaitGroup
	)
	deadline := time.Now().Add(noSkipDuration())
	for w := 0; w < writers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(uint64(w), 99))
			own, version := newStream("own"), int64(0)
			for time.Now().Before(deadline) {
				events := newEvents(1 + rng.IntN(5))
				stream, expected := own, eventstore.Exactly(version)
				if rng.IntN(2) == 0 {
					stream, expected = shared[rng.IntN(len(shared))], eventstore.Any
				}
				action := rng.IntN(10)
				var err error
				switch {
				case action < 7:
					_, err = s.Append(ctx, stream, expected, events...)
				default:
					var commit, rollback func() error
					commit, rollback, err = b.BeginAppend(ctx, stream, expected, events...)
					if err == nil {
						time.Sleep(time.Duration(rng.IntN(20)) * time.Millisecond)
						if action < 9 {
							err = commit()
						} else {
							err = rollback()
						}
					}
				}
				if err != nil {
					t.Errorf("writer %d: %v", w, err)
					return
				}
				mu.Lock()
				for _, e := range events {
					if action == 9 {
						rolledBack[e.ID] = true
					} else {
						committed[e.ID] = true
					}
				}
				switch action {
				case 7, 8:
					held++
				case 9:
					rbs++
				}
				mu.Unlock()
				if action != 9 && stream == own {
					version += int64(len(events))
				}
			}
		}(w)
	}
	wg.Wait()
	require.False(t, t.Failed())
	t.Logf("%d events committed, %d held-open appends, %d rolled back", len(committed), held, rbs)
	require.Greater(t, held, 10, "the workload must hold transactions open")
	require.Greater(t, rbs, 5, "the workload must roll transactions back")

	waitUntil := time.Now().Add(30 * time.Second)
	for (subscribed.count() < len(committed) || polled.count() < len(committed)) && time.Now().Before(waitUntil) {
		time.Sleep(20 * time.Millisecond)
	}
	time.Sleep(100 * time.Millisecond) // room for anything extra to show up
	cancel()
	readers.Wait()

	for name, r := range map[string]*tail{"subscriber": subscribed, "ReadAll poller": polled} {
		assert.Zero(t, r.backwards, "%s: position went backwards", name)
		missing, twice, ghost := 0, 0, 0
		for id := range committed {
			switch r.seen[id] {
			case 0:
				missing++
			case 1:
			default:
				twice++
			}
		}
		for id := range r.seen {
			if !committed[id] {
				ghost++
				assert.False(t, rolledBack[id], "%s saw a rolled-back event", name)
			}
		}
		assert.Zero(t, missing, "%s skipped committed events", name)
		assert.Zero(t, twice, "%s saw events twice", name)
		assert.Zero(t, ghost, "%s saw events nobody committed", name)
		versions := map[string]int64{}
		for _, e := range r.order {
			assert.Equal(t, versions[e.Stream]+1, e.Version, "%s: %s out of version order", name, e.Stream)
			versions[e.Stream] = e.Version
		}
	}
	require.NoError(t, s.Verify(ctxT(t), ""), "chains intact after the storm")
}
