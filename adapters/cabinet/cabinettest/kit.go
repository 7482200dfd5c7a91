// Package cabinettest wires a complete cabinet.Service on a fresh database
// (PostgreSQL, or an SQLite file with Options.SQLite) for tests of the API
// and its edges: the event store, the projections runner, the command
// handlers, the partner simulators (KIAS behind a switch that cuts it off),
// the clients' data keys with a record of whose key was destroyed, and one
// API key of each role. Helpers put clients, policies and claims into it
// through the command handlers.
package cabinettest

import (
	"bytes"
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/require"

	"github.com/kabinet/kabinet/adapters/cabinet"
	"github.com/kabinet/kabinet/adapters/esbd"
	"github.com/kabinet/kabinet/adapters/kias"
	"github.com/kabinet/kabinet/adapters/payments"
	"github.com/kabinet/kabinet/adapters/pdf"
	"github.com/kabinet/kabinet/adapters/sms"
	"github.com/kabinet/kabinet/commands"
	"github.com/kabinet/kabinet/domain/kz"
	"github.com/kabinet/kabinet/eventstore"
	"github.com/kabinet/kabinet/internal/dbtest"
	"github.com/kabinet/kabinet/internal/sqldb"
	"github.com/kabinet/kabinet/projections"
	"github.com/kabinet/kabinet/projections/readmodels"
)

// Kit is a running cabinet for one test.
type Kit struct {
	Service    *cabinet.Service
	Deps       cabinet.Deps
	DB         sqldb.DB
	Pool       *pgxpool.Pool // PostgreSQL only; nil on SQLite
	Store      eventstore.Store
	Runner     *projections.Runner
	KIAS       *kias.Simulator // what the service reaches as KIAS, unless SetKIASDown cut it off
	ESBD       *esbd.Simulator
	SMS        *sms.Simulator
	Payments   *payments.Simulator
	Keys       *Shredder // the clients' data keys, and those erasures destroyed
	WebsiteKey string    // an API key of the website role, named "website"
	InsurerKey string    // an API key of the insurer role, named "kias"

	kias   *kiasLine    // what the service calls: KIAS behind SetKIASDown's switch
	offset atomic.Int64 // nanoseconds the kit's clock runs ahead of the real one
	mu     sync.Mutex
	last   eventstore.Position
}

// Options tune a Kit.
type Options struct {
	Config cabinet.Config // Now is set by the kit
	SQLite bool           // run on a fresh SQLite file instead of PostgreSQL
}

// New starts a kit; everything stops when t ends.
func New(t testing.TB, opts ...Options) *Kit {
	t.Helper()
	var o Options
	if len(opts) > 0 {
		o = opts[0]
	}
	backend := dbtest.Postgres
	if o.SQLite {
		backend = dbtest.SQLite
	}
	b := backend(t)
	db, store := b.DB, b.Store
	runner, err := projections.NewRunner(db, store, readmodels.All(), projections.Config{PollInterval: 50 * time.Millisecond})
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); _ = runner.Run(ctx) }()
	t.Cleanup(func() { cancel(); <-done })

	// The runner creates the read models' views as it starts; wait for them
	// so that a test's first query finds them.
	require.Eventually(t, func() bool {
		var live int
		err := db.QueryRow(ctx, `SELECT count(*) FROM projection_generations WHERE state = 'live'`).Scan(&live)
		return err == nil && live == len(runner.Projections())
	}, 20*time.Second, 10*time.Millisecond, "the read models' views did not appear")

	keys, err := newShredder(db)
	require.NoError(t, err)
	k := &Kit{
		DB: db, Pool: b.Pool, Store: store, Runner: runner,
		KIAS: kias.NewSimulator(), ESBD: esbd.NewSimulator(), SMS: sms.NewSimulator(),
		Payments: payments.NewSimulator("https://pay.example.kz"), Keys: keys,
	}
	k.kias = &kiasLine{sim: k.KIAS}
	deps, err := cabinet.Assemble(cabinet.Assembly{
		DB: db, Store: store, Projections: runner,
		Partners: cabinet.Partners{KIAS: k.kias, ESBD: k.ESBD, SMS: k.SMS, Payments: k.Payments},
		Secret:   Secret(),
		Clock:    commands.ClockFunc(k.Now),
		// Cheap hashing keeps tests fast; production uses the defaults.
		AccessCodes: commands.AccessCodeConfig{Argon2Time: 1, Argon2MemoryKiB: 1024, Argon2Threads: 1},
	})
	require.NoError(t, err)
	deps.RenderPolicy = pdf.Policy
	deps.Keys = k.Keys
	k.Deps = deps
	cfg := o.Config
	cfg.Now = k.Now
	k.Service, err = cabinet.New(deps, cfg)
	require.NoError(t, err)
	k.WebsiteKey, err = cabinet.CreateAPIKey(context.Background(), db, "website", cabinet.RoleWebsite)
	require.NoError(t, err)
	k.InsurerKey, err = cabinet.CreateAPIKey(context.Background(), db, "kias", cabinet.RoleInsurer)
	require.NoError(t, err)
	return k
}

// Secret is the server secret of every kit, for tests that derive the same
// client IDs from IINs outside the kit (the operator commands).
func Secret() []byte { return bytes.Repeat([]byte{7}, 32) }

// Now is the kit's clock: the real time plus what Advance added.
func (k *Kit) Now() time.Time { return time.Now().Add(time.Duration(k.offset.Load())) }

// Advance moves the kit's clock forward.
func (k *Kit) Advance(d time.Duration) { k.offset.Add(int64(d)) }

// Call runs an operation by name as the holder of creds.
func (k *Kit) Call(ctx context.Context, name string, creds cabinet.Credentials, req any) (any, error) {
	op, ok := cabinet.Lookup(name)
	if !ok {
		return nil, fmt.Errorf("no operation %s", name)
	}
	return k.Service.Invoke(ctx, op, creds, req)
}

// Website is the credentials of the website with no session.
func (k *Kit) Website() cabinet.Credentials { return cabinet.Credentials{APIKey: k.WebsiteKey} }

// Insurer is the credentials of the insurer's systems.
func (k *Kit) Insurer() cabinet.Credentials { return cabinet.Credentials{APIKey: k.InsurerKey} }

// Done records where a command's events landed, for Settle.
func (k *Kit) Done(t testing.TB, res commands.Result, err error) {
	t.Helper()
	require.NoError(t, err)
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.last.Less(res.Position) {
		k.last = res.Position
	}
}

// Settle waits until the read models show every command the helpers ran.
func (k *Kit) Settle(t testing.TB) {
	t.Helper()
	k.mu.Lock()
	pos := k.last
	k.mu.Unlock()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	require.NoError(t, k.Runner.WaitFor(ctx, pos))
}

// SettleLog waits until the read models show every event committed so far,
// including what reactions or a feed wrote, which Settle does not know of.
// It reads the last position from the table: ReadAll holds back events
// behind any open transaction, and so may not show the last one yet. A read
// model that could not store an event would never get there.
func (k *Kit) SettleLog(t testing.TB) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	var (
		head eventstore.Position
		seq  int64
	)
	last := k.DB.Dialect().Pick(`SELECT tx, seq FROM events ORDER BY tx DESC, seq DESC LIMIT 1`,
		`SELECT 0, seq FROM events ORDER BY seq DESC LIMIT 1`)
	require.NoError(t, k.DB.QueryRow(ctx, last).Scan(&head.Tx, &seq))
	head.Seq = uint64(seq)
	require.NoError(t, k.Runner.WaitFor(ctx, head), "the read models keep up with the log")
}

var iinSerial atomic.Int64

// NewIIN returns a valid IIN no other call in this process returned.
func NewIIN() kz.IIN {
	for {
		n := iinSerial.Add(1)
		// Born 1990-01-15, a man of the 1900s (3), serial from the counter.
		base := fmt.Sprintf("900115%d%04d", 3, n%10000)
		if n >= 10000 {
			base = fmt.Sprintf("%02d0115%d%04d", 70+(n/10000)%29, 3, n%10000)
		}
		if iin, err := kz.CompleteIIN(base); err == nil {
			return iin
		}
	}
}

var phoneSerial atomic.Int64

// NewPhone returns a mobile number no other call in this process returned.
func NewPhone() kz.Phone {
	return kz.MustParsePhone(fmt.Sprintf("+7701%07d", phoneSerial.Add(1)))
}
