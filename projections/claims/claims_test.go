package claims_test

import (
	"context"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kabinet/kabinet/domain/claim"
	"github.com/kabinet/kabinet/domain/money"
	"github.com/kabinet/kabinet/internal/dbtest"
	"github.com/kabinet/kabinet/internal/sqldb"
	"github.com/kabinet/kabinet/projections/claims"
)

var (
	holder   = uuid.MustParse("0195a1c2-0000-7000-8000-0000000000c1")
	stranger = uuid.MustParse("0195a1c2-0000-7000-8000-0000000000c2")

	idCard  = claim.DocumentRequest{Kind: claim.DocumentIDCard, Title: "Удостоверение личности"}
	police  = claim.DocumentRequest{Kind: claim.DocumentPoliceReport, Title: "Справка из полиции"}
	photos  = claim.DocumentRequest{Kind: claim.DocumentPhotos, Title: "Фотографии повреждений"}
	photos2 = claim.DocumentRequest{Kind: claim.DocumentPhotos, Title: "Дополнительные фотографии"}
)

// TestClaimLifecycle drives one claim through the handlers from report to
// payout and checks the read model after every step.
func TestClaimLifecycle(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, b dbtest.Backend) {
		ctx := context.Background()
		k := newKit(t, b)
		policyID := k.policy("P-1", holder, "900115300003")
		k.policy("P-2", stranger, "851231400001")
		reported := k.tick()
		id := k.report("CLM-1", holder, policyID)

		get := func(t *testing.T) claims.Details {
			t.Helper()
			k.catchUp(t)
			d, err := claims.Get(ctx, k.db, holder, id)
			require.NoError(t, err)
			return d
		}
		missing := func(d claims.Details) []claim.DocumentKind {
			var kinds []claim.DocumentKind
			for _, m := range d.Missing {
				kinds = append(kinds, m.Kind)
			}
			return kinds
		}

		d := get(t)
		assert.Equal(t, claims.Summary{ClaimID: id, Number: "CLM-1", Kind: "road_accident", PolicyID: policyID,
			PolicyNumber: "OGPO P-1", Status: claim.ClientInSettlement, Stage: claim.StatusReported,
			ReportedAt: reported, LastChangeAt: reported}, d.Summary)
		assert.Equal(t, "rear-ended at a light", d.Description)
		assert.Empty(t, d.Missing)

		asked := k.tick()
		k.request(id, idCard, police, photos)
		k.stage(id, claim.ChangeClaimStatus{To: claim.StatusDocumentsRequested})
		d = get(t)
		assert.Equal(t, claim.StatusDocumentsRequested, d.Stage)
		assert.Equal(t, claim.ClientInSettlement, d.Status)
		assert.Equal(t, []claims.MissingDocument{
			{Kind: claim.DocumentIDCard, Title: idCard.Title, RequestedAt: asked},
			{Kind: claim.DocumentPoliceReport, Title: police.Title, RequestedAt: asked},
			{Kind: claim.DocumentPhotos, Title: photos.Title, RequestedAt: asked},
		}, d.Missing)
		assert.Equal(t, 3, d.MissingCount)

		firstScan := k.tick()
		k.receive(holder, id, claim.DocumentPoliceReport)
		d = get(t)
		assert.Equal(t, []claim.DocumentKind{claim.DocumentIDCard, claim.DocumentPhotos}, missing(d), "missing shrinks as documents arrive")
		assert.Equal(t, []claims.ReceivedDocument{{Kind: claim.DocumentPoliceReport, Title: police.Title,
			BlobRef: "blob/police_report", SHA256: d.Received[0].SHA256, ReceivedAt: firstScan}}, d.Received)
		assert.Equal(t, firstScan, d.LastChangeAt)

		k.tick()
		k.receive(holder, id, claim.DocumentIDCard)
		complete := k.tick()
		k.receive(holder, id, claim.DocumentPhotos)
		d = get(t)
		assert.Empty(t, d.Missing)
		assert.Equal(t, claim.StatusDocumentsComplete, d.Stage, "the last document completes the claim")

		k.tick()
		k.stage(id, claim.ChangeClaimStatus{To: claim.StatusAppraisal})
		again := k.tick()
		k.stage(id, claim.ChangeClaimStatus{To: claim.StatusDocumentsRequested, Reason: "the photos are blurred"})
		k.request(id, photos2)
		d = get(t)
		assert.Equal(t, []claims.MissingDocument{{Kind: claim.DocumentPhotos, Title: photos2.Title, RequestedAt: again}}, d.Missing,
			"a document asked for again is missing again")
		assert.Len(t, d.Received, 3, "earlier receipts stay on record")

		k.tick()
		k.receive(holder, id, claim.DocumentPhotos)
		k.tick()
		k.stage(id, claim.ChangeClaimStatus{To: claim.StatusAppraisal})
		k.tick()
		k.stage(id, claim.ChangeClaimStatus{To: claim.StatusPayoutDecision, DecisionRef: "РВ-77"})
		paid := k.tick()
		k.stage(id, claim.ChangeClaimStatus{To: claim.StatusPaid, Payout: money.MustParse("150000")})
		d = get(t)

		assert.Equal(t, claim.ClientSettled, d.Status)
		assert.Equal(t, claim.StatusPaid, d.Stage)
		assert.True(t, money.MustParse("150000").Equal(d.Payout))
		assert.Equal(t, "РВ-77", d.DecisionRef)
		assert.Equal(t, paid, d.ClosedAt)
		assert.Equal(t, paid, d.LastChangeAt)
		assert.Empty(t, d.Missing)

		type step struct {
			kind     claims.EntryKind
			from, to claim.Status
			doc      claim.DocumentKind
			title    string
		}
		var steps []step
		for i, e := range d.Timeline {
			s := step{kind: e.Kind, from: e.From, to: e.To}
			if e.Received != nil {
				s.doc, s.title = e.Received.Kind, e.Received.Title
			}
			if i > 0 {
				assert.False(t, e.At.Before(d.Timeline[i-1].At), "timeline in order: entry %d", i)
			}
			steps = append(steps, s)
		}
		const (
			reportedS  = claim.StatusReported
			requested  = claim.StatusDocumentsRequested
			completeS  = claim.StatusDocumentsComplete
			appraisal  = claim.StatusAppraisal
			decision   = claim.StatusPayoutDecision
			paidStatus = claim.StatusPaid
		)
		assert.Equal(t, []step{
			{kind: claims.EntryReported, to: reportedS},
			{kind: claims.EntryDocumentsRequested},
			{kind: claims.EntryStatusChanged, from: reportedS, to: requested},
			{kind: claims.EntryDocumentReceived, doc: claim.DocumentPoliceReport, title: police.Title},
			{kind: claims.EntryDocumentReceived, doc: claim.DocumentIDCard, title: idCard.Title},
			{kind: claims.EntryDocumentReceived, doc: claim.DocumentPhotos, title: photos.Title},
			{kind: claims.EntryStatusChanged, from: requested, to: completeS},
			{kind: claims.EntryStatusChanged, from: completeS, to: appraisal},
			{kind: claims.EntryStatusChanged, from: appraisal, to: requested},
			{kind: claims.EntryDocumentsRequested},
			{kind: claims.EntryDocumentReceived, doc: claim.DocumentPhotos, title: photos2.Title},
			{kind: claims.EntryStatusChanged, from: requested, to: completeS},
			{kind: claims.EntryStatusChanged, from: completeS, to: appraisal},
			{kind: claims.EntryStatusChanged, from: appraisal, to: decision},
			{kind: claims.EntryStatusChanged, from: decision, to: paidStatus},
		}, steps)
		assert.Equal(t, []claims.RequestedDocument{{Kind: idCard.Kind, Title: idCard.Title}, {Kind: police.Kind, Title: police.Title},
			{Kind: photos.Kind, Title: photos.Title}}, d.Timeline[1].Requested)
		assert.Equal(t, "all requested documents received", d.Timeline[6].Reason)
		assert.Equal(t, complete, d.Timeline[6].At)
		assert.Equal(t, "the photos are blurred", d.Timeline[8].Reason)
		assert.Equal(t, "РВ-77", d.Timeline[13].DecisionRef)
		assert.True(t, money.MustParse("150000").Equal(d.Timeline[14].Payout))
		assert.Len(t, d.Received, 4)
	})
}

func TestListFiltersAndOwners(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, b dbtest.Backend) {
		ctx := context.Background()
		k := newKit(t, b)
		mine := k.policy("P-1", holder, "900115300003")
		theirs := k.policy("P-2", stranger, "851231400001")

		k.tick()
		withdrawn := k.report("CLM-1", holder, mine)
		k.tick()
		open := k.report("CLM-2", holder, mine)
		k.tick()
		other := k.report("CLM-3", stranger, theirs)
		k.tick()
		k.stage(withdrawn, claim.ChangeClaimStatus{To: claim.StatusWithdrawn, Reason: "settled with the other driver"})
		k.catchUp(t)

		ids := func(f claims.Filter, client uuid.UUID) []uuid.UUID {
			t.Helper()
			list, err := claims.List(ctx, k.db, client, f)
			require.NoError(t, err)
			var out []uuid.UUID
			for _, s := range list {
				out = append(out, s.ClaimID)
			}
			return out
		}
		assert.Equal(t, []uuid.UUID{withdrawn, open}, ids(claims.All, holder), "the most recently changed first")
		assert.Equal(t, []uuid.UUID{withdrawn, open}, ids("", holder), "the zero filter is All")
		assert.Equal(t, []uuid.UUID{open}, ids(claims.InSettlement, holder))
		assert.Equal(t, []uuid.UUID{withdrawn}, ids(claims.Settled, holder))
		assert.Equal(t, []uuid.UUID{other}, ids(claims.All, stranger))
		_, err := claims.List(ctx, k.db, holder, "closed")
		assert.ErrorIs(t, err, claims.ErrUnknownFilter)

		t.Run("another client's claim reads as missing", func(t *testing.T) {
			_, err := claims.Get(ctx, k.db, holder, other)
			assert.ErrorIs(t, err, claims.ErrNotFound)
			_, err = claims.Get(ctx, k.db, stranger, open)
			assert.ErrorIs(t, err, claims.ErrNotFound)
			_, err = claims.Get(ctx, k.db, holder, uuid.New())
			assert.ErrorIs(t, err, claims.ErrNotFound)
			d, err := claims.Get(ctx, k.db, stranger, other)
			require.NoError(t, err)
			assert.Equal(t, "OGPO P-2", d.PolicyNumber)
		})
		t.Run("open claims", func(t *testing.T) {
			for _, c := range []struct {
				client uuid.UUID
				open   bool
			}{{holder, true}, {stranger, true}, {uuid.New(), false}} {
				got, err := claims.HasOpen(ctx, k.db, c.client)
				require.NoError(t, err)
				assert.Equal(t, c.open, got)
			}
			k.stage(open, claim.ChangeClaimStatus{To: claim.StatusWithdrawn})
			k.catchUp(t)
			got, err := claims.HasOpen(ctx, k.db, holder)
			require.NoError(t, err)
			assert.False(t, got, "a withdrawn claim is settled")
		})
	})
}

// TestTimesAreUTC pins that times come back in UTC whatever the session's
// zone, which only PostgreSQL has; SQLite keeps Unix microseconds.
func TestTimesAreUTC(t *testing.T) {
	ctx := context.Background()
	b := dbtest.Postgres(t)
	k := newKit(t, b)
	id := k.report("CLM-1", holder, k.policy("P-1", holder, "900115300003"))
	k.catchUp(t)
	cfg := b.Pool.Config()
	cfg.ConnConfig.RuntimeParams["timezone"] = "Asia/Almaty"
	almaty, err := pgxpool.NewWithConfig(ctx, cfg)
	require.NoError(t, err)
	defer almaty.Close()
	d, err := claims.Get(ctx, sqldb.FromPgx(almaty), holder, id)
	require.NoError(t, err)
	assert.Equal(t, time.UTC, d.ReportedAt.Location())
	assert.Equal(t, k.at, d.Timeline[0].At)
}
