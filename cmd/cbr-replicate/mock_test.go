package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.yaml.in/yaml/v3"

	"github.com/cbr-replicate/cbr-replicate/cbrtest"
	"github.com/cbr-replicate/cbr-replicate/gen/cbr"
)

// mockProcess is a running "cbr-replicate mock".
type mockProcess struct {
	cmd    *exec.Cmd
	url    string
	stdout *bytes.Buffer // the rest of stdout after the listening line
	stderr *bytes.Buffer
	done   chan struct{}
}

var listeningLine = regexp.MustCompile(`^listening on (http://127\.0\.0\.1:\d+) \(spec: http://127\.0\.0\.1:\d+/openapi\.yaml\)$`)

// startMock starts the mock subcommand on a free loopback port and waits
// for the line that prints its URL.
func startMock(t *testing.T, args ...string) *mockProcess {
	t.Helper()
	cmd := exec.Command(binary, append([]string{"mock", "--listen", "127.0.0.1:0"}, args...)...)
	cmd.Env = []string{}
	if coverDir != "" {
		cmd.Env = append(cmd.Env, "GOCOVERDIR="+coverDir)
	}
	stdout, err := cmd.StdoutPipe()
	require.NoError(t, err)
	m := &mockProcess{cmd: cmd, stdout: &bytes.Buffer{}, stderr: &bytes.Buffer{}, done: make(chan struct{})}
	cmd.Stderr = m.stderr
	require.NoError(t, cmd.Start())
	t.Cleanup(func() {
		select {
		case <-m.done:
		default:
			_ = cmd.Process.Kill()
			<-m.done
		}
	})

	first := make(chan string, 1)
	go func() {
		defer close(m.done)
		r := bufio.NewReader(stdout)
		line, _ := r.ReadString('\n')
		first <- strings.TrimSpace(line)
		_, _ = io.Copy(m.stdout, r)
		_ = cmd.Wait()
	}()
	select {
	case line := <-first:
		match := listeningLine.FindStringSubmatch(line)
		require.NotNil(t, match, "first line of stdout: %q", line)
		m.url = match[1]
	case <-time.After(time.Minute):
		t.Fatal("mock did not print its URL")
	}
	return m
}

// stop sends sig and returns the exit code; the process must exit.
func (m *mockProcess) stop(t *testing.T, sig os.Signal) int {
	t.Helper()
	require.NoError(t, m.cmd.Process.Signal(sig))
	select {
	case <-m.done:
	case <-time.After(time.Minute):
		t.Fatal("mock did not exit after the signal")
	}
	return m.cmd.ProcessState.ExitCode()
}

// post sends the page's example request to the mock.
func (m *mockProcess) post(t *testing.T, token string, header ...string) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, m.url+"/v3/"+pageProjectID+"/checkpoints/replicate", bytes.NewReader(readTestdata(t, "page-request.json")))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("X-Auth-Token", token)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	return do(t, req)
}

// do sends req and reads the whole answer.
func do(t *testing.T, req *http.Request) (*http.Response, []byte) {
	t.Helper()
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp, body
}

// get fetches a path of the mock.
func (m *mockProcess) get(t *testing.T, path string) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, m.url+path, nil)
	require.NoError(t, err)
	return do(t, req)
}

func TestMockServesTheFakeAndTheSpec(t *testing.T) {
	t.Parallel()
	m := startMock(t)

	// The page's example request gets a replication of that vault.
	resp, body := m.post(t, secretToken)
	require.Equal(t, http.StatusOK, resp.StatusCode, string(body))
	requestID := resp.Header.Get("X-Request-Id")
	assert.NotEmpty(t, requestID)
	var got cbr.CheckpointReplicateResp
	require.NoError(t, json.Unmarshal(body, &got))
	require.NotNil(t, got.Replication)
	assert.Equal(t, pageVaultID, got.Replication.VaultId)
	assert.Equal(t, pageProjectID, got.Replication.ProjectId)
	assert.Equal(t, pageDestVaultID, got.Replication.DestinationVaultId)
	assert.Len(t, got.Replication.Backups, 3)

	// No token: 403 BackupService.8600, as the service answers.
	resp, body = m.post(t, "")
	assert.Equal(t, http.StatusForbidden, resp.StatusCode)
	assert.Contains(t, string(body), "BackupService.8600")

	// Prefer forces a documented error.
	resp, body = m.post(t, secretToken, "Prefer", "code=404")
	assert.Equal(t, http.StatusNotFound, resp.StatusCode)
	assert.Contains(t, string(body), "BackupService.6105")

	// The spec as YAML: the same document as the embedded one.
	resp, yamlBody := m.get(t, "/openapi.yaml")
	require.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Equal(t, "application/yaml", resp.Header.Get("Content-Type"))
	var asYAML map[string]any
	require.NoError(t, yaml.Unmarshal(yamlBody, &asYAML))
	assert.Equal(t, "3.0.3", asYAML["openapi"])
	fromYAML, err := openapi3.NewLoader().LoadFromData(yamlBody)
	require.NoError(t, err)
	require.NoError(t, fromYAML.Validate(context.Background()))
	embedded, err := cbr.GetSpec()
	require.NoError(t, err)
	wantJSON, err := json.Marshal(embedded)
	require.NoError(t, err)
	gotJSON, err := json.Marshal(fromYAML)
	require.NoError(t, err)
	assert.JSONEq(t, string(wantJSON), string(gotJSON), "/openapi.yaml is the embedded spec")
	assert.Contains(t, string(yamlBody), "\n        \"200\":\n", "status keys stay strings")
	assert.True(t, strings.HasPrefix(string(yamlBody), "openapi: 3.0.3\ninfo:\n"), "top-level keys in the usual order")

	// The spec as JSON: the embedded bytes.
	resp, jsonBody := m.get(t, "/openapi.json")
	require.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Equal(t, "application/json", resp.Header.Get("Content-Type"))
	specJSON, err := cbr.GetSpecJSON()
	require.NoError(t, err)
	assert.Equal(t, specJSON, jsonBody)

	// An unknown path gets the fake's CBR 404.
	resp, _ = m.get(t, "/nope")
	assert.Equal(t, http.StatusNotFound, resp.StatusCode)

	assert.Equal(t, exitOK, m.stop(t, syscall.SIGTERM), m.stderr.String())

	logs := m.stderr.String()
	assertNoSecret(t, logs, m.stdout.String())
	var requestLines []string
	for _, l := range lines(logs) {
		if strings.Contains(l, "msg=request ") {
			requestLines = append(requestLines, l)
		}
	}
	require.Len(t, requestLines, 6, "one log line per request:\n%s", logs)
	postOK := requestLines[0]
	assert.Contains(t, postOK, "method=POST")
	assert.Contains(t, postOK, "path=/v3/"+pageProjectID+"/checkpoints/replicate")
	assert.Contains(t, postOK, "status=200")
	assert.Regexp(t, `duration=\d`, postOK)
	assert.Contains(t, postOK, "request_id="+requestID, "the log names the X-Request-Id of the answer")
	assert.Contains(t, requestLines[1], "status=403")
	assert.Contains(t, requestLines[2], "status=404")
	assert.Contains(t, requestLines[3], "method=GET path=/openapi.yaml status=200")
	assert.Contains(t, requestLines[5], "path=/nope status=404")
	assert.Contains(t, logs, `msg="shutting down"`)
	assert.NotContains(t, strings.ToLower(logs), "x-auth-token")
}

func TestMockShutsDownOnSIGINT(t *testing.T) {
	t.Parallel()
	m := startMock(t)
	resp, _ := m.post(t, secretToken)
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Equal(t, exitOK, m.stop(t, os.Interrupt), m.stderr.String())
	assert.Contains(t, m.stderr.String(), "msg=stopped")
}

func TestMockOptions(t *testing.T) {
	t.Parallel()

	t.Run("--status forces every answer", func(t *testing.T) {
		t.Parallel()
		m := startMock(t, "--status", "500")
		resp, body := m.post(t, secretToken)
		assert.Equal(t, http.StatusInternalServerError, resp.StatusCode)
		assert.Contains(t, string(body), "BackupService.")
		assert.Equal(t, exitOK, m.stop(t, syscall.SIGTERM))
	})

	t.Run("--source-region sets source_region", func(t *testing.T) {
		t.Parallel()
		m := startMock(t, "--source-region", "eu-nl")
		resp, body := m.post(t, secretToken)
		require.Equal(t, http.StatusOK, resp.StatusCode)
		assert.Contains(t, string(body), `"source_region":"eu-nl"`)
		assert.Equal(t, exitOK, m.stop(t, syscall.SIGTERM))
	})

	t.Run("--token-file accepts only that token", func(t *testing.T) {
		t.Parallel()
		file := filepath.Join(t.TempDir(), "token")
		require.NoError(t, os.WriteFile(file, []byte(secretToken+"\n"), 0o600))
		m := startMock(t, "--token-file", file)
		resp, _ := m.post(t, secretToken)
		assert.Equal(t, http.StatusOK, resp.StatusCode)
		resp, _ = m.post(t, "some-other-token")
		assert.Equal(t, http.StatusForbidden, resp.StatusCode)
		assert.Equal(t, exitOK, m.stop(t, syscall.SIGTERM))
		assertNoSecret(t, m.stderr.String(), m.stdout.String())
	})

	t.Run("replicate --endpoint talks to the mock", func(t *testing.T) {
		t.Parallel()
		m := startMock(t)
		res := execute(t, invocation{args: append([]string{"replicate", "--endpoint", m.url}, pageFlags()...), env: tokenEnv()})
		assert.Equal(t, exitOK, res.code, res.stderr)
		assert.Contains(t, res.stdout, "Replication of vault "+pageVaultID+" started.")
		assert.Equal(t, exitOK, m.stop(t, syscall.SIGTERM))
		assert.Contains(t, m.stderr.String(), "method=POST path=/v3/"+pageProjectID+"/checkpoints/replicate status=200")
		assertNoSecret(t, m.stderr.String())
	})
}

func TestMockErrors(t *testing.T) {
	t.Parallel()

	t.Run("address in use is an I/O error", func(t *testing.T) {
		t.Parallel()
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		require.NoError(t, err)
		defer ln.Close()
		res := runArgs(t, "mock", "--listen", ln.Addr().String())
		assert.Equal(t, exitUsage, res.code)
		assert.Equal(t, 1, strings.Count(res.stderr, ln.Addr().String()), "the address is named once: %s", res.stderr)
		assert.Empty(t, res.stdout)
	})

	t.Run("--status not an HTTP status", func(t *testing.T) {
		t.Parallel()
		res := runArgs(t, "mock", "--status", "42")
		assert.Equal(t, exitUsage, res.code)
		assert.Contains(t, res.stderr, "--status 42")
	})

	t.Run("--status the spec does not document", func(t *testing.T) {
		t.Parallel()
		res := runArgs(t, "mock", "--status", "202")
		assert.Equal(t, exitUsage, res.code)
		assert.Contains(t, res.stderr, "--status 202")
		assert.Contains(t, res.stderr, "the spec documents no answer for status 202")
		assert.NotContains(t, res.stderr, "panic")
	})

	t.Run("positional argument", func(t *testing.T) {
		t.Parallel()
		res := runArgs(t, "mock", "8080")
		assert.Equal(t, exitUsage, res.code)
		assert.Contains(t, res.stderr, `unexpected argument "8080"`)
	})

	t.Run("empty --token-file name", func(t *testing.T) {
		t.Parallel()
		res := runArgs(t, "mock", "--token-file", "")
		assert.Equal(t, exitUsage, res.code)
		assert.Contains(t, res.stderr, "--token-file needs a file name")
	})

	t.Run("unreadable --token-file", func(t *testing.T) {
		t.Parallel()
		res := runArgs(t, "mock", "--token-file", "/nonexistent/token")
		assert.Equal(t, exitUsage, res.code)
		assert.Contains(t, res.stderr, "/nonexistent/token")
	})
}

func TestMockHandlerRouting(t *testing.T) {
	t.Parallel()
	fake, err := cbrtest.New()
	require.NoError(t, err)
	h, err := mockHandler(fake)
	require.NoError(t, err)
	tests := []struct {
		name, method, target string
		status               int
		contentType          string
	}{
		{"GET /openapi.yaml serves the spec as YAML", http.MethodGet, "/openapi.yaml", http.StatusOK, "application/yaml"},
		{"HEAD /openapi.json serves the headers of the spec as JSON", http.MethodHead, "/openapi.json", http.StatusOK, "application/json"},
		{"POST /openapi.yaml is the fake's, not the document", http.MethodPost, "/openapi.yaml", http.StatusNotFound, "application/json"},
		{"double slash before the operation path is a CBR 404, not a redirect", http.MethodPost, "//v3/" + pageProjectID + "/checkpoints/replicate", http.StatusNotFound, "application/json"},
		{"dot segment in the operation path is a CBR 404, not a redirect", http.MethodPost, "/v3/./" + pageProjectID + "/checkpoints/replicate", http.StatusNotFound, "application/json"},
		{"double slash before the spec is a CBR 404, not a redirect", http.MethodGet, "//openapi.yaml", http.StatusNotFound, "application/json"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			req := httptest.NewRequest(tt.method, "http://127.0.0.1"+tt.target, strings.NewReader("{}"))
			req.Header.Set("X-Auth-Token", secretToken)
			req.Header.Set("Content-Type", "application/json")
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			assert.Equal(t, tt.status, rec.Code, rec.Body.String())
			assert.Empty(t, rec.Header().Get("Location"))
			assert.Equal(t, tt.contentType, rec.Header().Get("Content-Type"))
		})
	}
}
