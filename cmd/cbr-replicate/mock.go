package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"slices"
	"strconv"
	"syscall"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/cbr-replicate/cbr-replicate/cbrtest"
	"github.com/cbr-replicate/cbr-replicate/gen/cbr"
)

const mockUsage = `Serve a fake of "Replicating a Restore Point" (package cbrtest) for other
programs: POST /v3/{project_id}/checkpoints/replicate validates the request
against the API page and answers like the service (400 with a CBR error body
listing every violation, 403 without a token, 200 with one replication
record per backup otherwise). A "Prefer: code=404" request header forces that
status with the page's example, like Stoplight Prism.

Also served: GET /openapi.yaml and GET /openapi.json, the API description.

Usage:
  cbr-replicate mock [--listen 127.0.0.1:8080] [flags]

The URL is printed on stdout once listening ("listening on http://..."); one
log line per request goes to stderr (method, path, status, duration, request
ID; never a token). SIGINT or SIGTERM shut the server down gracefully.

Flags:
%s
Exit status: 0 after a graceful shutdown; 2 usage error or the address
cannot be listened on.

Examples:
  cbr-replicate mock --listen 127.0.0.1:8080 &
  curl -s -H 'X-Auth-Token: any' -H 'Content-Type: application/json' \
      -d '{"replicate":{"vault_id":"3b5816b5-f29c-4172-9d9a-76c719a659ce",
           "destination_project_id":"68589cac08274b82b4e254268a3862d8",
           "destination_region":"region2",
           "destination_vault_id":"0ca3eb86-8800-46da-9c37-9d657a825274"}}' \
      http://127.0.0.1:8080/v3/4229d7a45436489f8c3dc2b1d35d4987/checkpoints/replicate
`

// shutdownTimeout bounds how long a graceful shutdown waits for requests
// in flight.
const shutdownTimeout = 10 * time.Second

// mock runs "cbr-replicate mock".
func (c *cli) mock(args []string) int {
	const cmd = "mock"
	fs := newFlagSet(cmd)
	listen := fs.String("listen", "127.0.0.1:8080", "address to listen on (port 0 picks a free port)")
	sourceRegion := fs.String("source-region", "eu-de", "source_region of the answers")
	status := fs.Int("status", 0, "answer every request with this status and the page's example (0: behave like the service)")
	tokenFile := fs.String("token-file", "", "accept only the token in this file (default: any non-empty token)")
	if stop, code := c.parseFlags(cmd, fs, mockUsage, args); stop {
		return code
	}
	if fs.NArg() > 0 {
		return c.usageError(cmd, fmt.Errorf("unexpected argument %q", fs.Arg(0)))
	}

	// A long-running server keeps no log of the requests it accepted.
	opts := []cbrtest.Option{cbrtest.WithSourceRegion(*sourceRegion), cbrtest.WithMaxRequests(0)}
	if *status != 0 {
		opts = append(opts, cbrtest.WithResponse(*status))
	}
	if fs.Changed("token-file") && *tokenFile == "" {
		// An empty name would quietly accept any token.
		return c.usageError(cmd, errors.New("--token-file needs a file name"))
	}
	if *tokenFile != "" {
		t, err := c.readTokenFile(*tokenFile)
		if err != nil {
			return c.fail(cmd, exitUsage, err)
		}
		opts = append(opts, cbrtest.WithToken(t))
		c = &cli{stdin: c.stdin, stdout: newRedactingWriter(c.stdout, t), stderr: newRedactingWriter(c.stderr, t), getenv: c.getenv}
	}
	if *status != 0 {
		// A status the fake cannot answer with (42, 204, or 202 that the
		// spec does not document) is a usage error, not a panic.
		if _, err := cbrtest.New(cbrtest.WithResponse(*status)); err != nil {
			return c.usageError(cmd, fmt.Errorf("--status %d: %w", *status, err))
		}
	}
	fake, err := cbrtest.New(opts...)
	if err != nil {
		return c.usageError(cmd, err)
	}
	handler, err := mockHandler(fake)
	if err != nil {
		return c.fail(cmd, exitUsage, err)
	}

	ln, err := net.Listen("tcp", *listen)
	if err != nil {
		return c.fail(cmd, exitUsage, fmt.Errorf("cannot serve: %w", err))
	}
	logger := slog.New(slog.NewTextHandler(c.stderr, nil))
	srv := &http.Server{
		Handler:           logRequests(logger, handler),
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	url := "http://" + ln.Addr().String()
	if ip := ln.Addr().(*net.TCPAddr).IP; !ip.IsLoopback() {
		logger.Warn("listening beyond loopback: the fake accepts any token and is meant for tests", "addr", ln.Addr().String())
	}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	fmt.Fprintf(c.stdout, "listening on %s (spec: %s/openapi.yaml)\n", url, url)
	logger.Info("listening", "url", url)

	select {
	case err := <-served:
		return c.fail(cmd, exitUsage, fmt.Errorf("serve: %w", err))
	case <-ctx.Done():
	}
	stop() // a second signal kills the process the default way
	logger.Info("shutting down", "timeout", shutdownTimeout)
	sctx, cancel := context.WithTimeout(context.Background(), shutdownTimeout)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		return c.fail(cmd, exitUsage, fmt.Errorf("graceful shutdown: %w", err))
	}
	if err := <-served; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return c.fail(cmd, exitUsage, fmt.Errorf("serve: %w", err))
	}
	logger.Info("stopped")
	return exitOK
}

// mockHandler serves the spec's two documents on GET and HEAD and hands
// everything else, paths as sent, to the fake.
func mockHandler(fake http.Handler) (http.Handler, error) {
	specJSON, err := cbr.GetSpecJSON()
	if err != nil {
		return nil, fmt.Errorf("load the embedded API description: %w", err)
	}
	specYAML, err := jsonToYAML(specJSON)
	if err != nil {
		return nil, fmt.Errorf("convert the API description to YAML: %w", err)
	}
	yamlDoc := serveBytes("application/yaml", specYAML)
	jsonDoc := serveBytes("application/json", specJSON)
	// An exact match on the raw path, not http.ServeMux: the mux cleans
	// paths and answers "//v3/..." or "/v3/./..." with a 307 redirect, which
	// the service never sends; the fake answers those with its CBR 404.
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodGet || r.Method == http.MethodHead {
			switch r.URL.EscapedPath() {
			case "/openapi.yaml":
				yamlDoc(w, r)
				return
			case "/openapi.json":
				jsonDoc(w, r)
				return
			}
		}
		fake.ServeHTTP(w, r)
	}), nil
}

// serveBytes answers GET and HEAD with a fixed document.
func serveBytes(contentType string, b []byte) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", contentType)
		w.Header().Set("Content-Length", strconv.Itoa(len(b)))
		if r.Method == http.MethodHead {
			return
		}
		_, _ = w.Write(b)
	}
}

// jsonToYAML re-encodes a JSON document as block-style YAML, keeping the
// order of its keys (the YAML parser reads JSON as flow-style YAML; clearing
// the styles turns it into block style, and strings that would read as
// another type stay quoted).
func jsonToYAML(j []byte) ([]byte, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(j, &doc); err != nil {
		return nil, fmt.Errorf("parse JSON: %w", err)
	}
	var unstyle func(n *yaml.Node)
	unstyle = func(n *yaml.Node) {
		n.Style = 0
		for _, child := range n.Content {
			unstyle(child)
		}
	}
	unstyle(&doc)
	if len(doc.Content) == 1 {
		orderTopLevel(doc.Content[0])
	}
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(&doc); err != nil {
		return nil, fmt.Errorf("encode YAML: %w", err)
	}
	if err := enc.Close(); err != nil {
		return nil, fmt.Errorf("encode YAML: %w", err)
	}
	return buf.Bytes(), nil
}

// topLevelOrder is the order of the top-level keys of an OpenAPI document
// as people write it; the embedded JSON has them sorted alphabetically.
var topLevelOrder = []string{"openapi", "info", "servers", "tags", "security", "paths", "components", "externalDocs"}

// orderTopLevel sorts the keys of a mapping node by topLevelOrder, unknown
// keys last in their original order.
func orderTopLevel(m *yaml.Node) {
	if m.Kind != yaml.MappingNode {
		return
	}
	rank := func(key string) int {
		if i := slices.Index(topLevelOrder, key); i >= 0 {
			return i
		}
		return len(topLevelOrder)
	}
	pairs := make([][2]*yaml.Node, 0, len(m.Content)/2)
	for i := 0; i+1 < len(m.Content); i += 2 {
		pairs = append(pairs, [2]*yaml.Node{m.Content[i], m.Content[i+1]})
	}
	slices.SortStableFunc(pairs, func(a, b [2]*yaml.Node) int {
		return rank(a[0].Value) - rank(b[0].Value)
	})
	m.Content = m.Content[:0]
	for _, p := range pairs {
		m.Content = append(m.Content, p[0], p[1])
	}
}

// logRequests logs one line per request: method, path, status, duration
// and request ID. Headers (the token) and bodies are never logged. Each
// answer carries an X-Request-Id; the fake's own is kept when it sets one.
func logRequests(logger *slog.Logger, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		if w.Header().Get("X-Request-Id") == "" {
			w.Header().Set("X-Request-Id", newRequestID())
		}
		rec := &statusRecorder{ResponseWriter: w}
		next.ServeHTTP(rec, r)
		if rec.status == 0 {
			rec.status = http.StatusOK
		}
		logger.Info("request",
			"method", r.Method,
			"path", r.URL.Path,
			"status", rec.status,
			"duration", time.Since(start).Round(time.Microsecond),
			"request_id", w.Header().Get("X-Request-Id"),
		)
	})
}

// newRequestID returns a random (version 4) UUID, the form of the fake's own
// request IDs.
func newRequestID() string {
	var b [16]byte
	_, _ = io.ReadFull(rand.Reader, b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b[:])
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}

// statusRecorder remembers the status a handler wrote.
type statusRecorder struct {
	http.ResponseWriter
	status int
}

// WriteHeader implements http.ResponseWriter.
func (s *statusRecorder) WriteHeader(code int) {
	if s.status == 0 {
		s.status = code
	}
	s.ResponseWriter.WriteHeader(code)
}

// Write implements http.ResponseWriter.
func (s *statusRecorder) Write(b []byte) (int, error) {
	if s.status == 0 {
		s.status = http.StatusOK
	}
	return s.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (s *statusRecorder) Unwrap() http.ResponseWriter { return s.ResponseWriter }
