package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"regexp"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kabinet/kabinet/adapters/bus"
	"github.com/kabinet/kabinet/adapters/cabinet"
	"github.com/kabinet/kabinet/adapters/kias"
	"github.com/kabinet/kabinet/domain/kz"
	"github.com/kabinet/kabinet/eventstore/postgres"
	"github.com/kabinet/kabinet/internal/pgtest"
	"github.com/kabinet/kabinet/projections"
)

// TestReactionsThroughTheBus wires the application as serve does and follows
// events from the API through the relay and the bus to the reactions and
// back to the API: a payment earns bonus points, a claim's status change and
// its missing documents reach the client's inbox, each once.
func TestReactionsThroughTheBus(t *testing.T) {
	pool, _ := pgtest.New(t, pgtest.Options{MaxConns: 40})
	t.Setenv("KABINET_SECRET_FILE", filepath.Join(t.TempDir(), "secret.key"))
	cfg, err := loadConfig()
	require.NoError(t, err)
	logger := newLogger(io.Discard, "error")
	store := postgres.New(pool, postgres.Options{})
	t.Cleanup(store.Close)
	runner, err := projections.NewRunner(pool, store, readModels(), projections.Config{PollInterval: 50 * time.Millisecond})
	require.NoError(t, err)
	mux := http.NewServeMux()
	a, err := newApp(cfg, pool, store, runner, mux, logger)
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); _ = runner.Run(ctx) }()
	go func() { a.run(ctx) }()
	t.Cleanup(func() { cancel(); <-done })
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	a.listening(srv.URL)

	websiteKey, err := cabinet.CreateAPIKey(ctx, pool, "website", cabinet.RoleWebsite)
	require.NoError(t, err)
	insurerKey, err := cabinet.CreateAPIKey(ctx, pool, "kias", cabinet.RoleInsurer)
	require.NoError(t, err)

	call := func(method, path, key, token string, body any, out any) int {
		t.Helper()
		var rd io.Reader
		if body != nil {
			b, err := json.Marshal(body)
			require.NoError(t, err)
			rd = bytes.NewReader(b)
		}
		req, err := http.NewRequest(method, srv.URL+"/api/v1"+path, rd)
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
		if out != nil && resp.StatusCode == http.StatusOK {
			require.NoError(t, json.Unmarshal(raw, out), string(raw))
		}
		require.Equal(t, http.StatusOK, resp.StatusCode, "%s %s: %s", method, path, raw)
		return resp.StatusCode
	}

	// A client known to KIAS registers through the API.
	iin, phone := kz.MustParseIIN("900115300003"), kz.MustParsePhone("+77011234567")
	a.partners.kiasSim.AddPerson(kias.Person{IIN: iin, FirstName: "Айгерим", LastName: "Сарсенова", Phone: phone})
	var start cabinet.StartRegistrationResponse
	call("POST", "/registrations", websiteKey, "", map[string]string{"iin": iin.String()}, &start)
	call("POST", "/registrations/"+start.RegistrationID+"/code", websiteKey, "", map[string]string{}, nil)
	msg, ok := a.partners.smsSim.Last(phone)
	require.True(t, ok)
	code := regexp.MustCompile(`\d{6}`).FindString(msg.Text)
	var confirmed cabinet.ConfirmRegistrationResponse
	call("POST", "/registrations/"+start.RegistrationID+"/confirm", websiteKey, "", map[string]string{"code": code}, &confirmed)
	token := confirmed.Session.Token

	// The insurer's systems issue and pay a policy and move a claim.
	call("POST", "/insurer/policies", insurerKey, "", cabinet.IssuePolicyRequest{
		KIASContractID: "KD-BUS-1", Number: "PROP-BUS-1", Product: "property", Insurer: "АО «Страховая компания»",
		StartsOn: "2026-01-01", EndsOn: "2026-12-31", Holder: cabinet.PersonInput{Name: "Сарсенова Айгерим", IIN: iin.String()},
		Premium: "120000.00", PaymentMethod: "card", InsuredPersons: []cabinet.PersonInput{}, Drivers: []cabinet.PersonInput{},
		Installments: []cabinet.InstallmentInput{},
	}, nil)
	call("POST", "/insurer/payments", insurerKey, "", map[string]string{"kiasContractId": "KD-BUS-1", "paymentRef": "PAY-BUS-1", "amount": "120000.00"}, nil)
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

	failures, err := bus.Failed(ctx, pool)
	require.NoError(t, err)
	assert.Empty(t, failures, "no reaction gave up")
}
