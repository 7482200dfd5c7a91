// Package bench measures kabinet against the physical limit of its database
// and checks correctness while it does. Each workload runs beside a raw
// baseline, plain pgx doing the same SQL work with no kabinet code, in the
// same run on the same server, so that the ratio of the pair means the same
// on any machine. The concurrent-append run ends with a check that a tailing
// reader and the projections saw every committed event exactly once and no
// rolled-back one; a failed check fails the run whatever the speed.
//
// Run drives the whole suite on scratch databases it creates and drops;
// `kabinet bench` prints its report. The go test benchmarks of the event
// store, the read models and the API edges call the same workloads.
package bench
