package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"regexp"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kabinet/kabinet/internal/pgtest"
)

// TestBenchLoadAnswersEveryRequestAndLosesNoWrite runs a short mixed load
// on each kind of database: every request is answered 200, every answered
// write is in the log once, and the scratch database is gone afterwards.
func TestBenchLoadAnswersEveryRequestAndLosesNoWrite(t *testing.T) {
	for _, tc := range []struct{ name, db string }{
		{"postgres", pgtest.AdminURL()},
		{"sqlite", "sqlite:" + filepath.Join(t.TempDir(), "load.db")},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
			defer cancel()
			var stdout, stderr bytes.Buffer
			err := benchCmd(ctx, []string{"load", "--db", tc.db, "--rate", "50", "--duration", "2s", "--clients", "5"}, &stdout, &stderr)
			require.NoError(t, err, "stderr:\n%s\nstdout:\n%s", stderr.String(), stdout.String())

			report := stdout.String()
			assert.Contains(t, report, "load: PASS: 0 errors, 0 lost writes, 0 events repeated or without a 200 answer")
			for _, op := range []string{"Login", "ListPolicies", "GetPolicy", "GetBonusAccount", "ListClaims", "UpdateSettings", "SpendBonus", "ChangeClaimStatus"} {
				assert.Regexp(t, `(?m)^`+op+` +[1-9]\d* +[\d.]+/s +100\.00% `, report, "%s made requests, all answered 200", op)
			}
			for _, write := range []string{"client.login_succeeded", "client.settings_changed", "bonus.spent", "claim.status_changed"} {
				assert.Regexp(t, `(?m) `+regexp.QuoteMeta(write)+` +([1-9]\d*) +([1-9]\d*) +0 +0 +0$`, report, "%s counted in the log", write)
			}

			if tc.name == "sqlite" {
				_, err := os.Stat(tc.db[len("sqlite:"):])
				assert.ErrorIs(t, err, os.ErrNotExist, "the scratch file is removed")
				return
			}
			m := regexp.MustCompile(`scratch database (kabinet_bench_\w+)`).FindStringSubmatch(stderr.String())
			require.NotNil(t, m, stderr.String())
			conn, err := pgx.Connect(ctx, pgtest.AdminURL())
			require.NoError(t, err)
			defer conn.Close(context.Background())
			var exists bool
			require.NoError(t, conn.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)`, m[1]).Scan(&exists))
			assert.False(t, exists, "%s was not dropped", m[1])
		})
	}
}

func TestBenchLoadRefusesBadFlagsNamingThem(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--rate", "0"}, "--rate 0: must be positive"},
		{[]string{"--clients", "-3"}, "--clients -3: must be positive"},
		{[]string{"--duration", "0s"}, "--duration 0s: must be positive"},
		{[]string{"--db", "mysql://db", "--rate", "1000", "--clients", "10"}, "use at least 60 clients"},
		{[]string{"extra"}, "bench load takes no arguments"},
	} {
		var stdout, stderr bytes.Buffer
		err := benchCmd(context.Background(), append([]string{"load"}, tc.args...), &stdout, &stderr)
		require.Error(t, err, tc.args)
		assert.Contains(t, err.Error(), tc.want)
		assert.Empty(t, stdout.String())
	}
}
