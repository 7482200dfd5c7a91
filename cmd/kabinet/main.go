// Command kabinet is the one binary of kabinet: it serves the API, migrates
// the database and runs the operator tools. Each subcommand is a function
// run(ctx, args, stdout, stderr) so that tests can call it in-process.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

// version is set at build time with -ldflags "-X main.version=…".
var version = "dev"

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr); err != nil {
		code := 2
		var ee *exitError
		if errors.As(err, &ee) {
			code = ee.code
		} else if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(os.Stderr, "kabinet:", err)
		}
		os.Exit(code)
	}
}

const usage = `kabinet — the event-sourced back end of a client self-service cabinet

Usage:
  kabinet serve      run the service (health, readiness and metrics endpoints)
  kabinet migrate    bring the database schema up to date (idempotent)
  kabinet audit verify [--stream ID]  check every stream's hash chain, the stream
                     heads and the latest signed checkpoint; exit 1 naming the first
                     broken stream and version (also: kabinet verify)
  kabinet audit checkpoint [--no-verify]  sign the current stream heads with the
                     Ed25519 key kept outside the database
  kabinet audit access CLIENT [--since TIME] [--json]
                     who read a client's personal data or scans, and when (never the values)
  kabinet rebuild [--all | NAME...]   rebuild read models blue/green (resumable)
  kabinet projections status          read models: version, checkpoint, lag, errors
  kabinet replay stream ID [--as-of TIME] [--occurred] [--json]
                     a stream's events and the state they fold to
  kabinet replay verify [NAME...]     replay into a shadow and diff with the live
                     read model; exit 1 on drift
  kabinet frontier   show the oldest open transaction that holds readers back
  kabinet apikey create NAME --role website|insurer   print a new API key
  kabinet apikey revoke NAME                         stop a caller's key
  kabinet reactions failed            events a reaction gave up on (the poison queue)
  kabinet reactions retry ID|--all    run the reaction on them again
  kabinet bench [--db DSN] [--quick] [--json FILE]
                     measure appends, reads, rebuilds, projection lag and the API
                     beside raw baselines, and check that nothing is lost or repeated
  kabinet bench load [--rate N] [--duration D] [--clients N] [--db DSN]
                     a fixed-rate mixed load on the JSON API: p50/p99 per operation,
                     and every write answered OK counted in the log
  kabinet version    print the version

Configuration comes from the environment; see README.md.
`

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return flag.ErrHelp
	}
	cmd, rest := args[0], args[1:]
	switch cmd {
	case "serve":
		return serve(ctx, rest, stdout, stderr)
	case "migrate":
		return migrateCmd(ctx, rest, stdout, stderr)
	case "verify":
		return auditVerifyCmd(ctx, rest, stdout, stderr)
	case "audit":
		return auditCmd(ctx, rest, stdout, stderr)
	case "rebuild":
		return rebuildCmd(ctx, rest, stdout, stderr)
	case "projections":
		return projectionsCmd(ctx, rest, stdout, stderr)
	case "replay":
		return replayCmd(ctx, rest, stdout, stderr)
	case "frontier":
		return frontierCmd(ctx, rest, stdout, stderr)
	case "apikey":
		return apikeyCmd(ctx, rest, stdout, stderr)
	case "reactions":
		return reactionsCmd(ctx, rest, stdout, stderr)
	case "bench":
		return benchCmd(ctx, rest, stdout, stderr)
	case "version":
		fmt.Fprintln(stdout, "kabinet", version)
		return nil
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return nil
	}
	fmt.Fprint(stderr, usage)
	return fmt.Errorf("unknown command %q", cmd)
}
