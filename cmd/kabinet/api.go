package main

import (
	"log/slog"
	"net/http"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/kabinet/kabinet/adapters/cabinet"
	"github.com/kabinet/kabinet/adapters/esbd"
	"github.com/kabinet/kabinet/adapters/httpapi"
	"github.com/kabinet/kabinet/adapters/kias"
	"github.com/kabinet/kabinet/adapters/payments"
	"github.com/kabinet/kabinet/adapters/pdf"
	"github.com/kabinet/kabinet/adapters/sms"
	"github.com/kabinet/kabinet/adapters/soap"
	"github.com/kabinet/kabinet/eventstore"
)

// partners are the partner systems serve talks to. Until their HTTP clients
// are configured, the simulators stand in for them.
func simulatedPartners() cabinet.Partners {
	return cabinet.Partners{
		KIAS: kias.NewSimulator(), ESBD: esbd.NewSimulator(), SMS: sms.NewSimulator(),
		Payments: payments.NewSimulator("https://pay.example.kz"),
	}
}

// mountAPI wires the cabinet's operations and serves them on mux over SOAP
// (/soap, its WSDL at /soap?wsdl) and JSON (/api/v1/, its OpenAPI document at
// /api/v1/openapi.json).
func mountAPI(mux *http.ServeMux, cfg config, pool *pgxpool.Pool, store eventstore.Store, waiter cabinet.Waiter,
	partners cabinet.Partners, logger *slog.Logger) error {
	secret, err := serverSecret(cfg)
	if err != nil {
		return err
	}
	deps, err := cabinet.Assemble(cabinet.Assembly{
		Pool: pool, Store: store, Projections: waiter, Partners: partners, Secret: secret,
	})
	if err != nil {
		return err
	}
	deps.RenderPolicy = pdf.Policy
	svc, err := cabinet.New(deps, cabinet.Config{Logger: logger})
	if err != nil {
		return err
	}
	soapHandler, err := soap.NewHandler(svc, soap.Config{Logger: logger})
	if err != nil {
		return err
	}
	jsonHandler, err := httpapi.NewHandler(svc, httpapi.Config{Logger: logger})
	if err != nil {
		return err
	}
	mux.Handle("/soap", soapHandler)
	mux.Handle("/api/v1/", jsonHandler)
	return nil
}
