package commands_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/kabinet/kabinet/commands"
	"github.com/kabinet/kabinet/domain/claim"
	"github.com/kabinet/kabinet/domain/kz"
	"github.com/kabinet/kabinet/domain/money"
	"github.com/kabinet/kabinet/domain/policy"
	"github.com/kabinet/kabinet/eventstore"
	"github.com/kabinet/kabinet/eventstore/memory"
	"github.com/kabinet/kabinet/eventstore/postgres"
	"github.com/kabinet/kabinet/internal/pgtest"
)

// The policy, claim and bonus handler tests run every case against each store.

var (
	policyNow       = time.Date(2025, 3, 1, 10, 0, 0, 0, time.UTC)
	policyHolder    = uuid.MustParse("0195a1c2-0000-7000-8000-0000000000c1")
	policyStranger  = uuid.MustParse("0195a1c2-0000-7000-8000-0000000000c2")
	policyHolderIIN = kz.MustParseIIN("900115300003")
	policyOtherIIN  = kz.MustParseIIN("851231400001")
)

// policyWriters is how many goroutines the concurrency tests run; a writer
// loses a race only when another one wins, so it retries at most this often.
const policyWriters = 8

type policyStoreCase struct {
	name string
	open func(t *testing.T) eventstore.Store
}

func policyStoreCases() []policyStoreCase {
	return []policyStoreCase{
		{"memory", func(*testing.T) eventstore.Store { return memory.New(memory.Options{}) }},
		{"postgres", func(t *testing.T) eventstore.Store {
			pool, _ := pgtest.New(t, pgtest.Options{MaxConns: 20})
			s := postgres.New(pool, postgres.Options{})
			t.Cleanup(s.Close)
			return s
		}},
	}
}

// policyKit is the handlers of one store.
type policyKit struct {
	store    eventstore.Store
	policies *commands.Policies
	claims   *commands.Claims
	bonuses  *commands.Bonuses
}

func policyNewKit(t *testing.T, store eventstore.Store) *policyKit {
	t.Helper()
	ids, err := commands.NewKeyedIDs(bytes.Repeat([]byte{42}, 32))
	require.NoError(t, err)
	r := commands.New(store, commands.ClockFunc(func() time.Time { return policyNow }))
	r.MaxRetries = policyWriters
	bonuses, err := commands.NewBonuses(r, commands.BonusConfig{})
	require.NoError(t, err)
	return &policyKit{
		store:    store,
		policies: commands.NewPolicies(r, ids),
		claims:   commands.NewClaims(r, ids),
		bonuses:  bonuses,
	}
}

// policyEachStore runs test as a subtest per store, each with fresh handlers.
func policyEachStore(t *testing.T, test func(t *testing.T, k *policyKit)) {
	for _, sc := range policyStoreCases() {
		t.Run(sc.name, func(t *testing.T) { test(t, policyNewKit(t, sc.open(t))) })
	}
}

// policyIssueCmd is a compulsory motor policy of holder paid by card.
func policyIssueCmd(kias string, holder uuid.UUID) policy.IssuePolicy {
	iin := policyHolderIIN
	if holder != policyHolder {
		iin = policyOtherIIN
	}
	return policy.IssuePolicy{
		Product: policy.ProductOGPOVTS, Number: "OGPO-" + kias, KIASContractID: kias,
		Insurer: "АО «СК Пример»", StartsOn: policy.MustParseDate("2025-03-01"), EndsOn: policy.MustParseDate("2026-02-28"),
		Holder:  policy.Holder{ClientID: holder, IIN: iin, Name: "Ахметов Ерлан"},
		Drivers: []policy.Person{{Name: "Ахметова Айгерим", IIN: policyOtherIIN}},
		Vehicle: policy.Vehicle{Make: "Toyota", Model: "Camry", Plate: "123ABC02", Year: 2019},
		Premium: money.MustParse("45000"), PaymentMethod: policy.PaymentCard,
	}
}

// policyInstallmentsCmd is a KASKO policy of holder paid in n monthly
// installments of 10 000 KZT.
func policyInstallmentsCmd(kias string, holder uuid.UUID, n int) policy.IssuePolicy {
	c := policyIssueCmd(kias, holder)
	c.Product = policy.ProductKASKO
	c.Drivers = nil
	c.PaymentMethod = policy.PaymentInstallments
	c.Premium = money.FromTiyn(int64(n) * 10_000_00)
	due := policy.MustParseDate("2025-03-01")
	for i := range n {
		c.Installments = append(c.Installments, policy.Installment{Number: i + 1, DueOn: due.AddDays(30 * i), Amount: money.MustParse("10000")})
	}
	return c
}

// issue issues a policy and fails the test if it is refused.
func (k *policyKit) issue(t *testing.T, cmd policy.IssuePolicy) uuid.UUID {
	t.Helper()
	id, _, err := k.policies.IssuePolicy(context.Background(), uuid.New(), cmd)
	require.NoError(t, err)
	return id
}

// events returns the wire names of a stream's events, in order.
func (k *policyKit) events(t *testing.T, aggregate string, id uuid.UUID) []string {
	t.Helper()
	history, err := k.store.Load(context.Background(), eventstore.StreamName(aggregate, id), 1)
	if err != nil {
		require.ErrorIs(t, err, eventstore.ErrStreamNotFound)
		return nil
	}
	types := make([]string, len(history))
	for i, e := range history {
		types[i] = e.Type
	}
	return types
}

func (k *policyKit) policy(t *testing.T, id uuid.UUID) policy.State {
	t.Helper()
	s, err := k.policies.Load(context.Background(), id)
	require.NoError(t, err)
	return s
}

func (k *policyKit) claim(t *testing.T, id uuid.UUID) claim.State {
	t.Helper()
	s, _, _, err := commands.Load(context.Background(), k.store, policyClaimAggregate(), id)
	require.NoError(t, err)
	return s
}

// policyClaimAggregate lets a test write claim events directly, as a handler
// that crashed half-way would have left them.
func policyClaimAggregate() commands.Aggregate[claim.State, claim.Event, claim.Command] {
	return commands.Aggregate[claim.State, claim.Event, claim.Command]{
		Name: claim.Aggregate, Evolve: claim.Evolve, Decide: claim.Decide,
		Encode: claim.EncodeEvent, Decode: claim.DecodeEvent, SchemaVersion: claim.SchemaVersion,
	}
}

func (k *policyKit) balance(t *testing.T, clientID uuid.UUID) int64 {
	t.Helper()
	b, err := k.bonuses.Balance(context.Background(), clientID)
	require.NoError(t, err)
	return b
}

// accrue credits clientID with points via a payment of points×100 KZT at the default rate.
func (k *policyKit) accrue(t *testing.T, clientID uuid.UUID, points int64) {
	t.Helper()
	_, err := k.bonuses.AccrueBonus(context.Background(), uuid.New(), clientID,
		fmt.Sprintf("pay-%d-%s", points, uuid.NewString()), money.FromTiyn(points*100_00), uuid.New())
	require.NoError(t, err)
}

// policyBarrierStore makes concurrent commands decide on the same state: loads
// are taken in rounds of n, and each of the first rounds is held until all n
// of its loads have read. A handler that loads twice per command (ownership,
// then Execute) needs two rounds. Every goroutine must load that many times,
// or the others wait for ever.
type policyBarrierStore struct {
	eventstore.Store
	n         int
	mu        sync.Mutex
	loads     int
	rounds    []*sync.WaitGroup
	conflicts atomic.Int32
}

func policyNewBarrierStore(inner eventstore.Store, n, rounds int) *policyBarrierStore {
	s := &policyBarrierStore{Store: inner, n: n}
	for range rounds {
		wg := new(sync.WaitGroup)
		wg.Add(n)
		s.rounds = append(s.rounds, wg)
	}
	return s
}

func (s *policyBarrierStore) Load(ctx context.Context, stream string, from int64) ([]eventstore.RecordedEvent, error) {
	events, err := s.Store.Load(ctx, stream, from)
	s.mu.Lock()
	round := s.loads / s.n
	s.loads++
	s.mu.Unlock()
	if round < len(s.rounds) {
		s.rounds[round].Done()
		s.rounds[round].Wait()
	}
	return events, err
}

func (s *policyBarrierStore) Append(ctx context.Context, stream string, expected eventstore.ExpectedVersion, events ...eventstore.Event) (eventstore.AppendResult, error) {
	res, err := s.Store.Append(ctx, stream, expected, events...)
	if errors.Is(err, eventstore.ErrConcurrencyConflict) {
		s.conflicts.Add(1)
	}
	return res, err
}
