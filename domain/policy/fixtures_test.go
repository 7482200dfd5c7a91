package policy

import (
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kabinet/kabinet/domain/kz"
	"github.com/kabinet/kabinet/domain/money"
)

var (
	now         = time.Date(2025, 3, 1, 10, 0, 0, 0, time.UTC)
	paidEarlier = time.Date(2025, 2, 28, 18, 45, 0, 0, time.UTC)
	policyID    = uuid.MustParse("0195a1c2-0000-7000-8000-0000000000a1")
	newPolicyID = uuid.MustParse("0195a1c2-0000-7000-8000-0000000000a2")
	oldPolicyID = uuid.MustParse("0195a1c2-0000-7000-8000-0000000000a0")
	clientID    = uuid.MustParse("0195a1c2-0000-7000-8000-0000000000c1")
	holderIIN   = kz.MustParseIIN("900115300003")
	driverIIN   = kz.MustParseIIN("851231400001")
	childIIN    = kz.MustParseIIN("050720600002")
	hashA       = strings.Repeat("a1", 32)
	hashB       = strings.Repeat("b2", 32)
)

func kbm(class, coef string) KBM {
	return KBM{Class: class, Coefficient: decimal.RequireFromString(coef), AsOf: MustParseDate("2025-02-20")}
}

// issueCmd is a compulsory motor policy paid by card.
func issueCmd() IssuePolicy {
	return IssuePolicy{
		PolicyID: policyID, Product: ProductOGPOVTS, Number: "OGPO-2025-0001", KIASContractID: "KIAS-778812",
		Insurer: "АО «СК Пример»", StartsOn: MustParseDate("2025-03-01"), EndsOn: MustParseDate("2026-02-28"),
		Holder:  Holder{ClientID: clientID, IIN: holderIIN, Name: "Ахметов Ерлан", KBM: kbm("3", "0.9")},
		Drivers: []Person{{Name: "Ахметова Айгерим", IIN: driverIIN, KBM: kbm("M", "2.45")}},
		Vehicle: Vehicle{Make: "Toyota", Model: "Camry", Plate: "123 ABC 02", VIN: "jtnb11hk503456789", Year: 2019},
		Premium: money.MustParse("45000"), PaymentMethod: PaymentCard,
	}
}

// issued is what issueCmd records.
func issued() Issued {
	return Issued{
		PolicyID: policyID, Product: ProductOGPOVTS, Number: "OGPO-2025-0001", KIASContractID: "KIAS-778812",
		Insurer: "АО «СК Пример»", StartsOn: MustParseDate("2025-03-01"), EndsOn: MustParseDate("2026-02-28"),
		Holder:  Holder{ClientID: clientID, IIN: holderIIN, Name: "Ахметов Ерлан", KBM: kbm("3", "0.9")},
		Drivers: []Person{{Name: "Ахметова Айгерим", IIN: driverIIN, KBM: kbm("M", "2.45")}},
		Vehicle: Vehicle{Make: "Toyota", Model: "Camry", Plate: "123ABC02", VIN: "JTNB11HK503456789", Year: 2019},
		Premium: money.MustParse("45000"), PaymentMethod: PaymentCard, IssuedAt: now,
	}
}

var schedule = []Installment{
	{Number: 1, DueOn: MustParseDate("2025-03-01"), Amount: money.MustParse("40000")},
	{Number: 2, DueOn: MustParseDate("2025-06-01"), Amount: money.MustParse("40000")},
	{Number: 3, DueOn: MustParseDate("2025-09-01"), Amount: money.MustParse("40000.50")},
}

// installmentsCmd is a KASKO policy paid in three installments.
func installmentsCmd() IssuePolicy {
	c := issueCmd()
	c.Product = ProductKASKO
	c.Drivers = nil
	c.Premium = money.MustParse("120000.50")
	c.PaymentMethod = PaymentInstallments
	c.Installments = append([]Installment(nil), schedule...)
	return c
}

func installmentsIssued() Issued {
	e := issued()
	e.Product = ProductKASKO
	e.Drivers = nil
	e.Premium = money.MustParse("120000.50")
	e.PaymentMethod = PaymentInstallments
	e.Installments = append([]Installment(nil), schedule...)
	return e
}

func received(ref, amount string) PaymentReceived {
	return PaymentReceived{PaymentRef: ref, Amount: money.MustParse(amount), PaidAt: now}
}

func instPaid(n int, ref, amount string) InstallmentPaid {
	return InstallmentPaid{Number: n, PaymentRef: ref, Amount: money.MustParse(amount), PaidAt: now}
}

func fold(events ...Event) State {
	var s State
	for _, e := range events {
		s = Evolve(s, e)
	}
	return s
}

type decideCase struct {
	name    string
	given   []Event
	when    Command
	want    []Event
	wantErr error
}

func runDecide(t *testing.T, cases []decideCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Decide(fold(tc.given...), tc.when, now)
			if tc.wantErr != nil {
				require.ErrorIs(t, err, tc.wantErr)
				assert.Empty(t, got)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.want, got)
		})
	}
}
