package commands_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/binary"
	"io"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/kabinet/kabinet/commands"
	"github.com/kabinet/kabinet/domain/client"
	"github.com/kabinet/kabinet/domain/kz"
	"github.com/kabinet/kabinet/eventstore"
	"github.com/kabinet/kabinet/eventstore/memory"
	"github.com/kabinet/kabinet/eventstore/postgres"
	"github.com/kabinet/kabinet/internal/pgtest"
)

var (
	clientKey    = []byte("kabinet-test-hmac-key-0123456789abcdef")
	clientIDsKey = bytes.Repeat([]byte{0x42}, 32)
	clientStart  = time.Date(2025, 3, 1, 9, 30, 0, 0, time.UTC)

	clientIIN      = kz.MustParseIIN("900115300003")
	clientOtherIIN = kz.MustParseIIN("851231400001")
	clientPhone    = kz.MustParsePhone("+7 701 123 45 67")
	clientPhone2   = kz.MustParsePhone("+7 777 765 43 21")
)

// clientTestConfig keeps argon2id cheap so the suite stays fast, and the
// one-time TTL above the lock time so a code outlives a lock.
func clientTestConfig() commands.AccessCodeConfig {
	return commands.AccessCodeConfig{
		HMACKey:         clientKey,
		Argon2Time:      1,
		Argon2MemoryKiB: 1024,
		Argon2Threads:   1,
		OneTimeTTL:      time.Hour,
	}
}

type clientClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clientClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clientClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// fakeContracts answers "no active policy, no open claim" unless a function
// is set, and counts the questions.
type fakeContracts struct {
	activePolicy func(ctx context.Context, clientID uuid.UUID, on time.Time) (bool, error)
	openClaim    func(ctx context.Context, clientID uuid.UUID) (bool, error)
	calls        atomic.Int32
}

var _ commands.ContractLookup = (*fakeContracts)(nil)

func (f *fakeContracts) HasActivePolicy(ctx context.Context, clientID uuid.UUID, on time.Time) (bool, error) {
	f.calls.Add(1)
	if f.activePolicy == nil {
		return false, nil
	}
	return f.activePolicy(ctx, clientID, on)
}

func (f *fakeContracts) HasOpenClaim(ctx context.Context, clientID uuid.UUID) (bool, error) {
	f.calls.Add(1)
	if f.openClaim == nil {
		return false, nil
	}
	return f.openClaim(ctx, clientID)
}

type fakeDirectory struct {
	clientByPhone func(ctx context.Context, phone kz.Phone) (uuid.UUID, bool, error)
}

var _ commands.ClientDirectory = (*fakeDirectory)(nil)

func (f *fakeDirectory) ClientByPhone(ctx context.Context, phone kz.Phone) (uuid.UUID, bool, error) {
	return f.clientByPhone(ctx, phone)
}

// clientEnv is a Clients wired to one store, with a clock tests move.
type clientEnv struct {
	t         *testing.T
	store     eventstore.Store
	clock     *clientClock
	ids       *commands.KeyedIDs
	codes     *commands.AccessCodes
	contracts *fakeContracts
	clients   *commands.Clients
}

// clientBackends runs a test against the memory store and a fresh
// PostgreSQL database.
func clientBackends(t *testing.T, test func(t *testing.T, store eventstore.Store)) {
	t.Run("memory", func(t *testing.T) { test(t, memory.New(memory.Options{})) })
	t.Run("postgres", func(t *testing.T) { test(t, clientPostgres(t)) })
}

func clientPostgres(t *testing.T) eventstore.Store {
	t.Helper()
	pool, _ := pgtest.New(t)
	s := postgres.New(pool, postgres.Options{})
	t.Cleanup(s.Close)
	return s
}

func newClientEnv(t *testing.T, store eventstore.Store, cfg commands.AccessCodeConfig) *clientEnv {
	t.Helper()
	clock := &clientClock{now: clientStart}
	ids, err := commands.NewKeyedIDs(clientIDsKey)
	require.NoError(t, err)
	codes, err := commands.NewAccessCodes(cfg)
	require.NoError(t, err)
	contracts := &fakeContracts{}
	return &clientEnv{
		t: t, store: store, clock: clock, ids: ids, codes: codes, contracts: contracts,
		clients: commands.NewClients(commands.New(store, clock), ids, codes, contracts),
	}
}

func (e *clientEnv) register(iin kz.IIN, phone kz.Phone) uuid.UUID {
	e.t.Helper()
	id, _, err := e.clients.RegisterClient(context.Background(), uuid.New(), client.RegisterClient{
		IIN: iin, FirstName: "Айгерим", LastName: "Сапарова", Phone: phone, Source: client.SourceKIAS,
	})
	require.NoError(e.t, err)
	return id
}

func (e *clientEnv) issue(id uuid.UUID) string {
	e.t.Helper()
	code, _, err := e.clients.IssueOneTimeCode(context.Background(), uuid.New(), id)
	require.NoError(e.t, err)
	return code
}

// registerWithCode registers clientIIN and issues a one-time code.
func (e *clientEnv) registerWithCode() (uuid.UUID, string) {
	e.t.Helper()
	id := e.register(clientIIN, clientPhone)
	return id, e.issue(id)
}

// types lists the event types of a client's stream in order.
func (e *clientEnv) types(id uuid.UUID) []string {
	e.t.Helper()
	var types []string
	for _, rec := range e.history(id) {
		types = append(types, rec.Type)
	}
	return types
}

func (e *clientEnv) history(id uuid.UUID) []eventstore.RecordedEvent {
	e.t.Helper()
	_, _, history, err := commands.Load(context.Background(), e.store, clientAgg(), id)
	require.NoError(e.t, err)
	return history
}

func (e *clientEnv) state(id uuid.UUID) client.State {
	e.t.Helper()
	s, _, _, err := commands.Load(context.Background(), e.store, clientAgg(), id)
	require.NoError(e.t, err)
	return s
}

// streams lists the streams in the store. ReadAll would not do on
// PostgreSQL: it shows only events of transactions older than the oldest one
// still open on the server, and another test may hold one open.
func (e *clientEnv) streams() []string {
	e.t.Helper()
	ctx := context.Background()
	if lister, ok := e.store.(interface {
		Streams(ctx context.Context, prefix string) ([]string, error)
	}); ok {
		names, err := lister.Streams(ctx, "")
		require.NoError(e.t, err)
		return names
	}
	all, err := e.store.ReadAll(ctx, eventstore.Position{}, 10_000)
	require.NoError(e.t, err)
	var names []string
	for _, rec := range all {
		if !slices.Contains(names, rec.Stream) {
			names = append(names, rec.Stream)
		}
	}
	return names
}

func clientAgg() commands.Aggregate[client.State, client.Event, client.Command] {
	return commands.Aggregate[client.State, client.Event, client.Command]{
		Name: client.Aggregate, Evolve: client.Evolve, Decide: client.Decide,
		Encode: client.EncodeEvent, Decode: client.DecodeEvent, SchemaVersion: client.SchemaVersion,
	}
}

func clientCount(types []string, typ string) int {
	n := 0
	for _, t := range types {
		if t == typ {
			n++
		}
	}
	return n
}

// codeRandom yields the 32-bit draws given, then crypto/rand: the draws fix
// the one-time codes, the rest feeds salts.
func codeRandom(draws ...uint32) io.Reader {
	var b []byte
	for _, d := range draws {
		b = binary.BigEndian.AppendUint32(b, d)
	}
	return io.MultiReader(bytes.NewReader(b), rand.Reader)
}

// clientBarrierStore holds the first n Loads until all n have happened, so
// that n concurrent logins all start from the same state.
type clientBarrierStore struct {
	eventstore.Store
	n       int32
	loads   atomic.Int32
	barrier sync.WaitGroup
}

func newClientBarrierStore(inner eventstore.Store, n int) *clientBarrierStore {
	s := &clientBarrierStore{Store: inner, n: int32(n)}
	s.barrier.Add(n)
	return s
}

func (s *clientBarrierStore) Load(ctx context.Context, stream string, from int64) ([]eventstore.RecordedEvent, error) {
	events, err := s.Store.Load(ctx, stream, from)
	if s.loads.Add(1) <= s.n {
		s.barrier.Done()
		s.barrier.Wait()
	}
	return events, err
}

// clientHookStore runs hook before the nth Load (counting from 1).
type clientHookStore struct {
	eventstore.Store
	at    int32
	loads atomic.Int32
	hook  func()
}

func (s *clientHookStore) Load(ctx context.Context, stream string, from int64) ([]eventstore.RecordedEvent, error) {
	if s.loads.Add(1) == s.at {
		s.hook()
	}
	return s.Store.Load(ctx, stream, from)
}

func clientMemory() eventstore.Store { return memory.New(memory.Options{}) }
