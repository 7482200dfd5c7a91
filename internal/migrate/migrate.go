// Package migrate applies kabinet's database migrations, embedded in the
// binary, with goose. Applying them is idempotent: a migrated database is
// left as it is.
package migrate

import (
	"context"
	"database/sql"
	"embed"
	"fmt"
	"io/fs"

	"github.com/pressly/goose/v3"
)

//go:embed postgres/*.sql
var postgresFiles embed.FS

// Result lists the migrations one run applied.
type Result struct {
	Applied []int64
	Current int64
}

// Postgres brings the database behind db up to date.
func Postgres(ctx context.Context, db *sql.DB) (Result, error) {
	sub, err := fs.Sub(postgresFiles, "postgres")
	if err != nil {
		return Result{}, err
	}
	return up(ctx, goose.DialectPostgres, db, sub)
}

func up(ctx context.Context, dialect goose.Dialect, db *sql.DB, fsys fs.FS) (Result, error) {
	p, err := goose.NewProvider(dialect, db, fsys)
	if err != nil {
		return Result{}, fmt.Errorf("migrations: %w", err)
	}
	applied, err := p.Up(ctx)
	if err != nil {
		return Result{}, fmt.Errorf("migrate up: %w", err)
	}
	var res Result
	for _, r := range applied {
		res.Applied = append(res.Applied, r.Source.Version)
	}
	if res.Current, err = p.GetDBVersion(ctx); err != nil {
		return Result{}, fmt.Errorf("migration version: %w", err)
	}
	return res, nil
}

// PostgresFiles are the PostgreSQL migrations, for tools that fingerprint them.
func PostgresFiles() fs.FS {
	sub, _ := fs.Sub(postgresFiles, "postgres") // the directory is embedded, so Sub cannot fail
	return sub
}
