package main

import (
	"bytes"
	"context"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"regexp"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kabinet/kabinet/adapters/bus"
	"github.com/kabinet/kabinet/adapters/cabinet"
	"github.com/kabinet/kabinet/adapters/kias"
	"github.com/kabinet/kabinet/adapters/payments"
	"github.com/kabinet/kabinet/domain/kz"
	"github.com/kabinet/kabinet/domain/money"
	"github.com/kabinet/kabinet/eventstore/postgres"
	"github.com/kabinet/kabinet/internal/pgtest"
	"github.com/kabinet/kabinet/internal/pii"
	"github.com/kabinet/kabinet/internal/sqldb"
	"github.com/kabinet/kabinet/projections"
)

// TestReactionsThroughTheBus wires the application as serve does and follows
// events from the API through the relay and the bus to the reactions and
// back to the API: a payment earns bonus points, a claim's status change and
// its missing documents reach the client's inbox, each once.
// testApp is the application wired as serve wires it, on a fresh database,
// with its handlers on a test server and its loops running.
type testApp struct {
	*app
	url        string
	pool       *pgxpool.Pool
	dbURL      string
	websiteKey string
	insurerKey string
}

func startApp(t *testing.T) *testApp {
	t.Helper()
	pool, dbURL := pgtest.New(t, pgtest.Options{MaxConns: 40})
	t.Setenv("KABINET_SECRET_FILE", filepath.Join(t.TempDir(), "secret.key"))
	// The operator commands a test runs open the same keys.
	master := bytes.Repeat([]byte{9}, pii.KeySize)
	t.Setenv("KABINET_MASTER_KEY", hex.EncodeToString(master))
	cfg, err := loadConfig()
	require.NoError(t, err)
	logger := newLogger(io.Discard, "error")
	raw := postgres.New(pool, postgres.Options{})
	t.Cleanup(raw.Close)
	store, err := sealStore(sqldb.FromPgx(pool), raw, master)
	require.NoError(t, err)
	runner, err := projections.NewRunner(sqldb.FromPgx(pool), store, readModels(), projections.Config{PollInterval: 50 * time.Millisecond})
	require.NoError(t, err)
	mux := http.NewServeMux()
	a, err := newApp(cfg, sqldb.FromPgx(pool), store, runner, mux, logger)
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{}, 2)
	go func() { _ = runner.Run(ctx); done <- struct{}{} }()
	go func() { a.run(ctx); done <- struct{}{} }()
	t.Cleanup(func() { cancel(); <-done; <-done })
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	a.listening(srv.URL)
	ta := &testApp{app: a, url: srv.URL, pool: pool, dbURL: dbURL}
	ta.websiteKey, err = cabinet.CreateAPIKey(ctx, sqldb.FromPgx(pool), "website", cabinet.RoleWebsite)
	require.NoError(t, err)
	ta.insurerKey, err = cabinet.CreateAPIKey(ctx, sqldb.FromPgx(pool), "kias", cabinet.RoleInsurer)
	require.NoError(t, err)
	return ta
}

// call makes a JSON API call and requires 200.
func (ta *testApp) call(t *testing.T, method, path, key, token string, body any, out any) {
	t.Helper()
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		require.NoError(t, err)
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, ta.url+"/api/v1"+path, rd)
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-API-Key", key)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	require.Equal(t, http.StatusOK, resp.StatusCode, "%s %s: %s", method, path, raw)
	if out != nil {
		require.NoError(t, json.Unmarshal(raw, out), string(raw))
	}
}

// register makes a client known to KIAS register through the API and
// returns their session token.
func (ta *testApp) register(t *testing.T, iin kz.IIN, phone kz.Phone) string {
	t.Helper()
	ta.partners.kiasSim.AddPerson(kias.Person{IIN: iin, FirstName: "Айгерим", LastName: "Сарсенова", Phone: phone})
	var start cabinet.StartRegistrationResponse
	ta.call(t, "POST", "/registrations", ta.websiteKey, "", map[string]string{"iin": iin.String()}, &start)
	ta.call(t, "POST", "/registrations/"+start.RegistrationID+"/code", ta.websiteKey, "", map[string]string{}, nil)
	msg, ok := ta.partners.smsSim.Last(phone)
	require.True(t, ok)
	code := regexp.MustCompile(`\d{6}`).FindString(msg.Text)
	var confirmed cabinet.ConfirmRegistrationResponse
	ta.call(t, "POST", "/registrations/"+start.RegistrationID+"/confirm", ta.websiteKey, "", map[string]string{"code": code}, &confirmed)
	return confirmed.Session.Token
}

// issuePaid issues a property policy of the IIN through the insurer's API
// and pays it in full.
func (ta *testApp) issuePaid(t *testing.T, iin kz.IIN, contract, premium string) {
	t.Helper()
	ta.call(t, "POST", "/insurer/policies", ta.insurerKey, "", cabinet.IssuePolicyRequest{
		KIASContractID: contract, Number: "PROP-" + contract, Product: "property", Insurer: "АО «Страховая компания»",
		StartsOn: "2026-01-01", EndsOn: "2026-12-31", Holder: cabinet.PersonInput{Name: "Сарсенова Айгерим", IIN: iin.String()},
		Premium: cabinet.Money(premium), PaymentMethod: "card", InsuredPersons: []cabinet.PersonInput{}, Drivers: []cabinet.PersonInput{},
		Installments: []cabinet.InstallmentInput{},
	}, nil)
	ta.call(t, "POST", "/insurer/payments", ta.insurerKey, "", map[string]string{"kiasContractId": contract, "paymentRef": "PAY-" + contract, "amount": premium}, nil)
}

// TestReactionsThroughTheBus wires the application as serve does and follows
// events from the API through the relay and the bus to the reactions and
// back to the API: a payment earns bonus points, a claim's status change and
// its missing documents reach the client's inbox, each once.
func TestReactionsThroughTheBus(t *testing.T) {
	ta := startApp(t)
	ctx := context.Background()
	// A client known to KIAS registers through the API.
	iin, phone := kz.MustParseIIN("900115300003"), kz.MustParsePhone("+77011234567")
	token := ta.register(t, iin, phone)
	websiteKey, insurerKey := ta.websiteKey, ta.insurerKey
	call := func(method, path, key, token string, body any, out any) {
		ta.call(t, method, path, key, token, body, out)
	}

	// The insurer's systems issue and pay a policy and move a claim.
	ta.issuePaid(t, iin, "KD-BUS-1", "120000.00")
	call("POST", "/insurer/claims", insurerKey, "", map[string]string{"number": "VD-BUS-1", "kiasContractId": "KD-BUS-1", "kind": "theft"}, nil)
	call("POST", "/insurer/claims/VD-BUS-1/document-requests", insurerKey, "", map[string]any{
		"documents": []cabinet.DocumentRequest{{Kind: "police_report", Title: "Справка из полиции"}}}, nil)
	call("POST", "/insurer/claims/VD-BUS-1/status", insurerKey, "", map[string]string{"status": "documents_requested"}, nil)

	// The reactions run on the bus: 1% of 120 000 is 1 200 points.
	require.Eventually(t, func() bool {
		var acc cabinet.GetBonusAccountResponse
		call("GET", "/bonus", websiteKey, token, nil, &acc)
		return acc.Balance == 1200
	}, 30*time.Second, 50*time.Millisecond, "bonus points accrued on the payment")
	var inbox cabinet.ListNotificationsResponse
	require.Eventually(t, func() bool {
		call("GET", "/notifications", websiteKey, token, nil, &inbox)
		return len(inbox.Notifications) >= 2
	}, 30*time.Second, 50*time.Millisecond, "claim notices in the inbox")
	kinds := map[string]int{}
	for _, n := range inbox.Notifications {
		kinds[n.Kind]++
	}
	assert.Equal(t, 1, kinds["claim_status"], "one notice of the status change")
	assert.Equal(t, 1, kinds["missing_documents"], "one notice of the missing documents")

	failures, err := bus.Failed(ctx, sqldb.FromPgx(ta.pool))
	require.NoError(t, err)
	assert.Empty(t, failures, "no reaction gave up")
}

// TestAFailingGatewayIsPoisonedWithoutBlocking points kabinet at an SMS
// gateway that answers 500: the claim notice's reaction is retried, then set
// aside in the poison queue with the reason, while bonus accrual on later
// events goes on; once the gateway works, `reactions retry` delivers it.
func TestAFailingGatewayIsPoisonedWithoutBlocking(t *testing.T) {
	var failing atomic.Bool
	failing.Store(true)
	var sent atomic.Int32
	gateway := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if failing.Load() {
			http.Error(w, "gateway down", http.StatusInternalServerError)
			return
		}
		sent.Add(1)
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"id":%d,"cnt":1}`, sent.Load())
	}))
	t.Cleanup(gateway.Close)
	t.Setenv("KABINET_SMS_URL", gateway.URL)
	t.Setenv("KABINET_SMS_API_KEY", "test-key")
	ta := startApp(t)
	ctx := context.Background()

	// Registration is not possible by SMS with the gateway down: put the
	// client in through the commands instead, as the KIAS feed would.
	iin, phone := kz.MustParseIIN("851231400001"), kz.MustParsePhone("+77017654321")
	ta.partners.kiasSim.AddPerson(kias.Person{IIN: iin, FirstName: "Ерлан", LastName: "Ахметов", Phone: phone})
	ta.issuePaid(t, iin, "KD-POISON-1", "50000.00")
	ta.call(t, "POST", "/insurer/claims", ta.insurerKey, "", map[string]string{"number": "VD-POISON-1", "kiasContractId": "KD-POISON-1", "kind": "theft"}, nil)
	ta.call(t, "POST", "/insurer/claims/VD-POISON-1/status", ta.insurerKey, "", map[string]string{"status": "documents_requested"}, nil)
	ta.issuePaid(t, iin, "KD-POISON-2", "70000.00")

	var failures []bus.Failure
	require.Eventually(t, func() bool {
		var err error
		failures, err = bus.Failed(ctx, sqldb.FromPgx(ta.pool))
		require.NoError(t, err)
		for _, f := range failures {
			if f.EventType == "claim.status_changed" {
				return true
			}
		}
		return false
	}, 60*time.Second, 100*time.Millisecond, "the claim notice was poisoned")
	for _, f := range failures {
		assert.NotContains(t, f.Reason, phone.String(), "no phone in the reason")
		if f.EventType == "claim.status_changed" {
			assert.Contains(t, f.Reason, "sms", "the reason names the gateway")
			assert.Greater(t, f.Attempts, 1, "retried before it was set aside")
		}
	}
	// Later events were not held back: both payments earned points.
	require.Eventually(t, func() bool {
		var points int64
		err := ta.pool.QueryRow(ctx, `SELECT coalesce(sum(balance), 0) FROM bonus_accounts`).Scan(&points)
		return err == nil && points == 1200
	}, 30*time.Second, 100*time.Millisecond, "bonus accrued on both payments")

	failing.Store(false)
	t.Setenv("KABINET_DATABASE_URL", ta.dbURL)
	out, err := kabinet(t, "reactions", "retry", "--all")
	require.NoError(t, err, out)
	left, err := bus.Failed(ctx, sqldb.FromPgx(ta.pool))
	require.NoError(t, err)
	assert.Empty(t, left)
	assert.Positive(t, sent.Load(), "the notice went out once the gateway worked")
}

// Regression: with KABINET_PAYMENTS_CALLBACK_SECRET set and the provider
// simulated, the simulator signed with another secret than the callback
// checked, so every simulated payment was refused.
func TestASimulatedPaymentIsAcceptedWithAConfiguredSecret(t *testing.T) {
	t.Setenv("KABINET_PAYMENTS_CALLBACK_SECRET", "a-secret-of-at-least-16-bytes")
	ta := startApp(t)
	ctx := context.Background()
	iin := kz.MustParseIIN("050720600002")
	var issued struct{ PolicyID string }
	ta.call(t, "POST", "/insurer/policies", ta.insurerKey, "", cabinet.IssuePolicyRequest{
		KIASContractID: "KD-PAY-1", Number: "PROP-PAY-1", Product: "property", Insurer: "АО «Страховая компания»",
		StartsOn: "2026-01-01", EndsOn: "2026-12-31", Holder: cabinet.PersonInput{Name: "Касымова Дана", IIN: iin.String()},
		Premium: "50000.00", PaymentMethod: "card", InsuredPersons: []cabinet.PersonInput{}, Drivers: []cabinet.PersonInput{},
		Installments: []cabinet.InstallmentInput{},
	}, &issued)
	policyID, err := uuid.Parse(issued.PolicyID)
	require.NoError(t, err)
	link, err := ta.partners.payments.PaymentLink(ctx, payments.LinkRequest{PolicyID: policyID, PolicyNumber: "PROP-PAY-1",
		Amount: money.MustParse("50000.00"), IdempotencyKey: "pay-1"})
	require.NoError(t, err)
	_, err = ta.partners.payments.Pay(ctx, link)
	require.NoError(t, err, "the callback accepts the simulator's signature")
}
