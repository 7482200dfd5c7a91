package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"text/tabwriter"
	"time"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"

	"github.com/kabinet/kabinet/eventstore"
	"github.com/kabinet/kabinet/projections"
)

func rebuildCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("rebuild", flag.ContinueOnError)
	fs.SetOutput(stderr)
	all := fs.Bool("all", false, "rebuild every read model")
	batch := fs.Int("batch", projections.RebuildBatchSize, "events per transaction")
	quiet := fs.Bool("quiet", false, "no progress output")
	if err := fs.Parse(args); err != nil {
		return err
	}
	selected, err := selectReadModels(fs.Args(), *all)
	if err != nil {
		return err
	}
	return withEnv(ctx, func(e *backend) error {
		progress := newProgress(stderr, "rebuild", *quiet)
		results, err := projections.RebuildAll(ctx, e.db, e.store, selected, projections.RebuildOptions{BatchSize: *batch, Progress: progress.update})
		progress.finish()
		if err != nil {
			if ctx.Err() != nil {
				fmt.Fprintln(stdout, "interrupted; run the same command again to resume")
			}
			return fmt.Errorf("rebuild: %w", err)
		}
		for _, res := range results {
			resumed := ""
			if res.Resumed {
				resumed = " (resumed)"
			}
			fmt.Fprintf(stdout, "%s: generation %d is live%s; %d events in %s, %.0f events/s\n",
				res.Projection, res.Generation, resumed, res.Events, res.Elapsed.Round(time.Millisecond), res.Rate())
		}
		return nil
	})
}

// progress shows a rebuild: a bar with rate and ETA on a terminal, a plain
// line every few seconds otherwise (CI logs, pipes).
type progress struct {
	w     io.Writer
	name  string
	quiet bool
	bar   *progressbar.ProgressBar
	last  time.Time
}

func newProgress(w io.Writer, name string, quiet bool) *progress {
	return &progress{w: w, name: name, quiet: quiet}
}

func (p *progress) update(pr projections.Progress) {
	switch {
	case p.quiet:
	case isTerminal(p.w):
		if p.bar == nil {
			p.bar = progressbar.NewOptions64(pr.Total, progressbar.OptionSetWriter(p.w),
				progressbar.OptionSetDescription(p.name), progressbar.OptionShowCount(), progressbar.OptionShowIts(),
				progressbar.OptionSetItsString("events"), progressbar.OptionThrottle(100*time.Millisecond),
				progressbar.OptionSetPredictTime(true), progressbar.OptionClearOnFinish())
		}
		p.bar.ChangeMax64(pr.Total)
		_ = p.bar.Set64(pr.Done)
	case time.Since(p.last) >= 2*time.Second || pr.Done == pr.Total:
		p.last = time.Now()
		fmt.Fprintf(p.w, "%s: %d/%d events, %.0f events/s, about %s left\n",
			p.name, pr.Done, pr.Total, pr.Rate(), pr.ETA().Round(time.Second))
	}
}

func (p *progress) finish() {
	if p.bar != nil {
		_ = p.bar.Finish()
	}
}

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

func projectionsCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "status" {
		return fmt.Errorf("usage: kabinet projections status")
	}
	return withEnv(ctx, func(e *backend) error {
		statuses, err := projections.Statuses(ctx, e.db, readModels())
		if err != nil {
			return err
		}
		tw := tabwriter.NewWriter(stdout, 2, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "NAME\tVERSION\tGENERATION\tCHECKPOINT\tEVENTS\tLAG\tLAG AGE\tAPPLIED\tNOTE")
		for _, s := range statuses {
			note := s.Live.LastError
			switch {
			case s.Live.Number == 0:
				note = "not installed yet"
			case s.Building != nil:
				note = fmt.Sprintf("rebuild to generation %d under way at %s", s.Building.Number, s.Building.Position)
			case s.Live.Version != s.CodeVersion:
				note = fmt.Sprintf("live is version %d: rebuild due", s.Live.Version)
			}
			applied := "-"
			if !s.Live.AppliedAt.IsZero() {
				applied = s.Live.AppliedAt.Format(time.RFC3339)
			}
			fmt.Fprintf(tw, "%s\t%d\t%d\t%s\t%d\t%d\t%s\t%s\t%s\n", s.Name, s.CodeVersion, s.Live.Number, s.Live.Position,
				s.Live.Events, s.LagEvents, s.Lag.Round(time.Millisecond), applied, note)
		}
		return tw.Flush()
	})
}

func replayCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return fmt.Errorf("usage: kabinet replay stream ID [--as-of TIME] [--occurred] [--json] | kabinet replay verify [NAME...]")
	}
	switch args[0] {
	case "stream":
		return replayStream(ctx, args[1:], stdout, stderr)
	case "verify":
		return replayVerify(ctx, args[1:], stdout, stderr)
	}
	return fmt.Errorf("unknown replay command %q: want stream or verify", args[0])
}

func replayStream(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("replay stream", flag.ContinueOnError)
	fs.SetOutput(stderr)
	asOf := fs.String("as-of", "", "show the stream as it stood at this time (RFC 3339, or a date YYYY-MM-DD in Asia/Almaty)")
	occurred := fs.Bool("occurred", false, "cut --as-of by business time (occurred_at) instead of store time")
	asJSON := fs.Bool("json", false, "print JSON")
	stream, rest := "", args
	if len(args) > 0 && args[0] != "" && args[0][0] != '-' {
		stream, rest = args[0], args[1:]
	}
	if err := fs.Parse(rest); err != nil {
		return err
	}
	if stream == "" && fs.NArg() == 1 {
		stream = fs.Arg(0)
	}
	if stream == "" {
		return fmt.Errorf("usage: kabinet replay stream ID [--as-of TIME] [--occurred] [--json]")
	}
	var at time.Time
	if *asOf != "" {
		var err error
		if at, err = parseAsOf(*asOf); err != nil {
			return err
		}
	}
	return withEnv(ctx, func(b *backend) error {
		s := b.store
		var (
			events []eventstore.RecordedEvent
			err    error
		)
		if at.IsZero() {
			events, err = s.Load(ctx, stream, 0)
		} else {
			axis := eventstore.ByRecorded
			if *occurred {
				axis = eventstore.ByOccurred
			}
			events, err = s.LoadAsOf(ctx, stream, at, axis)
		}
		if err != nil {
			return err
		}
		state, err := foldStream(stream, events)
		if err != nil {
			return err
		}
		if *asJSON {
			return printReplayJSON(stdout, stream, at, events, state)
		}
		return printReplayText(stdout, stream, at, events, state)
	})
}

// parseAsOf reads an RFC 3339 time or a date, taken as the end of that day
// in Asia/Almaty ("what did it look like on 1 March").
func parseAsOf(s string) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t, nil
	}
	loc, err := time.LoadLocation("Asia/Almaty")
	if err != nil {
		return time.Time{}, err
	}
	d, err := time.ParseInLocation("2006-01-02", s, loc)
	if err != nil {
		return time.Time{}, fmt.Errorf("--as-of %q: want RFC 3339 (2026-03-01T12:00:00+05:00) or a date (2026-03-01)", s)
	}
	return d.AddDate(0, 0, 1).Add(-time.Microsecond), nil
}

type replayEvent struct {
	Version       int64               `json:"version"`
	Type          string              `json:"type"`
	SchemaVersion int                 `json:"schema_version"`
	Position      string              `json:"position"`
	OccurredAt    time.Time           `json:"occurred_at"`
	RecordedAt    time.Time           `json:"recorded_at"`
	Metadata      eventstore.Metadata `json:"metadata"`
	Data          json.RawMessage     `json:"data"`
}

func replayEvents(events []eventstore.RecordedEvent) []replayEvent {
	out := make([]replayEvent, len(events))
	for i, e := range events {
		out[i] = replayEvent{e.Version, e.Type, e.SchemaVersion, e.Position.String(), e.OccurredAt, e.RecordedAt, e.Metadata, e.Data}
	}
	return out
}

func printReplayJSON(w io.Writer, stream string, at time.Time, events []eventstore.RecordedEvent, state any) error {
	out := struct {
		Stream string        `json:"stream"`
		AsOf   *time.Time    `json:"as_of,omitempty"`
		Events []replayEvent `json:"events"`
		State  any           `json:"state"`
	}{Stream: stream, Events: replayEvents(events), State: state}
	if !at.IsZero() {
		out.AsOf = &at
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}

func printReplayText(w io.Writer, stream string, at time.Time, events []eventstore.RecordedEvent, state any) error {
	fmt.Fprintf(w, "stream %s", stream)
	if !at.IsZero() {
		fmt.Fprintf(w, " as of %s", at.Format(time.RFC3339))
	}
	fmt.Fprintf(w, ": %d events\n\n", len(events))
	for _, e := range replayEvents(events) {
		fmt.Fprintf(w, "v%d  %s (schema %d)  position %s\n", e.Version, e.Type, e.SchemaVersion, e.Position)
		fmt.Fprintf(w, "    occurred %s  recorded %s\n", e.OccurredAt.Format(time.RFC3339Nano), e.RecordedAt.Format(time.RFC3339Nano))
		fmt.Fprintf(w, "    command %s  correlation %s  causation %s  actor %s\n", dash(e.Metadata.CommandID), dash(e.Metadata.CorrelationID), dash(e.Metadata.CausationID), dash(e.Metadata.Actor))
		fmt.Fprintf(w, "    %s\n", e.Data)
	}
	b, err := json.MarshalIndent(state, "", "  ")
	if err != nil {
		return fmt.Errorf("state: %w", err)
	}
	fmt.Fprintf(w, "\nstate:\n%s\n", b)
	return nil
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func replayVerify(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("replay verify", flag.ContinueOnError)
	fs.SetOutput(stderr)
	limit := fs.Int("limit", 20, "differences to show per table and side")
	if err := fs.Parse(args); err != nil {
		return err
	}
	selected, err := selectReadModels(fs.Args(), fs.NArg() == 0)
	if err != nil {
		return err
	}
	return withEnv(ctx, func(e *backend) error {
		drift := 0
		for _, p := range selected {
			diffs, err := projections.Verify(ctx, e.db, e.store, p, *limit)
			if err != nil {
				return fmt.Errorf("verify %s: %w", p.Name(), err)
			}
			if len(diffs) == 0 {
				fmt.Fprintf(stdout, "%s: identical to a replay of the log\n", p.Name())
				continue
			}
			drift += len(diffs)
			fmt.Fprintf(stdout, "%s: %d difference(s)\n", p.Name(), len(diffs))
			for _, d := range diffs {
				fmt.Fprintf(stdout, "  %s %s: %s\n", d.Table, d.Side, d.Row)
			}
		}
		if drift > 0 {
			return &exitError{code: 1, err: fmt.Errorf("read models drifted from the log (%d differences)", drift)}
		}
		return nil
	})
}
