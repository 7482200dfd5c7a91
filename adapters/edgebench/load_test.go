package edgebench

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/require"
	vegeta "github.com/tsenart/vegeta/v12/lib"

	"github.com/kabinet/kabinet/adapters/cabinet/cabinettest"
	"github.com/kabinet/kabinet/adapters/httpapi"
	"github.com/kabinet/kabinet/adapters/soap"
	"github.com/kabinet/kabinet/domain/client"
	"github.com/kabinet/kabinet/domain/money"
	"github.com/kabinet/kabinet/domain/policy"
)

func envInt(name string, def int) int {
	if v, err := strconv.Atoi(os.Getenv(name)); err == nil && v > 0 {
		return v
	}
	return def
}

// BenchmarkAPILoad reports p50 and p99 latency of each protocol and
// operation at a fixed rate, and the ratio of SOAP's p99 to JSON's.
func BenchmarkAPILoad(b *testing.B) {
	clients := envInt("KABINET_BENCH_CLIENTS", 10000)
	rate := envInt("KABINET_BENCH_RATE", 75)
	seconds := envInt("KABINET_BENCH_SECONDS", 10)

	k := cabinettest.New(b)
	seed(b, k, clients)
	// The clients the load logs in as: each with three policies.
	type session struct {
		token    string
		policyID string
	}
	var sessions []session
	for range 50 {
		c := k.Client(b)
		var p cabinettest.Policy
		for i := range 3 {
			p = k.Policy(b, c, cabinettest.PolicyOptions{Installments: 2 * i})
		}
		sessions = append(sessions, session{token: c.Session.SessionToken, policyID: p.ID.String()})
	}

	soapHandler, err := soap.NewHandler(k.Service, soap.Config{})
	require.NoError(b, err)
	jsonHandler, err := httpapi.NewHandler(k.Service, httpapi.Config{})
	require.NoError(b, err)
	mux := http.NewServeMux()
	mux.Handle("/soap", soapHandler)
	mux.Handle("/api/v1/", jsonHandler)
	srv := httptest.NewServer(mux)
	b.Cleanup(srv.Close)

	header := func(token string) http.Header {
		return http.Header{"X-Api-Key": {k.WebsiteKey}, "Authorization": {"Bearer " + token}}
	}
	soapHeader := func(token, op string) http.Header {
		h := header(token)
		h.Set("Content-Type", "text/xml; charset=utf-8")
		h.Set("SOAPAction", `"urn:kabinet:v1#`+op+`"`)
		return h
	}
	envelope := func(body string) []byte {
		return []byte(`<?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body>` +
			body + `</soap:Body></soap:Envelope>`)
	}
	targets := map[string][]vegeta.Target{}
	for _, s := range sessions {
		targets["json ListPolicies"] = append(targets["json ListPolicies"], vegeta.Target{Method: "GET",
			URL: srv.URL + "/api/v1/policies", Header: header(s.token)})
		targets["json GetPolicy"] = append(targets["json GetPolicy"], vegeta.Target{Method: "GET",
			URL: srv.URL + "/api/v1/policies/" + s.policyID, Header: header(s.token)})
		targets["soap ListPolicies"] = append(targets["soap ListPolicies"], vegeta.Target{Method: "POST",
			URL: srv.URL + "/soap", Header: soapHeader(s.token, "ListPolicies"),
			Body: envelope(`<ListPolicies xmlns="urn:kabinet:v1"/>`)})
		targets["soap GetPolicy"] = append(targets["soap GetPolicy"], vegeta.Target{Method: "POST",
			URL: srv.URL + "/soap", Header: soapHeader(s.token, "GetPolicy"),
			Body: envelope(`<GetPolicy xmlns="urn:kabinet:v1"><policyId>` + s.policyID + `</policyId></GetPolicy>`)})
	}

	b.ResetTimer()
	for range b.N {
		// All four run at once, so that the total rate is 4 × rate.
		metrics := map[string]*vegeta.Metrics{}
		var mu sync.Mutex
		var wg sync.WaitGroup
		for name, tgts := range targets {
			wg.Go(func() {
				atk := vegeta.NewAttacker(vegeta.Timeout(10*time.Second), vegeta.KeepAlive(true))
				var m vegeta.Metrics
				for res := range atk.Attack(vegeta.NewStaticTargeter(tgts...), vegeta.Rate{Freq: rate, Per: time.Second},
					time.Duration(seconds)*time.Second, name) {
					m.Add(res)
				}
				m.Close()
				mu.Lock()
				metrics[name] = &m
				mu.Unlock()
			})
		}
		wg.Wait()
		b.StopTimer()
		for _, name := range []string{"json ListPolicies", "soap ListPolicies", "json GetPolicy", "soap GetPolicy"} {
			m := metrics[name]
			if m.Success < 1 {
				b.Fatalf("%s: %.1f%% succeeded, errors: %v, status codes: %v", name, 100*m.Success, m.Errors, m.StatusCodes)
			}
			b.Logf("%-18s %6d requests at %.0f/s: p50 %6.2f ms  p99 %6.2f ms  max %6.2f ms", name, m.Requests, m.Rate,
				ms(m.Latencies.P50), ms(m.Latencies.P99), ms(m.Latencies.Max))
		}
		for _, op := range []string{"ListPolicies", "GetPolicy"} {
			j, s := metrics["json "+op], metrics["soap "+op]
			b.ReportMetric(ms(j.Latencies.P99), op+"-json-p99-ms")
			b.ReportMetric(ms(s.Latencies.P99), op+"-soap-p99-ms")
			b.ReportMetric(float64(s.Latencies.P99)/float64(j.Latencies.P99), op+"-soap/json-p99")
		}
		b.StartTimer()
	}
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// seed puts n clients with a paid policy each into the store, through the
// command handlers, eight at a time.
func seed(b *testing.B, k *cabinettest.Kit, n int) {
	b.Helper()
	ctx := context.Background()
	work := make(chan int)
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for range 8 {
		wg.Go(func() {
			for i := range work {
				iin := cabinettest.NewIIN()
				id, res, err := k.Deps.Clients.RegisterClient(ctx, uuid.New(), client.RegisterClient{
					IIN: iin, FirstName: "Клиент", LastName: fmt.Sprintf("Нагрузочный-%d", i), Phone: cabinettest.NewPhone(), Source: client.SourceKIAS})
				if err == nil {
					k.Done(b, res, nil)
					today := policy.DateOf(time.Now())
					_, res, err = k.Deps.Policies.IssuePolicy(ctx, uuid.New(), policy.IssuePolicy{
						Product: policy.ProductOGPOVTS, Number: fmt.Sprintf("SEED-%07d", i), KIASContractID: fmt.Sprintf("SEED-KD-%07d", i),
						Insurer: "АО «Страховая компания»", StartsOn: today.AddDays(-100), EndsOn: today.AddDays(264),
						Holder:  policy.Holder{ClientID: id, IIN: iin, Name: "Нагрузочный Клиент"},
						Drivers: []policy.Person{{Name: "Нагрузочный Клиент", IIN: iin, KBM: policy.KBM{Class: "3", Coefficient: decimal.RequireFromString("0.90"), AsOf: today}}},
						Vehicle: policy.Vehicle{Make: "Lada", Model: "Vesta", Plate: "001AAA01", Year: 2020},
						Premium: money.MustParse("25000.00"), PaymentMethod: policy.PaymentCard,
					})
				}
				if err == nil {
					k.Done(b, res, nil)
				}
				if err != nil {
					select {
					case errs <- err:
					default:
					}
				}
			}
		})
	}
	for i := range n {
		work <- i
	}
	close(work)
	wg.Wait()
	select {
	case err := <-errs:
		b.Fatal(err)
	default:
	}
	k.Settle(b)
	var rows int
	require.NoError(b, k.Pool.QueryRow(ctx, `SELECT count(*) FROM policies`).Scan(&rows))
	b.Logf("seeded %d clients; the policies read model holds %d rows", n, rows)
}
