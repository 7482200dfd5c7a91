package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/kabinet/kabinet/eventstore/postgres"
	"github.com/kabinet/kabinet/internal/demo"
	"github.com/kabinet/kabinet/internal/sqldb"
	"github.com/kabinet/kabinet/projections"
)

func serve(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	cfg, err := loadConfig()
	if err != nil {
		return err
	}
	fs.StringVar(&cfg.Addr, "addr", cfg.Addr, "listen address (KABINET_ADDR)")
	withDemo := fs.Bool("demo", false, "load the demo data set (once; see README) on the simulated partners")
	if err := fs.Parse(args); err != nil {
		return err
	}
	logger := newLogger(stderr, cfg.LogLevel)

	if path, err := databasePath(cfg); err != nil {
		return err
	} else if path != "" {
		if err := os.MkdirAll(filepath.Dir(path), 0o750); err != nil {
			return fmt.Errorf("data directory: %w", err)
		}
		release, err := lockFile(path)
		if err != nil {
			return err
		}
		defer release()
	}
	b, err := openBackend(ctx, cfg, logger)
	if err != nil {
		return err
	}
	defer b.close()
	db, store := b.db, b.store

	runner, err := projections.NewRunner(db, store, readModels(), projections.Config{Logger: logger})
	if err != nil {
		return err
	}
	runnerDone := make(chan error, 1)
	go func() { runnerDone <- runner.Run(ctx) }()

	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		newProjectionCollector(db, runner.Projections(), logger))
	if b.pg != nil {
		reg.MustRegister(newFrontierCollector(b.pg, logger))
	}

	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) { fmt.Fprintln(w, "ok") })
	var demoPending atomic.Bool
	demoPending.Store(*withDemo)
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) {
		if demoPending.Load() {
			http.Error(w, "loading the demo data", http.StatusServiceUnavailable)
			return
		}
		ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
		defer cancel()
		if err := db.Ping(ctx); err != nil {
			http.Error(w, "database unreachable", http.StatusServiceUnavailable)
			return
		}
		fmt.Fprintln(w, "ready")
	})
	mux.Handle("GET /metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))
	application, err := newApp(cfg, db, store, runner, mux, logger)
	if err != nil {
		return err
	}

	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", cfg.Addr, err)
	}
	srv := newHTTPServer(mux)
	fmt.Fprintf(stdout, "kabinet %s listening on http://%s (%s)\n", version, ln.Addr(), b.where)
	fmt.Fprintf(stdout, "  health: http://%[1]s/healthz  readiness: http://%[1]s/readyz  metrics: http://%[1]s/metrics\n", ln.Addr())
	fmt.Fprintf(stdout, "  SOAP: http://%[1]s/soap (WSDL: http://%[1]s/soap?wsdl)  JSON: http://%[1]s/api/v1/ (OpenAPI: http://%[1]s/api/v1/openapi.json)\n", ln.Addr())
	if cfg.Web.Enabled {
		fmt.Fprintf(stdout, "  web cabinet: http://%s/\n", ln.Addr())
	}
	fmt.Fprintln(stdout, "  callers need an API key: kabinet apikey create NAME --role website|insurer")

	if len(application.partners.simulated) > 0 {
		fmt.Fprintf(stdout, "  simulated partners: %s\n", strings.Join(application.partners.simulated, ", "))
	}
	application.listening("http://" + ln.Addr().String())
	appCtx, stopApp := context.WithCancel(context.Background())
	defer stopApp()
	appDone := make(chan struct{})
	go func() { defer close(appDone); application.run(appCtx) }()

	errc := make(chan error, 2)
	go func() { errc <- srv.Serve(ln) }()
	if *withDemo {
		go func() {
			logins, err := application.loadDemo(appCtx)
			if err != nil {
				errc <- fmt.Errorf("demo data: %w", err)
				return
			}
			printDemo(stdout, logins)
			demoPending.Store(false)
		}()
	}
	var failed error
	select {
	case failed = <-errc:
	case <-ctx.Done():
	}
	logger.Info("shutting down", "timeout", cfg.ShutdownTimeout)
	shutdownCtx, cancel := context.WithTimeout(context.Background(), cfg.ShutdownTimeout)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("shutdown: %w", err)
	}
	// Requests are finished; now the background loops: reactions finish or
	// leave their event to be delivered again, the scheduler releases its
	// leases by expiry.
	stopApp()
	<-appDone
	<-runnerDone // the runner stops between batches: nothing half-applied
	return failed
}

// printDemo lists the demo logins.
func printDemo(w io.Writer, logins []demo.Login) {
	fmt.Fprintln(w, "  demo data loaded; log in with (IIN or phone, access code):")
	for _, l := range logins {
		fmt.Fprintf(w, "    %s  %s  %s  %s: %s\n", l.IIN, l.Phone, l.AccessCode, l.Name, l.Shows)
	}
}

func newLogger(w io.Writer, level string) *slog.Logger {
	var l slog.Level
	_ = l.UnmarshalText([]byte(level)) // validated in loadConfig
	return slog.New(slog.NewJSONHandler(w, &slog.HandlerOptions{Level: l}))
}

// frontierCollector exports the age of the oldest open write transaction,
// the one that holds every reader of the global log back.
type frontierCollector struct {
	store  *postgres.Store
	logger *slog.Logger
	age    *prometheus.Desc
	held   *prometheus.Desc
}

func newFrontierCollector(s *postgres.Store, logger *slog.Logger) *frontierCollector {
	return &frontierCollector{
		store: s, logger: logger,
		age: prometheus.NewDesc("kabinet_log_frontier_oldest_tx_age_seconds",
			"Age of the oldest open write transaction holding readers of the event log back (0 when none).", nil, nil),
		held: prometheus.NewDesc("kabinet_log_frontier_held",
			"1 when an open write transaction holds readers of the event log back.", nil, nil),
	}
}

func (c *frontierCollector) Describe(ch chan<- *prometheus.Desc) { ch <- c.age; ch <- c.held }

func (c *frontierCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	f, err := c.store.Frontier(ctx)
	if err != nil {
		c.logger.Warn("read the log frontier", "error", err)
		return
	}
	held := 0.0
	if f.Held() {
		held = 1
		if f.OldestAge > 10*time.Second {
			c.logger.Warn("an open write transaction holds readers of the event log back",
				"pid", f.OldestPID, "database", f.OldestDatabase, "age_seconds", f.OldestAge.Seconds(), "application", f.OldestApp, "state", f.OldestState)
		}
	}
	ch <- prometheus.MustNewConstMetric(c.age, prometheus.GaugeValue, f.OldestAge.Seconds())
	ch <- prometheus.MustNewConstMetric(c.held, prometheus.GaugeValue, held)
}

// projectionCollector exports each read model's lag behind the log.
type projectionCollector struct {
	db          sqldb.DB
	projections []projections.Projection
	logger      *slog.Logger
	lagEvents   *prometheus.Desc
	lagSeconds  *prometheus.Desc
	events      *prometheus.Desc
}

func newProjectionCollector(db sqldb.DB, ps []projections.Projection, logger *slog.Logger) *projectionCollector {
	return &projectionCollector{db: db, projections: ps, logger: logger,
		lagEvents: prometheus.NewDesc("kabinet_projection_lag_events",
			"Events in the log that the projection's live generation has not applied yet.", []string{"projection"}, nil),
		lagSeconds: prometheus.NewDesc("kabinet_projection_lag_seconds",
			"Age of the oldest event the projection has not applied yet (0 when current).", []string{"projection"}, nil),
		events: prometheus.NewDesc("kabinet_projection_applied_events",
			"Events applied by the projection's live generation.", []string{"projection"}, nil),
	}
}

func (c *projectionCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- c.lagEvents
	ch <- c.lagSeconds
	ch <- c.events
}

func (c *projectionCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	statuses, err := projections.Statuses(ctx, c.db, c.projections)
	if err != nil {
		c.logger.Warn("read projection status", "error", err)
		return
	}
	for _, s := range statuses {
		ch <- prometheus.MustNewConstMetric(c.lagEvents, prometheus.GaugeValue, float64(s.LagEvents), s.Name)
		ch <- prometheus.MustNewConstMetric(c.lagSeconds, prometheus.GaugeValue, s.Lag.Seconds(), s.Name)
		ch <- prometheus.MustNewConstMetric(c.events, prometheus.CounterValue, float64(s.Live.Events), s.Name)
	}
}

// newHTTPServer is serve's HTTP server: a slow or stalled client is cut off
// rather than holding a connection for ever.
func newHTTPServer(h http.Handler) *http.Server {
	return &http.Server{Handler: h, ReadHeaderTimeout: 5 * time.Second, ReadTimeout: 30 * time.Second,
		WriteTimeout: 30 * time.Second, IdleTimeout: 2 * time.Minute}
}
