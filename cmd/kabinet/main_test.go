package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kabinet/kabinet/eventstore"
	"github.com/kabinet/kabinet/eventstore/eventstoretest"
	"github.com/kabinet/kabinet/eventstore/postgres"
	"github.com/kabinet/kabinet/internal/pgtest"
	"github.com/kabinet/kabinet/internal/sqldb"
	"github.com/kabinet/kabinet/internal/synth"
	"github.com/kabinet/kabinet/projections"
)

// kabinet runs the binary's run function as an operator would, against the
// database in KABINET_DATABASE_URL.
func kabinet(t *testing.T, args ...string) (string, error) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	err := run(ctx, args, &stdout, &stderr)
	return stdout.String() + stderr.String(), err
}

func exitCode(err error) int {
	var ee *exitError
	if errors.As(err, &ee) {
		return ee.code
	}
	if err != nil {
		return 2
	}
	return 0
}

func TestOperatorCommands(t *testing.T) {
	pool, url := pgtest.New(t)
	t.Setenv("KABINET_DATABASE_URL", url)
	ctx := context.Background()
	store := postgres.New(pool, postgres.Options{})
	defer store.Close()
	n, err := synth.Fill(ctx, store, 400, 2, 42, time.Now())
	require.NoError(t, err)
	// A write open anywhere on the server hides these events for a while;
	// the rebuild below must see them all.
	require.Len(t, eventstoretest.ReadVisible(t, store, eventstore.Position{}, 1000, int(n)), int(n))

	out, err := kabinet(t, "migrate")
	require.NoError(t, err, out)
	assert.Contains(t, out, "up to date")

	out, err = kabinet(t, "rebuild", "--all", "--quiet")
	require.NoError(t, err, out)
	for _, p := range readModels() {
		assert.Contains(t, out, p.Name()+": generation 1 is live")
	}

	out, err = kabinet(t, "projections", "status")
	require.NoError(t, err, out)
	for _, p := range readModels() {
		assert.Contains(t, out, p.Name())
	}

	policies, err := store.Streams(ctx, "policy-")
	require.NoError(t, err)
	require.NotEmpty(t, policies)
	out, err = kabinet(t, "replay", "stream", policies[0], "--json")
	require.NoError(t, err, out)
	var replay struct {
		Stream string            `json:"stream"`
		Events []json.RawMessage `json:"events"`
		State  map[string]any    `json:"state"`
	}
	require.NoError(t, json.Unmarshal([]byte(out), &replay), out)
	assert.Equal(t, policies[0], replay.Stream)
	assert.GreaterOrEqual(t, len(replay.Events), 2, "issued and paid")
	assert.NotEmpty(t, replay.State)

	out, err = kabinet(t, "replay", "stream", policies[0])
	require.NoError(t, err, out)
	assert.Contains(t, out, "policy.issued")
	assert.Contains(t, out, "state:")

	out, err = kabinet(t, "replay", "stream", policies[0], "--as-of", "2000-01-01")
	require.Error(t, err, "nothing existed then")

	out, err = kabinet(t, "replay", "verify")
	require.NoError(t, err, out)
	assert.Equal(t, len(readModels()), strings.Count(out, "identical"), out)

	if len(readModels()) > 0 {
		// Corrupt the live read model behind kabinet's back: verify must see drift.
		gens, err := projections.Generations(ctx, sqldb.FromPgx(pool))
		require.NoError(t, err)
		p := readModels()[0]
		table := p.Tables()[0]
		var gen int
		for _, g := range gens {
			if g.Name == p.Name() && g.State == projections.StateLive {
				gen = g.Number
			}
		}
		tag, err := pool.Exec(ctx, `DELETE FROM `+table+`_g`+itoa(gen)+` WHERE ctid = (SELECT ctid FROM `+table+`_g`+itoa(gen)+` LIMIT 1)`)
		require.NoError(t, err)
		require.Equal(t, int64(1), tag.RowsAffected())
		out, err = kabinet(t, "replay", "verify", p.Name())
		assert.Equal(t, 1, exitCode(err), out)
		assert.Contains(t, out, "replay only")
	}

	out, err = kabinet(t, "verify")
	require.NoError(t, err, out)
	assert.Contains(t, out, "intact")
	_, err = pool.Exec(ctx, `UPDATE events SET data = '{"tampered":true}' WHERE stream = $1 AND version = 1`, policies[0])
	require.NoError(t, err)
	out, err = kabinet(t, "verify")
	assert.Equal(t, 1, exitCode(err), out)
	assert.Contains(t, out, "BROKEN "+policies[0]+" version 1")

	out, err = kabinet(t, "frontier")
	require.NoError(t, err, out)
	assert.Contains(t, out, "readers see transactions below")
}

func TestUsageErrors(t *testing.T) {
	for _, args := range [][]string{{"nonsense"}, {"replay"}, {"replay", "nonsense"}, {"projections"}, {"rebuild", "no_such_model"}, {"rebuild"}} {
		_, err := kabinet(t, args...)
		assert.Error(t, err, "%v", args)
	}
	out, err := kabinet(t, "version")
	require.NoError(t, err)
	assert.Contains(t, out, "kabinet")
}

func itoa(n int) string { return strconv.Itoa(n) }
