package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kabinet/kabinet/adapters/reactions"
	"github.com/kabinet/kabinet/eventstore"
	"github.com/kabinet/kabinet/eventstore/postgres"
	"github.com/kabinet/kabinet/internal/pgtest"
)

func TestReactionsFailedAndRetry(t *testing.T) {
	pool, url := pgtest.New(t)
	t.Setenv("KABINET_DATABASE_URL", url)
	ctx := context.Background()
	store := postgres.New(pool, postgres.Options{})
	defer store.Close()

	stream := eventstore.StreamName("client", uuid.New())
	event := eventstore.Event{ID: uuid.New(), Type: "client.registered", SchemaVersion: 1,
		Data: json.RawMessage(`{}`), OccurredAt: time.Now()}
	_, err := store.Append(ctx, stream, eventstore.NoStream, event)
	require.NoError(t, err)
	var id int64
	require.NoError(t, pool.QueryRow(ctx, `INSERT INTO reaction_failures (reaction, event_id, stream, version, event_type, reason, attempts)
		VALUES ('SendAccessCodeOnClientRegistered', $1, $2, 1, 'client.registered', 'sms gateway answered 500
after 6 attempts', 6) RETURNING id`, event.ID, stream).Scan(&id))

	var (
		mended atomic.Bool
		ran    atomic.Int32
	)
	wire := func(context.Context, *backend) ([]reactions.Reaction, error) {
		return []reactions.Reaction{{Name: "SendAccessCodeOnClientRegistered", Types: []string{"client.registered"},
			Handle: func(_ context.Context, e eventstore.RecordedEvent) error {
				if e.ID != event.ID {
					return errors.New("handed the wrong event")
				}
				if !mended.Load() {
					return errors.New("sms gateway answered 429")
				}
				ran.Add(1)
				return nil
			}}}, nil
	}
	reactionsCLI := func(args ...string) (string, error) {
		var stdout, stderr bytes.Buffer
		ctx, cancel := context.WithTimeout(ctx, time.Minute)
		defer cancel()
		err := reactionsWith(ctx, args, &stdout, &stderr, wire)
		return stdout.String() + stderr.String(), err
	}

	out, err := reactionsCLI("failed")
	require.NoError(t, err, out)
	for _, want := range []string{"ID", "REACTION", "EVENT TYPE", "STREAM", "ATTEMPTS", "FAILED AT", "REASON",
		strconv.FormatInt(id, 10), "SendAccessCodeOnClientRegistered", "client.registered", stream + "/1",
		"sms gateway answered 500 after 6 attempts"} {
		assert.Contains(t, out, want)
	}

	out, err = reactionsCLI("retry", strconv.FormatInt(id, 10))
	assert.Equal(t, 1, exitCode(err), out)
	assert.Contains(t, out, "still failing: sms gateway answered 429")

	mended.Store(true)
	out, err = reactionsCLI("retry", "--all")
	require.NoError(t, err, out)
	assert.Contains(t, out, strconv.FormatInt(id, 10)+" SendAccessCodeOnClientRegistered client.registered "+stream+"/1: done")
	assert.Equal(t, int32(1), ran.Load())

	out, err = reactionsCLI("failed")
	require.NoError(t, err, out)
	assert.Contains(t, out, "the poison queue is empty")

	out, err = reactionsCLI("retry", strconv.FormatInt(id, 10))
	assert.Error(t, err, "the entry is gone")
	assert.Contains(t, err.Error(), "no such failure")

	for _, args := range [][]string{{}, {"nonsense"}, {"retry"}, {"retry", "x"}, {"retry", "1", "--all"}, {"failed", "extra"}} {
		_, err := reactionsCLI(args...)
		assert.Error(t, err, "%v", args)
	}
}

func TestReactionsRetryOfAReactionNotWired(t *testing.T) {
	pool, url := pgtest.New(t)
	t.Setenv("KABINET_DATABASE_URL", url)
	ctx := context.Background()
	store := postgres.New(pool, postgres.Options{})
	defer store.Close()
	stream := eventstore.StreamName("client", uuid.New())
	event := eventstore.Event{ID: uuid.New(), Type: "client.registered", SchemaVersion: 1, Data: json.RawMessage(`{}`), OccurredAt: time.Now()}
	_, err := store.Append(ctx, stream, eventstore.NoStream, event)
	require.NoError(t, err)
	_, err = pool.Exec(ctx, `INSERT INTO reaction_failures (reaction, event_id, stream, version, event_type, reason, attempts)
		VALUES ('RetiredReaction', $1, $2, 1, 'client.registered', 'boom', 6)`, event.ID, stream)
	require.NoError(t, err)

	var stdout, stderr bytes.Buffer
	err = reactionsCmd(ctx, []string{"retry", "--all"}, &stdout, &stderr)
	assert.Equal(t, 1, exitCode(err), stdout.String())
	assert.Contains(t, stdout.String(), "unknown reaction RetiredReaction")
}
