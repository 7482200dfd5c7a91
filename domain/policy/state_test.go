package policy

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/kabinet/kabinet/domain/money"
)

func TestStatePayments(t *testing.T) {
	s := fold(installmentsIssued())
	assert.True(t, s.Paid().IsZero())
	assert.Equal(t, schedule, s.UnpaidInstallments())
	next, ok := s.NextInstallment()
	assert.True(t, ok)
	assert.Equal(t, 1, next.Number)

	s = fold(installmentsIssued(), received("p1", "40000"), instPaid(1, "p1", "40000"),
		received("p2", "40000"), instPaid(2, "p2", "40000"))
	assert.Equal(t, "80000.00", s.Paid().String())
	assert.Equal(t, "40000.50", s.Outstanding().String())
	assert.Equal(t, schedule[2:], s.UnpaidInstallments())
	next, ok = s.NextInstallment()
	assert.True(t, ok)
	assert.Equal(t, 3, next.Number)
	assert.True(t, s.Schedule()[1].Paid())
	assert.Equal(t, "p2", s.Schedule()[1].PaymentRef)
	assert.Len(t, s.Payments(), 2)

	s = Evolve(Evolve(s, received("p3", "40000.50")), instPaid(3, "p3", "40000.50"))
	assert.True(t, s.Paid().Equal(s.Premium))
	assert.Empty(t, s.UnpaidInstallments())
	_, ok = s.NextInstallment()
	assert.False(t, ok)
}

func TestStateIssued(t *testing.T) {
	e := issued()
	e.RenewedFrom = oldPolicyID
	s := fold(e, Prolonged{NewPolicyID: newPolicyID})
	assert.True(t, s.Exists())
	assert.Equal(t, policyID, s.ID)
	assert.Equal(t, clientID, s.Holder.ClientID)
	assert.Equal(t, e.Drivers, s.Drivers())
	assert.Empty(t, s.InsuredPersons())
	assert.Equal(t, oldPolicyID, s.RenewedFrom)
	assert.Equal(t, newPolicyID, s.RenewedBy)
	assert.True(t, s.Prolonged())
	assert.True(t, money.MustParse("45000").Equal(s.Premium))
	assert.False(t, State{}.Exists())
}

func TestInForce(t *testing.T) {
	live := fold(issued())
	cancelled := fold(issued(), Cancelled{Reason: "r", EffectiveOn: MustParseDate("2025-06-15")})
	cases := []struct {
		name  string
		state State
		on    string
		want  bool
	}{
		{"day before start", live, "2025-02-28", false},
		{"first day", live, "2025-03-01", true},
		{"mid term", live, "2025-09-01", true},
		{"last day", live, "2026-02-28", true},
		{"day after end", live, "2026-03-01", false},
		{"before cancellation takes effect", cancelled, "2025-06-14", true},
		{"on the cancellation day", cancelled, "2025-06-15", false},
		{"after cancellation", cancelled, "2025-09-01", false},
		{"not issued", State{}, "2025-09-01", false},
	}
	for _, tc := range cases {
		assert.Equal(t, tc.want, tc.state.InForce(MustParseDate(tc.on)), tc.name)
	}
}

func TestEvolveKeepsStatesIndependent(t *testing.T) {
	base := fold(installmentsIssued(), received("p1", "40000"), instPaid(1, "p1", "40000"))
	a := Evolve(Evolve(base, received("a", "40000")), instPaid(2, "a", "40000"))
	b := Evolve(base, DocumentAttached{Kind: DocumentReceipt, BlobRef: "b", SHA256: hashA})
	c := Evolve(base, received("c", "1"))
	assert.Equal(t, "a", a.Payments()[1].Ref)
	assert.Equal(t, "c", c.Payments()[1].Ref)
	assert.False(t, base.Schedule()[1].Paid())
	assert.False(t, b.Schedule()[1].Paid())
	assert.Len(t, base.Payments(), 1)
	assert.Empty(t, base.Documents())
	assert.Len(t, b.Documents(), 1)
}

func TestEvolveIgnoresUnknownInstallment(t *testing.T) {
	s := fold(installmentsIssued(), instPaid(9, "p9", "1"))
	assert.Len(t, s.UnpaidInstallments(), 3)
}
