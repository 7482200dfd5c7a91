package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime/pprof"

	"github.com/kabinet/kabinet/internal/bench"
)

// benchCmd measures kabinet beside the raw limit of its database and checks
// that concurrent appends lose nothing: exit 1 when the check fails. It
// measures PostgreSQL, or the embedded SQLite stack with --db sqlite:PATH.
// `kabinet bench load` runs the mixed load instead (load.go).
func benchCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) > 0 && args[0] == "load" {
		return benchLoadCmd(ctx, args[1:], stdout, stderr)
	}
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	dsn := fs.String("db", "", "postgres://… URL of the server to create scratch databases on, or sqlite:PATH for a scratch SQLite file "+
		"at PATH, which must not exist (sqlite: alone: in a temporary directory); "+
		"default: KABINET_DATABASE_URL's PostgreSQL server, or sqlite: when kabinet runs on SQLite")
	quick := fs.Bool("quick", false, "small sizes, the same checks: about a minute")
	jsonFile := fs.String("json", "", "also write every figure and the machine as JSON to this file")
	cpuProfile := fs.String("cpuprofile", "", "write a CPU profile of the whole run to this file (go tool pprof)")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "Usage: kabinet bench [--db DSN] [--quick] [--json FILE] [--cpuprofile FILE]")
		fmt.Fprintln(stderr, "       kabinet bench load [--rate N] [--duration D] [--clients N] [--db DSN]")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		fs.Usage()
		return fmt.Errorf("bench takes no arguments, got %q", fs.Args())
	}
	if *dsn == "" {
		cfg, err := loadConfig()
		if err != nil {
			return err
		}
		*dsn = benchDefault(cfg)
	}
	if *cpuProfile != "" {
		f, err := os.Create(*cpuProfile)
		if err != nil {
			return fmt.Errorf("cpu profile: %w", err)
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return fmt.Errorf("cpu profile: %w", err)
		}
		defer pprof.StopCPUProfile()
	}

	rep, err := bench.Run(ctx, bench.Config{Database: *dsn, Quick: *quick, Progress: stderr})
	incorrect := errors.Is(err, bench.ErrIncorrect)
	if err != nil && !incorrect {
		return err
	}
	fmt.Fprintln(stdout)
	if werr := bench.WriteTable(stdout, rep); werr != nil {
		return werr
	}
	if *jsonFile != "" {
		b, jerr := json.MarshalIndent(rep, "", "  ")
		if jerr != nil {
			return fmt.Errorf("encode the report: %w", jerr)
		}
		if jerr := os.WriteFile(*jsonFile, append(b, '\n'), 0o644); jerr != nil {
			return fmt.Errorf("write the report: %w", jerr)
		}
	}
	if incorrect {
		fmt.Fprintln(stderr, "kabinet bench:", err)
		return &exitError{code: 1, err: err}
	}
	return nil
}

// benchDefault is what bench measures without --db: the configured
// PostgreSQL server, or otherwise the embedded stack on a scratch file in a
// temporary directory. The configured SQLite file itself is never used: a
// run writes and deletes its own.
func benchDefault(cfg config) string {
	path, err := databasePath(cfg)
	if err != nil || path == "" {
		return cfg.DatabaseURL // PostgreSQL, or a URL that bench refuses with the reason
	}
	return "sqlite:"
}
