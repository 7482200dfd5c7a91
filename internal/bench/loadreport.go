package bench

import (
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"text/tabwriter"
	"time"
)

// ErrLoadFailed means the mixed load got an answer other than 200, or the
// log does not hold exactly one event for every write answered 200; the
// report says which.
var ErrLoadFailed = errors.New("the load had errors or lost writes")

// LoadReport is what one mixed load measured and counted.
type LoadReport struct {
	StartedAt time.Time
	Rate      int // requests per second in all
	Duration  time.Duration
	Clients   int
	Where     string        // the scratch database
	Seeding   time.Duration // not part of the measured window
	// Operations are the mix's operations in order; Total is all of them.
	Operations []LoadOperation
	Total      LoadOperation
	// Writes compare, per writing operation, the requests answered 200 with
	// the events the log holds for them.
	Writes []LoadWrites
	// LostIDs are the request IDs of a few writes answered 200 whose event
	// is not in the log, to look up in the server's logs.
	LostIDs []string
	Machine Machine
}

// LoadOperation is one operation's requests and latencies.
type LoadOperation struct {
	Name     string
	Requests uint64
	Rate     float64 // requests sent per second
	Success  float64 // share of the requests answered 200
	P50      time.Duration
	P99      time.Duration
	Max      time.Duration
	// Errors count the other outcomes: "409 CONFLICT" (status and
	// problem code), or "no answer: …".
	Errors map[string]int
}

// Failed counts the requests not answered 200.
func (o LoadOperation) Failed() int {
	n := 0
	for _, c := range o.Errors {
		n += c
	}
	return n
}

// LoadWrites is the count of one writing operation's events in the log.
type LoadWrites struct {
	Operation  string
	Event      string // the event type one request appends
	Answered   int    // requests answered 200
	Logged     int    // events of that type appended by the run's requests of this operation
	Lost       int    // answered 200, yet no event
	Repeated   int    // events beyond the first of one request
	Unanswered int    // events of requests that were not answered 200
}

// Errors counts the requests not answered 200.
func (r LoadReport) Errors() int { return r.Total.Failed() }

// LostWrites counts the writes answered 200 whose event the log lacks.
func (r LoadReport) LostWrites() int {
	n := 0
	for _, w := range r.Writes {
		n += w.Lost
	}
	return n
}

// Miscounted counts the events beyond one per answered write, and those of
// requests that were not answered 200 (a write that committed although
// its answer was an error).
func (r LoadReport) Miscounted() int {
	n := 0
	for _, w := range r.Writes {
		n += w.Repeated + w.Unanswered
	}
	return n
}

// Failed reports whether the run had an error, a lost write or an event
// that no 200 accounts for.
func (r LoadReport) Failed() bool {
	return r.Errors() > 0 || r.LostWrites() > 0 || r.Miscounted() > 0
}

// WriteLoadReport prints the report: each operation's requests and
// latencies, the writes counted in the log, the verdict and the machine.
func WriteLoadReport(w io.Writer, r LoadReport) error {
	fmt.Fprintf(w, "mixed load: %d requests/s for %s over %d clients, on %s (seeding took %s, outside the window)\n",
		r.Rate, r.Duration, r.Clients, r.Where, r.Seeding.Round(time.Second))
	fmt.Fprintf(w, "mix: %s\n\n", mixLine())
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "OPERATION\tREQUESTS\tRATE\tOK\tP50\tP99\tMAX\tERRORS")
	for _, o := range append(slices.Clone(r.Operations), r.Total) {
		fmt.Fprintf(tw, "%s\t%d\t%.1f/s\t%.2f%%\t%.2f ms\t%.2f ms\t%.2f ms\t%s\n", o.Name, o.Requests, o.Rate, 100*o.Success,
			ms(o.P50), ms(o.P99), ms(o.Max), errorList(o.Errors))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintln(w)
	tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "WRITE\tEVENT\tANSWERED 200\tIN THE LOG\tLOST\tREPEATED\tNOT ANSWERED")
	for _, c := range r.Writes {
		fmt.Fprintf(tw, "%s\t%s\t%d\t%d\t%d\t%d\t%d\n", c.Operation, c.Event, c.Answered, c.Logged, c.Lost, c.Repeated, c.Unanswered)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	verdict := "PASS"
	if r.Failed() {
		verdict = "FAIL"
	}
	fmt.Fprintf(w, "\nload: %s: %d errors, %d lost writes, %d events repeated or without a 200 answer\n",
		verdict, r.Errors(), r.LostWrites(), r.Miscounted())
	if len(r.LostIDs) > 0 {
		fmt.Fprintf(w, "  answered 200 with no event in the log: %s\n", strings.Join(r.LostIDs, ", "))
	}
	writeMachine(w, r.Machine)
	_, err := fmt.Fprintf(w, "run: started %s\n", r.StartedAt.Format("2006-01-02 15:04 UTC"))
	return err
}

// errorList prints outcomes as "409 CONFLICT ×3, 504 TIMEOUT ×1", or "0".
func errorList(errs map[string]int) string {
	if len(errs) == 0 {
		return "0"
	}
	var out []string
	for _, k := range slices.Sorted(maps.Keys(errs)) {
		out = append(out, fmt.Sprintf("%s ×%d", k, errs[k]))
	}
	return strings.Join(out, ", ")
}
