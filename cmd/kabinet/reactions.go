package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/kabinet/kabinet/adapters/bus"
	"github.com/kabinet/kabinet/adapters/cabinet"
	"github.com/kabinet/kabinet/adapters/reactions"
)

const reactionsUsage = "usage: kabinet reactions failed | kabinet reactions retry ID|--all"

// reactionsCmd is the operator's view of the bus's poison queue: list the
// events a reaction gave up on, and run them again.
func reactionsCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	return reactionsWith(ctx, args, stdout, stderr, servedReactions)
}

// servedReactions must be the reactions serve runs on the bus, wired the
// same way, so that a retry runs the very reaction that failed. An entry
// whose reaction is not among them stays in the queue and is reported as
// unknown to this binary.
func servedReactions(_ context.Context, e *backend) ([]reactions.Reaction, error) {
	cfg, err := loadConfig()
	if err != nil {
		return nil, err
	}
	logger := newLogger(io.Discard, cfg.LogLevel)
	secret, err := serverSecret(cfg)
	if err != nil {
		return nil, err
	}
	parts, err := newPartners(cfg.Partners, logger)
	if err != nil {
		return nil, err
	}
	deps, err := cabinet.Assemble(cabinet.Assembly{DB: e.db, Store: e.store, Partners: parts.api, Secret: secret})
	if err != nil {
		return nil, err
	}
	set, err := reactionSet(deps, parts, e.db, secret, logger)
	if err != nil {
		return nil, err
	}
	return set.All(), nil
}

func reactionsWith(ctx context.Context, args []string, stdout, stderr io.Writer,
	wire func(context.Context, *backend) ([]reactions.Reaction, error)) error {
	if len(args) == 0 {
		return errors.New(reactionsUsage)
	}
	switch args[0] {
	case "failed":
		return reactionsFailed(ctx, args[1:], stdout, stderr)
	case "retry":
		return reactionsRetry(ctx, args[1:], stdout, stderr, wire)
	}
	return fmt.Errorf("unknown reactions command %q: want failed or retry", args[0])
}

func reactionsFailed(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("reactions failed", flag.ContinueOnError)
	fs.SetOutput(stderr)
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return errors.New(reactionsUsage)
	}
	return withEnv(ctx, func(e *backend) error {
		failures, err := bus.Failed(ctx, e.db)
		if err != nil {
			return err
		}
		if len(failures) == 0 {
			fmt.Fprintln(stdout, "the poison queue is empty")
			return nil
		}
		tw := tabwriter.NewWriter(stdout, 2, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "ID\tREACTION\tEVENT TYPE\tSTREAM\tATTEMPTS\tFAILED AT\tREASON")
		for _, f := range failures {
			fmt.Fprintf(tw, "%d\t%s\t%s\t%s/%d\t%d\t%s\t%s\n", f.ID, f.Reaction, f.EventType, f.Stream, f.Version,
				f.Attempts, f.FailedAt.Format(time.RFC3339), oneLine(f.Reason))
		}
		return tw.Flush()
	})
}

func reactionsRetry(ctx context.Context, args []string, stdout, stderr io.Writer,
	wire func(context.Context, *backend) ([]reactions.Reaction, error)) error {
	fs := flag.NewFlagSet("reactions retry", flag.ContinueOnError)
	fs.SetOutput(stderr)
	all := fs.Bool("all", false, "run every entry of the poison queue again")
	id, rest := "", args
	if len(args) > 0 && args[0] != "" && args[0][0] != '-' {
		id, rest = args[0], args[1:]
	}
	if err := fs.Parse(rest); err != nil {
		return err
	}
	if id == "" && fs.NArg() == 1 {
		id = fs.Arg(0)
	} else if fs.NArg() > 0 {
		return errors.New(reactionsUsage)
	}
	which := bus.AllFailures
	switch {
	case *all && id == "":
	case !*all && id != "":
		n, err := strconv.ParseInt(id, 10, 64)
		if err != nil || n <= 0 {
			return fmt.Errorf("failure ID %q: want the number `kabinet reactions failed` shows", id)
		}
		which = n
	default:
		return errors.New(reactionsUsage)
	}
	return withEnv(ctx, func(e *backend) error {
		rs, err := wire(ctx, e)
		if err != nil {
			return err
		}
		results, err := bus.Retry(ctx, e.db, e.store, rs, which)
		if err != nil {
			return err
		}
		if len(results) == 0 {
			fmt.Fprintln(stdout, "the poison queue is empty")
			return nil
		}
		failing := 0
		for _, r := range results {
			f := r.Failure
			if r.Err == nil {
				fmt.Fprintf(stdout, "%d %s %s %s/%d: done\n", f.ID, f.Reaction, f.EventType, f.Stream, f.Version)
				continue
			}
			failing++
			fmt.Fprintf(stdout, "%d %s %s %s/%d: still failing: %s\n", f.ID, f.Reaction, f.EventType, f.Stream, f.Version, oneLine(r.Err.Error()))
		}
		if failing > 0 {
			return &exitError{code: 1, err: fmt.Errorf("%d of %d still failing; they stay in the poison queue", failing, len(results))}
		}
		return nil
	})
}

// oneLine keeps a reason on its table row.
func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }
