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

	"github.com/kabinet/kabinet/adapters/cabinet/cabinettest"
	"github.com/kabinet/kabinet/adapters/httpapi"
	"github.com/kabinet/kabinet/adapters/soap"
	"github.com/kabinet/kabinet/domain/client"
	"github.com/kabinet/kabinet/domain/money"
	"github.com/kabinet/kabinet/domain/policy"
	"github.com/kabinet/kabinet/internal/bench"
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
	var sessions []bench.APISession
	for range 50 {
		c := k.Client(b)
		var p cabinettest.Policy
		for i := range 3 {
			p = k.Policy(b, c, cabinettest.PolicyOptions{Installments: 2 * i})
		}
		sessions = append(sessions, bench.APISession{Token: c.Session.SessionToken, PolicyID: p.ID.String()})
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
	targets := bench.APITargets(srv.URL, k.WebsiteKey, sessions)

	b.ResetTimer()
	for range b.N {
		// All four run at once, so that the total rate is 4 × rate.
		metrics := bench.Attack(targets, rate, time.Duration(seconds)*time.Second)
		b.StopTimer()
		for _, name := range bench.APIOperations {
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
