package cabinet_test

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kabinet/kabinet/adapters/cabinet"
	"github.com/kabinet/kabinet/adapters/cabinet/cabinettest"
	"github.com/kabinet/kabinet/adapters/kias"
)

func TestRegisterAfterPurchase(t *testing.T) {
	t.Parallel()
	k := newKit(t)

	t.Run("a new client gets a cabinet and the access code", func(t *testing.T) {
		iin, phone := cabinettest.NewIIN(), cabinettest.NewPhone()
		k.KIAS.AddPerson(kias.Person{IIN: iin, FirstName: "Гульнара", LastName: "Исаева"}, "OGPO-BUY-1")
		resp := call[cabinet.RegisterAfterPurchaseResponse](t, k, "RegisterAfterPurchase", k.Website(), &cabinet.RegisterAfterPurchaseRequest{
			IIN: iin.String(), Phone: phone.String(), PolicyNumber: "OGPO-BUY-1"})
		assert.True(t, resp.Created)
		assert.Equal(t, k.Deps.Clients.IDFor(iin).String(), resp.ClientID)
		code := smsCode(t, k, phone)
		s := login(t, k, iin.String(), code)
		assert.Equal(t, resp.ClientID, s.ClientID)
		assert.True(t, s.MustChangeAccessCode)
		data := call[cabinet.GetPersonalDataResponse](t, k, "GetPersonalData", session(k, s.Token), &cabinet.GetPersonalDataRequest{})
		assert.Equal(t, "Гульнара", data.PersonalData.FirstName, "the name comes from KIAS")
		assert.Equal(t, resp.ClientID, login(t, k, phone.String(), code).ClientID, "the phone of the purchase is the login")
	})

	t.Run("an existing client is told of the policy and keeps the code", func(t *testing.T) {
		c := k.Client(t)
		p := k.Policy(t, c, cabinettest.PolicyOptions{})
		before := smsTo(k, c.Phone)
		resp := call[cabinet.RegisterAfterPurchaseResponse](t, k, "RegisterAfterPurchase", k.Website(), &cabinet.RegisterAfterPurchaseRequest{
			IIN: c.IIN.String(), Phone: c.Phone.String(), PolicyNumber: p.Number})
		assert.False(t, resp.Created)
		assert.Equal(t, c.ID.String(), resp.ClientID)
		require.Equal(t, before+1, smsTo(k, c.Phone), "one SMS")
		m, _ := k.SMS.Last(c.Phone)
		assert.Equal(t, fmt.Sprintf(cabinet.SMSPurchaseAdded, p.Number), m.Text)
		assert.Empty(t, sixDigits.FindString(m.Text), "no new code")
		login(t, k, c.IIN.String(), c.Code)
	})

	t.Run("a policy nobody knows", func(t *testing.T) {
		iin, phone := cabinettest.NewIIN(), cabinettest.NewPhone()
		k.KIAS.AddPerson(kias.Person{IIN: iin, FirstName: "Гульнара", LastName: "Исаева"}, "OGPO-BUY-2")
		e := refused(t, k, "RegisterAfterPurchase", k.Website(), &cabinet.RegisterAfterPurchaseRequest{
			IIN: iin.String(), Phone: phone.String(), PolicyNumber: "OGPO-BUY-3"})
		wantError(t, e, cabinet.CodePhoneConfirmation, "policyNumber")
		assert.Zero(t, smsTo(k, phone))
	})

	t.Run("a policy kabinet recorded for an IIN nobody knows", func(t *testing.T) {
		iin, phone := cabinettest.NewIIN(), cabinettest.NewPhone()
		issue := issueRequest(iin.String(), "KD-BUY-4", "OGPO-BUY-4")
		issued := call[cabinet.IssuePolicyResponse](t, k, "IssuePolicy", k.Insurer(), &issue)
		req := &cabinet.RegisterAfterPurchaseRequest{IIN: iin.String(), Phone: phone.String(), PolicyNumber: "OGPO-BUY-4"}
		e := refused(t, k, "RegisterAfterPurchase", k.Website(), req)
		wantError(t, e, cabinet.CodeInvalidArgument, "firstName")
		req.FirstName, req.LastName = "Тимур", "Бекенов"
		resp := call[cabinet.RegisterAfterPurchaseResponse](t, k, "RegisterAfterPurchase", k.Website(), req)
		assert.True(t, resp.Created)
		s := login(t, k, iin.String(), smsCode(t, k, phone))
		list := call[cabinet.ListPoliciesResponse](t, k, "ListPolicies", session(k, s.Token), &cabinet.ListPoliciesRequest{})
		require.Len(t, list.Policies, 1, "the policy issued before the cabinet is in it")
		assert.Equal(t, issued.PolicyID, list.Policies[0].PolicyID)
	})

	t.Run("a retried request with the same idempotency key", func(t *testing.T) {
		iin, phone := cabinettest.NewIIN(), cabinettest.NewPhone()
		k.KIAS.AddPerson(kias.Person{IIN: iin, FirstName: "Гульнара", LastName: "Исаева"}, "OGPO-BUY-5")
		creds := k.Website()
		creds.IdempotencyKey = "purchase-5"
		req := &cabinet.RegisterAfterPurchaseRequest{IIN: iin.String(), Phone: phone.String(), PolicyNumber: "OGPO-BUY-5"}
		first := call[cabinet.RegisterAfterPurchaseResponse](t, k, "RegisterAfterPurchase", creds, req)
		code := smsCode(t, k, phone)
		again := call[cabinet.RegisterAfterPurchaseResponse](t, k, "RegisterAfterPurchase", creds, req)
		assert.Equal(t, first, again, "the retry answers as the first request did")
		assert.True(t, again.Created)
		assert.Equal(t, 1, smsTo(k, phone), "the retry sends nothing")
		login(t, k, iin.String(), code)

		other := k.Website()
		other.IdempotencyKey = "purchase-6"
		third := call[cabinet.RegisterAfterPurchaseResponse](t, k, "RegisterAfterPurchase", other, req)
		assert.False(t, third.Created, "a new request finds the cabinet")
		assert.Equal(t, 2, smsTo(k, phone))
	})

	t.Run("bad fields", func(t *testing.T) {
		for _, tc := range []struct {
			name  string
			req   cabinet.RegisterAfterPurchaseRequest
			field string
		}{
			{"bad IIN", cabinet.RegisterAfterPurchaseRequest{IIN: "900115300004", Phone: "+77011234567", PolicyNumber: "X"}, "iin"},
			{"bad phone", cabinet.RegisterAfterPurchaseRequest{IIN: cabinettest.NewIIN().String(), Phone: "8 000", PolicyNumber: "X"}, "phone"},
			{"no policy", cabinet.RegisterAfterPurchaseRequest{IIN: cabinettest.NewIIN().String(), Phone: "+77011234567"}, "policyNumber"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				wantError(t, refused(t, k, "RegisterAfterPurchase", k.Website(), &tc.req), cabinet.CodeInvalidArgument, tc.field)
			})
		}
	})
}

// Regression: when the SMS with the code failed, a retry of the request
// with the same Idempotency-Key answered Created and sent nothing, leaving
// the client without a working code.
func TestAPurchaseRetriedAfterAFailedSMSSendsTheCode(t *testing.T) {
	k := newKit(t)
	iin, phone := cabinettest.NewIIN(), cabinettest.NewPhone()
	k.KIAS.AddPerson(kias.Person{IIN: iin, FirstName: "Гульнара", LastName: "Исаева"}, "OGPO-RETRY-1")
	creds := k.Website()
	creds.IdempotencyKey = "order-retry-1"
	req := &cabinet.RegisterAfterPurchaseRequest{IIN: iin.String(), Phone: phone.String(), PolicyNumber: "OGPO-RETRY-1"}

	k.SMS.FailNext(1)
	wantError(t, refused(t, k, "RegisterAfterPurchase", creds, req), cabinet.CodeUnavailable, "")
	assert.Zero(t, smsTo(k, phone))

	resp := call[cabinet.RegisterAfterPurchaseResponse](t, k, "RegisterAfterPurchase", creds, req)
	assert.True(t, resp.Created, "the retry answers as the first request meant to")
	require.Equal(t, 1, smsTo(k, phone), "the retry sends the code")
	login(t, k, iin.String(), smsCode(t, k, phone))

	call[cabinet.RegisterAfterPurchaseResponse](t, k, "RegisterAfterPurchase", creds, req)
	assert.Equal(t, 1, smsTo(k, phone), "a retry after the code went out sends nothing more")
}
