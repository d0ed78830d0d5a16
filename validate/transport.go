package validate

import (
	"bytes"
	"errors"
	"fmt"
	"io"
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
	if base == nil {
		base = http.DefaultTransport
	}
	t := &transport{v: v, base: base}
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
	switch {
	case !t.v.built():
		return nil, errNotBuilt
	case req == nil || req.URL == nil:
		return nil, errors.New("validate: request without URL")
	}
	body := req.Body // read and closed, but req itself is not modified
	data, err := readBody(&body, t.v.cfg.maxBodyBytes)
	if n, ok := limit.TooLarge(err); ok {
		return nil, fmt.Errorf("validate: the body of %s %s is larger than %d bytes, not sent: %w", req.Method, req.URL.Redacted(), n, err)
	} else if err != nil {
		return nil, fmt.Errorf("validate: reading the body of %s %s: %w", req.Method, req.URL.Redacted(), err)
	}
	out := req.Clone(req.Context())
	setBody(out, data)
	check := req.Clone(req.Context())
	setBody(check, data)
	c, err := t.v.request(check)
	if err != nil {
		return nil, fmt.Errorf("validate: %s %s not sent: %w", req.Method, req.URL.Redacted(), err)
	}
	resp, err := t.base.RoundTrip(out)
	if err != nil || !t.cfg.responses {
		return resp, err
	}
	answer, err := readBody(&resp.Body, limit.Answer)
	if n, ok := limit.TooLarge(err); ok {
		return nil, fmt.Errorf("validate: the response body of %s %s is larger than %d bytes: %w", req.Method, req.URL.Redacted(), n, err)
	} else if err != nil {
		return nil, fmt.Errorf("validate: reading the response body of %s %s: %w", req.Method, req.URL.Redacted(), err)
	}
	var verr *Error
	if errors.As(t.v.ResponseMessage(c.route.OperationID, resp.StatusCode, resp.Header, answer), &verr) {
		return nil, &ResponseError{StatusCode: resp.StatusCode, Header: resp.Header, Body: answer, Err: verr}
	}
	return resp, nil
}

// setBody gives r a fresh body of data and its ContentLength, and no
// GetBody: net/http cannot rewind it, so a POST that passed through the
// Transport is never replayed on a broken connection.
func setBody(r *http.Request, data []byte) {
	r.GetBody = nil
	if data == nil {
		r.Body, r.ContentLength = http.NoBody, 0
		return
	}
	r.ContentLength = int64(len(data))
	r.Body = io.NopCloser(bytes.NewReader(data))
}
