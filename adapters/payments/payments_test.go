package payments_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kabinet/kabinet/adapters/cabinet/cabinettest"
	"github.com/kabinet/kabinet/adapters/payments"
	"github.com/kabinet/kabinet/domain/money"
	"github.com/kabinet/kabinet/domain/policy"
	"github.com/kabinet/kabinet/internal/partnerhttp"
)

const token = "provider-token"

var secret = []byte("a secret shared with the provider")

// provider serves the simulator's API and returns a client of it.
func provider(t *testing.T, sim *payments.Simulator) *payments.Client {
	t.Helper()
	sim.RequireAPIKey(token)
	srv := httptest.NewServer(sim.Handler())
	t.Cleanup(srv.Close)
	c, err := payments.NewClient(payments.Config{BaseURL: srv.URL, APIKey: token, Timeout: 2 * time.Second})
	require.NoError(t, err)
	return c
}

func TestClientMakesLinksOverHTTP(t *testing.T) {
	sim := payments.NewSimulator("https://pay.example.kz")
	c := provider(t, sim)
	ctx := context.Background()
	req := payments.LinkRequest{PolicyID: uuid.New(), PolicyNumber: "OGPO-1", Installment: 2, Amount: money.MustParse("12000.00"), IdempotencyKey: "k-1"}

	l, err := c.PaymentLink(ctx, req)
	require.NoError(t, err)
	assert.Contains(t, l.URL, "https://pay.example.kz/pay/")
	assert.True(t, l.Expires.After(time.Now()))

	again, err := c.PaymentLink(ctx, req)
	require.NoError(t, err)
	assert.Equal(t, l, again, "the same key is the same link")
	direct, err := sim.PaymentLink(ctx, req)
	require.NoError(t, err)
	assert.Equal(t, l, direct)

	_, err = c.PaymentLink(ctx, payments.LinkRequest{PolicyID: req.PolicyID, Amount: money.KZT{}})
	assert.ErrorContains(t, err, "positive")
}

func TestClientWithAWrongTokenIsRefused(t *testing.T) {
	sim := payments.NewSimulator("https://pay.example.kz")
	sim.RequireAPIKey(token)
	srv := httptest.NewServer(sim.Handler())
	t.Cleanup(srv.Close)
	c, err := payments.NewClient(payments.Config{BaseURL: srv.URL, APIKey: "stolen"})
	require.NoError(t, err)

	_, err = c.PaymentLink(context.Background(), payments.LinkRequest{PolicyID: uuid.New(), Amount: money.MustParse("1.00")})

	assert.Equal(t, http.StatusUnauthorized, partnerhttp.StatusOf(err))
}

type callbackKit struct {
	kit *cabinettest.Kit
	sim *payments.Simulator
	c   *payments.Client
	url string
}

func newCallbackKit(t *testing.T) *callbackKit {
	t.Helper()
	k := cabinettest.New(t)
	cb, err := payments.NewCallback(k.Deps.Policies, payments.CallbackConfig{Secret: secret})
	require.NoError(t, err)
	mux := http.NewServeMux()
	mux.Handle(payments.CallbackPath, cb)
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	sim := payments.NewSimulator("https://pay.example.kz")
	sim.SetCallback(srv.URL+payments.CallbackPath, secret)
	return &callbackKit{kit: k, sim: sim, c: provider(t, sim), url: srv.URL + payments.CallbackPath}
}

func (k *callbackKit) events(t *testing.T) int {
	t.Helper()
	var n int
	require.NoError(t, k.kit.Pool.QueryRow(context.Background(), `SELECT count(*) FROM events`).Scan(&n))
	return n
}

func (k *callbackKit) load(t *testing.T, id uuid.UUID) policy.State {
	t.Helper()
	s, err := k.kit.Deps.Policies.Load(context.Background(), id)
	require.NoError(t, err)
	return s
}

// post delivers a report as the provider would, signed with sig ("" signs
// it properly), and returns the status kabinet answered.
func (k *callbackKit) post(t *testing.T, rep payments.Report, sig string) int {
	t.Helper()
	body, err := json.Marshal(rep)
	require.NoError(t, err)
	if sig == "" {
		sig = payments.Sign(secret, body)
	}
	req, err := http.NewRequest(http.MethodPost, k.url, bytes.NewReader(body))
	require.NoError(t, err)
	req.Header.Set(payments.SignatureHeader, sig)
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	return resp.StatusCode
}

func TestAPaidInstallmentIsRecordedOnceEvenIfReportedTwice(t *testing.T) {
	k := newCallbackKit(t)
	client := k.kit.Client(t)
	p := k.kit.Policy(t, client, cabinettest.PolicyOptions{Installments: 3})
	ctx := context.Background()
	link, err := k.c.PaymentLink(ctx, payments.LinkRequest{PolicyID: p.ID, PolicyNumber: p.Number, Installment: 1,
		Amount: money.MustParse("12000.00"), IdempotencyKey: "pay-1"})
	require.NoError(t, err)

	ref, err := k.sim.Pay(ctx, link)
	require.NoError(t, err)
	written := k.events(t)
	again, err := k.sim.Pay(ctx, link) // the provider delivers its report again
	require.NoError(t, err)

	assert.Equal(t, ref, again)
	assert.Equal(t, written, k.events(t), "the second delivery wrote nothing")
	s := k.load(t, p.ID)
	sched := s.Schedule()
	require.Len(t, sched, 3)
	assert.True(t, sched[0].Paid())
	assert.Equal(t, ref, sched[0].PaymentRef)
	assert.False(t, sched[1].Paid())
	require.Len(t, s.Payments(), 1)
	assert.True(t, s.Paid().Equal(money.MustParse("12000.00")))
}

func TestAPremiumPaidAtOnceIsRecorded(t *testing.T) {
	k := newCallbackKit(t)
	client := k.kit.Client(t)
	ctx := context.Background()
	id, _, err := k.kit.Deps.Policies.IssuePolicy(ctx, uuid.New(), policy.IssuePolicy{
		Product: policy.ProductTravel, Number: "TRV-" + client.IIN.String()[6:], KIASContractID: "KD-TRV-" + client.IIN.String()[6:],
		Insurer: "АО «Страховая компания»", StartsOn: policy.MustParseDate("2025-03-01"), EndsOn: policy.MustParseDate("2025-03-15"),
		Holder:  policy.Holder{ClientID: client.ID, IIN: client.IIN, Name: "Сарсенова Айгерим"},
		Premium: money.MustParse("8000.00"), PaymentMethod: policy.PaymentCard,
	})
	require.NoError(t, err)
	link, err := k.c.PaymentLink(ctx, payments.LinkRequest{PolicyID: id, Amount: money.MustParse("8000.00"), IdempotencyKey: "trv"})
	require.NoError(t, err)

	ref, err := k.sim.Pay(ctx, link)
	require.NoError(t, err)

	s := k.load(t, id)
	require.Len(t, s.Payments(), 1)
	assert.Equal(t, ref, s.Payments()[0].Ref)
	assert.True(t, s.Outstanding().IsZero())
}

func TestAReportWithABadSignatureIsRefused(t *testing.T) {
	k := newCallbackKit(t)
	client := k.kit.Client(t)
	p := k.kit.Policy(t, client, cabinettest.PolicyOptions{Installments: 3})
	written := k.events(t)
	rep := payments.Report{PaymentRef: "FORGED-1", Status: payments.StatusPaid, PolicyID: p.ID, Installment: 1, Amount: money.MustParse("12000.00")}

	assert.Equal(t, http.StatusUnauthorized, k.post(t, rep, "sha256=00"))
	assert.Equal(t, http.StatusUnauthorized, k.post(t, rep, payments.Sign([]byte("another secret entirely"), []byte("{}"))))
	assert.Equal(t, http.StatusUnauthorized, k.post(t, rep, "not a signature"))

	assert.Equal(t, written, k.events(t), "nothing was recorded")
	assert.False(t, k.load(t, p.ID).Schedule()[0].Paid())
}

func TestReportsKabinetRefusesOrIgnores(t *testing.T) {
	k := newCallbackKit(t)
	client := k.kit.Client(t)
	p := k.kit.Policy(t, client, cabinettest.PolicyOptions{Installments: 3})
	written := k.events(t)

	wrongAmount := payments.Report{PaymentRef: "R-1", Status: payments.StatusPaid, PolicyID: p.ID, Installment: 1, Amount: money.MustParse("1.00")}
	assert.Equal(t, http.StatusUnprocessableEntity, k.post(t, wrongAmount, ""))
	unknownPolicy := payments.Report{PaymentRef: "R-2", Status: payments.StatusPaid, PolicyID: uuid.New(), Installment: 1, Amount: money.MustParse("12000.00")}
	assert.Equal(t, http.StatusUnprocessableEntity, k.post(t, unknownPolicy, ""))
	failed := payments.Report{PaymentRef: "R-3", Status: "failed", PolicyID: p.ID, Installment: 1, Amount: money.MustParse("12000.00")}
	assert.Equal(t, http.StatusOK, k.post(t, failed, ""))
	noRef := payments.Report{Status: payments.StatusPaid, PolicyID: p.ID, Installment: 1, Amount: money.MustParse("12000.00")}
	assert.Equal(t, http.StatusBadRequest, k.post(t, noRef, ""))

	assert.Equal(t, written, k.events(t))
	resp, err := http.Get(k.url)
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusMethodNotAllowed, resp.StatusCode)
}

func TestPayNeedsALinkTheProviderMade(t *testing.T) {
	sim := payments.NewSimulator("https://pay.example.kz")
	_, err := sim.Pay(context.Background(), payments.Link{URL: "https://pay.example.kz/pay/nothing"})
	assert.ErrorIs(t, err, payments.ErrUnknownLink)
}

func TestConfigsValidate(t *testing.T) {
	err := payments.Config{Timeout: -1}.Validate()
	require.Error(t, err)
	assert.ErrorContains(t, err, "BaseURL")
	assert.ErrorContains(t, err, "APIKey")
	assert.ErrorContains(t, err, "Timeout")
	assert.NoError(t, payments.Config{BaseURL: "https://pay.example.kz/api", APIKey: "k"}.Validate())

	_, err = payments.NewCallback(nil, payments.CallbackConfig{Secret: []byte("short")})
	require.Error(t, err)
	assert.ErrorContains(t, err, "policies")
	assert.ErrorContains(t, err, "16 bytes")
}

// Regression: a payment KIAS's feed had recorded first was refused with 422
// when the provider reported it, as if the report were wrong.
func TestAPaymentRecordedElsewhereFirstIsAcknowledged(t *testing.T) {
	k := newCallbackKit(t)
	client := k.kit.Client(t)
	p := k.kit.Policy(t, client, cabinettest.PolicyOptions{Installments: 3})
	_, err := k.kit.Deps.Policies.PayInstallment(context.Background(), uuid.New(), client.ID, p.ID, policy.PayInstallment{
		Number: 1, PaymentRef: "R-FEED-1", Amount: money.MustParse("12000.00")})
	require.NoError(t, err)
	written := k.events(t)

	same := payments.Report{PaymentRef: "R-FEED-1", Status: payments.StatusPaid, PolicyID: p.ID, Installment: 1, Amount: money.MustParse("12000.00")}
	assert.Equal(t, http.StatusOK, k.post(t, same, ""))
	assert.Equal(t, written, k.events(t), "nothing written twice")
	other := payments.Report{PaymentRef: "R-OTHER", Status: payments.StatusPaid, PolicyID: p.ID, Installment: 1, Amount: money.MustParse("12000.00")}
	assert.Equal(t, http.StatusUnprocessableEntity, k.post(t, other, ""), "another payment of a paid installment is refused")
}
