package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// binary is the cbr-replicate binary under test, built once by TestMain.
var binary string

// coverDir, from CLI_GOCOVERDIR, makes TestMain build the binary with
// -cover and every run write its coverage there (read it with
// `go tool covdata percent -i DIR`).
var coverDir = os.Getenv("CLI_GOCOVERDIR")

// secretToken is a distinctive token: no test that sets it may find it in
// any output of the command.
const secretToken = "tok-SECRET-7f3a9c1e-never-printed-4d2b"

// The page's example values ("Replicating a Restore Point").
const (
	pageProjectID     = "4229d7a45436489f8c3dc2b1d35d4987"
	pageVaultID       = "3b5816b5-f29c-4172-9d9a-76c719a659ce"
	pageDestProjectID = "68589cac08274b82b4e254268a3862d8"
	pageDestRegion    = "region2"
	pageDestVaultID   = "0ca3eb86-8800-46da-9c37-9d657a825274"
)

func TestMain(m *testing.M) {
	os.Exit(testMain(m))
}

func testMain(m *testing.M) int {
	dir, err := os.MkdirTemp("", "cbr-replicate-cli-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "temp dir:", err)
		return 2
	}
	defer os.RemoveAll(dir)
	binary = filepath.Join(dir, "cbr-replicate")
	args := []string{"build", "-o", binary}
	if raceEnabled {
		args = append(args, "-race")
	}
	if coverDir != "" {
		args = append(args, "-cover")
	}
	build := exec.Command("go", append(args, ".")...)
	if out, err := build.CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "go build: %v\n%s", err, out)
		return 2
	}
	return m.Run()
}

// result is what one run of the command produced.
type result struct {
	stdout string
	stderr string
	code   int
}

// invocation describes one run: arguments, environment (nothing is
// inherited, so no OS_* variable of the machine leaks in) and stdin.
type invocation struct {
	args  []string
	env   []string
	stdin io.Reader
}

// execute runs the binary as a user would and returns its output and exit
// code. It fails the test if the secret token shows up anywhere.
func execute(t *testing.T, inv invocation) result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, binary, inv.args...)
	cmd.Env = append([]string{}, inv.env...)
	if coverDir != "" {
		cmd.Env = append(cmd.Env, "GOCOVERDIR="+coverDir)
	}
	if inv.stdin != nil {
		cmd.Stdin = inv.stdin
	}
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	code := 0
	if err != nil {
		var exitErr *exec.ExitError
		require.True(t, errors.As(err, &exitErr), "run %v: %v", inv.args, err)
		code = exitErr.ExitCode()
	}
	res := result{stdout: stdout.String(), stderr: stderr.String(), code: code}
	assertNoSecret(t, res.stdout, res.stderr)
	return res
}

// runArgs runs the binary with arguments only.
func runArgs(t *testing.T, args ...string) result {
	t.Helper()
	return execute(t, invocation{args: args})
}

// assertNoSecret fails if the secret token appears in any of outputs.
func assertNoSecret(t *testing.T, outputs ...string) {
	t.Helper()
	for _, out := range outputs {
		assert.NotContains(t, out, secretToken, "the token leaked into the output")
		assert.NotContains(t, out, secretToken[:20], "part of the token leaked into the output")
	}
}

// tokenEnv is the environment of a call against the cloud: token, project.
func tokenEnv(extra ...string) []string {
	return append([]string{"OS_AUTH_TOKEN=" + secretToken, "OS_PROJECT_ID=" + pageProjectID}, extra...)
}

// pageFlags are the flags of the page's example request, without booleans.
func pageFlags(extra ...string) []string {
	return append([]string{
		"--vault-id", pageVaultID,
		"--destination-project-id", pageDestProjectID,
		"--destination-region", pageDestRegion,
		"--destination-vault-id", pageDestVaultID,
	}, extra...)
}

// readTestdata returns a file of testdata/.
func readTestdata(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	require.NoError(t, err)
	return b
}

// lines splits output into its non-empty lines.
func lines(s string) []string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if strings.TrimSpace(l) != "" {
			out = append(out, l)
		}
	}
	return out
}

func TestTopLevel(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		args       []string
		wantCode   int
		wantStdout string
		wantStderr string
	}{
		{"no arguments prints the usage and is a usage error", nil, exitUsage, "", "Commands:"},
		{"--help prints the overview", []string{"--help"}, exitOK, "Commands:", ""},
		{"-h prints the overview", []string{"-h"}, exitOK, "Exit status:", ""},
		{"help prints the overview", []string{"help"}, exitOK, "replicate   replicate the backups", ""},
		{"help replicate prints the replicate help", []string{"help", "replicate"}, exitOK, "--destination-vault-id", ""},
		{"help validate prints the validate help", []string{"help", "validate"}, exitOK, "--status", ""},
		{"help mock prints the mock help", []string{"help", "mock"}, exitOK, "--listen", ""},
		{"help of an unknown command is a usage error", []string{"help", "frobnicate"}, exitUsage, "", `unknown command "frobnicate"`},
		{"help help prints the overview", []string{"help", "help"}, exitOK, "Commands:", ""},
		{"help version", []string{"help", "version"}, exitOK, "print the version", ""},
		{"help of two commands is a usage error", []string{"help", "mock", "validate"}, exitUsage, "", "help takes one command"},
		{"help --help prints the overview its own usage errors point to", []string{"help", "--help"}, exitOK, "Commands:", ""},
		{"help -h prints the overview", []string{"help", "-h"}, exitOK, "Commands:", ""},
		{"version --help prints the help of version", []string{"version", "--help"}, exitOK, "print the version and exit", ""},
		{"version with an argument is a usage error", []string{"version", "extra"}, exitUsage, "", `version takes no arguments, got "extra"`},
		{"--version with an argument is a usage error", []string{"--version", "extra"}, exitUsage, "", `--version takes no arguments`},
		{"--version prints the version", []string{"--version"}, exitOK, "cbr-replicate 0.", ""},
		{"version prints the version", []string{"version"}, exitOK, "cbr-replicate 0.", ""},
		{"unknown command is a usage error", []string{"frobnicate"}, exitUsage, "", `unknown command "frobnicate"`},
		{"unknown top-level flag is a usage error", []string{"--frobnicate"}, exitUsage, "", "unknown flag --frobnicate"},
		{"replicate --help", []string{"replicate", "--help"}, exitOK, "--enable-acceleration", ""},
		{"replicate -h", []string{"replicate", "-h"}, exitOK, "OS_AUTH_TOKEN", ""},
		{"validate --help", []string{"validate", "--help"}, exitOK, "validate request", ""},
		{"validate request --help", []string{"validate", "request", "--help"}, exitOK, "validate response", ""},
		{"mock --help", []string{"mock", "--help"}, exitOK, "/openapi.yaml", ""},
		{"unknown flag of a subcommand is a usage error", []string{"mock", "--bogus"}, exitUsage, "", "unknown flag: --bogus"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			res := runArgs(t, tt.args...)
			assert.Equal(t, tt.wantCode, res.code, "stderr: %s", res.stderr)
			if tt.wantStdout != "" {
				assert.Contains(t, res.stdout, tt.wantStdout)
			}
			if tt.wantStderr != "" {
				assert.Contains(t, res.stderr, tt.wantStderr)
			}
			if tt.wantCode == exitOK {
				assert.Empty(t, res.stderr)
			} else {
				assert.Empty(t, res.stdout, "errors go to stderr")
			}
		})
	}
}
