package kias_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kabinet/kabinet/adapters/cabinet/cabinettest"
	"github.com/kabinet/kabinet/adapters/kias"
	"github.com/kabinet/kabinet/domain/claim"
	"github.com/kabinet/kabinet/domain/kz"
	"github.com/kabinet/kabinet/domain/policy"
	"github.com/kabinet/kabinet/eventstore"
)

// ids returns the IDs of changes, in order.
func ids(changes []kias.Change) []string {
	out := make([]string, 0, len(changes))
	for _, c := range changes {
		out = append(out, c.ID)
	}
	return out
}

// othersChanges fills the feed with another holder's policy, its payment and
// a claim on it, and a payment and a claim status change that name no
// contract or claim of anybody's.
func othersChanges(sim *kias.Simulator) {
	id, number := contract()
	sim.AppendChange(issued(cabinettest.NewIIN(), id, number, 0))
	sim.AppendChange(kias.Change{Kind: kias.ChangePaymentReceived, Payment: &kias.FeedPayment{
		ContractID: id, PaymentRef: "KASSA-" + id, Amount: "36000.00"}})
	sim.AppendChange(kias.Change{Kind: kias.ChangeClaimReported, Claim: &kias.FeedClaim{
		Number: "FEED-VD-" + id, ContractID: id, Kind: "road_accident"}})
	sim.AppendChange(kias.Change{Kind: kias.ChangePaymentReceived, Payment: &kias.FeedPayment{
		ContractID: "NO-SUCH-CONTRACT", PaymentRef: "KASSA-X", Amount: "100.00"}})
	sim.AppendChange(kias.Change{Kind: kias.ChangeClaimStatusChanged, ClaimStatus: &kias.FeedClaimStatus{
		Number: "NO-SUCH-CLAIM", Status: "appraisal"}})
}

func TestClientReadsAClientsHistory(t *testing.T) {
	f := &feedKit{sim: kias.NewSimulator()}
	f.client = served(t, f.sim, nil)
	holder := cabinettest.NewIIN()
	ctx := context.Background()
	othersChanges(f.sim)
	a, b, claimNumber := f.everyKind(holder)
	othersChanges(f.sim)
	// KIAS may write a claim number with spaces around it.
	f.sim.AppendChange(kias.Change{Kind: kias.ChangeClaimStatusChanged, ClaimStatus: &kias.FeedClaimStatus{
		Number: " " + claimNumber + " ", Status: "appraisal"}})

	got, err := f.client.History(ctx, holder)
	require.NoError(t, err)

	direct, err := f.sim.History(ctx, holder)
	require.NoError(t, err)
	require.Len(t, direct, 9, "the 8 changes of the holder's contracts and claim, and the late status change")
	assert.Equal(t, ids(direct), ids(got), "the same changes over the wire, oldest first")
	feed, err := f.sim.Changes(ctx, "", 0)
	require.NoError(t, err)
	byID := map[string]kias.Change{}
	for _, c := range feed.Changes {
		byID[c.ID] = c
	}
	for i, c := range got {
		want, ok := byID[c.ID]
		require.True(t, ok, "change %s is a change of the feed", c.ID)
		assert.Equal(t, want.Cursor, c.Cursor, "with its cursor in the feed")
		assert.Equal(t, want.Kind, c.Kind)
		assert.True(t, want.OccurredAt.Equal(c.OccurredAt))
		if i > 0 {
			assert.Less(t, got[i-1].Cursor, c.Cursor, "oldest first")
		}
	}
	kinds := map[kias.ChangeKind]int{}
	for _, c := range got {
		kinds[c.Kind]++
	}
	assert.Equal(t, map[kias.ChangeKind]int{
		kias.ChangePolicyIssued: 2, kias.ChangeInstallmentPaid: 1, kias.ChangePaymentReceived: 1, kias.ChangePolicyCancelled: 1,
		kias.ChangeClaimReported: 1, kias.ChangeClaimDocumentsRequested: 1, kias.ChangeClaimStatusChanged: 2,
	}, kinds)
	assert.Equal(t, a, got[0].Policy.ContractID)
	assert.Equal(t, holder.String(), got[0].Policy.Holder.IIN)
	assert.Equal(t, b, got[2].Policy.ContractID)
	assert.Equal(t, claimNumber, got[4].Claim.Number)

	none, err := f.client.History(ctx, cabinettest.NewIIN())
	require.NoError(t, err)
	assert.Empty(t, none, "an IIN KIAS does not know has no history")
}

func TestClientHistoryErrorsNameNoIIN(t *testing.T) {
	sim := kias.NewSimulator()
	holder := cabinettest.NewIIN()
	c := served(t, sim, func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(http.StatusServiceUnavailable)
		})
	})

	_, err := c.History(context.Background(), holder)

	require.Error(t, err)
	assert.Contains(t, err.Error(), "/clients/{iin}/history")
	assert.NotContains(t, err.Error(), holder.String())
}

func TestImportAppliesAClientsHistory(t *testing.T) {
	eachBackend(t, func(t *testing.T, db backend) {
		f := newFeedKit(t, db)
		holder := cabinettest.NewIIN()
		other, otherNumber := contract()
		f.sim.AppendChange(issued(cabinettest.NewIIN(), other, otherNumber, 0))
		a, b, claimNumber := f.everyKind(holder)
		p := f.poller(t, "kias", nil)
		ctx := context.Background()

		applied, err := p.Import(ctx, holder)
		require.NoError(t, err)

		assert.Equal(t, 8, applied)
		pa := f.policy(t, a)
		require.True(t, pa.Exists())
		assert.Equal(t, f.kit.Deps.Clients.IDFor(holder), pa.Holder.ClientID)
		sched := pa.Schedule()
		require.Len(t, sched, 2)
		assert.True(t, sched[0].Paid())
		pb := f.policy(t, b)
		assert.True(t, pb.Cancelled)
		assert.True(t, pb.Outstanding().IsZero())
		cl := f.claim(t, claimNumber)
		require.True(t, cl.Exists())
		assert.Equal(t, pa.Holder.ClientID, cl.ClientID)
		assert.Equal(t, claim.StatusDocumentsRequested, cl.Status)
		assert.False(t, f.policy(t, other).Exists(), "another holder's policy is not imported")

		cursor, err := p.Cursor(ctx)
		require.NoError(t, err)
		assert.Empty(t, cursor, "an import leaves the feed's cursor alone")

		events, err := f.kit.Store.Load(ctx, eventstore.StreamName(policy.Aggregate, pa.ID), 1)
		require.NoError(t, err)
		assert.Equal(t, "kias:history", events[0].Metadata.Actor)

		written := f.events(t)
		applied, err = p.Import(ctx, holder)
		require.NoError(t, err)
		assert.Equal(t, 8, applied, "imported again, every change is found done")
		assert.Equal(t, written, f.events(t), "and nothing is written twice")

		_, err = p.Import(ctx, kz.IIN{})
		assert.Error(t, err, "an import needs an IIN")
	})
}

func TestImportThenFeedWritesEachChangeOnce(t *testing.T) {
	eachBackend(t, func(t *testing.T, db backend) {
		f := newFeedKit(t, db)
		holder := cabinettest.NewIIN()
		a, b, _ := f.everyKind(holder)
		p := f.poller(t, "kias", nil)
		ctx := context.Background()
		_, err := p.Import(ctx, holder)
		require.NoError(t, err)
		written := f.events(t)
		before := []policy.State{f.policy(t, a), f.policy(t, b)}

		n, err := p.PollOnce(ctx)
		require.NoError(t, err)

		assert.Equal(t, 8, n, "the feed reads every change")
		assert.Equal(t, written, f.events(t), "and writes none of them again")
		assert.Equal(t, before, []policy.State{f.policy(t, a), f.policy(t, b)})
		rejects, err := p.Rejects(ctx)
		require.NoError(t, err)
		assert.Empty(t, rejects, "a change already imported is done, not refused")
	})
}

func TestFeedThenImportWritesEachChangeOnce(t *testing.T) {
	eachBackend(t, func(t *testing.T, db backend) {
		f := newFeedKit(t, db)
		holder := cabinettest.NewIIN()
		a, b, _ := f.everyKind(holder)
		p := f.poller(t, "kias", nil)
		ctx := context.Background()
		_, err := p.PollOnce(ctx)
		require.NoError(t, err)
		written := f.events(t)
		before := []policy.State{f.policy(t, a), f.policy(t, b)}
		cursor, err := p.Cursor(ctx)
		require.NoError(t, err)

		applied, err := p.Import(ctx, holder)
		require.NoError(t, err)

		assert.Equal(t, 8, applied)
		assert.Equal(t, written, f.events(t), "the import writes nothing the feed wrote")
		assert.Equal(t, before, []policy.State{f.policy(t, a), f.policy(t, b)})
		after, err := p.Cursor(ctx)
		require.NoError(t, err)
		assert.Equal(t, cursor, after)
		rejects, err := p.Rejects(ctx)
		require.NoError(t, err)
		assert.Empty(t, rejects)
	})
}

func TestImportRecordsRefusalsOnceAndGoesOn(t *testing.T) {
	eachBackend(t, func(t *testing.T, db backend) {
		f := newFeedKit(t, db)
		holder := cabinettest.NewIIN()
		id, number := contract()
		f.sim.AppendChange(issued(holder, id, number, 2))
		noSuchInstallment := f.sim.AppendChange(kias.Change{Kind: kias.ChangeInstallmentPaid, Payment: &kias.FeedPayment{
			ContractID: id, PaymentRef: "KASSA-9", Installment: 9, Amount: "18000.00"}})
		badDate := f.sim.AppendChange(kias.Change{Kind: kias.ChangePolicyCancelled, Cancellation: &kias.FeedCancellation{
			ContractID: id, Reason: "по заявлению", EffectiveOn: "01.06.2025"}})
		f.sim.AppendChange(kias.Change{Kind: kias.ChangeInstallmentPaid, Payment: &kias.FeedPayment{
			ContractID: id, PaymentRef: "KASSA-1", Installment: 1, Amount: "18000.00"}})
		p := f.poller(t, "kias", nil)
		ctx := context.Background()

		applied, err := p.Import(ctx, holder)
		require.NoError(t, err)

		assert.Equal(t, 2, applied, "the policy and the first installment")
		pol := f.policy(t, id)
		require.True(t, pol.Exists())
		assert.True(t, pol.Schedule()[0].Paid(), "the change after the refused ones was applied")
		assert.False(t, pol.Cancelled)
		rejects, err := p.Rejects(ctx)
		require.NoError(t, err)
		require.Len(t, rejects, 2)
		reasons := map[string]string{}
		for _, r := range rejects {
			reasons[r.ChangeID] = r.Reason
			assert.NotContains(t, r.Reason, holder.String())
		}
		assert.Contains(t, reasons[noSuchInstallment.ID], policy.ErrInstallmentNotFound.Error())
		assert.Contains(t, reasons[badDate.ID], "cancellation.effective_on")
		cursor, err := p.Cursor(ctx)
		require.NoError(t, err)
		assert.Empty(t, cursor, "a refusal in a history moves no cursor")

		// The same refusals again, by an import and by the feed, keep one row each.
		_, err = p.Import(ctx, holder)
		require.NoError(t, err)
		n, err := p.PollOnce(ctx)
		require.NoError(t, err)
		assert.Equal(t, 4, n)
		rejects, err = p.Rejects(ctx)
		require.NoError(t, err)
		assert.Len(t, rejects, 2)
	})
}

func TestImportStopsOnAPassingFailure(t *testing.T) {
	eachBackend(t, func(t *testing.T, db backend) {
		f := newFeedKit(t, db)
		holder := cabinettest.NewIIN()
		id, number := contract()
		f.sim.AppendChange(issued(holder, id, number, 0))
		flaky, down := f.flaky(t)
		p := f.poller(t, "kias", flaky)
		ctx := context.Background()

		_, err := p.Import(ctx, holder)
		require.Error(t, err)
		assert.NotContains(t, err.Error(), holder.String(), "errors never name the IIN")
		assert.False(t, f.policy(t, id).Exists())

		down.Store(false)
		applied, err := p.Import(ctx, holder)
		require.NoError(t, err)
		assert.Equal(t, 1, applied)
		assert.True(t, f.policy(t, id).Exists())
	})
}

// A change of the history the client cannot decode is rejected on its own;
// the rest of the history goes through.
func TestImportRejectsAnUnreadableChange(t *testing.T) {
	eachBackend(t, func(t *testing.T, db backend) {
		f := newFeedKit(t, db)
		holder := cabinettest.NewIIN()
		id, number := contract()
		valid := issued(holder, id, number, 0)
		valid.ID, valid.Cursor = "H-2", "2"
		good, err := json.Marshal(valid)
		require.NoError(t, err)
		body := `{"changes":[{"id":"H-1","cursor":"1","kind":"policy_issued","policy":{"premium":36000}},` + string(good) + `]}`
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path != "/clients/"+holder.String()+"/history" {
				http.NotFound(w, r)
				return
			}
			_, _ = w.Write([]byte(body))
		}))
		t.Cleanup(srv.Close)
		c, err := kias.NewClient(kias.Config{BaseURL: srv.URL, APIKey: apiKey})
		require.NoError(t, err)
		p := f.poller(t, "kias", c)

		applied, err := p.Import(context.Background(), holder)
		require.NoError(t, err)

		assert.Equal(t, 1, applied)
		assert.True(t, f.policy(t, id).Exists())
		rejects, err := p.Rejects(context.Background())
		require.NoError(t, err)
		require.Len(t, rejects, 1)
		assert.Equal(t, "H-1", rejects[0].ChangeID)
		assert.Contains(t, rejects[0].Reason, "decode change")
	})
}
