package cabinet_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kabinet/kabinet/adapters/cabinet"
	"github.com/kabinet/kabinet/adapters/cabinet/cabinettest"
	"github.com/kabinet/kabinet/domain/notice"
)

// accessCase is a caller an operation must refuse with want.
type accessCase struct {
	name  string
	creds cabinet.Credentials
	want  cabinet.Code
}

func TestEveryOperationChecksWhoCalls(t *testing.T) {
	t.Parallel()
	eachDatabase(t, testEveryOperationChecksWhoCalls)
}

func testEveryOperationChecksWhoCalls(t *testing.T, o cabinettest.Options) {
	k := newKit(t, o)
	ctx := t.Context()
	c := k.Client(t)
	ended := login(t, k, c.IIN.String(), c.Code)
	call[cabinet.LogoutResponse](t, k, "Logout", session(k, ended.Token), &cabinet.LogoutRequest{})
	revoked, err := cabinet.CreateAPIKey(ctx, k.DB, "old-website", cabinet.RoleWebsite)
	require.NoError(t, err)
	ok, err := cabinet.RevokeAPIKey(ctx, k.DB, "old-website")
	require.NoError(t, err)
	require.True(t, ok)

	seen := map[cabinet.Access]int{}
	for _, op := range cabinet.Operations() {
		seen[op.Access]++
		rightKey, wrongRole := k.WebsiteKey, k.InsurerKey
		if op.Access == cabinet.InsurerSystem {
			rightKey, wrongRole = k.InsurerKey, k.WebsiteKey
		}
		cases := []accessCase{
			{"no key", cabinet.Credentials{SessionToken: c.Session.SessionToken}, cabinet.CodeAuthFailed},
			{"a wrong key", cabinet.Credentials{APIKey: "kb_" + c.Session.SessionToken, SessionToken: c.Session.SessionToken}, cabinet.CodeAuthFailed},
			{"a revoked key", cabinet.Credentials{APIKey: revoked, SessionToken: c.Session.SessionToken}, cabinet.CodeAuthFailed},
			{"the wrong role", cabinet.Credentials{APIKey: wrongRole, SessionToken: c.Session.SessionToken}, cabinet.CodeForbidden},
		}
		if op.Access == cabinet.ClientSession {
			cases = append(cases,
				accessCase{"no session", cabinet.Credentials{APIKey: rightKey}, cabinet.CodeSessionRequired},
				accessCase{"an unknown session", cabinet.Credentials{APIKey: rightKey, SessionToken: "not-a-session"}, cabinet.CodeSessionRequired},
				accessCase{"an ended session", cabinet.Credentials{APIKey: rightKey, SessionToken: ended.Token}, cabinet.CodeSessionRequired},
			)
		}
		for _, tc := range cases {
			t.Run(op.Name+"/"+tc.name, func(t *testing.T) {
				resp, err := k.Service.Invoke(ctx, op, tc.creds, op.NewRequest())
				require.Error(t, err, "answered %+v", resp)
				e, ok := cabinet.ErrorOf(err)
				require.True(t, ok, "%v", err)
				assert.Equal(t, tc.want, e.Code, "%v", err)
				assert.Less(t, e.Status(), 500)
			})
		}
		t.Run(op.Name+"/a request of another operation", func(t *testing.T) {
			creds := cabinet.Credentials{APIKey: rightKey, SessionToken: c.Session.SessionToken}
			_, err := k.Service.Invoke(ctx, op, creds, &struct{}{})
			e, _ := cabinet.ErrorOf(err)
			assert.Equal(t, cabinet.CodeMalformedRequest, e.Code, "%v", err)
		})
	}
	for _, a := range []cabinet.Access{cabinet.Public, cabinet.ClientSession, cabinet.InsurerSystem} {
		assert.Positive(t, seen[a], "operations of access %s", a)
	}
}

// TestEveryOperationsRole pins who may call each operation, in the order
// the documents show them, so that a new operation, or a changed role, is a
// decision someone made.
func TestEveryOperationsRole(t *testing.T) {
	want := map[cabinet.Access][]string{
		cabinet.Public: {"StartRegistration", "SendRegistrationCode", "ConfirmRegistration", "RegisterAfterPurchase",
			"Login", "ResetAccessCode"},
		cabinet.ClientSession: {"Logout", "ChangeAccessCode", "GetPersonalData", "UpdatePersonalData",
			"UploadDocumentScan", "ListDocumentScans", "GetDocumentScan", "GetSettings", "UpdateSettings",
			"GetConsents", "GiveConsent", "WithdrawConsent", "RequestErasure",
			"ListPolicies", "GetPolicy", "GetPolicyDocument", "PayInstallment", "ProlongPolicy",
			"ListClaims", "GetClaim", "GetBonusAccount", "SpendBonus", "ListNotifications", "MarkNotificationRead"},
		cabinet.InsurerSystem: {"IssuePolicy", "RecordPayment", "RefundPayment", "ReportClaim", "ChangeClaimStatus",
			"RequestClaimDocuments", "ReceiveClaimDocument", "EraseClient"},
	}
	got := map[cabinet.Access][]string{}
	for _, op := range cabinet.Operations() {
		got[op.Access] = append(got[op.Access], op.Name)
		found, ok := cabinet.Lookup(op.Name)
		assert.True(t, ok, op.Name)
		assert.Equal(t, op.Access, found.Access, op.Name)
	}
	assert.Equal(t, want, got)
}

func TestAnotherClientsThingsAreNotFound(t *testing.T) {
	t.Parallel()
	eachDatabase(t, testAnotherClientsThingsAreNotFound)
}

func testAnotherClientsThingsAreNotFound(t *testing.T, o cabinettest.Options) {
	k := newKit(t, o)
	owner, other := k.Client(t), k.Client(t)
	p := k.Policy(t, owner, cabinettest.PolicyOptions{Installments: 2})
	cl := k.Claim(t, owner, p)
	scan := call[cabinet.UploadDocumentScanResponse](t, k, "UploadDocumentScan", session(k, owner.Session.SessionToken), &cabinet.UploadDocumentScanRequest{
		Kind: "passport", FileName: "passport.png", ContentType: "image/png", Content: png}).Scan
	n := record(t, k, owner, notice.RecordNotice{Kind: notice.KindBonus, Channels: []notice.Channel{notice.ChannelInbox}, Title: "Бонусы", Body: "Начислено"})

	theirs := session(k, other.Session.SessionToken)
	for _, tc := range []struct {
		op    string
		req   any
		field string
	}{
		{"GetPolicy", &cabinet.GetPolicyRequest{PolicyID: p.ID.String()}, "policyId"},
		{"GetPolicyDocument", &cabinet.GetPolicyDocumentRequest{PolicyID: p.ID.String()}, "policyId"},
		{"PayInstallment", &cabinet.PayInstallmentRequest{PolicyID: p.ID.String()}, "policyId"},
		{"ProlongPolicy", &cabinet.ProlongPolicyRequest{PolicyID: p.ID.String()}, "policyId"},
		{"GetClaim", &cabinet.GetClaimRequest{ClaimID: cl.ID.String()}, "claimId"},
		{"GetDocumentScan", &cabinet.GetDocumentScanRequest{ScanID: scan.ScanID}, "scanId"},
		{"MarkNotificationRead", &cabinet.MarkNotificationReadRequest{NotificationID: n.String()}, "notificationId"},
	} {
		t.Run(tc.op, func(t *testing.T) {
			wantError(t, refused(t, k, tc.op, theirs, tc.req), cabinet.CodeNotFound, tc.field)
			_, err := k.Call(t.Context(), tc.op, session(k, owner.Session.SessionToken), tc.req)
			assert.NoError(t, err, "the owner may")
		})
	}
}
