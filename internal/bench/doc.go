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
package bench
