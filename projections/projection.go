package projections

import (
	"context"
	"fmt"
	"regexp"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/kabinet/kabinet/eventstore"
	"github.com/kabinet/kabinet/internal/sqldb"
)

// Projection builds one read model.
type Projection interface {
	// Name is stable and snake_case: it names the views and the checkpoint.
	Name() string
	// Version changes whenever the tables or the handling change; a new
	// version is built beside the old one and swapped in.
	Version() int
	// Tables are the logical table names; each becomes a view of the same
	// name over the live generation's table. A swap locks the views in this
	// order, so a query that reads several of one projection's views must
	// name them in this order too, or it may wait on a swap that waits on it.
	Tables() []string
	// Schema returns the statements that create one generation's tables and
	// indexes in dialect d, with physical names taken from t (t["policies"]
	// is "policies_g3"). Index names must be derived from t as well.
	Schema(d sqldb.Dialect, t Tables) []string
	// Apply applies a batch of events, in log order, inside tx. It must be
	// deterministic: the same events give the same rows on every rebuild.
	// It ignores event types it does not know.
	Apply(ctx context.Context, tx sqldb.Tx, t Tables, batch []eventstore.RecordedEvent) error
}

// Tables maps a projection's logical table names to one generation's
// physical tables.
type Tables map[string]string

var namePattern = regexp.MustCompile(`^[a-z][a-z0-9_]{0,40}$`)

// tablesFor returns the physical names of generation g.
func tablesFor(p Projection, g int) Tables {
	t := make(Tables, len(p.Tables()))
	for _, name := range p.Tables() {
		t[name] = fmt.Sprintf("%s_g%d", name, g)
	}
	return t
}

// check refuses projections whose names would make unsafe SQL identifiers.
func check(p Projection) error {
	if !namePattern.MatchString(p.Name()) {
		return fmt.Errorf("projection name %q: want snake_case, at most 41 characters", p.Name())
	}
	if p.Version() < 1 {
		return fmt.Errorf("projection %s: version must be at least 1", p.Name())
	}
	if len(p.Tables()) == 0 {
		return fmt.Errorf("projection %s: no tables", p.Name())
	}
	for _, t := range p.Tables() {
		if !namePattern.MatchString(t) {
			return fmt.Errorf("projection %s: table name %q: want snake_case, at most 41 characters", p.Name(), t)
		}
	}
	return nil
}

// ident quotes an identifier built from checked names.
func ident(name string) string { return pgx.Identifier{name}.Sanitize() }

// listIdents joins quoted identifiers.
func listIdents(names []string) string {
	q := make([]string, len(names))
	for i, n := range names {
		q[i] = ident(n)
	}
	return strings.Join(q, ", ")
}
