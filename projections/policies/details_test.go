package policies_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kabinet/kabinet/domain/money"
	"github.com/kabinet/kabinet/domain/policy"
	"github.com/kabinet/kabinet/projections/policies"
)

func TestGetDetails(t *testing.T) {
	ctx := context.Background()
	eachKit(t, func(t *testing.T, k *kit) {
		holder, stranger := uuid.New(), uuid.New()
		kbm := func(class, coef, asOf string) policy.KBM {
			return policy.KBM{Class: class, Coefficient: decimal.RequireFromString(coef), AsOf: policy.MustParseDate(asOf)}
		}

		oldCmd := motor("D-OLD", holder, "2025-03-20", "2026-03-19")
		old := k.issue(t, oldCmd)
		k.done(k.policies.RecordPayment(ctx, uuid.New(), old, policy.RecordPayment{PaymentRef: "KASPI-77", Amount: money.MustParse("45000")}))
		k.catchUp(t)

		cmd := installments("D-NEW", holder, "2026-03-20", "2027-03-19", "2026-02-20", "2026-03-01", "2026-06-20")
		cmd.Product = policy.ProductOGPOVTS
		cmd.Holder.KBM = kbm("3", "0.90", "2026-02-01")
		cmd.Drivers = []policy.Person{
			{Name: "Ахметова Айгерим", IIN: driverIIN, KBM: kbm("M", "2.45", "2026-02-01")},
			{Name: "Ахметов Ерлан", IIN: holderIIN},
		}
		cmd.Vehicle = policy.Vehicle{Make: "Hyundai", Model: "Tucson", Plate: "777 aaa 02", VIN: "kmhj381abju123456", Year: 2021}
		cmd.RenewedFrom = old
		renewal := k.issue(t, cmd)
		k.done(k.policies.ProlongPolicy(ctx, uuid.New(), holder, old, renewal))
		k.at = commandTime.Add(time.Hour)
		k.pay(t, holder, renewal, 1, "PAY-1")
		k.done(k.policies.AttachDocument(ctx, uuid.New(), renewal, policy.AttachDocument{
			Kind: policy.DocumentPolicyPDF, BlobRef: "blob/renewal.pdf", SHA256: strings.Repeat("ab", 32)}))
		k.done(k.policies.CancelPolicy(ctx, uuid.New(), old, policy.CancelPolicy{Reason: "renewed early", EffectiveOn: policy.MustParseDate("2026-03-15")}))
		k.catchUp(t)

		t.Run("the renewal, with everything the screen lists", func(t *testing.T) {
			d, err := policies.Get(ctx, k.db, holder, renewal, now)
			require.NoError(t, err)
			paidAt := commandTime.Add(time.Hour)
			assert.Equal(t, normalise(policies.Details{
				Summary: policies.Summary{
					PolicyID: renewal, Number: "OGPO D-NEW", Product: policy.ProductOGPOVTS, Insurer: "АО «СК Пример»",
					StartsOn: policy.MustParseDate("2026-03-20"), EndsOn: policy.MustParseDate("2027-03-19"),
					LastDay: policy.MustParseDate("2027-03-19"), Premium: money.MustParse("30000"), Paid: money.MustParse("10000"),
					PaymentMethod: policy.PaymentInstallments,
					Vehicle:       policy.Vehicle{Make: "Hyundai", Model: "Tucson", Plate: "777AAA02", VIN: "KMHJ381ABJU123456", Year: 2021},
					Standing:      policies.Upcoming, Bucket: policies.Active,
					Next: &policies.NextInstallment{Number: 2, DueOn: policy.MustParseDate("2026-03-01"), Amount: money.MustParse("10000"), Overdue: true},
				},
				KIASContractID: "D-NEW",
				Holder:         policies.Person{Name: "Ахметов Ерлан", MaskedIIN: "9001******03", KBM: &policies.KBM{Class: "3", Coefficient: decimal.RequireFromString("0.90"), AsOf: policy.MustParseDate("2026-02-01")}},
				Drivers: []policies.Person{
					{Name: "Ахметова Айгерим", MaskedIIN: "8512******01", KBM: &policies.KBM{Class: "M", Coefficient: decimal.RequireFromString("2.45"), AsOf: policy.MustParseDate("2026-02-01")}},
					{Name: "Ахметов Ерлан", MaskedIIN: "9001******03"},
				},
				Outstanding: money.MustParse("20000"),
				Installments: []policies.Installment{
					{Number: 1, DueOn: policy.MustParseDate("2026-02-20"), Amount: money.MustParse("10000"), Paid: true, PaymentRef: "PAY-1", PaidAt: paidAt},
					{Number: 2, DueOn: policy.MustParseDate("2026-03-01"), Amount: money.MustParse("10000"), Overdue: true},
					{Number: 3, DueOn: policy.MustParseDate("2026-06-20"), Amount: money.MustParse("10000")},
				},
				Payments:    []policies.Payment{{Ref: "PAY-1", Amount: money.MustParse("10000"), PaidAt: paidAt}},
				Documents:   []policies.Document{{Kind: policy.DocumentPolicyPDF, BlobRef: "blob/renewal.pdf", SHA256: strings.Repeat("ab", 32), AttachedAt: paidAt}},
				RenewedFrom: old,
				IssuedAt:    commandTime,
			}), normalise(d))
		})
		t.Run("the old policy: paid, prolonged, cancelled", func(t *testing.T) {
			d, err := policies.Get(ctx, k.db, holder, old, now)
			require.NoError(t, err)
			assert.Equal(t, renewal, d.RenewedBy)
			assert.Equal(t, uuid.Nil, d.RenewedFrom)
			assert.True(t, money.MustParse("45000").Equal(d.Paid))
			assert.True(t, d.Outstanding.IsZero())
			assert.Equal(t, []policies.Payment{{Ref: "KASPI-77", Amount: money.MustParse("45000"), PaidAt: commandTime}}, d.Payments)
			assert.Equal(t, &policies.Cancellation{Reason: "renewed early", EffectiveOn: policy.MustParseDate("2026-03-15"), CancelledAt: commandTime.Add(time.Hour)}, d.Cancellation)
			assert.Equal(t, policy.MustParseDate("2026-03-14"), d.LastDay)
			assert.Equal(t, policies.Expiring, d.Bucket)
			assert.Nil(t, d.Next)
			assert.Empty(t, d.Installments)
			assert.Empty(t, d.Documents)
		})
		t.Run("another client's policy reads as missing", func(t *testing.T) {
			_, err := policies.Get(ctx, k.db, stranger, renewal, now)
			assert.ErrorIs(t, err, policies.ErrNotFound)
			_, err = policies.Get(ctx, k.db, holder, uuid.New(), now)
			assert.ErrorIs(t, err, policies.ErrNotFound)
		})
	})
}

// normalise gives equal KBM coefficients one representation, which
// assert.Equal needs: 0.90 and 0.9 are the same coefficient.
func normalise(d policies.Details) policies.Details {
	fix := func(p *policies.Person) {
		if p.KBM != nil {
			p.KBM.Coefficient = decimal.RequireFromString(p.KBM.Coefficient.String())
		}
	}
	fix(&d.Holder)
	for i := range d.Drivers {
		fix(&d.Drivers[i])
	}
	return d
}

func TestNumbers(t *testing.T) {
	ctx := context.Background()
	eachKit(t, func(t *testing.T, k *kit) {
		holder, other := uuid.New(), uuid.New()
		mine := k.issue(t, motor("N-1", holder, "2025-06-01", "2026-05-31"))
		k.at = commandTime.Add(time.Hour)
		reissued := k.issue(t, withNumber(motor("N-2", holder, "2025-06-01", "2026-05-31"), "OGPO N-1"))
		shared1 := k.issue(t, withNumber(motor("N-3", holder, "2025-06-01", "2026-05-31"), "SHARED-9"))
		k.issue(t, withNumber(motor("N-4", other, "2025-06-01", "2026-05-31"), "SHARED-9"))
		other5 := k.issue(t, motor("N-5", other, "2025-06-01", "2026-05-31"))
		k.catchUp(t)

		t.Run("by number, for the holder only, ignoring spaces and case", func(t *testing.T) {
			id, err := policies.ByNumber(ctx, k.db, holder, " ogpo  n-1 ")
			require.NoError(t, err)
			assert.Equal(t, reissued, id, "the latest of two policies with one number")
			assert.NotEqual(t, mine, id)
			id, err = policies.ByNumber(ctx, k.db, holder, "shared-9")
			require.NoError(t, err)
			assert.Equal(t, shared1, id)

			_, err = policies.ByNumber(ctx, k.db, holder, "OGPO N-5")
			assert.ErrorIs(t, err, policies.ErrNotFound, "another client's number")
			_, err = policies.ByNumber(ctx, k.db, holder, "  ")
			assert.ErrorIs(t, err, policies.ErrNotFound)
		})
		t.Run("find by number, for checks before login", func(t *testing.T) {
			id, h, found, err := policies.FindByNumber(ctx, k.db, "OGPO N-5")
			require.NoError(t, err)
			assert.True(t, found)
			assert.Equal(t, other5, id)
			assert.Equal(t, other, h)

			id, h, found, err = policies.FindByNumber(ctx, k.db, "ogpo n-1")
			require.NoError(t, err)
			assert.True(t, found, "one holder's two policies are not ambiguous")
			assert.Equal(t, reissued, id)
			assert.Equal(t, holder, h)

			_, _, found, err = policies.FindByNumber(ctx, k.db, "SHARED-9")
			require.NoError(t, err)
			assert.False(t, found, "a number two holders share proves nothing")
			_, _, found, err = policies.FindByNumber(ctx, k.db, "NO-SUCH")
			require.NoError(t, err)
			assert.False(t, found)
		})
	})
}

func withNumber(c policy.IssuePolicy, number string) policy.IssuePolicy {
	c.Number = number
	return c
}
