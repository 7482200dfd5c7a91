// Package pgtest gives each test a fresh PostgreSQL database cloned from a
// migrated template, so tests never see each other's rows and never pay for
// migrations more than once per schema.
//
// The server is KABINET_TEST_DATABASE_URL, or the local one on
// 127.0.0.1:5432. When it cannot be reached the test fails with the command
// that starts it: a missing database is never a silent skip.
package pgtest

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"

	"github.com/kabinet/kabinet/internal/migrate"
)

// DefaultURL is the server the tests use when KABINET_TEST_DATABASE_URL is unset.
const DefaultURL = "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"

const startHint = `start it with: pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start
(or point KABINET_TEST_DATABASE_URL at a server where the user may CREATE DATABASE)`

// AdminURL is the server tests create their databases on.
func AdminURL() string {
	if u := os.Getenv("KABINET_TEST_DATABASE_URL"); u != "" {
		return u
	}
	return DefaultURL
}

// Options tune a test database.
type Options struct {
	MaxConns int32 // pool size; default 16
}

// New creates a fresh, migrated database for t, drops it when t ends, and
// returns a pool on it together with its URL.
func New(t testing.TB, opts ...Options) (*pgxpool.Pool, string) {
	t.Helper()
	var o Options
	if len(opts) > 0 {
		o = opts[0]
	}
	if o.MaxConns == 0 {
		o.MaxConns = 16
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()

	admin, err := pgx.Connect(ctx, AdminURL())
	if err != nil {
		t.Fatalf("pgtest: PostgreSQL at %s is not reachable: %v\n%s", redact(AdminURL()), err, startHint)
	}
	defer admin.Close(context.Background())

	tmpl, err := template(ctx, admin)
	if err != nil {
		t.Fatalf("pgtest: template database: %v", err)
	}
	name := "kabinet_test_" + randomSuffix()
	// CREATE DATABASE … TEMPLATE fails while anyone is connected to the
	// template; the advisory lock keeps parallel packages from racing on it.
	if _, err := admin.Exec(ctx, `SELECT pg_advisory_lock(7310001)`); err != nil {
		t.Fatalf("pgtest: lock: %v", err)
	}
	_, err = admin.Exec(ctx, fmt.Sprintf(`CREATE DATABASE %s TEMPLATE %s`, name, tmpl))
	_, _ = admin.Exec(ctx, `SELECT pg_advisory_unlock(7310001)`)
	if err != nil {
		t.Fatalf("pgtest: create database: %v", err)
	}

	dbURL := withDatabase(AdminURL(), name)
	cfg, err := pgxpool.ParseConfig(dbURL)
	if err != nil {
		t.Fatalf("pgtest: %v", err)
	}
	cfg.MaxConns = o.MaxConns
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		t.Fatalf("pgtest: connect to %s: %v", name, err)
	}
	t.Cleanup(func() {
		pool.Close()
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		conn, err := pgx.Connect(ctx, AdminURL())
		if err != nil {
			t.Logf("pgtest: drop %s: %v", name, err)
			return
		}
		defer conn.Close(ctx)
		if _, err := conn.Exec(ctx, fmt.Sprintf(`DROP DATABASE IF EXISTS %s WITH (FORCE)`, name)); err != nil {
			t.Logf("pgtest: drop %s: %v", name, err)
		}
	})
	return pool, dbURL
}

// template returns the name of a migrated template database for the current
// migrations, creating it once. Its name carries a hash of the migration
// files, so a changed migration gets a new template.
func template(ctx context.Context, admin *pgx.Conn) (string, error) {
	sum, err := migrationsHash()
	if err != nil {
		return "", err
	}
	name := "kabinet_tmpl_" + sum
	var exists bool
	if err := admin.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1 AND datistemplate)`, name).Scan(&exists); err != nil {
		return "", err
	}
	if exists {
		return name, nil
	}
	if _, err := admin.Exec(ctx, `SELECT pg_advisory_lock(7310000)`); err != nil {
		return "", err
	}
	defer admin.Exec(context.Background(), `SELECT pg_advisory_unlock(7310000)`)
	// Another process may have built it while this one waited for the lock.
	if err := admin.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1 AND datistemplate)`, name).Scan(&exists); err != nil || exists {
		return name, err
	}
	building := name + "_build"
	if _, err := admin.Exec(ctx, fmt.Sprintf(`DROP DATABASE IF EXISTS %s WITH (FORCE)`, building)); err != nil {
		return "", err
	}
	if _, err := admin.Exec(ctx, fmt.Sprintf(`CREATE DATABASE %s`, building)); err != nil {
		return "", err
	}
	if err := migrateURL(ctx, withDatabase(AdminURL(), building)); err != nil {
		return "", err
	}
	for _, q := range []string{
		fmt.Sprintf(`ALTER DATABASE %s RENAME TO %s`, building, name),
		fmt.Sprintf(`ALTER DATABASE %s IS_TEMPLATE true`, name),
	} {
		if _, err := admin.Exec(ctx, q); err != nil {
			return "", err
		}
	}
	return name, nil
}

func migrateURL(ctx context.Context, url string) error {
	pool, err := pgxpool.New(ctx, url)
	if err != nil {
		return err
	}
	defer pool.Close()
	db := stdlib.OpenDBFromPool(pool)
	defer db.Close()
	_, err = migrate.Postgres(ctx, db)
	return err
}

func migrationsHash() (string, error) {
	h := sha256.New()
	err := fs.WalkDir(migrate.PostgresFiles(), ".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(migrate.PostgresFiles(), path)
		h.Write([]byte(path))
		h.Write(b)
		return err
	})
	return hex.EncodeToString(h.Sum(nil))[:12], err
}

func withDatabase(raw, name string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return raw
	}
	u.Path = "/" + name
	return u.String()
}

func redact(raw string) string {
	cfg, err := pgx.ParseConfig(raw)
	if err != nil {
		return "the configured server"
	}
	return fmt.Sprintf("%s:%d", cfg.Host, cfg.Port)
}

func randomSuffix() string {
	var b [6]byte
	_, _ = rand.Read(b[:]) // crypto/rand does not fail on Linux
	return hex.EncodeToString(b[:])
}
