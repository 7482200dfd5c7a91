package httpapi

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kabinet/kabinet/adapters/cabinet"
	"github.com/kabinet/kabinet/adapters/cabinet/cabinettest"
)

func TestInsurerSystemsRecordPoliciesAndClaimsTheClientSees(t *testing.T) {
	a := newAPI(t)
	c := a.kit.Client(t)
	insurer := func(path string, body any) call {
		return call{method: http.MethodPost, path: "/insurer" + path, key: a.kit.InsurerKey, body: body}
	}
	today := time.Now().In(time.FixedZone("Almaty", 5*3600))
	issue := cabinet.IssuePolicyRequest{
		KIASContractID: "KD-API-1", Number: "OGPO-API-1", Product: "ogpo_vts", Insurer: "АО «Страховая компания»",
		StartsOn: cabinet.Date(today.AddDate(0, 0, -10).Format(time.DateOnly)),
		EndsOn:   cabinet.Date(today.AddDate(1, 0, -11).Format(time.DateOnly)),
		Holder:   cabinet.PersonInput{Name: c.LastName + " " + c.FirstName, IIN: c.IIN.String()},
		Drivers: []cabinet.PersonInput{{Name: c.LastName + " " + c.FirstName, IIN: c.IIN.String(),
			KBM: &cabinet.KBMInput{Class: "3", Coefficient: "0.90", AsOf: cabinet.Date(today.Format(time.DateOnly))}}},
		Vehicle: &cabinet.Vehicle{Make: "Kia", Model: "Rio", Plate: "777AAA02", Year: 2021},
		Premium: "24500.00", PaymentMethod: "card",
		// Arrays are sent as [] rather than null, as the document says.
		InsuredPersons: []cabinet.PersonInput{}, Installments: []cabinet.InstallmentInput{},
	}
	var issued, reissued cabinet.IssuePolicyResponse
	a.ok(insurer("/policies", issue), &issued)
	assert.True(t, issued.Created)
	a.ok(insurer("/policies", issue), &reissued)
	assert.False(t, reissued.Created, "a contract is recorded once")
	assert.Equal(t, issued.PolicyID, reissued.PolicyID)

	var paid cabinet.RecordPaymentResponse
	a.ok(insurer("/payments", cabinet.RecordPaymentRequest{KIASContractID: "KD-API-1", PaymentRef: "PAY-API-1", Amount: "24500.00"}), &paid)
	assert.True(t, paid.Recorded)

	var reported cabinet.ReportClaimResponse
	a.ok(insurer("/claims", cabinet.ReportClaimRequest{Number: "VD-API-1", KIASContractID: "KD-API-1", Kind: "road_accident",
		Description: "Столкновение на парковке"}), &reported)
	assert.True(t, reported.Created)
	a.ok(insurer("/claims/VD-API-1/document-requests", map[string]any{
		"documents": []cabinet.DocumentRequest{{Kind: "police_report", Title: "Справка из полиции"}}}), nil)

	var claim cabinet.GetClaimResponse
	session := call{method: http.MethodGet, path: "/claims/" + reported.ClaimID}.as(c.Session)
	a.ok(insurer("/claims/VD-API-1/status", map[string]string{"status": "documents_requested"}), nil)
	a.ok(session, &claim)
	assert.Equal(t, "documents_requested", claim.Claim.Summary.Stage)
	require.Len(t, claim.Claim.Missing, 1)

	a.ok(insurer("/claims/VD-API-1/documents", map[string]string{"kind": "police_report", "blobRef": "kias://doc/1",
		"sha256": strings.Repeat("ab", 32)}), nil)
	for _, status := range []string{"documents_complete", "appraisal", "payout_decision"} {
		a.ok(insurer("/claims/VD-API-1/status", map[string]string{"status": status}), nil)
	}
	p := a.fails(insurer("/claims/VD-API-1/status", map[string]string{"status": "paid"}), http.StatusBadRequest, cabinet.CodeInvalidArgument)
	assert.Equal(t, "payout", p.Field)
	a.ok(insurer("/claims/VD-API-1/status", map[string]string{"status": "paid", "payout": "180000.00", "decisionRef": "RES-1"}), nil)

	var settled cabinet.ListClaimsResponse
	a.ok(call{method: http.MethodGet, path: "/claims?filter=settled"}.as(c.Session), &settled)
	require.Len(t, settled.Claims, 1)
	assert.Equal(t, cabinet.Money("180000.00"), settled.Claims[0].Payout)
	a.ok(session, &claim)
	assert.Equal(t, "paid", claim.Claim.Summary.Stage)
	assert.NotEmpty(t, claim.Claim.Timeline)
	assert.Empty(t, claim.Claim.Missing)

	var list cabinet.ListPoliciesResponse
	a.ok(call{method: http.MethodGet, path: "/policies?bucket=active"}.as(c.Session), &list)
	require.Len(t, list.Policies, 1)
	assert.Equal(t, "OGPO-API-1", list.Policies[0].Number)
}

func TestPayInstallmentAndRenewalDraft(t *testing.T) {
	a := newAPI(t)
	c := a.kit.Client(t)
	p := a.kit.Policy(t, c, cabinettest.PolicyOptions{Installments: 3})

	var pay cabinet.PayInstallmentResponse
	a.ok(call{method: http.MethodPost, path: "/policies/" + p.ID.String() + "/installment-payment"}.as(c.Session), &pay)
	assert.EqualValues(t, 1, pay.Installment.Number)
	assert.True(t, strings.HasPrefix(pay.PaymentURL, "https://pay.example.kz"), pay.PaymentURL)

	var draft cabinet.ProlongPolicyResponse
	a.ok(call{method: http.MethodPost, path: "/policies/" + p.ID.String() + "/renewal-draft"}.as(c.Session), &draft)
	assert.Equal(t, p.Number, draft.Draft.RenewsNumber)
	assert.NotNil(t, draft.Draft.Vehicle)
}
