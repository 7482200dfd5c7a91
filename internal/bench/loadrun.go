package bench

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"

	"github.com/kabinet/kabinet/adapters/cabinet"
	"github.com/kabinet/kabinet/adapters/kias"
	"github.com/kabinet/kabinet/adapters/sms"
	"github.com/kabinet/kabinet/eventstore"
	"github.com/kabinet/kabinet/internal/sqldb"
)

// Defaults of LoadConfig.
const (
	DefaultLoadRate     = 200
	DefaultLoadDuration = time.Minute
	DefaultLoadClients  = 50
)

// loginLimit is the cabinet's limit of logins per login in 15 minutes
// (cabinet.Config.LoginsPerLogin's default, which serve runs with).
const loginLimit = 20

// loadTimeout bounds each request: serve's write timeout, past which the
// server would cut the answer anyway.
const loadTimeout = 30 * time.Second

// LoadConfig tunes Load.
type LoadConfig struct {
	// Database is where the scratch database goes, as in Config.Database.
	Database string
	// Rate is requests per second in all, shared among the operations by
	// their weights; Duration is how long the load runs; Clients are the
	// seeded clients the requests cycle over.
	Rate     int
	Duration time.Duration
	Clients  int
	// Serve starts kabinet on the scratch database. Required.
	Serve ServeFunc
	// Progress receives a line as each step starts; nil discards them.
	Progress io.Writer
}

// ServeFunc starts kabinet's HTTP server on loopback over db and store,
// with its background loops and simulated partners, as serve runs it.
type ServeFunc func(ctx context.Context, db sqldb.DB, store eventstore.Store) (LoadServer, error)

// LoadServer is kabinet serving for a load run.
type LoadServer struct {
	URL  string // http://127.0.0.1:port
	KIAS *kias.Simulator
	SMS  *sms.Simulator
	// Stop shuts the server down and waits for its loops to end.
	Stop func()
}

func (c *LoadConfig) setDefaults() {
	orDefault(&c.Rate, DefaultLoadRate)
	orDefault(&c.Duration, DefaultLoadDuration)
	orDefault(&c.Clients, DefaultLoadClients)
	if c.Progress == nil {
		c.Progress = io.Discard
	}
}

// Validate reports every problem of the configuration at once, including
// a mix that would leave an operation without a request or push a client
// over the login limit.
func (c LoadConfig) Validate() error {
	var errs []error
	if err := (Config{Database: c.Database}).Validate(); err != nil {
		errs = append(errs, err)
	}
	if c.Serve == nil {
		errs = append(errs, errors.New("load configuration: Serve is required"))
	}
	switch {
	case c.Rate <= 0:
		errs = append(errs, fmt.Errorf("load configuration: rate %d: must be positive", c.Rate))
	case c.Duration <= 0:
		errs = append(errs, fmt.Errorf("load configuration: duration %s: must be positive", c.Duration))
	default:
		for _, op := range loadOps {
			if op.requests(c.Rate, c.Duration) == 0 {
				errs = append(errs, fmt.Errorf("load configuration: rate × duration: %s gets %d in %d of the requests, so none in %s at %d/s; raise rate or duration",
					op.name, op.weight, mixWeight, c.Duration, c.Rate))
			}
		}
	}
	if c.Clients <= 0 {
		errs = append(errs, fmt.Errorf("load configuration: clients %d: must be positive", c.Clients))
	} else if c.Rate > 0 && c.Duration > 0 {
		logins := opLogin.requests(c.Rate, min(c.Duration, 15*time.Minute))
		if per := (logins + c.Clients - 1) / c.Clients; per > loginLimit {
			errs = append(errs, fmt.Errorf("load configuration: clients %d: each would log in %d times in 15 minutes, over the limit of %d; use at least %d clients",
				c.Clients, per, loginLimit, (logins+loginLimit-1)/loginLimit))
		}
	}
	return errors.Join(errs...)
}

// Load runs the mixed load on a scratch database it creates and removes:
// kabinet serves on loopback, clients are seeded through the API, then
// every operation runs at its share of the rate for the duration, and the
// log is counted afterwards. It returns the report with an error wrapping
// ErrLoadFailed when a request was not answered 200 or a write is not in
// the log exactly once; any other error means the run could not finish.
func Load(ctx context.Context, cfg LoadConfig) (LoadReport, error) {
	cfg.setDefaults()
	if err := cfg.Validate(); err != nil {
		return LoadReport{}, err
	}
	rep := LoadReport{StartedAt: time.Now().UTC(), Rate: cfg.Rate, Duration: cfg.Duration, Clients: cfg.Clients}
	progress := func(format string, args ...any) {
		fmt.Fprintf(cfg.Progress, "%s  %s\n", time.Now().Format("15:04:05"), fmt.Sprintf(format, args...))
	}
	eng, err := newEngine(cfg.Database)
	if err != nil {
		return rep, err
	}
	err = runLoad(ctx, cfg, eng, &rep, progress)
	if dropErr := eng.dropAll(); dropErr != nil {
		err = errors.Join(err, dropErr)
	}
	rep.Machine.LoadEnd = loadAverage()
	if err != nil {
		return rep, err
	}
	if rep.Failed() {
		return rep, fmt.Errorf("%w: %d errors, %d lost writes, %d events repeated or without a 200 answer",
			ErrLoadFailed, rep.Errors(), rep.LostWrites(), rep.Miscounted())
	}
	return rep, nil
}

func runLoad(ctx context.Context, cfg LoadConfig, eng engine, rep *LoadReport, progress func(string, ...any)) error {
	t, err := eng.create(ctx, "load")
	if err != nil {
		return err
	}
	defer t.close()
	rep.Where = t.name()
	rep.Machine = describeHost()
	if err := t.describe(ctx, &rep.Machine); err != nil {
		return err
	}
	websiteKey, err := cabinet.CreateAPIKey(ctx, t.db(), "load-website", cabinet.RoleWebsite)
	if err != nil {
		return err
	}
	insurerKey, err := cabinet.CreateAPIKey(ctx, t.db(), "load-insurer", cabinet.RoleInsurer)
	if err != nil {
		return err
	}
	progress("%s: starting kabinet", t.name())
	srv, err := cfg.Serve(ctx, t.db(), t.store())
	if err != nil {
		return err
	}
	stop := sync.OnceFunc(srv.Stop)
	defer stop()

	progress("seeding %d clients through the API: registration, access code, a paid policy, %d claims each", cfg.Clients, claimsPerClient)
	started := time.Now()
	s := seeder{api: apiClient{http: &http.Client{Timeout: seedCallTimeout}, base: srv.URL}, srv: srv,
		websiteKey: websiteKey, insurerKey: insurerKey}
	clients, claims, least, err := s.seed(ctx, cfg.Clients)
	if err != nil {
		return err
	}
	rep.Seeding = time.Since(started)
	spends := opSpend.requests(cfg.Rate, cfg.Duration)
	if need := int64((spends+cfg.Clients-1)/cfg.Clients) * spendPoints; need > least {
		return fmt.Errorf("clients %d: each would spend %d points, more than the %d the seeded payments earned; use more clients",
			cfg.Clients, need, least)
	}

	var b [4]byte
	_, _ = rand.Read(b[:]) // crypto/rand does not fail on Linux
	run := "load-" + hex.EncodeToString(b[:])
	m := newMix(srv.URL, websiteKey, insurerKey, run, clients, newClaimPool(claims, loadTimeout))
	progress("%d requests/s for %s: %s", cfg.Rate, cfg.Duration, mixLine())
	answered := attackMix(ctx, m, cfg.Rate, cfg.Duration, rep)
	if err := ctx.Err(); err != nil {
		return err
	}
	stop()
	progress("counting the writes in the log")
	rep.Writes, rep.LostIDs, err = countWrites(ctx, t.store(), run, answered, countWait, progress)
	return err
}

// attackMix runs every operation at its share of rate for d, all at once,
// fills in the report's figures and returns, per writing operation, the
// IDs of the requests answered 200.
func attackMix(ctx context.Context, m *mix, rate int, d time.Duration, rep *LoadReport) map[string]map[string]bool {
	var (
		mu       sync.Mutex
		wg       sync.WaitGroup
		total    vegeta.Metrics
		answered = map[string]map[string]bool{}
	)
	totalErrs := map[string]int{}
	rep.Operations = make([]LoadOperation, len(loadOps))
	for i, op := range loadOps {
		wg.Go(func() {
			atk := vegeta.NewAttacker(vegeta.Timeout(loadTimeout), vegeta.KeepAlive(true))
			defer context.AfterFunc(ctx, func() { atk.Stop() })()
			var (
				metrics vegeta.Metrics
				errs    = map[string]int{}
				ok      = map[string]bool{}
			)
			for res := range atk.Attack(m.targeter(i), op.pace(rate), d, op.name) {
				metrics.Add(res)
				success := res.Code == http.StatusOK && res.Error == ""
				switch {
				case success && op.event != "":
					ok[res.Headers.Get("X-Request-Id")] = true
				case res.Code == 0:
					errs["no answer: "+noAnswer(res.Error)]++
				case !success:
					errs[fmt.Sprintf("%d %s", res.Code, problemCode(res.Body))]++
				}
				if op.name == "ChangeClaimStatus" && res.URL != "" {
					m.claims.done(res.URL, success)
				}
				mu.Lock()
				total.Add(res)
				mu.Unlock()
			}
			metrics.Close()
			mu.Lock()
			defer mu.Unlock()
			rep.Operations[i] = operation(op.name, &metrics, errs)
			for k, n := range errs {
				totalErrs[k] += n
			}
			if op.event != "" {
				answered[op.name] = ok
			}
		})
	}
	wg.Wait()
	total.Close()
	rep.Total = operation("all", &total, totalErrs)
	return answered
}

// noAnswer is a transport error without the method and URL that the HTTP
// client puts in front, so that one cause counts once whatever the URL.
func noAnswer(err string) string {
	if _, cause, ok := strings.Cut(err, "\": "); ok {
		return cause
	}
	return err
}

func operation(name string, m *vegeta.Metrics, errs map[string]int) LoadOperation {
	return LoadOperation{Name: name, Requests: m.Requests, Rate: m.Rate, Success: m.Success,
		P50: m.Latencies.P50, P99: m.Latencies.P99, Max: m.Latencies.Max, Errors: errs}
}
