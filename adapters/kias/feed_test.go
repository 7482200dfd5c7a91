package kias_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kabinet/kabinet/adapters/cabinet/cabinettest"
	"github.com/kabinet/kabinet/adapters/kias"
	"github.com/kabinet/kabinet/domain/claim"
	"github.com/kabinet/kabinet/domain/kz"
	"github.com/kabinet/kabinet/domain/policy"
)

var contractSerial atomic.Int64

// contract returns a contract ID and policy number no other call returned.
func contract() (id, number string) {
	n := contractSerial.Add(1)
	return fmt.Sprintf("FEED-KD-%06d", n), fmt.Sprintf("FEED-OGPO-%06d", n)
}

// issued is a policy_issued change: a year of motor cover for any driver,
// paid in installments of 18000.00 when installments > 0, at once otherwise.
func issued(holder kz.IIN, contractID, number string, installments int) kias.Change {
	p := &kias.FeedPolicy{
		ContractID: contractID, Number: number, Product: "ogpo_vts", Insurer: "АО «Страховая компания»",
		StartsOn: "2025-03-01", EndsOn: "2026-02-28",
		Holder:           kias.FeedPerson{IIN: holder.String(), Name: "Сарсенова Айгерим", KBM: &kias.FeedKBM{Class: "3", Coefficient: "0.90", AsOf: "2025-03-01"}},
		UnlimitedDrivers: true,
		Vehicle:          &kias.FeedVehicle{Make: "Toyota", Model: "Camry", Plate: "123 ABC 02", Year: 2019},
		Premium:          "36000.00", PaymentMethod: "card",
	}
	if installments > 0 {
		p.Premium = fmt.Sprintf("%d.00", 18000*installments)
		p.PaymentMethod = "installments"
		for i := 1; i <= installments; i++ {
			p.Installments = append(p.Installments, kias.FeedInstallment{Number: i, DueOn: fmt.Sprintf("2025-%02d-01", 2+i), Amount: "18000.00"})
		}
	}
	return kias.Change{Kind: kias.ChangePolicyIssued, Policy: p}
}

type feedKit struct {
	kit    *cabinettest.Kit
	sim    *kias.Simulator
	client *kias.Client
}

// backend is the database a feed kit runs on.
type backend struct{ sqlite bool }

// eachBackend runs fn as a subtest on PostgreSQL and on SQLite.
func eachBackend(t *testing.T, fn func(t *testing.T, db backend)) {
	t.Run("postgres", func(t *testing.T) { fn(t, backend{}) })
	t.Run("sqlite", func(t *testing.T) { fn(t, backend{sqlite: true}) })
}

func newFeedKit(t *testing.T, db backend) *feedKit {
	t.Helper()
	k := cabinettest.New(t, cabinettest.Options{SQLite: db.sqlite})
	sim := kias.NewSimulator()
	return &feedKit{kit: k, sim: sim, client: served(t, sim, nil)}
}

func (f *feedKit) poller(t *testing.T, name string, source kias.FeedSource) *kias.FeedPoller {
	t.Helper()
	if source == nil {
		source = f.client
	}
	p, err := kias.NewFeedPoller(f.kit.DB, source, kias.FeedCommands{
		Clients: f.kit.Deps.Clients, Policies: f.kit.Deps.Policies, Claims: f.kit.Deps.Claims,
	}, kias.FeedConfig{Name: name, Interval: 10 * time.Millisecond})
	require.NoError(t, err)
	return p
}

func (f *feedKit) events(t *testing.T) int {
	t.Helper()
	var n int
	require.NoError(t, f.kit.DB.QueryRow(context.Background(), `SELECT count(*) FROM events`).Scan(&n))
	return n
}

func (f *feedKit) policy(t *testing.T, contractID string) policy.State {
	t.Helper()
	s, err := f.kit.Deps.Policies.Load(context.Background(), f.kit.Deps.Policies.IDFor(contractID))
	require.NoError(t, err)
	return s
}

func (f *feedKit) claim(t *testing.T, number string) claim.State {
	t.Helper()
	s, err := f.kit.Deps.Claims.Load(context.Background(), f.kit.Deps.Claims.IDFor(number))
	require.NoError(t, err)
	return s
}

// everyKind fills the feed with one change of every kind and returns the
// contracts and the claim number it names.
func (f *feedKit) everyKind(holder kz.IIN) (byInstallments, paidAtOnce, claimNumber string) {
	a, numberA := contract()
	b, numberB := contract()
	claimNumber = "FEED-VD-" + a
	f.sim.AppendChange(issued(holder, a, numberA, 2))
	f.sim.AppendChange(kias.Change{Kind: kias.ChangeInstallmentPaid, Payment: &kias.FeedPayment{
		ContractID: a, PaymentRef: "KASSA-" + a, Installment: 1, Amount: "18000.00", PaidAt: time.Now().Add(-time.Hour)}})
	f.sim.AppendChange(issued(holder, b, numberB, 0))
	f.sim.AppendChange(kias.Change{Kind: kias.ChangePaymentReceived, Payment: &kias.FeedPayment{
		ContractID: b, PaymentRef: "KASSA-" + b, Amount: "36000.00"}})
	f.sim.AppendChange(kias.Change{Kind: kias.ChangeClaimReported, Claim: &kias.FeedClaim{
		Number: claimNumber, ContractID: a, Kind: "road_accident", Description: "ДТП", ReportedAt: time.Now().Add(-time.Hour)}})
	f.sim.AppendChange(kias.Change{Kind: kias.ChangeClaimDocumentsRequested, ClaimDocuments: &kias.FeedClaimDocuments{
		Number: claimNumber, Documents: []kias.FeedDocumentKind{{Kind: "police_report", Title: "Справка из полиции"}}}})
	f.sim.AppendChange(kias.Change{Kind: kias.ChangeClaimStatusChanged, ClaimStatus: &kias.FeedClaimStatus{
		Number: claimNumber, Status: "documents_requested"}})
	f.sim.AppendChange(kias.Change{Kind: kias.ChangePolicyCancelled, Cancellation: &kias.FeedCancellation{
		ContractID: b, Reason: "расторжение по заявлению", EffectiveOn: "2025-06-01"}})
	return a, b, claimNumber
}

func TestFeedTurnsEveryKindIntoItsCommand(t *testing.T) {
	eachBackend(t, func(t *testing.T, db backend) {
		f := newFeedKit(t, db)
		holder := cabinettest.NewIIN()
		a, b, claimNumber := f.everyKind(holder)
		p := f.poller(t, "kias", nil)

		n, err := p.PollOnce(context.Background())
		require.NoError(t, err)
		assert.Equal(t, 8, n)

		pa := f.policy(t, a)
		require.True(t, pa.Exists())
		assert.Equal(t, f.kit.Deps.Clients.IDFor(holder), pa.Holder.ClientID, "the holder's client ID comes from their IIN")
		assert.Equal(t, "123ABC02", pa.Vehicle.Plate)
		sched := pa.Schedule()
		require.Len(t, sched, 2)
		assert.True(t, sched[0].Paid())
		assert.False(t, sched[1].Paid())

		pb := f.policy(t, b)
		assert.True(t, pb.Cancelled)
		assert.True(t, pb.Outstanding().IsZero(), "paid at the cash desk")

		cl := f.claim(t, claimNumber)
		require.True(t, cl.Exists())
		assert.Equal(t, pa.ID, cl.PolicyID)
		assert.Equal(t, pa.Holder.ClientID, cl.ClientID, "the claimant is the holder")
		assert.Equal(t, claim.StatusDocumentsRequested, cl.Status)
		assert.Equal(t, []claim.DocumentKind{"police_report"}, cl.Missing())

		cursor, err := p.Cursor(context.Background())
		require.NoError(t, err)
		page, err := f.sim.Changes(context.Background(), "", 0)
		require.NoError(t, err)
		assert.Equal(t, page.Next, cursor, "the cursor is past the last change")
		rejects, err := p.Rejects(context.Background())
		require.NoError(t, err)
		assert.Empty(t, rejects)
	})
}

func TestFeedReplayedTwiceCreatesEachPolicyOnce(t *testing.T) {
	eachBackend(t, func(t *testing.T, db backend) {
		f := newFeedKit(t, db)
		a, b, _ := f.everyKind(cabinettest.NewIIN())
		ctx := context.Background()
		_, err := f.poller(t, "kias", nil).PollOnce(ctx)
		require.NoError(t, err)
		written := f.events(t)
		before := []policy.State{f.policy(t, a), f.policy(t, b)}

		// A second feed with a cursor of its own reads every change again.
		n, err := f.poller(t, "kias-replay", nil).PollOnce(ctx)
		require.NoError(t, err)

		assert.Equal(t, 8, n, "every change was read again")
		assert.Equal(t, written, f.events(t), "and none wrote anything")
		assert.Equal(t, before, []policy.State{f.policy(t, a), f.policy(t, b)})
		rejects, err := f.poller(t, "kias-replay", nil).Rejects(ctx)
		require.NoError(t, err)
		assert.Empty(t, rejects, "a replayed change is done, not refused")
	})
}

// Regression guard for a crash after the commands committed but before the
// cursor moved: the changes come again and must write nothing.
func TestFeedCrashBetweenCommandsAndCursorDuplicatesNothing(t *testing.T) {
	eachBackend(t, func(t *testing.T, db backend) {
		f := newFeedKit(t, db)
		f.everyKind(cabinettest.NewIIN())
		ctx := context.Background()
		p := f.poller(t, "kias", nil)
		_, err := p.PollOnce(ctx)
		require.NoError(t, err)
		written := f.events(t)
		end, err := p.Cursor(ctx)
		require.NoError(t, err)

		_, err = f.kit.DB.Exec(ctx, `UPDATE kias_feed_cursor SET cursor = '' WHERE name = 'kias'`)
		require.NoError(t, err)
		n, err := p.PollOnce(ctx)
		require.NoError(t, err)

		assert.Equal(t, 8, n)
		assert.Equal(t, written, f.events(t))
		cursor, err := p.Cursor(ctx)
		require.NoError(t, err)
		assert.Equal(t, end, cursor)

		// Without the row at all, as on a fresh database.
		_, err = f.kit.DB.Exec(ctx, `DELETE FROM kias_feed_cursor`)
		require.NoError(t, err)
		_, err = p.PollOnce(ctx)
		require.NoError(t, err)
		assert.Equal(t, written, f.events(t))
	})
}

func TestFeedRejectsAnInvalidChangeAndMovesOn(t *testing.T) {
	eachBackend(t, func(t *testing.T, db backend) {
		f := newFeedKit(t, db)
		ctx := context.Background()
		badIIN := "900115300000"
		_, errIIN := kz.ParseIIN(badIIN)
		require.Error(t, errIIN, "the test needs an IIN with a wrong check digit")
		bad, badNumber := contract()
		withBadIIN := issued(cabinettest.NewIIN(), bad, badNumber, 0)
		withBadIIN.Policy.Holder.IIN = badIIN
		f.sim.AppendChange(withBadIIN)
		f.sim.AppendChange(kias.Change{Kind: "policy_teleported"})
		f.sim.AppendChange(kias.Change{Kind: kias.ChangePaymentReceived, Payment: &kias.FeedPayment{
			ContractID: "NO-SUCH-CONTRACT", PaymentRef: "KASSA-X", Amount: "100.00"}})
		f.sim.AppendChange(kias.Change{Kind: kias.ChangeInstallmentPaid})
		good, goodNumber := contract()
		last := f.sim.AppendChange(issued(cabinettest.NewIIN(), good, goodNumber, 0))
		p := f.poller(t, "kias", nil)

		n, err := p.PollOnce(ctx)
		require.NoError(t, err)

		assert.Equal(t, 5, n)
		assert.True(t, f.policy(t, good).Exists(), "the valid change after the bad ones was applied")
		assert.False(t, f.policy(t, bad).Exists())
		cursor, err := p.Cursor(ctx)
		require.NoError(t, err)
		assert.Equal(t, last.Cursor, cursor)
		rejects, err := p.Rejects(ctx)
		require.NoError(t, err)
		require.Len(t, rejects, 4)
		reasons := map[kias.ChangeKind]string{}
		for _, r := range rejects {
			reasons[r.Kind] = r.Reason
			assert.NotContains(t, r.Reason, badIIN, "a reason never quotes personal data")
			assert.NotEmpty(t, r.ChangeID)
		}
		assert.Contains(t, reasons[kias.ChangePolicyIssued], "policy.holder.iin")
		assert.Contains(t, reasons["policy_teleported"], "not a kind")
		assert.Contains(t, reasons[kias.ChangePaymentReceived], policy.ErrPolicyNotFound.Error())
		assert.Contains(t, reasons[kias.ChangeInstallmentPaid], "payment: required")

		n, err = p.PollOnce(ctx)
		require.NoError(t, err)
		assert.Zero(t, n, "rejected changes are not read again")
	})
}

// A change the client cannot decode is rejected on its own; the rest of its
// page goes through.
func TestFeedRejectsAnUnreadableChange(t *testing.T) {
	eachBackend(t, func(t *testing.T, db backend) {
		f := newFeedKit(t, db)
		id, number := contract()
		valid := issued(cabinettest.NewIIN(), id, number, 0)
		valid.ID, valid.Cursor = "C-2", "2"
		good, err := json.Marshal(valid)
		require.NoError(t, err)
		page := `{"changes":[{"id":"C-1","cursor":"1","kind":"policy_issued","policy":{"premium":36000}},` + string(good) + `],"next":"2"}`
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Query().Get("after") == "2" {
				_, _ = w.Write([]byte(`{"changes":[],"next":"2"}`))
				return
			}
			_, _ = w.Write([]byte(page))
		}))
		t.Cleanup(srv.Close)
		c, err := kias.NewClient(kias.Config{BaseURL: srv.URL, APIKey: apiKey})
		require.NoError(t, err)
		p := f.poller(t, "kias", c)

		n, err := p.PollOnce(context.Background())
		require.NoError(t, err)

		assert.Equal(t, 2, n)
		assert.True(t, f.policy(t, id).Exists())
		rejects, err := p.Rejects(context.Background())
		require.NoError(t, err)
		require.Len(t, rejects, 1)
		assert.Equal(t, "C-1", rejects[0].ChangeID)
		assert.Contains(t, rejects[0].Reason, "decode change")
	})
}

func TestFeedTakesWhatTheCabinetAlreadyHasAsDone(t *testing.T) {
	eachBackend(t, func(t *testing.T, db backend) {
		f := newFeedKit(t, db)
		c := f.kit.Client(t)
		p := f.kit.Policy(t, c, cabinettest.PolicyOptions{})
		written := f.events(t)
		f.sim.AppendChange(issued(c.IIN, p.KIASContractID, p.Number, 0))
		f.sim.AppendChange(kias.Change{Kind: kias.ChangePaymentReceived, Payment: &kias.FeedPayment{
			ContractID: p.KIASContractID, PaymentRef: "PAY-" + p.Number, Amount: "36000.00"}})
		poller := f.poller(t, "kias", nil)

		n, err := poller.PollOnce(context.Background())
		require.NoError(t, err)

		assert.Equal(t, 2, n)
		assert.Equal(t, written, f.events(t), "the contract and its payment were already recorded")
		rejects, err := poller.Rejects(context.Background())
		require.NoError(t, err)
		assert.Empty(t, rejects, "policy.ErrPolicyExists counts as done")
	})
}

func TestFeedStopsOnAPassingFailureAndResumes(t *testing.T) {
	eachBackend(t, func(t *testing.T, db backend) {
		f := newFeedKit(t, db)
		id, number := contract()
		f.sim.AppendChange(issued(cabinettest.NewIIN(), id, number, 0))
		flaky, down := f.flaky(t)
		p := f.poller(t, "kias", flaky)
		ctx := context.Background()

		_, err := p.PollOnce(ctx)
		require.Error(t, err)
		assert.NotContains(t, err.Error(), "http://", "the error names no URL")
		cursor, cerr := p.Cursor(ctx)
		require.NoError(t, cerr)
		assert.Empty(t, cursor, "the cursor did not move")
		assert.False(t, f.policy(t, id).Exists())

		down.Store(false)
		n, err := p.PollOnce(ctx)
		require.NoError(t, err)
		assert.Equal(t, 1, n)
		assert.True(t, f.policy(t, id).Exists())
	})
}

func TestFeedPollIsSkippedWhileAnotherInstancePolls(t *testing.T) {
	eachBackend(t, func(t *testing.T, db backend) {
		f := newFeedKit(t, db)
		id, number := contract()
		f.sim.AppendChange(issued(cabinettest.NewIIN(), id, number, 0))
		ctx := context.Background()
		// The key FeedPoller's lock uses: 7322 and the feed's name. On
		// PostgreSQL the lock is held on a session of its own, as another
		// instance would hold it.
		lock, err := f.kit.DB.Lock(ctx, 7322, "kias")
		require.NoError(t, err)
		unlock := sync.OnceFunc(lock)
		defer unlock()
		p := f.poller(t, "kias", nil)

		n, err := p.PollOnce(ctx)
		require.NoError(t, err)
		assert.Zero(t, n)
		assert.False(t, f.policy(t, id).Exists())

		unlock()
		n, err = p.PollOnce(ctx)
		require.NoError(t, err)
		assert.Equal(t, 1, n)
	})
}

func TestFeedRunFollowsTheFeedUntilCancelled(t *testing.T) {
	eachBackend(t, func(t *testing.T, db backend) {
		f := newFeedKit(t, db)
		p := f.poller(t, "kias", f.sim) // the embedded default reads the simulator directly
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error, 1)
		go func() { done <- p.Run(ctx) }()

		id, number := contract()
		f.sim.AppendChange(issued(cabinettest.NewIIN(), id, number, 0))
		require.Eventually(t, func() bool { return f.policy(t, id).Exists() }, 10*time.Second, 10*time.Millisecond)

		cancel()
		select {
		case err := <-done:
			assert.NoError(t, err)
		case <-time.After(10 * time.Second):
			t.Fatal("Run did not stop when its context ended")
		}
	})
}

func TestNewFeedPollerChecksItsArguments(t *testing.T) {
	_, err := kias.NewFeedPoller(nil, nil, kias.FeedCommands{}, kias.FeedConfig{BatchSize: 10000, Interval: -1})
	require.Error(t, err)
	for _, want := range []string{"database", "source", "FeedCommands", "BatchSize", "negative"} {
		assert.ErrorContains(t, err, want)
	}
}

// flaky is a client of the kit's simulator that answers 503 while down is
// true, as it is at first.
func (f *feedKit) flaky(t *testing.T) (*kias.Client, *atomic.Bool) {
	var down atomic.Bool
	down.Store(true)
	c := served(t, f.sim, func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if down.Load() {
				w.WriteHeader(http.StatusServiceUnavailable)
				return
			}
			next.ServeHTTP(w, r)
		})
	})
	return c, &down
}
