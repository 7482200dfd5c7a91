package policy

import (
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kabinet/kabinet/domain/kz"
	"github.com/kabinet/kabinet/domain/money"
)

func TestDecideIssuePolicy(t *testing.T) {
	with := func(f func(*IssuePolicy)) IssuePolicy { c := issueCmd(); f(&c); return c }
	renewal := issued()
	renewal.RenewedFrom = oldPolicyID
	unlimited := issued()
	unlimited.Drivers, unlimited.UnlimitedDrivers = nil, true
	travel := issued()
	travel.Product, travel.Drivers, travel.Vehicle = ProductTravel, nil, Vehicle{}
	travel.InsuredPersons = []Person{{Name: "Ахметов Ерлан", IIN: holderIIN}, {Name: "John Smith"}}
	badSchedule := func(f func([]Installment) []Installment) IssuePolicy {
		c := installmentsCmd()
		c.Installments = f(c.Installments)
		return c
	}
	runDecide(t, []decideCase{
		{name: "issues a motor policy", when: issueCmd(), want: []Event{issued()}},
		{name: "issues with installments", when: installmentsCmd(), want: []Event{installmentsIssued()}},
		{name: "renewal links the old policy", when: with(func(c *IssuePolicy) { c.RenewedFrom = oldPolicyID }), want: []Event{renewal}},
		{name: "ogpo with any driver", when: with(func(c *IssuePolicy) { c.Drivers, c.UnlimitedDrivers = nil, true }), want: []Event{unlimited}},
		{name: "travel without vehicle, insured foreigner without IIN", when: with(func(c *IssuePolicy) {
			c.Product, c.Drivers, c.Vehicle = ProductTravel, nil, Vehicle{}
			c.InsuredPersons = []Person{{Name: " Ахметов Ерлан ", IIN: holderIIN}, {Name: "John Smith"}}
		}), want: []Event{travel}},
		{name: "twice", given: []Event{issued()}, when: issueCmd(), wantErr: ErrPolicyExists},
		{name: "without id", when: with(func(c *IssuePolicy) { c.PolicyID = uuid.Nil }), wantErr: ErrInvalidPolicy},
		{name: "unknown product", when: with(func(c *IssuePolicy) { c.Product = "life" }), wantErr: ErrInvalidPolicy},
		{name: "without number", when: with(func(c *IssuePolicy) { c.Number = " " }), wantErr: ErrInvalidPolicy},
		{name: "without KIAS contract", when: with(func(c *IssuePolicy) { c.KIASContractID = "" }), wantErr: ErrInvalidPolicy},
		{name: "without insurer", when: with(func(c *IssuePolicy) { c.Insurer = "" }), wantErr: ErrInvalidPolicy},
		{name: "without start", when: with(func(c *IssuePolicy) { c.StartsOn = Date{} }), wantErr: ErrInvalidPolicy},
		{name: "impossible end", when: with(func(c *IssuePolicy) { c.EndsOn = Date{2026, 2, 30} }), wantErr: ErrInvalidPolicy},
		{name: "ends on start", when: with(func(c *IssuePolicy) { c.EndsOn = c.StartsOn }), wantErr: ErrInvalidPolicy},
		{name: "ends before start", when: with(func(c *IssuePolicy) { c.EndsOn = c.StartsOn.AddDays(-1) }), wantErr: ErrInvalidPolicy},
		{name: "without holder", when: with(func(c *IssuePolicy) { c.Holder = Holder{} }), wantErr: ErrInvalidPolicy},
		{name: "holder without IIN", when: with(func(c *IssuePolicy) { c.Holder.IIN = kz.IIN{} }), wantErr: ErrInvalidPolicy},
		{name: "zero premium", when: with(func(c *IssuePolicy) { c.Premium = money.Zero }), wantErr: ErrInvalidPolicy},
		{name: "negative premium", when: with(func(c *IssuePolicy) { c.Premium = money.MustParse("-1") }), wantErr: ErrInvalidPolicy},
		{name: "unknown payment method", when: with(func(c *IssuePolicy) { c.PaymentMethod = "barter" }), wantErr: ErrInvalidPolicy},
		{name: "renews itself", when: with(func(c *IssuePolicy) { c.RenewedFrom = c.PolicyID }), wantErr: ErrInvalidPolicy},
		{name: "ogpo without drivers", when: with(func(c *IssuePolicy) { c.Drivers = nil }), wantErr: ErrInvalidPolicy},
		{name: "any driver and a list", when: with(func(c *IssuePolicy) { c.UnlimitedDrivers = true }), wantErr: ErrInvalidPolicy},
		{name: "any driver on travel", when: with(func(c *IssuePolicy) {
			c.Product, c.Drivers, c.Vehicle, c.UnlimitedDrivers = ProductTravel, nil, Vehicle{}, true
		}), wantErr: ErrInvalidPolicy},
		{name: "motor without vehicle", when: with(func(c *IssuePolicy) { c.Vehicle = Vehicle{} }), wantErr: ErrInvalidPolicy},
		{name: "vehicle without model", when: with(func(c *IssuePolicy) { c.Vehicle.Model = "" }), wantErr: ErrInvalidPolicy},
		{name: "vehicle from the future", when: with(func(c *IssuePolicy) { c.Vehicle.Year = 2027 }), wantErr: ErrInvalidPolicy},
		{name: "driver without IIN", when: with(func(c *IssuePolicy) { c.Drivers[0].IIN = kz.IIN{} }), wantErr: ErrInvalidPolicy},
		{name: "driver without name", when: with(func(c *IssuePolicy) { c.Drivers[0].Name = "" }), wantErr: ErrInvalidPolicy},
		{name: "driver listed twice", when: with(func(c *IssuePolicy) { c.Drivers = append(c.Drivers, c.Drivers[0]) }), wantErr: ErrInvalidPolicy},
		{name: "KBM without coefficient", when: with(func(c *IssuePolicy) { c.Drivers[0].KBM.Coefficient = decimal.Zero }), wantErr: ErrInvalidPolicy},
		{name: "KBM without as-of date", when: with(func(c *IssuePolicy) { c.Holder.KBM.AsOf = Date{} }), wantErr: ErrInvalidPolicy},
		{name: "KBM without class", when: with(func(c *IssuePolicy) { c.Drivers[0].KBM.Class = "" }), wantErr: ErrInvalidPolicy},
		{name: "schedule on a card payment", when: with(func(c *IssuePolicy) { c.Installments = schedule }), wantErr: ErrInvalidSchedule},
		{name: "installments without schedule", when: badSchedule(func([]Installment) []Installment { return nil }), wantErr: ErrInvalidSchedule},
		{name: "a single installment", when: badSchedule(func(s []Installment) []Installment {
			return []Installment{{Number: 1, DueOn: s[0].DueOn, Amount: money.MustParse("120000.50")}}
		}), wantErr: ErrInvalidSchedule},
		{name: "installments do not add up", when: badSchedule(func(s []Installment) []Installment {
			s[2].Amount = money.MustParse("40000")
			return s
		}), wantErr: ErrInvalidSchedule},
		{name: "installments numbered from 0", when: badSchedule(func(s []Installment) []Installment {
			for i := range s {
				s[i].Number = i
			}
			return s
		}), wantErr: ErrInvalidSchedule},
		{name: "due dates out of order", when: badSchedule(func(s []Installment) []Installment {
			s[1].DueOn = s[0].DueOn
			return s
		}), wantErr: ErrInvalidSchedule},
		{name: "zero installment", when: badSchedule(func(s []Installment) []Installment {
			s[1].Amount, s[2].Amount = money.Zero, money.MustParse("80000.50")
			return s
		}), wantErr: ErrInvalidSchedule},
	})
}

// The event must not share memory with the command: a caller reusing its
// slices must not rewrite history.
func TestIssueCopiesSlices(t *testing.T) {
	c := installmentsCmd()
	events, err := Decide(State{}, c, now)
	require.NoError(t, err)
	c.Installments[0].Amount = money.MustParse("1")
	assert.Equal(t, installmentsIssued(), events[0])
}

func TestDecideNotFound(t *testing.T) {
	runDecide(t, []decideCase{
		{name: "payment", when: RecordPayment{PaymentRef: "p1", Amount: money.MustParse("1")}, wantErr: ErrPolicyNotFound},
		{name: "installment", when: PayInstallment{Number: 1, PaymentRef: "p1", Amount: money.MustParse("1")}, wantErr: ErrPolicyNotFound},
		{name: "prolong", when: ProlongPolicy{NewPolicyID: newPolicyID}, wantErr: ErrPolicyNotFound},
		{name: "cancel", when: CancelPolicy{Reason: "x", EffectiveOn: MustParseDate("2025-04-01")}, wantErr: ErrPolicyNotFound},
		{name: "document", when: AttachDocument{Kind: DocumentPolicyPDF, BlobRef: "b", SHA256: hashA}, wantErr: ErrPolicyNotFound},
	})
}

func TestDecideRecordPayment(t *testing.T) {
	pay := func(ref, amount string) RecordPayment {
		return RecordPayment{PaymentRef: ref, Amount: money.MustParse(amount)}
	}
	earlier := received("p1", "45000")
	earlier.PaidAt = paidEarlier
	runDecide(t, []decideCase{
		{name: "pays in full", given: []Event{issued()}, when: pay("p1", "45000"), want: []Event{received("p1", "45000")}},
		{name: "paid at is kept", given: []Event{issued()},
			when: RecordPayment{PaymentRef: "p1", Amount: money.MustParse("45000"), PaidAt: paidEarlier}, want: []Event{earlier}},
		{name: "pays in parts", given: []Event{issued(), received("p1", "20000")}, when: pay("p2", "25000"), want: []Event{received("p2", "25000")}},
		{name: "same reference and amount is a no-op", given: []Event{issued(), received("p1", "20000")}, when: pay("p1", "20000")},
		{name: "same reference, other amount", given: []Event{issued(), received("p1", "20000")}, when: pay("p1", "20001"), wantErr: ErrAmountMismatch},
		{name: "more than the premium", given: []Event{issued()}, when: pay("p1", "45000.01"), wantErr: ErrOverpayment},
		{name: "more than what is left", given: []Event{issued(), received("p1", "20000")}, when: pay("p2", "25000.01"), wantErr: ErrOverpayment},
		{name: "zero", given: []Event{issued()}, when: pay("p1", "0"), wantErr: ErrInvalidPayment},
		{name: "without reference", given: []Event{issued()}, when: pay(" ", "1"), wantErr: ErrInvalidPayment},
		{name: "installment policy", given: []Event{installmentsIssued()}, when: pay("p1", "40000"), wantErr: ErrPaidByInstallments},
		{name: "cancelled", given: []Event{issued(), Cancelled{Reason: "x", EffectiveOn: MustParseDate("2025-04-01")}},
			when: pay("p1", "1"), wantErr: ErrPolicyCancelled},
	})
}

func TestDecidePayInstallment(t *testing.T) {
	pay := func(n int, ref, amount string) PayInstallment {
		return PayInstallment{Number: n, PaymentRef: ref, Amount: money.MustParse(amount)}
	}
	first := []Event{installmentsIssued(), received("p1", "40000"), instPaid(1, "p1", "40000")}
	runDecide(t, []decideCase{
		{name: "pays the first", given: []Event{installmentsIssued()}, when: pay(1, "p1", "40000"),
			want: []Event{received("p1", "40000"), instPaid(1, "p1", "40000")}},
		{name: "pays the next", given: first, when: pay(2, "p2", "40000"),
			want: []Event{received("p2", "40000"), instPaid(2, "p2", "40000")}},
		{name: "twice", given: first, when: pay(1, "p9", "40000"), wantErr: ErrInstallmentAlreadyPaid},
		// Regression: the payment provider reporting a payment KIAS's feed had
		// recorded was refused, and the provider was told the report was bad.
		{name: "the same payment reported again is a no-op", given: first, when: pay(1, "p1", "40000")},
		{name: "twice with the same reference but another amount", given: first, when: pay(1, "p1", "40000.01"), wantErr: ErrInstallmentAlreadyPaid},
		{name: "out of order", given: first, when: pay(3, "p3", "40000.50"), wantErr: ErrInstallmentOutOfOrder},
		{name: "unknown number", given: first, when: pay(4, "p4", "1"), wantErr: ErrInstallmentNotFound},
		{name: "less than due", given: first, when: pay(2, "p2", "39999.99"), wantErr: ErrAmountMismatch},
		{name: "more than due", given: first, when: pay(2, "p2", "40000.01"), wantErr: ErrAmountMismatch},
		{name: "reference already used", given: first, when: pay(2, "p1", "40000"), wantErr: ErrDuplicatePayment},
		{name: "without reference", given: first, when: pay(2, "", "40000"), wantErr: ErrInvalidPayment},
		{name: "policy without schedule", given: []Event{issued()}, when: pay(1, "p1", "45000"), wantErr: ErrInstallmentNotFound},
		{name: "cancelled", given: append(first, Cancelled{Reason: "x", EffectiveOn: MustParseDate("2025-04-01")}),
			when: pay(2, "p2", "40000"), wantErr: ErrPolicyCancelled},
		// Recorded under older rules: a history that already holds more than the
		// premium must not take more.
		{name: "guards the premium even against odd history", given: []Event{installmentsIssued(), received("x", "120000.50")},
			when: pay(1, "p1", "40000"), wantErr: ErrOverpayment},
	})
}

func TestDecideProlongCancelAttach(t *testing.T) {
	cancelled := Cancelled{Reason: "sold the car", EffectiveOn: MustParseDate("2025-06-15"), CancelledAt: now}
	attached := DocumentAttached{Kind: DocumentPolicyPDF, BlobRef: "blob/p1", SHA256: hashA, AttachedAt: now}
	runDecide(t, []decideCase{
		{name: "prolongs", given: []Event{issued()}, when: ProlongPolicy{NewPolicyID: newPolicyID},
			want: []Event{Prolonged{NewPolicyID: newPolicyID, ProlongedAt: now}}},
		{name: "prolong again to the same policy is a no-op", given: []Event{issued(), Prolonged{NewPolicyID: newPolicyID}},
			when: ProlongPolicy{NewPolicyID: newPolicyID}},
		{name: "prolong to another policy", given: []Event{issued(), Prolonged{NewPolicyID: newPolicyID}},
			when: ProlongPolicy{NewPolicyID: oldPolicyID}, wantErr: ErrAlreadyProlonged},
		{name: "prolong cancelled", given: []Event{issued(), cancelled}, when: ProlongPolicy{NewPolicyID: newPolicyID}, wantErr: ErrPolicyCancelled},
		{name: "prolong without new id", given: []Event{issued()}, when: ProlongPolicy{}, wantErr: ErrInvalidProlongation},
		{name: "prolong into itself", given: []Event{issued()}, when: ProlongPolicy{NewPolicyID: policyID}, wantErr: ErrInvalidProlongation},
		{name: "cancels", given: []Event{issued()}, when: CancelPolicy{Reason: " sold the car ", EffectiveOn: MustParseDate("2025-06-15")},
			want: []Event{cancelled}},
		{name: "cancel on the last day", given: []Event{issued()}, when: CancelPolicy{Reason: "r", EffectiveOn: MustParseDate("2026-02-28")},
			want: []Event{Cancelled{Reason: "r", EffectiveOn: MustParseDate("2026-02-28"), CancelledAt: now}}},
		{name: "cancel twice", given: []Event{issued(), cancelled}, when: CancelPolicy{Reason: "r", EffectiveOn: MustParseDate("2025-07-01")}, wantErr: ErrPolicyCancelled},
		{name: "cancel without reason", given: []Event{issued()}, when: CancelPolicy{EffectiveOn: MustParseDate("2025-06-15")}, wantErr: ErrInvalidCancellation},
		{name: "cancel without date", given: []Event{issued()}, when: CancelPolicy{Reason: "r"}, wantErr: ErrInvalidCancellation},
		{name: "cancel after the term", given: []Event{issued()}, when: CancelPolicy{Reason: "r", EffectiveOn: MustParseDate("2026-03-01")}, wantErr: ErrInvalidCancellation},
		{name: "attaches", given: []Event{issued()}, when: AttachDocument{Kind: DocumentPolicyPDF, BlobRef: "blob/p1", SHA256: hashA},
			want: []Event{attached}},
		{name: "attaches after cancellation", given: []Event{issued(), cancelled},
			when: AttachDocument{Kind: DocumentPolicyPDF, BlobRef: "blob/p1", SHA256: hashA}, want: []Event{attached}},
		{name: "same document again is a no-op", given: []Event{issued(), attached},
			when: AttachDocument{Kind: DocumentPolicyPDF, BlobRef: "blob/other", SHA256: hashA}},
		{name: "new version of a kind", given: []Event{issued(), attached},
			when: AttachDocument{Kind: DocumentPolicyPDF, BlobRef: "blob/p2", SHA256: hashB},
			want: []Event{DocumentAttached{Kind: DocumentPolicyPDF, BlobRef: "blob/p2", SHA256: hashB, AttachedAt: now}}},
		{name: "bad hash", given: []Event{issued()}, when: AttachDocument{Kind: DocumentPolicyPDF, BlobRef: "b", SHA256: "zz"}, wantErr: ErrInvalidDocument},
		{name: "without blob", given: []Event{issued()}, when: AttachDocument{Kind: DocumentPolicyPDF, SHA256: hashA}, wantErr: ErrInvalidDocument},
		{name: "without kind", given: []Event{issued()}, when: AttachDocument{BlobRef: "b", SHA256: hashA}, wantErr: ErrInvalidDocument},
	})
}

// Refusals must not carry personal data: they end up in logs.
func TestErrorsCarryNoPersonalData(t *testing.T) {
	cmds := []IssuePolicy{issueCmd(), issueCmd(), issueCmd()}
	cmds[0].Drivers = append(cmds[0].Drivers, cmds[0].Drivers[0])
	cmds[1].Drivers[0].KBM.AsOf = Date{}
	cmds[2].Drivers[0].Name = ""
	for _, c := range cmds {
		_, err := Decide(State{}, c, now)
		require.Error(t, err)
		for _, secret := range []string{driverIIN.String(), holderIIN.String(), "Ахмет"} {
			assert.NotContains(t, err.Error(), secret)
		}
	}
}

func TestDecideNormalisesNow(t *testing.T) {
	local := time.Date(2025, 3, 1, 15, 0, 0, 999999999, time.FixedZone("UTC+5", 5*3600))
	got, err := Decide(fold(issued()), ProlongPolicy{NewPolicyID: newPolicyID}, local)
	require.NoError(t, err)
	require.Len(t, got, 1)
	assert.Equal(t, time.Date(2025, 3, 1, 10, 0, 0, 999999000, time.UTC), got[0].(Prolonged).ProlongedAt)
}

func TestDecideRefundPayment(t *testing.T) {
	refund := func(pay, ref, amount string) RefundPayment {
		return RefundPayment{PaymentRef: pay, RefundRef: ref, Amount: money.MustParse(amount)}
	}
	refunded := func(pay, ref, amount string) PaymentRefunded {
		return PaymentRefunded{PaymentRef: pay, RefundRef: ref, Amount: money.MustParse(amount), RefundedAt: now}
	}
	paid := []Event{issued(), received("p1", "45000")}
	cancelled := Cancelled{Reason: "sold the car", EffectiveOn: MustParseDate("2025-06-15"), CancelledAt: now}
	runDecide(t, []decideCase{
		{name: "refunds part", given: paid, when: refund("p1", "r1", "10000"), want: []Event{refunded("p1", "r1", "10000")}},
		{name: "refunds on a cancelled policy", given: append(paid, cancelled), when: refund("p1", "r1", "45000"),
			want: []Event{refunded("p1", "r1", "45000")}},
		{name: "the same refund again is a no-op", given: append(paid, refunded("p1", "r1", "10000")), when: refund("p1", "r1", "10000")},
		{name: "a second refund of the rest", given: append(paid, refunded("p1", "r1", "10000")), when: refund("p1", "r2", "35000"),
			want: []Event{refunded("p1", "r2", "35000")}},
		{name: "more than is left", given: append(paid, refunded("p1", "r1", "10000")), when: refund("p1", "r2", "35000.01"),
			wantErr: ErrOverRefund},
		{name: "unknown payment", given: paid, when: refund("p9", "r1", "1"), wantErr: ErrPaymentNotFound},
		{name: "zero", given: paid, when: refund("p1", "r1", "0"), wantErr: ErrInvalidPayment},
		{name: "without refund reference", given: paid, when: refund("p1", " ", "1"), wantErr: ErrInvalidPayment},
		{name: "a refund reference is unique per policy", given: append([]Event{issued(), received("p1", "20000"), received("p2", "25000")},
			refunded("p1", "r1", "100")), when: refund("p2", "r1", "100"), wantErr: ErrAmountMismatch},
		{name: "the same refund with another amount", given: append(paid, refunded("p1", "r1", "100")), when: refund("p1", "r1", "200"),
			wantErr: ErrAmountMismatch},
		{name: "an installment is paid back only after a cancellation", given: []Event{installmentsIssued(), received("p1", "40000"), instPaid(1, "p1", "40000")},
			when: refund("p1", "r1", "40000"), wantErr: ErrInvalidPayment},
		{name: "an installment of a cancelled policy is paid back", given: []Event{installmentsIssued(), received("p1", "40000"), instPaid(1, "p1", "40000"), cancelled},
			when: refund("p1", "r1", "40000"), want: []Event{refunded("p1", "r1", "40000")}},
	})
	s := fold(append(paid, refunded("p1", "r1", "10000"))...)
	if got := s.Paid(); !got.Equal(money.MustParse("35000")) {
		t.Errorf("paid after a refund of 10000 out of 45000: got %s, want 35000", got)
	}
}
