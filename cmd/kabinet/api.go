package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/kabinet/kabinet/adapters/bus"
	"github.com/kabinet/kabinet/adapters/cabinet"
	"github.com/kabinet/kabinet/adapters/httpapi"
	"github.com/kabinet/kabinet/adapters/kias"
	"github.com/kabinet/kabinet/adapters/payments"
	"github.com/kabinet/kabinet/adapters/pdf"
	"github.com/kabinet/kabinet/adapters/reactions"
	"github.com/kabinet/kabinet/adapters/soap"
	"github.com/kabinet/kabinet/adapters/web"
	"github.com/kabinet/kabinet/internal/demo"
	"github.com/kabinet/kabinet/internal/pii"
	"github.com/kabinet/kabinet/internal/sqldb"
)

// app is everything serve runs beside the read models: the API on both
// protocols, the payment callback, the reactions with their scheduler and
// the KIAS feed.
type app struct {
	partners       partners
	callbackSecret []byte // signs the simulated provider's payment reports
	logger         *slog.Logger
	loops          []func(context.Context) error
	db             sqldb.DB
	service        *cabinet.Service
}

// newApp wires the application on a store that seals personal data, and
// mounts its handlers on mux. Erasures destroy keys in the store's keyring;
// the bus relays the sealed events and opens them for the reactions.
func newApp(cfg config, db sqldb.DB, store *pii.Store, waiter cabinet.Waiter, mux *http.ServeMux, logger *slog.Logger) (*app, error) {
	secret, err := serverSecret(cfg)
	if err != nil {
		return nil, err
	}
	parts, err := newPartners(cfg.Partners, logger)
	if err != nil {
		return nil, fmt.Errorf("partners: %w", err)
	}
	deps, err := cabinet.Assemble(cabinet.Assembly{DB: db, Store: store, Projections: waiter, Partners: parts.api, Secret: secret})
	if err != nil {
		return nil, err
	}
	deps.RenderPolicy = pdf.Policy
	deps.Keys = store.Sealer().Keys()
	a := &app{partners: parts, logger: logger, db: db}
	service, err := cabinet.New(deps, cabinet.Config{Logger: logger})
	if err != nil {
		return nil, err
	}
	a.service = service
	soapHandler, err := soap.NewHandler(service, soap.Config{Logger: logger})
	if err != nil {
		return nil, err
	}
	jsonHandler, err := httpapi.NewHandler(service, httpapi.Config{Logger: logger})
	if err != nil {
		return nil, err
	}
	mux.Handle("/soap", soapHandler)
	mux.Handle("/api/v1/", jsonHandler)
	if cfg.Web.Enabled {
		site, err := newSite(cfg.Web, db, service, secret, logger)
		if err != nil {
			return nil, fmt.Errorf("web cabinet: %w", err)
		}
		mux.Handle("/", site)
	}

	a.callbackSecret = []byte(cfg.Partners.PaymentsCallbackSecret)
	if len(a.callbackSecret) == 0 {
		a.callbackSecret = cabinet.Subkey(secret, "kabinet payment callback v1")
	}
	callback, err := payments.NewCallback(deps.Policies, payments.CallbackConfig{Secret: a.callbackSecret, Logger: logger})
	if err != nil {
		return nil, err
	}
	mux.Handle("POST "+payments.CallbackPath, callback)

	set, err := reactionSet(deps, parts, db, secret, logger)
	if err != nil {
		return nil, err
	}
	feed, err := kias.NewFeedPoller(db, parts.feed, kias.FeedCommands{Clients: deps.Clients, Policies: deps.Policies, Claims: deps.Claims},
		kias.FeedConfig{Logger: logger})
	if err != nil {
		return nil, err
	}
	b, err := bus.New(db, store.Sealed(), set.All(), bus.Config{Logger: logger, NATSURL: cfg.NATSURL, Open: store.Sealer().Open})
	if err != nil {
		return nil, err
	}
	a.loops = append(a.loops, b.Run, set.Scheduler().Run, feed.Run, service.RunSweeper)
	return a, nil
}

// reactionSet wires the reactions; serve runs them on the bus, and
// `kabinet reactions retry` runs the same ones on a failed event.
func reactionSet(deps cabinet.Deps, parts partners, db sqldb.DB, secret []byte, logger *slog.Logger) (*reactions.Set, error) {
	// The import of a new client's history shares the feed's command
	// mapping; it takes no lock and leaves the feed's cursor alone.
	history, err := kias.NewFeedPoller(db, parts.feed, kias.FeedCommands{Clients: deps.Clients, Policies: deps.Policies, Claims: deps.Claims},
		kias.FeedConfig{Logger: logger, ReadTimeout: 10 * time.Second})
	if err != nil {
		return nil, err
	}
	return reactions.New(reactions.Deps{
		History: history,
		Clients: deps.Clients, Policies: deps.Policies, Claims: deps.Claims, Bonuses: deps.Bonuses,
		Notices: deps.Notices, Codes: deps.Codes, DB: db,
		SMS: parts.api.SMS, Mailer: parts.mailer, KIAS: parts.api.KIAS, RenderPolicy: pdf.Policy,
	}, reactions.Config{CodeKey: cabinet.Subkey(secret, "kabinet reaction codes v1"), Logger: logger})
}

// listening tells the simulated payment provider where to report payments.
func (a *app) listening(base string) {
	if a.partners.payments != nil {
		a.partners.payments.SetCallback(base+payments.CallbackPath, a.callbackSecret)
	}
}

// run runs the background loops until ctx ends and returns once all have
// stopped; a loop that fails is logged and the others go on.
func (a *app) run(ctx context.Context) {
	var wg sync.WaitGroup
	for _, loop := range a.loops {
		wg.Go(func() {
			if err := loop(ctx); err != nil && !errors.Is(err, context.Canceled) {
				a.logger.Error("background loop stopped", "error", err)
			}
		})
	}
	wg.Wait()
}

// loadDemo loads the demo data set (internal/demo) through the service, on
// the simulated KIAS and SMS gateway it needs, with API keys of fixed names
// (the demo's idempotency keys are scoped by the caller's name). The bus
// must be running: the demo waits for bonus accruals and notices.
func (a *app) loadDemo(ctx context.Context) ([]demo.Login, error) {
	if a.partners.kiasSim == nil || a.partners.smsSim == nil {
		return nil, errors.New("--demo needs the simulated KIAS and SMS gateway: unset KABINET_KIAS_URL and KABINET_SMS_URL")
	}
	website, err := cabinet.CreateAPIKey(ctx, a.db, "demo-website", cabinet.RoleWebsite)
	if err != nil {
		return nil, err
	}
	insurer, err := cabinet.CreateAPIKey(ctx, a.db, "demo-insurer", cabinet.RoleInsurer)
	if err != nil {
		return nil, err
	}
	return demo.Load(ctx, a.service, demo.Keys{Website: website, Insurer: insurer},
		demo.Simulators{KIAS: a.partners.kiasSim, SMS: a.partners.smsSim}, time.Now)
}

// newSite builds the reference web cabinet with its own key of the website
// role: the configured one, or one made now under the name "web".
func newSite(cfg webConfig, db sqldb.DB, service *cabinet.Service, secret []byte, logger *slog.Logger) (*web.Handler, error) {
	key := cfg.APIKey
	if key == "" {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		var err error
		if key, err = cabinet.CreateAPIKey(ctx, db, "web", cabinet.RoleWebsite); err != nil {
			return nil, err
		}
	}
	return web.New(service, web.Config{APIKey: key, Key: cabinet.Subkey(secret, "kabinet web csrf v1"),
		SecureCookies: cfg.SecureCookies, PurchaseURL: cfg.PurchaseURL, Logger: logger})
}
