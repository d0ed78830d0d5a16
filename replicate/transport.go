package replicate

import (
	"errors"
	"io"
	"net/http"
	"strings"

	"github.com/cbr-replicate/cbr-replicate/validate"
)

// noReplayTransport is the innermost RoundTripper: it hands the base
// transport a request without GetBody, so net/http cannot rewind and re-send
// a body. A POST is then never replayed by HTTP/1.1 (it is not idempotent and
// carries no Idempotency-Key), and by HTTP/2 only when the connection proved
// unusable before anything was written (errClientConnUnusable); with
// GetBody, HTTP/2 would also replay it after GOAWAY, REFUSED_STREAM or a
// peer's PROTOCOL_ERROR.
type noReplayTransport struct{ base http.RoundTripper }

func (t noReplayTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.GetBody != nil {
		r2 := new(http.Request)
		*r2 = *req // a RoundTripper must not modify the caller's request
		r2.GetBody = nil
		req = r2
	}
	return t.base.RoundTrip(req)
}

// validatingTransport checks requests and/or answers against the spec
// around base, using validate.Transport.
func validatingTransport(v *validate.Validator, base http.RoundTripper, prefix string, requests, responses bool) http.RoundTripper {
	if prefix != "" {
		base = addPrefixTransport{prefix: prefix, next: base}
		return stripPrefixTransport{prefix: prefix, next: validatingTransport(v, base, "", requests, responses)}
	}
	if !requests {
		return responseOnlyTransport{v: v, base: base}
	}
	var opts []validate.TransportOption
	if responses {
		opts = append(opts, validate.ValidateResponses())
	}
	return v.Transport(base, opts...)
}

// responseOnlyTransport validates answers only, for SkipRequestValidation
// together with ValidateResponses (validate.Transport always checks
// requests).
type responseOnlyTransport struct {
	v    *validate.Validator
	base http.RoundTripper
}

func (t responseOnlyTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := t.base.RoundTrip(req)
	if err != nil {
		return nil, err
	}
	if verr := t.v.Response(req, resp); verr != nil {
		// Body is left readable by Response.
		body, _ := readAllCapped(resp)
		_ = resp.Body.Close()
		var ve *validate.Error
		if !errors.As(verr, &ve) {
			return nil, verr
		}
		return nil, &validate.ResponseError{StatusCode: resp.StatusCode, Header: resp.Header, Body: body, Err: ve}
	}
	return resp, nil
}

// readAllCapped reads at most maxResponseBody bytes of an answer's body.
func readAllCapped(resp *http.Response) ([]byte, error) {
	return io.ReadAll(io.LimitReader(resp.Body, maxResponseBody))
}

// stripPrefixTransport hides an Endpoint's path prefix ("/cbr" of
// "https://gw.example.org/cbr") from the validator, which routes on the
// page's path; addPrefixTransport puts it back before the request is sent.
type stripPrefixTransport struct {
	prefix string
	next   http.RoundTripper
}

func (t stripPrefixTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	return t.next.RoundTrip(withPath(req, func(p string) string { return strings.TrimPrefix(p, t.prefix) }))
}

type addPrefixTransport struct {
	prefix string
	next   http.RoundTripper
}

func (t addPrefixTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	return t.next.RoundTrip(withPath(req, func(p string) string { return t.prefix + p }))
}

// withPath returns a shallow copy of req whose URL path (decoded and raw)
// is rewritten by f.
func withPath(req *http.Request, f func(string) string) *http.Request {
	r2 := new(http.Request)
	*r2 = *req
	u := *req.URL
	u.Path = f(u.Path)
	if u.RawPath != "" {
		u.RawPath = f(u.RawPath)
	}
	r2.URL = &u
	return r2
}
