package cbrtest_test

import (
	"bytes"
	"encoding"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	jsonv2 "github.com/go-json-experiment/json"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cbr-replicate/cbr-replicate/cbrtest"
	"github.com/cbr-replicate/cbr-replicate/internal/limit"
	"github.com/cbr-replicate/cbr-replicate/internal/redact"
	"github.com/cbr-replicate/cbr-replicate/secret"
)

// iamPassword and iamPasscode are distinctive, so that a test can tell
// they never show.
const (
	iamPassword = "pw-Zq8!never-print-me"
	iamPasscode = "pc-493817-never-print-me"
)

var (
	iamAlice = cbrtest.IAMUser{Domain: "OTC00000000001000000001", Name: "alice", Password: secret.New(iamPassword), Project: "eu-de"}
	iamSub   = cbrtest.IAMUser{Domain: "OTC00000000001000000001", Name: "alice", Password: secret.New(iamPassword), Project: "eu-nl_backup"}
	iamBob   = cbrtest.IAMUser{Domain: "OTC00000000001000000002", Name: "bob", Password: secret.New("bobs-password"), Project: "eu-de"}
	// iamCarol has login protection: she signs in with password and passcode.
	iamCarol = cbrtest.IAMUser{Domain: "OTC00000000001000000002", Name: "carol", Password: secret.New(iamPassword),
		Project: "eu-de", Passcode: secret.New(iamPasscode)}
)

// iamCatalog is the cloud's catalog of CBR in both regions, with an
// identity endpoint.
var iamCatalog = []cbrtest.IAMEndpoint{
	{Type: "identity", Region: "*", URL: "https://iam.example.org/v3"},
	{Type: "cbr", Region: "eu-de", URL: "https://cbr.eu-de.example.org/v3/$(tenant_id)s"},
	{Type: "cbr", Region: "eu-nl", URL: "https://cbr.eu-nl.example.org/v3/$(tenant_id)s"},
}

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
		Users:    []cbrtest.IAMUser{iamAlice, iamSub, iamBob, iamCarol},
		Lifetime: time.Hour,
		Catalog:  iamCatalog,
		Now:      clock.Now,
	})
	require.NoError(t, err)
	srv := httptest.NewServer(iam)
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
	require.NoError(t, json.Unmarshal(raw, &a.body), "%s", raw)
	assert.Equal(t, "application/json", resp.Header.Get("Content-Type"))
	assert.NotContains(t, a.raw, iamPassword, "no answer carries a password")
	assert.NotContains(t, a.raw, iamPasscode, "no answer carries a passcode")
	return a
}

func signIn(t *testing.T, url, body string) iamAnswer {
	t.Helper()
	return iamDo(t, http.MethodPost, url+"/v3/auth/tokens", nil, body)
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

// totpBody is the MFA page's request: methods password and totp, the user
// by name in password, by ID in totp.
func totpBody(u cbrtest.IAMUser, password, totpUser, scope string) string {
	return `{"auth": {"identity": {"methods": ["password", "totp"], "password": {"user": ` + byName(u, password) + `}, ` +
		`"totp": {"user": ` + totpUser + `}}` + scope + `}}`
}

func totpUser(id, passcode string) string {
	return fmt.Sprintf(`{"id": %q, "passcode": %q}`, id, passcode)
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

	for _, tc := range []struct {
		name, body string
		user       cbrtest.IAMUser
		region     string
	}{
		{"user and domain by name, project by name", passwordBody(byName(iamAlice, iamPassword), projectScope(iamAlice)), iamAlice, "eu-de"},
		{"domain by ID", passwordBody(fmt.Sprintf(`{"name": "alice", "password": %q, "domain": {"id": %q}}`, iamPassword, iamAlice.DomainID()),
			fmt.Sprintf(`, "scope": {"project": {"name": "eu-de", "domain": {"id": %q}}}`, iamAlice.DomainID())), iamAlice, "eu-de"},
		{"user by ID, project by ID", passwordBody(fmt.Sprintf(`{"id": %q, "password": %q}`, iamAlice.UserID(), iamPassword),
			fmt.Sprintf(`, "scope": {"project": {"id": %q}}`, iamSub.ProjectID())), iamSub, "eu-nl"},
		{"a second project of the same user", passwordBody(byName(iamSub, iamPassword), projectScope(iamSub)), iamSub, "eu-nl"},
		{"another user", passwordBody(byName(iamBob, "bobs-password"), projectScope(iamBob)), iamBob, "eu-de"},
		{"scope of both project and domain: the project is used, as the page says",
			passwordBody(byName(iamAlice, iamPassword), fmt.Sprintf(`, "scope": {"project": {"id": %q}, "domain": {"name": %q}}`, iamAlice.ProjectID(), iamAlice.Domain)),
			iamAlice, "eu-de"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := iam.SignIns()
			a := signIn(t, url, tc.body)
			require.Equal(t, http.StatusCreated, a.status, a.raw)
			token := a.header.Get("X-Subject-Token")
			require.NotEmpty(t, token)
			assert.Equal(t, before+1, iam.SignIns())
			assert.Equal(t, "2030-01-02T04:04:05.000000Z", dig(a.body, "token", "expires_at"), "issued now, for the lifetime")
			assert.Equal(t, "2030-01-02T03:04:05.000000Z", dig(a.body, "token", "issued_at"))
			assert.Equal(t, []any{"password"}, dig(a.body, "token", "methods"))
			assert.Nil(t, dig(a.body, "token", "mfa_authn_at"), "only after a passcode")
			assert.Equal(t, tc.user.UserID(), dig(a.body, "token", "user", "id"))
			assert.Equal(t, tc.user.Name, dig(a.body, "token", "user", "name"))
			assert.Equal(t, tc.user.Domain, dig(a.body, "token", "user", "domain", "name"))
			assert.Equal(t, tc.user.ProjectID(), dig(a.body, "token", "project", "id"))
			assert.Equal(t, tc.user.Project, dig(a.body, "token", "project", "name"))
			assert.Equal(t, tc.user.Domain, dig(a.body, "token", "project", "domain", "name"))
			assert.Nil(t, dig(a.body, "token", "domain"), "token.domain comes only with a domain scope")
			assert.Equal(t, map[string]any{
				"identity": "https://iam.example.org/v3",
				"cbr":      "https://cbr." + tc.region + ".example.org/v3/" + tc.user.ProjectID(),
			}, catalogURLs(t, a.body), "the project's region and the global endpoints, the project ID filled in")

			project, ok := iam.Valid(token)
			assert.True(t, ok)
			assert.Equal(t, tc.user.ProjectID(), project)
		})
	}
}

// catalogURLs returns the URL of each service type of an answer's catalog,
// checking that each has one public endpoint.
func catalogURLs(t *testing.T, body map[string]any) map[string]any {
	t.Helper()
	urls := map[string]any{}
	for _, s := range dig(body, "token", "catalog").([]any) {
		require.Len(t, dig(s, "endpoints"), 1, "one endpoint of %v", dig(s, "type"))
		assert.Equal(t, "public", dig(s, "endpoints", 0, "interface"))
		assert.Equal(t, dig(s, "endpoints", 0, "region"), dig(s, "endpoints", 0, "region_id"))
		urls[dig(s, "type").(string)] = dig(s, "endpoints", 0, "url")
	}
	return urls
}

// pageExample returns the token answer of the "Example response" of the
// token page, read from its verbatim copy in testdata.
func pageExample(t *testing.T) (page string, example map[string]any) {
	t.Helper()
	b, err := os.ReadFile("testdata/obtaining_a_user_token_through_password_authentication.rst")
	require.NoError(t, err)
	page = string(b)
	_, block, ok := strings.Cut(page, "Token information stored in the response body:\n")
	require.True(t, ok)
	block, _, ok = strings.Cut(block, "\nStatus Codes\n")
	require.True(t, ok)
	// The page's example is not valid JSON as printed: a comma follows
	// token.user's last member, password_expires_at. Only that comma is
	// repaired; the real service sends valid JSON.
	const printed = `"password_expires_at":"2016-11-06T15:32:17.000000",`
	require.Error(t, json.Unmarshal([]byte(block), &example), "the page's example as printed is not JSON")
	require.Equal(t, 1, strings.Count(block, printed))
	block = strings.Replace(block, printed, strings.TrimSuffix(printed, ","), 1)
	require.NoError(t, json.Unmarshal([]byte(block), &example), "with that comma repaired, the example is JSON")
	return page, example
}

// shapeProblems lists where got lacks a member of want, recursively, or has
// it with another JSON type; an array of got is checked element by element
// against want's first.
func shapeProblems(path string, want, got any) []string {
	switch w := want.(type) {
	case map[string]any:
		g, ok := got.(map[string]any)
		if !ok {
			return []string{fmt.Sprintf("%s: %T, want an object", path, got)}
		}
		var out []string
		for _, k := range slices.Sorted(func(yield func(string) bool) {
			for k := range w {
				if !yield(k) {
					return
				}
			}
		}) {
			if _, ok := g[k]; !ok {
				out = append(out, path+"."+k+": missing")
				continue
			}
			out = append(out, shapeProblems(path+"."+k, w[k], g[k])...)
		}
		return out
	case []any:
		g, ok := got.([]any)
		if !ok || len(g) == 0 || len(w) == 0 {
			return []string{fmt.Sprintf("%s: %v, want a non-empty array", path, got)}
		}
		var out []string
		for k, v := range g {
			out = append(out, shapeProblems(fmt.Sprintf("%s[%d]", path, k), w[0], v)...)
		}
		return out
	}
	if reflect.TypeOf(want) != reflect.TypeOf(got) {
		return []string{fmt.Sprintf("%s: %T, want %T", path, got, want)}
	}
	return nil
}

// rstSimpleTable returns the rows (first column: second column) of the
// page's simple table titled title.
func rstSimpleTable(t *testing.T, page, title string) map[string]string {
	t.Helper()
	_, rest, ok := strings.Cut(page, title+"\n")
	require.True(t, ok, "the page has %s", title)
	rows := map[string]string{}
	rules := 0
	for line := range strings.Lines(rest) {
		f := strings.Fields(line)
		switch {
		case len(f) > 0 && strings.Trim(f[0], "=") == "":
			if rules++; rules == 3 {
				return rows
			}
		case rules == 2 && len(f) >= 2:
			rows[f[0]] = f[1]
		}
	}
	t.Fatalf("%s does not end", title)
	return nil
}

func TestIAM_TheAnswerHasTheFieldsOfThePagesExample(t *testing.T) {
	_, url := newIAM(t, &iamClock{now: time.Now()})
	page, example := pageExample(t)
	a := signIn(t, url, passwordBody(byName(iamAlice, iamPassword), projectScope(iamAlice)))
	require.Equal(t, http.StatusCreated, a.status, a.raw)

	// The example is of a domain-scoped token (the page says so above it),
	// and token.domain comes only with that scope (Table 3); the fake issues
	// project-scoped tokens, whose token.project Tables 7 and 8 describe.
	require.NotNil(t, dig(example, "token", "domain"))
	delete(example["token"].(map[string]any), "domain")
	assert.Empty(t, shapeProblems("", example, a.body), "every field of the example, with its JSON type")

	project := map[string]any{}
	jsonType := map[string]any{"String": "", "Object": map[string]any{}}
	for name, typ := range rstSimpleTable(t, page, ".. table:: **Table 7** token.project") {
		project[name] = jsonType[typ]
	}
	project["domain"] = map[string]any{}
	for name, typ := range rstSimpleTable(t, page, ".. table:: **Table 8** token.project.domain") {
		project["domain"].(map[string]any)[name] = jsonType[typ]
	}
	require.Len(t, project, 3)
	assert.Empty(t, shapeProblems("token.project", project, dig(a.body, "token", "project")), "every field of Tables 7 and 8")
	assert.Equal(t, "", dig(a.body, "token", "user", "password_expires_at"), "never expires, as the MFA page's example writes it")
}

func TestIAM_DefaultCatalogIsOnTheServerThatAnswered(t *testing.T) {
	for _, tc := range []struct {
		name string
		form cbrtest.IAMCatalogForm
		cbr  func(url, project string) string
	}{
		{"the cloud's form: the project in the URL", cbrtest.IAMCatalogWithProject, func(url, project string) string { return url + "/v3/" + project }},
		{"the bare form", cbrtest.IAMCatalogBare, func(url, _ string) string { return url }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			iam, err := cbrtest.NewIAM(cbrtest.IAMOptions{Users: []cbrtest.IAMUser{iamAlice, iamSub}, CatalogForm: tc.form})
			require.NoError(t, err)
			srv := httptest.NewServer(iam)
			defer srv.Close()
			for _, u := range []cbrtest.IAMUser{iamAlice, iamSub} {
				a := signIn(t, srv.URL, passwordBody(byName(u, iamPassword), projectScope(u)))
				require.Equal(t, http.StatusCreated, a.status, a.raw)
				assert.Equal(t, map[string]any{"identity": srv.URL + "/v3", "cbr": tc.cbr(srv.URL, u.ProjectID())}, catalogURLs(t, a.body))
				assert.Equal(t, u.Project[:5], dig(a.body, "token", "catalog", 1, "endpoints", 0, "region"), "the project's region")
			}
		})
	}
	t.Run("?nocatalog leaves it out, as the page says", func(t *testing.T) {
		_, url := newIAM(t, &iamClock{now: time.Now()})
		a := iamDo(t, http.MethodPost, url+"/v3/auth/tokens?nocatalog=true", nil, passwordBody(byName(iamAlice, iamPassword), projectScope(iamAlice)))
		require.Equal(t, http.StatusCreated, a.status, a.raw)
		assert.NotContains(t, a.body["token"], "catalog")
		assert.NotNil(t, dig(a.body, "token", "project"))
	})
}

func TestWithIAMCatalog_TheCatalogsCBRURLReachesTheFake(t *testing.T) {
	for _, tc := range []struct {
		name string
		opts []cbrtest.Option
		path func(project string) string // what a client appends to the catalog's URL
	}{
		{"by default the cloud's form, to which a client appends checkpoints/replicate", nil,
			func(string) string { return "/checkpoints/replicate" }},
		{"the bare form, to which a client appends the whole path", []cbrtest.Option{cbrtest.WithIAMCatalog(cbrtest.IAMCatalogBare)},
			func(project string) string { return "/v3/" + project + "/checkpoints/replicate" }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv, err := cbrtest.NewServer(append([]cbrtest.Option{cbrtest.WithIAM(iamAlice)}, tc.opts...)...)
			require.NoError(t, err)
			defer srv.Close()
			a := signIn(t, srv.URL, passwordBody(byName(iamAlice, iamPassword), projectScope(iamAlice)))
			require.Equal(t, http.StatusCreated, a.status, a.raw)
			cbrURL, _ := catalogURLs(t, a.body)["cbr"].(string)
			require.True(t, strings.HasPrefix(cbrURL, srv.URL), cbrURL)

			req, err := http.NewRequest(http.MethodPost, cbrURL+tc.path(iamAlice.ProjectID()), strings.NewReader(pageRequest(t)))
			require.NoError(t, err)
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("X-Auth-Token", a.header.Get("X-Subject-Token"))
			resp, err := http.DefaultClient.Do(req)
			require.NoError(t, err)
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			assert.Equal(t, http.StatusOK, resp.StatusCode)
		})
	}
	t.Run("an unknown form is an error", func(t *testing.T) {
		_, err := cbrtest.New(cbrtest.WithIAM(iamAlice), cbrtest.WithIAMCatalog(7))
		require.Error(t, err)
		assert.Contains(t, err.Error(), "unknown catalog form 7")
	})
}

func TestIAM_EachTokenIsFresh(t *testing.T) {
	iam, url := newIAM(t, &iamClock{now: time.Now()})
	seen := map[string]bool{}
	for range 5 {
		a := signIn(t, url, passwordBody(byName(iamAlice, iamPassword), projectScope(iamAlice)))
		require.Equal(t, http.StatusCreated, a.status)
		token := a.header.Get("X-Subject-Token")
		assert.False(t, seen[token], "a fresh token each time")
		seen[token] = true
	}
	assert.Equal(t, 5, iam.SignIns())
}

func TestIAM_Refusals(t *testing.T) {
	iam, url := newIAM(t, &iamClock{now: time.Now()})
	stranger := cbrtest.IAMUser{Domain: iamAlice.Domain, Name: "alice", Project: "eu-nl"}
	for _, tc := range []struct {
		name, body string
		status     int
	}{
		{"wrong password", passwordBody(byName(iamAlice, "wrong-password"), projectScope(iamAlice)), 401},
		{"another user's password", passwordBody(byName(iamAlice, "bobs-password"), projectScope(iamAlice)), 401},
		{"unknown user", passwordBody(byName(cbrtest.IAMUser{Domain: iamAlice.Domain, Name: "mallory"}, iamPassword), projectScope(iamAlice)), 401},
		{"user in another domain", passwordBody(byName(cbrtest.IAMUser{Domain: iamBob.Domain, Name: "alice"}, iamPassword), projectScope(iamAlice)), 401},
		{"user by name without domain", passwordBody(fmt.Sprintf(`{"name": "alice", "password": %q}`, iamPassword), projectScope(iamAlice)), 401},
		{"no password", passwordBody(`{"name": "alice", "domain": {"name": "OTC00000000001000000001"}}`, projectScope(iamAlice)), 401},
		{"project the user has not", passwordBody(byName(iamAlice, iamPassword), projectScope(stranger)), 401},
		{"another user's project by ID", passwordBody(byName(iamAlice, iamPassword), fmt.Sprintf(`, "scope": {"project": {"id": %q}}`, iamBob.ProjectID())), 401},
		{"token method with a token not issued here", `{"auth": {"identity": {"methods": ["token"], "token": {"id": "MIIforged"}}, "scope": {"project": {"id": "p"}}}}`, 401},
		{"no scope (an unscoped token)", passwordBody(byName(iamAlice, iamPassword), ""), 400},
		{"a domain scope", passwordBody(byName(iamAlice, iamPassword), `, "scope": {"domain": {"name": "OTC00000000001000000001"}}`), 400},
		{"not JSON", `{"auth": `, 400},
		{"no identity", `{"auth": {"scope": {"project": {"id": "p"}}}}`, 400},
		{"totp alone", `{"auth": {"identity": {"methods": ["totp"], "totp": {"user": {"id": "u", "passcode": "1"}}}, "scope": {"project": {"id": "p"}}}}`, 400},
		{"password and token", `{"auth": {"identity": {"methods": ["password", "token"]}, "scope": {"project": {"id": "p"}}}}`, 400},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a := signIn(t, url, tc.body)
			require.Equal(t, tc.status, a.status, a.raw)
			assert.Empty(t, a.header.Get("X-Subject-Token"))
			assert.Equal(t, float64(tc.status), dig(a.body, "error", "code"), "Keystone's error body")
			assert.Equal(t, http.StatusText(tc.status), dig(a.body, "error", "title"))
			assert.NotEmpty(t, dig(a.body, "error", "message"))
		})
	}
	assert.Zero(t, iam.SignIns(), "no token was issued")
}

func TestIAM_LoginProtection(t *testing.T) {
	iam, url := newIAM(t, &iamClock{now: time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)})
	scope := projectScope(iamCarol)
	for _, tc := range []struct {
		name, body string
		status     int
	}{
		{"password and passcode, totp.user by ID, as the MFA page shows", totpBody(iamCarol, iamPassword, totpUser(iamCarol.UserID(), iamPasscode), scope), 201},
		{"the password alone is refused", passwordBody(byName(iamCarol, iamPassword), scope), 401},
		{"a wrong passcode", totpBody(iamCarol, iamPassword, totpUser(iamCarol.UserID(), "000000"), scope), 401},
		{"a wrong password with the right passcode", totpBody(iamCarol, "wrong-password", totpUser(iamCarol.UserID(), iamPasscode), scope), 401},
		{"no passcode", totpBody(iamCarol, iamPassword, fmt.Sprintf(`{"id": %q}`, iamCarol.UserID()), scope), 401},
		{"totp.user of another user", totpBody(iamCarol, iamPassword, totpUser(iamBob.UserID(), iamPasscode), scope), 401},
		{"totp.user without its ID, which the page's table requires", totpBody(iamCarol, iamPassword,
			fmt.Sprintf(`{"name": %q, "passcode": %q}`, iamCarol.Name, iamPasscode), scope), 400},
		{"a passcode for a user without login protection", totpBody(iamBob, "bobs-password", totpUser(iamBob.UserID(), iamPasscode), projectScope(iamBob)), 401},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a := signIn(t, url, tc.body)
			require.Equal(t, tc.status, a.status, a.raw)
			if tc.status != http.StatusCreated {
				assert.Equal(t, float64(tc.status), dig(a.body, "error", "code"), "Keystone's error body")
				return
			}
			assert.Equal(t, []any{"password", "totp"}, dig(a.body, "token", "methods"))
			assert.Equal(t, "2030-01-02T03:04:05.000000Z", dig(a.body, "token", "mfa_authn_at"), "as the MFA page's answer")
			_, ok := iam.Valid(a.header.Get("X-Subject-Token"))
			assert.True(t, ok)
		})
	}
	assert.Equal(t, 1, iam.SignIns())
}

func TestIAM_Routes(t *testing.T) {
	_, url := newIAM(t, &iamClock{now: time.Now()})
	for _, tc := range []struct {
		name, method, path string
		status             int
	}{
		{"unknown path", http.MethodGet, "/v3/users", 404},
		{"no version document at the root", http.MethodGet, "/", 404},
		{"no version document at /v3", http.MethodGet, "/v3", 404},
		{"DELETE of tokens", http.MethodDelete, "/v3/auth/tokens", 405},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a := iamDo(t, tc.method, url+tc.path, nil, "")
			assert.Equal(t, tc.status, a.status, a.raw)
			assert.Equal(t, float64(tc.status), dig(a.body, "error", "code"))
		})
	}
}

func TestIAM_RequestOverTheBound(t *testing.T) {
	_, url := newIAM(t, &iamClock{now: time.Now()})
	body := `{"auth": {"identity": {"methods": ["password"], "x": "` + strings.Repeat("a", int(limit.Request)) + `"}}}`
	a := signIn(t, url, body)
	assert.Equal(t, http.StatusBadRequest, a.status, "a status the page documents; it has no 413")
}

func TestIAM_TokenExpires(t *testing.T) {
	clock := &iamClock{now: time.Now()}
	iam, url := newIAM(t, clock)
	a := signIn(t, url, passwordBody(byName(iamAlice, iamPassword), projectScope(iamAlice)))
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

func TestIAM_RevokeAll(t *testing.T) {
	iam, url := newIAM(t, &iamClock{now: time.Now()})
	a := signIn(t, url, passwordBody(byName(iamAlice, iamPassword), projectScope(iamAlice)))
	iam.RevokeAll()
	_, ok := iam.Valid(a.header.Get("X-Subject-Token"))
	assert.False(t, ok)
	b := signIn(t, url, passwordBody(byName(iamAlice, iamPassword), projectScope(iamAlice)))
	_, ok = iam.Valid(b.header.Get("X-Subject-Token"))
	assert.True(t, ok, "a token issued after is valid")
}

func TestIAM_TokenMethodRescopes(t *testing.T) {
	clock := &iamClock{now: time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)}
	iam, url := newIAM(t, clock)
	first := signIn(t, url, passwordBody(byName(iamAlice, iamPassword), projectScope(iamAlice)))
	require.Equal(t, http.StatusCreated, first.status)

	clock.Add(10 * time.Minute)
	body := fmt.Sprintf(`{"auth": {"identity": {"methods": ["token"], "token": {"id": %q}}, "scope": {"project": {"id": %q}}}}`,
		first.header.Get("X-Subject-Token"), iamSub.ProjectID())
	a := signIn(t, url, body)
	require.Equal(t, http.StatusCreated, a.status, a.raw)
	assert.Equal(t, dig(first.body, "token", "expires_at"), dig(a.body, "token", "expires_at"), "a rescoped token expires with the original")
	assert.Equal(t, iamSub.ProjectID(), dig(a.body, "token", "project", "id"))
	assert.Equal(t, []any{"token"}, dig(a.body, "token", "methods"))
	assert.Equal(t, 2, iam.SignIns())

	other := fmt.Sprintf(`{"auth": {"identity": {"methods": ["token"], "token": {"id": %q}}, "scope": {"project": {"id": %q}}}}`,
		first.header.Get("X-Subject-Token"), iamBob.ProjectID())
	assert.Equal(t, http.StatusUnauthorized, signIn(t, url, other).status, "only to the user's own projects")
}

func TestIAM_ShowToken(t *testing.T) {
	_, url := newIAM(t, &iamClock{now: time.Now()})
	tokens := url + "/v3/auth/tokens"
	a := signIn(t, url, passwordBody(byName(iamAlice, iamPassword), projectScope(iamAlice)))
	token := a.header.Get("X-Subject-Token")

	shown := iamDo(t, http.MethodGet, tokens, map[string]string{"X-Auth-Token": token, "X-Subject-Token": token}, "")
	require.Equal(t, http.StatusOK, shown.status, shown.raw)
	assert.Equal(t, token, shown.header.Get("X-Subject-Token"))
	assert.Equal(t, a.body, shown.body, "the answer the token was issued with")

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

func TestNewIAM_Refuses(t *testing.T) {
	pw := secret.New(iamPassword)
	var many []cbrtest.IAMUser
	for k := range 10_001 {
		many = append(many, cbrtest.IAMUser{Domain: "d", Name: fmt.Sprint("user", k), Password: pw, Project: "eu-de"})
	}
	for _, tc := range []struct {
		name string
		o    cbrtest.IAMOptions
		want []string
	}{
		{"no user", cbrtest.IAMOptions{}, []string{"no user"}},
		{"a user without password or project", cbrtest.IAMOptions{Users: []cbrtest.IAMUser{{Domain: "d", Name: "u"}, {Domain: "d", Name: "v", Password: pw}}},
			[]string{"user 1: domain, name, password and project are all required", "user 2: domain"}},
		{"one user with two passwords", cbrtest.IAMOptions{Users: []cbrtest.IAMUser{iamAlice, {Domain: iamAlice.Domain, Name: "alice", Password: secret.New("other-password"), Project: "eu-nl"}}},
			[]string{"user 2: the same user as user 1 with another password or passcode"}},
		{"one user with a passcode for one project only", cbrtest.IAMOptions{Users: []cbrtest.IAMUser{iamAlice, {Domain: iamAlice.Domain, Name: "alice", Password: pw, Passcode: secret.New(iamPasscode), Project: "eu-nl"}}},
			[]string{"user 2: the same user as user 1 with another password or passcode"}},
		{"a user listed twice for a project", cbrtest.IAMOptions{Users: []cbrtest.IAMUser{iamAlice, iamSub, iamAlice}},
			[]string{"user 3: the same user and project as user 1"}},
		{"more than 10,000 users", cbrtest.IAMOptions{Users: many}, []string{"10001 users, more than 10000"}},
		{"an unknown catalog form", cbrtest.IAMOptions{Users: []cbrtest.IAMUser{iamAlice}, CatalogForm: 2}, []string{"unknown catalog form 2"}},
		{"a catalog endpoint without type", cbrtest.IAMOptions{Users: []cbrtest.IAMUser{iamAlice}, Catalog: []cbrtest.IAMEndpoint{{Region: "eu-de", URL: "https://x"}}},
			[]string{"catalog endpoint 1: type and region are required"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := cbrtest.NewIAM(tc.o)
			require.Error(t, err)
			for _, w := range tc.want {
				assert.Contains(t, err.Error(), w)
			}
			for _, secret := range []string{iamPassword, iamPasscode, "other-password", redact.Redacted, "alice"} {
				assert.NotContains(t, err.Error(), secret, "no user shown")
			}
		})
	}
}

func TestParseIAMUsers(t *testing.T) {
	users, err := cbrtest.ParseIAMUsers(strings.NewReader("# domain user password project [passcode]\n\n" +
		"OTC00000000001000000001 alice " + iamPassword + " eu-de\n" +
		"  OTC00000000001000000001\talice " + iamPassword + " eu-nl_backup  \r\n" +
		"OTC00000000001000000002 carol " + iamPassword + " eu-de " + iamPasscode + "\n" +
		"   # an indented comment\n" +
		"OTC00000000001000000002 bob bobs-password eu-de"))
	require.NoError(t, err)
	type row struct{ domain, name, password, project, passcode string }
	var got []row
	for _, u := range users {
		got = append(got, row{u.Domain, u.Name, u.Password.Reveal(), u.Project, u.Passcode.Reveal()})
	}
	assert.Equal(t, []row{
		{iamAlice.Domain, "alice", iamPassword, "eu-de", ""},
		{iamAlice.Domain, "alice", iamPassword, "eu-nl_backup", ""},
		{iamCarol.Domain, "carol", iamPassword, "eu-de", iamPasscode},
		{iamBob.Domain, "bob", "bobs-password", "eu-de", ""},
	}, got)
}

func TestParseIAMUsers_Refuses(t *testing.T) {
	for _, tc := range []struct {
		name, in string
		want     []string
	}{
		{"no user", "# only a comment\n\n", []string{"no user"}},
		{"every bad line at once", "d u " + iamPassword + "\nd u p eu-de\nd v " + iamPassword + " eu-de " + iamPasscode + " extra\n",
			[]string{"line 1: 3 fields, want 4 or 5", "line 3: 6 fields, want 4 or 5"}},
		{"a user listed twice for a project", "d u " + iamPassword + " eu-de\n\nd u " + iamPassword + " eu-de\n",
			[]string{"line 3: the same user and project as line 1"}},
		{"a user with two passwords", "d u " + iamPassword + " eu-de\nd u other-password eu-nl\n",
			[]string{"line 2: the same user as line 1 with another password or passcode"}},
		{"swapped columns: user and password", "d u " + iamPassword + " eu-de\nd " + iamPassword + " u eu-de\nd " + iamPassword + " u eu-de\n",
			[]string{"line 3: the same user and project as line 2"}},
		{"swapped columns: password and project", "d u eu-de " + iamPassword + "\nd u eu-de " + iamPassword + "\n",
			[]string{"line 2: the same user and project as line 1"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := cbrtest.ParseIAMUsers(strings.NewReader(tc.in))
			require.Error(t, err)
			for _, w := range tc.want {
				assert.Contains(t, err.Error(), w)
			}
			for _, column := range []string{iamPassword, iamPasscode, "other-password", "eu-de", "eu-nl", "extra", " u ", " v "} {
				assert.NotContains(t, err.Error(), column, "no column of a line is echoed")
			}
		})
	}
}

func TestParseIAMUsers_ReportsTwentyBadLinesAndCountsTheRest(t *testing.T) {
	_, err := cbrtest.ParseIAMUsers(strings.NewReader(strings.Repeat("a\n", 500_000)))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "line 20: 1 fields")
	assert.NotContains(t, err.Error(), "line 21:")
	assert.Contains(t, err.Error(), "and 499980 more")
	assert.Less(t, len(err.Error()), 4096, "not half a million messages")
}

func TestParseIAMUsers_AtMostTenThousandUsers(t *testing.T) {
	var b strings.Builder
	for k := range 10_001 {
		fmt.Fprintf(&b, "d user%d password eu-de\n", k)
	}
	_, err := cbrtest.ParseIAMUsers(strings.NewReader(b.String()))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "line 10001: more than 10000 users")
	users, err := cbrtest.ParseIAMUsers(strings.NewReader(b.String()[:strings.LastIndex(b.String()[:b.Len()-1], "\n")+1]))
	require.NoError(t, err)
	assert.Len(t, users, 10_000)
}

func TestParseIAMUsers_OverTheBound(t *testing.T) {
	_, err := cbrtest.ParseIAMUsers(io.MultiReader(strings.NewReader("d u p eu-de\n"), bytes.NewReader(make([]byte, limit.Input))))
	require.Error(t, err)
	_, tooLarge := limit.TooLarge(err)
	assert.True(t, tooLarge)
}

func TestIAM_NoSecretInAnyEncoding(t *testing.T) {
	opts := cbrtest.IAMOptions{Users: []cbrtest.IAMUser{iamAlice, iamCarol}, Catalog: iamCatalog, Now: time.Now}
	iam, err := cbrtest.NewIAM(opts)
	require.NoError(t, err)
	for name, v := range map[string]any{"IAMUser": iamCarol, "*IAMUser": &iamCarol, "IAMOptions": opts, "*IAMOptions": &opts, "*IAM": iam} {
		t.Run(name, func(t *testing.T) {
			var outs []string
			for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%X", "%d", "%T"} {
				outs = append(outs, fmt.Sprintf(verb, v))
			}
			var text, js bytes.Buffer
			slog.New(slog.NewTextHandler(&text, nil)).Info("m", "v", v)
			slog.New(slog.NewJSONHandler(&js, nil)).Info("m", "v", v)
			outs = append(outs, text.String(), js.String())
			marshal := []func() ([]byte, error){
				func() ([]byte, error) { return json.Marshal(v) },
				func() ([]byte, error) { return jsonv2.Marshal(v) }, // it refuses a Duration and a struct without exported fields: its error counts
			}
			if m, ok := v.(encoding.TextMarshaler); ok {
				marshal = append(marshal, m.MarshalText)
			}
			for _, f := range marshal {
				b, err := f()
				outs = append(outs, string(b), fmt.Sprint(err))
			}
			for _, out := range outs {
				assert.NotContains(t, out, iamPassword)
				assert.NotContains(t, out, iamPasscode)
			}
		})
	}
}

func TestIAM_ZeroValuesAnswerWithoutPanic(t *testing.T) {
	calls := map[string]func(t *testing.T, i *cbrtest.IAM){
		"ServeHTTP": func(t *testing.T, i *cbrtest.IAM) {
			rec := httptest.NewRecorder()
			i.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/v3/auth/tokens", strings.NewReader(passwordBody(byName(iamAlice, iamPassword), projectScope(iamAlice)))))
			assert.Equal(t, http.StatusInternalServerError, rec.Code)
			assert.JSONEq(t, `{"error": {"code": 500, "title": "Internal Server Error", "message": "This IAM was not built with cbrtest.NewIAM."}}`, rec.Body.String())
		},
		"SignIns": func(t *testing.T, i *cbrtest.IAM) { assert.Zero(t, i.SignIns()) },
		"Valid": func(t *testing.T, i *cbrtest.IAM) {
			project, ok := i.Valid("MIIsome-token")
			assert.False(t, ok)
			assert.Empty(t, project)
		},
		"RevokeAll": func(t *testing.T, i *cbrtest.IAM) { i.RevokeAll() },
	}
	typ := reflect.TypeFor[*cbrtest.IAM]()
	for m := range typ.Methods() {
		assert.Contains(t, calls, m.Name, "every method of *IAM is called on the zero values")
	}
	for name, iam := range map[string]*cbrtest.IAM{"zero IAM": {}, "nil *IAM": nil} {
		for method, call := range calls {
			t.Run(name+" "+method, func(t *testing.T) {
				assert.NotPanics(t, func() { call(t, iam) })
			})
		}
	}
	var u cbrtest.IAMUser
	assert.NotPanics(t, func() { _, _, _ = u.DomainID(), u.UserID(), u.ProjectID() }, "the zero IAMUser")
}
