package auth_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cbr-replicate/cbr-replicate/auth"
	"github.com/cbr-replicate/cbr-replicate/secret"
)

func TestSignIn_PasswordByName(t *testing.T) {
	iam := startIAM(t)
	s, err := auth.SignIn(t.Context(), iam.config())
	require.NoError(t, err)
	token, err := s.Token(t.Context())
	require.NoError(t, err)
	project, ok := iam.Valid(token)
	assert.True(t, ok, "a token the IAM issued")
	assert.Equal(t, alice.ProjectID(), project)
	assert.Equal(t, 1, iam.SignIns())
}

func TestSignIn_Variants(t *testing.T) {
	iam := startIAM(t)
	first, err := auth.SignIn(t.Context(), iam.config())
	require.NoError(t, err)
	firstToken, err := first.Token(t.Context())
	require.NoError(t, err)

	for _, tc := range []struct {
		name    string
		edit    func(*auth.Config)
		project string
	}{
		{"user by ID", func(c *auth.Config) {
			c.Username, c.DomainName, c.UserID, c.ProjectDomainName = "", "", alice.UserID(), domain
		}, ""},
		{"domain by ID", func(c *auth.Config) { c.DomainName, c.DomainID = "", alice.DomainID() }, ""},
		{"project by ID", func(c *auth.Config) { c.ProjectName, c.ProjectID = "", aliceS.ProjectID() }, aliceS.ProjectID()},
		{"project by ID and its matching name", func(c *auth.Config) { c.ProjectName, c.ProjectID = "eu-nl_backup", aliceS.ProjectID() }, aliceS.ProjectID()},
		{"project domain of its own", func(c *auth.Config) { c.ProjectName, c.ProjectDomainName = "eu-nl_backup", domain }, aliceS.ProjectID()},
		{"a token rescoped to a project", func(c *auth.Config) {
			c.Username, c.Password, c.DomainName, c.Token = "", secret.Value{}, "", secret.New(firstToken)
			c.ProjectName, c.ProjectID = "", aliceS.ProjectID()
		}, aliceS.ProjectID()},
		{"a token used as it is", func(c *auth.Config) {
			c.Username, c.Password, c.DomainName, c.ProjectName, c.Token = "", secret.Value{}, "", "", secret.New(firstToken)
		}, alice.ProjectID()},
		{"a versionless auth URL gets /v3 appended", func(c *auth.Config) { c.AuthURL = strings.TrimSuffix(c.AuthURL, "/v3") }, ""},
		{"an auth URL ending in /v3/", func(c *auth.Config) { c.AuthURL += "/" }, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := iam.config()
			tc.edit(&c)
			s, err := auth.SignIn(t.Context(), c)
			require.NoError(t, err)
			project, err := s.ProjectID(t.Context())
			require.NoError(t, err)
			want := tc.project
			if want == "" {
				want = alice.ProjectID()
			}
			assert.Equal(t, want, project)
			token, err := s.Token(t.Context())
			require.NoError(t, err)
			_, ok := iam.Valid(token)
			assert.True(t, ok)
		})
	}
}

func TestSession_NewSessionDoesNotSignIn(t *testing.T) {
	iam := startIAM(t)
	s, err := auth.NewSession(iam.config())
	require.NoError(t, err)
	assert.Zero(t, iam.requests.Load(), "lazy: no IAM request before the first Token")
	_, err = s.Token(t.Context())
	require.NoError(t, err)
	assert.Equal(t, int64(1), iam.requests.Load())
}

func TestSession_ConcurrentTokensOneSignIn(t *testing.T) {
	iam := startIAM(t)
	iam.gate = make(chan struct{})
	s, err := auth.NewSession(iam.config())
	require.NoError(t, err)

	const n = 50
	tokens := make([]string, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			tok, err := s.Token(t.Context())
			assert.NoError(t, err)
			tokens[i] = tok
		})
	}
	<-iam.arrived // the one sign-in is at IAM
	for auth.Waiting(s) < n {
		runtime.Gosched() // every caller waits for it
	}
	close(iam.gate)
	wg.Wait()

	assert.Equal(t, int64(1), iam.requests.Load(), "one IAM request for all")
	for _, tok := range tokens {
		assert.Equal(t, tokens[0], tok, "all got the same token")
	}
	for range 10 {
		tok, err := s.Token(t.Context())
		require.NoError(t, err)
		assert.Equal(t, tokens[0], tok)
	}
	assert.Equal(t, int64(1), iam.requests.Load(), "cached within the token's life")
}

func TestSession_ConcurrentCallersShareAFailure(t *testing.T) {
	iam := startIAM(t)
	iam.gate = make(chan struct{})
	c := iam.config()
	c.Password = secret.New("wrong-password")
	s, err := auth.NewSession(c)
	require.NoError(t, err)

	const n = 20
	var wg sync.WaitGroup
	for range n {
		wg.Go(func() {
			_, err := s.Token(t.Context())
			var sie *auth.SignInError
			assert.ErrorAs(t, err, &sie)
		})
	}
	<-iam.arrived
	for auth.Waiting(s) < n {
		runtime.Gosched()
	}
	close(iam.gate)
	wg.Wait()
	assert.Equal(t, int64(1), iam.requests.Load(), "a wrong password is tried once, not once per caller")
}

func TestSession_RenewsNearExpiry(t *testing.T) {
	now := newClock()
	iam := startIAM(t, lifetime(time.Hour), iamClock(now.Now))
	s, err := auth.NewSession(iam.config(), auth.WithClock(now.Now))
	require.NoError(t, err)

	first, err := s.Token(t.Context())
	require.NoError(t, err)
	now.Add(55*time.Minute - time.Nanosecond)
	tok, err := s.Token(t.Context())
	require.NoError(t, err)
	assert.Equal(t, first, tok, "kept until 5 minutes before expires_at")
	assert.Equal(t, 1, iam.SignIns())

	now.Add(time.Nanosecond)
	second, err := s.Token(t.Context())
	require.NoError(t, err)
	assert.NotEqual(t, first, second, "renewed 5 minutes before expires_at")
	assert.Equal(t, 2, iam.SignIns())
	for range 5 {
		tok, err := s.Token(t.Context())
		require.NoError(t, err)
		assert.Equal(t, second, tok)
	}
	assert.Equal(t, 2, iam.SignIns(), "renewed once")
}

func TestSession_RenewalMargin(t *testing.T) {
	for _, tc := range []struct {
		name      string
		life      time.Duration
		keptUntil time.Duration
		iamAhead  time.Duration // IAM's clock minus the Session's
	}{
		{"a token shorter than twice the margin is renewed at half its life", 4 * time.Minute, 2 * time.Minute, 0},
		{"a token is renewed DefaultRenewBefore before it expires", time.Hour, time.Hour - auth.DefaultRenewBefore, 0},
		{"an IAM clock two hours behind does not make the token look expired", time.Hour, 55 * time.Minute, -2 * time.Hour},
		{"an IAM clock two hours ahead does not make the token look longer", time.Hour, 55 * time.Minute, 2 * time.Hour},
	} {
		t.Run(tc.name, func(t *testing.T) {
			local := newClock()
			iam := startIAM(t, lifetime(tc.life), iamClock(func() time.Time { return local.Now().Add(tc.iamAhead) }))
			s, err := auth.NewSession(iam.config(), auth.WithClock(local.Now))
			require.NoError(t, err)
			first, err := s.Token(t.Context())
			require.NoError(t, err)
			local.Add(tc.keptUntil - time.Nanosecond)
			tok, err := s.Token(t.Context())
			require.NoError(t, err)
			assert.Equal(t, first, tok, "kept")
			local.Add(time.Nanosecond)
			tok, err = s.Token(t.Context())
			require.NoError(t, err)
			assert.NotEqual(t, first, tok, "renewed")
			assert.Equal(t, 2, iam.SignIns())
		})
	}
}

func TestSession_Invalidate(t *testing.T) {
	iam := startIAM(t)
	s, err := auth.SignIn(t.Context(), iam.config())
	require.NoError(t, err)
	first, err := s.Token(t.Context())
	require.NoError(t, err)

	s.Invalidate("MIIsome-older-token")
	tok, err := s.Token(t.Context())
	require.NoError(t, err)
	assert.Equal(t, first, tok, "another token changes nothing")
	assert.Equal(t, 1, iam.SignIns())

	s.Invalidate(first)
	var wg sync.WaitGroup
	got := make([]string, 10)
	for i := range got {
		wg.Go(func() {
			tok, err := s.Token(t.Context())
			assert.NoError(t, err)
			got[i] = tok
		})
	}
	wg.Wait()
	assert.Equal(t, 2, iam.SignIns(), "signed in again exactly once")
	assert.NotEqual(t, first, got[0])
	for _, tok := range got {
		assert.Equal(t, got[0], tok)
	}
	s.Invalidate(first) // the old one again: no effect
	tok, err = s.Token(t.Context())
	require.NoError(t, err)
	assert.Equal(t, got[0], tok)
	assert.Equal(t, 2, iam.SignIns())
}

func TestSession_ProjectIDAndEndpoint(t *testing.T) {
	iam := startIAM(t)
	s, err := auth.NewSession(iam.config())
	require.NoError(t, err)
	project, err := s.ProjectID(t.Context())
	require.NoError(t, err)
	assert.Equal(t, alice.ProjectID(), project, "from the token's project scope")

	for _, tc := range []struct{ name, service, region, want string }{
		{"cbr in the project's region", "cbr", "eu-de", "https://cbr.eu-de.example.org/v3/" + alice.ProjectID()},
		{"cbr in any region", "cbr", "", "https://cbr.eu-de.example.org/v3/" + alice.ProjectID()},
		{"cbr in a region the catalog lacks", "cbr", "eu-nl", ""},
		{"a service the catalog lacks", "compute", "eu-de", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := s.Endpoint(t.Context(), tc.service, tc.region)
			require.NoError(t, err)
			assert.Equal(t, tc.want, got)
		})
	}
	assert.Equal(t, 1, iam.SignIns(), "one sign-in for all of it")
}

func TestSignIn_Refused(t *testing.T) {
	iam := startIAM(t)
	for _, tc := range []struct {
		name string
		edit func(*auth.Config)
	}{
		{"wrong password", func(c *auth.Config) { c.Password = secret.New("wrong-" + password) }},
		{"unknown user", func(c *auth.Config) { c.Username = "mallory" }},
		{"unknown project", func(c *auth.Config) { c.ProjectName = "eu-ch2" }},
		{"unknown token", func(c *auth.Config) {
			c.Username, c.Password, c.DomainName, c.ProjectName, c.Token = "", secret.Value{}, "", "", secret.New("MIIunknown-token-value")
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := iam.config()
			tc.edit(&c)
			_, err := auth.SignIn(t.Context(), c)
			var sie *auth.SignInError
			require.ErrorAs(t, err, &sie)
			assert.True(t, sie.Refused)
			assert.Equal(t, http.StatusUnauthorized, sie.Status)
			assert.Equal(t, iam.URL, sie.AuthURL)
			assert.Contains(t, err.Error(), "IAM "+iam.URL+" refused the sign-in (401 Unauthorized)")
			assert.Contains(t, err.Error(), "requires authentication", "IAM's message")
			assertNoSecret(t, err, password, "MIIunknown-token-value")
		})
	}
	assert.Zero(t, iam.SignIns())
}

func TestSignIn_IAMUnreachable(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	url := "http://" + l.Addr().String() + "/v3"
	require.NoError(t, l.Close())

	c := auth.Config{AuthURL: url, Username: "alice", Password: secret.New(password), DomainName: domain, ProjectName: "eu-de"}
	_, err = auth.SignIn(t.Context(), c)
	var sie *auth.SignInError
	require.ErrorAs(t, err, &sie)
	assert.False(t, sie.Refused, "not a refusal: signing in again may work")
	assert.Zero(t, sie.Status)
	assert.Contains(t, err.Error(), "signing in at IAM "+url)
	assert.Contains(t, err.Error(), "connection refused")
	assertNoSecret(t, err, password)
}

func TestSignIn_IAMAnswersBadly(t *testing.T) {
	for _, tc := range []struct {
		name    string
		handler http.HandlerFunc
		status  int
		want    string
	}{
		{"a 500", func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(http.StatusInternalServerError)
			fmt.Fprint(w, `{"error": {"code": 500, "message": "IAM is down", "title": "Internal Server Error"}}`)
		}, 500, "failed the sign-in (500 Internal Server Error): IAM is down"},
		{"a 201 without X-Subject-Token", func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(http.StatusCreated)
			fmt.Fprint(w, `{"token": {"expires_at": "2099-01-01T00:00:00.000000Z", "project": {"id": "p1", "name": "eu-de"}}}`)
		}, 0, "no X-Subject-Token"},
		{"a token without expires_at", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("X-Subject-Token", "MIIsecret-token-in-answer")
			w.WriteHeader(http.StatusCreated)
			fmt.Fprint(w, `{"token": {"project": {"id": "p1", "name": "eu-de"}}}`)
		}, 0, "no token.expires_at"},
		{"an unscoped token", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("X-Subject-Token", "MIIsecret-token-in-answer")
			w.WriteHeader(http.StatusCreated)
			fmt.Fprint(w, `{"token": {"expires_at": "2099-01-01T00:00:00.000000Z"}}`)
		}, 0, "not scoped to a project"},
		{"a token of another project", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("X-Subject-Token", "MIIsecret-token-in-answer")
			w.WriteHeader(http.StatusCreated)
			fmt.Fprint(w, `{"token": {"expires_at": "2099-01-01T00:00:00.000000Z", "project": {"id": "p1", "name": "eu-nl"}}}`)
		}, 0, `scoped to project "eu-nl", not "eu-de"`},
		{"a 401 that echoes the password", func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(http.StatusUnauthorized)
			fmt.Fprintf(w, `{"error": {"code": 401, "message": "bad password %s", "title": "Unauthorized"}}`, password)
		}, 401, "bad password [REDACTED]"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := auth.Config{AuthURL: serve(t, tc.handler), Username: "alice", Password: secret.New(password), DomainName: domain, ProjectName: "eu-de"}
			_, err := auth.SignIn(t.Context(), c)
			var sie *auth.SignInError
			require.ErrorAs(t, err, &sie)
			assert.Equal(t, tc.status == 401, sie.Refused)
			assert.Equal(t, tc.status, sie.Status)
			assert.Contains(t, err.Error(), tc.want)
			assert.Contains(t, err.Error(), c.AuthURL)
			assertNoSecret(t, err, password, "MIIsecret-token-in-answer")
		})
	}
}

func TestCheckProjectID(t *testing.T) {
	for _, tc := range []struct {
		name, explicit, scoped string
		fails                  bool
	}{
		{"an explicit project ID that is the token's", "p1", "p1", false},
		{"no explicit project ID", "", "p1", false},
		{"an explicit project ID that is not the token's", "p2", "p1", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := auth.CheckProjectID(tc.explicit, tc.scoped)
			if !tc.fails {
				assert.NoError(t, err)
				return
			}
			require.Error(t, err)
			assert.Contains(t, err.Error(), `"p2"`)
			assert.Contains(t, err.Error(), `"p1"`)
		})
	}
}

func TestSession_ContextEnded(t *testing.T) {
	iam := startIAM(t)
	s, err := auth.NewSession(iam.config())
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	_, err = s.Token(ctx)
	require.ErrorIs(t, err, context.Canceled)
	assert.Zero(t, iam.requests.Load(), "no sign-in for a caller that has given up")
}

func TestSession_CallerGivingUpDoesNotFailOthers(t *testing.T) {
	iam := startIAM(t)
	iam.gate = make(chan struct{})
	s, err := auth.NewSession(iam.config())
	require.NoError(t, err)

	ctx, cancel := context.WithCancel(t.Context())
	first := make(chan error)
	go func() { _, err := s.Token(ctx); first <- err }()
	<-iam.arrived
	cancel()
	require.ErrorIs(t, <-first, context.Canceled)

	second := make(chan error)
	go func() { _, err := s.Token(t.Context()); second <- err }()
	for auth.Waiting(s) < 1 {
		runtime.Gosched()
	}
	close(iam.gate)
	require.NoError(t, <-second, "the sign-in went on for the caller still waiting")
	assert.Equal(t, int64(1), iam.requests.Load())
}

// assertNoSecret checks that no form of err shows a secret.
func assertNoSecret(t *testing.T, err error, secrets ...string) {
	t.Helper()
	for _, verb := range []string{"%v", "%+v", "%#v"} {
		for e := err; e != nil; e = errors.Unwrap(e) {
			out := fmt.Sprintf(verb, e)
			for _, s := range secrets {
				assert.NotContains(t, out, s, "%s of %T", verb, e)
			}
		}
	}
}

func TestSession_ARefusalIsNotSentAgainWithinAMinute(t *testing.T) {
	now := newClock()
	iam := startIAM(t)
	c := iam.config()
	c.Password = secret.New("wrong-" + password)
	s, err := auth.NewSession(c, auth.WithClock(now.Now))
	require.NoError(t, err)

	_, refusal := s.Token(t.Context())
	var sie *auth.SignInError
	require.ErrorAs(t, refusal, &sie)
	require.True(t, sie.Refused)
	_, err = s.Token(t.Context())
	assert.Same(t, refusal, err, "the same refusal")
	_, err = s.ProjectID(t.Context())
	assert.Same(t, refusal, err)
	now.Add(time.Minute - time.Nanosecond)
	_, err = s.Endpoint(t.Context(), "cbr", "")
	assert.Same(t, refusal, err)
	assert.Equal(t, int64(1), iam.requests.Load(), "the password was sent once: IAM locks accounts after repeated failures")

	now.Add(time.Nanosecond)
	_, err = s.Token(t.Context())
	require.ErrorAs(t, err, &sie)
	assert.Equal(t, int64(2), iam.requests.Load(), "a minute later it is tried again")

	s.Invalidate("")
	_, err = s.Token(t.Context())
	require.ErrorAs(t, err, &sie)
	assert.Equal(t, int64(3), iam.requests.Load(), "Invalidate forgets the refusal")

	s, err = auth.NewSession(c, auth.WithClock(now.Now))
	require.NoError(t, err)
	_, err = s.Token(t.Context())
	require.ErrorAs(t, err, &sie)
	assert.Equal(t, int64(4), iam.requests.Load(), "a new Session has no refusal")
}

func TestSession_AFailureThatIsNoRefusalIsTriedAgain(t *testing.T) {
	var requests atomic.Int32
	url := serve(t, func(w http.ResponseWriter, r *http.Request) {
		requests.Add(1)
		w.WriteHeader(http.StatusServiceUnavailable)
		fmt.Fprint(w, `{"error": {"code": 503, "message": "IAM is busy", "title": "Service Unavailable"}}`)
	})
	c := auth.Config{AuthURL: url, Username: "alice", Password: secret.New(password), DomainName: domain, ProjectName: "eu-de"}
	s, err := auth.NewSession(c, auth.WithClock(newClock().Now))
	require.NoError(t, err)
	for range 2 {
		_, err = s.Token(t.Context())
		require.Error(t, err)
	}
	assert.Equal(t, int32(2), requests.Load(), "a 503 may pass: the next call asks again")
}
