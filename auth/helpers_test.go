package auth_test

import (
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cbr-replicate/cbr-replicate/auth"
	"github.com/cbr-replicate/cbr-replicate/cbrtest"
	"github.com/cbr-replicate/cbr-replicate/secret"
)

// password is distinctive, so that a test can tell it never shows.
const password = "Pw-7#q!distinctive-never-shown"

const domain = "OTC00000000001000000001"

var (
	alice  = cbrtest.IAMUser{Domain: domain, Name: "alice", Password: secret.New(password), Project: "eu-de"}
	aliceS = cbrtest.IAMUser{Domain: domain, Name: "alice", Password: secret.New(password), Project: "eu-nl_backup"}
)

// clock is a settable clock, shared by the fake IAM and the Session.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func newClock() *clock { return &clock{now: time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)} }

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// fakeIAM is a cbrtest.IAM on 127.0.0.1 that counts every request.
type fakeIAM struct {
	*cbrtest.IAM
	URL      string // the v3 endpoint
	requests atomic.Int64
	// gate, when set, holds every request until it is closed.
	gate    chan struct{}
	arrived chan struct{}
}

type iamOption func(*cbrtest.IAMOptions)

func lifetime(d time.Duration) iamOption { return func(o *cbrtest.IAMOptions) { o.Lifetime = d } }
func iamClock(now func() time.Time) iamOption {
	return func(o *cbrtest.IAMOptions) { o.Now = now }
}

func startIAM(t *testing.T, opts ...iamOption) *fakeIAM {
	t.Helper()
	o := cbrtest.IAMOptions{
		Users: []cbrtest.IAMUser{alice, aliceS},
		Catalog: []cbrtest.IAMEndpoint{
			{Type: "cbr", Region: "eu-de", URL: "https://cbr.eu-de.example.org/v3/$(tenant_id)s"},
			{Type: "cbr", Region: "eu-nl", URL: "https://cbr.eu-nl.example.org/v3/$(tenant_id)s"},
		},
	}
	for _, apply := range opts {
		apply(&o)
	}
	iam, err := cbrtest.NewIAM(o)
	require.NoError(t, err)
	f := &fakeIAM{IAM: iam, arrived: make(chan struct{}, 1000)}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f.requests.Add(1)
		f.arrived <- struct{}{}
		if f.gate != nil {
			<-f.gate
		}
		iam.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	f.URL = srv.URL + "/v3"
	return f
}

// config signs in as alice to project eu-de of the fake.
func (f *fakeIAM) config() auth.Config {
	return auth.Config{AuthURL: f.URL, Username: "alice", Password: secret.New(password), DomainName: domain, ProjectName: "eu-de", Source: "test"}
}

// serve runs handler on 127.0.0.1 and returns its v3 URL.
func serve(t *testing.T, handler http.HandlerFunc) string {
	t.Helper()
	srv := httptest.NewServer(handler)
	t.Cleanup(srv.Close)
	return srv.URL + "/v3"
}

// assertConfig compares two Configs, their secrets by what they hold: a
// secret.Value is not comparable.
func assertConfig(t *testing.T, want, got auth.Config, msgAndArgs ...any) {
	t.Helper()
	reveal := func(c auth.Config) (auth.Config, [3]string) {
		secrets := [3]string{c.Password.Reveal(), c.Token.Reveal(), c.Passcode.Reveal()}
		c.Password, c.Token, c.Passcode = secret.Value{}, secret.Value{}, secret.Value{}
		return c, secrets
	}
	wantC, wantS := reveal(want)
	gotC, gotS := reveal(got)
	assert.Equal(t, wantC, gotC, msgAndArgs...)
	assert.Equal(t, wantS, gotS, msgAndArgs...)
}
