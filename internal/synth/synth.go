// Package synth generates realistic event histories for benchmarks and load
// tests: clients with policies (paid at once or by installments), payments,
// claims going through their stages with documents, and bonus accruals and
// spends. Every event comes out of the aggregates' own Decide, so the
// histories obey every domain rule, and a seed makes them reproducible.
package synth

import (
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/google/uuid"
	"github.com/shopspring/decimal"

	"github.com/kabinet/kabinet/domain/bonus"
	"github.com/kabinet/kabinet/domain/claim"
	"github.com/kabinet/kabinet/domain/client"
	"github.com/kabinet/kabinet/domain/kz"
	"github.com/kabinet/kabinet/domain/money"
	"github.com/kabinet/kabinet/domain/policy"
	"github.com/kabinet/kabinet/eventstore"
)

// Append is one stream's share of a story, appended with NoStream.
type Append struct {
	Stream string
	Events []eventstore.Event
}

// Generator makes client stories. It is not safe for concurrent use.
type Generator struct {
	rng  *rand.Rand
	now  time.Time
	n    int
	rate decimal.Decimal
}

// New returns a generator whose histories end around now.
func New(seed uint64, now time.Time) *Generator {
	return &Generator{rng: rand.New(rand.NewPCG(seed, 7310)), now: now.UTC().Truncate(time.Microsecond), rate: decimal.RequireFromString("0.01")}
}

// story collects one client's appends.
type story struct {
	g       *Generator
	appends []Append
	err     error
}

func decide[S, E, C any](st *story, aggregate string, id uuid.UUID, s *S, evolve func(S, E) S, dec func(S, C, time.Time) ([]E, error),
	encode func(E) (string, []byte, error), at time.Time, cmds ...C) {
	if st.err != nil {
		return
	}
	var out []eventstore.Event
	for _, c := range cmds {
		events, err := dec(*s, c, at)
		if err != nil {
			st.err = fmt.Errorf("%s %T: %w", aggregate, c, err)
			return
		}
		for _, e := range events {
			*s = evolve(*s, e)
			typ, data, err := encode(e)
			if err != nil {
				st.err = err
				return
			}
			out = append(out, eventstore.Event{ID: uuid.New(), Type: typ, SchemaVersion: 1, Data: data, OccurredAt: at,
				Metadata: eventstore.Metadata{Actor: "synth", CorrelationID: id.String()}})
		}
		at = at.Add(time.Duration(1+st.g.rng.IntN(72)) * time.Hour)
	}
	st.appends = append(st.appends, Append{Stream: eventstore.StreamName(aggregate, id), Events: out})
}

// Next returns one client's story: about 25 events over 4 to 7 streams.
func (g *Generator) Next() ([]Append, error) {
	g.n++
	st := &story{g: g}
	clientID := uuid.New()
	iin := g.iin()
	start := g.now.AddDate(0, -g.rng.IntN(18), -g.rng.IntN(28))

	var cs client.State
	settings := client.DefaultSettings()
	settings.AutoProlongation = g.rng.IntN(3) == 0
	decide(st, client.Aggregate, clientID, &cs, client.Evolve, client.Decide, client.EncodeEvent, start,
		client.Command(client.RegisterClient{ClientID: clientID, IIN: iin, FirstName: "Айгерим", LastName: "Сапарова",
			Phone: g.phone(), Source: client.SourceKIAS, KIASClientID: fmt.Sprintf("EKK-%07d", g.n)}),
		client.Command(client.ChangeSettings{Settings: settings}))

	var bs bonus.State
	var bonusCmds []bonus.Command
	policies := 1 + g.rng.IntN(3)
	var lastPolicy uuid.UUID
	for p := 0; p < policies; p++ {
		id := uuid.New()
		lastPolicy = id
		issued := start.AddDate(0, 0, p*40)
		starts := policy.DateOf(issued.AddDate(0, 0, 1))
		premium := money.FromTiyn(int64(2_000_000 + g.rng.IntN(30_000_000)))
		cmd := policy.IssuePolicy{PolicyID: id, Product: policy.Product("ogpo_vts"), Number: fmt.Sprintf("OGPO-%08d-%d", g.n, p),
			KIASContractID: fmt.Sprintf("EKD-%08d-%d", g.n, p), Insurer: "АО «СК Пример»", StartsOn: starts, EndsOn: starts.AddDays(364),
			Holder:  policy.Holder{ClientID: clientID, IIN: iin, Name: "Сапарова Айгерим"},
			Drivers: []policy.Person{{Name: "Сапарова Айгерим", IIN: iin, KBM: policy.KBM{Class: "3", Coefficient: decimal.RequireFromString("0.95"), AsOf: starts}}},
			Vehicle: policy.Vehicle{Make: "Toyota", Model: "Camry", Plate: fmt.Sprintf("%03dABC02", g.rng.IntN(1000)), Year: 2015 + g.rng.IntN(10)},
			Premium: premium, PaymentMethod: policy.PaymentMethod("card")}
		cmds := []policy.Command{cmd}
		if g.rng.IntN(3) == 0 { // by installments
			cmd.PaymentMethod = policy.PaymentMethod("installments")
			quarter := money.FromTiyn(premium.Tiyn() / 4)
			last := premium.Sub(quarter).Sub(quarter).Sub(quarter)
			for i := 1; i <= 4; i++ {
				amount := quarter
				if i == 4 {
					amount = last
				}
				cmd.Installments = append(cmd.Installments, policy.Installment{Number: i, DueOn: starts.AddDays(90 * (i - 1)), Amount: amount})
			}
			cmds = []policy.Command{cmd}
			for i := 1; i <= 1+g.rng.IntN(4); i++ {
				ref := fmt.Sprintf("PAY-%d-%d-%d", g.n, p, i)
				cmds = append(cmds, policy.PayInstallment{Number: i, PaymentRef: ref, Amount: cmd.Installments[i-1].Amount, PaidAt: issued})
				bonusCmds = append(bonusCmds, bonus.AccrueBonus{PaymentRef: ref, PolicyID: id, Amount: cmd.Installments[i-1].Amount, Rate: g.rate})
			}
		} else {
			ref := fmt.Sprintf("PAY-%d-%d", g.n, p)
			cmds = append(cmds, policy.RecordPayment{PaymentRef: ref, Amount: premium, PaidAt: issued})
			bonusCmds = append(bonusCmds, bonus.AccrueBonus{PaymentRef: ref, PolicyID: id, Amount: premium, Rate: g.rate})
		}
		var ps policy.State
		decide(st, policy.Aggregate, id, &ps, policy.Evolve, policy.Decide, policy.EncodeEvent, issued, cmds...)
	}
	if g.rng.IntN(2) == 0 {
		bonusCmds = append(bonusCmds, bonus.SpendBonus{OrderRef: fmt.Sprintf("ORD-%d", g.n), Points: 1})
	}
	decide(st, bonus.Aggregate, clientID, &bs, bonus.Evolve, bonus.Decide, bonus.EncodeEvent, start, bonusCmds...)

	if g.rng.IntN(10) < 4 {
		g.claim(st, clientID, lastPolicy, start.AddDate(0, 2, 0))
	}
	return st.appends, st.err
}

func (g *Generator) claim(st *story, clientID, policyID uuid.UUID, at time.Time) {
	id := uuid.New()
	var s claim.State
	cmds := []claim.Command{
		claim.ReportClaim{ClaimID: id, ClientID: clientID, PolicyID: policyID, Number: fmt.Sprintf("VD-%08d", g.n), Kind: "dtp", Description: "ДТП во дворе", ReportedAt: at},
		claim.ChangeClaimStatus{To: claim.StatusDocumentsRequested},
		claim.RequestClaimDocuments{Documents: []claim.DocumentRequest{{Kind: "id_card", Title: "Удостоверение личности"}, {Kind: "police_report", Title: "Справка из полиции"}}},
		claim.ReceiveClaimDocument{Kind: "id_card", BlobRef: "blob-" + uuid.NewString(), SHA256: fmt.Sprintf("%064x", g.n)},
	}
	if g.rng.IntN(2) == 0 {
		cmds = append(cmds,
			claim.ReceiveClaimDocument{Kind: "police_report", BlobRef: "blob-" + uuid.NewString(), SHA256: fmt.Sprintf("%064x", g.n+1)},
			claim.ChangeClaimStatus{To: claim.StatusDocumentsComplete},
			claim.ChangeClaimStatus{To: claim.StatusAppraisal},
			claim.ChangeClaimStatus{To: claim.StatusPayoutDecision},
			claim.ChangeClaimStatus{To: claim.StatusPaid, Payout: money.FromTiyn(int64(10_000_000 + g.rng.IntN(90_000_000))), DecisionRef: fmt.Sprintf("RV-%d", g.n)})
	}
	decide(st, claim.Aggregate, id, &s, claim.Evolve, claim.Decide, claim.EncodeEvent, at, cmds...)
}

// iin makes a valid IIN: a birth date, century-and-sex digit, serial and check digit.
func (g *Generator) iin() kz.IIN {
	for {
		d := time.Date(1950+g.rng.IntN(55), time.Month(1+g.rng.IntN(12)), 1+g.rng.IntN(28), 0, 0, 0, 0, time.UTC)
		century := 3 + g.rng.IntN(2)
		if d.Year() >= 2000 {
			century += 2
		}
		s := fmt.Sprintf("%s%d%04d", d.Format("060102"), century, g.rng.IntN(10000))
		if iin, err := kz.CompleteIIN(s); err == nil {
			return iin
		}
	}
}

func (g *Generator) phone() kz.Phone {
	p, _ := kz.ParsePhone(fmt.Sprintf("+7701%07d", g.rng.IntN(10_000_000)))
	return p
}
