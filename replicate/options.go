package replicate

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/cbr-replicate/cbr-replicate/gen/cbr"
	"github.com/cbr-replicate/cbr-replicate/internal/loopback"
	"github.com/cbr-replicate/cbr-replicate/internal/redact"
)

// Options configures a Client; ProjectID and one way to authenticate, Token
// or Signer, are required.
type Options struct {
	// Region is the Open Telekom Cloud region, one of the spec's server
	// regions ("eu-de", the default, or "eu-nl"). Ignored when Endpoint is set.
	Region string
	// Endpoint overrides Region with an absolute https URL, for another
	// cloud of the same family or a gateway; http only to a loopback host
	// (a test server) unless AllowInsecureHTTP.
	Endpoint string
	// AllowInsecureHTTP lets Endpoint be an http URL of a host that is not
	// loopback: the token then travels unencrypted. Off by default; a
	// program that turns it on should say so to its user.
	AllowInsecureHTTP bool
	// ProjectID is the project whose vault is replicated (path parameter
	// project_id). Required.
	ProjectID string
	// Token supplies the IAM token sent as X-Auth-Token; it is asked for
	// a token on every call. Required.
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

// TokenInvalidator is a TokenSource that can forget a token CBR refused. A
// 401 answer means the request was refused before anything started, so
// Client.Replicate then asks for a new token and sends the request once
// more, exactly once, when its TokenSource implements TokenInvalidator
// (package auth's sessions do).
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
func (f TokenFunc) Token(ctx context.Context) (string, error) { return f(ctx) }

// StaticToken returns a TokenSource that always returns token. The value
// prints as "[REDACTED]" (redact.Redacted) with every fmt verb.
func StaticToken(token string) TokenSource {
	return staticToken{token: func() string { return token }}
}

// staticToken keeps the token in a closure: even a printer that ignores its
// methods (a copied struct, reflection) shows a function, not the token.
type staticToken struct{ token func() string }

func (s staticToken) Token(context.Context) (string, error) { return s.token(), nil }

// redacted is what every printed token and token source shows.
const redacted = redact.Redacted

// String, GoString, Format, MarshalText and LogValue keep the token out of
// fmt, encoding and log/slog output.
func (staticToken) String() string               { return redacted }
func (staticToken) GoString() string             { return redacted }
func (staticToken) Format(f fmt.State, _ rune)   { _, _ = io.WriteString(f, redacted) }
func (staticToken) MarshalText() ([]byte, error) { return []byte(redacted), nil }
func (staticToken) LogValue() slog.Value         { return slog.StringValue(redacted) }

func (r redactedField) Format(f fmt.State, _ rune) { _, _ = io.WriteString(f, string(r)) }

// redactedField stands for a token source in printed Options and Clients.
type redactedField string

func redactToken(ts TokenSource) any {
	if ts == nil {
		return nil
	}
	return redactedField(redacted)
}

// redactSigner stands for a signer in printed Options and Clients: it
// holds a secret key.
func redactSigner(s RequestSigner) any {
	if s == nil {
		return nil
	}
	return redactedField(redacted)
}

// String prints the options with the token redacted.
func (o Options) String() string { return fmt.Sprintf("%+v", o) }

// GoString prints the options with the token redacted.
func (o Options) GoString() string { return fmt.Sprintf("%#v", o) }

// LogValue logs the options as they print, with the token and any
// credential in Endpoint redacted.
func (o Options) LogValue() slog.Value { return slog.StringValue(o.String()) }

// Format prints the options with the token redacted, for every verb.
func (o Options) Format(f fmt.State, verb rune) {
	// A local type named Options prints as "replicate.Options" under %#v.
	type Options struct {
		Region                string
		Endpoint              string
		AllowInsecureHTTP     bool
		ProjectID             string
		Token                 any
		Signer                any
		Timeout               time.Duration
		HTTPClient            *http.Client
		SkipRequestValidation bool
		ValidateResponses     bool
		UserAgent             string
	}
	fmt.Fprintf(f, fmt.FormatString(f, verb), Options{
		Region: o.Region, Endpoint: redact.URL(o.Endpoint), AllowInsecureHTTP: o.AllowInsecureHTTP, ProjectID: o.ProjectID,
		Token: redactToken(o.Token), Signer: redactSigner(o.Signer), Timeout: o.Timeout, HTTPClient: o.HTTPClient,
		SkipRequestValidation: o.SkipRequestValidation,
		ValidateResponses:     o.ValidateResponses, UserAgent: o.UserAgent,
	})
}

// serverTemplate is the spec's first server: its URL template, variables'
// defaults and the regions its "region" variable allows.
type serverTemplate struct {
	url      string
	defaults map[string]string
	regions  []string
	region   string // default region
}

// specServer reads servers[0] of the embedded spec once: the spec, not this
// package, says which regions exist and how their endpoints are spelt.
var specServer = sync.OnceValues(func() (serverTemplate, error) {
	doc, err := cbr.GetSpec()
	if err != nil {
		return serverTemplate{}, fmt.Errorf("replicate: loading the embedded spec: %w", err)
	}
	if len(doc.Servers) == 0 || doc.Servers[0] == nil {
		return serverTemplate{}, errors.New("replicate: the embedded spec has no server")
	}
	s := doc.Servers[0]
	t := serverTemplate{url: s.URL, defaults: map[string]string{}}
	for name, v := range s.Variables {
		if v == nil {
			continue
		}
		t.defaults[name] = v.Default
		if name == "region" {
			t.regions = slices.Clone(v.Enum)
			t.region = v.Default
		}
	}
	if len(t.regions) == 0 {
		return serverTemplate{}, errors.New(`replicate: the embedded spec's server has no "region" enum`)
	}
	return t, nil
})

// Regions returns the region IDs Options.Region accepts, as listed by the
// embedded spec's server variable "region".
func Regions() []string {
	t, err := specServer()
	if err != nil {
		return nil
	}
	return slices.Clone(t.regions)
}

// DefaultRegion returns the region an empty Options.Region means: the
// default of the embedded spec's server variable "region" ("eu-de").
func DefaultRegion() string {
	t, err := specServer()
	if err != nil {
		return ""
	}
	return t.region
}

// regionEndpoint fills the spec's server URL template for region ("" means
// the spec's default region).
func regionEndpoint(region string) (string, error) {
	t, err := specServer()
	if err != nil {
		return "", err
	}
	if region == "" {
		region = t.region
	}
	if !slices.Contains(t.regions, region) {
		return "", fmt.Errorf("replicate: unknown region %q: known regions are %s (set Options.Endpoint for another cloud)",
			region, strings.Join(t.regions, ", "))
	}
	u := t.url
	for name, def := range t.defaults {
		v := def
		if name == "region" {
			v = region
		}
		u = strings.ReplaceAll(u, "{"+name+"}", v)
	}
	return u, nil
}

// checkEndpoint accepts an absolute https URL with a host and no user
// info, query or fragment (the request would drop them or send credentials
// in clear); http only to a loopback host or with allowHTTP. Errors never
// echo the URL's user info or query.
func checkEndpoint(endpoint string, allowHTTP bool) (string, error) {
	u, err := url.Parse(endpoint)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err // url.Error repeats the whole URL
		}
		return "", fmt.Errorf("replicate: Options.Endpoint is not a URL: %w", err)
	}
	shown := redact.URL(endpoint)
	switch {
	case u.User != nil:
		return "", errors.New("replicate: Options.Endpoint must not contain user info (credentials travel as X-Auth-Token)")
	case u.Scheme != "http" && u.Scheme != "https":
		return "", fmt.Errorf("replicate: Options.Endpoint %q must be an absolute http or https URL", shown)
	case u.Host == "":
		return "", fmt.Errorf("replicate: Options.Endpoint %q has no host", shown)
	case u.RawQuery != "" || u.ForceQuery:
		return "", fmt.Errorf("replicate: Options.Endpoint %q must not have a query", shown)
	case u.Fragment != "":
		return "", fmt.Errorf("replicate: Options.Endpoint %q must not have a fragment", shown)
	case u.Scheme == "http" && !allowHTTP && !loopback.Host(u.Hostname()):
		return "", fmt.Errorf("replicate: Options.Endpoint %q is plain http to a host that is not loopback: "+
			"the token would travel unencrypted (use https, or set Options.AllowInsecureHTTP)", shown)
	}
	return strings.TrimSuffix(u.String(), "/"), nil
}

// checkProjectID accepts a project ID that is one path segment and can be
// sent: not blank, valid UTF-8, no "/", "?", "#", blank or control
// character, and not "." or "..", which a URL would resolve away.
func checkProjectID(id string) error {
	switch {
	case strings.TrimSpace(id) == "":
		return errors.New("replicate: Options.ProjectID is required")
	case id == "." || id == ".." || strings.ContainsAny(id, "/?# \t") || !validHeaderValue(id) || !utf8.ValidString(id):
		return fmt.Errorf("replicate: Options.ProjectID %q is not a project ID (one path segment, no blanks)", id)
	}
	return nil
}

// validHeaderValue reports whether s can be sent as an HTTP header value
// (no control characters such as a trailing newline).
func validHeaderValue(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; (c < ' ' && c != '\t') || c == 0x7f {
			return false
		}
	}
	return true
}
