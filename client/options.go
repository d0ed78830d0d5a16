package client

import (
	"context"
	"net/http"
	"time"

	"github.com/cbr-replicate/cbr-replicate/secret"
)

// Options configures a Client; ProjectID and one way to authenticate, Token
// or Signer, are required.
type Options struct {
	// Region is the Open Telekom Cloud region, one of the spec's server
	// regions ("eu-de", the default, or "eu-nl"). Ignored when Endpoint is set.
	Region string
	// Endpoint overrides Region with the CBR URL of a service catalog, a
	// gateway or another cloud of the family, in any form ServiceRoot
	// accepts (with or without /v3/{project_id}); https, or http only to a
	// loopback host (a test server) unless AllowInsecureHTTP.
	Endpoint string
	// AllowInsecureHTTP lets Endpoint be an http URL of a host that is not
	// loopback: the token then travels unencrypted. Off by default; a
	// program that turns it on should say so to its user.
	AllowInsecureHTTP bool
	// ProjectID is the project of every request (path parameter
	// project_id). Required.
	ProjectID string
	// Token supplies the IAM token (X-Auth-Token) of every call.
	Token TokenSource
	// Signer signs each request instead of sending a token, e.g. with an
	// access key / secret key pair (package aksk). Set Token or Signer,
	// not both.
	Signer RequestSigner
	// Timeout bounds a whole call (connect, send, answer) of the default
	// HTTP client; 0 means DefaultTimeout. Ignored with HTTPClient, whose
	// own Timeout applies. A context deadline bounds a call as well.
	Timeout time.Duration
	// HTTPClient is copied, never modified: the copy follows no redirects
	// and keeps its Transport (nil: http.DefaultTransport).
	// Default: a client of its own with DefaultTimeout and TLS verification on.
	HTTPClient *http.Client
	// SkipRequestValidation turns off checking each request against the spec
	// before it is sent (on by default).
	SkipRequestValidation bool
	// ValidateResponses turns on checking each answer against the spec.
	ValidateResponses bool
	// UserAgent is appended to the default User-Agent, e.g. "my-tool/1.2".
	UserAgent string
}

// TokenSource supplies the IAM user token sent as X-Auth-Token. Token is
// called once per request, so an implementation can refresh an expiring token.
type TokenSource interface {
	Token(ctx context.Context) (string, error)
}

// TokenInvalidator is a TokenSource that can forget a token CBR refused:
// after a 401, Client.Do asks it for a new token and sends the request once
// more (package auth's sessions are one).
type TokenInvalidator interface {
	TokenSource
	// Invalidate forgets token if it is still the one the source hands out.
	Invalidate(token string)
}

// RequestSigner authenticates a request by signing it, over exactly the
// body bytes that are sent, instead of adding a token (AK/SK signing,
// package aksk). NewRequest calls it last, after every header is set.
type RequestSigner interface {
	SignRequest(req *http.Request, body []byte) error
}

// TokenFunc adapts a function to a TokenSource.
type TokenFunc func(ctx context.Context) (string, error)

// Token calls f.
func (f TokenFunc) Token(ctx context.Context) (string, error) {
	if f == nil {
		return "", ErrEmptyToken
	}
	return f(ctx)
}

// StaticToken returns a TokenSource that always returns token. It holds
// the token as a secret.Value: no printed or encoded form shows it.
func StaticToken(token string) TokenSource {
	return staticToken{token: secret.New(token)}
}

type staticToken struct{ token secret.Value }

func (s staticToken) Token(context.Context) (string, error) { return s.token.Reveal(), nil }

// String shows the token source as redacted.
func (s staticToken) String() string { return "StaticToken(" + s.token.String() + ")" }
