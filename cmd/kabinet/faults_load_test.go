package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/kabinet/kabinet/adapters/cabinet"
	"github.com/kabinet/kabinet/domain/kz"
)

// insurerAPI calls the JSON API with a key of the insurer role.
type insurerAPI struct {
	client *http.Client
	base   string // http://host:port
	key    string
}

// post sends body to path and decodes a 200 answer into out. err is set
// only when no answer came; status and the body tell the rest.
func (a insurerAPI) post(ctx context.Context, path string, body, out any) (status int, answer []byte, err error) {
	b, err := json.Marshal(body)
	if err != nil {
		return 0, nil, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, a.base+"/api/v1"+path, bytes.NewReader(b))
	if err != nil {
		return 0, nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-API-Key", a.key)
	resp, err := a.client.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	answer, err = io.ReadAll(resp.Body)
	if err != nil {
		return 0, nil, err
	}
	if resp.StatusCode == http.StatusOK && out != nil {
		if err := json.Unmarshal(answer, out); err != nil {
			return resp.StatusCode, answer, fmt.Errorf("decode the answer of %s: %w", path, err)
		}
	}
	return resp.StatusCode, answer, nil
}

// issueRequest is a motor policy for a contract, the shape the insurer's
// systems send.
func issueRequest(contract string, holder kz.IIN) cabinet.IssuePolicyRequest {
	today := time.Now().UTC()
	return cabinet.IssuePolicyRequest{
		KIASContractID: contract, Number: "OGPO-" + contract, Product: "ogpo_vts", Insurer: "АО «Страховая компания»",
		StartsOn: cabinet.Date(today.AddDate(0, 0, -1).Format(time.DateOnly)),
		EndsOn:   cabinet.Date(today.AddDate(1, 0, -2).Format(time.DateOnly)),
		Holder:   cabinet.PersonInput{Name: "Тестов Тест", IIN: holder.String()},
		Drivers:  []cabinet.PersonInput{{Name: "Тестов Тест", IIN: holder.String()}},
		Vehicle:  &cabinet.Vehicle{Make: "Kia", Model: "Rio", Plate: "777AAA02", Year: 2021},
		Premium:  "24500.00", PaymentMethod: "card",
		InsuredPersons: []cabinet.PersonInput{}, Installments: []cabinet.InstallmentInput{},
	}
}

// holderIINs makes n valid IINs of people born in 1990.
func holderIINs(t *testing.T, n int) []kz.IIN {
	t.Helper()
	var out []kz.IIN
	for serial := 0; len(out) < n; serial++ {
		require.Less(t, serial, 10000, "ran out of IIN serials")
		if iin, err := kz.CompleteIIN(fmt.Sprintf("9001013%04d", serial)); err == nil {
			out = append(out, iin)
		}
	}
	return out
}

// answered is what the API acknowledged with 200: the writes that must be
// in the log whatever happens to the process afterwards.
type answered struct {
	mu         sync.Mutex
	policies   map[string]string // KIAS contract ID → policy ID
	payments   map[string]string // payment reference → policy ID
	unexpected []string          // answers other than 200
}

func newAnswered() *answered {
	return &answered{policies: map[string]string{}, payments: map[string]string{}}
}

func (a *answered) policy(contract, policyID string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.policies[contract] = policyID
}

func (a *answered) payment(ref, policyID string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.payments[ref] = policyID
}

func (a *answered) refused(what string, status int, body []byte) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.unexpected = append(a.unexpected, fmt.Sprintf("%s: %d %s", what, status, body))
}

// writeSteadily issues policies and records a payment on each, one after
// the other, until ctx ends or the process stops answering. Contract IDs
// and payment references start with prefix, so every write is new.
func writeSteadily(ctx context.Context, api insurerAPI, prefix string, holders []kz.IIN, log *answered) {
	for i := 0; ctx.Err() == nil; i++ {
		contract := fmt.Sprintf("KD-%s-%d", prefix, i)
		var issued cabinet.IssuePolicyResponse
		status, body, err := api.post(ctx, "/insurer/policies", issueRequest(contract, holders[i%len(holders)]), &issued)
		if err != nil {
			return
		}
		if status != http.StatusOK {
			log.refused("IssuePolicy "+contract, status, body)
			continue
		}
		log.policy(contract, issued.PolicyID)

		ref := "PAY-" + contract
		var paid cabinet.RecordPaymentResponse
		status, body, err = api.post(ctx, "/insurer/payments",
			cabinet.RecordPaymentRequest{KIASContractID: contract, PaymentRef: ref, Amount: "24500.00"}, &paid)
		if err != nil {
			return
		}
		if status != http.StatusOK {
			log.refused("RecordPayment "+ref, status, body)
			continue
		}
		log.payment(ref, paid.PolicyID)
	}
}

// soapCall posts a SOAP 1.1 envelope around body to /soap and returns the
// status and the answer; err is set only when no answer came.
func (a insurerAPI) soapCall(ctx context.Context, body string) (status int, answer string, err error) {
	envelope := `<?xml version="1.0"?><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body>` +
		body + `</soap:Body></soap:Envelope>`
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, a.base+"/soap", strings.NewReader(envelope))
	if err != nil {
		return 0, "", err
	}
	req.Header.Set("Content-Type", "text/xml; charset=utf-8")
	req.Header.Set("X-API-Key", a.key)
	resp, err := a.client.Do(req)
	if err != nil {
		return 0, "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b), err
}

// soapRecordPayment is the body of a RecordPayment call.
func soapRecordPayment(contract, ref string) string {
	return `<RecordPayment xmlns="urn:kabinet:v1"><kiasContractId>` + contract + `</kiasContractId><paymentRef>` + ref +
		`</paymentRef><amount>24500.00</amount></RecordPayment>`
}

// outcomes counts the answers a writer got, by status and code.
type outcomes struct {
	mu     sync.Mutex
	counts map[string]int
}

func (o *outcomes) add(what string) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.counts == nil {
		o.counts = map[string]int{}
	}
	o.counts[what]++
}

func (o *outcomes) snapshot() map[string]int {
	o.mu.Lock()
	defer o.mu.Unlock()
	return maps.Clone(o.counts)
}

// issueSteadily issues new policies one after the other until ctx ends and
// counts the answers: "200", "503 UNAVAILABLE", or whatever else came.
func issueSteadily(ctx context.Context, api insurerAPI, prefix string, holders []kz.IIN, seen *outcomes) {
	for i := 0; ctx.Err() == nil; i++ {
		contract := fmt.Sprintf("KD-%s-%d", prefix, i)
		var problem struct{ Code string }
		status, body, err := api.post(ctx, "/insurer/policies", issueRequest(contract, holders[i%len(holders)]), nil)
		switch {
		case ctx.Err() != nil:
			return
		case err != nil:
			seen.add("no answer: " + err.Error())
			continue
		case status == http.StatusOK:
			seen.add("200")
			continue
		}
		_ = json.Unmarshal(body, &problem)
		seen.add(fmt.Sprintf("%d %s", status, problem.Code))
		if status == http.StatusServiceUnavailable {
			time.Sleep(50 * time.Millisecond) // as a client told to try again later would
		}
	}
}
