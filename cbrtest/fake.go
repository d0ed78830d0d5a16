package cbrtest

import (
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"errors"
	"fmt"
	"io"
	"net/http"
	"path"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/google/uuid"

	"github.com/cbr-replicate/cbr-replicate/aksk"
	"github.com/cbr-replicate/cbr-replicate/gen/cbr"
	"github.com/cbr-replicate/cbr-replicate/internal/limit"
	"github.com/cbr-replicate/cbr-replicate/internal/redact"
	"github.com/cbr-replicate/cbr-replicate/validate"
)

// Error codes of the CBR error bodies the fake writes itself: validate's,
// which the spec documents.
const (
	codeParameter        = validate.CodeParameterVerificationFailed
	codeNotAuthenticated = validate.CodeNotAuthenticated
	codeUnknown          = validate.CodeUnknownError
)

// Fake is a fake of CBR's replicate endpoint (POST
// /v3/{project_id}/checkpoints/replicate) as an http.Handler, built by New.
// It validates every request against the project's OpenAPI spec, answers a
// valid one as the real service would, and records it. It is safe for
// concurrent use.
//
// How a request is answered, in order:
//   - a path that is not the operation's: 404; its path with another method:
//     405 (Allow: POST);
//   - with WithToken, a missing or another X-Auth-Token: 403
//     BackupService.8600, before the body is read or validated, as the real
//     service authenticates first;
//   - a body over MaxBodyBytes: 413;
//   - no or a blank X-Auth-Token: 403 BackupService.8600; else any violation
//     of the spec: 400 BackupService.9900 listing every violation;
//   - a malformed Prefer header, a status the spec does not document (201),
//     or an example it names that the spec does not document for the
//     status: 400 BackupService.9900 naming the documented ones (Prism
//     answers 500 there);
//   - "Prefer: code=<status>" and/or "example=<name>": that status (200 if
//     only an example is named) with the spec's example, as Stoplight Prism
//     does, and a Preference-Applied header (RFC 7240);
//   - WithResponse or WithResponseBody: that answer;
//   - else 200 with a replication built from the request.
//
// So a preferred or forced answer is given only to a valid request. Every
// answer is JSON (unless WithResponseBody says otherwise) and carries a fresh
// X-Request-Id header, as the real service's do.
//
// The zero Fake, and a nil *Fake, answer every request with 500 and a CBR
// error body (BackupService.9910) rather than panic: build a Fake with New.
type Fake struct {
	cfg      config
	examples *examples
	chain    http.Handler // validation (bounded body), routing, operation; nil in the zero Fake
	iam      *IAM         // WithIAM: IAM's token endpoint, and the only issuer of accepted tokens

	received atomic.Int64
	mu       sync.Mutex
	requests []Request
}

// Request is a request the fake accepted, as Requests returns it.
type Request struct {
	// Method is the HTTP method, always POST.
	Method string
	// Path is the URL path, e.g. /v3/<project>/checkpoints/replicate.
	Path string
	// ProjectID is the project_id from the path.
	ProjectID string
	// Header is a copy of the request's header with the value of every
	// header that carries a credential (X-Auth-Token, Authorization, Cookie,
	// ...; see internal/redact) replaced by "[REDACTED]".
	Header http.Header
	// Body is the validated request body.
	Body cbr.CheckpointReplicateReq
	// Raw is the body as the client sent it: the bytes that were
	// validated (strictly, so they mean exactly Body).
	Raw []byte
	// RequestID is the X-Request-Id header of the fake's answer.
	RequestID string
	// Status is the status code the fake answered with.
	Status int
}

// New returns a Fake configured by opts, to mount in a server or mux of the
// test's own or to call with httptest.NewRecorder; NewServer runs one on
// loopback. An invalid option (a status WithResponse cannot send, a body
// that does not marshal, ...) is an error naming it.
//
// The first call turns on the random pool of github.com/google/uuid
// (uuid.EnableRandPool) for the process, for cheap random ids; a program
// that also generates UUIDs concurrently should call New before it does.
func New(opts ...Option) (*Fake, error) {
	enableRandPool()
	cfg := defaultConfig()
	for _, o := range opts {
		if o != nil {
			o(&cfg)
		}
	}
	if err := errors.Join(cfg.errs...); err != nil {
		return nil, fmt.Errorf("cbrtest: %w", err)
	}
	ex, err := specExamples()
	if err != nil {
		return nil, fmt.Errorf("cbrtest: %w", err)
	}
	v, err := validate.New(validate.WithMaxBodyBytes(MaxBodyBytes))
	if err != nil {
		return nil, fmt.Errorf("cbrtest: build validator: %w", err)
	}
	if fc := cfg.forced; fc != nil && fc.body == nil && !ex.documented(fc.status) {
		return nil, fmt.Errorf("cbrtest: WithResponse(%d): the spec documents no answer for status %d; documented: %s",
			fc.status, fc.status, strings.Join(ex.keys, ", "))
	}
	f := &Fake{cfg: cfg, examples: ex}
	if len(cfg.iamUsers) > 0 {
		if cfg.tokenHash != nil {
			return nil, errors.New("cbrtest: WithIAM and WithToken exclude each other: with WithIAM the fake accepts the tokens its IAM issues")
		}
		if f.iam, err = NewIAM(IAMOptions{Users: cfg.iamUsers}); err != nil {
			return nil, fmt.Errorf("cbrtest: WithIAM: %w", err)
		}
		f.iam.selfURL = true
	}

	mux := http.NewServeMux()
	// The middleware answers every other path and method itself; this only
	// keeps net/http's plain-text answers out should one get through.
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		validate.WriteCBRError(w, http.StatusNotFound, codeParameter,
			fmt.Sprintf("No operation at %s %s.", r.Method, r.URL.Path))
	})
	strict := cbr.NewStrictHandlerWithOptions(operation{f}, nil, cbr.StrictHTTPServerOptions{
		RequestErrorHandlerFunc: func(w http.ResponseWriter, r *http.Request, err error) {
			validate.WriteCBRError(w, http.StatusBadRequest, codeParameter, "Parameter verification failed: "+err.Error())
		},
		// The fake never returns an error from CopyCheckpoint; what is left
		// is a failed write of the answer, after its header was sent, to a
		// client that went away: nothing more can be said to it.
		ResponseErrorHandlerFunc: func(http.ResponseWriter, *http.Request, error) {},
	})
	api := cbr.HandlerWithOptions(strict, cbr.StdHTTPServerOptions{
		BaseRouter:  mux,
		Middlewares: []cbr.MiddlewareFunc{f.captureCall},
		ErrorHandlerFunc: func(w http.ResponseWriter, r *http.Request, err error) {
			validate.WriteCBRError(w, http.StatusBadRequest, codeParameter, "Parameter verification failed: "+err.Error())
		},
	})
	f.chain = v.Middleware(api)
	return f, nil
}

// enableRandPool turns uuid's random pool on once: crypto-random ids, one
// read of crypto/rand per request each, were a hot spot under load.
var enableRandPool = sync.OnceFunc(uuid.EnableRandPool)

// ServeHTTP answers one request as described on Fake.
func (f *Fake) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("X-Request-Id", uuid.NewString())
	if f == nil || f.chain == nil {
		if f != nil {
			f.received.Add(1)
		}
		validate.WriteCBRError(w, http.StatusInternalServerError, codeUnknown,
			"Unknown error: the fake was not built with cbrtest.New.")
		return
	}
	f.received.Add(1)
	if r.Body == nil {
		r.Body = http.NoBody
	}
	// http.ServeMux would redirect a path with "." or ".." segments or
	// repeated slashes; the real service has no such paths.
	if p := r.URL.Path; p == "" || p[0] != '/' || path.Clean(p) != p {
		validate.WriteCBRError(w, http.StatusNotFound, codeParameter, fmt.Sprintf("No operation at %s %s.", r.Method, r.URL.Path))
		return
	}
	if f.iam != nil && isIAMPath(r.URL.Path) {
		f.iam.ServeHTTP(w, r)
		return
	}
	// Authentication first: a request to the operation with a token the
	// fake does not accept learns nothing about its body. Other paths and
	// methods are left to the middleware's 404 and 405.
	if r.Method == http.MethodPost && isOperationPath(r.URL.Path) {
		if f.cfg.aksk != nil && strings.HasPrefix(r.Header.Get("Authorization"), aksk.Algorithm) {
			if !f.verifySignature(w, r) {
				return
			}
		} else if status, msg := f.refuse(r); status != 0 {
			validate.WriteCBRError(w, status, codeNotAuthenticated, msg)
			return
		}
	}
	f.chain.ServeHTTP(w, r)
}

// gatewayToken stands, behind a verified AK/SK signature, for the token the
// real gateway hands the service: the page's contract requires X-Auth-Token.
const gatewayToken = "aksk-verified-by-the-gateway"

// verifySignature checks an SDK-HMAC-SHA256 signature over the body, read
// once through the bounded reader and put back for validation; it answers
// 413 or 401 itself and reports whether the request may go on.
func (f *Fake) verifySignature(w http.ResponseWriter, r *http.Request) bool {
	body, err := limit.ReadAll(r.Body, MaxBodyBytes)
	_ = r.Body.Close()
	if n, ok := limit.TooLarge(err); ok {
		validate.WriteCBRError(w, http.StatusRequestEntityTooLarge, codeParameter,
			fmt.Sprintf("The request body is larger than %d bytes.", n))
		return false
	}
	if err != nil {
		validate.WriteCBRError(w, http.StatusBadRequest, codeParameter, "The request body cannot be read.")
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
// its IAM issued for the path's project.
func (f *Fake) refuse(r *http.Request) (int, string) {
	tok := r.Header.Get("X-Auth-Token")
	switch {
	case f.cfg.tokenHash != nil && !sameToken(tok, f.cfg.tokenHash):
		return http.StatusForbidden, "Not authenticated: the X-Auth-Token is not the one the fake accepts."
	case f.iam == nil:
		return 0, ""
	}
	project, ok := f.iam.Valid(tok)
	switch {
	case !ok:
		return http.StatusUnauthorized, "Not authenticated: the X-Auth-Token was not issued by this IAM, or it expired."
	case project != projectOf(r.URL.Path):
		return http.StatusForbidden, "Not authenticated: the X-Auth-Token is not scoped to this project."
	}
	return 0, ""
}

// isIAMPath reports whether p is served by the fake's IAM: the token
// endpoint and the version documents.
func isIAMPath(p string) bool {
	switch strings.TrimSuffix(p, "/") {
	case "", "/v3", "/v3/auth/tokens":
		return true
	}
	return false
}

// projectOf returns the project_id of an operation path.
func projectOf(p string) string {
	rest, _ := strings.CutPrefix(p, "/v3/")
	project, _ := strings.CutSuffix(rest, "/checkpoints/replicate")
	return project
}

// IAM returns the fake's IAM (WithIAM), nil without one: a test can count
// sign-ins or revoke a token.
func (f *Fake) IAM() *IAM {
	if f == nil {
		return nil
	}
	return f.iam
}

// isOperationPath reports whether p is /v3/{project_id}/checkpoints/replicate
// with a project_id of one non-empty segment, as the spec's router matches.
func isOperationPath(p string) bool {
	rest, ok := strings.CutPrefix(p, "/v3/")
	if !ok {
		return false
	}
	project, ok := strings.CutSuffix(rest, "/checkpoints/replicate")
	return ok && project != "" && !strings.Contains(project, "/")
}

// Requests returns copies of the requests the fake accepted, oldest first:
// those that passed validation and authentication, whatever they were
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
		out[i] = r.clone()
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

// records reports whether the fake keeps the requests it accepts.
func (f *Fake) records() bool { return f.cfg.maxRequests != 0 }

func (f *Fake) record(r Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.cfg.maxRequests > 0 && len(f.requests) >= f.cfg.maxRequests {
		f.requests = append(f.requests[1:], r)
		return
	}
	f.requests = append(f.requests, r)
}

func (r Request) clone() Request {
	c := r
	c.Header = r.Header.Clone()
	c.Raw = bytes.Clone(r.Raw)
	p := &c.Body.Replicate
	if p.AutoTrigger != nil {
		v := *p.AutoTrigger
		p.AutoTrigger = &v
	}
	if p.EnableAcceleration != nil {
		v := *p.EnableAcceleration
		p.EnableAcceleration = &v
	}
	return c
}

// call is what the strict handler needs of the HTTP request beyond its
// bound body: captured by captureCall after validation.
type call struct {
	method string
	path   string
	header http.Header
	raw    []byte
	reqID  string
}

type callKey struct{}

// captureCall keeps the validated body bytes and the header of a request
// that passed validation for CopyCheckpoint, which only sees the bound body.
// It reads a copy of the body (GetBody, which validate.Middleware sets), so
// that r.Body keeps the validated value the generated binder binds; a fake
// that records nothing (WithMaxRequests(0), the mock command) reads none.
func (f *Fake) captureCall(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var raw []byte
		if f.records() {
			var err error
			if raw, err = validatedBytes(r); err != nil {
				validate.WriteCBRError(w, http.StatusBadRequest, codeParameter, "Parameter verification failed: read body: "+err.Error())
				return
			}
		}
		c := &call{method: r.Method, path: r.URL.Path, header: r.Header, raw: raw,
			reqID: w.Header().Get("X-Request-Id")}
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), callKey{}, c)))
	})
}

// validatedBytes returns the body validate.Middleware handed on, from a copy
// when it can (the body then stays as it is), else by reading the body and
// putting its bytes back.
func validatedBytes(r *http.Request) ([]byte, error) {
	if r.GetBody != nil {
		rc, err := r.GetBody()
		if err != nil {
			return nil, err
		}
		defer rc.Close()
		return io.ReadAll(rc)
	}
	raw, err := io.ReadAll(r.Body)
	if err != nil {
		return nil, err
	}
	r.Body = io.NopCloser(bytes.NewReader(raw))
	return raw, nil
}

// operation implements cbr.StrictServerInterface for a Fake, without adding
// the method to the Fake's own API.
type operation struct{ f *Fake }

// CopyCheckpoint answers a request that passed validation.
func (o operation) CopyCheckpoint(ctx context.Context, req cbr.CopyCheckpointRequestObject) (cbr.CopyCheckpointResponseObject, error) {
	f := o.f
	c, _ := ctx.Value(callKey{}).(*call)
	if c == nil || req.Body == nil {
		return cbr.CopyCheckpoint500JSONResponse{InternalServerErrorJSONResponse: cbr.InternalServerErrorJSONResponse{
			ErrorCode: codeUnknown, ErrorMsg: "Unknown error: request reached the operation without validation"}}, nil
	}
	resp, status, err := f.answer(c, req)
	if err != nil {
		return cbr.CopyCheckpoint400JSONResponse{BadRequestJSONResponse: cbr.BadRequestJSONResponse{
			ErrorCode: codeParameter, ErrorMsg: "Parameter verification failed: header Prefer: " + err.Error()}}, nil
	}
	if f.records() {
		f.record(Request{
			Method:    c.method,
			Path:      c.path,
			ProjectID: req.ProjectId,
			Header:    redact.Header(c.header),
			Body:      *req.Body,
			Raw:       c.raw,
			RequestID: c.reqID,
			Status:    status,
		})
	}
	return resp, nil
}

// answer picks the response for a valid request, and its status for the
// log: the Prefer header's, else the forced one of the options, else one
// generated from the request.
func (f *Fake) answer(c *call, req cbr.CopyCheckpointRequestObject) (cbr.CopyCheckpointResponseObject, int, error) {
	var pref preference
	if fields := c.header.Values("Prefer"); len(fields) > 0 {
		var err error
		if pref, err = parsePrefer(fields); err != nil {
			return nil, 0, err
		}
	}
	status, name := pref.status, pref.example
	if forced := f.cfg.forced; status == 0 && forced != nil {
		if name == "" && forced.body != nil {
			return rawAnswer{code: forced.status, body: forced.body, contentType: forced.contentType}, forced.status, nil
		}
		status = forced.status
	}
	if status == 0 && name == "" {
		rep := f.replication(req)
		return cbr.CopyCheckpoint200JSONResponse{Replication: &rep}, http.StatusOK, nil
	}
	if status == 0 {
		status = http.StatusOK
	}
	body, err := f.examples.lookup(status, name)
	if err != nil {
		return nil, 0, err
	}
	return rawAnswer{code: status, body: body, contentType: "application/json", applied: pref.applied()}, status, nil
}

// replication builds the 200 answer for a request.
func (f *Fake) replication(req cbr.CopyCheckpointRequestObject) cbr.CheckpointReplicateRespBody {
	p := req.Body.Replicate
	var backups []cbr.CheckpointReplicateRespbackups
	if f.cfg.backups > 0 {
		backups = make([]cbr.CheckpointReplicateRespbackups, f.cfg.backups)
		for i := range backups {
			backups[i] = cbr.CheckpointReplicateRespbackups{BackupId: uuid.NewString(), ReplicationRecordId: uuid.NewString()}
		}
	}
	return cbr.CheckpointReplicateRespBody{
		Backups:              backups,
		DestinationProjectId: p.DestinationProjectId,
		DestinationRegion:    p.DestinationRegion,
		DestinationVaultId:   p.DestinationVaultId,
		ProjectId:            req.ProjectId,
		ProviderId:           ProviderID,
		SourceRegion:         f.cfg.sourceRegion,
		VaultId:              p.VaultId,
	}
}

// rawAnswer is a precomputed answer: a spec example or a forced body.
type rawAnswer struct {
	code        int
	body        []byte
	contentType string
	applied     string // Preference-Applied header, "" if none
}

func (a rawAnswer) VisitCopyCheckpointResponse(w http.ResponseWriter) error {
	if a.applied != "" {
		w.Header().Set("Preference-Applied", a.applied)
	}
	w.Header().Set("Content-Type", a.contentType)
	w.WriteHeader(a.code)
	_, err := w.Write(a.body)
	return err
}

// sameToken reports whether token hashes to want, in constant time.
func sameToken(token string, want *[sha256.Size]byte) bool {
	got := sha256.Sum256([]byte(token))
	return subtle.ConstantTimeCompare(got[:], want[:]) == 1
}
