package bench

import (
	"context"
	"strings"
	"time"

	"github.com/kabinet/kabinet/eventstore"
	"github.com/kabinet/kabinet/internal/sqldb"
)

// engine makes a run's scratch databases on one kind of database:
// PostgreSQL (scratch.go) or the embedded SQLite file (lite.go).
type engine interface {
	// create makes a fresh, migrated scratch database for purpose, with
	// kabinet's event store on it. The caller closes it.
	create(ctx context.Context, purpose string) (target, error)
	// dropAll removes every scratch database the run made, even after ctx
	// ended.
	dropAll() error
}

// newEngine picks the engine of a configuration that Validate accepted.
func newEngine(database string) (engine, error) {
	if path, ok := strings.CutPrefix(database, "sqlite:"); ok {
		return newLiteFiles(strings.TrimPrefix(path, "//"))
	}
	return newServer(database), nil
}

// target is one scratch database of a run: kabinet's side of every
// workload (the database under the read models and the API, and the event
// store) and the raw side, the same SQL work with no kabinet code. The
// workloads are written once over it; what differs per database is here.
type target interface {
	// name says where the scratch database is, for the progress lines.
	name() string
	labels() labels
	db() sqldb.DB
	store() eventstore.Store
	// describe fills in the database's part of the machine.
	describe(ctx context.Context, m *Machine) error
	// reset empties the log and flushes what the previous measurement
	// left to write, so that the next one neither pays for it nor reads
	// around its rows.
	reset(ctx context.Context) error
	// rawAppend is the baseline of StoreAppend: one event is a single-row
	// INSERT, a batch one multi-row INSERT, with no stream head, a constant
	// for the chain hash and the (stream, version) key as the only version
	// check.
	rawAppend() AppendFunc
	// rawRead is the baseline of ReadAllStore: one SELECT of the log in
	// log order, scanned and decoded as the store and its readers do.
	rawRead(ctx context.Context) (int64, error)
	// rawImport is the bulk-import baseline: n new events, copyStreamLength
	// per stream, written the fastest way the database offers.
	rawImport(ctx context.Context, n int) (int64, error)
	// appendHeld appends e at version in a transaction of its own that
	// stays open for hold and then commits, or rolls back when rollBack.
	appendHeld(ctx context.Context, stream string, version int64, e eventstore.Event, hold time.Duration, rollBack bool) (eventstore.Position, error)
	// verify checks every hash chain and stream head of the log.
	verify(ctx context.Context) error
	close()
}

// labels name a database's baselines in the table and progress lines.
type labels struct {
	raw          string // the raw side as a whole: "raw pgx"
	insertOne    string // baseline of one event per transaction
	insertMany   string // baseline of several events per transaction
	importRow    string // the bulk-import row
	importMethod string // the bulk-import baseline
}
