package cabinet_test

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/kabinet/kabinet/adapters/cabinet"
	"github.com/kabinet/kabinet/adapters/cabinet/cabinettest"
)

func TestRefundPayment(t *testing.T) {
	k := newKit(t)
	c := k.Client(t)
	p := k.Policy(t, c, cabinettest.PolicyOptions{}) // paid in full: 36000.00 as "PAY-<number>"
	refund := func(ref, amount string) *cabinet.RefundPaymentRequest {
		return &cabinet.RefundPaymentRequest{KIASContractID: p.KIASContractID, PaymentRef: "PAY-" + p.Number, RefundRef: ref, Amount: cabinet.Money(amount)}
	}

	got := call[cabinet.RefundPaymentResponse](t, k, "RefundPayment", k.Insurer(), refund("R-1", "6000.00"))
	assert.True(t, got.Recorded)
	again := call[cabinet.RefundPaymentResponse](t, k, "RefundPayment", k.Insurer(), refund("R-1", "6000.00"))
	assert.False(t, again.Recorded, "the same refund reported again records nothing")

	// Read-your-writes: the client sees the lower paid amount at once.
	pol := call[cabinet.GetPolicyResponse](t, k, "GetPolicy", c.Session, &cabinet.GetPolicyRequest{PolicyID: p.ID.String()}).Policy
	assert.Equal(t, cabinet.Money("30000.00"), pol.Summary.Paid)

	wantError(t, refused(t, k, "RefundPayment", k.Insurer(), refund("R-2", "30000.01")), cabinet.CodeInvalidArgument, "amount")
	unknown := refund("R-3", "1.00")
	unknown.PaymentRef = "PAY-NONE"
	wantError(t, refused(t, k, "RefundPayment", k.Insurer(), unknown), cabinet.CodeNotFound, "paymentRef")
	wantError(t, refused(t, k, "RefundPayment", k.Insurer(), refund("", "1.00")), cabinet.CodeInvalidArgument, "refundRef")
	wantError(t, refused(t, k, "RefundPayment", c.Session, refund("R-4", "1.00")), cabinet.CodeForbidden, "")
}
