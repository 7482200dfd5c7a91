package cabinet_test

import (
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kabinet/kabinet/adapters/cabinet"
	"github.com/kabinet/kabinet/adapters/cabinet/cabinettest"
	"github.com/kabinet/kabinet/domain/policy"
)

func TestPayInstallment(t *testing.T) {
	t.Parallel()
	k := newKit(t)
	c, other := k.Client(t), k.Client(t)
	mine := session(k, c.Session.SessionToken)
	inst := k.Policy(t, c, cabinettest.PolicyOptions{Installments: 3})
	paid := k.Policy(t, c, cabinettest.PolicyOptions{})

	pay := call[cabinet.PayInstallmentResponse](t, k, "PayInstallment", mine, &cabinet.PayInstallmentRequest{PolicyID: inst.ID.String()})
	assert.Equal(t, int64(1), pay.Installment.Number)
	assert.Equal(t, cabinet.Money("12000.00"), pay.Installment.Amount)
	require.True(t, strings.HasPrefix(pay.PaymentURL, "https://pay.example.kz/pay/"), pay.PaymentURL)
	link, err := url.Parse(pay.PaymentURL)
	require.NoError(t, err)
	assert.Equal(t, inst.Number, link.Query().Get("policy"))
	assert.Equal(t, "1", link.Query().Get("installment"))
	assert.True(t, dateTime(t, pay.ExpiresAt).After(time.Now()))
	again := call[cabinet.PayInstallmentResponse](t, k, "PayInstallment", mine, &cabinet.PayInstallmentRequest{PolicyID: inst.ID.String()})
	assert.Equal(t, pay.PaymentURL, again.PaymentURL, "one link per installment")

	call[cabinet.RecordPaymentResponse](t, k, "RecordPayment", k.Insurer(), &cabinet.RecordPaymentRequest{
		KIASContractID: inst.KIASContractID, PaymentRef: "PAY-1-" + inst.Number, Amount: "12000.00", Installment: 1})
	next := call[cabinet.PayInstallmentResponse](t, k, "PayInstallment", mine, &cabinet.PayInstallmentRequest{PolicyID: inst.ID.String()})
	assert.Equal(t, int64(2), next.Installment.Number, "the next installment once the first is paid")
	assert.NotEqual(t, pay.PaymentURL, next.PaymentURL)

	e := refused(t, k, "PayInstallment", mine, &cabinet.PayInstallmentRequest{PolicyID: paid.ID.String()})
	wantError(t, e, cabinet.CodeConflict, "policyId")
	e = refused(t, k, "PayInstallment", session(k, other.Session.SessionToken), &cabinet.PayInstallmentRequest{PolicyID: inst.ID.String()})
	wantError(t, e, cabinet.CodeNotFound, "policyId")
	e = refused(t, k, "PayInstallment", mine, &cabinet.PayInstallmentRequest{PolicyID: "OGPO-1"})
	wantError(t, e, cabinet.CodeInvalidArgument, "policyId")
}

func TestProlongPolicy(t *testing.T) {
	t.Parallel()
	k := newKit(t)
	c, other := k.Client(t), k.Client(t)
	mine := session(k, c.Session.SessionToken)
	current := k.Policy(t, c, cabinettest.PolicyOptions{})

	draft := call[cabinet.ProlongPolicyResponse](t, k, "ProlongPolicy", mine, &cabinet.ProlongPolicyRequest{PolicyID: current.ID.String()}).Draft
	p := call[cabinet.GetPolicyResponse](t, k, "GetPolicy", mine, &cabinet.GetPolicyRequest{PolicyID: current.ID.String()}).Policy
	ends := policy.MustParseDate(string(p.Summary.EndsOn))
	start := ends.AddDays(1)
	assert.Equal(t, cabinet.RenewalDraft{
		RenewsPolicyID: current.ID.String(), RenewsNumber: current.Number, Product: "ogpo_vts",
		StartsOn: cabinet.Date(start.String()), EndsOn: cabinet.Date(policy.DateOf(time.Date(start.Year+1, start.Month, start.Day, 0, 0, 0, 0, time.UTC)).AddDays(-1).String()),
		Holder: p.Holder, InsuredPersons: p.InsuredPersons, Drivers: p.Drivers, Vehicle: p.Summary.Vehicle, PaymentMethod: "card",
	}, draft)
	require.Len(t, draft.Drivers, 1)
	assert.Equal(t, "0.90", draft.Drivers[0].KBM.Coefficient)
	require.NotNil(t, draft.Vehicle)
	assert.Equal(t, "Camry", draft.Vehicle.Model)

	today := policy.DateOf(time.Now().In(almaty(t)))
	ended := k.Policy(t, c, cabinettest.PolicyOptions{StartsOn: today.AddDays(-400), EndsOn: today.AddDays(-36)})
	late := call[cabinet.ProlongPolicyResponse](t, k, "ProlongPolicy", mine, &cabinet.ProlongPolicyRequest{PolicyID: ended.ID.String()}).Draft
	assert.Equal(t, cabinet.Date(today.String()), late.StartsOn, "a policy that has ended is renewed from today")

	e := refused(t, k, "ProlongPolicy", session(k, other.Session.SessionToken), &cabinet.ProlongPolicyRequest{PolicyID: current.ID.String()})
	wantError(t, e, cabinet.CodeNotFound, "policyId")
}

func almaty(t *testing.T) *time.Location {
	t.Helper()
	l, err := time.LoadLocation("Asia/Almaty")
	require.NoError(t, err)
	return l
}
