package bench

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"

	"github.com/kabinet/kabinet/internal/migrate"
)

// scratchPrefix starts the name of every database a run creates.
const scratchPrefix = "kabinet_bench_"

// server creates and drops a run's scratch databases on one PostgreSQL server.
type server struct {
	adminURL string
	run      string // random part shared by the run's databases
	created  []string
}

func newServer(adminURL string) *server {
	var b [4]byte
	_, _ = rand.Read(b[:]) // crypto/rand does not fail on Linux
	return &server{adminURL: adminURL, run: hex.EncodeToString(b[:])}
}

// admin connects to the server: to the database the URL names, or to
// "postgres" when that one does not exist (a fresh server).
func (s *server) admin(ctx context.Context) (*pgx.Conn, error) {
	conn, err := pgx.Connect(ctx, s.adminURL)
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) && pgErr.Code == "3D000" { // invalid_catalog_name
		conn, err = pgx.Connect(ctx, withDatabase(s.adminURL, "postgres"))
	}
	if err != nil {
		return nil, fmt.Errorf("connect to PostgreSQL at %s: %w", redact(s.adminURL), err)
	}
	return conn, nil
}

// scratchConns is the pool size of a scratch database: the storm's writers,
// its held transactions, the projections and the API load share it.
const scratchConns = 32

// create makes a migrated database named for purpose with kabinet's store
// on a pool of scratchConns connections. Its sessions commit durably
// whatever the server's default, as the append workloads are defined with
// durable commits.
func (s *server) create(ctx context.Context, purpose string) (target, error) {
	name := scratchPrefix + s.run + "_" + purpose
	conn, err := s.admin(ctx)
	if err != nil {
		return nil, err
	}
	_, err = conn.Exec(ctx, "CREATE DATABASE "+pgx.Identifier{name}.Sanitize())
	_ = conn.Close(context.Background())
	if err != nil {
		return nil, fmt.Errorf("create database %s: %w", name, err)
	}
	s.created = append(s.created, name)
	cfg, err := pgxpool.ParseConfig(withDatabase(s.adminURL, name))
	if err != nil {
		return nil, fmt.Errorf("database URL: %w", err)
	}
	cfg.MaxConns = scratchConns
	cfg.ConnConfig.RuntimeParams["synchronous_commit"] = "on"
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("connect to %s: %w", name, err)
	}
	db := stdlib.OpenDBFromPool(pool)
	_, err = migrate.Postgres(ctx, db)
	_ = db.Close()
	if err != nil {
		pool.Close()
		return nil, fmt.Errorf("migrate %s: %w", name, err)
	}
	return newPGTarget(name, pool), nil
}

// dropAll drops every database the run created, even after ctx ended.
func (s *server) dropAll() error {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if len(s.created) == 0 {
		return nil
	}
	conn, err := s.admin(ctx)
	if err != nil {
		return err
	}
	defer conn.Close(context.Background())
	var errs []error
	for _, name := range s.created {
		if _, err := conn.Exec(ctx, "DROP DATABASE IF EXISTS "+pgx.Identifier{name}.Sanitize()+" WITH (FORCE)"); err != nil {
			errs = append(errs, fmt.Errorf("drop database %s: %w", name, err))
		}
	}
	s.created = nil
	return errors.Join(errs...)
}

func withDatabase(raw, name string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return raw
	}
	u.Path = "/" + name
	return u.String()
}

// redact names the server of a URL without its credentials.
func redact(raw string) string {
	cfg, err := pgx.ParseConfig(raw)
	if err != nil {
		return "the given server"
	}
	return fmt.Sprintf("%s:%d", cfg.Host, cfg.Port)
}
