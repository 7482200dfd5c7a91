package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/kabinet/kabinet/adapters/cabinet"
	"github.com/kabinet/kabinet/domain/kz"
	"github.com/kabinet/kabinet/projections/clientprofile"
)

const auditAccessUsage = "usage: kabinet audit access CLIENT [--since TIME] [--json]  (CLIENT: a client ID or an IIN)"

// auditAccessCmd lists the recorded reads of a client's personal data
// (adapters/cabinet's access log), newest first. It prints who read which
// fields when, never the data itself, and does not echo an IIN it was given.
func auditAccessCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	flags := flag.NewFlagSet("audit access", flag.ContinueOnError)
	flags.SetOutput(stderr)
	since := flags.String("since", "", "only reads at or after this time (RFC 3339, or a date YYYY-MM-DD: from its start in Asia/Almaty)")
	asJSON := flags.Bool("json", false, "print JSON")
	// CLIENT may stand before, between or after the flags.
	var who []string
	for rest := args; ; rest = rest[1:] {
		if err := flags.Parse(rest); err != nil {
			return err
		}
		if rest = flags.Args(); len(rest) == 0 {
			break
		}
		who = append(who, rest[0])
	}
	if len(who) != 1 {
		return errors.New(auditAccessUsage)
	}
	var from time.Time
	if *since != "" {
		var err error
		if from, err = parseSince(*since); err != nil {
			return err
		}
	}
	return withEnv(ctx, func(b *backend) error {
		clientID, byIIN, err := resolveClient(b, who[0])
		if err != nil {
			return err
		}
		// The profile is only a cross-check: the log is read all the same.
		if _, err := clientprofile.Get(ctx, b.db, clientID); errors.Is(err, clientprofile.ErrNotFound) {
			fmt.Fprintf(stderr, "note: no client profile has the ID %s: not registered, not yet in the read model", clientID)
			if byIIN {
				fmt.Fprint(stderr, ", or the server secret is not this data set's")
			}
			fmt.Fprintln(stderr)
		} else if err != nil {
			fmt.Fprintf(stderr, "note: the client profiles could not be read: %v\n", err)
		}
		records, err := cabinet.AccessLog(ctx, b.db, clientID, from)
		if err != nil {
			return err
		}
		if *asJSON {
			return printAccessJSON(stdout, clientID, from, records)
		}
		printAccessText(stdout, clientID, from, records)
		return nil
	})
}

// resolveClient reads CLIENT: a client ID as it is, or an IIN turned into
// the client ID it gives, the way the server derives it (keyed by the
// server secret). That finds a client's reads after an erasure too, which
// removes the IIN from the client profile, and the lookups of an IIN made
// before its holder registered.
func resolveClient(b *backend, who string) (id uuid.UUID, byIIN bool, err error) {
	who = strings.TrimSpace(who)
	if id, err := uuid.Parse(who); err == nil {
		return id, false, nil
	}
	iin, err := kz.ParseIIN(who)
	if err != nil {
		// The argument may be personal data: the error does not repeat it.
		return uuid.Nil, false, errors.New("CLIENT must be a client ID (UUID) or an IIN of 12 digits with a valid check digit")
	}
	cfg, err := loadConfig()
	if err != nil {
		return uuid.Nil, false, err
	}
	if cfg.Secret == "" {
		// serverSecret makes a new secret when the file is missing: a
		// new secret would give another client ID, and an empty log.
		if _, err := os.Stat(cfg.SecretFile); errors.Is(err, fs.ErrNotExist) {
			return uuid.Nil, false, fmt.Errorf("an IIN is resolved with the server secret, and %s does not exist: set KABINET_SECRET or KABINET_SECRET_FILE as the server has them, or give the client ID", cfg.SecretFile)
		}
	}
	secret, err := serverSecret(cfg)
	if err != nil {
		return uuid.Nil, false, err
	}
	deps, err := cabinet.Assemble(cabinet.Assembly{DB: b.db, Store: b.store, Secret: secret})
	if err != nil {
		return uuid.Nil, false, err
	}
	return deps.Clients.IDFor(iin), true, nil
}

// parseSince reads an RFC 3339 time, or a date taken from its start in
// Asia/Almaty.
func parseSince(s string) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t, nil
	}
	loc, err := time.LoadLocation("Asia/Almaty")
	if err != nil {
		return time.Time{}, err
	}
	d, err := time.ParseInLocation(time.DateOnly, s, loc)
	if err != nil {
		return time.Time{}, fmt.Errorf("--since %q: want RFC 3339 (2026-03-01T12:00:00+05:00) or a date (2026-03-01)", s)
	}
	return d, nil
}

// accessJSON is one read in the --json output.
type accessJSON struct {
	ID        int64     `json:"id"`
	At        time.Time `json:"at"`
	Caller    string    `json:"caller"`
	Actor     string    `json:"actor"`
	Operation string    `json:"operation"`
	Fields    []string  `json:"fields"`
	RequestID string    `json:"request_id"`
}

func printAccessJSON(w io.Writer, clientID uuid.UUID, since time.Time, records []cabinet.AccessRecord) error {
	out := struct {
		ClientID uuid.UUID    `json:"client_id"`
		Since    *time.Time   `json:"since,omitempty"`
		Reads    []accessJSON `json:"reads"`
	}{ClientID: clientID, Reads: make([]accessJSON, len(records))}
	if !since.IsZero() {
		out.Since = &since
	}
	for i, r := range records {
		out.Reads[i] = accessJSON{ID: r.ID, At: r.At, Caller: r.Caller, Actor: r.Actor, Operation: r.Operation, Fields: r.Fields, RequestID: r.RequestID}
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}

func printAccessText(w io.Writer, clientID uuid.UUID, since time.Time, records []cabinet.AccessRecord) {
	fmt.Fprintf(w, "reads of the personal data of client %s", clientID)
	if !since.IsZero() {
		fmt.Fprintf(w, " since %s", since.Format(time.RFC3339))
	}
	fmt.Fprintf(w, ": %d, newest first\n", len(records))
	for _, r := range records {
		fields := strings.Join(r.Fields, ", ")
		if fields == "" {
			fields = "none"
		}
		fmt.Fprintf(w, "%s  %-19s  by %s (key %s)  request %s\n    fields: %s\n",
			r.At.Format(time.RFC3339), r.Operation, r.Actor, r.Caller, dash(r.RequestID), fields)
	}
}
