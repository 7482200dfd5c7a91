package cabinet_test

import (
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kabinet/kabinet/adapters/cabinet"
	"github.com/kabinet/kabinet/adapters/kias"
	"github.com/kabinet/kabinet/domain/client"
)

func TestAWithdrawnConsentStopsSendingPersonalDataToKIAS(t *testing.T) {
	t.Parallel()
	k := newKit(t)
	ctx := t.Context()
	c := k.Client(t)
	mine := session(k, c.Session.SessionToken)
	update := func(middle string) *cabinet.UpdatePersonalDataRequest {
		return &cabinet.UpdatePersonalDataRequest{PersonalData: cabinet.PersonalData{LastName: c.LastName, FirstName: c.FirstName, MiddleName: middle}}
	}
	upload := &cabinet.UploadDocumentScanRequest{Kind: "passport", FileName: "p.jpg", ContentType: "image/jpeg", Content: jpeg}

	call[cabinet.UpdatePersonalDataResponse](t, k, "UpdatePersonalData", mine, update("Болатовна"))
	consent := client.GiveConsent{Purpose: client.PurposePersonalData, Scope: []string{"name", "iin", "phone", "documents"}}
	_, err := k.Deps.Clients.GiveConsent(ctx, uuid.New(), c.ID, consent)
	require.NoError(t, err)
	call[cabinet.UpdatePersonalDataResponse](t, k, "UpdatePersonalData", mine, update("Ерлановна"))
	call[cabinet.UploadDocumentScanResponse](t, k, "UploadDocumentScan", mine, upload)

	_, err = k.Deps.Clients.WithdrawConsent(ctx, uuid.New(), c.ID, client.PurposePersonalData)
	require.NoError(t, err, "a client with no contract may withdraw")
	wantError(t, refused(t, k, "UpdatePersonalData", mine, update("Сериковна")), cabinet.CodeConsentRequired, "")
	wantError(t, refused(t, k, "UploadDocumentScan", mine, upload), cabinet.CodeConsentRequired, "")
	inKIAS, err := k.KIAS.PersonalData(ctx, c.IIN)
	require.NoError(t, err)
	assert.Equal(t, "Ерлановна", inKIAS.MiddleName, "nothing was sent after the withdrawal")
	scans, err := k.KIAS.Scans(ctx, c.IIN)
	require.NoError(t, err)
	assert.Len(t, scans, 1)

	got := call[cabinet.GetPersonalDataResponse](t, k, "GetPersonalData", mine, &cabinet.GetPersonalDataRequest{})
	assert.Equal(t, "Ерлановна", got.PersonalData.MiddleName, "the client may still see what is held")
	call[cabinet.ListDocumentScansResponse](t, k, "ListDocumentScans", mine, &cabinet.ListDocumentScansRequest{})

	_, err = k.Deps.Clients.GiveConsent(ctx, uuid.New(), c.ID, consent)
	require.NoError(t, err)
	call[cabinet.UpdatePersonalDataResponse](t, k, "UpdatePersonalData", mine, update("Сериковна"))
}

func TestAnExpiredConsentStopsSendingPersonalDataToKIAS(t *testing.T) {
	t.Parallel()
	k := newKit(t)
	c := k.Client(t)
	mine := session(k, c.Session.SessionToken)
	_, err := k.Deps.Clients.GiveConsent(t.Context(), uuid.New(), c.ID, client.GiveConsent{
		Purpose: client.PurposeThirdParties, Scope: []string{"name", "iin"}, ExpiresAt: k.Now().Add(time.Hour)})
	require.NoError(t, err)
	req := &cabinet.UpdatePersonalDataRequest{PersonalData: cabinet.PersonalData{LastName: c.LastName, FirstName: c.FirstName, Email: "a@example.kz"}}
	call[cabinet.UpdatePersonalDataResponse](t, k, "UpdatePersonalData", mine, req)

	k.Advance(2 * time.Hour)
	req.PersonalData.Email = "b@example.kz"
	e := refused(t, k, "UpdatePersonalData", mine, req)
	wantError(t, e, cabinet.CodeConsentRequired, "")
	assert.Equal(t, 409, e.Status())
	inKIAS, err := k.KIAS.PersonalData(t.Context(), c.IIN)
	require.NoError(t, err)
	assert.Equal(t, kias.PersonalData{LastName: c.LastName, FirstName: c.FirstName, Phone: c.Phone, Email: "a@example.kz"}, inKIAS)
}
