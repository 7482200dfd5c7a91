package bench

import (
	"errors"
	"time"
)

// ErrIncorrect means the concurrent-append run found a skipped, repeated,
// unknown or rolled-back event; the report's Correctness says which.
var ErrIncorrect = errors.New("correctness check failed")

// Report is everything one run measured.
type Report struct {
	StartedAt   time.Time   `json:"started_at"`
	Seconds     float64     `json:"seconds"` // the whole run
	Quick       bool        `json:"quick"`
	Sizes       Sizes       `json:"sizes"`
	Rows        []Row       `json:"workloads"`
	Correctness Correctness `json:"correctness"`
	Memory      Memory      `json:"memory"`
	Machine     Machine     `json:"machine"`
}

// Row is one line of the table: a kabinet figure beside its baseline.
type Row struct {
	Name string `json:"name"`
	Unit string `json:"unit"` // "events/s", "ms" or "MiB"
	// Kabinet is nil when kabinet has no such path yet (Note says so).
	Kabinet *float64 `json:"kabinet"`
	// Baseline is the raw figure measured in the same run; nil when the
	// workload has an absolute target instead.
	Baseline     *float64 `json:"baseline"`
	BaselineName string   `json:"baseline_name,omitempty"`
	// Ratio is Kabinet / Baseline for rates.
	Ratio  *float64 `json:"ratio"`
	Target string   `json:"target,omitempty"` // as in the issue: "≥ 0.8×", "< 100 ms"
	Met    *bool    `json:"met"`              // nil when there is no target
	Note   string   `json:"note,omitempty"`
}

// Correctness is what the concurrent-append run checked.
type Correctness struct {
	Committed  int `json:"committed_events"`
	RolledBack int `json:"rolled_back_events"`
	// Readers are the tailing reader and the projections, each with what
	// it got wrong; all zero when correct.
	Readers []ReaderCheck `json:"readers"`
	// ChainsIntact is the store's hash-chain verification after the run.
	ChainsIntact bool     `json:"chains_intact"`
	Problems     []string `json:"problems,omitempty"`
	OK           bool     `json:"ok"`
}

// ReaderCheck is one reader's delivery against the writers' record.
type ReaderCheck struct {
	Name       string `json:"name"`
	Seen       int    `json:"seen"`
	Missing    int    `json:"missing"`     // committed, never seen
	Repeated   int    `json:"repeated"`    // seen more than once
	RolledBack int    `json:"rolled_back"` // seen although rolled back
	Unknown    int    `json:"unknown"`     // seen, never written
	OutOfOrder int    `json:"out_of_order"`
}

// OK reports whether the reader saw exactly the committed events.
func (r ReaderCheck) OK() bool {
	return r.Missing == 0 && r.Repeated == 0 && r.RolledBack == 0 && r.Unknown == 0 && r.OutOfOrder == 0
}

// Memory is the process's resident memory while it served the API load.
type Memory struct {
	// PeakRSSMiB is the highest VmRSS sampled during the API run.
	PeakRSSMiB float64 `json:"peak_rss_mib"`
	// HWMMiB is VmHWM at the end of the API run; HWMReset says whether it
	// was reset when the run started (otherwise it covers the whole process).
	HWMMiB   float64 `json:"hwm_mib"`
	HWMReset bool    `json:"hwm_reset"`
}

func ptr[T any](v T) *T { return &v }

// rateRow is a rate beside its baseline with a minimum ratio as the target.
func rateRow(name string, kabinet, baseline float64, baselineName string, minRatio float64, note string) Row {
	r := Row{Name: name, Unit: "events/s", Kabinet: ptr(kabinet), Baseline: ptr(baseline), BaselineName: baselineName, Note: note}
	if baseline > 0 {
		r.Ratio = ptr(kabinet / baseline)
	}
	if minRatio > 0 {
		r.Target = "≥ " + trimFloat(minRatio) + "×"
		r.Met = ptr(r.Ratio != nil && *r.Ratio >= minRatio)
	}
	return r
}

// latencyRow is a latency with an upper bound as the target (none when max is 0).
func latencyRow(name string, d time.Duration, max time.Duration, note string) Row {
	r := Row{Name: name, Unit: "ms", Kabinet: ptr(ms(d)), Note: note}
	if max > 0 {
		r.Target = "< " + trimFloat(ms(max)) + " ms"
		r.Met = ptr(d < max)
	}
	return r
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
