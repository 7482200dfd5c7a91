package bench

import (
	"fmt"
	"io"
	"math"
	"strings"
	"text/tabwriter"
)

// WriteTable prints the report: the table of workloads, the correctness
// check and the machine.
func WriteTable(w io.Writer, rep Report) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "WORKLOAD\tKABINET\tBASELINE\tRATIO\tTARGET\tRESULT\tNOTE")
	for _, r := range rep.Rows {
		kabinet := "not built yet"
		if r.Kabinet != nil {
			kabinet = figure(*r.Kabinet, r.Unit)
		}
		baseline := "—"
		if r.Baseline != nil {
			baseline = figure(*r.Baseline, r.Unit) + " " + r.BaselineName
		}
		ratio := "—"
		if r.Ratio != nil {
			ratio = fmt.Sprintf("%.2f", *r.Ratio)
		}
		target, met := "—", ""
		if r.Target != "" {
			target, met = r.Target, "missed"
			if r.Met != nil && *r.Met {
				met = "met"
			}
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", r.Name, kabinet, baseline, ratio, target, met, r.Note)
	}
	if err := tw.Flush(); err != nil {
		return err
	}

	c := rep.Correctness
	verdict := "PASS"
	if !c.OK {
		verdict = "FAIL"
	}
	fmt.Fprintf(w, "\ncorrectness: %s: %s committed events, %s rolled back; every committed event seen exactly once and no rolled-back one by\n",
		verdict, count(int64(c.Committed)), count(int64(c.RolledBack)))
	for _, r := range c.Readers {
		fmt.Fprintf(w, "  %-28s saw %s: %d missing, %d repeated, %d rolled back, %d unknown, %d out of order\n",
			r.Name, count(int64(r.Seen)), r.Missing, r.Repeated, r.RolledBack, r.Unknown, r.OutOfOrder)
	}
	chains := "intact"
	if !c.ChainsIntact {
		chains = "NOT verified"
	}
	fmt.Fprintf(w, "  hash chains: %s\n", chains)
	for _, p := range c.Problems {
		fmt.Fprintf(w, "  problem: %s\n", p)
	}

	m := rep.Machine
	fmt.Fprintf(w, "\nmachine: %s, %d cores, %.1f GiB memory, Linux %s, %s\n", m.CPU, m.Cores, m.MemoryGiB, m.Kernel, m.Go)
	fmt.Fprintf(w, "load average (1, 5, 15 min): %.2f %.2f %.2f at start, %.2f %.2f %.2f at end; %d other sessions active on the server at start\n",
		m.LoadStart[0], m.LoadStart[1], m.LoadStart[2], m.LoadEnd[0], m.LoadEnd[1], m.LoadEnd[2], m.OtherSessions)
	fmt.Fprintf(w, "%s\n", m.PostgreSQL)
	var settings []string
	for _, name := range settingNames {
		if v, ok := m.Settings[name]; ok {
			settings = append(settings, name+"="+v)
		}
	}
	fmt.Fprintf(w, "  %s\n", strings.Join(settings, " "))
	mode := "full"
	if rep.Quick {
		mode = "quick"
	}
	_, err := fmt.Fprintf(w, "run: %s, %.0f s, started %s\n", mode, rep.Seconds, rep.StartedAt.Format("2006-01-02 15:04 UTC"))
	return err
}

// figure formats a value in its unit: 12,345 events/s, 4.21 ms, 87 MiB.
func figure(v float64, unit string) string {
	switch unit {
	case "events/s":
		return count(int64(math.Round(v))) + " events/s"
	case "ms":
		return fmt.Sprintf("%.2f ms", v)
	default:
		return fmt.Sprintf("%.0f %s", v, unit)
	}
}
