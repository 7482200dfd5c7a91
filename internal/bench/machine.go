package bench

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5/pgxpool"
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
	// PostgreSQL is the server's version string; Settings the settings
	// that bound the figures, as the server reports them.
	PostgreSQL string            `json:"postgresql"`
	Settings   map[string]string `json:"postgresql_settings"`
	// OtherSessions counts sessions on the server, outside the run's own
	// databases, that were running a statement when the run started.
	OtherSessions int `json:"other_active_sessions"`
}

// settingNames are the PostgreSQL settings that matter to the figures.
var settingNames = []string{"shared_buffers", "synchronous_commit", "fsync", "wal_level", "max_connections",
	"full_page_writes", "wal_sync_method", "max_wal_size", "commit_delay"}

// describeMachine reads /proc and the server; a value it cannot read is
// left empty rather than failing the run.
func describeMachine(ctx context.Context, pool *pgxpool.Pool) (Machine, error) {
	m := Machine{Cores: runtime.NumCPU(), Go: runtime.Version(), LoadStart: loadAverage(), Settings: map[string]string{}}
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
	if err := pool.QueryRow(ctx, `SELECT version()`).Scan(&m.PostgreSQL); err != nil {
		return m, fmt.Errorf("read the server version: %w", err)
	}
	for _, name := range settingNames {
		var v string
		if err := pool.QueryRow(ctx, `SELECT current_setting($1)`, name).Scan(&v); err != nil {
			return m, fmt.Errorf("read setting %s: %w", name, err)
		}
		m.Settings[name] = v
	}
	err := pool.QueryRow(ctx, `SELECT count(*) FROM pg_stat_activity
		WHERE state = 'active' AND pid <> pg_backend_pid() AND coalesce(datname, '') NOT LIKE $1 || '%'`, scratchPrefix).Scan(&m.OtherSessions)
	if err != nil {
		return m, fmt.Errorf("count the server's active sessions: %w", err)
	}
	return m, nil
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
