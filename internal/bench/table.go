package bench

import (
	"fmt"
	"io"
	"math"
	"slices"
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

	writeMachine(w, rep.Machine)
	mode := "full"
	if rep.Quick {
		mode = "quick"
	}
	_, err := fmt.Fprintf(w, "run: %s, %.0f s, started %s\n", mode, rep.Seconds, rep.StartedAt.Format("2006-01-02 15:04 UTC"))
	return err
}

// writeMachine prints the machine and the database's version and settings.
func writeMachine(w io.Writer, m Machine) {
	fmt.Fprintf(w, "\nmachine: %s, %d cores, %.1f GiB memory, Linux %s, %s\n", m.CPU, m.Cores, m.MemoryGiB, m.Kernel, m.Go)
	load := fmt.Sprintf("load average (1, 5, 15 min): %.2f %.2f %.2f at start, %.2f %.2f %.2f at end",
		m.LoadStart[0], m.LoadStart[1], m.LoadStart[2], m.LoadEnd[0], m.LoadEnd[1], m.LoadEnd[2])
	if m.Database == "sqlite" {
		fmt.Fprintf(w, "%s\n%s, file %s\n  %s\n", load, m.SQLite, m.SQLiteFile, settingsLine(m.SQLiteSettings, slices.Concat(litePragmas, []string{"write_connections", "read_connections"})))
		return
	}
	fmt.Fprintf(w, "%s; %d other sessions active on the server at start\n", load, m.OtherSessions)
	fmt.Fprintf(w, "%s\n  %s\n", m.PostgreSQL, settingsLine(m.Settings, settingNames))
}

// settingsLine lists the settings of names that are there, in that order.
func settingsLine(settings map[string]string, names []string) string {
	var out []string
	for _, name := range names {
		if v, ok := settings[name]; ok {
			out = append(out, name+"="+v)
		}
	}
	return strings.Join(out, " ")
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
