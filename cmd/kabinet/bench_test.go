package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kabinet/kabinet/internal/bench"
	"github.com/kabinet/kabinet/internal/pgtest"
)

func TestBenchQuickReportsEveryWorkloadAndDropsItsDatabases(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	jsonFile := filepath.Join(t.TempDir(), "bench.json")
	var stdout, stderr bytes.Buffer
	err := benchCmd(ctx, []string{"--db", pgtest.AdminURL(), "--quick", "--json", jsonFile}, &stdout, &stderr)
	require.NoError(t, err, "stderr:\n%s\nstdout:\n%s", stderr.String(), stdout.String())

	table := stdout.String()
	for _, workload := range []string{
		"append 1 event/tx, 1 writer", "append 1 event/tx, 8 writers", "append 10 events/tx, 1 writer",
		"append 100 events/tx, 1 writer", "bulk import through COPY", "append 1 event/tx, 8 writers, projections following",
		"projection lag p50", "projection lag p99", "ReadAll of", "rebuild of 5 read models",
		"API json ListPolicies p99", "API soap ListPolicies p99", "API json GetPolicy p99", "API soap GetPolicy p99",
		"resident memory during the API run",
	} {
		assert.Contains(t, table, workload)
	}
	assert.Contains(t, table, "correctness: PASS")
	for _, machine := range []string{"machine: ", "PostgreSQL", "shared_buffers=", "synchronous_commit=", "fsync=", "wal_level=", "max_connections="} {
		assert.Contains(t, table, machine)
	}

	b, err := os.ReadFile(jsonFile)
	require.NoError(t, err)
	var rep bench.Report
	require.NoError(t, json.Unmarshal(b, &rep))
	assert.True(t, rep.Quick)
	assert.True(t, rep.Correctness.OK)
	assert.NotEmpty(t, rep.Machine.CPU)
	assert.Positive(t, rep.Machine.Cores)
	assert.Contains(t, rep.Machine.Settings, "shared_buffers")
	require.Len(t, rep.Rows, 19)
	for _, r := range rep.Rows {
		if r.Name == "bulk import through COPY" {
			assert.Nil(t, r.Kabinet, "no import path: no kabinet figure")
			require.NotNil(t, r.Baseline)
			continue
		}
		require.NotNil(t, r.Kabinet, r.Name)
		assert.Positive(t, *r.Kabinet, r.Name)
		if r.Baseline != nil {
			require.NotNil(t, r.Ratio, r.Name)
			assert.InDelta(t, *r.Kabinet / *r.Baseline, *r.Ratio, 1e-9, r.Name)
		}
	}

	// Every scratch database the run announced is gone.
	names := regexp.MustCompile(`scratch database (kabinet_bench_\w+)`).FindAllStringSubmatch(stderr.String(), -1)
	require.Len(t, names, 3, stderr.String())
	conn, err := pgx.Connect(ctx, pgtest.AdminURL())
	require.NoError(t, err)
	defer conn.Close(context.Background())
	for _, n := range names {
		var exists bool
		require.NoError(t, conn.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)`, n[1]).Scan(&exists))
		assert.False(t, exists, "%s was not dropped", n[1])
	}
}

func TestBenchRefusesAnSQLiteFileThatExists(t *testing.T) {
	path := filepath.Join(t.TempDir(), "kabinet.db")
	require.NoError(t, os.WriteFile(path, []byte("someone's database"), 0o600))
	var stdout, stderr bytes.Buffer
	err := benchCmd(context.Background(), []string{"--db", "sqlite:" + path, "--quick"}, &stdout, &stderr)
	require.Error(t, err)
	assert.Contains(t, err.Error(), path+" exists")
	assert.Empty(t, stdout.String())
	got, err := os.ReadFile(path)
	require.NoError(t, err)
	assert.Equal(t, "someone's database", string(got))
}

func TestBenchMeasuresTheConfiguredKindOfDatabase(t *testing.T) {
	for _, tc := range []struct{ configured, want string }{
		{"postgres://kabinet@db.example:5432/kabinet", "postgres://kabinet@db.example:5432/kabinet"},
		{"", "sqlite:"},
		// Never the configured file itself: a run writes and deletes its own.
		{"sqlite:kabinet-data/kabinet.db", "sqlite:"},
		{"mysql://kabinet@db.example/kabinet", "mysql://kabinet@db.example/kabinet"},
	} {
		assert.Equal(t, tc.want, benchDefault(config{DatabaseURL: tc.configured, DataDir: "kabinet-data"}), tc.configured)
	}
}
