package main

import (
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cbr-replicate/cbr-replicate/cbrtest"
	"github.com/cbr-replicate/cbr-replicate/gen/cbr"
)

// dryRunJSON is the --dry-run --output json document.
type dryRunJSON struct {
	SignIn string            `json:"sign_in"`
	Method string            `json:"method"`
	URL    string            `json:"url"`
	Header map[string]string `json:"header"`
	Body   struct {
		Replicate map[string]any `json:"replicate"`
	} `json:"body"`
}

// dryRun runs replicate --dry-run --output json and decodes its output.
func dryRun(t *testing.T, env []string, args ...string) dryRunJSON {
	t.Helper()
	res := execute(t, invocation{args: append([]string{"replicate", "--dry-run", "--output", "json"}, args...), env: env})
	require.Equal(t, exitOK, res.code, "stderr: %s", res.stderr)
	var got dryRunJSON
	require.NoError(t, json.Unmarshal([]byte(res.stdout), &got), res.stdout)
	return got
}

func TestReplicateDryRun(t *testing.T) {
	t.Parallel()

	t.Run("text shows method, URL, headers with the token redacted and the body", func(t *testing.T) {
		t.Parallel()
		res := execute(t, invocation{args: append([]string{"replicate", "--dry-run", "--auto-trigger"}, pageFlags()...), env: tokenEnv()})
		require.Equal(t, exitOK, res.code, res.stderr)
		assert.Empty(t, res.stderr)
		out := res.stdout
		assert.True(t, strings.HasPrefix(out, "POST https://cbr.eu-de.otc.t-systems.com/v3/"+pageProjectID+"/checkpoints/replicate\n"), out)
		assert.Contains(t, out, "\nX-Auth-Token: [REDACTED]\n")
		assert.Contains(t, out, "\nContent-Type: application/json\n")
		assert.Contains(t, out, "\nUser-Agent: cbr-replicate/")
		assert.Contains(t, out, "\n\n{\n  \"replicate\": {\n    \"auto_trigger\": true,\n")
		assert.Contains(t, out, `"vault_id": "`+pageVaultID+`"`)
		assert.NotContains(t, out, "enable_acceleration", "an unset boolean is not sent")
	})

	t.Run("json shows the request as fields", func(t *testing.T) {
		t.Parallel()
		got := dryRun(t, tokenEnv(), pageFlags()...)
		assert.Equal(t, http.MethodPost, got.Method)
		assert.Equal(t, "https://cbr.eu-de.otc.t-systems.com/v3/"+pageProjectID+"/checkpoints/replicate", got.URL)
		assert.Equal(t, "[REDACTED]", got.Header["X-Auth-Token"])
		assert.Equal(t, "application/json", got.Header["Content-Type"])
		assert.Equal(t, map[string]any{
			"vault_id":               pageVaultID,
			"destination_project_id": pageDestProjectID,
			"destination_region":     pageDestRegion,
			"destination_vault_id":   pageDestVaultID,
		}, got.Body.Replicate)
	})

	booleans := []struct {
		name  string
		flags []string
		want  map[string]any // expected boolean keys; absent ones must not be sent
	}{
		{"unset booleans are not sent", nil, map[string]any{}},
		{"--auto-trigger sends true", []string{"--auto-trigger"}, map[string]any{"auto_trigger": true}},
		{"--auto-trigger=false sends false", []string{"--auto-trigger=false"}, map[string]any{"auto_trigger": false}},
		{"--enable-acceleration sends true", []string{"--enable-acceleration"}, map[string]any{"enable_acceleration": true}},
		{"--enable-acceleration=false sends false", []string{"--enable-acceleration=false"}, map[string]any{"enable_acceleration": false}},
		{"both booleans", []string{"--auto-trigger=true", "--enable-acceleration=false"}, map[string]any{"auto_trigger": true, "enable_acceleration": false}},
	}
	for _, tt := range booleans {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := dryRun(t, tokenEnv(), pageFlags(tt.flags...)...)
			for _, key := range []string{"auto_trigger", "enable_acceleration"} {
				want, ok := tt.want[key]
				if !ok {
					assert.NotContains(t, got.Body.Replicate, key)
					continue
				}
				assert.Equal(t, want, got.Body.Replicate[key], key)
			}
		})
	}

	endpoints := []struct {
		name    string
		env     []string
		flags   []string
		wantURL string
	}{
		{"region from OS_REGION_NAME", tokenEnv("OS_REGION_NAME=eu-nl"), nil,
			"https://cbr.eu-nl.otc.t-systems.com/v3/" + pageProjectID + "/checkpoints/replicate"},
		{"--region beats OS_REGION_NAME", tokenEnv("OS_REGION_NAME=eu-nl"), []string{"--region=eu-de"},
			"https://cbr.eu-de.otc.t-systems.com/v3/" + pageProjectID + "/checkpoints/replicate"},
		{"--project-id beats OS_PROJECT_ID", tokenEnv(), []string{"--project-id", "p-flag"},
			"https://cbr.eu-de.otc.t-systems.com/v3/p-flag/checkpoints/replicate"},
		{"--endpoint overrides the region", tokenEnv(), []string{"--endpoint", "https://cbr.example.test"},
			"https://cbr.example.test/v3/" + pageProjectID + "/checkpoints/replicate"},
	}
	for _, tt := range endpoints {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := dryRun(t, tt.env, pageFlags(tt.flags...)...)
			assert.Equal(t, tt.wantURL, got.URL)
		})
	}

	t.Run("a flag repeated with the same value is accepted", func(t *testing.T) {
		t.Parallel()
		got := dryRun(t, tokenEnv(), pageFlags("--vault-id", pageVaultID)...)
		assert.Equal(t, pageVaultID, got.Body.Replicate["vault_id"])
	})

	t.Run("token from --token-file", func(t *testing.T) {
		t.Parallel()
		file := filepath.Join(t.TempDir(), "token")
		require.NoError(t, os.WriteFile(file, []byte(secretToken+"\n"), 0o600))
		got := dryRun(t, []string{"OS_PROJECT_ID=" + pageProjectID}, pageFlags("--token-file", file)...)
		assert.Equal(t, "[REDACTED]", got.Header["X-Auth-Token"])
	})
}

func TestReplicateTokenFromStdin(t *testing.T) {
	t.Parallel()
	srv, err := cbrtest.NewServer(cbrtest.WithToken(secretToken))
	require.NoError(t, err)
	defer srv.Close()
	res := execute(t, invocation{
		args:  append([]string{"replicate", "--endpoint", srv.URL, "--token-file", "-"}, pageFlags()...),
		env:   []string{"OS_PROJECT_ID=" + pageProjectID},
		stdin: strings.NewReader(secretToken + "\n"),
	})
	assert.Equal(t, exitOK, res.code, res.stderr)
	assert.Len(t, replications(srv), 1, "the fake accepts only the token read from stdin")
}

func TestReplicateTokenEchoedByTheServerIsNotPrinted(t *testing.T) {
	t.Parallel()
	// A misbehaving gateway that quotes the request's token in its answer.
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		tok := r.Header.Get("X-Auth-Token")
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusUnauthorized)
		b, _ := json.Marshal(cbr.CBRError{ErrorCode: "BackupService.8600", ErrorMsg: "token " + tok + " is not valid"})
		_, _ = w.Write(b)
	}))
	defer srv.Close()
	for _, output := range []string{"text", "json"} {
		res := execute(t, invocation{args: append([]string{"replicate", "--endpoint", srv.URL, "--output", output}, pageFlags()...), env: tokenEnv()})
		assert.Equal(t, exitInvalid, res.code, res.stderr)
		assert.Contains(t, res.stderr, "HTTP 401 Unauthorized")
		// execute asserts that the token appears in no output.
	}
}

func TestReplicateUsageErrors(t *testing.T) {
	t.Parallel()
	emptyToken := filepath.Join(t.TempDir(), "empty")
	require.NoError(t, os.WriteFile(emptyToken, []byte("\n"), 0o600))
	blankToken := filepath.Join(t.TempDir(), "blank")
	require.NoError(t, os.WriteFile(blankToken, []byte(" \t \n"), 0o600))
	tokenDir := t.TempDir()
	bigToken := filepath.Join(t.TempDir(), "big")
	require.NoError(t, os.WriteFile(bigToken, []byte(strings.Repeat("t", 64<<10+1)), 0o600))
	twoLines := filepath.Join(t.TempDir(), "two-lines")
	require.NoError(t, os.WriteFile(twoLines, []byte(secretToken+"\nsecond line\n"), 0o600))
	tests := []struct {
		name       string
		env        []string
		args       []string
		wantStderr []string
	}{
		{"every missing flag is named at once", nil, nil, []string{
			"--vault-id", "--destination-project-id", "--destination-region", "--destination-vault-id",
			"--project-id (or OS_PROJECT_ID)", "token (set OS_AUTH_TOKEN or pass --token-file)"}},
		{"missing project and token only", nil, pageFlags(), []string{"missing --project-id (or OS_PROJECT_ID), token"}},
		{"missing token only", []string{"OS_PROJECT_ID=p"}, pageFlags(), []string{"missing token"}},
		{"missing --destination-region only", tokenEnv(), []string{"--vault-id", pageVaultID, "--destination-project-id", "p", "--destination-vault-id", "v"}, []string{"missing --destination-region\n"}},
		{"unreadable --token-file", []string{"OS_PROJECT_ID=p"}, pageFlags("--token-file", "/nonexistent/token"), []string{"--token-file", "/nonexistent/token"}},
		{"empty --token-file", []string{"OS_PROJECT_ID=p"}, pageFlags("--token-file", emptyToken), []string{"is empty"}},
		{"--token-file of blanks only is empty", []string{"OS_PROJECT_ID=p"}, pageFlags("--token-file", blankToken), []string{"is empty"}},
		{"--token-file naming a directory", []string{"OS_PROJECT_ID=p"}, pageFlags("--token-file", tokenDir), []string{tokenDir + " is a directory, not a file"}},
		{"--token-file given without a name does not fall back to OS_AUTH_TOKEN", tokenEnv(), pageFlags("--token-file", ""), []string{"--token-file needs a file name"}},
		{"blank OS_AUTH_TOKEN is a missing token", []string{"OS_PROJECT_ID=p", "OS_AUTH_TOKEN= \t"}, pageFlags(), []string{"missing token (set OS_AUTH_TOKEN or pass --token-file)"}},
		{"--vault-id given twice with different values", tokenEnv(), pageFlags("--vault-id", "0ca3eb86-8800-46da-9c37-9d657a825274"),
			[]string{`"--vault-id" flag: given twice with different values ("` + pageVaultID + `", then "0ca3eb86-8800-46da-9c37-9d657a825274")`}},
		{"--endpoint given twice with different values", tokenEnv(), pageFlags("--endpoint", "https://a.test", "--endpoint", "https://b.test"), []string{"given twice"}},
		{"--token-file over 64 KiB", []string{"OS_PROJECT_ID=p"}, pageFlags("--token-file", bigToken), []string{"--token-file " + bigToken + " is larger than 64 KiB"}},
		{"--token-file of several lines", []string{"OS_PROJECT_ID=p"}, pageFlags("--token-file", twoLines), []string{"more than one line"}},
		{"unknown --output", tokenEnv(), pageFlags("--output", "xml"), []string{"must be text or json"}},
		{"positional argument", tokenEnv(), pageFlags("extra"), []string{`unexpected argument "extra"`}},
		{"unknown region", tokenEnv(), pageFlags("--region", "mars-1"), []string{`--region "mars-1" is an unknown region: known regions are eu-de, eu-nl (set --endpoint for another cloud)`}},
		{"unknown region from OS_REGION_NAME and missing flags at once", []string{"OS_REGION_NAME=mars-1"}, []string{"--vault-id", pageVaultID},
			[]string{"missing --destination-project-id", `--region "mars-1" is an unknown region`}},
		{"endpoint not a URL", tokenEnv(), pageFlags("--endpoint", "cbr.example.test"), []string{`--endpoint "cbr.example.test" must be an absolute http or https URL`}},
		{"endpoint of another scheme", tokenEnv(), pageFlags("--endpoint", "ftp://x.test"), []string{`--endpoint "ftp://x.test" must be an absolute http or https URL`}},
		{"endpoint without a host", tokenEnv(), pageFlags("--endpoint", "https://"), []string{`--endpoint "https:" has no host`}},
		{"endpoint with user info", tokenEnv(), pageFlags("--endpoint", "https://u:pw@x.test"), []string{"--endpoint must not contain user info"}},
		{"endpoint with a query", tokenEnv(), pageFlags("--endpoint", "https://x.test/?a=1"), []string{`--endpoint "https://x.test/?[REDACTED]" must not have a query`}},
		{"endpoint with a fragment", tokenEnv(), pageFlags("--endpoint", "https://x.test/#f"), []string{"must not have a fragment"}},
		{"endpoint that does not parse", tokenEnv(), pageFlags("--endpoint", "http://a b"), []string{"--endpoint is not a URL"}},
		{"bad endpoint and missing flags at once", []string{"OS_AUTH_TOKEN=" + secretToken}, []string{"--endpoint", "ftp://x.test"},
			[]string{"--destination-project-id", `--endpoint "ftp://x.test" must be`}},
		{"--mock with --endpoint", tokenEnv(), pageFlags("--mock", "--endpoint", "https://x.test"), []string{"--mock and --endpoint"}},
		{"non-positive --timeout", tokenEnv(), pageFlags("--timeout", "0s"), []string{"--timeout must be positive"}},
		{"--timeout not a duration", tokenEnv(), pageFlags("--timeout", "soon"), []string{"--timeout"}},
		{"--auto-trigger not a boolean", tokenEnv(), pageFlags("--auto-trigger=maybe"), []string{"auto-trigger"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			res := execute(t, invocation{args: append([]string{"replicate"}, tt.args...), env: tt.env})
			assert.Equal(t, exitUsage, res.code, "stderr: %s", res.stderr)
			assert.Empty(t, res.stdout)
			for _, want := range tt.wantStderr {
				assert.Contains(t, res.stderr, want)
			}
		})
	}
}

func TestReplicateInvalidRequestIsNotSent(t *testing.T) {
	t.Parallel()
	srv, err := cbrtest.NewServer()
	require.NoError(t, err)
	defer srv.Close()
	res := execute(t, invocation{
		args: []string{"replicate", "--endpoint", srv.URL,
			"--vault-id", "not-a-uuid",
			"--destination-project-id", pageDestProjectID,
			"--destination-region", strings.Repeat("r", 256),
			"--destination-vault-id", pageDestVaultID},
		env: tokenEnv(),
	})
	assert.Equal(t, exitInvalid, res.code, res.stderr)
	assert.Empty(t, res.stdout)
	assert.Contains(t, res.stderr, "nothing was sent")
	got := parseViolations(t, strings.SplitN(res.stderr, "\n", 2)[1])
	assert.True(t, hasViolation(got, "/replicate/vault_id", "format"), res.stderr)
	assert.True(t, hasViolation(got, "/replicate/destination_region", "maxLength"), res.stderr)
	assert.Empty(t, srv.Requests(), "an invalid request must not be sent")
}

func TestReplicateSendsTheRequest(t *testing.T) {
	t.Parallel()
	srv, err := cbrtest.NewServer()
	require.NoError(t, err)
	defer srv.Close()
	file := filepath.Join(t.TempDir(), "token")
	require.NoError(t, os.WriteFile(file, []byte(secretToken+"\r\n"), 0o600))

	res := execute(t, invocation{
		args: append([]string{"replicate", "--endpoint", srv.URL, "--token-file", file, "--auto-trigger=false"}, pageFlags()...),
		env:  []string{"OS_PROJECT_ID=" + pageProjectID},
	})
	require.Equal(t, exitOK, res.code, res.stderr)

	reqs := replications(srv)
	require.Len(t, reqs, 1)
	assert.Equal(t, pageProjectID, reqs[0].ProjectID())
	assert.Equal(t, "/v3/"+pageProjectID+"/checkpoints/replicate", reqs[0].Path)
	var body map[string]map[string]any
	require.NoError(t, json.Unmarshal(reqs[0].Raw, &body))
	assert.Equal(t, map[string]any{
		"auto_trigger":           false,
		"vault_id":               pageVaultID,
		"destination_project_id": pageDestProjectID,
		"destination_region":     pageDestRegion,
		"destination_vault_id":   pageDestVaultID,
	}, body["replicate"])
}

func TestReplicateSendsTheTokenWithoutItsNewline(t *testing.T) {
	t.Parallel()
	var got atomic.Value
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got.Store(r.Header.Get("X-Auth-Token"))
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(readTestdata(t, "page-response-200.json"))
	}))
	defer srv.Close()
	file := filepath.Join(t.TempDir(), "token")
	require.NoError(t, os.WriteFile(file, []byte(secretToken+"\n"), 0o600))

	res := execute(t, invocation{
		args: append([]string{"replicate", "--no-preflight", "--endpoint", srv.URL, "--token-file", file}, pageFlags()...),
		env:  []string{"OS_PROJECT_ID=" + pageProjectID},
	})
	require.Equal(t, exitOK, res.code, res.stderr)
	assert.Equal(t, secretToken, got.Load())
	// The page's example response, printed as a summary.
	assert.Contains(t, res.stdout, "Replication of vault "+pageVaultID+" started.")
	assert.Contains(t, res.stdout, "region region1, project "+pageProjectID)
	assert.Contains(t, res.stdout, "7558e1a3-7046-4787-95cd-14b0ad0642a8 -> de128dfa-5451-4905-9c11-8fc842b2f41e\n")
	assert.Contains(t, res.stdout, "aa00034d-ef40-443d-ab7a-dc846d988cdf -> 8bf5ce8f-bfa1-4d57-98de-d6159ab9d86d\n")
}

func TestReplicateMock(t *testing.T) {
	t.Parallel()
	recordLine := regexp.MustCompile(`(?m)^    [0-9a-f-]{36} -> [0-9a-f-]{36}$`)

	t.Run("text prints the replication of the page's example", func(t *testing.T) {
		t.Parallel()
		res := execute(t, invocation{args: append([]string{"replicate", "--mock", "--project-id", pageProjectID}, pageFlags()...)})
		require.Equal(t, exitOK, res.code, res.stderr)
		checks := lines(res.stderr)
		require.Len(t, checks, 4, "one line per check: %s", res.stderr)
		for _, l := range checks {
			assert.Regexp(t, `^[a-z ]{22}  pass  `, l)
		}
		assert.Equal(t, "Replication of vault "+pageVaultID+" started.", lines(res.stdout)[0])
		assert.Contains(t, res.stdout, "source:       region eu-de, project "+pageProjectID+"\n")
		assert.Contains(t, res.stdout, "destination:  vault "+pageDestVaultID+", region "+pageDestRegion+", project "+pageDestProjectID+"\n")
		assert.Contains(t, res.stdout, "backups:      3 (backup ID -> replication record ID)\n")
		assert.Len(t, recordLine.FindAllString(res.stdout, -1), 3, res.stdout)
	})

	t.Run("json prints the response body", func(t *testing.T) {
		t.Parallel()
		res := execute(t, invocation{
			args: append([]string{"replicate", "--mock", "--output=json"}, pageFlags()...),
			env:  []string{"OS_PROJECT_ID=" + pageProjectID, "OS_REGION_NAME=eu-nl"},
		})
		require.Equal(t, exitOK, res.code, res.stderr)
		var got cbr.CheckpointReplicateResp
		require.NoError(t, json.Unmarshal([]byte(res.stdout), &got), res.stdout)
		require.NotNil(t, got.Replication)
		r := got.Replication
		assert.Equal(t, pageVaultID, r.VaultId)
		assert.Equal(t, pageProjectID, r.ProjectId)
		assert.Equal(t, "eu-nl", r.SourceRegion, "the fake answers for the source region")
		assert.Equal(t, pageDestProjectID, r.DestinationProjectId)
		assert.Equal(t, pageDestRegion, r.DestinationRegion)
		assert.Equal(t, pageDestVaultID, r.DestinationVaultId)
		require.Len(t, r.Backups, 3)
		for _, b := range r.Backups {
			assert.NotEmpty(t, b.BackupId)
			assert.NotEmpty(t, b.ReplicationRecordId)
		}
	})

	t.Run("a token in the environment is not needed and not printed", func(t *testing.T) {
		t.Parallel()
		res := execute(t, invocation{args: append([]string{"replicate", "--mock"}, pageFlags()...), env: tokenEnv()})
		require.Equal(t, exitOK, res.code, res.stderr)
	})

	t.Run("dry run shows the loopback URL", func(t *testing.T) {
		t.Parallel()
		got := dryRun(t, []string{"OS_PROJECT_ID=" + pageProjectID}, pageFlags("--mock")...)
		assert.Regexp(t, `^http://127\.0\.0\.1:\d+/v3/`+pageProjectID+`/checkpoints/replicate$`, got.URL)
		assert.Equal(t, "[REDACTED]", got.Header["X-Auth-Token"])
	})
}

func TestReplicateAPIError(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		handler    http.Handler
		wantStderr []string
	}{
		{
			name: "400 destination vault not found",
			handler: mustFake(t, cbrtest.WithResponseBody(http.StatusBadRequest,
				cbr.CBRError{ErrorCode: "BackupService.6120", ErrorMsg: "Destination vault does not exist."})),
			wantStderr: []string{"HTTP 400 Bad Request", "code:       BackupService.6120",
				"meaning:    the destination vault does not exist", "message:    Destination vault does not exist.", "request id: "},
		},
		{
			name:       "documented 404 example",
			handler:    mustFake(t, cbrtest.WithResponse(http.StatusNotFound)),
			wantStderr: []string{"HTTP 404 Not Found", "code:       BackupService.6105", "meaning:    the vault does not exist"},
		},
		{
			name:       "403 for another token",
			handler:    mustFake(t, cbrtest.WithToken("another-token-entirely")),
			wantStderr: []string{"HTTP 403 Forbidden", "BackupService.8600", "not authenticated"},
		},
		{
			name: "502 HTML page of a gateway",
			handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "text/html")
				w.Header().Set("X-Request-Id", "gw-req-42")
				w.WriteHeader(http.StatusBadGateway)
				_, _ = w.Write([]byte("<html><body>\n<h1>502 Bad Gateway</h1>\n</body></html>"))
			}),
			wantStderr: []string{"HTTP 502 Bad Gateway", "body:       <html><body> <h1>502 Bad Gateway</h1>", "request id: gw-req-42"},
		},
		{
			name: "the server's words are cut at 256 characters each",
			handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "application/json")
				w.Header().Set("X-Request-Id", strings.Repeat("r", 10_000))
				w.WriteHeader(http.StatusBadRequest)
				_, _ = fmt.Fprintf(w, `{"error_code":"%s","error_msg":"%s"}`, strings.Repeat("c", 10_000), strings.Repeat("m", 10_000))
			}),
			wantStderr: []string{"code:       " + strings.Repeat("c", 255) + "…\n", "message:    " + strings.Repeat("m", 255) + "…\n",
				"request id: " + strings.Repeat("r", 255) + "…\n"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := httptest.NewServer(tt.handler)
			defer srv.Close()
			res := execute(t, invocation{args: append([]string{"replicate", "--no-preflight", "--endpoint", srv.URL}, pageFlags()...), env: tokenEnv()})
			assert.Equal(t, exitInvalid, res.code, res.stderr)
			assert.Empty(t, res.stdout)
			assert.Contains(t, res.stderr, "the service refused the replication")
			for _, want := range tt.wantStderr {
				assert.Contains(t, res.stderr, want)
			}
			assert.NotRegexp(t, `request id: \(none\)`, res.stderr, "every answer of the fake carries a request id")
		})
	}
}

func TestReplicateResponseDrift(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"replication":{"backups":{"backup_id":"b"}}}`))
	}))
	defer srv.Close()
	res := execute(t, invocation{args: append([]string{"replicate", "--no-preflight", "--endpoint", srv.URL, "--validate-response"}, pageFlags()...), env: tokenEnv()})
	assert.Equal(t, exitInvalid, res.code, res.stderr)
	assert.Empty(t, res.stdout)
	assert.Contains(t, res.stderr, "/replication/backups")
}

func TestReplicateNetworkErrors(t *testing.T) {
	t.Parallel()

	t.Run("connection closed without an answer is an I/O error", func(t *testing.T) {
		t.Parallel()
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		require.NoError(t, err)
		defer ln.Close()
		go func() {
			for {
				conn, err := ln.Accept()
				if err != nil {
					return
				}
				_ = conn.Close()
			}
		}()
		res := execute(t, invocation{args: append([]string{"replicate", "--no-preflight", "--endpoint", "http://" + ln.Addr().String()}, pageFlags()...), env: tokenEnv()})
		assert.Equal(t, exitUsage, res.code, res.stderr)
		assert.Empty(t, res.stdout)
		assert.True(t, strings.HasPrefix(res.stderr, "cbr-replicate replicate: "), res.stderr)
		assert.NotContains(t, res.stderr, "replicate: replicate:", "the package prefix does not double the command's")
	})

	t.Run("no answer within --timeout", func(t *testing.T) {
		t.Parallel()
		release := make(chan struct{})
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			select {
			case <-r.Context().Done():
			case <-release:
			}
		}))
		defer srv.Close()
		defer close(release)
		res := execute(t, invocation{args: append([]string{"replicate", "--no-preflight", "--endpoint", srv.URL, "--timeout", "200ms"}, pageFlags()...), env: tokenEnv()})
		assert.Equal(t, exitUsage, res.code, res.stderr)
		assert.Contains(t, res.stderr, "no answer within --timeout 200ms")
	})
}

func TestReplicateUnreadableSuccessAnswer(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		w.Header().Set("X-Request-Id", "req-200-html")
		_, _ = w.Write([]byte("<html>OK</html>"))
	}))
	defer srv.Close()
	res := execute(t, invocation{args: append([]string{"replicate", "--endpoint", srv.URL}, pageFlags()...), env: tokenEnv()})
	assert.Equal(t, exitInvalid, res.code, res.stderr)
	assert.Empty(t, res.stdout)
	assert.Contains(t, res.stderr, "accepted the request (HTTP 200)")
	assert.Contains(t, res.stderr, "the replication may have started")
	assert.Contains(t, res.stderr, "request id: req-200-html")
}

func TestReplicateProjectIDAndEndpointInFlagWords(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		env        []string
		args       []string
		wantStderr string
	}{
		{"--project-id .. is not a project ID", tokenEnv(), pageFlags("--project-id", ".."), `--project-id ".." is not a project ID`},
		{"--project-id . is not a project ID", tokenEnv(), pageFlags("--project-id", "."), `--project-id "." is not a project ID`},
		{"--project-id with a slash is not a project ID", tokenEnv(), pageFlags("--project-id", "a/b"), `--project-id "a/b" is not a project ID`},
		{"--project-id with a blank is not a project ID", tokenEnv(), pageFlags("--project-id", "a b"), `--project-id "a b" is not a project ID`},
		{"--project-id with a control character is not a project ID", tokenEnv(), pageFlags("--project-id", "a\x1b[2Jb"), `--project-id "a\x1b[2Jb" is not a project ID`},
		{"OS_PROJECT_ID .. is refused, named as what gave it", []string{"OS_AUTH_TOKEN=" + secretToken, "OS_PROJECT_ID=.."}, pageFlags(), `OS_PROJECT_ID ".." is not a project ID`},
		{"--project-id .. with --mock is refused before the fake runs", nil, pageFlags("--mock", "--project-id", ".."), `--project-id ".." is not a project ID`},
		{"--endpoint with a query hides the query", tokenEnv(), pageFlags("--endpoint", "https://x.test/?sig=s3cr3t"), `--endpoint "https://x.test/?[REDACTED]" must not have a query`},
		{"plain http to a host that is not loopback without --allow-http", tokenEnv(), pageFlags("--endpoint", "http://cbr.example.test"), `--endpoint "http://cbr.example.test" is plain http to a host that is not loopback`},
		{"plain http without --allow-http in a dry run too", tokenEnv(), pageFlags("--dry-run", "--endpoint", "http://cbr.example.test"), "is plain http"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			res := execute(t, invocation{args: append([]string{"replicate"}, tt.args...), env: tt.env})
			assert.Equal(t, exitUsage, res.code, res.stderr)
			assert.Empty(t, res.stdout, "nothing was sent or printed")
			assert.Contains(t, res.stderr, tt.wantStderr)
			assert.Contains(t, res.stderr, "Run 'cbr-replicate replicate --help' for usage.")
			for _, goName := range []string{"Options.", "route", "s3cr3t", "AllowInsecureHTTP"} {
				assert.NotContains(t, res.stderr, goName)
			}
			assertNoRawControl(t, res.stderr)
		})
	}
}

func TestReplicateAllowHTTP(t *testing.T) {
	t.Parallel()

	t.Run("--allow-http warns that the token travels unencrypted and goes on", func(t *testing.T) {
		t.Parallel()
		res := execute(t, invocation{args: append([]string{"replicate", "--dry-run", "--allow-http", "--endpoint", "http://cbr.example.test"}, pageFlags()...), env: tokenEnv()})
		require.Equal(t, exitOK, res.code, res.stderr)
		assert.Equal(t, "warning: --allow-http: the token travels unencrypted to cbr.example.test\n", res.stderr)
		assert.True(t, strings.HasPrefix(res.stdout, "POST http://cbr.example.test/v3/"+pageProjectID+"/checkpoints/replicate\n"), res.stdout)
	})

	t.Run("plain http to loopback needs no --allow-http and gets no warning", func(t *testing.T) {
		t.Parallel()
		srv, err := cbrtest.NewServer()
		require.NoError(t, err)
		defer srv.Close()
		res := execute(t, invocation{args: append([]string{"replicate", "--endpoint", srv.URL}, pageFlags()...), env: tokenEnv()})
		require.Equal(t, exitOK, res.code, res.stderr)
		assert.NotContains(t, res.stderr, "warning")
	})

	t.Run("--allow-http with a loopback endpoint gets no warning", func(t *testing.T) {
		t.Parallel()
		res := execute(t, invocation{args: append([]string{"replicate", "--dry-run", "--allow-http", "--endpoint", "http://127.0.0.1:1"}, pageFlags()...), env: tokenEnv()})
		require.Equal(t, exitOK, res.code, res.stderr)
		assert.Empty(t, res.stderr)
	})

	t.Run("--mock talks plain http to loopback without a warning", func(t *testing.T) {
		t.Parallel()
		res := execute(t, invocation{args: append([]string{"replicate", "--mock", "--allow-http"}, pageFlags()...), env: tokenEnv()})
		require.Equal(t, exitOK, res.code, res.stderr)
		assert.NotContains(t, res.stderr, "warning")
	})
}

func TestReplicateTimeouts(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		handler func(w http.ResponseWriter, r *http.Request, release <-chan struct{})
	}{
		{"no headers within --timeout", func(w http.ResponseWriter, r *http.Request, release <-chan struct{}) {
			select {
			case <-r.Context().Done():
			case <-release:
			}
		}},
		{"headers but not the whole body within --timeout", func(w http.ResponseWriter, r *http.Request, release <-chan struct{}) {
			w.Header().Set("Content-Type", "application/json")
			w.Header().Set("Content-Length", "500")
			w.WriteHeader(http.StatusOK)
			_, _ = io.WriteString(w, `{"replication":{"vault_id":"`)
			http.NewResponseController(w).Flush()
			select {
			case <-r.Context().Done():
			case <-release:
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			release := make(chan struct{})
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { tt.handler(w, r, release) }))
			defer srv.Close()
			defer close(release)
			res := execute(t, invocation{args: append([]string{"replicate", "--no-preflight", "--endpoint", srv.URL, "--timeout", "200ms"}, pageFlags()...), env: tokenEnv()})
			assert.Equal(t, exitUsage, res.code, res.stderr)
			assert.True(t, strings.HasPrefix(res.stderr, "cbr-replicate replicate: no answer within --timeout 200ms: "), res.stderr)
			assert.Empty(t, res.stdout)
		})
	}
}

// assertNoRawControl fails if out holds a control character other than the
// newline: a C0 control, DEL or a C1 control (U+0080-U+009F).
func assertNoRawControl(t *testing.T, out string) {
	t.Helper()
	for i, r := range out {
		if (r < ' ' && r != '\n') || r == 0x7f || (r >= 0x80 && r <= 0x9f) {
			t.Errorf("raw control character %U at byte %d of %q", r, i, out)
			return
		}
	}
}

// hostile is a string a server could send to take over a terminal: clear
// the screen, retitle the window, ring the bell, return the cursor, and a
// C1 CSI and DEL.
const hostile = "\u001b[2J\u001b]0;title\u0007\r\u009b31m\u007fevil"

func TestReplicateEscapesWhatTheServerSent(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		status   int
		body     string
		header   string
		wantCode int
		wantOut  string // in stdout or stderr, escaped
	}{
		{"200 answer with control characters in vault_id and a backup ID", http.StatusOK,
			`{"replication":{"vault_id":"` + jsonEscape(hostile) + `","backups":[{"backup_id":"` + jsonEscape(hostile) + `","replication_record_id":"r"}]}}`,
			"", exitOK, `Replication of vault \x1b[2J\x1b]0;title\a\r\u009b31m\x7fevil started.`},
		{"error answer with control characters in code and message", http.StatusBadRequest,
			`{"error_code":"` + jsonEscape(hostile) + `","error_msg":"` + jsonEscape(hostile) + `"}`,
			"", exitInvalid, `code:       \x1b[2J\x1b]0;title\a \u009b31m\x7fevil`},
		{"error answer with control characters in the request id", http.StatusBadRequest,
			`{"error_code":"BackupService.6120","error_msg":"m","request_id":"req` + jsonEscape(hostile) + `"}`, "", exitInvalid,
			`request id: req\x1b[2J\x1b]0;title\a \u009b31m\x7fevil`},
		{"a response header with a C1 control character is escaped", http.StatusBadRequest,
			`{"error_code":"BackupService.6120","error_msg":"m"}`, "req\u009b2J", exitInvalid, `request id: req\u009b2J`},
		{"gateway page with control characters", http.StatusBadGateway, "<html>" + hostile + "</html>", "", exitInvalid, `body:       <html>\x1b[2J`},
		{"200 answer that is not the page's, with control characters", http.StatusOK, "<html>" + hostile, "", exitInvalid, "the replication may have started"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if tt.header != "" {
					w.Header()["X-Request-Id"] = []string{tt.header}
				}
				w.Header().Set("Content-Type", "application/json")
				w.WriteHeader(tt.status)
				_, _ = io.WriteString(w, tt.body)
			}))
			defer srv.Close()
			res := execute(t, invocation{args: append([]string{"replicate", "--no-preflight", "--endpoint", srv.URL}, pageFlags()...), env: tokenEnv()})
			assert.Equal(t, tt.wantCode, res.code, res.stderr)
			assertNoRawControl(t, res.stdout)
			assertNoRawControl(t, res.stderr)
			assert.Contains(t, res.stdout+res.stderr, tt.wantOut)
		})
	}
}

// jsonEscape returns s as the inside of a JSON string.
func jsonEscape(s string) string {
	b, _ := json.Marshal(s)
	return string(b[1 : len(b)-1])
}

// mustFake returns a cbrtest fake built with opts, failing the test if it
// cannot be built.
func mustFake(t *testing.T, opts ...cbrtest.Option) *cbrtest.Fake {
	t.Helper()
	f, err := cbrtest.New(opts...)
	require.NoError(t, err)
	return f
}

func TestReplicateRefusesInvalidUTF8AndALoneSurrogateAlike(t *testing.T) {
	for _, region := range []string{"eu\xffnl", "eu\xed\xa0\x80nl"} { // a raw byte that is not UTF-8; U+D800 encoded as bytes
		res := execute(t, invocation{args: []string{"replicate", "--mock", "--project-id", pageProjectID,
			"--vault-id", pageVaultID, "--destination-project-id", pageDestProjectID,
			"--destination-vault-id", pageDestVaultID, "--destination-region", region}})
		assert.Equal(t, exitInvalid, res.code, "%q: %s", region, res.stderr)
		assert.Contains(t, res.stderr, "nothing was sent")
		assert.Contains(t, res.stderr, "/replicate/destination_region")
		assert.Empty(t, res.stdout)
	}
}

func TestDryRunAndJSONOutputEscapeC1ControlsAndDEL(t *testing.T) {
	const hostile = "r\u009b2J\u007f\u202e" // CSI, DEL, a bidi override: valid JSON, unsafe on a terminal
	for _, format := range []string{"text", "json"} {
		res := execute(t, invocation{env: tokenEnv(), args: []string{"replicate", "--dry-run", "--output", format,
			"--project-id", pageProjectID, "--vault-id", pageVaultID, "--destination-project-id", pageDestProjectID,
			"--destination-vault-id", pageDestVaultID, "--destination-region", hostile}})
		require.Equal(t, exitOK, res.code, res.stderr)
		for _, raw := range []string{"\u009b", "\u007f", "\u202e"} {
			assert.NotContains(t, res.stdout, raw, "%s output", format)
		}
		assert.Contains(t, res.stdout, `r\u009b2J\u007f\u202e`, "%s output keeps the value, escaped", format)
	}
}
