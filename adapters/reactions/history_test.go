package reactions_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kabinet/kabinet/adapters/cabinet/cabinettest"
	"github.com/kabinet/kabinet/adapters/kias"
	"github.com/kabinet/kabinet/adapters/reactions"
	"github.com/kabinet/kabinet/domain/claim"
	"github.com/kabinet/kabinet/domain/client"
	"github.com/kabinet/kabinet/domain/kz"
	"github.com/kabinet/kabinet/domain/policy"
	"github.com/kabinet/kabinet/eventstore"
	"github.com/kabinet/kabinet/projections/claims"
	"github.com/kabinet/kabinet/projections/policies"
)

// kiasPolicy puts into KIAS's feed a policy of a year that began 60 days
// ago, held by holder and paid at KIAS's cash desk, and returns its contract
// ID and number.
func (h *harness) kiasPolicy(holder kz.IIN, serial string) (contractID, number string) {
	contractID, number = "HIST-KD-"+serial, "HIST-OGPO-"+serial
	starts := h.today.AddDays(-60)
	h.k.KIAS.AppendChange(kias.Change{Kind: kias.ChangePolicyIssued, Policy: &kias.FeedPolicy{
		ContractID: contractID, Number: number, Product: "ogpo_vts", Insurer: "АО «Страховая компания»",
		StartsOn: starts.String(), EndsOn: starts.AddDays(364).String(),
		Holder:           kias.FeedPerson{IIN: holder.String(), Name: "Абенов Ерлан"},
		UnlimitedDrivers: true,
		Vehicle:          &kias.FeedVehicle{Make: "Toyota", Model: "Camry", Plate: "123 ABC 02", Year: 2019},
		Premium:          "36000.00", PaymentMethod: "cash",
	}})
	h.k.KIAS.AppendChange(kias.Change{Kind: kias.ChangePaymentReceived, Payment: &kias.FeedPayment{
		ContractID: contractID, PaymentRef: "KASSA-" + contractID, Amount: "36000.00", PaidAt: h.k.Now().Add(-24 * time.Hour)}})
	return contractID, number
}

func (h *harness) eventCount(t *testing.T) int {
	t.Helper()
	var n int
	require.NoError(t, h.k.DB.QueryRow(context.Background(), `SELECT count(*) FROM events`).Scan(&n))
	return n
}

func TestImportHistoryOnClientRegistered(t *testing.T) {
	eachBackend(t, func(t *testing.T, db backend) {
		h := newHarness(t, db)
		ctx := context.Background()
		const name = reactions.NameImportHistoryOnClientRegistered
		iin, phone := cabinettest.NewIIN(), cabinettest.NewPhone()
		h.k.KIAS.AddPerson(kias.Person{IIN: iin, FirstName: "Ерлан", LastName: "Абенов", Phone: phone})
		serial := uuid.NewString()[:8]
		contractA, numberA := h.kiasPolicy(iin, serial+"-1")
		_, numberB := h.kiasPolicy(iin, serial+"-2")
		claimNumber := "HIST-VD-" + serial
		h.k.KIAS.AppendChange(kias.Change{Kind: kias.ChangeClaimReported, Claim: &kias.FeedClaim{
			Number: claimNumber, ContractID: contractA, Kind: "road_accident", Description: "ДТП во дворе",
			ReportedAt: h.k.Now().Add(-2 * time.Hour)}})
		h.k.KIAS.AppendChange(kias.Change{Kind: kias.ChangeClaimDocumentsRequested, ClaimDocuments: &kias.FeedClaimDocuments{
			Number: claimNumber, Documents: []kias.FeedDocumentKind{{Kind: string(claim.DocumentIDCard), Title: "Удостоверение личности"}}}})
		_, othersNumber := h.kiasPolicy(cabinettest.NewIIN(), serial+"-3")

		clientID, res, err := h.k.Deps.Clients.RegisterClient(ctx, uuid.New(), client.RegisterClient{
			IIN: iin, FirstName: "Ерлан", LastName: "Абенов", Phone: phone, Source: client.SourceKIAS})
		h.k.Done(t, res, err)
		e := h.event(t, eventstore.StreamName(client.Aggregate, clientID), client.TypeRegistered)

		require.NoError(t, h.handle(t, name, e))
		h.settleLog(t)

		mine, _, err := policies.List(ctx, h.k.DB, clientID, h.k.Now(), policies.All)
		require.NoError(t, err)
		var numbers []string
		for _, p := range mine {
			numbers = append(numbers, p.Number)
			assert.True(t, p.Paid.Equal(p.Premium), "policy %s is paid", p.Number)
		}
		assert.ElementsMatch(t, []string{numberA, numberB}, numbers, "both policies, and not %s", othersNumber)
		myClaims, err := claims.List(ctx, h.k.DB, clientID, claims.All)
		require.NoError(t, err)
		require.Len(t, myClaims, 1)
		assert.Equal(t, claimNumber, myClaims[0].Number)
		assert.Equal(t, numberA, myClaims[0].PolicyNumber)
		assert.Equal(t, 1, myClaims[0].MissingCount)

		issued := h.event(t, eventstore.StreamName(policy.Aggregate, h.k.Deps.Policies.IDFor(contractA)), policy.TypeIssued)
		assert.Equal(t, "reaction:"+name, issued.Metadata.Actor)
		assert.Equal(t, e.ID.String(), issued.Metadata.CausationID, "the import is traced to the registration")

		written := h.eventCount(t)
		require.NoError(t, h.handle(t, name, e))
		assert.Equal(t, written, h.eventCount(t), "handled twice, written once")
	})
}

func TestImportHistoryOnClientRegisteredWithNothingInKIAS(t *testing.T) {
	eachBackend(t, func(t *testing.T, db backend) {
		h := newHarness(t, db)
		c := h.k.Client(t)
		written := h.eventCount(t)

		require.NoError(t, h.handle(t, reactions.NameImportHistoryOnClientRegistered,
			h.event(t, eventstore.StreamName(client.Aggregate, c.ID), client.TypeRegistered)))

		assert.Equal(t, written, h.eventCount(t))
	})
}

// A client erased before the event is handled gets no policies written for
// them: the import would bring back personal data the erasure destroyed.
func TestImportHistoryOnClientRegisteredSkipsAnErasedClient(t *testing.T) {
	eachBackend(t, func(t *testing.T, db backend) {
		h := newHarness(t, db)
		ctx := context.Background()
		c := h.k.Client(t)
		h.kiasPolicy(c.IIN, fmt.Sprintf("E-%s", uuid.NewString()[:8]))
		reason, res, err := h.k.Deps.Clients.RequestErasure(ctx, uuid.New(), c.ID)
		h.k.Done(t, res, err)
		require.Empty(t, reason, "nothing in kabinet holds the erasure back")
		res, err = h.k.Deps.Clients.CompleteErasure(ctx, uuid.New(), c.ID, nil)
		h.k.Done(t, res, err)
		written := h.eventCount(t)

		require.NoError(t, h.handle(t, reactions.NameImportHistoryOnClientRegistered,
			h.event(t, eventstore.StreamName(client.Aggregate, c.ID), client.TypeRegistered)))

		assert.Equal(t, written, h.eventCount(t))
	})
}
