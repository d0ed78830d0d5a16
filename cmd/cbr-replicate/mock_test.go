package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cbr-replicate/cbr-replicate/cbrtest"
	"github.com/cbr-replicate/cbr-replicate/gen/cbr"
	"github.com/cbr-replicate/cbr-replicate/openapi"
)

// runningMock is "cbr-replicate mock" running in process on a free
// loopback port.
type runningMock struct {
	url    string
	stdout *syncBuffer // the rest of stdout after the listening line
	stderr *syncBuffer
	cancel context.CancelFunc
	code   chan int // the exit code, once mockRun returned
}

// syncBuffer is a bytes.Buffer safe for the server's goroutines and the test.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

var listeningLine = regexp.MustCompile(`^listening on (http://127\.0\.0\.1:\d+) \(spec: http://127\.0\.0\.1:\d+/openapi\.yaml\)$`)

// startMock runs the mock subcommand with args on a free loopback port, as
// main would, and waits for the line that prints its URL.
func startMock(t *testing.T, args ...string) *runningMock {
	t.Helper()
	return startMockGrace(t, shutdownGrace, args...)
}

// startMockGrace is startMock with another grace period for the shutdown.
func startMockGrace(t *testing.T, grace time.Duration, args ...string) *runningMock {
	t.Helper()
	pr, pw := io.Pipe()
	m := &runningMock{stdout: &syncBuffer{}, stderr: &syncBuffer{}, code: make(chan int, 1)}
	o, err := parseMock(streams{in: strings.NewReader(""), out: pw, errOut: m.stderr, getenv: getenv(nil)},
		append([]string{"--listen", "127.0.0.1:0"}, args...))
	require.NoError(t, err)
	o.grace = grace
	ctx, cancel := context.WithCancel(context.Background())
	m.cancel = cancel
	go func() {
		code := report(m.stderr, "mock", mockRun(ctx, o))
		_ = pw.Close()
		m.code <- code
	}()
	t.Cleanup(func() { m.stop(t) })

	r := bufio.NewReader(pr)
	line, err := r.ReadString('\n')
	require.NoError(t, err, "mock stderr: %s", m.stderr.String())
	match := listeningLine.FindStringSubmatch(strings.TrimSpace(line))
	require.NotNil(t, match, "first line of stdout: %q", line)
	m.url = match[1]
	go func() { _, _ = io.Copy(m.stdout, r) }()
	return m
}

// stop ends the mock's context, as SIGTERM does, and returns its exit code.
func (m *runningMock) stop(t *testing.T) int {
	t.Helper()
	m.cancel()
	code := <-m.code
	m.code <- code // stop may be called again (t.Cleanup)
	return code
}

// post sends the page's example request to the mock.
func (m *runningMock) post(t *testing.T, token string, header ...string) (*http.Response, []byte) {
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
func (m *runningMock) get(t *testing.T, path string) (*http.Response, []byte) {
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

	// The spec as YAML: the file itself, comments included.
	resp, yamlBody := m.get(t, "/openapi.yaml")
	require.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Equal(t, "application/yaml", resp.Header.Get("Content-Type"))
	assert.Equal(t, openapi.YAML, yamlBody, "/openapi.yaml is openapi/cbr-replicate.yaml byte for byte")
	assert.Contains(t, string(yamlBody), "\n#", "comments are kept")
	fromYAML, err := openapi3.NewLoader().LoadFromData(yamlBody)
	require.NoError(t, err)
	require.NoError(t, fromYAML.Validate(context.Background()))

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

	assert.Equal(t, exitOK, m.stop(t), m.stderr.String())

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

func TestMockShutdown(t *testing.T) {
	t.Parallel()

	t.Run("idle server stops at once with exit 0", func(t *testing.T) {
		t.Parallel()
		m := startMock(t)
		resp, _ := m.post(t, secretToken)
		assert.Equal(t, http.StatusOK, resp.StatusCode)
		assert.Equal(t, exitOK, m.stop(t), m.stderr.String())
		assert.Contains(t, m.stderr.String(), "msg=stopped")
		assert.NotContains(t, m.stderr.String(), "grace period")
	})

	t.Run("a half-sent request is cut off after the grace period and the exit is 0", func(t *testing.T) {
		t.Parallel()
		m := startMockGrace(t, 50*time.Millisecond)
		conn, err := net.Dial("tcp", strings.TrimPrefix(m.url, "http://"))
		require.NoError(t, err)
		defer conn.Close()
		// Expect: 100-continue makes the server say when the handler
		// starts reading the body: from then on the request is in flight.
		_, err = io.WriteString(conn, "POST /v3/"+pageProjectID+"/checkpoints/replicate HTTP/1.1\r\nHost: mock\r\n"+
			"Content-Type: application/json\r\nX-Auth-Token: "+secretToken+"\r\nExpect: 100-continue\r\nContent-Length: 300\r\n\r\n")
		require.NoError(t, err)
		r := bufio.NewReader(conn)
		line, err := r.ReadString('\n')
		require.NoError(t, err)
		require.Equal(t, "HTTP/1.1 100 Continue\r\n", line)
		_, err = io.WriteString(conn, `{"replicate":{"vault_id":`)
		require.NoError(t, err)

		assert.Equal(t, exitOK, m.stop(t), m.stderr.String())
		logs := m.stderr.String()
		assert.Contains(t, logs, "requests still in flight after the grace period: closing their connections")
		assert.Contains(t, logs, "msg=stopped")
		require.NoError(t, conn.SetReadDeadline(time.Now().Add(time.Minute))) // a safety net, not a measurement
		_, err = io.ReadAll(r)
		assert.NoError(t, err, "the server closed the connection")
		assertNoSecret(t, logs)
	})
}

func TestMockOptions(t *testing.T) {
	t.Parallel()

	t.Run("--status forces every answer", func(t *testing.T) {
		t.Parallel()
		m := startMock(t, "--status", "500")
		resp, body := m.post(t, secretToken)
		assert.Equal(t, http.StatusInternalServerError, resp.StatusCode)
		assert.Contains(t, string(body), "BackupService.")
		assert.Equal(t, exitOK, m.stop(t))
	})

	t.Run("--source-region sets source_region", func(t *testing.T) {
		t.Parallel()
		m := startMock(t, "--source-region", "eu-nl")
		resp, body := m.post(t, secretToken)
		require.Equal(t, http.StatusOK, resp.StatusCode)
		assert.Contains(t, string(body), `"source_region":"eu-nl"`)
		assert.Equal(t, exitOK, m.stop(t))
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
		assert.Equal(t, exitOK, m.stop(t))
		assertNoSecret(t, m.stderr.String(), m.stdout.String())
	})

	t.Run("replicate --endpoint talks to the mock", func(t *testing.T) {
		t.Parallel()
		m := startMock(t)
		res := execute(t, invocation{args: append([]string{"replicate", "--endpoint", m.url}, pageFlags()...), env: tokenEnv()})
		assert.Equal(t, exitOK, res.code, res.stderr)
		assert.Contains(t, res.stdout, "Replication of vault "+pageVaultID+" started.")
		assert.Equal(t, exitOK, m.stop(t))
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
		assert.Contains(t, res.stderr, "--status 42: status 42 is outside 200-599")
	})

	t.Run("--status the spec does not document", func(t *testing.T) {
		t.Parallel()
		res := runArgs(t, "mock", "--status", "202")
		assert.Equal(t, exitUsage, res.code)
		assert.Contains(t, res.stderr, "--status 202")
		assert.Contains(t, res.stderr, "--status 202: the spec documents no answer with status 202 for CopyCheckpoint")
		assert.NotContains(t, res.stderr, "panic")
		assert.NotContains(t, res.stderr, "WithResponse", "no Go API names in CLI messages")
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

// BenchmarkMockRequestLog measures what the mock adds to the fake per
// request: the status recorder and the log line (to io.Discard). Compare
// BenchmarkMockBareFake, the fake alone; run with -benchmem.
func BenchmarkMockRequestLog(b *testing.B) {
	fake, err := cbrtest.New(cbrtest.WithMaxRequests(0))
	require.NoError(b, err)
	h, err := mockHandler(fake)
	require.NoError(b, err)
	benchHandler(b, logRequests(slog.New(slog.NewTextHandler(io.Discard, nil)), h))
}

// BenchmarkMockBareFake is the baseline of BenchmarkMockRequestLog.
func BenchmarkMockBareFake(b *testing.B) {
	fake, err := cbrtest.New(cbrtest.WithMaxRequests(0))
	require.NoError(b, err)
	benchHandler(b, fake)
}

// benchHandler serves the page's example request to h b.N times in process.
func benchHandler(b *testing.B, h http.Handler) {
	body, err := os.ReadFile(filepath.Join("testdata", "page-request.json"))
	require.NoError(b, err)
	b.ReportAllocs()
	for b.Loop() {
		req := httptest.NewRequest(http.MethodPost, "/v3/"+pageProjectID+"/checkpoints/replicate", bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("X-Auth-Token", secretToken)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK {
			b.Fatalf("status %d: %s", rec.Code, rec.Body)
		}
	}
}
