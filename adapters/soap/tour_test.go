package soap

import (
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kabinet/kabinet/adapters/cabinet"
	"github.com/kabinet/kabinet/adapters/cabinet/cabinettest"
	"github.com/kabinet/kabinet/adapters/esbd"
	"github.com/kabinet/kabinet/adapters/kias"
)

// TestEveryOperation calls every operation once with a request it accepts,
// alternating the SOAP versions, so that every kind of response has been
// validated against the XSD the WSDL publishes.
func TestEveryOperation(t *testing.T) {
	s := newServer(t)
	called := map[string]bool{}
	n := 0
	ok := func(creds cabinet.Credentials, op string, req, out any) {
		t.Helper()
		v := []version{soap11, soap12}[n%2]
		n++
		called[op] = true
		s.call(t, v, creds, op, req).decode(t, out)
	}
	refused := func(creds cabinet.Credentials, op string, req any, code cabinet.Code) {
		t.Helper()
		called[op] = true
		r := s.call(t, soap11, creds, op, req)
		r.requireFault(t, "Client", code)
	}
	web, insurer := s.kit.Website(), s.kit.Insurer()

	// Registration of a client ESBD knows, and after a purchase.
	iin, phone := cabinettest.NewIIN(), cabinettest.NewPhone()
	s.kit.ESBD.AddPerson(esbd.Person{IIN: iin, FirstName: "Асель", LastName: "Нурланова", Phone: phone})
	var start cabinet.StartRegistrationResponse
	ok(web, "StartRegistration", &cabinet.StartRegistrationRequest{IIN: iin.String()}, &start)
	assert.Equal(t, "esbd", start.FoundIn)
	ok(web, "SendRegistrationCode", &cabinet.SendRegistrationCodeRequest{RegistrationID: start.RegistrationID}, &cabinet.SendRegistrationCodeResponse{})
	var confirmed cabinet.ConfirmRegistrationResponse
	ok(web, "ConfirmRegistration", &cabinet.ConfirmRegistrationRequest{RegistrationID: start.RegistrationID, Code: s.lastCode(t, phone)}, &confirmed)

	buyer, buyerPhone := cabinettest.NewIIN(), cabinettest.NewPhone()
	s.kit.KIAS.AddPerson(kias.Person{IIN: buyer, FirstName: "Ерлан", LastName: "Жумабаев", Phone: buyerPhone}, "OGPO-BUY-1")
	var bought cabinet.RegisterAfterPurchaseResponse
	ok(web, "RegisterAfterPurchase", &cabinet.RegisterAfterPurchaseRequest{IIN: buyer.String(), Phone: buyerPhone.String(), PolicyNumber: "OGPO-BUY-1"}, &bought)
	assert.True(t, bought.Created)
	ok(web, "ResetAccessCode", &cabinet.ResetAccessCodeRequest{Login: buyer.String()}, &cabinet.ResetAccessCodeResponse{})

	// The insurer's systems put a policy and a claim on the new client.
	contract := "KD-" + uuid.NewString()[:8]
	var issued cabinet.IssuePolicyResponse
	ok(insurer, "IssuePolicy", &cabinet.IssuePolicyRequest{
		KIASContractID: contract, Number: "OGPO-" + contract[3:], Product: "ogpo_vts", Insurer: "АО «Страховая компания»",
		StartsOn: "2026-01-01", EndsOn: "2026-12-31",
		Holder:        cabinet.PersonInput{Name: "Нурланова Асель", IIN: iin.String()},
		Drivers:       []cabinet.PersonInput{{Name: "Нурланова Асель", IIN: iin.String(), KBM: &cabinet.KBMInput{Class: "3", Coefficient: "0.90", AsOf: "2026-01-01"}}},
		Vehicle:       &cabinet.Vehicle{Make: "Hyundai", Model: "Tucson", Plate: "777AAA02", Year: 2021},
		Premium:       "48000.00",
		PaymentMethod: "installments",
		Installments: []cabinet.InstallmentInput{
			{Number: 1, DueOn: "2026-01-01", Amount: "24000.00"}, {Number: 2, DueOn: "2026-07-01", Amount: "24000.00"}},
	}, &issued)
	ok(insurer, "RecordPayment", &cabinet.RecordPaymentRequest{KIASContractID: contract, PaymentRef: "PAY-" + contract, Amount: "24000.00", Installment: 1}, &cabinet.RecordPaymentResponse{})
	// A refund, of a policy paid at once (an installment is paid back only
	// after a cancellation).
	paidAtOnce := contract + "-C"
	ok(insurer, "IssuePolicy", &cabinet.IssuePolicyRequest{
		KIASContractID: paidAtOnce, Number: "PROP-" + paidAtOnce[3:], Product: "property", Insurer: "АО «Страховая компания»",
		StartsOn: "2026-01-01", EndsOn: "2026-12-31", Holder: cabinet.PersonInput{Name: "Нурланова Асель", IIN: iin.String()},
		Premium: "12000.00", PaymentMethod: "card",
	}, &cabinet.IssuePolicyResponse{})
	ok(insurer, "RecordPayment", &cabinet.RecordPaymentRequest{KIASContractID: paidAtOnce, PaymentRef: "PAY-" + paidAtOnce, Amount: "12000.00"}, &cabinet.RecordPaymentResponse{})
	var refund cabinet.RefundPaymentResponse
	ok(insurer, "RefundPayment", &cabinet.RefundPaymentRequest{KIASContractID: paidAtOnce, PaymentRef: "PAY-" + paidAtOnce, RefundRef: "REF-" + paidAtOnce,
		Amount: "1000.00", RefundedAt: "2026-02-01T10:00:00+05:00"}, &refund)
	assert.True(t, refund.Recorded)
	claimNumber := "VD-" + contract[3:]
	var reported cabinet.ReportClaimResponse
	ok(insurer, "ReportClaim", &cabinet.ReportClaimRequest{Number: claimNumber, KIASContractID: contract, Kind: "road_accident", Description: "Парковка"}, &reported)
	r := s.call(t, soap12, insurer, "RequestClaimDocuments", &cabinet.RequestClaimDocumentsRequest{Number: claimNumber,
		Documents: []cabinet.DocumentRequest{{Kind: "id_card"}}})
	f := r.requireFault(t, "Sender", cabinet.CodeInvalidArgument)
	assert.Equal(t, "document[0]", f.detail.Field, "the field at fault is named as the request's element")
	ok(insurer, "RequestClaimDocuments", &cabinet.RequestClaimDocumentsRequest{Number: claimNumber,
		Documents: []cabinet.DocumentRequest{{Kind: "id_card", Title: "Удостоверение личности"}, {Kind: "police_report", Title: "Справка"}}}, &cabinet.RequestClaimDocumentsResponse{})
	ok(insurer, "ReceiveClaimDocument", &cabinet.ReceiveClaimDocumentRequest{Number: claimNumber, Kind: "id_card", BlobRef: "kias://docs/1",
		SHA256: "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"}, &cabinet.ReceiveClaimDocumentResponse{})
	ok(insurer, "ChangeClaimStatus", &cabinet.ChangeClaimStatusRequest{Number: claimNumber, Status: "documents_requested"}, &cabinet.ChangeClaimStatusResponse{})

	// The client's cabinet.
	session := web
	session.SessionToken = confirmed.Session.Token
	var login cabinet.LoginResponse
	ok(web, "Login", &cabinet.LoginRequest{Login: phone.String(), AccessCode: s.lastCode(t, phone)}, &login)

	var personal cabinet.GetPersonalDataResponse
	ok(session, "GetPersonalData", &cabinet.GetPersonalDataRequest{}, &personal)
	personal.PersonalData.Email = "asel@example.kz"
	personal.PersonalData.Phone = ""
	ok(session, "UpdatePersonalData", &cabinet.UpdatePersonalDataRequest{PersonalData: personal.PersonalData}, &cabinet.UpdatePersonalDataResponse{})

	var upload cabinet.UploadDocumentScanResponse
	ok(session, "UploadDocumentScan", &cabinet.UploadDocumentScanRequest{Kind: "id_card", FileName: "id.png", ContentType: "image/png", Content: pngHeader}, &upload)
	var scans cabinet.ListDocumentScansResponse
	ok(session, "ListDocumentScans", &cabinet.ListDocumentScansRequest{}, &scans)
	require.Len(t, scans.Scans, 1)
	var scan cabinet.GetDocumentScanResponse
	ok(session, "GetDocumentScan", &cabinet.GetDocumentScanRequest{ScanID: upload.Scan.ScanID}, &scan)
	assert.Equal(t, pngHeader, []byte(scan.Content), "binary content survives base64 both ways")

	var settings cabinet.GetSettingsResponse
	ok(session, "GetSettings", &cabinet.GetSettingsRequest{}, &settings)
	settings.Settings.AutoProlongation = !settings.Settings.AutoProlongation
	ok(session, "UpdateSettings", &cabinet.UpdateSettingsRequest{Settings: settings.Settings}, &cabinet.UpdateSettingsResponse{})

	var given cabinet.GiveConsentResponse
	ok(session, "GiveConsent", &cabinet.GiveConsentRequest{Purpose: "marketing", Scope: []string{"phone", "email"},
		ExpiresAt: cabinet.DateTime(s.kit.Now().Add(24 * time.Hour).Format(time.RFC3339))}, &given)
	assert.Equal(t, []string{"email", "phone"}, given.Consent.Scope, "a list of strings travels as repeated elements")
	ok(session, "GiveConsent", &cabinet.GiveConsentRequest{Purpose: "personal_data", Scope: []string{"iin", "name"}}, &cabinet.GiveConsentResponse{})
	var consents cabinet.GetConsentsResponse
	ok(session, "GetConsents", &cabinet.GetConsentsRequest{}, &consents)
	require.Len(t, consents.Consents, 2)
	var withdrawn cabinet.WithdrawConsentResponse
	ok(session, "WithdrawConsent", &cabinet.WithdrawConsentRequest{Purpose: "marketing"}, &withdrawn)
	assert.Equal(t, "withdrawn", withdrawn.Consent.Status)
	r = s.call(t, soap12, session, "WithdrawConsent", &cabinet.WithdrawConsentRequest{Purpose: "personal_data"})
	f = r.requireFault(t, "Sender", cabinet.CodeConsentRequiredByContract)
	assert.Equal(t, "purpose", f.detail.Field, "the policy in force needs the consent")

	var list cabinet.ListPoliciesResponse
	ok(session, "ListPolicies", &cabinet.ListPoliciesRequest{Bucket: "installments"}, &list)
	require.Len(t, list.Policies, 1)
	require.NotNil(t, list.Policies[0].NextInstallment)
	ok(session, "GetPolicy", &cabinet.GetPolicyRequest{PolicyID: issued.PolicyID}, &cabinet.GetPolicyResponse{})
	ok(session, "GetPolicyDocument", &cabinet.GetPolicyDocumentRequest{PolicyID: issued.PolicyID}, &cabinet.GetPolicyDocumentResponse{})
	ok(session, "PayInstallment", &cabinet.PayInstallmentRequest{PolicyID: issued.PolicyID}, &cabinet.PayInstallmentResponse{})
	ok(session, "ProlongPolicy", &cabinet.ProlongPolicyRequest{PolicyID: issued.PolicyID}, &cabinet.ProlongPolicyResponse{})

	var claims cabinet.ListClaimsResponse
	ok(session, "ListClaims", &cabinet.ListClaimsRequest{Filter: "in_settlement"}, &claims)
	require.Len(t, claims.Claims, 1)
	var claim cabinet.GetClaimResponse
	ok(session, "GetClaim", &cabinet.GetClaimRequest{ClaimID: reported.ClaimID}, &claim)
	assert.NotEmpty(t, claim.Claim.Timeline)

	ok(session, "GetBonusAccount", &cabinet.GetBonusAccountRequest{Limit: 10}, &cabinet.GetBonusAccountResponse{})
	refused(session, "SpendBonus", &cabinet.SpendBonusRequest{OrderRef: "ORDER-1", Points: 1_000_000}, cabinet.CodeInsufficientBalance)

	var notes cabinet.ListNotificationsResponse
	ok(session, "ListNotifications", &cabinet.ListNotificationsRequest{Limit: 20}, &notes)
	if len(notes.Notifications) > 0 {
		ok(session, "MarkNotificationRead", &cabinet.MarkNotificationReadRequest{NotificationID: notes.Notifications[0].NotificationID}, &cabinet.MarkNotificationReadResponse{})
	} else {
		refused(session, "MarkNotificationRead", &cabinet.MarkNotificationReadRequest{NotificationID: uuid.NewString()}, cabinet.CodeNotFound)
	}

	// Erasure: at the insurer's office for a client with a policy in force,
	// and at once for the buyer, whose policy kabinet has not recorded.
	var erase cabinet.EraseClientResponse
	ok(insurer, "EraseClient", &cabinet.EraseClientRequest{IIN: iin.String()}, &erase)
	assert.Equal(t, cabinet.EraseClientResponse{ClientID: confirmed.Session.ClientID, Status: "deferred", Reason: "active_policy"}, erase)
	var buyerLogin cabinet.LoginResponse
	ok(web, "Login", &cabinet.LoginRequest{Login: buyer.String(), AccessCode: s.lastCode(t, buyerPhone)}, &buyerLogin)
	buyerSession := web
	buyerSession.SessionToken = buyerLogin.Session.Token
	var erased cabinet.RequestErasureResponse
	ok(buyerSession, "RequestErasure", &cabinet.RequestErasureRequest{}, &erased)
	assert.Equal(t, cabinet.RequestErasureResponse{Status: "erased"}, erased)
	s.call(t, soap11, buyerSession, "GetSettings", &cabinet.GetSettingsRequest{}).requireFault(t, "Client", cabinet.CodeSessionRequired)

	ok(session, "ChangeAccessCode", &cabinet.ChangeAccessCodeRequest{CurrentCode: s.lastCode(t, phone), NewCode: "582931"}, &cabinet.ChangeAccessCodeResponse{})
	ok(session, "Logout", &cabinet.LogoutRequest{}, &cabinet.LogoutResponse{})

	for _, op := range cabinet.Operations() {
		assert.True(t, called[op.Name], "%s was called", op.Name)
	}
}
