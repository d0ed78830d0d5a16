package cbrtest_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cbr-replicate/cbr-replicate/cbrtest"
	"github.com/cbr-replicate/cbr-replicate/internal/limit"
)

// iamPassword is distinctive, so that a test can tell it never shows.
const iamPassword = "pw-Zq8!never-print-me"

var (
	iamAlice = cbrtest.IAMUser{Domain: "OTC00000000001000000001", Name: "alice", Password: iamPassword, Project: "eu-de"}
	iamSub   = cbrtest.IAMUser{Domain: "OTC00000000001000000001", Name: "alice", Password: iamPassword, Project: "eu-nl_backup"}
	iamBob   = cbrtest.IAMUser{Domain: "OTC00000000001000000002", Name: "bob", Password: "bobs-password", Project: "eu-de"}
)

// iamClock is a settable clock for the fake.
type iamClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *iamClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *iamClock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

func newIAM(t *testing.T, clock *iamClock) (*cbrtest.IAM, string) {
	t.Helper()
	iam, err := cbrtest.NewIAM(cbrtest.IAMOptions{
		Users:      []cbrtest.IAMUser{iamAlice, iamSub, iamBob},
		Lifetime:   time.Hour,
		CatalogURL: func(region, projectID string) string { return "https://cbr." + region + ".example.org/v3/" + projectID },
		Now:        clock.Now,
	})
	require.NoError(t, err)
	srv := httptest.NewServer(iam) // 127.0.0.1
	t.Cleanup(srv.Close)
	return iam, srv.URL
}

type iamAnswer struct {
	status int
	header http.Header
	raw    string
	body   map[string]any
}

func iamDo(t *testing.T, method, url string, header map[string]string, body string) iamAnswer {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	require.NoError(t, err)
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	raw, err := limit.ReadAll(resp.Body, limit.Answer)
	require.NoError(t, err)
	a := iamAnswer{status: resp.StatusCode, header: resp.Header, raw: string(raw)}
	if method != http.MethodHead {
		require.NoError(t, json.Unmarshal(raw, &a.body), "%s", raw)
	}
	assert.NotContains(t, a.raw, iamPassword, "no answer carries a password")
	return a
}

func passwordBody(user, scope string) string {
	return `{"auth": {"identity": {"methods": ["password"], "password": {"user": ` + user + `}}` + scope + `}}`
}

func byName(u cbrtest.IAMUser, password string) string {
	return fmt.Sprintf(`{"name": %q, "password": %q, "domain": {"name": %q}}`, u.Name, password, u.Domain)
}

func projectScope(u cbrtest.IAMUser) string {
	return fmt.Sprintf(`, "scope": {"project": {"name": %q, "domain": {"name": %q}}}`, u.Project, u.Domain)
}

// dig walks a decoded JSON body along keys (indexes for arrays).
func dig(v any, path ...any) any {
	for _, p := range path {
		switch k := p.(type) {
		case string:
			m, _ := v.(map[string]any)
			v = m[k]
		case int:
			a, _ := v.([]any)
			if k >= len(a) {
				return nil
			}
			v = a[k]
		}
	}
	return v
}

func TestIAM_SignIn(t *testing.T) {
	clock := &iamClock{now: time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)}
	iam, url := newIAM(t, clock)
	tokens := url + "/v3/auth/tokens"

	for _, tc := range []struct {
		name, body string
		user       cbrtest.IAMUser
	}{
		{"user and domain by name, project by name", passwordBody(byName(iamAlice, iamPassword), projectScope(iamAlice)), iamAlice},
		{"domain by ID", passwordBody(fmt.Sprintf(`{"name": "alice", "password": %q, "domain": {"id": %q}}`, iamPassword, iamAlice.DomainID()),
			fmt.Sprintf(`, "scope": {"project": {"name": "eu-de", "domain": {"id": %q}}}`, iamAlice.DomainID())), iamAlice},
		{"user by ID, project by ID", passwordBody(fmt.Sprintf(`{"id": %q, "password": %q}`, iamAlice.UserID(), iamPassword),
			fmt.Sprintf(`, "scope": {"project": {"id": %q}}`, iamSub.ProjectID())), iamSub},
		{"a second project of the same user", passwordBody(byName(iamSub, iamPassword), projectScope(iamSub)), iamSub},
		{"another user", passwordBody(byName(iamBob, "bobs-password"), projectScope(iamBob)), iamBob},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := iam.SignIns()
			a := iamDo(t, http.MethodPost, tokens, nil, tc.body)
			require.Equal(t, http.StatusCreated, a.status, a.raw)
			token := a.header.Get("X-Subject-Token")
			require.NotEmpty(t, token)
			assert.Equal(t, before+1, iam.SignIns())
			assert.Equal(t, "2030-01-02T04:04:05.000000Z", dig(a.body, "token", "expires_at"), "issued now, for the lifetime")
			assert.Equal(t, "2030-01-02T03:04:05.000000Z", dig(a.body, "token", "issued_at"))
			assert.Equal(t, []any{"password"}, dig(a.body, "token", "methods"))
			assert.Equal(t, tc.user.UserID(), dig(a.body, "token", "user", "id"))
			assert.Equal(t, tc.user.Name, dig(a.body, "token", "user", "name"))
			assert.Equal(t, tc.user.ProjectID(), dig(a.body, "token", "project", "id"))
			assert.Equal(t, tc.user.Project, dig(a.body, "token", "project", "name"))
			assert.Equal(t, tc.user.Domain, dig(a.body, "token", "project", "domain", "name"))
			assert.Equal(t, "cbr", dig(a.body, "token", "catalog", 0, "type"))
			assert.Equal(t, "public", dig(a.body, "token", "catalog", 0, "endpoints", 0, "interface"))
			assert.Equal(t, tc.user.Region(), dig(a.body, "token", "catalog", 0, "endpoints", 0, "region"))
			assert.Equal(t, "https://cbr."+tc.user.Region()+".example.org/v3/"+tc.user.ProjectID(), dig(a.body, "token", "catalog", 0, "endpoints", 0, "url"))

			project, ok := iam.Valid(token)
			assert.True(t, ok)
			assert.Equal(t, tc.user.ProjectID(), project)
		})
	}
}

func TestIAM_EachTokenIsFresh(t *testing.T) {
	iam, url := newIAM(t, &iamClock{now: time.Now()})
	seen := map[string]bool{}
	for range 5 {
		a := iamDo(t, http.MethodPost, url+"/v3/auth/tokens", nil, passwordBody(byName(iamAlice, iamPassword), projectScope(iamAlice)))
		require.Equal(t, http.StatusCreated, a.status)
		token := a.header.Get("X-Subject-Token")
		assert.False(t, seen[token], "a fresh token each time")
		seen[token] = true
	}
	assert.Equal(t, 5, iam.SignIns())
}

func TestIAM_Refusals(t *testing.T) {
	iam, url := newIAM(t, &iamClock{now: time.Now()})
	tokens := url + "/v3/auth/tokens"
	stranger := cbrtest.IAMUser{Domain: iamAlice.Domain, Name: "alice", Project: "eu-nl"}
	for _, tc := range []struct {
		name, body string
		status     int
	}{
		{"wrong password", passwordBody(byName(iamAlice, "wrong-password"), projectScope(iamAlice)), 401},
		{"another user's password", passwordBody(byName(iamAlice, "bobs-password"), projectScope(iamAlice)), 401},
		{"unknown user", passwordBody(byName(cbrtest.IAMUser{Domain: iamAlice.Domain, Name: "mallory"}, iamPassword), projectScope(iamAlice)), 401},
		{"user in another domain", passwordBody(byName(cbrtest.IAMUser{Domain: iamBob.Domain, Name: "alice"}, iamPassword), ""), 401},
		{"user by name without domain", passwordBody(fmt.Sprintf(`{"name": "alice", "password": %q}`, iamPassword), ""), 401},
		{"no password", passwordBody(`{"name": "alice", "domain": {"name": "OTC00000000001000000001"}}`, ""), 401},
		{"project the user has not", passwordBody(byName(iamAlice, iamPassword), projectScope(stranger)), 401},
		{"another user's project by ID", passwordBody(byName(iamAlice, iamPassword), fmt.Sprintf(`, "scope": {"project": {"id": %q}}`, iamBob.ProjectID())), 401},
		{"domain scope", passwordBody(byName(iamAlice, iamPassword), `, "scope": {"domain": {"name": "OTC00000000001000000001"}}`), 401},
		{"token method with a token not issued here", `{"auth": {"identity": {"methods": ["token"], "token": {"id": "MIIforged"}}}}`, 401},
		{"not JSON", `{"auth": `, 400},
		{"no identity", `{"auth": {}}`, 400},
		{"unknown method", `{"auth": {"identity": {"methods": ["totp"]}}}`, 400},
		{"two methods", `{"auth": {"identity": {"methods": ["password", "token"]}}}`, 400},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a := iamDo(t, http.MethodPost, tokens, nil, tc.body)
			require.Equal(t, tc.status, a.status, a.raw)
			assert.Empty(t, a.header.Get("X-Subject-Token"))
			assert.Equal(t, float64(tc.status), dig(a.body, "error", "code"), "Keystone's error body")
			assert.NotEmpty(t, dig(a.body, "error", "message"))
			if tc.status == 401 {
				assert.Equal(t, "Unauthorized", dig(a.body, "error", "title"))
			}
		})
	}
	assert.Zero(t, iam.SignIns(), "no token was issued")
}

func TestIAM_Routes(t *testing.T) {
	_, url := newIAM(t, &iamClock{now: time.Now()})
	for _, tc := range []struct {
		name, method, path string
		status             int
	}{
		{"unknown path", http.MethodGet, "/v3/users", 404},
		{"DELETE of tokens", http.MethodDelete, "/v3/auth/tokens", 405},
		{"POST of the versions", http.MethodPost, "/v3", 405},
		{"the versions at the root", http.MethodGet, "/", 300},
		{"the v3 version", http.MethodGet, "/v3", 200},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a := iamDo(t, tc.method, url+tc.path, nil, "")
			assert.Equal(t, tc.status, a.status, a.raw)
			assert.Equal(t, "application/json", a.header.Get("Content-Type"))
		})
	}
}

func TestIAM_RequestOverTheBound(t *testing.T) {
	_, url := newIAM(t, &iamClock{now: time.Now()})
	body := `{"auth": {"identity": {"methods": ["password"], "x": "` + strings.Repeat("a", int(limit.Request)) + `"}}}`
	a := iamDo(t, http.MethodPost, url+"/v3/auth/tokens", nil, body)
	assert.Equal(t, http.StatusRequestEntityTooLarge, a.status)
}

func TestIAM_TokenExpires(t *testing.T) {
	clock := &iamClock{now: time.Now()}
	iam, url := newIAM(t, clock)
	a := iamDo(t, http.MethodPost, url+"/v3/auth/tokens", nil, passwordBody(byName(iamAlice, iamPassword), projectScope(iamAlice)))
	require.Equal(t, http.StatusCreated, a.status)
	token := a.header.Get("X-Subject-Token")

	clock.Add(time.Hour - time.Second)
	_, ok := iam.Valid(token)
	assert.True(t, ok, "valid until the lifetime ends")
	clock.Add(time.Second)
	_, ok = iam.Valid(token)
	assert.False(t, ok, "expired at expires_at")
	_, ok = iam.Valid("MIInever-issued")
	assert.False(t, ok, "a token it did not issue")
	_, ok = iam.Valid("")
	assert.False(t, ok, "no token")
}

func TestIAM_Revoke(t *testing.T) {
	iam, url := newIAM(t, &iamClock{now: time.Now()})
	a := iamDo(t, http.MethodPost, url+"/v3/auth/tokens", nil, passwordBody(byName(iamAlice, iamPassword), projectScope(iamAlice)))
	token := a.header.Get("X-Subject-Token")
	iam.Revoke(token)
	_, ok := iam.Valid(token)
	assert.False(t, ok)
}

func TestIAM_UnscopedToken(t *testing.T) {
	iam, url := newIAM(t, &iamClock{now: time.Now()})
	a := iamDo(t, http.MethodPost, url+"/v3/auth/tokens", nil, passwordBody(byName(iamAlice, iamPassword), ""))
	require.Equal(t, http.StatusCreated, a.status, a.raw)
	assert.Nil(t, dig(a.body, "token", "project"), "no project")
	assert.Nil(t, dig(a.body, "token", "catalog"), "no catalog")
	project, ok := iam.Valid(a.header.Get("X-Subject-Token"))
	assert.True(t, ok)
	assert.Empty(t, project)
}

func TestIAM_TokenMethodRescopes(t *testing.T) {
	clock := &iamClock{now: time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)}
	iam, url := newIAM(t, clock)
	tokens := url + "/v3/auth/tokens"
	first := iamDo(t, http.MethodPost, tokens, nil, passwordBody(byName(iamAlice, iamPassword), ""))
	require.Equal(t, http.StatusCreated, first.status)

	clock.Add(10 * time.Minute)
	body := fmt.Sprintf(`{"auth": {"identity": {"methods": ["token"], "token": {"id": %q}}, "scope": {"project": {"id": %q}}}}`,
		first.header.Get("X-Subject-Token"), iamSub.ProjectID())
	a := iamDo(t, http.MethodPost, tokens, nil, body)
	require.Equal(t, http.StatusCreated, a.status, a.raw)
	assert.Equal(t, dig(first.body, "token", "expires_at"), dig(a.body, "token", "expires_at"), "a rescoped token expires with the original")
	assert.Equal(t, iamSub.ProjectID(), dig(a.body, "token", "project", "id"))
	assert.Equal(t, []any{"token"}, dig(a.body, "token", "methods"))
	assert.Equal(t, 2, iam.SignIns())
}

func TestIAM_ShowToken(t *testing.T) {
	_, url := newIAM(t, &iamClock{now: time.Now()})
	tokens := url + "/v3/auth/tokens"
	a := iamDo(t, http.MethodPost, tokens, nil, passwordBody(byName(iamAlice, iamPassword), projectScope(iamAlice)))
	token := a.header.Get("X-Subject-Token")

	shown := iamDo(t, http.MethodGet, tokens, map[string]string{"X-Auth-Token": token, "X-Subject-Token": token}, "")
	require.Equal(t, http.StatusOK, shown.status, shown.raw)
	assert.Equal(t, token, shown.header.Get("X-Subject-Token"))
	assert.Equal(t, iamAlice.ProjectID(), dig(shown.body, "token", "project", "id"))

	unknown := iamDo(t, http.MethodGet, tokens, map[string]string{"X-Auth-Token": token, "X-Subject-Token": "MIIunknown"}, "")
	assert.Equal(t, http.StatusNotFound, unknown.status)
	anonymous := iamDo(t, http.MethodGet, tokens, map[string]string{"X-Subject-Token": token}, "")
	assert.Equal(t, http.StatusUnauthorized, anonymous.status)
}

func TestIAM_ConcurrentSignIns(t *testing.T) {
	iam, url := newIAM(t, &iamClock{now: time.Now()})
	var wg sync.WaitGroup
	for range 20 {
		wg.Go(func() {
			resp, err := http.Post(url+"/v3/auth/tokens", "application/json",
				strings.NewReader(passwordBody(byName(iamAlice, iamPassword), projectScope(iamAlice))))
			if assert.NoError(t, err) {
				_, _ = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				assert.Equal(t, http.StatusCreated, resp.StatusCode)
			}
		})
	}
	wg.Wait()
	assert.Equal(t, 20, iam.SignIns())
}

func TestIAM_ServesOnLoopback(t *testing.T) {
	_, url := newIAM(t, &iamClock{now: time.Now()})
	host, _, err := net.SplitHostPort(strings.TrimPrefix(url, "http://"))
	require.NoError(t, err)
	assert.Equal(t, "127.0.0.1", host)
}

func TestNewIAM_Refuses(t *testing.T) {
	for _, tc := range []struct {
		name  string
		users []cbrtest.IAMUser
		want  []string
	}{
		{"no user", nil, []string{"no user"}},
		{"a user without password or project", []cbrtest.IAMUser{{Domain: "d", Name: "u"}, {Domain: "d", Name: "v", Password: "p"}},
			[]string{"user 1 (d/u", "user 2 (d/v"}},
		{"one user with two passwords", []cbrtest.IAMUser{iamAlice, {Domain: iamAlice.Domain, Name: "alice", Password: "other-password", Project: "eu-nl"}},
			[]string{"user 2", "another password"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := cbrtest.NewIAM(cbrtest.IAMOptions{Users: tc.users})
			require.Error(t, err)
			for _, w := range tc.want {
				assert.Contains(t, err.Error(), w)
			}
			assert.NotContains(t, err.Error(), iamPassword)
			assert.NotContains(t, err.Error(), "other-password")
		})
	}
}

func TestParseIAMUsers(t *testing.T) {
	users, err := cbrtest.ParseIAMUsers(strings.NewReader("# domain user password project\n\n" +
		"OTC00000000001000000001 alice " + iamPassword + " eu-de\n" +
		"  OTC00000000001000000001\talice " + iamPassword + " eu-nl_backup  \n" +
		"OTC00000000001000000002 bob bobs-password eu-de\n"))
	require.NoError(t, err)
	assert.Equal(t, []cbrtest.IAMUser{iamAlice, {Domain: iamAlice.Domain, Name: "alice", Password: iamPassword, Project: "eu-nl_backup"}, iamBob}, users)
}

func TestParseIAMUsers_Refuses(t *testing.T) {
	for _, tc := range []struct {
		name, in string
		want     []string
	}{
		{"no user", "# only a comment\n\n", []string{"no user"}},
		{"every bad line at once", "d u " + iamPassword + "\nd u p eu-de\nd v " + iamPassword + " eu-de extra\n",
			[]string{"line 1: 3 fields, want 4", "line 3: 5 fields, want 4"}},
		{"a user listed twice for a project", "d u " + iamPassword + " eu-de\nd u " + iamPassword + " eu-de\n",
			[]string{"line 2: user u of domain d is already listed for project eu-de on line 1"}},
		{"a user with two passwords", "d u " + iamPassword + " eu-de\nd u other-password eu-nl\n",
			[]string{"line 2: user u of domain d has another password than on line 1"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := cbrtest.ParseIAMUsers(strings.NewReader(tc.in))
			require.Error(t, err)
			for _, w := range tc.want {
				assert.Contains(t, err.Error(), w)
			}
			assert.NotContains(t, err.Error(), iamPassword, "a line is never echoed")
			assert.NotContains(t, err.Error(), "other-password")
		})
	}
}

func TestParseIAMUsers_OverTheBound(t *testing.T) {
	_, err := cbrtest.ParseIAMUsers(io.MultiReader(strings.NewReader("d u p eu-de\n"), bytes.NewReader(make([]byte, limit.Input))))
	require.Error(t, err)
	_, tooLarge := limit.TooLarge(err)
	assert.True(t, tooLarge)
}

func TestIAMUser_PrintsNoPassword(t *testing.T) {
	iam, err := cbrtest.NewIAM(cbrtest.IAMOptions{Users: []cbrtest.IAMUser{iamAlice}})
	require.NoError(t, err)
	for _, verb := range []string{"%v", "%+v", "%#v", "%s"} {
		assert.NotContains(t, fmt.Sprintf(verb, iamAlice), iamPassword, verb)
		assert.NotContains(t, fmt.Sprintf(verb, []cbrtest.IAMUser{iamAlice}), iamPassword, verb)
		assert.NotContains(t, fmt.Sprintf(verb, iam), iamPassword, verb)
	}
}
