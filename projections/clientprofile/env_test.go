package clientprofile_test

import (
	"bytes"
	"context"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kabinet/kabinet/commands"
	"github.com/kabinet/kabinet/domain/client"
	"github.com/kabinet/kabinet/domain/kz"
	"github.com/kabinet/kabinet/eventstore"
	"github.com/kabinet/kabinet/internal/dbtest"
	"github.com/kabinet/kabinet/internal/sqldb"
	"github.com/kabinet/kabinet/projections"
	"github.com/kabinet/kabinet/projections/clientprofile"
)

var (
	start   = time.Date(2025, 3, 1, 10, 0, 0, 0, time.UTC)
	iinA    = kz.MustParseIIN("900115300003")
	iinB    = kz.MustParseIIN("851231400001")
	iinC    = kz.MustParseIIN("050720600002")
	phoneA  = kz.MustParsePhone("+7 701 123 45 67")
	phoneA2 = kz.MustParsePhone("+7 777 765 43 21")
	phoneB  = kz.MustParsePhone("+7 705 000 11 22")
)

type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// contracts answers the contract questions of erasure from its fields.
type contracts struct {
	mu           sync.Mutex
	activePolicy bool
}

func (c *contracts) HasActivePolicy(context.Context, uuid.UUID, time.Time) (bool, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.activePolicy, nil
}

func (c *contracts) HasOpenClaim(context.Context, uuid.UUID) (bool, error) { return false, nil }

func (c *contracts) set(active bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.activePolicy = active
}

// env is a database with its event store, the client handlers on it and the
// read model, which is also the handlers' directory for logins by phone.
type env struct {
	t         *testing.T
	db        sqldb.DB
	store     eventstore.Store
	clock     *clock
	contracts *contracts
	clients   *commands.Clients
	last      eventstore.Position
}

// eachEnv runs fn as a subtest on a fresh env of each dialect.
func eachEnv(t *testing.T, fn func(t *testing.T, e *env)) {
	dbtest.Each(t, func(t *testing.T, b dbtest.Backend) { fn(t, newEnv(t, b)) })
}

func newEnv(t *testing.T, b dbtest.Backend) *env {
	store := b.Store
	clk := &clock{now: start}
	ids, err := commands.NewKeyedIDs(bytes.Repeat([]byte{1}, 32))
	require.NoError(t, err)
	codes, err := commands.NewAccessCodes(commands.AccessCodeConfig{
		HMACKey: bytes.Repeat([]byte{2}, 32), Argon2Time: 1, Argon2MemoryKiB: 1024, Argon2Threads: 1, OneTimeTTL: time.Hour,
	})
	require.NoError(t, err)
	c := &contracts{}
	clients := commands.NewClients(commands.New(store, clk), ids, codes, c)
	clients.SetDirectory(clientprofile.Directory{Q: b.DB})
	return &env{t: t, db: b.DB, store: store, clock: clk, contracts: c, clients: clients}
}

func (e *env) wrote(res commands.Result, err error) {
	e.t.Helper()
	require.NoError(e.t, err)
	if e.last.Less(res.Position) {
		e.last = res.Position
	}
}

// sawStream notes the position of a stream's last event, for writes whose
// handler returns an error and no result (a failed login).
func (e *env) sawStream(clientID uuid.UUID) {
	e.t.Helper()
	events, err := e.store.Load(context.Background(), eventstore.StreamName(client.Aggregate, clientID), 1)
	require.NoError(e.t, err)
	if p := events[len(events)-1].Position; e.last.Less(p) {
		e.last = p
	}
}

// catchUp applies the log up to the last write. CatchUp stops at the visible
// end of the log, which an open transaction elsewhere on the server can hold
// back, so it is repeated until the checkpoint passes the write.
func (e *env) catchUp() {
	e.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	for {
		g, err := projections.CatchUp(ctx, e.db, e.store, clientprofile.Projection{})
		require.NoError(e.t, err)
		if !g.Position.Less(e.last) {
			return
		}
		select {
		case <-ctx.Done():
			e.t.Fatalf("projection stopped at %s before %s", g.Position, e.last)
		case <-time.After(10 * time.Millisecond):
		}
	}
}

func (e *env) register(iin kz.IIN, phone kz.Phone, first, last string) uuid.UUID {
	e.t.Helper()
	id, res, err := e.clients.RegisterClient(context.Background(), uuid.New(), client.RegisterClient{
		IIN: iin, FirstName: first, LastName: last, Phone: phone, Source: client.SourceKIAS, KIASClientID: "EKK-" + iin.String(),
	})
	e.wrote(res, err)
	return id
}

func (e *env) issue(id uuid.UUID) string {
	e.t.Helper()
	code, res, err := e.clients.IssueOneTimeCode(context.Background(), uuid.New(), id)
	e.wrote(res, err)
	return code
}

func (e *env) get(id uuid.UUID) clientprofile.Profile {
	e.t.Helper()
	p, err := clientprofile.Get(context.Background(), e.db, id)
	require.NoError(e.t, err)
	return p
}

func (e *env) byPhone(phone kz.Phone) (uuid.UUID, bool) {
	e.t.Helper()
	id, found, err := clientprofile.Directory{Q: e.db}.ClientByPhone(context.Background(), phone)
	require.NoError(e.t, err)
	return id, found
}

func (e *env) noDrift() {
	e.t.Helper()
	diffs, err := projections.Verify(context.Background(), e.db, e.store, clientprofile.Projection{}, 5)
	require.NoError(e.t, err)
	assert.Empty(e.t, diffs)
}
