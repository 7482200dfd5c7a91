package bench

import (
	"bufio"
	"os"
	"runtime"
	"strconv"
	"strings"
)

// Machine is where a run took place.
type Machine struct {
	CPU       string  `json:"cpu"`
	Cores     int     `json:"cores"`
	MemoryGiB float64 `json:"memory_gib"`
	Kernel    string  `json:"kernel"`
	Go        string  `json:"go"`
	// LoadStart and LoadEnd are the 1, 5 and 15 minute load averages when
	// the run started and ended: other work on the machine shows there.
	LoadStart [3]float64 `json:"load_average_start"`
	LoadEnd   [3]float64 `json:"load_average_end"`
	// Database is what the run measured: "postgresql" or "sqlite".
	Database string `json:"database"`
	// PostgreSQL is the server's version string; Settings the settings
	// that bound the figures, as the server reports them.
	PostgreSQL string            `json:"postgresql,omitempty"`
	Settings   map[string]string `json:"postgresql_settings,omitempty"`
	// OtherSessions counts sessions on the server, outside the run's own
	// databases, that were running a statement when the run started
	// (PostgreSQL only: an SQLite file has no other sessions).
	OtherSessions int `json:"other_active_sessions"`
	// SQLite is the library's version and the driver's module version;
	// SQLiteFile the scratch file and the file system it is on, whose
	// fsync bounds every durable commit; SQLiteSettings the pragmas of
	// the store's write connection.
	SQLite         string            `json:"sqlite,omitempty"`
	SQLiteFile     string            `json:"sqlite_file,omitempty"`
	SQLiteSettings map[string]string `json:"sqlite_settings,omitempty"`
}

// describeHost reads /proc; a value it cannot read is left empty rather
// than failing the run. The database's part comes from its target.
func describeHost() Machine {
	m := Machine{Cores: runtime.NumCPU(), Go: runtime.Version(), LoadStart: loadAverage()}
	if f, err := os.Open("/proc/cpuinfo"); err == nil {
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			if k, v, ok := strings.Cut(sc.Text(), ":"); ok && strings.TrimSpace(k) == "model name" {
				m.CPU = strings.TrimSpace(v)
				break
			}
		}
		_ = f.Close()
	}
	if kib, ok := procField("/proc/meminfo", "MemTotal"); ok {
		m.MemoryGiB = float64(kib) / (1 << 20)
	}
	if b, err := os.ReadFile("/proc/sys/kernel/osrelease"); err == nil {
		m.Kernel = strings.TrimSpace(string(b))
	}
	return m
}

func loadAverage() [3]float64 {
	var l [3]float64
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return l
	}
	for i, f := range strings.Fields(string(b)) {
		if i == 3 {
			break
		}
		l[i], _ = strconv.ParseFloat(f, 64)
	}
	return l
}

// procField reads a "Name: value kB" line of a /proc file, in kB.
func procField(path, name string) (int64, bool) {
	f, err := os.Open(path)
	if err != nil {
		return 0, false
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), ":")
		if !ok || k != name {
			continue
		}
		n, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
		return n, err == nil
	}
	return 0, false
}
