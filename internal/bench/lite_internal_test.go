package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kabinet/kabinet/eventstore"
)

// tinySizes run every workload of a run in seconds.
var tinySizes = Sizes{
	AppendDuration: 200 * time.Millisecond, AppendRounds: 1,
	CopyEvents:    1000,
	StormDuration: time.Second,
	LogEvents:     2000, ReadAllRounds: 1,
	Sessions: 2, APIRate: 10, APIDuration: time.Second,
}

func TestBenchOnSQLiteReportsEveryWorkloadAndRemovesItsFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "disk", "bench.db")
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	var progress bytes.Buffer
	rep, err := Run(ctx, Config{Database: "sqlite:" + path, Sizes: tinySizes, Progress: &progress})
	require.NoError(t, err, progress.String())

	var out bytes.Buffer
	require.NoError(t, WriteTable(&out, rep))
	table := out.String()
	for _, workload := range []string{
		"append 1 event/tx, 1 writer", "append 1 event/tx, 8 writers", "append 10 events/tx, 1 writer",
		"append 100 events/tx, 1 writer", "bulk import in one transaction", "append 1 event/tx, 8 writers, projections following",
		"projection lag p50", "projection lag p99", "ReadAll of", "rebuild of 5 read models",
		"API json ListPolicies p99", "API soap ListPolicies p99", "API json GetPolicy p99", "API soap GetPolicy p99",
		"resident memory during the API run",
	} {
		assert.Contains(t, table, workload)
	}
	for _, line := range []string{"correctness: PASS", "machine: ", "SQLite 3.", "file " + path, "journal_mode=wal", "synchronous=FULL", "write_connections=1"} {
		assert.Contains(t, table, line)
	}
	assert.NotContains(t, table, "PostgreSQL")

	// What --json writes reads back as the same report.
	b, err := json.Marshal(rep)
	require.NoError(t, err)
	var back Report
	require.NoError(t, json.Unmarshal(b, &back))
	assert.Equal(t, "sqlite", back.Machine.Database)
	assert.Equal(t, "FULL", back.Machine.SQLiteSettings["synchronous"])
	assert.Empty(t, back.Machine.PostgreSQL)
	c := back.Correctness
	assert.True(t, c.OK, "problems: %v", c.Problems)
	assert.True(t, c.ChainsIntact)
	assert.Positive(t, c.Committed)
	assert.Positive(t, c.RolledBack)
	require.Len(t, c.Readers, 2)
	for _, r := range c.Readers {
		assert.Equal(t, c.Committed, r.Seen, r.Name)
	}
	require.Len(t, back.Rows, 19)
	for _, r := range back.Rows {
		if r.Name == liteLabels.importRow {
			assert.Nil(t, r.Kabinet, "no import path: no kabinet figure")
			require.NotNil(t, r.Baseline)
			assert.Positive(t, *r.Baseline)
			continue
		}
		require.NotNil(t, r.Kabinet, r.Name)
		assert.Positive(t, *r.Kabinet, r.Name)
		if r.Baseline != nil {
			require.NotNil(t, r.Ratio, r.Name)
			assert.InDelta(t, *r.Kabinet / *r.Baseline, *r.Ratio, 1e-9, r.Name)
		}
	}

	for _, s := range sidecars {
		_, err := os.Lstat(path + s)
		assert.ErrorIs(t, err, fs.ErrNotExist, "%s was left behind", path+s)
	}
}

func TestBenchRefusesAnSQLiteFileThatExists(t *testing.T) {
	path := filepath.Join(t.TempDir(), "kabinet.db")
	require.NoError(t, os.WriteFile(path, []byte("someone's database"), 0o600))
	_, err := Run(context.Background(), Config{Database: "sqlite:" + path, Sizes: tinySizes})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "exists")
	got, err := os.ReadFile(path)
	require.NoError(t, err)
	assert.Equal(t, "someone's database", string(got), "the file was touched")
	for _, s := range sidecars[1:] {
		_, err := os.Lstat(path + s)
		assert.ErrorIs(t, err, fs.ErrNotExist, "%s was made", path+s)
	}
}

func TestValidateNamesWhatIsWrongWithTheDatabase(t *testing.T) {
	for _, tc := range []struct {
		database string
		want     string // "" for valid
	}{
		{"postgres://u@127.0.0.1:5432/x", ""},
		{"postgresql://u@127.0.0.1:5432/x", ""},
		{"sqlite:", ""},
		{"sqlite:/var/tmp/bench.db", ""},
		{"sqlite:bench.db?_pragma=synchronous(OFF)", "must not carry options"},
		{"mysql://u@127.0.0.1/x", "postgres:// URL or sqlite:PATH"},
		{"", "postgres:// URL or sqlite:PATH"},
	} {
		err := Config{Database: tc.database}.Validate()
		if tc.want == "" {
			assert.NoError(t, err, tc.database)
		} else if assert.Error(t, err, tc.database) {
			assert.Contains(t, err.Error(), tc.want, tc.database)
		}
	}
}

// The SQLite baselines must write the rows the store writes, or their
// ratios would compare different work.
func TestSQLiteBaselinesWriteRowsTheStoreReads(t *testing.T) {
	ctx := context.Background()
	tg := liteTestTarget(t)
	stream := eventstore.StreamName("bench", uuid.New())
	raw := tg.rawAppend()
	one := []eventstore.Event{NewEvent()}
	ten := make([]eventstore.Event, 10)
	for i := range ten {
		ten[i] = NewEvent()
	}
	require.NoError(t, raw(ctx, stream, 0, one))
	require.NoError(t, raw(ctx, stream, 1, ten))
	assert.Error(t, raw(ctx, stream, 5, []eventstore.Event{NewEvent()}), "version 6 is taken: the key is the baseline's version check")

	got, err := tg.store().ReadAll(ctx, eventstore.Position{}, 100)
	require.NoError(t, err)
	require.Len(t, got, 11)
	written := append(one, ten...)
	for i, e := range got {
		want := written[i]
		assert.Equal(t, want.ID, e.ID)
		assert.Equal(t, stream, e.Stream)
		assert.Equal(t, int64(i+1), e.Version)
		assert.JSONEq(t, string(want.Data), string(e.Data))
		assert.Equal(t, want.Metadata, e.Metadata)
		assert.Equal(t, want.OccurredAt.UnixMicro(), e.OccurredAt.UnixMicro())
	}
	n, err := tg.rawRead(ctx)
	require.NoError(t, err)
	assert.Equal(t, int64(11), n)

	require.NoError(t, tg.reset(ctx))
	n, err = tg.rawRead(ctx)
	require.NoError(t, err)
	assert.Zero(t, n, "reset empties the log")

	imported, err := tg.rawImport(ctx, 250)
	require.NoError(t, err)
	assert.Equal(t, int64(250), imported)
	n, err = ReadAllStore(ctx, tg.store())
	require.NoError(t, err)
	assert.Equal(t, int64(250), n)
	streams, err := tg.(*liteTarget).lite.Streams(ctx, "import-")
	require.NoError(t, err)
	assert.Empty(t, streams, "the import writes no stream heads")
	all, err := tg.store().ReadAll(ctx, eventstore.Position{}, 300)
	require.NoError(t, err)
	versions := map[string]int64{}
	for _, e := range all {
		versions[e.Stream]++
		assert.Equal(t, versions[e.Stream], e.Version, e.Stream)
	}
	assert.Len(t, versions, 3, "streams of %d", copyStreamLength)
}

func TestSQLiteAppendHeldCommitsOrRollsBack(t *testing.T) {
	ctx := context.Background()
	tg := liteTestTarget(t)
	stream := eventstore.StreamName("bench", uuid.New())
	kept, dropped := NewEvent(), NewEvent()
	_, err := tg.appendHeld(ctx, stream, 0, dropped, time.Millisecond, true)
	require.NoError(t, err)
	pos, err := tg.appendHeld(ctx, stream, 0, kept, time.Millisecond, false)
	require.NoError(t, err)
	got, err := tg.store().Load(ctx, stream, 1)
	require.NoError(t, err)
	require.Len(t, got, 1)
	assert.Equal(t, kept.ID, got[0].ID)
	assert.Equal(t, pos, got[0].Position)
	_, err = tg.appendHeld(ctx, stream, 0, NewEvent(), 0, false)
	assert.True(t, errors.As(err, new(*eventstore.ConflictError)), "the expected version is checked: %v", err)
}
