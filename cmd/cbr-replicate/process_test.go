package main

import (
	"bufio"
	"bytes"
	"errors"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The tests in this file need a real process: its exit status and the
// signals it gets. Every other test calls run in process. The process is
// this test binary, which TestMain turns into the command when
// runAsCommand is set, so no separate build is needed.

// runAsCommand in the environment makes the test binary run main.
const runAsCommand = "CBR_REPLICATE_TEST_RUN_MAIN"

func TestMain(m *testing.M) {
	if os.Getenv(runAsCommand) == "1" {
		os.Args = append([]string{progName}, os.Args[1:]...)
		main()
		return
	}
	os.Exit(m.Run())
}

// command returns the test binary set up to run as cbr-replicate with args.
// The environment is empty but for the switch and GORACE: a binary built
// with -race otherwise sleeps a second at exit.
func command(t *testing.T, args ...string) *exec.Cmd {
	t.Helper()
	exe, err := os.Executable()
	require.NoError(t, err)
	cmd := exec.Command(exe, args...)
	cmd.Env = []string{runAsCommand + "=1", "GORACE=atexit_sleep_ms=0"}
	return cmd
}

func TestProcessExitStatus(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		args     []string
		stdin    string
		wantCode int
	}{
		{"a valid body exits 0", []string{"validate", "request"}, string(readTestdata(t, "page-request.json")), exitOK},
		{"an invalid body exits 1", []string{"validate", "request"}, `{"replicate":{}}`, exitInvalid},
		{"a usage error exits 2", []string{"validate", "response", "--status", "200", "--status", "400"}, "", exitUsage},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			cmd := command(t, tt.args...)
			cmd.Stdin = strings.NewReader(tt.stdin)
			err := cmd.Run()
			code := 0
			if err != nil {
				var exitErr *exec.ExitError
				require.True(t, errors.As(err, &exitErr), "run %v: %v", tt.args, err)
				code = exitErr.ExitCode()
			}
			assert.Equal(t, tt.wantCode, code)
		})
	}
}

func TestProcessMockStopsOnSignal(t *testing.T) {
	t.Parallel()
	for _, sig := range []syscall.Signal{syscall.SIGTERM, syscall.SIGINT} {
		t.Run(sig.String(), func(t *testing.T) {
			t.Parallel()
			cmd := command(t, "mock", "--listen", "127.0.0.1:0")
			stdout, err := cmd.StdoutPipe()
			require.NoError(t, err)
			var stderr bytes.Buffer
			cmd.Stderr = &stderr
			require.NoError(t, cmd.Start())
			done := make(chan error, 1)
			line, _ := bufio.NewReader(stdout).ReadString('\n')
			go func() { done <- cmd.Wait() }()
			require.Regexp(t, listeningLine, strings.TrimSpace(line))

			require.NoError(t, cmd.Process.Signal(sig))
			select {
			case err = <-done:
			case <-time.After(time.Minute): // a safety net, not a measurement
				_ = cmd.Process.Kill()
				t.Fatal("mock did not exit after the signal")
			}
			assert.NoError(t, err, "exit 0 after a graceful shutdown: %s", stderr.String())
			assert.Contains(t, stderr.String(), "msg=stopped")
		})
	}
}
