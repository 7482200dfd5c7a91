package bench

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/shopspring/decimal"

	"github.com/kabinet/kabinet/adapters/cabinet"
	"github.com/kabinet/kabinet/adapters/kias"
	"github.com/kabinet/kabinet/commands"
	"github.com/kabinet/kabinet/domain/client"
	"github.com/kabinet/kabinet/domain/kz"
	"github.com/kabinet/kabinet/domain/money"
	"github.com/kabinet/kabinet/domain/policy"
	"github.com/kabinet/kabinet/eventstore"
)

// sessions registers n clients known to KIAS through the command handlers,
// gives each three policies (paid in full, by two and by four
// installments), and logs each in through the Login operation.
func (k *cabinetKit) sessions(ctx context.Context, n int) ([]APISession, error) {
	out := make([]APISession, 0, n)
	login, ok := cabinet.Lookup("Login")
	if !ok {
		return nil, fmt.Errorf("the cabinet has no Login operation")
	}
	for i := range n {
		iin, err := sessionIIN(i)
		if err != nil {
			return nil, err
		}
		phone, err := kz.ParsePhone(fmt.Sprintf("+7702%07d", i))
		if err != nil {
			return nil, err
		}
		k.kias.AddPerson(kias.Person{IIN: iin, FirstName: "Айгерим", LastName: "Нагрузочная", Phone: phone})
		var last eventstore.Position
		done := func(res commands.Result) {
			if last.Less(res.Position) {
				last = res.Position
			}
		}
		id, res, err := k.deps.Clients.RegisterClient(ctx, uuid.New(), client.RegisterClient{
			IIN: iin, FirstName: "Айгерим", LastName: "Нагрузочная", Phone: phone, Source: client.SourceKIAS})
		if err != nil {
			return nil, fmt.Errorf("register a client: %w", err)
		}
		done(res)
		code, res, err := k.deps.Clients.IssueOneTimeCode(ctx, uuid.New(), id)
		if err != nil {
			return nil, fmt.Errorf("issue an access code: %w", err)
		}
		done(res)
		var policyID uuid.UUID
		for p := range 3 {
			number := fmt.Sprintf("BENCH-%05d-%d", i, p)
			if policyID, err = k.issuePolicy(ctx, id, iin, number, 2*p, done); err != nil {
				return nil, err
			}
			k.kias.AddPolicy(iin, number)
		}
		wctx, cancel := context.WithTimeout(ctx, settleTimeout)
		err = k.runner.WaitFor(wctx, last)
		cancel()
		if err != nil {
			return nil, err
		}
		resp, err := k.service.Invoke(ctx, login, cabinet.Credentials{APIKey: k.key},
			&cabinet.LoginRequest{Login: iin.String(), AccessCode: code})
		if err != nil {
			return nil, fmt.Errorf("log in: %w", err)
		}
		out = append(out, APISession{Token: resp.(*cabinet.LoginResponse).Session.Token, PolicyID: policyID.String()})
	}
	return out, nil
}

// issuePolicy issues an active motor policy of a year that started 60 days
// ago, paid in full, or by installments of which none is paid yet.
func (k *cabinetKit) issuePolicy(ctx context.Context, clientID uuid.UUID, iin kz.IIN, number string, installments int, done func(commands.Result)) (uuid.UUID, error) {
	premium := money.MustParse("36000.00")
	starts := policy.DateOf(time.Now()).AddDays(-60)
	cmd := policy.IssuePolicy{
		Product: policy.ProductOGPOVTS, Number: number, KIASContractID: "KD-" + number, Insurer: "АО «Страховая компания»",
		StartsOn: starts, EndsOn: starts.AddDays(364),
		Holder: policy.Holder{ClientID: clientID, IIN: iin, Name: "Нагрузочная Айгерим"},
		Drivers: []policy.Person{{Name: "Нагрузочная Айгерим", IIN: iin,
			KBM: policy.KBM{Class: "3", Coefficient: decimal.RequireFromString("0.90"), AsOf: starts}}},
		Vehicle:       policy.Vehicle{Make: "Toyota", Model: "Camry", Plate: "123ABC02", VIN: "JTNB11HK103456789", Year: 2019},
		Premium:       premium,
		PaymentMethod: policy.PaymentCard,
	}
	if installments > 0 {
		cmd.PaymentMethod = policy.PaymentInstallments
		part := money.FromTiyn(premium.Tiyn() / int64(installments))
		rest := premium
		for i := 1; i <= installments; i++ {
			amount := part
			if i == installments {
				amount = rest
			}
			rest = rest.Sub(amount)
			cmd.Installments = append(cmd.Installments, policy.Installment{Number: i, DueOn: starts.AddDays(30 * (i - 1)), Amount: amount})
		}
	}
	id, res, err := k.deps.Policies.IssuePolicy(ctx, uuid.New(), cmd)
	if err != nil {
		return id, fmt.Errorf("issue policy %s: %w", number, err)
	}
	done(res)
	if installments == 0 {
		res, err = k.deps.Policies.RecordPayment(ctx, uuid.New(), id, policy.RecordPayment{
			PaymentRef: "PAY-" + number, Amount: premium, PaidAt: time.Now()})
		if err != nil {
			return id, fmt.Errorf("pay policy %s: %w", number, err)
		}
		done(res)
	}
	return id, nil
}

// sessionIIN returns the i-th valid IIN of men born on 15 January 1940.
// The synthetic log's clients are born from 1950 on, so none collides.
func sessionIIN(i int) (kz.IIN, error) {
	for serial := range 10_000 {
		base := fmt.Sprintf("4001153%04d", serial)
		iin, err := kz.CompleteIIN(base)
		if err != nil {
			continue
		}
		if i == 0 {
			return iin, nil
		}
		i--
	}
	return kz.IIN{}, fmt.Errorf("no IIN left for session %d", i)
}
