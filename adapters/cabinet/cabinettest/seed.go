package cabinettest

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/require"

	"github.com/kabinet/kabinet/adapters/cabinet"
	"github.com/kabinet/kabinet/adapters/kias"
	"github.com/kabinet/kabinet/domain/claim"
	"github.com/kabinet/kabinet/domain/client"
	"github.com/kabinet/kabinet/domain/kz"
	"github.com/kabinet/kabinet/domain/money"
	"github.com/kabinet/kabinet/domain/policy"
)

// Client is a registered client with an open session.
type Client struct {
	ID        uuid.UUID
	IIN       kz.IIN
	Phone     kz.Phone
	FirstName string
	LastName  string
	Code      string // the access code (the one-time code from registration)
	Session   cabinet.Credentials
}

// Client registers a new client known to KIAS, logs them in through the
// Login operation and returns them with the website's credentials and their
// session token.
func (k *Kit) Client(t testing.TB) Client {
	t.Helper()
	ctx := context.Background()
	c := Client{IIN: NewIIN(), Phone: NewPhone(), FirstName: "Айгерим", LastName: "Сарсенова"}
	k.KIAS.AddPerson(kias.Person{IIN: c.IIN, FirstName: c.FirstName, LastName: c.LastName, Phone: c.Phone})
	id, res, err := k.Deps.Clients.RegisterClient(ctx, uuid.New(), client.RegisterClient{
		IIN: c.IIN, FirstName: c.FirstName, LastName: c.LastName, Phone: c.Phone, Source: client.SourceKIAS,
	})
	k.Done(t, res, err)
	c.ID = id
	code, res, err := k.Deps.Clients.IssueOneTimeCode(ctx, uuid.New(), id)
	k.Done(t, res, err)
	c.Code = code
	k.Settle(t)
	resp, err := k.Call(ctx, "Login", k.Website(), &cabinet.LoginRequest{Login: c.IIN.String(), AccessCode: code})
	require.NoError(t, err)
	c.Session = k.Website()
	c.Session.SessionToken = resp.(*cabinet.LoginResponse).Session.Token
	return c
}

// PolicyOptions shape a policy made by Policy; the zero value is an active
// motor policy of a year starting 60 days ago, paid in full.
type PolicyOptions struct {
	StartsOn     policy.Date // zero: 60 days ago
	EndsOn       policy.Date // zero: a year after StartsOn, less a day
	Installments int         // > 0: paid by that many monthly installments, none paid yet
	Product      policy.Product
}

// Policy is a policy made by the kit.
type Policy struct {
	ID             uuid.UUID
	Number         string
	KIASContractID string
}

var policySerial atomic.Int64

// Policy issues a policy held by c and waits until the read models show it.
func (k *Kit) Policy(t testing.TB, c Client, o PolicyOptions) Policy {
	t.Helper()
	n := policySerial.Add(1)
	p := Policy{Number: fmt.Sprintf("OGPO-%08d", n), KIASContractID: fmt.Sprintf("KD-%08d", n)}
	today := policy.DateOf(k.Now().In(almaty))
	if o.StartsOn == (policy.Date{}) {
		o.StartsOn = today.AddDays(-60)
	}
	if o.EndsOn == (policy.Date{}) {
		o.EndsOn = o.StartsOn.AddDays(364)
	}
	if o.Product == "" {
		o.Product = policy.ProductOGPOVTS
	}
	cmd := policy.IssuePolicy{
		Product: o.Product, Number: p.Number, KIASContractID: p.KIASContractID, Insurer: "АО «Страховая компания»",
		StartsOn: o.StartsOn, EndsOn: o.EndsOn,
		Holder: policy.Holder{ClientID: c.ID, IIN: c.IIN, Name: c.LastName + " " + c.FirstName},
		Drivers: []policy.Person{{Name: c.LastName + " " + c.FirstName, IIN: c.IIN,
			KBM: policy.KBM{Class: "3", Coefficient: decimal.RequireFromString("0.90"), AsOf: o.StartsOn}}},
		Premium:       money.MustParse("36000.00"),
		PaymentMethod: policy.PaymentCard,
	}
	if o.Product.Motor() {
		cmd.Vehicle = policy.Vehicle{Make: "Toyota", Model: "Camry", Plate: "123ABC02", VIN: "JTNB11HK103456789", Year: 2019}
	}
	if o.Installments > 0 {
		cmd.PaymentMethod = policy.PaymentInstallments
		part := money.MustParse("36000.00").MulRatio(decimal.NewFromInt(1).Div(decimal.NewFromInt(int64(o.Installments))))
		total := money.KZT{}
		for i := 1; i <= o.Installments; i++ {
			amount := part
			if i == o.Installments {
				amount = money.MustParse("36000.00").Sub(total)
			}
			total = total.Add(amount)
			cmd.Installments = append(cmd.Installments, policy.Installment{Number: i, DueOn: o.StartsOn.AddDays(30 * (i - 1)), Amount: amount})
		}
	}
	id, res, err := k.Deps.Policies.IssuePolicy(context.Background(), uuid.New(), cmd)
	k.Done(t, res, err)
	p.ID = id
	if o.Installments == 0 {
		res, err = k.Deps.Policies.RecordPayment(context.Background(), uuid.New(), id, policy.RecordPayment{
			PaymentRef: "PAY-" + p.Number, Amount: cmd.Premium, PaidAt: k.Now()})
		k.Done(t, res, err)
	}
	k.KIAS.AddPolicy(c.IIN, p.Number)
	k.Settle(t)
	return p
}

// Claim is a claim made by the kit.
type Claim struct {
	ID     uuid.UUID
	Number string
}

var claimSerial atomic.Int64

// Claim reports a claim on p and asks for a document, so that it has one
// missing; it waits until the read models show it.
func (k *Kit) Claim(t testing.TB, c Client, p Policy) Claim {
	t.Helper()
	ctx := context.Background()
	cl := Claim{Number: fmt.Sprintf("VD-%08d", claimSerial.Add(1))}
	id, res, err := k.Deps.Claims.ReportClaim(ctx, uuid.New(), claim.ReportClaim{
		ClientID: c.ID, PolicyID: p.ID, Number: cl.Number, Kind: "road_accident", Description: "ДТП во дворе"})
	k.Done(t, res, err)
	cl.ID = id
	res, err = k.Deps.Claims.RequestClaimDocuments(ctx, uuid.New(), id, claim.RequestClaimDocuments{
		Documents: []claim.DocumentRequest{{Kind: claim.DocumentIDCard, Title: "Удостоверение личности"}}})
	k.Done(t, res, err)
	k.Settle(t)
	return cl
}

var almaty = func() *time.Location {
	l, err := time.LoadLocation("Asia/Almaty")
	if err != nil {
		panic(err)
	}
	return l
}()
