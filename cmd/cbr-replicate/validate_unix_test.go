//go:build unix

package main

import (
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestValidateOfADirectoryReadsOnlyItsRegularFiles(t *testing.T) {
	// Opening a FIFO named a.json waits for a writer, forever: the run hung
	// and SIGTERM did not end it.
	t.Parallel()
	dir := t.TempDir()
	require.NoError(t, syscall.Mkfifo(filepath.Join(dir, "a.json"), 0o600))
	valid := filepath.Join(dir, "b.json")
	require.NoError(t, os.WriteFile(valid, readTestdata(t, "page-request.json"), 0o600))
	require.NoError(t, os.Symlink(valid, filepath.Join(dir, "c.json")))

	done := make(chan result, 1)
	go func() { done <- runArgs(t, "validate", "request", dir) }()
	select {
	case res := <-done:
		assert.Equal(t, exitOK, res.code, res.stderr)
		assert.Equal(t, valid+"  valid\n"+filepath.Join(dir, "c.json")+"  valid\n", res.stdout, "a link to a file counts as the file")
	case <-time.After(10 * time.Second):
		t.Fatal("validate waits on the FIFO")
	}
}
