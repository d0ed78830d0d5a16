package main

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cbr-replicate/cbr-replicate/cbrtest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// secretToken is a distinctive token: no test that sets it may find it in
// any output of the command.
const secretToken = "tok-SECRET-7f3a9c1e-never-printed-4d2b"

// secretPassword and secretKey are a distinctive password and AK/SK secret
// key: no output of the command may show them either.
const (
	secretPassword = "pw-SECRET-93b1e07c-never-printed-a5f0"
	secretKey      = "sk-SECRET-2c8d41f6-never-printed-9e7b"
)

// The page's example values ("Replicating a Restore Point").
const (
	pageProjectID     = "4229d7a45436489f8c3dc2b1d35d4987"
	pageVaultID       = "3b5816b5-f29c-4172-9d9a-76c719a659ce"
	pageDestProjectID = "68589cac08274b82b4e254268a3862d8"
	pageDestRegion    = "region2"
	pageDestVaultID   = "0ca3eb86-8800-46da-9c37-9d657a825274"
)

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
	tty   bool // standard input and error are a terminal
}

// getenv looks names up in env, a list of NAME=value.
func getenv(env []string) func(string) string {
	return func(name string) string {
		for _, kv := range env {
			if k, v, ok := strings.Cut(kv, "="); ok && k == name {
				return v
			}
		}
		return ""
	}
}

// execute runs the command in process, as main does, with fake streams,
// and returns its output and exit code. It fails the test if the secret
// token shows up anywhere.
func execute(t *testing.T, inv invocation) result {
	t.Helper()
	var stdout, stderr bytes.Buffer
	stdin := inv.stdin
	if stdin == nil {
		stdin = strings.NewReader("")
	}
	code := run(context.Background(), inv.args, streams{in: stdin, out: &stdout, errOut: &stderr, getenv: getenv(inv.env), tty: inv.tty})
	res := result{stdout: stdout.String(), stderr: stderr.String(), code: code}
	assertNoSecret(t, res.stdout, res.stderr)
	return res
}

// runArgs runs the command with arguments only.
func runArgs(t *testing.T, args ...string) result {
	t.Helper()
	return execute(t, invocation{args: args})
}

// assertNoSecret fails if the secret token, password or secret key (or
// the start of one) appears in any of outputs.
func assertNoSecret(t *testing.T, outputs ...string) {
	t.Helper()
	for _, out := range outputs {
		for _, secret := range []string{secretToken, secretPassword, secretKey} {
			assert.NotContains(t, out, secret[:20], "a secret leaked into the output")
		}
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

// replications returns the replicate POSTs the fake accepted, without the
// pre-flight's GETs.
func replications(srv *cbrtest.Server) []cbrtest.Request {
	var out []cbrtest.Request
	for _, r := range srv.Requests() {
		if r.OperationID == "CopyCheckpoint" {
			out = append(out, r)
		}
	}
	return out
}
