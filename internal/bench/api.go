package bench

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"net"
	"net/http"
	"time"

	"github.com/kabinet/kabinet/adapters/cabinet"
	"github.com/kabinet/kabinet/adapters/esbd"
	"github.com/kabinet/kabinet/adapters/httpapi"
	"github.com/kabinet/kabinet/adapters/kias"
	"github.com/kabinet/kabinet/adapters/payments"
	"github.com/kabinet/kabinet/adapters/pdf"
	"github.com/kabinet/kabinet/adapters/sms"
	"github.com/kabinet/kabinet/adapters/soap"
	"github.com/kabinet/kabinet/commands"
	"github.com/kabinet/kabinet/eventstore"
	"github.com/kabinet/kabinet/internal/sqldb"
	"github.com/kabinet/kabinet/projections"
	"github.com/kabinet/kabinet/projections/readmodels"
)

// apiTarget is the bound on every API p99 at 300 requests/s.
const apiTarget = 20 * time.Millisecond

// cabinetKit is a cabinet wired as serve wires it, with simulated
// partners, on a database whose read models are live.
type cabinetKit struct {
	runner  *projections.Runner
	deps    cabinet.Deps
	service *cabinet.Service
	kias    *kias.Simulator
	key     string // an API key of the website role
}

func newCabinetKit(ctx context.Context, db sqldb.DB, store eventstore.Store, runner *projections.Runner) (*cabinetKit, error) {
	secret := make([]byte, 32)
	_, _ = rand.Read(secret) // crypto/rand does not fail on Linux
	k := &cabinetKit{runner: runner, kias: kias.NewSimulator()}
	deps, err := cabinet.Assemble(cabinet.Assembly{
		DB: db, Store: store, Projections: runner,
		Partners: cabinet.Partners{KIAS: k.kias, ESBD: esbd.NewSimulator(), SMS: sms.NewSimulator(),
			Payments: payments.NewSimulator("https://pay.example.kz")},
		Secret: secret,
		// Only the logins that open the load's sessions hash access codes;
		// the measured operations never do, so the cheapest cost will do.
		AccessCodes: commands.AccessCodeConfig{Argon2Time: 1, Argon2MemoryKiB: 1024, Argon2Threads: 1},
	})
	if err != nil {
		return nil, err
	}
	deps.RenderPolicy = pdf.Policy
	k.deps = deps
	if k.service, err = cabinet.New(deps, cabinet.Config{}); err != nil {
		return nil, err
	}
	if k.key, err = cabinet.CreateAPIKey(ctx, db, "bench-website", cabinet.RoleWebsite); err != nil {
		return nil, err
	}
	return k, nil
}

// runAPI serves the API on loopback from a database holding the log's
// clients and measures ListPolicies and GetPolicy over JSON and SOAP at a
// fixed rate, with the process's resident memory meanwhile.
func runAPI(ctx context.Context, t target, sz Sizes, progress func(string, ...any)) ([]Row, Memory, error) {
	runner, err := projections.NewRunner(t.db(), t.store(), readmodels.All(), projections.Config{})
	if err != nil {
		return nil, Memory{}, err
	}
	ctx, cancel := context.WithCancel(ctx)
	runnerDone := make(chan struct{})
	go func() { defer close(runnerDone); _ = runner.Run(ctx) }()
	defer func() { cancel(); <-runnerDone }()

	k, err := newCabinetKit(ctx, t.db(), t.store(), runner)
	if err != nil {
		return nil, Memory{}, err
	}
	progress("API: %d clients log in, three policies each", sz.Sessions)
	sessions, err := k.sessions(ctx, sz.Sessions)
	if err != nil {
		return nil, Memory{}, err
	}
	soapHandler, err := soap.NewHandler(k.service, soap.Config{})
	if err != nil {
		return nil, Memory{}, err
	}
	jsonHandler, err := httpapi.NewHandler(k.service, httpapi.Config{})
	if err != nil {
		return nil, Memory{}, err
	}
	mux := http.NewServeMux()
	mux.Handle("/soap", soapHandler)
	mux.Handle("/api/v1/", jsonHandler)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, Memory{}, fmt.Errorf("listen: %w", err)
	}
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	defer func() {
		_ = srv.Close()
		<-served
	}()

	total := sz.APIRate * len(APIOperations)
	progress("API: %d requests/s (%d per protocol and operation) for %s", total, sz.APIRate, sz.APIDuration)
	targets := APITargets("http://"+ln.Addr().String(), k.key, sessions)
	rss := sampleRSS()
	metrics := Attack(targets, sz.APIRate, sz.APIDuration)
	mem := rss.stop()

	var rows []Row
	var errs []error
	for _, name := range APIOperations {
		m := metrics[name]
		if m.Success < 1 {
			errs = append(errs, fmt.Errorf("API %s: %.1f%% of %d requests succeeded, status codes %v, errors %v",
				name, 100*m.Success, m.Requests, m.StatusCodes, m.Errors))
			continue
		}
		note := fmt.Sprintf("%d requests at %.0f/s of %d/s in all", m.Requests, m.Rate, total)
		rows = append(rows,
			latencyRow("API "+name+" p50", m.Latencies.P50, 0, note),
			latencyRow("API "+name+" p99", m.Latencies.P99, apiTarget, fmt.Sprintf("max %.1f ms", ms(m.Latencies.Max))))
	}
	if err := errors.Join(errs...); err != nil {
		return nil, mem, err
	}
	note := fmt.Sprintf("VmHWM %.0f MiB; the process also runs the load generator and the projections", mem.HWMMiB)
	if !mem.HWMReset {
		note = fmt.Sprintf("VmHWM %.0f MiB over the whole run (could not reset it)", mem.HWMMiB)
	}
	rows = append(rows, Row{Name: "resident memory during the API run", Unit: "MiB", Kabinet: ptr(mem.PeakRSSMiB), Note: note})
	return rows, mem, nil
}
