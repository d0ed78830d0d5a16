package main

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cbr-replicate/cbr-replicate/validate"
)

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

func TestFlagGivenTwice(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		args       []string
		wantStderr string
	}{
		{"replicate --vault-id twice with different values", append([]string{"replicate"}, pageFlags("--vault-id", pageDestVaultID)...),
			`"--vault-id" flag: given twice with different values ("` + pageVaultID + `", then "` + pageDestVaultID + `")`},
		{"replicate --timeout twice with different values", append([]string{"replicate", "--timeout", "1s", "--timeout", "2s"}, pageFlags()...), "given twice"},
		{"replicate --auto-trigger and --auto-trigger=false", append([]string{"replicate", "--auto-trigger", "--auto-trigger=false"}, pageFlags()...), "given twice"},
		{"replicate --output twice with different values", append([]string{"replicate", "-o", "json", "--output", "text"}, pageFlags()...), "given twice"},
		{"validate response --status twice with different values", []string{"validate", "response", "--status", "200", "--status", "400"},
			`"--status" flag: given twice with different values ("200", then "400")`},
		{"validate --output twice with different values", []string{"validate", "request", "-o", "json", "-o", "text"}, "given twice"},
		{"mock --listen twice with different values", []string{"mock", "--listen", "127.0.0.1:0", "--listen", "127.0.0.1:1"}, "given twice"},
		{"mock --status twice with different values", []string{"mock", "--status", "500", "--status", "404"}, "given twice"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			res := execute(t, invocation{args: tt.args, env: tokenEnv()})
			assert.Equal(t, exitUsage, res.code, res.stderr)
			assert.Contains(t, res.stderr, tt.wantStderr)
			assert.Empty(t, res.stdout)
		})
	}

	t.Run("the same value twice is accepted, also spelt differently", func(t *testing.T) {
		t.Parallel()
		o, err := parseCall(streams{getenv: getenv(tokenEnv())}, "replicate",
			pageFlags("--vault-id", pageVaultID, "--timeout", "60s", "--timeout", "1m", "--auto-trigger", "--auto-trigger=true"))
		require.NoError(t, err)
		assert.Equal(t, pageVaultID, o.param.VaultId)
		assert.Equal(t, "1m0s", o.Timeout.String())
		require.NotNil(t, o.param.AutoTrigger)
		assert.True(t, *o.param.AutoTrigger)
		v, err := parseValidate(streams{}, []string{"response", "--status", "400", "--status=400"})
		require.NoError(t, err)
		assert.Equal(t, 400, v.status)
	})
}

func TestExitCode(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		err        error
		wantCode   int
		wantStderr string
	}{
		{"no error is 0 and prints nothing", nil, exitOK, ""},
		{"usage error is 2 with a pointer to the help", usagef("missing --vault-id"), exitUsage,
			"cbr-replicate replicate: missing --vault-id\nRun 'cbr-replicate replicate --help' for usage.\n"},
		{"usage error already printed is 2 and prints nothing more", &usageError{}, exitUsage, ""},
		{"invalid input is 1", &invalidError{errors.New("the request is invalid")}, exitInvalid, "cbr-replicate replicate: the request is invalid\n"},
		{"invalid input reported on stdout is 1 and prints nothing", &invalidError{}, exitInvalid, ""},
		{"wrapped invalid input is 1", fmt.Errorf("x: %w", &invalidError{errors.New("y")}), exitInvalid, "cbr-replicate replicate: x: y\n"},
		{"any other error (I/O, network, timeout) is 2 without the help", errors.New("no answer within --timeout 1s"), exitUsage,
			"cbr-replicate replicate: no answer within --timeout 1s\n"},
		{"control characters of a message are escaped line by line", errors.New("a\x1b[2J\nb\x07"), exitUsage,
			"cbr-replicate replicate: a\\x1b[2J\nb\\a\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var stderr bytes.Buffer
			assert.Equal(t, tt.wantCode, report(&stderr, "replicate", tt.err))
			assert.Equal(t, tt.wantStderr, stderr.String())
		})
	}
}

func TestBodySnippet(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		body string
		want string
	}{
		{"empty body", "", "(empty)"},
		{"blank body", " \n\t", "(empty)"},
		{"HTML page on one line", "<html>\n<body>502</body>\r\n</html>", "<html> <body>502</body> </html>"},
		{"control characters are escaped", "a\x00b\x1bc", `a\x00b\x1bc`},
		{"long body is cut at 200 characters, by limit.Text", strings.Repeat("x", 300), strings.Repeat("x", 199) + "…"},
		{"a body of 200 characters is whole, multibyte or not", strings.Repeat("x", 199) + "é", strings.Repeat("x", 199) + "é"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			assert.Equal(t, tt.want, bodySnippet([]byte(tt.body)))
		})
	}
}

func TestPrintViolations(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	require.NoError(t, printViolations(&buf, []validate.Violation{
		{In: "body", Pointer: "/replicate/vault_id", Rule: "format", Message: "must be\na UUID"},
		{In: "body", Pointer: "", Rule: "json", Message: "malformed JSON"},
		{In: "header", Pointer: "/X-Auth-Token", Rule: "security", Message: "missing"},
		{In: "status", Rule: "status", Message: "status 202 is not documented"},
		{In: "body", Pointer: "/replicate/x\u001b[2J", Rule: "additionalProperties", Message: "unknown key \"x\u001b]0;t\u0007\""},
	}))
	assert.Equal(t, ""+
		"/replicate/vault_id   format                must be a UUID\n"+
		"(body)                json                  malformed JSON\n"+
		"header /X-Auth-Token  security              missing\n"+
		"(status)              status                status 202 is not documented\n"+
		"/replicate/x\\x1b[2J   additionalProperties  unknown key \"x\\x1b]0;t\\a\"\n", buf.String())
}
