// Package logtest gives tests a logger whose output they can read, and
// which is printed when the test fails, and the buffer under it, for output
// a process writes while the test reads it.
package logtest

import (
	"bytes"
	"log/slog"
	"sync"
	"testing"
)

// Capture returns a debug-level logger (JSON lines, or text when text is
// true) and a function that returns what it wrote so far. The logs are
// printed, headed by name, when t fails.
func Capture(t testing.TB, name string, text bool) (*slog.Logger, func() string) {
	t.Helper()
	w := &Buffer{}
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("logs of %s:\n%s", name, w.String())
		}
	})
	opts := &slog.HandlerOptions{Level: slog.LevelDebug}
	if text {
		return slog.New(slog.NewTextHandler(w, opts)), w.String
	}
	return slog.New(slog.NewJSONHandler(w, opts)), w.String
}

// Buffer is a bytes.Buffer safe for concurrent use. The zero value is
// ready.
type Buffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

// Write appends p.
func (b *Buffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

// String is everything written so far.
func (b *Buffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}
