package cbrtest

import (
	"bytes"
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"path"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/go-json-experiment/json"
	"github.com/google/uuid"

	"github.com/cbr-replicate/cbr-replicate/aksk"
	"github.com/cbr-replicate/cbr-replicate/internal/limit"
	"github.com/cbr-replicate/cbr-replicate/internal/redact"
	"github.com/cbr-replicate/cbr-replicate/openapi"
	"github.com/cbr-replicate/cbr-replicate/validate"
)

const copyCheckpoint = "CopyCheckpoint"

// Error codes of the CBR error bodies the fake writes itself: validate's,
// which the spec documents.
const (
	codeParameter        = validate.CodeParameterVerificationFailed
	codeNotAuthenticated = validate.CodeNotAuthenticated
	codeUnknown          = validate.CodeUnknownError
)

// Fake is a fake of the CBR API, every operation of the project's spec, as
// an http.Handler built by New. It answers as the package doc describes and
// records what it accepted. It is safe for concurrent use. The zero Fake,
// and a nil *Fake, answer every request with 500 and a CBR error body
// (BackupService.9910) rather than panic: build a Fake with New.
type Fake struct {
	cfg   config
	v     *validate.Validator
	chain http.Handler // validation (bounded body), then the operation's answer
	iam   *IAM         // WithIAM: IAM's token endpoint, and the only issuer of accepted tokens
	world *worldState

	received atomic.Int64
	mu       sync.Mutex
	requests []Request
}

// Request is a request the fake accepted, as Requests returns it.
type Request struct {
	// OperationID is the operation of the spec the request was for, e.g.
	// "CopyCheckpoint".
	OperationID string
	// Method and Path are the HTTP method and the URL path without its
	// region prefix, e.g. POST and /v3/<project>/checkpoints/replicate.
	Method, Path string
	// Region is the region the request was for: its path's prefix, else
	// the fake's own (WithSourceRegion).
	Region string
	// PathParams are the values of the path's parameters (project_id, ...).
	PathParams map[string]string
	// Header is a copy of the request's header with the value of every
	// header that carries a credential (X-Auth-Token, Authorization, Cookie,
	// ...; see internal/redact) replaced by "[REDACTED]".
	Header http.Header
	// Raw is the body as the client sent it: the bytes that were validated
	// (strictly); nil for an operation without a body.
	Raw []byte
	// RequestID is the X-Request-Id header of the fake's answer.
	RequestID string
	// Status is the status code the fake answered with.
	Status int
}

// ProjectID returns the project_id of the request's path.
func (r Request) ProjectID() string { return r.PathParams["project_id"] }

// Decode decodes the body into v (a *cbr.CheckpointReplicateReq, say), as
// strictly as the fake validated it: names match case-sensitively.
func (r Request) Decode(v any) error { return json.Unmarshal(r.Raw, v) }

// New returns a Fake configured by opts, as the package doc says; an
// invalid option (a status WithResponse cannot send, a body that does not
// marshal, a handler for an operation the spec lacks, ...) is an error
// naming it.
func New(opts ...Option) (*Fake, error) {
	cfg := config{sourceRegion: DefaultSourceRegion, maxRequests: -1,
		handlers: map[string]http.Handler{}, aksk: map[string]aksk.Credentials{}}
	for _, o := range opts {
		if o != nil {
			o(&cfg)
		}
	}
	if err := cfg.check(); err != nil {
		return nil, fmt.Errorf("cbrtest: %w", err)
	}
	v, err := validate.New(validate.WithMaxBodyBytes(MaxBodyBytes))
	if err != nil {
		return nil, fmt.Errorf("cbrtest: %w", err)
	}
	f := &Fake{cfg: cfg, v: v, world: &worldState{World: cfg.world, remember: true, replicated: map[[2]string]bool{}}}
	if cfg.world == nil {
		f.world = &worldState{World: defaultWorld(cfg.sourceRegion)}
	}
	for id, h := range map[string]http.HandlerFunc{copyCheckpoint: f.replicate, "ShowVault": f.showVault,
		"ListBackups": f.listBackups, "ShowReplicationCapabilities": f.capabilities} {
		if f.cfg.handlers[id] == nil {
			f.cfg.handlers[id] = h
		}
	}
	if len(cfg.iamUsers) > 0 {
		o := IAMOptions{Users: cfg.iamUsers, CatalogForm: cfg.iamCatalog, Catalog: f.world.catalog(cfg.iamCatalog, cfg.sourceRegion)}
		if f.iam, err = NewIAM(o); err != nil {
			return nil, fmt.Errorf("cbrtest: WithIAM: %w", err)
		}
	}
	f.chain = v.Middleware(http.HandlerFunc(f.answer))
	return f, nil
}

// ServeHTTP answers one request as the package doc describes.
func (f *Fake) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("X-Request-Id", uuid.NewString())
	if f != nil {
		f.received.Add(1)
	}
	if f == nil || f.chain == nil {
		validate.WriteCBRError(w, http.StatusInternalServerError, codeUnknown,
			"Unknown error: the fake was not built with cbrtest.New.")
		return
	}
	if r.Body == nil {
		r.Body = http.NoBody
	}
	// http.ServeMux would redirect a path with "." or ".." segments or
	// repeated slashes; the real service has no such paths.
	if p := r.URL.Path; p == "" || p[0] != '/' || path.Clean(p) != p {
		validate.WriteCBRError(w, http.StatusNotFound, codeParameter, fmt.Sprintf("No operation at %s %s.", r.Method, r.URL.Path))
		return
	}
	if f.iam != nil && strings.TrimSuffix(r.URL.Path, "/") == "/v3/auth/tokens" {
		f.iam.ServeHTTP(w, r)
		return
	}
	// Authentication first, on the path of every operation, as the
	// gateway does: a request with a credential the fake does not accept
	// learns nothing about its body. A path of no operation is left to
	// the middleware's 404 or 405. A signature covers the path as sent,
	// region prefix included; routing and validation see it without.
	region, u := f.split(r.URL)
	routed := r.WithContext(context.WithValue(r.Context(), regionKey{}, region))
	routed.URL = u
	if route, err := f.v.Route(routed); err == nil && !f.authenticate(w, r, route.PathParams["project_id"]) {
		return
	}
	routed.Body = r.Body // as authenticate put it back after reading it
	f.chain.ServeHTTP(w, routed)
}

// gatewayToken stands, behind a verified AK/SK signature, for the token the
// real gateway hands the service: the page's contract requires X-Auth-Token.
const gatewayToken = "aksk-verified-by-the-gateway"

// authenticate checks the request's credential: an SDK-HMAC-SHA256
// signature with WithAKSK, else its token. It answers 401, 403 or 413
// itself and reports whether the request may go on.
func (f *Fake) authenticate(w http.ResponseWriter, r *http.Request, project string) bool {
	if len(f.cfg.aksk) == 0 || !strings.HasPrefix(r.Header.Get("Authorization"), aksk.Algorithm) {
		if status, msg := f.refuse(r, project); status != 0 {
			validate.WriteCBRError(w, status, codeNotAuthenticated, msg)
			return false
		}
		return true
	}
	// The signature covers the body: read it once, bounded, and put it
	// back for validation.
	body, err := limit.ReadAll(r.Body, MaxBodyBytes)
	_ = r.Body.Close()
	if err != nil {
		validate.WriteBodyError(w, err)
		return false
	}
	lookup := func(ak string) (aksk.Credentials, bool) { c, ok := f.cfg.aksk[ak]; return c, ok }
	if err := aksk.Verify(r, body, lookup, time.Now(), aksk.DefaultSkew); err != nil {
		validate.WriteCBRError(w, http.StatusUnauthorized, codeNotAuthenticated, "Not authenticated: "+err.Error())
		return false
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	r.Header.Set("X-Auth-Token", gatewayToken)
	return true
}

// refuse returns the status and message that refuse the request's token,
// or 0 when the fake accepts it: any non-empty token by default (the
// middleware refuses an empty one), only WithToken's, or only a valid token
// its IAM issued for the path's project. The documents do not settle these
// answers: the error-code appendix lists BackupService.8600 under 403 only,
// and the gateway documents its own 401 codes (APIGW.0301); the fake
// answers 401 with 8600 for a token its IAM did not issue or that expired
// (so that a client's renewal after a 401 can be tested), 403 with 8600 for
// another token or project.
func (f *Fake) refuse(r *http.Request, project string) (int, string) {
	tok := r.Header.Get("X-Auth-Token")
	switch {
	case !f.cfg.token.IsZero() && sameSecret(tok, f.cfg.token) != 1:
		return http.StatusForbidden, "Not authenticated: the X-Auth-Token is not the one the fake accepts."
	case f.iam == nil:
		return 0, ""
	}
	scope, ok := f.iam.Valid(tok)
	switch {
	case !ok:
		return http.StatusUnauthorized, "Not authenticated: the X-Auth-Token was not issued by this IAM, or it expired."
	case scope != project:
		return http.StatusForbidden, "Not authenticated: the X-Auth-Token is not scoped to this project."
	}
	return 0, ""
}

// IAM returns the fake's IAM (WithIAM), nil without one: a test can count
// sign-ins or revoke a token.
func (f *Fake) IAM() *IAM {
	if f == nil {
		return nil
	}
	return f.iam
}

// answer answers a request that passed authentication and validation, as
// step 4 of the package doc says. A Prefer header the fake cannot follow
// gets 400, and the request is not recorded.
func (f *Fake) answer(w http.ResponseWriter, r *http.Request) {
	route, _ := validate.RouteOf(r.Context())
	op, _ := openapi.Lookup(route.OperationID)
	rec := &recorder{ResponseWriter: w}
	raw, _ := io.ReadAll(r.Body) // the validated bytes, in memory
	r.Body = io.NopCloser(bytes.NewReader(raw))
	status, example, err := preference(strings.Join(r.Header.Values("Prefer"), ","))
	forced := f.cfg.forced
	var ex openapi.Example
	if err == nil && (status != 0 || example != "") {
		if forced != nil && status == 0 {
			status = forced.status
		}
		ex, err = op.Example(cmp.Or(status, http.StatusOK), example)
	}
	switch {
	case err != nil:
		validate.WriteCBRError(w, http.StatusBadRequest, codeParameter, "Parameter verification failed: header Prefer: "+err.Error())
		return
	case ex.Body != nil:
		w.Header().Set("Preference-Applied", applied(status, example))
		writeJSON(rec, cmp.Or(status, http.StatusOK), ex.Body)
	case forced != nil && forced.body != nil:
		rec.Header().Set("Content-Type", forced.contentType)
		rec.WriteHeader(forced.status)
		_, _ = rec.Write(forced.body)
	case forced != nil:
		ex, _ = op.Example(forced.status, "") // New checked that every operation documents it
		writeJSON(rec, forced.status, ex.Body)
	case f.cfg.handlers[op.ID] != nil:
		f.cfg.handlers[op.ID].ServeHTTP(rec, r)
	default:
		ex, _ = op.Example(http.StatusOK, "") // package openapi checked that every response has one
		writeJSON(rec, http.StatusOK, ex.Body)
	}
	if f.cfg.maxRequests != 0 {
		f.record(Request{
			OperationID: op.ID, Method: r.Method, Path: r.URL.Path, Region: regionOf(r), PathParams: route.PathParams,
			Header: redact.Header(r.Header), Raw: raw, RequestID: w.Header().Get("X-Request-Id"), Status: rec.status(),
		})
	}
}

// applied is the Preference-Applied header (RFC 7240) of the preferences
// the fake followed.
func applied(status int, example string) string {
	var parts []string
	if status != 0 {
		parts = append(parts, "code="+strconv.Itoa(status))
	}
	if example != "" {
		parts = append(parts, "example="+example)
	}
	return strings.Join(parts, ", ")
}

func writeJSON(w http.ResponseWriter, status int, body []byte) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

// preference reads a Prefer header as Stoplight Prism does: "code=404"
// forces a status, "example=Name" picks a documented example, separated by
// commas or semicolons; the first of each counts and other preferences are
// ignored (RFC 7240).
func preference(h string) (status int, example string, err error) {
	for _, part := range strings.FieldsFunc(h, func(r rune) bool { return r == ',' || r == ';' }) {
		name, value, _ := strings.Cut(part, "=")
		value = strings.Trim(strings.TrimSpace(value), `"`)
		switch name = strings.ToLower(strings.TrimSpace(name)); {
		case name == "code" && status == 0:
			if status, err = strconv.Atoi(value); err != nil || len(value) != 3 {
				return 0, "", fmt.Errorf("code=%s is not a three-digit HTTP status", strconv.Quote(limit.Text(value, 32)))
			}
			if err := checkStatus(status); err != nil {
				return 0, "", fmt.Errorf("code=%d: %w", status, err)
			}
		case name == "example" && example == "":
			if example = value; example == "" {
				return 0, "", errors.New("example needs a name, as in example=DestinationVaultNotFound")
			}
		}
	}
	return status, example, nil
}

// recorder remembers the status a handler wrote.
type recorder struct {
	http.ResponseWriter
	code int
}

func (r *recorder) WriteHeader(code int) {
	if r.code == 0 {
		r.code = code
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *recorder) Write(b []byte) (int, error) {
	if r.code == 0 {
		r.code = http.StatusOK
	}
	return r.ResponseWriter.Write(b)
}

func (r *recorder) status() int { return cmp.Or(r.code, http.StatusOK) }

// Requests returns copies of the requests the fake accepted, oldest first:
// those that passed authentication and validation, whatever they were
// answered with (also a preferred or forced error). Rejected requests are
// not recorded; Received counts them. A zero or nil Fake has none.
func (f *Fake) Requests() []Request {
	if f == nil {
		return nil
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	out := make([]Request, len(f.requests))
	for i, r := range f.requests {
		out[i] = r
		out[i].Header = r.Header.Clone()
		out[i].Raw = bytes.Clone(r.Raw)
	}
	return out
}

// Received returns how many requests reached the fake, rejected ones included.
func (f *Fake) Received() int {
	if f == nil {
		return 0
	}
	return int(f.received.Load())
}

func (f *Fake) record(r Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.requests = append(f.requests, r)
	if n := f.cfg.maxRequests; n > 0 && len(f.requests) > n {
		f.requests = f.requests[1:]
	}
}
