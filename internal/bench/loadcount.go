package bench

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/kabinet/kabinet/eventstore"
)

// countWait is how long a run waits for answered writes to become visible
// in the global log. On PostgreSQL a reader sees an event only once every
// older transaction of the cluster has ended. Most writes answer only once
// the read models show them, so they are visible by then; a login does
// not wait, and a transaction still open in any database of the cluster
// can hide its event for a while. Such an event is late, not lost.
const (
	countWait = time.Minute
	countPoll = 200 * time.Millisecond
)

// logCount is the run's events in the log, by type and request ID.
type logCount struct {
	run    string
	after  eventstore.Position
	events map[string]map[string]int
}

// readOn reads the log from where it stopped to its visible end.
func (l *logCount) readOn(ctx context.Context, store eventstore.Store) error {
	for {
		batch, err := store.ReadAll(ctx, l.after, 1000)
		if err != nil {
			return fmt.Errorf("read the log: %w", err)
		}
		if len(batch) == 0 {
			return nil
		}
		for _, e := range batch {
			if id := e.Metadata.CorrelationID; strings.HasPrefix(id, l.run+"-") {
				if l.events[e.Type] == nil {
					l.events[e.Type] = map[string]int{}
				}
				l.events[e.Type][id]++
			}
		}
		l.after = batch[len(batch)-1].Position
	}
}

// missing lists the answered requests with no event yet, at most max of them.
func (l *logCount) missing(answered map[string]map[string]bool, max int) []string {
	var out []string
	for _, op := range loadOps {
		for id := range answered[op.name] {
			if op.event != "" && l.events[op.event][id] == 0 {
				out = append(out, id)
			}
		}
	}
	slices.Sort(out)
	return out[:min(len(out), max)]
}

// countWrites reads the whole log and checks, for each writing operation,
// that every request answered 200 appended exactly one event of the
// operation's type and that no other request of the run did. A request is
// known in the log by its X-Request-ID, which the edge stores with every
// event as the correlation ID. answered holds, per operation, the IDs of
// the requests answered 200. While some of them have no event it reads
// on for up to wait. It also returns a few of the requests whose events
// are missing, for the server's logs.
func countWrites(ctx context.Context, store eventstore.Store, run string, answered map[string]map[string]bool,
	wait time.Duration, progress func(string, ...any)) ([]LoadWrites, []string, error) {
	l := &logCount{run: run, events: map[string]map[string]int{}}
	deadline := time.Now().Add(wait)
	for first := true; ; first = false {
		if err := l.readOn(ctx, store); err != nil {
			return nil, nil, err
		}
		if len(l.missing(answered, 1)) == 0 || time.Now().After(deadline) {
			break
		}
		if first {
			progress("answered writes not visible in the log yet, such as %s: waiting up to %s for older transactions to end",
				l.missing(answered, 1)[0], wait)
		}
		select {
		case <-ctx.Done():
			return nil, nil, ctx.Err()
		case <-time.After(countPoll):
		}
	}
	var out []LoadWrites
	for _, op := range loadOps {
		if op.event == "" {
			continue
		}
		c := LoadWrites{Operation: op.name, Event: op.event, Answered: len(answered[op.name])}
		prefix := run + "-" + op.name + "-"
		for id, n := range l.events[op.event] {
			if !strings.HasPrefix(id, prefix) {
				continue
			}
			c.Logged += n
			if !answered[op.name][id] {
				c.Unanswered += n
				continue
			}
			c.Repeated += n - 1
		}
		for id := range answered[op.name] {
			if l.events[op.event][id] == 0 {
				c.Lost++
			}
		}
		out = append(out, c)
	}
	return out, l.missing(answered, 5), nil
}
