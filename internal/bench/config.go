package bench

import (
	"errors"
	"fmt"
	"io"
	"net/url"
	"strings"
	"time"
)

// Config tunes Run.
type Config struct {
	// Database is what the run measures. A postgres:// URL names a server:
	// the run creates its scratch databases there (the user needs CREATE
	// DATABASE) and drops them at the end; the database the URL names is
	// only used to connect. sqlite:PATH measures the embedded SQLite stack
	// on a scratch file at PATH, on the disk of the caller's choosing: PATH
	// must not exist, as the run writes the file and deletes it after each
	// part. sqlite: alone puts the file in a temporary directory.
	Database string
	// Quick selects the small sizes (a run of about a minute) for the fields
	// of Sizes left zero; otherwise the full sizes apply.
	Quick bool
	// Sizes override the defaults field by field.
	Sizes Sizes
	// Progress receives a line as each step starts; nil discards them.
	Progress io.Writer

	// skip, when set, makes the storm's readers drop the events it returns
	// true for; tests use it to prove that the correctness check can fail.
	skip skipHook
}

// Sizes are the amounts of work of each workload.
type Sizes struct {
	// AppendDuration is how long each side (kabinet, raw) of each append
	// workload runs per round; the median of AppendRounds rounds is kept.
	AppendDuration time.Duration `json:"append_duration_ns"`
	AppendRounds   int           `json:"append_rounds"`
	// CopyEvents are written by the bulk-import baseline.
	CopyEvents int `json:"copy_events"`
	// StormDuration is how long the concurrent writers of the correctness
	// and projection-lag run write.
	StormDuration time.Duration `json:"storm_duration_ns"`
	// LogEvents is the size of the log that ReadAll, the rebuild and the API
	// run read; the median of ReadAllRounds runs of each side is kept.
	LogEvents     int64 `json:"log_events"`
	ReadAllRounds int   `json:"readall_rounds"`
	// Sessions are logged-in clients with three policies each whom the API
	// load queries, beside the clients of the log.
	Sessions int `json:"sessions"`
	// APIRate is requests per second for each of the four protocol and
	// operation pairs (the total is four times it), for APIDuration.
	APIRate     int           `json:"api_rate"`
	APIDuration time.Duration `json:"api_duration_ns"`
}

// quickSizes keep a whole run near a minute on a two-core machine.
var quickSizes = Sizes{
	AppendDuration: 2 * time.Second, AppendRounds: 1,
	CopyEvents:    50_000,
	StormDuration: 4 * time.Second,
	LogEvents:     30_000, ReadAllRounds: 1,
	Sessions: 10, APIRate: 75, APIDuration: 4 * time.Second,
}

// fullSizes keep a whole run under fifteen minutes.
var fullSizes = Sizes{
	AppendDuration: 5 * time.Second, AppendRounds: 3,
	CopyEvents:    500_000,
	StormDuration: 30 * time.Second,
	LogEvents:     1_000_000, ReadAllRounds: 2,
	Sessions: 50, APIRate: 75, APIDuration: 20 * time.Second,
}

func (c *Config) setDefaults() {
	def := fullSizes
	if c.Quick {
		def = quickSizes
	}
	s := &c.Sizes
	orDefault(&s.AppendDuration, def.AppendDuration)
	orDefault(&s.AppendRounds, def.AppendRounds)
	orDefault(&s.CopyEvents, def.CopyEvents)
	orDefault(&s.StormDuration, def.StormDuration)
	orDefault(&s.LogEvents, def.LogEvents)
	orDefault(&s.ReadAllRounds, def.ReadAllRounds)
	orDefault(&s.Sessions, def.Sessions)
	orDefault(&s.APIRate, def.APIRate)
	orDefault(&s.APIDuration, def.APIDuration)
	if c.Progress == nil {
		c.Progress = io.Discard
	}
}

// Validate reports every problem of the configuration at once.
func (c Config) Validate() error {
	var errs []error
	if path, ok := strings.CutPrefix(c.Database, "sqlite:"); ok {
		if strings.Contains(path, "?") {
			errs = append(errs, errors.New("the SQLite path must not carry options: the run sets the store's own"))
		}
	} else if u, err := url.Parse(c.Database); err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
		errs = append(errs, errors.New("the database must be a postgres:// URL or sqlite:PATH"))
	}
	s := c.Sizes
	if s.AppendDuration < 0 || s.StormDuration < 0 || s.APIDuration < 0 {
		errs = append(errs, errors.New("durations must not be negative"))
	}
	if s.AppendRounds < 0 || s.CopyEvents < 0 || s.LogEvents < 0 || s.ReadAllRounds < 0 || s.Sessions < 0 || s.APIRate < 0 {
		errs = append(errs, errors.New("sizes must not be negative"))
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("bench configuration: %w", err)
	}
	return nil
}

// orDefault sets *v to def when it is the zero value.
func orDefault[T comparable](v *T, def T) {
	var zero T
	if *v == zero {
		*v = def
	}
}
