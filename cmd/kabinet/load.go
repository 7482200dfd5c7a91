package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"sync"

	"github.com/kabinet/kabinet/eventstore"
	"github.com/kabinet/kabinet/internal/bench"
	"github.com/kabinet/kabinet/internal/pii"
	"github.com/kabinet/kabinet/internal/sqldb"
	"github.com/kabinet/kabinet/projections"
)

// benchLoadCmd runs a mixed load at a fixed rate against kabinet served on
// loopback over a scratch database, and counts the writes in the log
// afterwards: exit 1 on any error or lost write.
func benchLoadCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("bench load", flag.ContinueOnError)
	fs.SetOutput(stderr)
	dsn := fs.String("db", "", "postgres://… URL of the server to create a scratch database on, or sqlite:PATH for a scratch SQLite file "+
		"at PATH, which must not exist (sqlite: alone: in a temporary directory); "+
		"default: KABINET_DATABASE_URL's PostgreSQL server, or sqlite: when kabinet runs on SQLite")
	rate := fs.Int("rate", bench.DefaultLoadRate, "requests per second in all, at a fixed rate")
	duration := fs.Duration("duration", bench.DefaultLoadDuration, "how long the load runs, after the seeding")
	clients := fs.Int("clients", bench.DefaultLoadClients, "clients seeded through the API, whom the requests cycle over")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "Usage: kabinet bench load [--rate N] [--duration D] [--clients N] [--db DSN]")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		fs.Usage()
		return fmt.Errorf("bench load takes no arguments, got %q", fs.Args())
	}
	// Zero would select the defaults in bench.LoadConfig: refuse it here.
	var errs []error
	if *rate <= 0 {
		errs = append(errs, fmt.Errorf("--rate %d: must be positive", *rate))
	}
	if *duration <= 0 {
		errs = append(errs, fmt.Errorf("--duration %s: must be positive", *duration))
	}
	if *clients <= 0 {
		errs = append(errs, fmt.Errorf("--clients %d: must be positive", *clients))
	}
	if err := errors.Join(errs...); err != nil {
		return err
	}
	if *dsn == "" {
		cfg, err := loadConfig()
		if err != nil {
			return err
		}
		*dsn = benchDefault(cfg)
	}

	rep, err := bench.Load(ctx, bench.LoadConfig{Database: *dsn, Rate: *rate, Duration: *duration, Clients: *clients,
		Serve: serveForLoad(stderr), Progress: stderr})
	failed := errors.Is(err, bench.ErrLoadFailed)
	if err != nil && !failed {
		return err
	}
	fmt.Fprintln(stdout)
	if werr := bench.WriteLoadReport(stdout, rep); werr != nil {
		return werr
	}
	if failed {
		fmt.Fprintln(stderr, "kabinet bench load:", err)
		return &exitError{code: 1, err: err}
	}
	return nil
}

// serveForLoad starts kabinet as serve does: the store sealing personal
// data as openBackend wraps it, the read models, and the application of
// newApp with every partner simulated and an in-process bus, on loopback
// at a free port. The secret and the master key are new for the scratch
// database. Warnings and errors go to logs as JSON.
func serveForLoad(logs io.Writer) bench.ServeFunc {
	return func(ctx context.Context, db sqldb.DB, raw eventstore.Store) (bench.LoadServer, error) {
		cfg, err := loadConfig()
		if err != nil {
			return bench.LoadServer{}, err
		}
		secret, master := make([]byte, 32), make([]byte, pii.KeySize)
		_, _ = rand.Read(secret) // crypto/rand does not fail on Linux
		_, _ = rand.Read(master)
		cfg.Secret = hex.EncodeToString(secret)
		cfg.Partners = partnerConfig{}
		cfg.NATSURL = ""
		logger := newLogger(logs, "warn")
		store, err := sealStore(db, raw, master)
		if err != nil {
			return bench.LoadServer{}, err
		}

		runner, err := projections.NewRunner(db, store, readModels(), projections.Config{Logger: logger})
		if err != nil {
			return bench.LoadServer{}, err
		}
		mux := http.NewServeMux()
		application, err := newApp(cfg, db, store, runner, mux, logger)
		if err != nil {
			return bench.LoadServer{}, err
		}
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return bench.LoadServer{}, fmt.Errorf("listen: %w", err)
		}
		srv := newHTTPServer(mux)
		url := "http://" + ln.Addr().String()
		application.listening(url)

		loops, stopLoops := context.WithCancel(context.WithoutCancel(ctx))
		var wg sync.WaitGroup
		wg.Go(func() { _ = runner.Run(loops) })
		wg.Go(func() { application.run(loops) })
		wg.Go(func() { _ = srv.Serve(ln) })
		stop := func() {
			shutdownCtx, cancel := context.WithTimeout(context.Background(), cfg.ShutdownTimeout)
			defer cancel()
			if err := srv.Shutdown(shutdownCtx); err != nil {
				_ = srv.Close()
			}
			stopLoops()
			wg.Wait()
		}
		return bench.LoadServer{URL: url, KIAS: application.partners.kiasSim, SMS: application.partners.smsSim, Stop: stop}, nil
	}
}
