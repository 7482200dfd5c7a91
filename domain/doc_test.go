package domain_test

import (
	"bufio"
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// forbiddenExact are standard packages that mean I/O or logging has crept into
// the domain. database/sql/driver is allowed: decimal and uuid implement its
// Valuer and Scanner without opening anything.
var forbiddenExact = map[string]string{
	"net/http":     "HTTP belongs in adapters",
	"database/sql": "databases belong in eventstore backends and projections",
	"log/slog":     "the domain does not log; handlers do",
}

// forbiddenPrefixes are modules of drivers and the bus.
var forbiddenPrefixes = map[string]string{
	"github.com/jackc/pgx":               "Postgres belongs in eventstore/postgres",
	"github.com/jackc/pgconn":            "Postgres belongs in eventstore/postgres",
	"github.com/lib/pq":                  "Postgres belongs in eventstore/postgres",
	"github.com/mattn/go-sqlite3":        "SQLite belongs in eventstore/sqlite",
	"modernc.org/sqlite":                 "SQLite belongs in eventstore/sqlite",
	"github.com/ncruces/go-sqlite3":      "SQLite belongs in eventstore/sqlite",
	"github.com/ThreeDotsLabs/watermill": "the bus belongs in adapters/bus",
}

func TestDomainIsPure(t *testing.T) {
	root := moduleRoot(t)
	module := modulePath(t, root)

	cmd := exec.Command("go", "list", "-e", "-deps", "-f", "{{.ImportPath}}", "./domain/...")
	cmd.Dir = root
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	require.NoError(t, err, "go list -deps ./domain/...: %s", stderr.String())

	deps := strings.Fields(string(out))
	require.Contains(t, deps, module+"/domain/money", "go list saw no domain packages; is the pattern right?")

	for _, dep := range deps {
		if why, bad := forbiddenExact[dep]; bad {
			assert.Fail(t, "domain imports "+dep, why)
		}
		if strings.Contains(dep, "sqlite") {
			assert.Fail(t, "domain imports "+dep, "SQLite belongs in eventstore/sqlite")
		}
		for prefix, why := range forbiddenPrefixes {
			if dep == prefix || strings.HasPrefix(dep, prefix+"/") {
				assert.Fail(t, "domain imports "+dep, why)
			}
		}
		// Dependencies point inward: nothing of the project outside domain.
		if strings.HasPrefix(dep, module+"/") && !strings.HasPrefix(dep, module+"/domain") {
			assert.Fail(t, "domain imports "+dep, "the domain imports nothing of the project outside domain/")
		}
	}
}

func moduleRoot(t *testing.T) string {
	t.Helper()
	dir, err := os.Getwd()
	require.NoError(t, err)
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		require.NotEqual(t, dir, parent, "no go.mod above the test's directory")
		dir = parent
	}
}

func modulePath(t *testing.T, root string) string {
	t.Helper()
	f, err := os.Open(filepath.Join(root, "go.mod"))
	require.NoError(t, err)
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(strings.TrimSpace(sc.Text()), "module "); ok {
			return strings.Trim(strings.TrimSpace(rest), `"`)
		}
	}
	require.NoError(t, sc.Err())
	t.Fatal("go.mod has no module line")
	return ""
}
