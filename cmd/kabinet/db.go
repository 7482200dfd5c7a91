package main

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"

	"github.com/kabinet/kabinet/internal/migrate"
)

// openPostgres connects to the configured database, creating it when the
// server is there but the database is not (the first run on a developer's
// machine), and migrates it.
func openPostgres(ctx context.Context, dsn string) (*pgxpool.Pool, migrate.Result, error) {
	cfg, err := pgxpool.ParseConfig(dsn)
	if err != nil {
		return nil, migrate.Result{}, fmt.Errorf("KABINET_DATABASE_URL: %w", err)
	}
	cfg.ConnConfig.ConnectTimeout = 10 * time.Second
	if !strings.Contains(dsn, "pool_max_conns") {
		// pgx defaults to max(4, CPUs); requests, projections and the relay share the pool.
		cfg.MaxConns = 25
	}
	if err := ensureDatabase(ctx, cfg.ConnConfig); err != nil {
		return nil, migrate.Result{}, err
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, migrate.Result{}, fmt.Errorf("connect to %s: %w", where(cfg.ConnConfig), err)
	}
	db := stdlib.OpenDBFromPool(pool)
	defer db.Close()
	res, err := migrate.Postgres(ctx, db)
	if err != nil {
		pool.Close()
		return nil, res, err
	}
	return pool, res, nil
}

// ensureDatabase connects with the pool's connection settings, which leave
// out the pool's own parameters (pool_max_conns…) that the server would
// refuse as unknown.
func ensureDatabase(ctx context.Context, connCfg *pgx.ConnConfig) error {
	ctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	name := connCfg.Database
	conn, err := pgx.ConnectConfig(ctx, connCfg.Copy())
	if err == nil {
		return conn.Close(ctx)
	}
	var pgErr *pgconn.PgError
	if !errors.As(err, &pgErr) || pgErr.Code != "3D000" { // invalid_catalog_name
		return fmt.Errorf("connect to PostgreSQL: %w\nstart it with: pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start", err)
	}
	adminCfg := connCfg.Copy()
	adminCfg.Database = "postgres"
	admin, err := pgx.ConnectConfig(ctx, adminCfg)
	if err != nil {
		return fmt.Errorf("create database %s: %w", name, err)
	}
	defer admin.Close(ctx)
	if _, err := admin.Exec(ctx, "CREATE DATABASE "+pgx.Identifier{name}.Sanitize()); err != nil {
		return fmt.Errorf("create database %s: %w", name, err)
	}
	return nil
}

func where(c *pgx.ConnConfig) string { return fmt.Sprintf("%s:%d/%s", c.Host, c.Port, c.Database) }
