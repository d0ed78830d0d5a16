package replicate

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptrace"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/cbr-replicate/cbr-replicate/gen/cbr"
	"github.com/cbr-replicate/cbr-replicate/validate"
)

// Version is the version of this module, sent in the User-Agent.
const Version = "0.1.0"

// DefaultTimeout bounds a whole call (connect, send, answer) when
// Options.HTTPClient is nil.
const DefaultTimeout = 60 * time.Second

// maxResponseBody caps how much of a 2xx answer is read.
const maxResponseBody = 16 << 20

// baseUserAgent names the project and its version.
const baseUserAgent = "cbr-replicate/" + Version + " (+https://github.com/cbr-replicate/cbr-replicate)"

// Client calls CBR's "Replicating a Restore Point". It is immutable after New
// and safe for concurrent use.
type Client struct {
	endpoint          string
	projectID         string
	token             TokenSource
	userAgent         string
	validateRequests  bool
	validateResponses bool
	http              *http.Client
	api               *cbr.Client
}

// sharedValidator builds the spec's validator once for every Client.
var sharedValidator = sync.OnceValues(func() (*validate.Validator, error) {
	return validate.New()
})

// New checks opts and returns a Client. It fails on an unknown region, an
// endpoint that is not an absolute http(s) URL, an empty ProjectID, a
// missing token source or a User-Agent that cannot be sent.
func New(opts Options) (*Client, error) {
	c := &Client{
		projectID:         opts.ProjectID,
		token:             opts.Token,
		validateRequests:  !opts.SkipRequestValidation,
		validateResponses: opts.ValidateResponses,
		userAgent:         baseUserAgent,
	}
	var err error
	if opts.Endpoint != "" {
		c.endpoint, err = checkEndpoint(opts.Endpoint)
	} else {
		c.endpoint, err = regionEndpoint(opts.Region)
	}
	if err != nil {
		return nil, err
	}
	if strings.TrimSpace(opts.ProjectID) == "" {
		return nil, errors.New("replicate: Options.ProjectID is required")
	}
	if strings.ContainsAny(opts.ProjectID, "/?# \t") || !validHeaderValue(opts.ProjectID) {
		return nil, fmt.Errorf("replicate: Options.ProjectID %q is not a project ID (one path segment, no blanks)", opts.ProjectID)
	}
	if tf, ok := opts.Token.(TokenFunc); opts.Token == nil || (ok && tf == nil) {
		return nil, errors.New("replicate: Options.Token is required (StaticToken or TokenFunc)")
	}
	if st, ok := opts.Token.(staticToken); ok && (st.token == nil || st.token() == "") {
		return nil, errors.New("replicate: Options.Token is StaticToken(\"\"): the token is empty")
	}
	if ua := strings.TrimSpace(opts.UserAgent); ua != "" {
		if !validHeaderValue(ua) {
			return nil, errors.New("replicate: Options.UserAgent contains a control character")
		}
		c.userAgent += " " + ua
	}

	c.http, err = c.newHTTPClient(opts.HTTPClient)
	if err != nil {
		return nil, err
	}
	c.api, err = cbr.NewClient(c.endpoint, cbr.WithHTTPClient(c.http))
	if err != nil {
		return nil, fmt.Errorf("replicate: building the generated client: %w", err)
	}
	return c, nil
}

// newHTTPClient copies the caller's client (or builds the default one),
// never follows redirects, and wraps its transport: validation outside,
// the no-replay guard inside.
func (c *Client) newHTTPClient(hc *http.Client) (*http.Client, error) {
	var out http.Client
	if hc != nil {
		out = *hc
	} else {
		out = http.Client{Timeout: DefaultTimeout, Transport: defaultTransport()}
	}
	base := out.Transport
	if base == nil {
		base = http.DefaultTransport
	}
	var rt http.RoundTripper = noReplayTransport{base: base}
	if c.validateRequests || c.validateResponses {
		v, err := sharedValidator()
		if err != nil {
			return nil, fmt.Errorf("replicate: building the validator: %w", err)
		}
		u, err := url.Parse(c.endpoint)
		if err != nil {
			return nil, fmt.Errorf("replicate: parsing the endpoint: %w", err)
		}
		rt = validatingTransport(v, rt, strings.TrimSuffix(u.Path, "/"), c.validateRequests, c.validateResponses)
	}
	out.Transport = rt
	// A redirected POST would be re-sent, and X-Auth-Token (not a header
	// net/http strips across hosts) would travel to wherever it points.
	out.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return &out, nil
}

// defaultTransport is a private copy of http.DefaultTransport (proxy from
// the environment, HTTP/2, sane dial timeouts) with TLS 1.2 or newer and
// certificate verification on.
func defaultTransport() *http.Transport {
	var t *http.Transport
	if dt, ok := http.DefaultTransport.(*http.Transport); ok {
		t = dt.Clone()
	} else {
		t = &http.Transport{
			Proxy:                 http.ProxyFromEnvironment,
			ForceAttemptHTTP2:     true,
			MaxIdleConns:          100,
			IdleConnTimeout:       90 * time.Second,
			TLSHandshakeTimeout:   10 * time.Second,
			ExpectContinueTimeout: time.Second,
		}
	}
	if t.TLSClientConfig == nil {
		t.TLSClientConfig = &tls.Config{}
	}
	t.TLSClientConfig.MinVersion = tls.VersionTLS12
	t.TLSClientConfig.InsecureSkipVerify = false
	return t
}

// Endpoint returns the base URL the client sends to, e.g.
// "https://cbr.eu-de.otc.t-systems.com".
func (c *Client) Endpoint() string { return c.endpoint }

// Replicate replicates every backup of the vault p.VaultId into the vault
// p.DestinationVaultId of another region, and returns CBR's answer: the
// backups to be replicated and their replication record IDs.
//
// It implements the CBR API page "Replicating a Restore Point"
// (POST /v3/{project_id}/checkpoints/replicate; Open Telekom Cloud
// doc-exports, docs/cbr/api-ref/CopyCheckpoint.html).
//
// The request is sent at most once, never retried. An invalid request is
// not sent: the error wraps *validate.Error. A non-2xx answer is an
// *APIError; a 2xx answer whose body is not the page's response is a
// *DecodeError. Other errors (timeouts, a cancelled ctx) wrap what net/http
// returns, e.g. context.DeadlineExceeded or context.Canceled.
func (c *Client) Replicate(ctx context.Context, p cbr.CheckpointReplicateParam) (*cbr.CheckpointReplicateRespBody, error) {
	if c == nil || c.api == nil {
		return nil, errors.New("replicate: Client not built with New")
	}
	if ctx == nil {
		return nil, errors.New("replicate: nil context")
	}
	tok, err := c.token.Token(ctx)
	if err != nil {
		return nil, fmt.Errorf("replicate: getting the token (nothing was sent): %w", err)
	}
	if tok == "" {
		return nil, ErrEmptyToken
	}
	if !validHeaderValue(tok) {
		return nil, errors.New("replicate: the token contains a control character, e.g. a trailing newline (nothing was sent)")
	}

	// wrote turns true once the request's headers were written to the
	// connection: from then on the server may act on it.
	var wrote atomic.Bool
	ctx = httptrace.WithClientTrace(ctx, &httptrace.ClientTrace{WroteHeaders: func() { wrote.Store(true) }})
	resp, err := c.api.CopyCheckpoint(ctx, c.projectID, cbr.CheckpointReplicateReq{Replicate: p},
		func(_ context.Context, req *http.Request) error {
			req.Header.Set("X-Auth-Token", tok)
			req.Header.Set("User-Agent", c.userAgent)
			req.Header.Set("Accept", "application/json")
			return nil
		})
	if err != nil {
		return nil, sendError(err, wrote.Load(), tok)
	}
	defer func() { _ = resp.Body.Close() }()
	if err := CheckResponse(resp); err != nil {
		return nil, scrubToken(err, tok)
	}
	out, err := decodeAnswer(resp)
	if err != nil {
		return nil, scrubToken(err, tok)
	}
	return out, nil
}

// sendError explains a failed round trip: an invalid request (not sent),
// an answer that breaks the spec, or a transport failure, saying whether
// the request may have reached the server.
func sendError(err error, wrote bool, tok string) error {
	// The messages below are built now: scrub what they quote first.
	err = scrubToken(err, tok)
	var re *validate.ResponseError
	if errors.As(err, &re) {
		if re.StatusCode < 200 || re.StatusCode > 299 {
			apiErr := scrubToken(apiErrorFrom(re), tok)
			return fmt.Errorf("%w; the answer also breaks the spec: %w", apiErr, re)
		}
		return fmt.Errorf("replicate: CBR answered %s but the answer breaks the spec; "+
			"the replication may have started, check before retrying: %w", statusText(re.StatusCode), re)
	}
	var ve *validate.Error
	if errors.As(err, &ve) {
		return fmt.Errorf("replicate: invalid request, nothing was sent: %w", ve)
	}
	if wrote {
		return fmt.Errorf("replicate: sending the request: %w; "+
			"it may have reached CBR and started the replication: check before retrying", err)
	}
	return fmt.Errorf("replicate: sending the request (nothing was sent): %w", err)
}

// apiErrorFrom turns a non-2xx answer that response validation rejected
// into the *APIError CheckResponse would have returned.
func apiErrorFrom(re *validate.ResponseError) *APIError {
	h := re.Header
	if h == nil {
		h = http.Header{}
	}
	body := re.Body
	if len(body) > MaxErrorBody {
		body = body[:MaxErrorBody]
	}
	e := &APIError{StatusCode: re.StatusCode, RequestID: h.Get("X-Request-Id"), Body: body}
	parseErrorBody(e)
	return e
}

// decodeAnswer reads a 2xx answer into the page's response body.
func decodeAnswer(resp *http.Response) (*cbr.CheckpointReplicateRespBody, error) {
	decodeErr := func(body []byte, err error) error {
		if len(body) > MaxErrorBody {
			body = body[:MaxErrorBody]
		}
		return &DecodeError{
			StatusCode:  resp.StatusCode,
			ContentType: resp.Header.Get("Content-Type"),
			RequestID:   resp.Header.Get("X-Request-Id"),
			Body:        body,
			Err:         err,
		}
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxResponseBody+1))
	if err != nil {
		return nil, decodeErr(body, fmt.Errorf("reading the body: %w", err))
	}
	if len(body) > maxResponseBody {
		return nil, decodeErr(body, fmt.Errorf("the body is larger than %d bytes", maxResponseBody))
	}
	var out cbr.CheckpointReplicateResp
	if err := json.Unmarshal(body, &out); err != nil {
		return nil, decodeErr(body, fmt.Errorf("decoding the JSON: %w", err))
	}
	if out.Replication == nil {
		return nil, decodeErr(body, errors.New(`the body has no "replication" object`))
	}
	return out.Replication, nil
}

// minScrubLen is the shortest token scrubToken looks for: replacing every
// occurrence of a one- or two-letter "token" would garble messages.
const minScrubLen = 8

// scrubToken replaces tok in the parts of err that quote the server's
// answer (bodies, messages, headers), in case a gateway echoes the request.
// It edits the error values in place: they were made for this call.
func scrubToken(err error, tok string) error {
	if err == nil || len(tok) < minScrubLen {
		return err
	}
	str := func(s string) string { return strings.ReplaceAll(s, tok, redacted) }
	byt := func(b []byte) []byte {
		if !bytes.Contains(b, []byte(tok)) {
			return b
		}
		return bytes.ReplaceAll(b, []byte(tok), []byte(redacted))
	}
	hdr := func(h http.Header) {
		for _, vs := range h {
			for i := range vs {
				vs[i] = str(vs[i])
			}
		}
	}
	violations := func(e *validate.Error) {
		if e == nil {
			return
		}
		for i := range e.Violations {
			e.Violations[i].Message = str(e.Violations[i].Message)
			e.Violations[i].Pointer = str(e.Violations[i].Pointer)
		}
	}
	var apiErr *APIError
	if errors.As(err, &apiErr) {
		apiErr.Code, apiErr.Message, apiErr.RequestID = str(apiErr.Code), str(apiErr.Message), str(apiErr.RequestID)
		apiErr.Body = byt(apiErr.Body)
		if apiErr.Response != nil {
			hdr(apiErr.Response.Header)
		}
	}
	var de *DecodeError
	if errors.As(err, &de) {
		de.Body, de.RequestID = byt(de.Body), str(de.RequestID)
	}
	var re *validate.ResponseError
	if errors.As(err, &re) {
		re.Body = byt(re.Body)
		hdr(re.Header)
		violations(re.Err)
	}
	var ve *validate.Error
	if errors.As(err, &ve) {
		violations(ve)
	}
	return err
}

// redactRequest returns a copy of r with X-Auth-Token redacted, for the
// *http.Response kept in an APIError.
func redactRequest(r *http.Request) *http.Request {
	if r == nil {
		return nil
	}
	r2 := r.Clone(r.Context())
	if _, ok := r2.Header["X-Auth-Token"]; ok {
		r2.Header.Set("X-Auth-Token", redacted)
	}
	return r2
}

// String prints the client's settings with the token redacted.
func (c Client) String() string { return fmt.Sprintf("%+v", c) }

// GoString prints the client's settings with the token redacted.
func (c Client) GoString() string { return fmt.Sprintf("%#v", c) }

// LogValue logs the client's settings as they print, with the token redacted.
func (c Client) LogValue() slog.Value { return slog.StringValue(c.String()) }

// Format prints the client's settings with the token redacted, for every
// verb. Its receiver is a value so that a copied Client prints the same way
// (fmt prints a nil *Client as <nil>).
func (c Client) Format(f fmt.State, verb rune) {
	// A local type named Client prints as "replicate.Client" under %#v.
	type Client struct {
		Endpoint          string
		ProjectID         string
		Token             any
		UserAgent         string
		ValidateRequests  bool
		ValidateResponses bool
	}
	fmt.Fprintf(f, fmt.FormatString(f, verb), Client{
		Endpoint: c.endpoint, ProjectID: c.projectID, Token: redactToken(c.token),
		UserAgent: c.userAgent, ValidateRequests: c.validateRequests, ValidateResponses: c.validateResponses,
	})
}
