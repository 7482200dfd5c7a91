package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kabinet/kabinet/internal/pgtest"
)

// buildKabinet builds the kabinet binary once for a test, as an operator
// would run it, so that a fault can end the process the hard way.
func buildKabinet(t *testing.T) string {
	t.Helper()
	goCmd, err := exec.LookPath("go")
	require.NoError(t, err, "the go command is needed to build the binary under test")
	bin := filepath.Join(t.TempDir(), "kabinet")
	build := exec.Command(goCmd, "build", "-o", bin, ".")
	out, err := build.CombinedOutput()
	require.NoError(t, err, "go build: %s", out)
	return bin
}

// process is one `kabinet serve` run as a child process.
type process struct {
	cmd     *exec.Cmd
	base    string // http://127.0.0.1:port
	logPath string // its stderr
	exited  chan struct{}
	err     error // how it ended, once exited is closed
}

// startProcess runs `bin serve` with env on a free loopback port and waits
// until it answers /readyz.
func startProcess(t *testing.T, bin string, env []string, logPath string) *process {
	t.Helper()
	logFile, err := os.Create(logPath)
	require.NoError(t, err)
	cmd := exec.Command(bin, "serve", "--addr", "127.0.0.1:0")
	cmd.Env = append(os.Environ(), env...)
	cmd.Stderr = logFile
	stdout, err := cmd.StdoutPipe()
	require.NoError(t, err)
	require.NoError(t, cmd.Start())
	p := &process{cmd: cmd, logPath: logPath, exited: make(chan struct{})}
	addr := make(chan string, 1)
	go func() {
		listening := regexp.MustCompile(`listening on http://(\S+)`)
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			if m := listening.FindStringSubmatch(sc.Text()); m != nil {
				addr <- m[1]
			}
		}
		_, _ = io.Copy(io.Discard, stdout)
	}()
	go func() {
		p.err = cmd.Wait()
		_ = logFile.Close()
		close(p.exited)
	}()
	t.Cleanup(func() { p.kill() })

	select {
	case a := <-addr:
		p.base = "http://" + a
	case <-p.exited:
		t.Fatalf("serve ended before listening: %v\n%s", p.err, p.logTail())
	case <-time.After(60 * time.Second):
		t.Fatalf("serve printed no address within a minute\n%s", p.logTail())
	}
	waitUntil(t, 60*time.Second, func() bool {
		resp, err := http.Get(p.base + "/readyz")
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == http.StatusOK
	}, func() string { return "serve is not ready\n" + p.logTail() })
	return p
}

// kill ends the process with SIGKILL: no shutdown code runs.
func (p *process) kill() {
	_ = p.cmd.Process.Signal(syscall.SIGKILL)
	<-p.exited
}

// stop asks the process to shut down gracefully and waits for it.
func (p *process) stop(t *testing.T) {
	t.Helper()
	require.NoError(t, p.cmd.Process.Signal(syscall.SIGTERM))
	select {
	case <-p.exited:
	case <-time.After(60 * time.Second):
		t.Fatalf("serve did not stop within a minute of SIGTERM\n%s", p.logTail())
	}
	require.NoError(t, p.err, "a graceful stop exits 0\n%s", p.logTail())
}

// logTail is the end of the process's log, for a failure message.
func (p *process) logTail() string {
	b, err := os.ReadFile(p.logPath)
	if err != nil {
		return fmt.Sprintf("(no log: %v)", err)
	}
	lines := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	if len(lines) > 30 {
		lines = lines[len(lines)-30:]
	}
	return strings.Join(lines, "\n")
}

// withPoolSize adds pgxpool's pool_max_conns to a database URL.
func withPoolSize(t *testing.T, dbURL string, n int) string {
	t.Helper()
	u, err := url.Parse(dbURL)
	require.NoError(t, err)
	q := u.Query()
	q.Set("pool_max_conns", strconv.Itoa(n))
	u.RawQuery = q.Encode()
	return u.String()
}

// withDatabaseName is dbURL naming another database on the same server.
func withDatabaseName(t *testing.T, dbURL, name string) string {
	t.Helper()
	u, err := url.Parse(dbURL)
	require.NoError(t, err)
	u.Path = "/" + name
	return u.String()
}

// dropDatabase drops the database dbURL names, if kabinet created it.
func dropDatabase(t *testing.T, dbURL string) {
	t.Helper()
	u, err := url.Parse(dbURL)
	require.NoError(t, err)
	name := strings.TrimPrefix(u.Path, "/")
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	admin, err := pgx.Connect(ctx, pgtest.AdminURL())
	require.NoError(t, err)
	defer admin.Close(ctx)
	_, err = admin.Exec(ctx, "DROP DATABASE IF EXISTS "+pgx.Identifier{name}.Sanitize()+" WITH (FORCE)")
	assert.NoError(t, err, "drop %s", name)
}

// waitUntil polls cond on the test's goroutine, so that cond may use
// require, until it holds; after within it fails with what failure says
// then (a log read at the end, not at the start).
func waitUntil(t *testing.T, within time.Duration, cond func() bool, failure func() string) {
	t.Helper()
	deadline := time.Now().Add(within)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal(failure())
		}
		time.Sleep(20 * time.Millisecond)
	}
}
