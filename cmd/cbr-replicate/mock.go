package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"runtime/debug"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"

	"github.com/cbr-replicate/cbr-replicate/cbrtest"
	"github.com/cbr-replicate/cbr-replicate/gen/cbr"
	"github.com/cbr-replicate/cbr-replicate/internal/loopback"
	"github.com/cbr-replicate/cbr-replicate/openapi"
)

const mockUsage = `Serve a fake of "Replicating a Restore Point" (package cbrtest) for other
programs: POST /v3/{project_id}/checkpoints/replicate validates the request
against the API page and answers like the service (400 with a CBR error body
listing every violation, 403 without a token, 200 with one replication
record per backup otherwise). A "Prefer: code=404" request header forces that
status with the page's example, like Stoplight Prism.

Also served: GET /openapi.yaml and GET /openapi.json, the API description.

The fake knows a world: regions, each with the regions it replicates to,
and vaults. It serves every region at its path prefix (URL/eu-nl/v3/...; no
prefix: the --source-region), answers the vault, backup and capability
queries from the world, and refuses a replication as the service does,
with the documented code. Without --world it holds the page example's two
vaults and replicates them as often as asked; the world of --world FILE
remembers: the same vault to the same region again gets 6130. The file:
  regions: {eu-de: [eu-nl], eu-nl: [eu-de]}
  vaults:
    - id: 3b5816b5-f29c-4172-9d9a-76c719a659ce
      region: eu-de
      project_id: 4229d7a45436489f8c3dc2b1d35d4987  # optional: any project
      protect_type: backup     # backup | replication
      object_type: server      # server | disk | turbo
      status: available        # optional
      size: 100                # GB
      used: 2048               # MB, optional
      backups: 3               # available ECS backups with the system disk

With --iam-users-file the fake also serves IAM's token endpoint (Keystone
v3, POST /v3/auth/tokens) for the users of the file, one a line:
  domain user password project [passcode]
  e.g. OTC00000000001000000123 alice s3cret eu-de
(a passcode turns on login protection: that user signs in with it and
OS_USER_ID; blank lines and lines starting with # are skipped; a bad line
is reported by its number only). Tokens are scoped to the project and their catalog's
"cbr" entries are the fake's regions (URL/REGION/v3/PROJECT_ID); CBR then
accepts only the tokens this IAM issued (401 for another). Point a clouds.yaml's auth_url at URL/v3, or
OS_AUTH_URL, and "cbr-replicate replicate" signs in for real. The file
holds passwords: keep it private (chmod 600); a file that group or others
can read is served with a warning on stderr. It excludes --token-file.

With --aksk-file the fake also accepts requests signed with an access key
and secret key (SDK-HMAC-SHA256), one pair a line: "AK SK [security-token]" (a temporary pair's
token third; blank lines and # comments skipped, a bad line reported by number only); a bad signature
gets 401 BackupService.8600 naming the check that failed. Token requests
are judged as before. The file holds secret keys: keep it private.

Usage:
  cbr-replicate mock [--listen 127.0.0.1:8080] [flags]

The URL is printed on stdout once listening ("listening on http://..."),
then each region's, one a line ("  eu-nl  http://.../eu-nl"); one
log line per request goes to stderr (method, path, status, duration, request
ID; never a token). SIGINT or SIGTERM shut the server down gracefully:
requests in flight get 10 seconds to finish, then their connections are
closed.

Flags:
%s
Exit status: 0 after a graceful shutdown; 2 usage error (a bad line of a
file among them) or the address cannot be listened on.

Examples:
  cbr-replicate mock --listen 127.0.0.1:8080 &
  cbr-replicate mock --iam-users-file users.txt --aksk-file keys.txt
  cbr-replicate mock --world world.yaml
  curl -s -H 'X-Auth-Token: any' -H 'Content-Type: application/json' \
      -d '{"replicate":{"vault_id":"3b5816b5-f29c-4172-9d9a-76c719a659ce",
           "destination_project_id":"68589cac08274b82b4e254268a3862d8",
           "destination_region":"region2",
           "destination_vault_id":"0ca3eb86-8800-46da-9c37-9d657a825274"}}' \
      http://127.0.0.1:8080/v3/4229d7a45436489f8c3dc2b1d35d4987/checkpoints/replicate
`

// shutdownGrace is how long a graceful shutdown waits for requests in
// flight before it closes their connections.
const shutdownGrace = 10 * time.Second

// mockOptions is "cbr-replicate mock" after flag parsing: the fake its
// flags and files describe, and where to serve it.
type mockOptions struct {
	streams
	listen string
	fake   *cbrtest.Fake
	grace  time.Duration // shutdownGrace; tests shorten it
}

// parseMock parses the command line of "cbr-replicate mock", reads the
// files it names and builds the fake.
func parseMock(s streams, args []string) (*mockOptions, error) {
	o := &mockOptions{streams: s, grace: shutdownGrace}
	var sourceRegion, tokenFile, usersFile, keysFile, worldFile string
	var status int
	fs := newFlagSet("mock")
	fs.StringVar(&o.listen, "listen", "127.0.0.1:8080", "address to listen on (port 0 picks a free port)")
	fs.StringVar(&sourceRegion, "source-region", cbrtest.DefaultSourceRegion, "the mock's own region: of paths without a region prefix, the answers' source_region")
	fs.IntVar(&status, "status", 0, "answer every request with this status and the page's example (0: behave like the service)")
	fs.StringVar(&tokenFile, "token-file", "", "accept only the token in this file (default: any non-empty token)")
	fs.StringVar(&usersFile, "iam-users-file", "", "serve IAM's token endpoint for these users and accept only its tokens")
	fs.StringVar(&keysFile, "aksk-file", "", "also accept requests signed with these access key / secret key pairs")
	fs.StringVar(&worldFile, "world", "", "serve the regions and vaults of this YAML file, remembering replications")
	if err := parseFlags(s, fs, mockUsage, args); err != nil {
		return nil, err
	}
	switch {
	case fs.NArg() > 0:
		return nil, usagef("unexpected argument %q", fs.Arg(0))
	case sourceRegion == "":
		return nil, usagef("--source-region needs a region")
	case fs.Changed("token-file") && tokenFile == "":
		// An empty name would quietly accept any token.
		return nil, usagef("--token-file needs a file name")
	case fs.Changed("iam-users-file") && usersFile == "", fs.Changed("aksk-file") && keysFile == "", fs.Changed("world") && worldFile == "":
		return nil, usagef("--iam-users-file, --aksk-file and --world need a file name")
	case tokenFile != "" && usersFile != "":
		return nil, usagef("--token-file and --iam-users-file exclude each other: with users the fake accepts the tokens its IAM issues")
	}
	// A long-running server keeps no log of the requests it accepted.
	opts := []cbrtest.Option{cbrtest.WithSourceRegion(sourceRegion), cbrtest.WithMaxRequests(0)}
	if status != 0 {
		opts = append(opts, cbrtest.WithResponse(status))
	}
	if worldFile != "" {
		w, err := readWorld(s, worldFile, sourceRegion, "--source-region")
		if err != nil {
			return nil, err
		}
		opts = append(opts, cbrtest.WithWorld(w))
	}
	if tokenFile != "" {
		t, err := readToken(o.in, tokenFile)
		if err != nil {
			return nil, err
		}
		opts = append(opts, cbrtest.WithToken(t.Reveal()))
	}
	if usersFile != "" {
		users, err := readFile(s, "--iam-users-file", usersFile, true, cbrtest.ParseIAMUsers)
		if err != nil {
			return nil, err
		}
		opts = append(opts, cbrtest.WithIAM(users...))
	}
	if keysFile != "" {
		keys, err := readFile(s, "--aksk-file", keysFile, true, cbrtest.ParseAKSK)
		if err != nil {
			return nil, err
		}
		opts = append(opts, cbrtest.WithAKSK(keys...))
	}
	var err error
	if o.fake, err = cbrtest.New(opts...); err != nil {
		// A status the fake cannot answer with (42, 204, or 202 that the
		// spec does not document) is a usage error in the flag's words.
		if oe, ok := errors.AsType[*cbrtest.OptionError](err); ok && strings.HasPrefix(oe.Option, "WithResponse") {
			return nil, usagef("--status %d: %v", status, oe.Err)
		}
		return nil, &usageError{err: err}
	}
	return o, nil
}

// readWorld reads --world; the fake's own region (of the flag named) must
// be one of its regions.
func readWorld(s streams, name, region, flag string) (*cbrtest.World, error) {
	w, err := readFile(s, "--world", name, false, cbrtest.ParseWorld)
	if err != nil {
		return nil, err
	}
	if _, ok := w.Regions[region]; !ok {
		return nil, usagef("--world %s lists no region %s, the mock's own (%s)", name, region, flag)
	}
	return w, nil
}

// mockGCPercent is the mock's GOGC unless the environment sets one.
const mockGCPercent = 400

// mockRun serves the fake until ctx ends, then shuts down: requests in
// flight get o.grace to finish, then their connections are closed.
func mockRun(ctx context.Context, o *mockOptions) error {
	// The mock's live heap is a few MiB, and each request allocates some
	// 20 KB that die at once: collecting at 5x the live heap instead of 2x
	// gave a quarter more requests/s under wrk. GOGC, when set, still wins.
	if o.getenv("GOGC") == "" {
		defer debug.SetGCPercent(debug.SetGCPercent(mockGCPercent))
	}
	logOut := newBufferedLog(o.errOut)
	defer func() { _ = logOut.Close() }()
	logger := slog.New(slog.NewTextHandler(logOut, nil))
	handler, err := mockHandler(o.fake)
	if err != nil {
		return err
	}
	srv := cbrtest.NewHTTPServer(logRequests(logger, handler))
	srv.ErrorLog = slog.NewLogLogger(logger.Handler(), slog.LevelWarn)
	ln, err := net.Listen("tcp", o.listen)
	if err != nil {
		return fmt.Errorf("cannot serve: %w", err)
	}
	url := "http://" + ln.Addr().String()
	if !loopback.Host(ln.Addr().(*net.TCPAddr).IP.String()) {
		logger.Warn("listening beyond loopback: the fake accepts any token and is meant for tests", "addr", ln.Addr().String())
	}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	fmt.Fprintf(o.out, "listening on %s (spec: %s/openapi.yaml)\n", url, url)
	for _, r := range o.fake.Regions() { // names of [a-z0-9-]: nothing to escape
		fmt.Fprintf(o.out, "  %-8s %s\n", r, o.fake.RegionURL(url, r))
	}
	logger.Info("listening", "url", url)

	select {
	case err := <-served:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	logger.Info("shutting down", "timeout", o.grace)
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), o.grace)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		logger.Warn("requests still in flight after the grace period: closing their connections", "timeout", o.grace)
		_ = srv.Close()
	}
	if err := <-served; !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("serve: %w", err)
	}
	logger.Info("stopped")
	return nil
}

// mockHandler serves the spec's two documents on GET and HEAD and hands
// everything else, paths as sent, to the fake.
func mockHandler(fake http.Handler) (http.Handler, error) {
	specJSON, err := cbr.GetSpecJSON()
	if err != nil {
		return nil, fmt.Errorf("load the embedded API description: %w", err)
	}
	docs := map[string]struct {
		contentType string
		body        []byte
	}{"/openapi.yaml": {"application/yaml", openapi.YAML}, "/openapi.json": {"application/json", specJSON}}
	// An exact match on the raw path, not http.ServeMux: the mux cleans
	// paths and answers "//v3/..." or "/v3/./..." with a 307 redirect, which
	// the service never sends; the fake answers those with its CBR 404.
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		doc, ok := docs[r.URL.EscapedPath()]
		if !ok || (r.Method != http.MethodGet && r.Method != http.MethodHead) {
			fake.ServeHTTP(w, r)
			return
		}
		w.Header().Set("Content-Type", doc.contentType)
		w.Header().Set("X-Request-Id", uuid.NewString()) // as on the fake's answers
		http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(doc.body))
	}), nil
}

// logRequests logs one line per request: method, path, status, duration
// and the answer's X-Request-Id (the fake sets one on every answer, as the
// service does). Headers (the token) and bodies are never logged. The
// attributes are passed as slog.Attr, which the handler formats without
// boxing them.
func logRequests(logger *slog.Logger, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rec := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
		next.ServeHTTP(rec, r)
		logger.LogAttrs(r.Context(), slog.LevelInfo, "request",
			slog.String("method", r.Method),
			slog.String("path", r.URL.Path),
			slog.Int("status", rec.status),
			slog.Duration("duration", time.Since(start).Round(time.Microsecond)),
			slog.String("request_id", w.Header().Get("X-Request-Id")),
		)
	})
}

// statusRecorder remembers the status a handler wrote (200 if it wrote none).
type statusRecorder struct {
	http.ResponseWriter
	status      int
	wroteHeader bool
}

func (s *statusRecorder) WriteHeader(code int) {
	if !s.wroteHeader {
		s.status, s.wroteHeader = code, true
	}
	s.ResponseWriter.WriteHeader(code)
}

// logFlushEvery bounds how long a log line of the mock waits in memory.
const logFlushEvery = 100 * time.Millisecond

// bufferedLog gathers the mock's log lines and writes them out at most
// logFlushEvery after the first one waiting (or when 32 KiB are waiting),
// instead of one write(2) per request: under load the system call per line
// cost the mock a fifth of its throughput. Close writes out what is left.
type bufferedLog struct {
	mu    sync.Mutex
	w     *bufio.Writer
	flush *time.Timer // pending, or nil
}

func newBufferedLog(w io.Writer) *bufferedLog {
	return &bufferedLog{w: bufio.NewWriterSize(w, 32<<10)}
}

func (b *bufferedLog) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.flush == nil {
		b.flush = time.AfterFunc(logFlushEvery, func() { _ = b.Close() })
	}
	return b.w.Write(p)
}

// Close writes out what is left; the log can be written to after.
func (b *bufferedLog) Close() error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.flush != nil {
		b.flush.Stop()
		b.flush = nil
	}
	return b.w.Flush()
}
