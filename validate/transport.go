package validate

import (
	"cmp"
	"errors"
	"fmt"
	"net/http"

	"github.com/cbr-replicate/cbr-replicate/internal/limit"
)

// TransportOption configures the RoundTripper returned by Validator.Transport.
type TransportOption func(*transportConfig)

type transportConfig struct {
	responses bool
}

// ValidateResponses makes the Transport validate every response too: a
// response that breaks the contract comes back as *ResponseError.
func ValidateResponses() TransportOption {
	return func(c *transportConfig) { c.responses = true }
}

// Transport returns a RoundTripper that validates each request before
// anything is sent: an invalid request never reaches base, and RoundTrip
// returns an error wrapping *Error. Valid requests are sent with their body
// bytes unchanged. base nil means http.DefaultTransport.
func (v *Validator) Transport(base http.RoundTripper, opts ...TransportOption) http.RoundTripper {
	t := &transport{v: v, base: cmp.Or(base, http.DefaultTransport)}
	for _, o := range opts {
		if o != nil {
			o(&t.cfg)
		}
	}
	return t
}

type transport struct {
	v    *Validator
	base http.RoundTripper
	cfg  transportConfig
}

// RoundTrip validates req, sends a copy of it with the same body bytes and,
// if asked, validates the response, read up to limit.Answer. Like every
// RoundTripper it does not modify req and closes its body.
func (t *transport) RoundTrip(req *http.Request) (*http.Response, error) {
	if req == nil || req.URL == nil {
		return nil, errors.New("validate: request without URL")
	}
	// The copy's body is read (bounded) and closed by validation, which
	// leaves a reader of the same bytes in its place.
	out := req.Clone(req.Context())
	c, err := t.v.request(out)
	if err != nil {
		if out.Body != nil {
			_ = out.Body.Close()
		}
		return nil, fmt.Errorf("validate: %s %s not sent: %w", req.Method, req.URL.Redacted(), err)
	}
	// No GetBody: net/http cannot rewind the body, so a POST that passed
	// through the Transport is never replayed on a broken connection.
	out.GetBody, out.ContentLength = nil, int64(len(c.data))
	resp, err := t.base.RoundTrip(out)
	if err != nil || !t.cfg.responses {
		return resp, err
	}
	answer, err := readBody(&resp.Body, limit.Answer, "response body of "+req.Method+" "+req.URL.Redacted())
	if err != nil {
		return nil, err
	}
	err = t.v.ResponseMessage(c.route.OperationID, resp.StatusCode, resp.Header, answer)
	if verr, ok := errors.AsType[*Error](err); ok {
		return nil, &ResponseError{StatusCode: resp.StatusCode, Header: resp.Header, Body: answer, Err: verr}
	}
	return resp, nil
}
