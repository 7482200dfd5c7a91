package bus_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kabinet/kabinet/adapters/reactions"
	"github.com/kabinet/kabinet/eventstore"
)

func TestNATSTwoInstancesHandleEachEventOncePerReactionAndSurviveAKill(t *testing.T) {
	t.Parallel()
	ns := natsServer(t, 0, t.TempDir())
	one, url := newDatabase(t)
	two := connect(t, url)
	countA, countB := newRecorder(), newRecorder()

	// The first event instance one is given for CountA hangs until the
	// instance is killed.
	var (
		hangOnce sync.Once
		hung     = make(chan uuid.UUID, 1)
	)
	hang := func(ctx context.Context, e eventstore.RecordedEvent) error {
		first := false
		hangOnce.Do(func() { first = true })
		if !first {
			return nil
		}
		hung <- e.ID
		<-ctx.Done()
		return ctx.Err()
	}
	reactionsOf := func(name string, before func(context.Context, eventstore.RecordedEvent) error) []reactions.Reaction {
		return []reactions.Reaction{countA.reaction("CountA", name, before), countB.reaction("CountB", name, nil)}
	}
	cfg1, cfg2 := testConfig(t, "one"), testConfig(t, "two")
	cfg1.NATSURL, cfg2.NATSURL = ns.ClientURL(), ns.ClientURL()
	first := start(t, one, reactionsOf("one", hang), cfg1)
	start(t, two, reactionsOf("two", nil), cfg2)

	var events []eventstore.Event
	for range 4 {
		events = append(events, appendEvents(t, one.store, newStream(), 10)...)
	}
	var hungID uuid.UUID
	select {
	case hungID = <-hung:
	case <-time.After(15 * time.Second):
		t.Fatal("instance one was never given an event for CountA")
	}
	require.NoError(t, first.stop(), "kill instance one mid-handling")

	// Events recorded after the kill reach the reactions too, whichever
	// relay was the active one.
	for range 2 {
		events = append(events, appendEvents(t, two.store, newStream(), 10)...)
	}
	countA.waitFor(t, len(events), 30*time.Second)
	countB.waitFor(t, len(events), 30*time.Second)
	waitCheckpoint(t, one.db, lastPosition(t, one.store))
	countA.onceEach(t, events)
	countB.onceEach(t, events)
	countA.mu.Lock()
	assert.Equal(t, "two", countA.by[hungID], "the other instance finished what the killed one left")
	assert.GreaterOrEqual(t, countA.started[hungID], 2)
	countA.mu.Unlock()
}

func TestNATSRestartRelayBacksOffAndResumes(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	ns := natsServer(t, 0, dir)
	port := natsPort(ns)
	in, _ := newDatabase(t)
	rec := newRecorder()
	cfg, logs := testConfigWithLogs(t, "one")
	cfg.NATSURL = ns.ClientURL()
	cfg.PublishTimeout = 100 * time.Millisecond
	start(t, in, []reactions.Reaction{rec.reaction("Count", "one", nil)}, cfg)

	before := appendEvents(t, in.store, newStream(), 10)
	rec.waitFor(t, len(before), 15*time.Second)

	ns.Shutdown()
	ns.WaitForShutdown()
	during := appendEvents(t, in.store, newStream(), 10)
	require.Eventually(t, func() bool { return strings.Count(logs(), "publish failed; backing off") >= 2 }, 10*time.Second, 10*time.Millisecond,
		"the relay retries the publish with backoff while NATS is down")
	assert.Equal(t, len(before), rec.count(), "nothing can be delivered while NATS is down")

	natsServer(t, port, dir)
	after := appendEvents(t, in.store, newStream(), 10)
	all := append(append(before, during...), after...)
	rec.waitFor(t, len(all), 30*time.Second)
	waitCheckpoint(t, in.db, lastPosition(t, in.store))
	rec.onceEach(t, all)
}

func TestNATSKeepsStreamOrderPerReaction(t *testing.T) {
	t.Parallel()
	ns := natsServer(t, 0, t.TempDir())
	one, url := newDatabase(t)
	two := connect(t, url)
	rec := newRecorder()
	cfg1, cfg2 := testConfig(t, "one"), testConfig(t, "two")
	cfg1.NATSURL, cfg2.NATSURL = ns.ClientURL(), ns.ClientURL()
	start(t, one, []reactions.Reaction{rec.reaction("Count", "one", nil)}, cfg1)
	start(t, two, []reactions.Reaction{rec.reaction("Count", "two", nil)}, cfg2)

	streams := []string{newStream(), newStream(), newStream()}
	var events []eventstore.Event
	for range 5 {
		for _, s := range streams {
			events = append(events, appendEvents(t, one.store, s, 2)...)
		}
	}
	rec.waitFor(t, len(events), 30*time.Second)
	rec.onceEach(t, events)
	for _, s := range streams {
		assert.Equal(t, []int64{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}, rec.versions(s))
	}
}
