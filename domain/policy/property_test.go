package policy

import (
	"fmt"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"pgregory.net/rapid"

	"github.com/kabinet/kabinet/domain/money"
)

func genIssue(t *rapid.T) IssuePolicy {
	c := issueCmd()
	if !rapid.Bool().Draw(t, "by installments") {
		c.Premium = money.FromTiyn(rapid.Int64Range(1, 50_000_00).Draw(t, "premium"))
		return c
	}
	c.PaymentMethod = PaymentInstallments
	n := rapid.IntRange(2, 4).Draw(t, "installments")
	c.Premium = money.Zero
	c.Installments = nil
	for i := 1; i <= n; i++ {
		amount := money.FromTiyn(rapid.Int64Range(1, 20_000_00).Draw(t, "installment amount"))
		c.Installments = append(c.Installments, Installment{Number: i, DueOn: c.StartsOn.AddDays(30 * (i - 1)), Amount: amount})
		c.Premium = c.Premium.Add(amount)
	}
	return c
}

// genCommand draws mostly commands that fit the state, so that schedules get
// paid in full, and some that do not (wrong amounts, repeated references).
func genCommand(t *rapid.T, s State) Command {
	ref := fmt.Sprintf("pay-%d", rapid.IntRange(1, 8).Draw(t, "ref"))
	switch rapid.IntRange(0, 12).Draw(t, "command") {
	case 0:
		return genIssue(t)
	case 1, 2, 3:
		amount := money.FromTiyn(rapid.Int64Range(-100, 20_000_00).Draw(t, "amount"))
		if rapid.Bool().Draw(t, "pay the rest") {
			amount = s.Outstanding()
		}
		return RecordPayment{PaymentRef: ref, Amount: amount}
	case 4, 5, 6, 7:
		n := rapid.IntRange(0, 5).Draw(t, "number")
		var amount money.KZT
		if next, ok := s.NextInstallment(); ok && rapid.IntRange(0, 3).Draw(t, "fit") > 0 {
			n, amount = next.Number, next.Amount
		} else {
			amount = money.FromTiyn(rapid.Int64Range(1, 20_000_00).Draw(t, "amount"))
		}
		return PayInstallment{Number: n, PaymentRef: ref, Amount: amount}
	case 8:
		return ProlongPolicy{NewPolicyID: rapid.SampledFrom([]uuid.UUID{newPolicyID, oldPolicyID}).Draw(t, "new policy")}
	case 10:
		return RefundPayment{PaymentRef: ref, RefundRef: fmt.Sprintf("refund-%d", rapid.IntRange(1, 4).Draw(t, "refund")),
			Amount: money.FromTiyn(rapid.Int64Range(1, 20_000_00).Draw(t, "refund amount"))}
	case 9:
		return CancelPolicy{Reason: "r", EffectiveOn: MustParseDate("2025-03-01").AddDays(rapid.IntRange(0, 400).Draw(t, "day"))}
	default:
		return AttachDocument{Kind: DocumentReceipt, BlobRef: "b", SHA256: rapid.SampledFrom([]string{hashA, hashB}).Draw(t, "hash")}
	}
}

// Random command sequences: no installment is paid twice, payments never
// exceed the premium, an installment payment is always money received, a
// cancelled policy takes only documents and refunds, no payment is paid back
// beyond its amount, and replaying what was decided
// (through the codec) gives the state that was built step by step.
func TestPropertyPolicy(t *testing.T) {
	rapid.Check(t, func(rt *rapid.T) {
		var (
			s   State
			log []Event
			at  = now
		)
		if rapid.IntRange(0, 9).Draw(rt, "issue first") > 0 {
			events, err := Decide(s, genIssue(rt), at)
			require.NoError(rt, err)
			s = Evolve(s, events[0])
			log = append(log, events...)
		}
		paidNumbers := map[int]bool{}
		steps := rapid.IntRange(1, 40).Draw(rt, "steps")
		for range steps {
			at = at.Add(time.Duration(rapid.IntRange(1, 86400).Draw(rt, "seconds")) * time.Second)
			cmd := genCommand(rt, s)
			events, err := Decide(s, cmd, at)
			if err != nil {
				require.Empty(rt, events)
				continue
			}
			wasCancelled := s.Cancelled
			for i, e := range events {
				if wasCancelled {
					switch e.(type) {
					case DocumentAttached, PaymentRefunded:
					default:
						rt.Fatalf("a cancelled policy took %T", e)
					}
				}
				if ip, ok := e.(InstallmentPaid); ok {
					require.False(rt, paidNumbers[ip.Number], "installment %d paid twice", ip.Number)
					paidNumbers[ip.Number] = true
					require.Positive(rt, i)
					pr, ok := events[i-1].(PaymentReceived)
					require.True(rt, ok, "installment %d paid without money received", ip.Number)
					require.Equal(rt, pr.PaymentRef, ip.PaymentRef)
					require.True(rt, pr.Amount.Equal(ip.Amount))
				}
				s = Evolve(s, e)
			}
			log = append(log, events...)
			require.False(rt, s.Premium.LessThan(s.Paid()), "paid %s exceeds premium %s", s.Paid(), s.Premium)
			require.False(rt, s.Paid().IsNegative())
		}
		sum := money.Zero
		var replayed State
		for _, e := range log {
			switch e := e.(type) {
			case PaymentReceived:
				sum = sum.Add(e.Amount)
			case PaymentRefunded:
				sum = sum.Sub(e.Amount)
			}
			typ, data, err := EncodeEvent(e)
			require.NoError(rt, err)
			back, err := DecodeEvent(typ, SchemaVersion, data)
			require.NoError(rt, err)
			replayed = Evolve(replayed, back)
		}
		assert.Equal(rt, s, replayed)
		assert.True(rt, sum.Equal(s.Paid()), "paid %s, payments less refunds add up to %s", s.Paid(), sum)
		for _, p := range s.Payments() {
			assert.False(rt, p.Amount.LessThan(p.Refunded), "payment %s of %s paid back %s", p.Ref, p.Amount, p.Refunded)
		}
		for _, i := range s.Schedule() {
			assert.Equal(rt, paidNumbers[i.Number], i.Paid(), "installment %d", i.Number)
		}
	})
}
