package migrate

import (
	"context"
	"database/sql"
	"embed"
	"io/fs"

	"github.com/pressly/goose/v3"

	_ "github.com/kabinet/kabinet/internal/sqldb" // now() in SQLite defaults
)

//go:embed sqlite/*.sql
var sqliteFiles embed.FS

// SQLite brings the SQLite database behind db up to date. Give it the
// store's write pool: migrations write, and SQLite has one writer.
func SQLite(ctx context.Context, db *sql.DB) (Result, error) {
	return up(ctx, goose.DialectSQLite3, db, SQLiteFiles())
}

// SQLiteFiles are the SQLite migrations, for tools that fingerprint them.
func SQLiteFiles() fs.FS {
	sub, _ := fs.Sub(sqliteFiles, "sqlite") // the directory is embedded, so Sub cannot fail
	return sub
}
