package commands_test

import (
	"context"
	"strings"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kabinet/kabinet/commands"
	"github.com/kabinet/kabinet/domain/claim"
	"github.com/kabinet/kabinet/eventstore"
)

var claimRequest = claim.RequestClaimDocuments{Documents: []claim.DocumentRequest{
	{Kind: claim.DocumentPoliceReport, Title: "Справка из полиции"},
	{Kind: claim.DocumentPhotos, Title: "Фотографии повреждений"},
}}

func claimScan(kind claim.DocumentKind, hex string) claim.ReceiveClaimDocument {
	return claim.ReceiveClaimDocument{Kind: kind, BlobRef: "blob/" + string(kind), SHA256: strings.Repeat(hex, 32)}
}

// claimAwaitingDocuments reports a claim, asks for two documents and moves it
// to documents_requested, as KIAS would.
func (k *policyKit) claimAwaitingDocuments(t *testing.T, number string, stage bool) uuid.UUID {
	t.Helper()
	ctx := context.Background()
	id := k.report(t, number, policyHolder, k.issue(t, policyIssueCmd("KIAS-"+number, policyHolder)))
	_, err := k.claims.RequestClaimDocuments(ctx, uuid.New(), id, claimRequest)
	require.NoError(t, err)
	if stage {
		_, err = k.claims.ChangeClaimStatus(ctx, uuid.New(), id, claim.ChangeClaimStatus{To: claim.StatusDocumentsRequested})
		require.NoError(t, err)
	}
	return id
}

func TestReceiveClaimDocumentCompletesTheClaim(t *testing.T) {
	ctx := context.Background()
	policyEachStore(t, func(t *testing.T, k *policyKit) {
		id := k.claimAwaitingDocuments(t, "CLM-30", true)

		res, err := k.claims.ReceiveClaimDocument(ctx, uuid.New(), policyHolder, id, claimScan(claim.DocumentPoliceReport, "a1"))
		require.NoError(t, err)
		assert.Equal(t, 1, res.Events, "a document is still missing")
		assert.Equal(t, claim.StatusDocumentsRequested, k.claim(t, id).Status)

		cmdID := uuid.New()
		res, err = k.claims.ReceiveClaimDocument(ctx, cmdID, policyHolder, id, claimScan(claim.DocumentPhotos, "b2"))
		require.NoError(t, err)
		assert.Equal(t, 2, res.Events, "the receipt and the stage change")
		assert.Equal(t, int64(6), res.Version)
		assert.False(t, res.Duplicate)
		s := k.claim(t, id)
		assert.Equal(t, claim.StatusDocumentsComplete, s.Status)
		assert.Empty(t, s.Missing())

		history, err := k.store.Load(ctx, eventstore.StreamName(claim.Aggregate, id), 5)
		require.NoError(t, err)
		require.Len(t, history, 2)
		assert.Equal(t, claim.TypeDocumentReceived, history[0].Type)
		assert.Equal(t, cmdID.String(), history[0].Metadata.CommandID)
		assert.Equal(t, claim.TypeStatusChanged, history[1].Type)
		assert.Equal(t, commands.EventID(cmdID, 1000).String(), history[1].Metadata.CommandID, "a command ID derived from the receipt's")
		assert.Equal(t, history[1].Position, res.Position)

		again, err := k.claims.ReceiveClaimDocument(ctx, cmdID, policyHolder, id, claimScan(claim.DocumentPhotos, "b2"))
		require.NoError(t, err)
		assert.True(t, again.Duplicate)
		want := res
		want.Duplicate = true
		assert.Equal(t, want, again, "the first run's result")
		assert.Len(t, k.events(t, claim.Aggregate, id), 6, "nothing written again")
	})
}

// A receipt whose stage change was lost (the process stopped between the two
// appends) is completed by repeating the receipt's command.
func TestReceiveClaimDocumentRepeatCompletesAfterCrash(t *testing.T) {
	ctx := context.Background()
	policyEachStore(t, func(t *testing.T, k *policyKit) {
		id := k.claimAwaitingDocuments(t, "CLM-31", true)
		_, err := k.claims.ReceiveClaimDocument(ctx, uuid.New(), policyHolder, id, claimScan(claim.DocumentPoliceReport, "a1"))
		require.NoError(t, err)
		cmdID := uuid.New()
		r := commands.New(k.store, nil)
		_, err = commands.Execute(ctx, r, policyClaimAggregate(), id, cmdID, claim.Command(claimScan(claim.DocumentPhotos, "b2")))
		require.NoError(t, err)
		require.Equal(t, claim.StatusDocumentsRequested, k.claim(t, id).Status)

		res, err := k.claims.ReceiveClaimDocument(ctx, cmdID, policyHolder, id, claimScan(claim.DocumentPhotos, "b2"))
		require.NoError(t, err)
		assert.False(t, res.Duplicate, "the stage change is new")
		assert.Equal(t, 2, res.Events)
		assert.Equal(t, claim.StatusDocumentsComplete, k.claim(t, id).Status)
	})
}

func TestReceiveClaimDocumentLeavesOtherStages(t *testing.T) {
	ctx := context.Background()
	policyEachStore(t, func(t *testing.T, k *policyKit) {
		// Documents were asked for but KIAS has not moved the stage.
		id := k.claimAwaitingDocuments(t, "CLM-32", false)
		for _, scan := range []claim.ReceiveClaimDocument{claimScan(claim.DocumentPoliceReport, "a1"), claimScan(claim.DocumentPhotos, "b2")} {
			res, err := k.claims.ReceiveClaimDocument(ctx, uuid.New(), policyHolder, id, scan)
			require.NoError(t, err)
			assert.Equal(t, 1, res.Events)
		}
		s := k.claim(t, id)
		assert.Equal(t, claim.StatusReported, s.Status)
		assert.Empty(t, s.Missing())
	})
}

func TestReceiveClaimDocumentRefusals(t *testing.T) {
	ctx := context.Background()
	policyEachStore(t, func(t *testing.T, k *policyKit) {
		id := k.claimAwaitingDocuments(t, "CLM-33", true)
		before := k.events(t, claim.Aggregate, id)

		_, err := k.claims.ReceiveClaimDocument(ctx, uuid.New(), policyStranger, id, claimScan(claim.DocumentPhotos, "b2"))
		assert.ErrorIs(t, err, claim.ErrClaimNotFound, "another client's claim is not found")
		_, err = k.claims.ReceiveClaimDocument(ctx, uuid.New(), policyHolder, id, claimScan(claim.DocumentIDCard, "c3"))
		assert.ErrorIs(t, err, claim.ErrDocumentNotRequested)
		_, err = k.claims.ReceiveClaimDocument(ctx, uuid.New(), policyHolder, id, claim.ReceiveClaimDocument{Kind: claim.DocumentPhotos, BlobRef: "blob/x", SHA256: "zz"})
		assert.ErrorIs(t, err, claim.ErrInvalidDocument)
		_, err = k.claims.ReceiveClaimDocument(ctx, uuid.New(), policyHolder, k.claims.IDFor("CLM-34"), claimScan(claim.DocumentPhotos, "b2"))
		assert.ErrorIs(t, err, claim.ErrClaimNotFound)
		assert.Equal(t, before, k.events(t, claim.Aggregate, id))
	})
}
