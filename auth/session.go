package auth

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/gophercloud/gophercloud/v2"
	"github.com/gophercloud/gophercloud/v2/openstack"
	"github.com/gophercloud/gophercloud/v2/openstack/identity/v3/tokens"

	"github.com/cbr-replicate/cbr-replicate/internal/limit"
	"github.com/cbr-replicate/cbr-replicate/internal/redact"
	"github.com/cbr-replicate/cbr-replicate/secret"
)

// DefaultRenewBefore is how long before its expires_at a token is renewed
// (at most half its life, so that a short-lived token is not renewed on
// every call): a request sent with it then has minutes left to reach CBR.
const DefaultRenewBefore = 5 * time.Minute

// SignInTimeout bounds one exchange with IAM.
const SignInTimeout = time.Minute

// RefusalHold is how long a Session answers with IAM's refusal instead of
// sending the password again.
const RefusalHold = time.Minute

// Option configures a Session.
type Option func(*Session)

// WithHTTPClient makes the Session talk to IAM through c (its Transport
// and Timeout; the Config's TLS settings apply only when c has no
// Transport of its own).
func WithHTTPClient(c *http.Client) Option {
	return func(s *Session) {
		if c != nil {
			s.client = c
		}
	}
}

// Session holds a project-scoped IAM token for a Config and renews it as
// the package doc says: the goroutines that ask at once share one sign-in
// and its result, a failure too, so a wrong password is tried once, and a
// refusal is kept for RefusalHold (Invalidate forgets it). Its methods are
// safe for concurrent use.
type Session struct {
	cfg    Config
	url    string // the Keystone v3 URL of cfg.AuthURL (v3URL), shown as it is: Validate passed it
	client *http.Client
	now    func() time.Time

	mu           sync.Mutex
	cur          *issued // nil before the first sign-in and after Invalidate
	flight       *flight // the sign-in under way, if any
	waiting      int     // callers waiting for flight (for tests)
	refusal      error   // IAM's last refusal, returned until refusedUntil
	refusedUntil time.Time
	passcodeUsed bool // by a sign-in IAM accepted: it is not sent again
}

// issued is a token and what came with it.
type issued struct {
	token   secret.Value
	expires time.Time // as IAM wrote it
	renewAt time.Time // by the Session's clock
	project tokens.Project
	catalog *tokens.ServiceCatalog
}

// flight is one sign-in, awaited by every caller that needs a token
// while it runs.
type flight struct {
	done chan struct{}
	got  *issued
	err  error
}

// NewSession returns a Session for c without signing in: the first Token
// (or ProjectID, Endpoint) does. It fails only when c does not validate.
func NewSession(c Config, opts ...Option) (*Session, error) {
	if err := c.Validate(); err != nil {
		return nil, err
	}
	s := &Session{cfg: c, url: v3URL(c.AuthURL), client: &http.Client{}, now: time.Now}
	for _, o := range opts {
		if o != nil {
			o(s)
		}
	}
	hc := *s.client
	if hc.Transport == nil {
		hc.Transport = http.DefaultTransport
		if c.TLS != nil {
			t := http.DefaultTransport.(*http.Transport).Clone()
			t.TLSClientConfig = c.TLS.Clone()
			hc.Transport = t
		}
	}
	hc.Transport = iamTransport{next: hc.Transport, origin: origin(s.url), n: limit.Answer}
	// A redirect would re-send the password (or the token) to wherever it
	// points, plain http and any host included: IAM's answer is taken as
	// it is, and a 3xx is a failed sign-in.
	hc.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	s.client = &hc
	return s, nil
}

// SignIn returns a Session for c that has signed in: its token is cached.
func SignIn(ctx context.Context, c Config, opts ...Option) (*Session, error) {
	s, err := NewSession(c, opts...)
	if err != nil {
		return nil, err
	}
	if _, err := s.current(ctx); err != nil {
		return nil, err
	}
	return s, nil
}

// Token returns the IAM token to send as X-Auth-Token, signing in first
// when there is none or it is near its expiry.
func (s *Session) Token(ctx context.Context) (string, error) {
	got, err := s.current(ctx)
	if err != nil {
		return "", err
	}
	return got.token.Reveal(), nil
}

// Invalidate forgets token if it is still the cached one, so that the next
// Token signs in again: for a 401 from CBR, which no longer accepts it. An
// older token, already replaced, changes nothing. It forgets a refusal of
// IAM too, whatever token.
func (s *Session) Invalidate(token string) {
	if s == nil {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cur != nil && s.cur.token.Reveal() == token {
		s.cur = nil
	}
	s.refusal = nil
}

// ProjectID returns the ID of the project the token is scoped to (signing
// in if needed): the project ID CBR's path needs.
func (s *Session) ProjectID(ctx context.Context) (string, error) {
	got, err := s.current(ctx)
	if err != nil {
		return "", err
	}
	return got.project.ID, nil
}

// Endpoint returns the public URL of serviceType (e.g. "cbr") in region
// ("" for any) from the token's catalog (signing in if needed), without a
// trailing slash and as the catalog has it, which may include a path. A
// catalog without it gives "" and no error.
func (s *Session) Endpoint(ctx context.Context, serviceType, region string) (string, error) {
	got, err := s.current(ctx)
	if err != nil {
		return "", err
	}
	//lint:ignore SA1019 its successor V3Endpoint discovers API versions by calling the service; a catalog lookup is all CBR needs
	u, err := openstack.V3EndpointURL(got.catalog, gophercloud.EndpointOpts{
		Type: serviceType, Region: region, Availability: gophercloud.AvailabilityPublic,
	})
	if _, notFound := errors.AsType[*gophercloud.ErrEndpointNotFound](err); notFound {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("auth: catalog: %w", err)
	}
	return strings.TrimSuffix(u, "/"), nil
}

// current returns the cached token while it is fresh, else the result of
// the sign-in under way or of one it starts. The sign-in runs on its own,
// bounded by SignInTimeout, so a caller that gives up does not fail the
// others waiting for it.
func (s *Session) current(ctx context.Context) (*issued, error) {
	if s == nil || s.client == nil {
		return nil, errors.New("auth: the Session was not made by NewSession or SignIn")
	}
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("auth: before signing in at IAM %s: %w", s.url, context.Cause(ctx))
	}
	s.mu.Lock()
	if s.cur != nil && s.now().Before(s.cur.renewAt) {
		got := s.cur
		s.mu.Unlock()
		return got, nil
	}
	if s.refusal != nil && s.now().Before(s.refusedUntil) {
		err := s.refusal
		s.mu.Unlock()
		return nil, err
	}
	if s.passcodeUsed && s.flight == nil {
		s.mu.Unlock()
		return nil, errors.New("auth: the token must be renewed and the virtual MFA passcode was used: sign in again with a new passcode")
	}
	f := s.flight
	if f == nil {
		f = &flight{done: make(chan struct{})}
		s.flight = f
		go s.fly(context.WithoutCancel(ctx), f)
	}
	s.waiting++
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		s.waiting--
		s.mu.Unlock()
	}()
	select {
	case <-f.done:
		return f.got, f.err
	case <-ctx.Done():
		return nil, fmt.Errorf("auth: waiting for the sign-in at IAM %s: %w", s.url, context.Cause(ctx))
	}
}

func (s *Session) fly(ctx context.Context, f *flight) {
	ctx, cancel := context.WithTimeout(ctx, SignInTimeout)
	defer cancel()
	got, err := s.signIn(ctx)
	s.mu.Lock()
	sie, _ := errors.AsType[*SignInError](err)
	switch {
	case err == nil:
		s.cur, s.refusal, s.passcodeUsed = got, nil, !s.cfg.Passcode.IsZero()
	case sie != nil && sie.Refused:
		s.refusal, s.refusedUntil = err, s.now().Add(RefusalHold)
	}
	s.flight = nil
	f.got, f.err = got, err
	s.mu.Unlock()
	close(f.done)
}

// tokenResult is what gophercloud's auth result offers for both ways to
// sign in (tokens.CreateResult for a POST, tokens.GetResult for a token
// used as it is).
type tokenResult interface {
	ExtractToken() (*tokens.Token, error)
	ExtractProject() (*tokens.Project, error)
	ExtractServiceCatalog() (*tokens.ServiceCatalog, error)
	ExtractInto(v any) error
}

// signIn exchanges the configuration for a token with gophercloud and
// reads the token, its project and catalog from the auth result.
func (s *Session) signIn(ctx context.Context) (*issued, error) {
	start := s.now()
	provider, err := openstack.NewClient(s.url)
	if err != nil {
		return nil, s.signInError(err)
	}
	provider.HTTPClient = *s.client
	if err := openstack.AuthenticateV3(ctx, provider, s.cfg.authOptions(), gophercloud.EndpointOpts{}); err != nil {
		return nil, s.signInError(err)
	}
	res, ok := provider.GetAuthResult().(tokenResult)
	if !ok {
		return nil, s.answerError(fmt.Errorf("unexpected auth result %T", provider.GetAuthResult()))
	}
	tok, err := res.ExtractToken()
	if err != nil {
		return nil, s.answerError(err)
	}
	project, err := res.ExtractProject()
	if err != nil {
		return nil, s.answerError(err)
	}
	catalog, err := res.ExtractServiceCatalog()
	if err != nil {
		return nil, s.answerError(err)
	}
	var issuedAt struct {
		IssuedAt time.Time `json:"issued_at"`
	}
	_ = res.ExtractInto(&issuedAt) // optional: without it, expires_at is read by the local clock
	switch {
	case tok.ID == "":
		return nil, s.answerError(errors.New("no X-Subject-Token"))
	case tok.ExpiresAt.IsZero():
		return nil, s.answerError(errors.New("no token.expires_at"))
	case project == nil || project.ID == "":
		return nil, s.answerError(errors.New("the token is not scoped to a project (no token.project.id); CBR needs a project-scoped token"))
	}
	if err := CheckProjectID(s.cfg.ProjectID, project.ID); err != nil {
		return nil, s.answerError(err)
	}
	if s.cfg.ProjectName != "" && project.Name != s.cfg.ProjectName {
		return nil, s.answerError(fmt.Errorf("the token is scoped to project %q, not %q", project.Name, s.cfg.ProjectName))
	}
	// The token's life is measured by IAM's clock (issued_at to expires_at)
	// and counted from when the request was sent, so that a local clock
	// that is off does not make a fresh token look expired.
	expires := tok.ExpiresAt
	if !issuedAt.IssuedAt.IsZero() && tok.ExpiresAt.After(issuedAt.IssuedAt) {
		expires = start.Add(tok.ExpiresAt.Sub(issuedAt.IssuedAt))
	}
	life := expires.Sub(start)
	if life <= 0 {
		return nil, s.answerError(fmt.Errorf("the token expired at %s, before it was issued", tok.ExpiresAt.UTC().Format(time.RFC3339)))
	}
	return &issued{
		token:   secret.New(tok.ID),
		expires: tok.ExpiresAt,
		renewAt: expires.Add(-min(DefaultRenewBefore, life/2)),
		project: *project,
		catalog: catalog,
	}, nil
}

// CheckProjectID fails when an explicit project ID (given on the command
// line, say) is not the one the token is scoped to; either empty passes.
func CheckProjectID(explicit, scoped string) error {
	if explicit != "" && scoped != "" && explicit != scoped {
		return fmt.Errorf("auth: project ID %q is not the project the token is scoped to (%q): sign in to that project, or drop the explicit project ID", explicit, scoped)
	}
	return nil
}

// String shows the Session's configuration and whether it holds a token,
// never the token or password.
func (s *Session) String() string {
	if s == nil {
		return "auth.Session(nil)"
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	state := "no token"
	if s.cur != nil {
		state = fmt.Sprintf("token %s of project %s until %s", s.cur.token, s.cur.project.ID, s.cur.expires.UTC().Format(time.RFC3339))
	}
	return fmt.Sprintf("auth.Session{%s; %s}", s.cfg.Describe(), state)
}

// iamTransport is the Session's way to IAM. It sends a request only to
// the scheme, host and port of the Session's URL and refuses any other
// before a byte of it is written, so that the password goes nowhere else
// whatever an answer names; and it reads at most n bytes (limit.Answer) of
// an answer: gophercloud reads bodies to their end.
type iamTransport struct {
	next   http.RoundTripper
	origin string
	n      int64
}

func (t iamTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	if o := origin(r.URL.String()); o != t.origin {
		if r.Body != nil {
			_ = r.Body.Close()
		}
		return nil, fmt.Errorf("refused to send the sign-in to %s: only to the configured IAM %s", o, t.origin)
	}
	resp, err := t.next.RoundTrip(r)
	if err == nil && resp.Body != nil {
		resp.Body = http.MaxBytesReader(nil, resp.Body, t.n)
	}
	return resp, err
}

// origin is the scheme, host (lower case) and port of rawURL, the port
// written out when the URL leaves it to the scheme.
func origin(rawURL string) string {
	u, err := url.Parse(rawURL)
	if err != nil {
		return redact.Redacted
	}
	port := cmp.Or(u.Port(), map[string]string{"http": "80", "https": "443"}[u.Scheme])
	return u.Scheme + "://" + net.JoinHostPort(strings.ToLower(u.Hostname()), port)
}
