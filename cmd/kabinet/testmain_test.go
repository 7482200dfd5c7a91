package main

import (
	"os"
	"path/filepath"
	"testing"
)

// TestMain keeps the server secret and the embedded database of every test
// in a temporary directory: a command run by a test must never create
// kabinet-data in the source tree. Tests that need their own file set KABINET_SECRET_FILE again.
func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "kabinet-cmd-test-")
	if err != nil {
		panic(err)
	}
	os.Setenv("KABINET_SECRET_FILE", filepath.Join(dir, "secret.key"))
	os.Setenv("KABINET_DATA_DIR", filepath.Join(dir, "data"))
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}
