// Package bench measures kabinet against the physical limit of its database
// and checks correctness while it does. Each workload runs beside a raw
// baseline, the same SQL work with no kabinet code (plain pgx on
// PostgreSQL, plain database/sql on the SQLite file, with the store's own
// pragmas and single writer), in the same run on the same database, so
// that the ratio of the pair means the same on any machine. The
// concurrent-append run ends with a check that a tailing reader and the
// projections saw every committed event exactly once and no rolled-back
// one; a failed check fails the run whatever the speed.
//
// Run drives the whole suite on scratch databases it creates and removes:
// databases on a PostgreSQL server, or an SQLite file for the embedded
// stack. The workloads are written once over a target (target.go); what
// differs per database (the raw baselines, emptying the log, the held
// transaction, the machine's description) is in scratch.go and pg.go for
// PostgreSQL and lite.go and lite_raw.go for SQLite. `kabinet bench`
// prints the report. The go test benchmarks of the event store, the read
// models and the API edges call the same workloads.
//
// Load is the mixed load of `kabinet bench load` (loadrun.go, with
// loadmix.go, loadseed.go, loadcount.go and loadreport.go), on a scratch
// database of the same engines: kabinet as serve runs it (the caller
// starts it, see ServeFunc), clients seeded through the JSON API, then
// logins, reads, settings changes, bonus spends and claim status changes,
// each at its fixed share of one rate, driven by vegeta. Every request
// carries an X-Request-ID of the run, which kabinet stores as the events'
// correlation ID, so that afterwards the log is checked to hold exactly
// one event for every write answered 200 and none for any other request.
package bench
