package soap

import (
	"context"
	"reflect"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/kabinet/kabinet/adapters/cabinet"
	"github.com/kabinet/kabinet/adapters/cabinet/cabinettest"
	"github.com/kabinet/kabinet/domain/notice"
)

// TestSecurity tries every operation, in both SOAP versions, with no key, a
// wrong key, the wrong role, no session, an unknown, ended, foreign-caller
// or expired session, and another client's session on the first client's
// policy, claim, scan and notification. Every answer is a Fault with the
// expected code, valid against the schemas.
func TestSecurity(t *testing.T) {
	s := newServer(t)
	a, b := s.kit.Client(t), s.kit.Client(t)
	policy := s.kit.Policy(t, a, cabinettest.PolicyOptions{})
	claim := s.kit.Claim(t, a, policy)

	var upload cabinet.UploadDocumentScanResponse
	s.call(t, soap11, a.Session, "UploadDocumentScan", &cabinet.UploadDocumentScanRequest{
		Kind: "passport", FileName: "passport.png", ContentType: "image/png", Content: cabinet.Binary(pngHeader),
	}).decode(t, &upload)

	res, err := s.kit.Deps.Notices.Record(context.Background(), uuid.New(), a.ID, notice.RecordNotice{
		NoticeID: uuid.New(), Kind: notice.KindClaimStatus, Channels: []notice.Channel{notice.ChannelInbox},
		Title: "Статус убытка", Body: "Убыток принят", ClaimID: claim.ID})
	require.NoError(t, err)
	require.NoError(t, s.kit.Runner.WaitFor(ctx(t), res.Position))
	var notes cabinet.ListNotificationsResponse
	s.call(t, soap11, a.Session, "ListNotifications", &cabinet.ListNotificationsRequest{}).decode(t, &notes)
	require.NotEmpty(t, notes.Notifications, "the first client has a notification to try on")

	owned := map[string]string{ // the first client's things, by request element
		"policyId":       policy.ID.String(),
		"claimId":        claim.ID.String(),
		"scanId":         upload.Scan.ScanID,
		"notificationId": notes.Notifications[0].NotificationID,
	}

	ended := s.kit.Client(t).Session
	s.call(t, soap11, ended, "Logout", &cabinet.LogoutRequest{}).decode(t, &cabinet.LogoutResponse{})

	otherKey, err := cabinet.CreateAPIKey(context.Background(), s.kit.DB, "partner-site", cabinet.RoleWebsite)
	require.NoError(t, err)
	foreignCaller := a.Session
	foreignCaller.APIKey = otherKey

	type attempt struct {
		name  string
		creds cabinet.Credentials
		req   any
		code  cabinet.Code
	}
	attempts := func(op cabinet.Operation) []attempt {
		out := []attempt{
			{"no key", cabinet.Credentials{}, op.NewRequest(), cabinet.CodeAuthFailed},
			{"wrong key", cabinet.Credentials{APIKey: "kb_" + uuid.NewString()}, op.NewRequest(), cabinet.CodeAuthFailed},
		}
		if op.Access == cabinet.InsurerSystem {
			out = append(out, attempt{"website key", a.Session, op.NewRequest(), cabinet.CodeForbidden})
		} else {
			insurer := s.kit.Insurer()
			insurer.SessionToken = a.Session.SessionToken
			out = append(out, attempt{"insurer key", insurer, op.NewRequest(), cabinet.CodeForbidden})
		}
		if op.Access != cabinet.ClientSession {
			return out
		}
		unknown := s.kit.Website()
		unknown.SessionToken = "no-such-token"
		out = append(out,
			attempt{"no session", s.kit.Website(), op.NewRequest(), cabinet.CodeSessionRequired},
			attempt{"unknown session", unknown, op.NewRequest(), cabinet.CodeSessionRequired},
			attempt{"ended session", ended, op.NewRequest(), cabinet.CodeSessionRequired},
			attempt{"another caller's session", foreignCaller, op.NewRequest(), cabinet.CodeSessionRequired},
		)
		if req, ok := withOwned(op, owned); ok {
			out = append(out, attempt{"another client's session", b.Session, req, cabinet.CodeNotFound})
		}
		return out
	}

	run := func(t *testing.T, op cabinet.Operation, at attempt) {
		for _, v := range []version{soap11, soap12} {
			r := s.call(t, v, at.creds, op.Name, at.req)
			r.requireFault(t, family(v, true), at.code)
		}
	}
	scoped := 0
	for _, op := range cabinet.Operations() {
		for _, at := range attempts(op) {
			if at.code == cabinet.CodeNotFound {
				scoped++
			}
			t.Run(op.Name+"/"+at.name, func(t *testing.T) {
				run(t, op, at)
				if at.code == cabinet.CodeNotFound {
					// The control: the owner's session finds the same thing.
					r := s.call(t, soap11, a.Session, op.Name, at.req)
					if r.fault != nil {
						require.NotEqual(t, string(cabinet.CodeNotFound), r.fault.detail.Code, "%s", r.body)
					}
				}
			})
		}
	}
	require.Equal(t, 7, scoped, "GetPolicy, GetPolicyDocument, PayInstallment, ProlongPolicy, GetClaim, GetDocumentScan and MarkNotificationRead are tried on another client's things")

	// Last, as it moves the kit's clock past every session's expiry.
	s.kit.Advance(13 * time.Hour)
	for _, op := range cabinet.Operations() {
		if op.Access == cabinet.ClientSession {
			t.Run(op.Name+"/expired session", func(t *testing.T) {
				run(t, op, attempt{creds: a.Session, req: op.NewRequest(), code: cabinet.CodeSessionRequired})
			})
		}
	}
}

// withOwned returns a request of op naming one of the first client's
// things, when op takes one.
func withOwned(op cabinet.Operation, owned map[string]string) (any, bool) {
	req := op.NewRequest()
	v := reflect.ValueOf(req).Elem()
	found := false
	for i := range v.NumField() {
		name := v.Type().Field(i).Tag.Get("xml")
		if id, ok := owned[name]; ok && v.Field(i).Kind() == reflect.String {
			v.Field(i).SetString(id)
			found = true
		}
	}
	return req, found
}

// pngHeader is the start of a PNG file, enough for a scan's content.
var pngHeader = []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89")
