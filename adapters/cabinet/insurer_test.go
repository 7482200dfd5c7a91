package cabinet_test

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kabinet/kabinet/adapters/cabinet"
)

// day is a date relative to today.
func day(days int) cabinet.Date {
	return cabinet.Date(time.Now().AddDate(0, 0, days).Format(time.DateOnly))
}

// issueRequest is a motor policy of a year from ten days ago, paid by card.
func issueRequest(holderIIN, contract, number string) cabinet.IssuePolicyRequest {
	kbm := func() *cabinet.KBMInput { return &cabinet.KBMInput{Class: "3", Coefficient: "0.90", AsOf: day(-10)} }
	return cabinet.IssuePolicyRequest{
		KIASContractID: contract, Number: number, Product: "ogpo_vts", Insurer: "АО «Страховая компания»",
		StartsOn: day(-10), EndsOn: day(354),
		Holder:  cabinet.PersonInput{Name: "Бекенов Тимур", IIN: holderIIN, KBM: kbm()},
		Drivers: []cabinet.PersonInput{{Name: "Бекенов Тимур", IIN: holderIIN, KBM: kbm()}},
		Vehicle: &cabinet.Vehicle{Make: "Hyundai", Model: "Tucson", Plate: "777KZA02", VIN: "KMHJ381ABCU123456", Year: 2021},
		Premium: "36000.00", PaymentMethod: "card",
	}
}

// byInstallments makes r a policy paid in three monthly installments.
func byInstallments(r cabinet.IssuePolicyRequest) cabinet.IssuePolicyRequest {
	r.PaymentMethod = "installments"
	r.Installments = []cabinet.InstallmentInput{
		{Number: 1, DueOn: day(-10), Amount: "12000.00"},
		{Number: 2, DueOn: day(20), Amount: "12000.00"},
		{Number: 3, DueOn: day(50), Amount: "12000.00"},
	}
	return r
}

func hash(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

func TestInsurerRecordsPoliciesAndPayments(t *testing.T) {
	t.Parallel()
	k := newKit(t)
	c := k.Client(t)
	own := session(k, c.Session.SessionToken)

	card := issueRequest(c.IIN.String(), "KD-INS-1", "OGPO-INS-1")
	first := call[cabinet.IssuePolicyResponse](t, k, "IssuePolicy", k.Insurer(), &card)
	assert.True(t, first.Created)
	assert.Equal(t, k.Deps.Policies.IDFor("KD-INS-1").String(), first.PolicyID)
	again := call[cabinet.IssuePolicyResponse](t, k, "IssuePolicy", k.Insurer(), &card)
	assert.Equal(t, cabinet.IssuePolicyResponse{PolicyID: first.PolicyID, Created: false}, *again)

	list := call[cabinet.ListPoliciesResponse](t, k, "ListPolicies", own, &cabinet.ListPoliciesRequest{})
	require.Len(t, list.Policies, 1, "the client sees the policy as soon as IssuePolicy answers")
	assert.Equal(t, "OGPO-INS-1", list.Policies[0].Number)
	assert.Equal(t, cabinet.Money("0.00"), list.Policies[0].Paid)

	pay := &cabinet.RecordPaymentRequest{KIASContractID: "KD-INS-1", PaymentRef: "PAY-INS-1", Amount: "36000.00"}
	paid := call[cabinet.RecordPaymentResponse](t, k, "RecordPayment", k.Insurer(), pay)
	assert.Equal(t, cabinet.RecordPaymentResponse{PolicyID: first.PolicyID, Recorded: true}, *paid)
	got := call[cabinet.GetPolicyResponse](t, k, "GetPolicy", own, &cabinet.GetPolicyRequest{PolicyID: first.PolicyID}).Policy
	assert.Equal(t, cabinet.Money("36000.00"), got.Summary.Paid)
	assert.Equal(t, cabinet.Money("0.00"), got.Outstanding)
	require.Len(t, got.Payments, 1)
	assert.Equal(t, "PAY-INS-1", got.Payments[0].Ref)
	paid = call[cabinet.RecordPaymentResponse](t, k, "RecordPayment", k.Insurer(), pay)
	assert.False(t, paid.Recorded, "the same payment is recorded once")

	inst := byInstallments(issueRequest(c.IIN.String(), "KD-INS-2", "OGPO-INS-2"))
	second := call[cabinet.IssuePolicyResponse](t, k, "IssuePolicy", k.Insurer(), &inst)
	part := &cabinet.RecordPaymentRequest{KIASContractID: "KD-INS-2", PaymentRef: "PAY-INS-2-1", Amount: "12000.00", Installment: 1,
		PaidAt: cabinet.DateTime(time.Now().Add(-time.Hour).Format(time.RFC3339))}
	assert.True(t, call[cabinet.RecordPaymentResponse](t, k, "RecordPayment", k.Insurer(), part).Recorded)
	assert.False(t, call[cabinet.RecordPaymentResponse](t, k, "RecordPayment", k.Insurer(), part).Recorded)
	got = call[cabinet.GetPolicyResponse](t, k, "GetPolicy", own, &cabinet.GetPolicyRequest{PolicyID: second.PolicyID}).Policy
	require.Len(t, got.Installments, 3)
	assert.True(t, got.Installments[0].Paid)
	assert.False(t, got.Installments[1].Paid)
	require.NotNil(t, got.Summary.NextInstallment)
	assert.Equal(t, int64(2), got.Summary.NextInstallment.Number)

	e := refused(t, k, "RecordPayment", k.Insurer(), &cabinet.RecordPaymentRequest{
		KIASContractID: "KD-INS-2", PaymentRef: "PAY-INS-2-3", Amount: "12000.00", Installment: 3})
	wantError(t, e, cabinet.CodeConflict, "installment")
	e = refused(t, k, "RecordPayment", k.Insurer(), &cabinet.RecordPaymentRequest{
		KIASContractID: "KD-INS-2", PaymentRef: "PAY-INS-2-X", Amount: "12000.00"})
	wantError(t, e, cabinet.CodeConflict, "installment")
}

func TestInsurerSettlesAClaim(t *testing.T) {
	t.Parallel()
	k := newKit(t)
	c, other := k.Client(t), k.Client(t)
	own := session(k, c.Session.SessionToken)
	issue := issueRequest(c.IIN.String(), "KD-CLM-1", "OGPO-CLM-1")
	policyID := call[cabinet.IssuePolicyResponse](t, k, "IssuePolicy", k.Insurer(), &issue).PolicyID

	report := &cabinet.ReportClaimRequest{Number: "VD-CLM-1", KIASContractID: "KD-CLM-1", Kind: "road_accident", Description: "ДТП на перекрёстке"}
	reported := call[cabinet.ReportClaimResponse](t, k, "ReportClaim", k.Insurer(), report)
	assert.True(t, reported.Created)
	claimID := reported.ClaimID
	assert.Equal(t, cabinet.ReportClaimResponse{ClaimID: claimID, Created: false}, *call[cabinet.ReportClaimResponse](t, k, "ReportClaim", k.Insurer(), report))

	claims := call[cabinet.ListClaimsResponse](t, k, "ListClaims", own, &cabinet.ListClaimsRequest{}).Claims
	require.Len(t, claims, 1, "the client sees the claim as soon as ReportClaim answers")
	assert.Equal(t, cabinet.ClaimSummary{
		ClaimID: claimID, Number: "VD-CLM-1", Kind: "road_accident", PolicyID: policyID, PolicyNumber: "OGPO-CLM-1",
		Status: "in_settlement", Stage: "reported", ReportedAt: claims[0].ReportedAt, LastChangeAt: claims[0].LastChangeAt,
	}, claims[0])

	call[cabinet.RequestClaimDocumentsResponse](t, k, "RequestClaimDocuments", k.Insurer(), &cabinet.RequestClaimDocumentsRequest{
		Number: "VD-CLM-1", Documents: []cabinet.DocumentRequest{{Kind: "id_card", Title: "Удостоверение личности"}, {Kind: "photos", Title: "Фото повреждений"}}})
	call[cabinet.ChangeClaimStatusResponse](t, k, "ChangeClaimStatus", k.Insurer(), &cabinet.ChangeClaimStatusRequest{Number: "VD-CLM-1", Status: "documents_requested"})
	call[cabinet.ReceiveClaimDocumentResponse](t, k, "ReceiveClaimDocument", k.Insurer(), &cabinet.ReceiveClaimDocumentRequest{
		Number: "VD-CLM-1", Kind: "id_card", BlobRef: "kias://docs/1", SHA256: hash("id card")})

	got := call[cabinet.GetClaimResponse](t, k, "GetClaim", own, &cabinet.GetClaimRequest{ClaimID: claimID}).Claim
	assert.Equal(t, "documents_requested", got.Summary.Stage)
	assert.Equal(t, int64(1), got.Summary.MissingCount)
	assert.Equal(t, "ДТП на перекрёстке", got.Description)
	require.Len(t, got.Missing, 1)
	assert.Equal(t, "photos", got.Missing[0].Kind)
	assert.Equal(t, "Фото повреждений", got.Missing[0].Title)
	require.Len(t, got.Received, 1)
	assert.Equal(t, "id_card", got.Received[0].Kind)
	assert.Equal(t, hash("id card"), got.Received[0].SHA256)
	assert.Equal(t, []string{"reported", "documents_requested", "status_changed", "document_received"}, timelineKinds(got))

	call[cabinet.ReceiveClaimDocumentResponse](t, k, "ReceiveClaimDocument", k.Insurer(), &cabinet.ReceiveClaimDocumentRequest{
		Number: "VD-CLM-1", Kind: "photos", BlobRef: "kias://docs/2", SHA256: hash("photos")})
	got = call[cabinet.GetClaimResponse](t, k, "GetClaim", own, &cabinet.GetClaimRequest{ClaimID: claimID}).Claim
	assert.Equal(t, "documents_complete", got.Summary.Stage, "the last document completes the set")
	assert.Empty(t, got.Missing)

	for _, status := range []string{"appraisal", "payout_decision"} {
		call[cabinet.ChangeClaimStatusResponse](t, k, "ChangeClaimStatus", k.Insurer(), &cabinet.ChangeClaimStatusRequest{Number: "VD-CLM-1", Status: status})
	}
	e := refused(t, k, "ChangeClaimStatus", k.Insurer(), &cabinet.ChangeClaimStatusRequest{Number: "VD-CLM-1", Status: "paid"})
	wantError(t, e, cabinet.CodeInvalidArgument, "payout")
	call[cabinet.ChangeClaimStatusResponse](t, k, "ChangeClaimStatus", k.Insurer(), &cabinet.ChangeClaimStatusRequest{
		Number: "VD-CLM-1", Status: "paid", Payout: "150000.00", DecisionRef: "РШ-17"})

	settled := call[cabinet.ListClaimsResponse](t, k, "ListClaims", own, &cabinet.ListClaimsRequest{Filter: "settled"}).Claims
	require.Len(t, settled, 1)
	assert.Equal(t, "settled", settled[0].Status)
	assert.Equal(t, "paid", settled[0].Stage)
	assert.Equal(t, cabinet.Money("150000.00"), settled[0].Payout)
	assert.NotEmpty(t, settled[0].ClosedAt)
	assert.Empty(t, call[cabinet.ListClaimsResponse](t, k, "ListClaims", own, &cabinet.ListClaimsRequest{Filter: "in_settlement"}).Claims)
	got = call[cabinet.GetClaimResponse](t, k, "GetClaim", own, &cabinet.GetClaimRequest{ClaimID: claimID}).Claim
	last := got.Timeline[len(got.Timeline)-1]
	assert.Equal(t, cabinet.ClaimEvent{At: last.At, Kind: "status_changed", From: "payout_decision", To: "paid", Payout: "150000.00",
		DecisionRef: "РШ-17", Documents: []cabinet.ClaimDocument{}}, last)

	e = refused(t, k, "ChangeClaimStatus", k.Insurer(), &cabinet.ChangeClaimStatusRequest{Number: "VD-CLM-1", Status: "appraisal"})
	wantError(t, e, cabinet.CodeConflict, "claimId")

	theirs := session(k, other.Session.SessionToken)
	assert.Empty(t, call[cabinet.ListClaimsResponse](t, k, "ListClaims", theirs, &cabinet.ListClaimsRequest{}).Claims)
	e = refused(t, k, "GetClaim", theirs, &cabinet.GetClaimRequest{ClaimID: claimID})
	wantError(t, e, cabinet.CodeNotFound, "claimId")
}

func timelineKinds(c cabinet.ClaimDetails) []string {
	var out []string
	for _, e := range c.Timeline {
		out = append(out, e.Kind)
	}
	return out
}

func TestInsurerRefusesBadInput(t *testing.T) {
	t.Parallel()
	k := newKit(t)
	c := k.Client(t)
	issue := issueRequest(c.IIN.String(), "KD-BAD-1", "OGPO-BAD-1")
	call[cabinet.IssuePolicyResponse](t, k, "IssuePolicy", k.Insurer(), &issue)
	call[cabinet.ReportClaimResponse](t, k, "ReportClaim", k.Insurer(), &cabinet.ReportClaimRequest{Number: "VD-BAD-1", KIASContractID: "KD-BAD-1", Kind: "theft"})
	call[cabinet.RequestClaimDocumentsResponse](t, k, "RequestClaimDocuments", k.Insurer(), &cabinet.RequestClaimDocumentsRequest{
		Number: "VD-BAD-1", Documents: []cabinet.DocumentRequest{{Kind: "police_report", Title: "Справка из полиции"}}})

	// Each case names its own contract: a contract recorded once answers
	// every later IssuePolicy of it as a repeat, without checking it again.
	var contracts []string
	policy := func(change func(r *cabinet.IssuePolicyRequest)) *cabinet.IssuePolicyRequest {
		n := fmt.Sprintf("KD-BAD-2-%d", len(contracts))
		contracts = append(contracts, n)
		r := byInstallments(issueRequest(c.IIN.String(), n, "OGPO-"+n))
		change(&r)
		return &r
	}
	for _, tc := range []struct {
		name  string
		op    string
		req   any
		code  cabinet.Code
		field string
	}{
		{"holder IIN with a wrong check digit", "IssuePolicy", policy(func(r *cabinet.IssuePolicyRequest) { r.Holder.IIN = "900115300004" }), cabinet.CodeInvalidArgument, "holder.iin"},
		{"holder without IIN", "IssuePolicy", policy(func(r *cabinet.IssuePolicyRequest) { r.Holder.IIN = "" }), cabinet.CodeInvalidArgument, "holder.iin"},
		{"holder without name", "IssuePolicy", policy(func(r *cabinet.IssuePolicyRequest) { r.Holder.Name = " " }), cabinet.CodeInvalidArgument, "holder.name"},
		{"installment amount", "IssuePolicy", policy(func(r *cabinet.IssuePolicyRequest) { r.Installments[1].Amount = "12000.005" }), cabinet.CodeInvalidArgument, "installments[1].amount"},
		{"installment date", "IssuePolicy", policy(func(r *cabinet.IssuePolicyRequest) { r.Installments[2].DueOn = "31.12.2026" }), cabinet.CodeInvalidArgument, "installments[2].dueOn"},
		{"installments not adding up", "IssuePolicy", policy(func(r *cabinet.IssuePolicyRequest) { r.Installments[2].Amount = "1.00" }), cabinet.CodeInvalidArgument, "installments"},
		{"driver's KBM", "IssuePolicy", policy(func(r *cabinet.IssuePolicyRequest) { r.Drivers[0].KBM.Coefficient = "-1" }), cabinet.CodeInvalidArgument, "drivers[0].kbm.coefficient"},
		{"start date", "IssuePolicy", policy(func(r *cabinet.IssuePolicyRequest) { r.StartsOn = "" }), cabinet.CodeInvalidArgument, "startsOn"},
		{"product", "IssuePolicy", policy(func(r *cabinet.IssuePolicyRequest) { r.Product = "car" }), cabinet.CodeInvalidArgument, "product"},
		{"payment method", "IssuePolicy", policy(func(r *cabinet.IssuePolicyRequest) { r.PaymentMethod = "barter" }), cabinet.CodeInvalidArgument, "paymentMethod"},
		{"premium", "IssuePolicy", policy(func(r *cabinet.IssuePolicyRequest) { r.Premium = "much" }), cabinet.CodeInvalidArgument, "premium"},
		{"no contract", "IssuePolicy", policy(func(r *cabinet.IssuePolicyRequest) { r.KIASContractID = "" }), cabinet.CodeInvalidArgument, "kiasContractId"},
		{"no insurer", "IssuePolicy", policy(func(r *cabinet.IssuePolicyRequest) { r.Insurer = "" }), cabinet.CodeInvalidArgument, "insurer"},
		{"end before start", "IssuePolicy", policy(func(r *cabinet.IssuePolicyRequest) { r.EndsOn = day(-20) }), cabinet.CodeInvalidArgument, "endsOn"},
		{"zero premium", "IssuePolicy", policy(func(r *cabinet.IssuePolicyRequest) { r.Premium = "0.00" }), cabinet.CodeInvalidArgument, "premium"},
		{"driver without IIN", "IssuePolicy", policy(func(r *cabinet.IssuePolicyRequest) { r.Drivers[0].IIN = "" }), cabinet.CodeInvalidArgument, "drivers[0].iin"},
		{"motor policy without drivers", "IssuePolicy", policy(func(r *cabinet.IssuePolicyRequest) { r.Drivers = nil }), cabinet.CodeInvalidArgument, "drivers"},
		{"motor policy without vehicle", "IssuePolicy", policy(func(r *cabinet.IssuePolicyRequest) { r.Vehicle = nil }), cabinet.CodeInvalidArgument, "vehicle"},
		{"vehicle without make", "IssuePolicy", policy(func(r *cabinet.IssuePolicyRequest) { r.Vehicle.Make = " " }), cabinet.CodeInvalidArgument, "vehicle.make"},

		{"payment of an unknown contract", "RecordPayment", &cabinet.RecordPaymentRequest{KIASContractID: "KD-NONE", PaymentRef: "P", Amount: "1.00"}, cabinet.CodeNotFound, "kiasContractId"},
		{"payment amount", "RecordPayment", &cabinet.RecordPaymentRequest{KIASContractID: "KD-BAD-1", PaymentRef: "P", Amount: "abc"}, cabinet.CodeInvalidArgument, "amount"},
		{"payment time", "RecordPayment", &cabinet.RecordPaymentRequest{KIASContractID: "KD-BAD-1", PaymentRef: "P", Amount: "1.00", PaidAt: "yesterday"}, cabinet.CodeInvalidArgument, "paidAt"},
		{"zero payment", "RecordPayment", &cabinet.RecordPaymentRequest{KIASContractID: "KD-BAD-1", PaymentRef: "P", Amount: "0.00"}, cabinet.CodeInvalidArgument, "amount"},
		{"payment without reference", "RecordPayment", &cabinet.RecordPaymentRequest{KIASContractID: "KD-BAD-1", Amount: "1.00"}, cabinet.CodeInvalidArgument, "paymentRef"},
		{"overpayment", "RecordPayment", &cabinet.RecordPaymentRequest{KIASContractID: "KD-BAD-1", PaymentRef: "P", Amount: "99999.00"}, cabinet.CodeInvalidArgument, "amount"},

		{"claim on an unknown contract", "ReportClaim", &cabinet.ReportClaimRequest{Number: "VD-BAD-2", KIASContractID: "KD-NONE", Kind: "theft"}, cabinet.CodeNotFound, "kiasContractId"},
		{"claim without kind", "ReportClaim", &cabinet.ReportClaimRequest{Number: "VD-BAD-2", KIASContractID: "KD-BAD-1"}, cabinet.CodeInvalidArgument, "kind"},
		{"claim reported in the future", "ReportClaim", &cabinet.ReportClaimRequest{Number: "VD-BAD-2", KIASContractID: "KD-BAD-1", Kind: "theft",
			ReportedAt: cabinet.DateTime(time.Now().Add(48 * time.Hour).Format(time.RFC3339))}, cabinet.CodeInvalidArgument, "reportedAt"},
		{"claim report time", "ReportClaim", &cabinet.ReportClaimRequest{Number: "VD-BAD-2", KIASContractID: "KD-BAD-1", Kind: "theft", ReportedAt: "2026-01-01"}, cabinet.CodeInvalidArgument, "reportedAt"},

		{"unknown status", "ChangeClaimStatus", &cabinet.ChangeClaimStatusRequest{Number: "VD-BAD-1", Status: "closed"}, cabinet.CodeInvalidArgument, "status"},
		{"status out of order", "ChangeClaimStatus", &cabinet.ChangeClaimStatusRequest{Number: "VD-BAD-1", Status: "paid", Payout: "1.00"}, cabinet.CodeConflict, "status"},
		{"status of an unknown claim", "ChangeClaimStatus", &cabinet.ChangeClaimStatusRequest{Number: "VD-NONE", Status: "appraisal"}, cabinet.CodeNotFound, "number"},

		{"no documents", "RequestClaimDocuments", &cabinet.RequestClaimDocumentsRequest{Number: "VD-BAD-1"}, cabinet.CodeInvalidArgument, "documents"},
		{"document without title", "RequestClaimDocuments", &cabinet.RequestClaimDocumentsRequest{Number: "VD-BAD-1", Documents: []cabinet.DocumentRequest{{Kind: "photos"}}}, cabinet.CodeInvalidArgument, "documents[0]"},

		{"document nobody asked for", "ReceiveClaimDocument", &cabinet.ReceiveClaimDocumentRequest{Number: "VD-BAD-1", Kind: "photos", BlobRef: "b", SHA256: hash("x")}, cabinet.CodeConflict, "document"},
		{"document hash", "ReceiveClaimDocument", &cabinet.ReceiveClaimDocumentRequest{Number: "VD-BAD-1", Kind: "police_report", BlobRef: "b", SHA256: "abc"}, cabinet.CodeInvalidArgument, "document"},
		{"document without blob", "ReceiveClaimDocument", &cabinet.ReceiveClaimDocumentRequest{Number: "VD-BAD-1", Kind: "police_report", SHA256: hash("x")}, cabinet.CodeInvalidArgument, "blobRef"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			wantError(t, refused(t, k, tc.op, k.Insurer(), tc.req), tc.code, tc.field)
		})
	}
	for _, n := range contracts {
		st, err := k.Deps.Policies.Load(t.Context(), k.Deps.Policies.IDFor(n))
		require.NoError(t, err)
		assert.False(t, st.Exists(), "a refused contract %s was recorded", n)
	}
}
