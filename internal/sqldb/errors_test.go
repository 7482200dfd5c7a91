package sqldb_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/kabinet/kabinet/internal/dbtest"
	"github.com/kabinet/kabinet/internal/sqldb"
)

func TestIsUndefinedTable(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, b dbtest.Backend) {
		ctx := context.Background()
		var n int
		err := b.DB.QueryRow(ctx, `SELECT count(*) FROM no_such_read_model`).Scan(&n)
		assert.True(t, sqldb.IsUndefinedTable(err), "%v", err)
		err = b.DB.QueryRow(ctx, `SELECT count(*) FROM events WHERE no_such_column = 1`).Scan(&n)
		assert.False(t, sqldb.IsUndefinedTable(err), "%v", err)
		assert.False(t, sqldb.IsUndefinedTable(nil))
	})
}
