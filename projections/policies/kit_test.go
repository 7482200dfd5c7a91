package policies_test

import (
	"bytes"
	"context"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/kabinet/kabinet/commands"
	"github.com/kabinet/kabinet/domain/kz"
	"github.com/kabinet/kabinet/domain/money"
	"github.com/kabinet/kabinet/domain/policy"
	"github.com/kabinet/kabinet/eventstore"
	"github.com/kabinet/kabinet/internal/dbtest"
	"github.com/kabinet/kabinet/internal/sqldb"
	"github.com/kabinet/kabinet/projections"
	"github.com/kabinet/kabinet/projections/policies"
)

var (
	// now is 20:30 UTC on 1 March, already 01:30 on 2 March in Almaty: a
	// test that passes only with Almaty's date proves which date is used.
	now   = time.Date(2026, 3, 1, 20, 30, 0, 0, time.UTC)
	today = policy.MustParseDate("2026-03-02")

	// commandTime is when the handlers record the events.
	commandTime = time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC)

	holderIIN = kz.MustParseIIN("900115300003")
	driverIIN = kz.MustParseIIN("851231400001")
)

type kit struct {
	t        testing.TB
	at       time.Time           // the handlers' clock; tests move it
	last     eventstore.Position // of the last event a command wrote
	db       sqldb.DB
	store    eventstore.Store
	policies *commands.Policies
}

// eachKit runs fn as a subtest on a fresh PostgreSQL database and on a
// fresh SQLite file.
func eachKit(t *testing.T, fn func(t *testing.T, k *kit)) {
	dbtest.Each(t, func(t *testing.T, b dbtest.Backend) { fn(t, newKit(t, b)) })
}

func newKit(t *testing.T, b dbtest.Backend) *kit {
	t.Helper()
	ids, err := commands.NewKeyedIDs(bytes.Repeat([]byte{1}, 32))
	require.NoError(t, err)
	k := &kit{t: t, at: commandTime, db: b.DB, store: b.Store}
	k.policies = commands.NewPolicies(commands.New(b.Store, commands.ClockFunc(func() time.Time { return k.at })), ids)
	return k
}

// done checks a command and remembers where its events landed.
func (k *kit) done(res commands.Result, err error) {
	k.t.Helper()
	require.NoError(k.t, err)
	if k.last.Less(res.Position) {
		k.last = res.Position
	}
}

// catchUp applies every event the commands wrote to the read model. The log
// holds an event back while any older transaction in the cluster is still
// open (that is how a reader never skips one), so it waits for the last.
func (k *kit) catchUp(t *testing.T) {
	t.Helper()
	require.Eventually(t, func() bool {
		g, err := projections.CatchUp(context.Background(), k.db, k.store, policies.Projection{})
		require.NoError(t, err)
		return !g.Position.Less(k.last)
	}, 10*time.Second, 5*time.Millisecond)
}

// events reads the whole log, waiting for the last event the commands wrote.
func (k *kit) events(t *testing.T) []eventstore.RecordedEvent {
	t.Helper()
	var all []eventstore.RecordedEvent
	require.Eventually(t, func() bool {
		var err error
		all, err = k.store.ReadAll(context.Background(), eventstore.Position{}, 100_000)
		require.NoError(t, err)
		return len(all) > 0 && !all[len(all)-1].Position.Less(k.last)
	}, 10*time.Second, 5*time.Millisecond)
	return all
}

func (k *kit) issue(t *testing.T, cmd policy.IssuePolicy) uuid.UUID {
	t.Helper()
	id, res, err := k.policies.IssuePolicy(context.Background(), uuid.New(), cmd)
	k.done(res, err)
	return id
}

func (k *kit) pay(t *testing.T, holder, id uuid.UUID, number int, ref string) {
	t.Helper()
	k.done(k.policies.PayInstallment(context.Background(), uuid.New(), holder, id,
		policy.PayInstallment{Number: number, PaymentRef: ref, Amount: money.MustParse("10000")}))
}

func (k *kit) cancel(t *testing.T, id uuid.UUID, effective string) {
	t.Helper()
	k.done(k.policies.CancelPolicy(context.Background(), uuid.New(), id,
		policy.CancelPolicy{Reason: "sold the car", EffectiveOn: policy.MustParseDate(effective)}))
}

// motor is a compulsory motor policy of holder, paid by card, for the
// term starts…ends.
func motor(kias string, holder uuid.UUID, starts, ends string) policy.IssuePolicy {
	return policy.IssuePolicy{
		Product: policy.ProductOGPOVTS, Number: "OGPO " + kias, KIASContractID: kias, Insurer: "АО «СК Пример»",
		StartsOn: policy.MustParseDate(starts), EndsOn: policy.MustParseDate(ends),
		Holder:  policy.Holder{ClientID: holder, IIN: holderIIN, Name: "Ахметов Ерлан"},
		Drivers: []policy.Person{{Name: "Ахметова Айгерим", IIN: driverIIN}},
		Vehicle: policy.Vehicle{Make: "Toyota", Model: "Camry", Plate: "123ABC02", Year: 2019},
		Premium: money.MustParse("45000"), PaymentMethod: policy.PaymentCard,
	}
}

// installments is a KASKO policy paid in monthly parts of 10 000 KZT due on
// the given days.
func installments(kias string, holder uuid.UUID, starts, ends string, due ...string) policy.IssuePolicy {
	c := motor(kias, holder, starts, ends)
	c.Product, c.Drivers, c.PaymentMethod = policy.ProductKASKO, nil, policy.PaymentInstallments
	c.Premium = money.FromTiyn(int64(len(due)) * 10_000_00)
	for i, d := range due {
		c.Installments = append(c.Installments, policy.Installment{Number: i + 1, DueOn: policy.MustParseDate(d), Amount: money.MustParse("10000")})
	}
	return c
}
