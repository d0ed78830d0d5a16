package replicate

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptrace"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	jsonv2 "github.com/go-json-experiment/json"

	"github.com/cbr-replicate/cbr-replicate/gen/cbr"
	"github.com/cbr-replicate/cbr-replicate/internal/limit"
	"github.com/cbr-replicate/cbr-replicate/internal/redact"
	"github.com/cbr-replicate/cbr-replicate/validate"
)

// Version is the version of this module, sent in the User-Agent.
const Version = "0.1.0"

// DefaultTimeout bounds a whole call (connect, send, answer) when
// Options.HTTPClient is nil and Options.Timeout is 0.
const DefaultTimeout = 60 * time.Second

// baseUserAgent names the project and its version.
const baseUserAgent = "cbr-replicate/" + Version + " (+https://github.com/cbr-replicate/cbr-replicate)"

// Client calls CBR's "Replicating a Restore Point". It is immutable after New
// and safe for concurrent use.
type Client struct {
	endpoint          string
	projectID         string
	token             TokenSource
	signer            RequestSigner
	userAgent         string
	validateRequests  bool
	validateResponses bool
	http              *http.Client
	validator         *validate.Validator
}

// sharedValidator builds the spec's validator once for every Client.
var sharedValidator = sync.OnceValues(func() (*validate.Validator, error) {
	return validate.New()
})

// New checks opts and returns a Client. It fails on an unknown region, an
// endpoint that is not an absolute https URL (or http to a loopback host, or
// with AllowInsecureHTTP), an empty ProjectID, a missing token source or a
// User-Agent that cannot be sent.
func New(opts Options) (*Client, error) {
	c := &Client{
		projectID:         opts.ProjectID,
		token:             opts.Token,
		signer:            opts.Signer,
		validateRequests:  !opts.SkipRequestValidation,
		validateResponses: opts.ValidateResponses,
		userAgent:         baseUserAgent,
	}
	var err error
	if opts.Endpoint != "" {
		c.endpoint, err = checkEndpoint(opts.Endpoint, opts.AllowInsecureHTTP)
	} else {
		c.endpoint, err = regionEndpoint(opts.Region)
	}
	if err != nil {
		return nil, err
	}
	if err := checkProjectID(opts.ProjectID); err != nil {
		return nil, err
	}
	if err := checkAuth(opts); err != nil {
		return nil, err
	}
	if ua := strings.TrimSpace(opts.UserAgent); ua != "" {
		if !validHeaderValue(ua) {
			return nil, errors.New("replicate: Options.UserAgent contains a control character")
		}
		c.userAgent += " " + ua
	}
	if c.validateRequests || c.validateResponses {
		if c.validator, err = sharedValidator(); err != nil {
			return nil, fmt.Errorf("replicate: building the validator: %w", err)
		}
	}
	if opts.Timeout < 0 {
		return nil, fmt.Errorf("replicate: Options.Timeout %s is negative", opts.Timeout)
	}
	c.http = newHTTPClient(opts.HTTPClient, opts.Timeout)
	return c, nil
}

// checkAuth requires exactly one way to authenticate: a token source or a
// request signer.
func checkAuth(opts Options) error {
	if opts.Signer != nil {
		if opts.Token != nil {
			return errors.New("replicate: set Options.Token or Options.Signer, not both")
		}
		return nil
	}
	if tf, ok := opts.Token.(TokenFunc); opts.Token == nil || (ok && tf == nil) {
		return errors.New("replicate: Options.Token is required (StaticToken or TokenFunc), or Options.Signer")
	}
	if st, ok := opts.Token.(staticToken); ok && (st.token == nil || st.token() == "") {
		return errors.New("replicate: Options.Token is StaticToken(\"\"): the token is empty")
	}
	return nil
}

// newHTTPClient copies the caller's client (or builds the default one) and
// makes the copy follow no redirects.
func newHTTPClient(hc *http.Client, timeout time.Duration) *http.Client {
	var out http.Client
	if hc != nil {
		out = *hc
	} else {
		if timeout == 0 {
			timeout = DefaultTimeout
		}
		out = http.Client{Timeout: timeout, Transport: defaultTransport()}
	}
	// A redirected POST would be re-sent, and X-Auth-Token (not a header
	// net/http strips across hosts) would travel to wherever it points.
	out.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return &out
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
// backups to be replicated and their replication record IDs. It is
// NewRequest followed by Do.
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
//
// One exception to "never retried": a 401 answer means CBR refused the
// request before anything started, so when the TokenSource is a
// TokenInvalidator (a signed-in session), Replicate invalidates the refused
// token, builds the request again with a fresh one and sends it once more,
// exactly once; a second 401 is returned as an *APIError.
func (c *Client) Replicate(ctx context.Context, p cbr.CheckpointReplicateParam) (*cbr.CheckpointReplicateRespBody, error) {
	req, err := c.NewRequest(ctx, p)
	if err != nil {
		return nil, err
	}
	out, err := c.Do(req)
	ti, renewable := c.token.(TokenInvalidator)
	if !renewable || StatusCode(err) != http.StatusUnauthorized {
		return out, err
	}
	ti.Invalidate(req.Header.Get("X-Auth-Token"))
	if req, err = c.NewRequest(ctx, p); err != nil {
		return nil, err
	}
	return c.Do(req)
}

// NewRequest builds the request of one replication: it encodes the body
// once, checks those bytes against the spec (unless
// Options.SkipRequestValidation) and returns a POST carrying exactly them,
// with Content-Type, Accept and User-Agent set and authenticated: X-Auth-Token
// from the TokenSource, or signed over those bytes by the Signer. Nothing
// is sent: a dry run prints the request (its secret headers redacted), and
// Do sends it. A header added after NewRequest is not signed. An invalid
// request is an error wrapping *validate.Error.
//
// The request has no GetBody, so that net/http can never rewind and re-send
// it (see the package doc).
func (c *Client) NewRequest(ctx context.Context, p cbr.CheckpointReplicateParam) (*http.Request, error) {
	if c == nil || c.http == nil {
		return nil, errors.New("replicate: Client not built with New")
	}
	if ctx == nil {
		return nil, errors.New("replicate: nil context")
	}
	// Encoded as the validator decodes: invalid UTF-8 in a field is refused
	// (a *validate.Error), never turned into U+FFFD and sent.
	body, err := validate.EncodeJSON(cbr.CheckpointReplicateReq{Replicate: p})
	var verr *validate.Error
	if errors.As(err, &verr) {
		return nil, fmt.Errorf("replicate: invalid request, nothing was sent: %w", err)
	} else if err != nil {
		return nil, fmt.Errorf("replicate: encoding the request body (nothing was sent): %w", err)
	}
	if c.validateRequests {
		if err := c.validator.RequestBody(body); err != nil {
			return nil, fmt.Errorf("replicate: invalid request, nothing was sent: %w", err)
		}
	}
	// The trailing slash keeps an endpoint's path prefix ("/cbr" of
	// https://gw.example.org/cbr): the generated builder resolves the
	// operation path against it.
	req, err := cbr.NewCopyCheckpointRequestWithBody(c.endpoint+"/", c.projectID, "application/json", bytes.NewReader(body))
	if err != nil {
		return nil, fmt.Errorf("replicate: building the request (nothing was sent): %w", err)
	}
	req = req.WithContext(ctx)
	req.GetBody = nil // never rewound, never replayed
	req.Header.Set("User-Agent", c.userAgent)
	req.Header.Set("Accept", "application/json")
	if err := c.authenticate(ctx, req, body); err != nil {
		return nil, err
	}
	return req, nil
}

// authenticate signs req over body with the Signer, or sets X-Auth-Token
// from the TokenSource.
func (c *Client) authenticate(ctx context.Context, req *http.Request, body []byte) error {
	if c.signer != nil {
		if err := c.signer.SignRequest(req, body); err != nil {
			return fmt.Errorf("replicate: signing the request (nothing was sent): %w", err)
		}
		return nil
	}
	tok, err := c.token.Token(ctx)
	if err != nil {
		return fmt.Errorf("replicate: getting the token (nothing was sent): %w", err)
	}
	if tok == "" {
		return ErrEmptyToken
	}
	if !validHeaderValue(tok) {
		return errors.New("replicate: the token contains a control character, e.g. a trailing newline (nothing was sent)")
	}
	req.Header.Set("X-Auth-Token", tok)
	return nil
}

// Do sends a request built by NewRequest, once, and reads the answer once,
// at most 16 MiB of it: a 2xx answer is decoded into the page's response
// body, any other is an *APIError. With Options.ValidateResponses, the same
// bytes are first checked against the spec: an answer that breaks it is a
// *validate.ResponseError (a non-2xx one is also an *APIError). Errors
// never carry the request's token, and say whether the replication may
// have started.
func (c *Client) Do(req *http.Request) (*cbr.CheckpointReplicateRespBody, error) {
	if c == nil || c.http == nil {
		return nil, errors.New("replicate: Client not built with New")
	}
	if req == nil || req.URL == nil {
		return nil, errors.New("replicate: Do needs a request built by NewRequest")
	}
	tok := req.Header.Get("X-Auth-Token")
	// wrote turns true once the request's headers were written to the
	// connection: from then on the server may act on it.
	var wrote atomic.Bool
	trace := &httptrace.ClientTrace{WroteHeaders: func() { wrote.Store(true) }}
	req = req.WithContext(httptrace.WithClientTrace(req.Context(), trace))
	req.GetBody = nil
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, scrubToken(sendError(err, wrote.Load()), tok)
	}
	defer func() { _ = resp.Body.Close() }()
	body, err := limit.ReadAll(resp.Body, limit.Answer)
	if err != nil {
		return nil, scrubToken(readError(resp, body, err), tok)
	}
	out, err := c.answer(resp, body)
	return out, scrubToken(err, tok)
}

// answer judges an answer whose body was read: response validation when
// asked, then an APIError for a non-2xx status, else the decoded body.
func (c *Client) answer(resp *http.Response, body []byte) (*cbr.CheckpointReplicateRespBody, error) {
	var re *validate.ResponseError
	if c.validateResponses {
		var verr *validate.Error
		if errors.As(c.validator.ResponseMessage(resp.StatusCode, resp.Header, body), &verr) {
			re = &validate.ResponseError{StatusCode: resp.StatusCode, Header: resp.Header.Clone(), Body: clip(body), Err: verr}
		}
	}
	if !succeeded(resp) {
		apiErr := newAPIError(resp, body)
		if re != nil {
			return nil, fmt.Errorf("%w; the answer also breaks the spec: %w", apiErr, re)
		}
		return nil, apiErr
	}
	if re != nil {
		return nil, fmt.Errorf("replicate: CBR answered %s but the answer breaks the spec; "+
			"the replication may have started, check before retrying: %w", statusText(resp.StatusCode), re)
	}
	return decodeAnswer(resp, body)
}

// sendError explains a failed round trip, saying whether the request may
// have reached the server.
func sendError(err error, wrote bool) error {
	if wrote {
		return fmt.Errorf("replicate: sending the request: %w; "+
			"it may have reached CBR and started the replication: check before retrying", err)
	}
	return fmt.Errorf("replicate: sending the request (nothing was sent): %w", err)
}

// readError explains an answer whose body could not be read: over the
// bound, it is an APIError (non-2xx) or a DecodeError (2xx); a timeout or a broken connection wraps what
// net/http returned, as a failed round trip does.
func readError(resp *http.Response, body []byte, err error) error {
	if n, ok := limit.TooLarge(err); ok {
		if !succeeded(resp) {
			return newAPIError(resp, body) // its first MaxErrorBody bytes tell enough
		}
		return newDecodeError(resp, body, fmt.Errorf("the body is larger than %d bytes", n))
	}
	return fmt.Errorf("replicate: CBR answered %s but reading its body failed: %w; "+
		"the replication may have started, check before retrying", statusText(resp.StatusCode), err)
}

// decodeAnswer decodes a 2xx answer into the page's response body. Names
// match case-sensitively: a key that differs from a field only in case
// ("Vault_id") is left alone instead of binding to it, as encoding/json
// would.
func decodeAnswer(resp *http.Response, body []byte) (*cbr.CheckpointReplicateRespBody, error) {
	var out cbr.CheckpointReplicateResp
	if err := jsonv2.Unmarshal(body, &out); err != nil {
		return nil, newDecodeError(resp, body, fmt.Errorf("decoding the JSON: %w", err))
	}
	if out.Replication == nil {
		return nil, newDecodeError(resp, body, errors.New(`the body has no "replication" object`))
	}
	return out.Replication, nil
}

// scrubToken replaces tok in the parts of err that quote the server's
// answer (bodies, messages, headers), in case a gateway echoes the request.
// It edits the error values in place: they were made for this call.
func scrubToken(err error, tok string) error {
	if err == nil || len(tok) < redact.MinSecretLen {
		return err
	}
	str := func(s string) string { return redact.String(s, tok) }
	hdr := func(h http.Header) {
		for _, vs := range h {
			for i := range vs {
				vs[i] = str(vs[i])
			}
		}
	}
	var apiErr *APIError
	if errors.As(err, &apiErr) {
		apiErr.Code, apiErr.Message, apiErr.RequestID = str(apiErr.Code), str(apiErr.Message), str(apiErr.RequestID)
		apiErr.Body = redact.Bytes(apiErr.Body, tok)
		if apiErr.Response != nil {
			hdr(apiErr.Response.Header)
		}
	}
	var de *DecodeError
	if errors.As(err, &de) {
		de.Body, de.RequestID = redact.Bytes(de.Body, tok), str(de.RequestID)
	}
	var re *validate.ResponseError
	if errors.As(err, &re) {
		re.Body = redact.Bytes(re.Body, tok)
		hdr(re.Header)
	}
	var ve *validate.Error
	if errors.As(err, &ve) {
		for i := range ve.Violations {
			ve.Violations[i].Message = str(ve.Violations[i].Message)
			ve.Violations[i].Pointer = str(ve.Violations[i].Pointer)
		}
	}
	if strings.Contains(err.Error(), tok) {
		return scrubbed{err: err, tok: tok} // a transport error that quotes it
	}
	return err
}

// scrubbed hides a token in the message of an error that is not one of
// this package's types, and still unwraps to it (errors.Is keeps working).
type scrubbed struct {
	err error
	tok string
}

func (s scrubbed) Error() string { return redact.String(s.err.Error(), s.tok) }
func (s scrubbed) Unwrap() error { return s.err }

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
		Signer            any
		UserAgent         string
		ValidateRequests  bool
		ValidateResponses bool
	}
	fmt.Fprintf(f, fmt.FormatString(f, verb), Client{
		Endpoint: c.endpoint, ProjectID: c.projectID, Token: redactToken(c.token), Signer: redactSigner(c.signer),
		UserAgent: c.userAgent, ValidateRequests: c.validateRequests, ValidateResponses: c.validateResponses,
	})
}
