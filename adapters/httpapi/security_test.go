package httpapi

import (
	"context"
	"encoding/base64"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/kabinet/kabinet/adapters/cabinet"
	"github.com/kabinet/kabinet/adapters/cabinet/cabinettest"
	"github.com/kabinet/kabinet/domain/notice"
)

// owned are the things of one client that another client must not reach.
type owned struct {
	policy, claim, scan, notification string
	contract, claimNumber             string // the policy's KIAS contract and the claim's number, for the insurer's calls
}

// ownAll gives the client one of every thing an operation names by ID (a
// policy paid by installments, a claim on it, a scan, a notice) and
// returns their IDs.
func (a *api) ownAll(t *testing.T, c cabinettest.Client) owned {
	t.Helper()
	p := a.kit.Policy(t, c, cabinettest.PolicyOptions{Installments: 2})
	cl := a.kit.Claim(t, c, p)
	var scan cabinet.UploadDocumentScanResponse
	a.ok(call{method: http.MethodPost, path: "/me/scans", body: map[string]string{"kind": "id_card", "fileName": "id.png",
		"contentType": "image/png", "content": base64.StdEncoding.EncodeToString(pngBytes(t))}}.as(c.Session), &scan)
	noticeID := uuid.New()
	res, err := a.kit.Deps.Notices.Record(context.Background(), uuid.New(), c.ID, notice.RecordNotice{
		NoticeID: noticeID, Kind: notice.KindClaimStatus, Channels: []notice.Channel{notice.ChannelInbox},
		Title: "Статус убытка", Body: "Документы получены", ClaimID: cl.ID})
	a.kit.Done(t, res, err)
	a.kit.Settle(t)
	return owned{policy: p.ID.String(), claim: cl.ID.String(), scan: scan.Scan.ScanID, notification: noticeID.String(),
		contract: p.KIASContractID, claimNumber: cl.Number}
}

// samples is a request of every operation that the document accepts,
// naming o's things where the operation takes an ID.
func samples(t *testing.T, o owned) map[string]call {
	t.Helper()
	settings := cabinet.Settings{ExpiringPolicy: cabinet.Channels{SMS: true}}
	person := cabinet.PersonInput{Name: "Сарсенова Айгерим", IIN: cabinettest.NewIIN().String()}
	s := map[string]call{
		"StartRegistration":     {method: http.MethodPost, path: "/registrations", body: map[string]string{"iin": cabinettest.NewIIN().String()}},
		"SendRegistrationCode":  {method: http.MethodPost, path: "/registrations/" + uuid.NewString() + "/code"},
		"ConfirmRegistration":   {method: http.MethodPost, path: "/registrations/" + uuid.NewString() + "/confirm", body: map[string]string{"code": "123456"}},
		"RegisterAfterPurchase": {method: http.MethodPost, path: "/registrations/after-purchase", body: map[string]string{"iin": cabinettest.NewIIN().String(), "phone": cabinettest.NewPhone().String(), "policyNumber": "OGPO-1"}},
		"Login":                 {method: http.MethodPost, path: "/sessions", body: map[string]string{"login": cabinettest.NewIIN().String(), "accessCode": "2580"}},
		"ResetAccessCode":       {method: http.MethodPost, path: "/access-code/reset", body: map[string]string{"login": cabinettest.NewIIN().String()}},
		"Logout":                {method: http.MethodDelete, path: "/sessions/current"},
		"ChangeAccessCode":      {method: http.MethodPut, path: "/me/access-code", body: map[string]string{"currentCode": "2580", "newCode": "480725"}},
		"GetPersonalData":       {method: http.MethodGet, path: "/me/personal-data"},
		"UpdatePersonalData":    {method: http.MethodPut, path: "/me/personal-data", body: map[string]any{"personalData": map[string]string{"lastName": "Ким", "firstName": "Дана"}}},
		"UploadDocumentScan": {method: http.MethodPost, path: "/me/scans", body: map[string]string{"kind": "passport", "fileName": "p.png",
			"contentType": "image/png", "content": base64.StdEncoding.EncodeToString(pngBytes(t))}},
		"ListDocumentScans":    {method: http.MethodGet, path: "/me/scans"},
		"GetDocumentScan":      {method: http.MethodGet, path: "/me/scans/" + o.scan},
		"GetSettings":          {method: http.MethodGet, path: "/me/settings"},
		"UpdateSettings":       {method: http.MethodPut, path: "/me/settings", body: cabinet.UpdateSettingsRequest{Settings: settings}},
		"GetConsents":          {method: http.MethodGet, path: "/me/consents"},
		"GiveConsent":          {method: http.MethodPut, path: "/me/consents/marketing", body: map[string]any{"scope": []string{"phone"}}},
		"WithdrawConsent":      {method: http.MethodDelete, path: "/me/consents/marketing"},
		"RequestErasure":       {method: http.MethodPost, path: "/me/erasure"},
		"ListPolicies":         {method: http.MethodGet, path: "/policies?bucket=all"},
		"GetPolicy":            {method: http.MethodGet, path: "/policies/" + o.policy},
		"GetPolicyDocument":    {method: http.MethodGet, path: "/policies/" + o.policy + "/document"},
		"PayInstallment":       {method: http.MethodPost, path: "/policies/" + o.policy + "/installment-payment"},
		"ProlongPolicy":        {method: http.MethodPost, path: "/policies/" + o.policy + "/renewal-draft"},
		"ListClaims":           {method: http.MethodGet, path: "/claims?filter=all"},
		"GetClaim":             {method: http.MethodGet, path: "/claims/" + o.claim},
		"GetBonusAccount":      {method: http.MethodGet, path: "/bonus?limit=5"},
		"SpendBonus":           {method: http.MethodPost, path: "/bonus/spend", body: map[string]any{"orderRef": "ORDER-S", "points": 1}},
		"ListNotifications":    {method: http.MethodGet, path: "/notifications?unreadOnly=false"},
		"MarkNotificationRead": {method: http.MethodPost, path: "/notifications/" + o.notification + "/read"},
		"IssuePolicy": {method: http.MethodPost, path: "/insurer/policies", body: cabinet.IssuePolicyRequest{
			KIASContractID: "KD-S", Number: "OGPO-S", Product: "kasko", Insurer: "АО «Страховая компания»",
			StartsOn: "2026-01-01", EndsOn: "2026-12-31", Holder: person, Premium: "120000.00", PaymentMethod: "card",
			InsuredPersons: []cabinet.PersonInput{}, Drivers: []cabinet.PersonInput{}, Installments: []cabinet.InstallmentInput{}}},
		"RecordPayment":         {method: http.MethodPost, path: "/insurer/payments", body: map[string]string{"kiasContractId": "KD-S", "paymentRef": "PAY-S", "amount": "1.00"}},
		"RefundPayment":         {method: http.MethodPost, path: "/insurer/refunds", body: map[string]string{"kiasContractId": "KD-S", "paymentRef": "PAY-S", "refundRef": "REF-S", "amount": "1.00"}},
		"ReportClaim":           {method: http.MethodPost, path: "/insurer/claims", body: map[string]string{"number": "VD-S", "kiasContractId": "KD-S", "kind": "theft"}},
		"ChangeClaimStatus":     {method: http.MethodPost, path: "/insurer/claims/VD-S/status", body: map[string]string{"status": "appraisal"}},
		"RequestClaimDocuments": {method: http.MethodPost, path: "/insurer/claims/VD-S/document-requests", body: map[string]any{"documents": []cabinet.DocumentRequest{{Kind: "photos", Title: "Фото"}}}},
		"ReceiveClaimDocument":  {method: http.MethodPost, path: "/insurer/claims/VD-S/documents", body: map[string]string{"kind": "photos", "blobRef": "kias://1", "sha256": strings.Repeat("0f", 32)}},
		"EraseClient":           {method: http.MethodPost, path: "/insurer/clients/erasure", body: map[string]string{"iin": cabinettest.NewIIN().String()}},
	}
	for _, op := range cabinet.Operations() {
		require.Contains(t, s, op.Name, "every operation has a sample")
	}
	return s
}

// takesOwnedID names the operations that act on one of the client's things.
var takesOwnedID = map[string]bool{
	"GetDocumentScan": true, "GetPolicy": true, "GetPolicyDocument": true, "PayInstallment": true,
	"ProlongPolicy": true, "GetClaim": true, "MarkNotificationRead": true,
}

func TestSecurityOfEveryOperation(t *testing.T) {
	a := newAPI(t)
	alice, bob := a.kit.Client(t), a.kit.Client(t)
	sample := samples(t, a.ownAll(t, alice))

	type attempt struct {
		name   string
		key    string
		token  string
		status int
		code   cabinet.Code
		// outside: the document itself says the request lacks something
		outside bool
	}
	for _, op := range cabinet.Operations() {
		var attempts []attempt
		session := ""
		if op.Access == cabinet.ClientSession {
			session = alice.Session.SessionToken
		}
		attempts = append(attempts,
			attempt{"no key", "", session, 401, cabinet.CodeAuthFailed, true},
			attempt{"wrong key", "kb_" + strings.Repeat("x", 43), session, 401, cabinet.CodeAuthFailed, false},
		)
		if op.Access == cabinet.InsurerSystem {
			attempts = append(attempts, attempt{"website key", a.kit.WebsiteKey, "", 403, cabinet.CodeForbidden, false})
		} else {
			attempts = append(attempts, attempt{"insurer key", a.kit.InsurerKey, session, 403, cabinet.CodeForbidden, false})
		}
		if op.Access == cabinet.ClientSession {
			attempts = append(attempts,
				attempt{"no session", a.kit.WebsiteKey, "", 401, cabinet.CodeSessionRequired, true},
				attempt{"unknown session", a.kit.WebsiteKey, "not-a-session", 401, cabinet.CodeSessionRequired, false},
			)
		}
		if takesOwnedID[op.Name] {
			attempts = append(attempts, attempt{"another client's session", a.kit.WebsiteKey, bob.Session.SessionToken, 404, cabinet.CodeNotFound, false})
		}
		for _, at := range attempts {
			t.Run(op.Name+"/"+at.name, func(t *testing.T) {
				c := sample[op.Name]
				c.key, c.token, c.outside = at.key, at.token, at.outside
				a.on(t).fails(c, at.status, at.code)
			})
		}
	}

	// The samples are right: with the right credentials the reads succeed.
	for _, op := range cabinet.Operations() {
		if c := sample[op.Name]; c.method == http.MethodGet {
			t.Run(op.Name+"/own session", func(t *testing.T) {
				a.on(t).ok(c.as(alice.Session), nil)
			})
		}
	}

	// A session past its time is refused by every client operation.
	a.kit.Advance(13 * time.Hour)
	for _, op := range cabinet.Operations() {
		if op.Access != cabinet.ClientSession {
			continue
		}
		t.Run(op.Name+"/expired session", func(t *testing.T) {
			a.on(t).fails(sample[op.Name].as(alice.Session), 401, cabinet.CodeSessionRequired)
		})
	}
}
