package client

import (
	"bytes"
	"cmp"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptrace"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	jsonv2 "github.com/go-json-experiment/json"
	"golang.org/x/net/http/httpguts"

	"github.com/cbr-replicate/cbr-replicate/internal/limit"
	"github.com/cbr-replicate/cbr-replicate/openapi"
	"github.com/cbr-replicate/cbr-replicate/validate"
)

// Version is the version of this module, sent in the User-Agent.
const Version = "0.2.0"

// DefaultTimeout bounds a whole call (connect, send, answer) when
// Options.HTTPClient is nil and Options.Timeout is 0.
const DefaultTimeout = 60 * time.Second

// Client calls the operations of the CBR API that the spec describes. It is
// immutable after New and safe for concurrent use.
type Client struct {
	endpoint          string // the service root, without a trailing slash
	prefix            string // its path, e.g. "/cbr" of a gateway; "" for none
	projectID         string
	token             TokenSource
	signer            RequestSigner
	userAgent         string
	validateRequests  bool
	validateResponses bool
	http              *http.Client
	validator         *validate.Validator
}

// sharedValidator builds the validator of every Client once: it validates
// requests before they are authenticated (the client sets the token, or
// signs, itself).
var sharedValidator = sync.OnceValues(func() (*validate.Validator, error) {
	return validate.New(validate.WithoutSecurity())
})

// New checks opts and returns a Client; an option it refuses (see Options
// and ServiceRoot) is an *OptionError naming the field.
func New(opts Options) (*Client, error) {
	c := &Client{
		projectID:         opts.ProjectID,
		token:             opts.Token,
		signer:            opts.Signer,
		validateRequests:  !opts.SkipRequestValidation,
		validateResponses: opts.ValidateResponses,
		userAgent:         "cbr-replicate/" + Version + " (+https://github.com/cbr-replicate/cbr-replicate)",
	}
	if err := checkProjectID(opts.ProjectID); err != nil {
		return nil, err
	}
	var err error
	if opts.Endpoint != "" {
		c.endpoint, err = ServiceRoot(opts.Endpoint, opts.ProjectID, opts.AllowInsecureHTTP)
	} else if c.endpoint, err = openapi.ServerURL(opts.Region); err != nil {
		err = &OptionError{Field: "Region", Value: opts.Region, Reason: "is an unknown region: the spec's regions are " +
			strings.Join(openapi.Regions(), ", ") + " (set Options.Endpoint for another cloud)"}
	}
	if err != nil {
		return nil, err
	}
	if u, err := url.Parse(c.endpoint); err == nil {
		c.prefix = u.Path
	}
	if err := checkAuth(opts); err != nil {
		return nil, err
	}
	if ua := opts.UserAgent; ua != "" {
		if !httpguts.ValidHeaderFieldValue(ua) {
			return nil, &OptionError{Field: "UserAgent", Reason: "contains a control character"}
		}
		c.userAgent += " " + ua
	}
	if opts.Timeout < 0 {
		return nil, &OptionError{Field: "Timeout", Value: opts.Timeout.String(), Reason: "is negative"}
	}
	if c.validator, err = sharedValidator(); err != nil {
		return nil, fmt.Errorf("client: building the validator: %w", err)
	}
	c.http = newHTTPClient(opts.HTTPClient, opts.Timeout)
	return c, nil
}

// checkAuth requires exactly one way to authenticate: a token source or a
// request signer.
func checkAuth(opts Options) error {
	switch {
	case opts.Signer != nil && opts.Token != nil:
		return &OptionError{Field: "Token", Reason: "or Options.Signer: set one, not both"}
	case opts.Signer != nil:
		return nil
	case opts.Token == nil:
		return &OptionError{Field: "Token", Reason: "is required (StaticToken, TokenFunc or a signed-in session), or Options.Signer"}
	}
	if tf, ok := opts.Token.(TokenFunc); ok && tf == nil {
		return &OptionError{Field: "Token", Reason: "is required (a nil TokenFunc was given)"}
	}
	if st, ok := opts.Token.(staticToken); ok && st.token.IsZero() {
		return &OptionError{Field: "Token", Reason: `is StaticToken(""): the token is empty`}
	}
	return nil
}

// newHTTPClient copies the caller's client, or builds the default one on a
// private copy of http.DefaultTransport (proxy from the environment, HTTP/2,
// sane dial timeouts) with TLS 1.2 or newer and certificate verification
// on, and makes the copy follow no redirects.
func newHTTPClient(hc *http.Client, timeout time.Duration) *http.Client {
	if hc == nil {
		t := http.DefaultTransport.(*http.Transport).Clone()
		t.TLSClientConfig = cmp.Or(t.TLSClientConfig, &tls.Config{})
		t.TLSClientConfig.MinVersion, t.TLSClientConfig.InsecureSkipVerify = tls.VersionTLS12, false
		hc = &http.Client{Timeout: cmp.Or(timeout, DefaultTimeout), Transport: t}
	}
	out := *hc
	// A redirected POST would be re-sent, and X-Auth-Token (not a header
	// net/http strips across hosts) would travel to wherever it points.
	out.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return &out
}

// Endpoint returns the service root the client sends to, e.g.
// "https://cbr.eu-de.otc.t-systems.com": what ServiceRoot made of
// Options.Endpoint, or the region's.
func (c *Client) Endpoint() string {
	if c == nil {
		return ""
	}
	return c.endpoint
}

// Builder builds the request of one operation, typically with a generated
// builder of package cbr (cbr.NewShowVaultRequest,
// cbr.NewCopyCheckpointRequestWithBody, ...): server is the service root
// ending in "/", project the client's project ID and body the encoded body
// (nil when there is none).
type Builder func(server, project string, body io.Reader) (*http.Request, error)

// call is what NewRequest knows of a request, for Do.
type call struct {
	c    *Client // the client that built it
	op   openapi.Operation
	body []byte
}

type callKey struct{}

// NewRequest builds the request of one operation: it encodes body once (nil:
// none), builds the request with build, checks it against the spec (its
// operation, path and query parameters and exactly those body bytes, unless
// Options.SkipRequestValidation) and authenticates it: X-Auth-Token from the
// TokenSource, or signed over those bytes by the Signer. Nothing is sent: a
// dry run prints the request (its secret headers redacted), Do sends it.
// A header added after NewRequest is not signed. An invalid request is an
// error wrapping *validate.Error. The request has no GetBody (see the
// package doc).
func (c *Client) NewRequest(ctx context.Context, body any, build Builder) (*http.Request, error) {
	switch {
	case c == nil || c.http == nil:
		return nil, errNotBuilt
	case ctx == nil:
		return nil, errors.New("client: nil context")
	case build == nil:
		return nil, errors.New("client: nil Builder")
	}
	var data []byte
	var reader io.Reader
	if body != nil {
		// Encoded as the validator decodes: invalid UTF-8 in a field is
		// refused (a *validate.Error), never turned into U+FFFD and sent.
		var err error
		if data, err = validate.EncodeJSON(body); err != nil {
			return nil, fmt.Errorf("client: invalid request, nothing was sent: %w", err)
		}
		reader = bytes.NewReader(data)
	}
	// The trailing slash keeps an endpoint's path prefix ("/cbr" of
	// https://gw.example.org/cbr): the generated builders resolve the
	// operation's path against it.
	req, err := build(c.endpoint+"/", c.projectID, reader)
	if err != nil {
		return nil, fmt.Errorf("client: building the request (nothing was sent): %w", err)
	}
	req.Header.Set("User-Agent", c.userAgent)
	req.Header.Set("Accept", "application/json")
	// Routed and validated below the service root: the spec's paths start
	// at /v3.
	below := *req
	u := *req.URL
	u.Path, u.RawPath = strings.TrimPrefix(u.Path, c.prefix), ""
	below.URL = &u
	check := c.validator.Route // without validation the operation is still needed
	if c.validateRequests {
		check = c.validator.Request
	}
	route, err := check(&below)
	if err != nil {
		return nil, fmt.Errorf("client: invalid request, nothing was sent: %w", err)
	}
	op, _ := openapi.Lookup(route.OperationID)
	req = req.WithContext(context.WithValue(ctx, callKey{}, &call{c: c, op: op, body: data}))
	setBody(req, data)
	if err := c.authenticate(req.Context(), req, data); err != nil {
		return nil, err
	}
	return req, nil
}

// setBody gives req a fresh reader of data (none for nil) and no GetBody:
// net/http cannot rewind it, so the request is never replayed.
func setBody(req *http.Request, data []byte) {
	req.Body, req.GetBody, req.ContentLength = http.NoBody, nil, int64(len(data))
	if data != nil {
		req.Body = io.NopCloser(bytes.NewReader(data))
	}
}

// authenticate signs req over body with the Signer, or sets X-Auth-Token
// from the TokenSource.
func (c *Client) authenticate(ctx context.Context, req *http.Request, body []byte) error {
	if c.signer != nil {
		if err := c.signer.SignRequest(req, body); err != nil {
			return fmt.Errorf("client: signing the request (nothing was sent): %w", err)
		}
		return nil
	}
	tok, err := c.token.Token(ctx)
	switch {
	case err != nil:
		return fmt.Errorf("client: getting the token (nothing was sent): %w", err)
	case tok == "":
		return ErrEmptyToken
	case !httpguts.ValidHeaderFieldValue(tok):
		return errors.New("client: the token contains a control character, e.g. a trailing newline (nothing was sent)")
	}
	req.Header.Set("X-Auth-Token", tok)
	return nil
}

var errNotBuilt = errors.New("client: Client not built with New")

// Do sends req, a request c.NewRequest built, once and reads the answer once
// (at most limit.Answer, 16 MiB), validated first with
// Options.ValidateResponses: a 2xx answer is decoded into v (nil: not
// decoded), case-sensitively, any other is an *APIError (the package doc
// lists the errors). The *http.Response comes back (nil only when none
// came) with its body replaced by a reader of the bytes read. ctx bounds
// the call. After a 401, when the TokenSource can renew (TokenInvalidator)
// and the request carried its token, Do renews it and sends once more.
func (c *Client) Do(ctx context.Context, req *http.Request, v any) (*http.Response, error) {
	switch {
	case c == nil || c.http == nil:
		return nil, errNotBuilt
	case ctx == nil:
		return nil, errors.New("client: nil context")
	case req == nil:
		return nil, errors.New("client: Do needs a request built by NewRequest of this Client (nothing was sent)")
	}
	// Another client's request would get this client's token on a renewal.
	cl, ok := req.Context().Value(callKey{}).(*call)
	if !ok || cl.c != c {
		return nil, errors.New("client: Do needs a request built by NewRequest of this Client (nothing was sent)")
	}
	req = req.WithContext(context.WithValue(ctx, callKey{}, cl))
	resp, err := c.send(req, cl, v)
	ti, renewable := c.token.(TokenInvalidator)
	tok := req.Header.Get("X-Auth-Token")
	if !renewable || tok == "" || StatusCode(err) != http.StatusUnauthorized {
		return resp, err
	}
	ti.Invalidate(tok)
	again := req.Clone(req.Context())
	setBody(again, cl.body)
	if err := c.authenticate(again.Context(), again, cl.body); err != nil {
		return nil, err
	}
	return c.send(again, cl, v)
}

// send sends req once and judges the answer.
func (c *Client) send(req *http.Request, cl *call, v any) (*http.Response, error) {
	// What an answer could echo: the token, or a temporary key's security token.
	toks := []string{req.Header.Get("X-Auth-Token"), req.Header.Get("X-Security-Token")}
	// wrote turns true once the request's headers were written to the
	// connection: from then on the server may act on it.
	var wrote atomic.Bool
	trace := &httptrace.ClientTrace{WroteHeaders: func() { wrote.Store(true) }}
	req = req.WithContext(httptrace.WithClientTrace(req.Context(), trace))
	req.GetBody = nil // never rewound, never replayed (on this copy of the caller's request)
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, scrubToken(sendError(cl.op, err, wrote.Load()), toks...)
	}
	body, err := limit.ReadAll(resp.Body, limit.Answer)
	_ = resp.Body.Close()
	resp.Body = io.NopCloser(bytes.NewReader(body))
	if err != nil {
		return resp, scrubToken(readError(cl.op, resp, body, err), toks...)
	}
	return resp, scrubToken(c.answer(cl.op, resp, body, v), toks...)
}

// answer judges an answer whose body was read: response validation when
// asked, then an APIError for a non-2xx status, else the decoded body.
func (c *Client) answer(op openapi.Operation, resp *http.Response, body []byte, v any) error {
	var re *validate.ResponseError
	if c.validateResponses {
		err := c.validator.ResponseMessage(op.ID, resp.StatusCode, resp.Header, body)
		if verr, ok := errors.AsType[*validate.Error](err); ok {
			re = &validate.ResponseError{StatusCode: resp.StatusCode, Header: resp.Header.Clone(), Body: clip(body), Err: verr}
		}
	}
	if !succeeded(resp) {
		apiErr := newAPIError(resp, body)
		if re != nil {
			return fmt.Errorf("%w; the answer also breaks the spec: %w", apiErr, re)
		}
		return apiErr
	}
	if re != nil {
		return fmt.Errorf("client: CBR answered %s to %s but the answer breaks the spec%s: %w",
			statusText(resp.StatusCode), op.ID, mayHaveStarted(op), re)
	}
	if v == nil {
		return nil
	}
	// Names match case-sensitively: a key that differs from a field only in
	// case ("Vault_id") is left alone instead of binding to it, as
	// encoding/json would.
	if err := jsonv2.Unmarshal(body, v); err != nil {
		return newDecodeError(op, resp, body, fmt.Errorf("decoding the JSON: %w", err))
	}
	return nil
}

// mayHaveStarted is what an error adds for an operation that is not
// idempotent once its request may have reached CBR.
func mayHaveStarted(op openapi.Operation) string {
	if op.Idempotent() {
		return ""
	}
	return fmt.Sprintf("; %s may have started (%s is not idempotent): check before retrying", op.Summary, op.ID)
}

// sendError explains a failed round trip, saying whether the request may
// have reached CBR.
func sendError(op openapi.Operation, err error, wrote bool) error {
	switch {
	case !wrote:
		return fmt.Errorf("client: sending %s (nothing was sent): %w", op.ID, err)
	case op.Idempotent():
		return fmt.Errorf("client: sending %s: %w", op.ID, err)
	}
	return fmt.Errorf("client: sending %s: %w; it may have reached CBR%s", op.ID, err, mayHaveStarted(op))
}

// readError explains an answer whose body could not be read: over the
// bound, it is an APIError (non-2xx) or a DecodeError (2xx); a timeout or a
// broken connection wraps what net/http returned, as a failed round trip
// does.
func readError(op openapi.Operation, resp *http.Response, body []byte, err error) error {
	if n, ok := limit.TooLarge(err); ok {
		if !succeeded(resp) {
			return newAPIError(resp, body) // its first limit.ErrorBody bytes tell enough
		}
		return newDecodeError(op, resp, body, fmt.Errorf("the body is larger than %d bytes", n))
	}
	return fmt.Errorf("client: CBR answered %s to %s but reading its body failed: %w%s",
		statusText(resp.StatusCode), op.ID, err, mayHaveStarted(op))
}
