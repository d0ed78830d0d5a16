package auth_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cbr-replicate/cbr-replicate/auth"
	"github.com/cbr-replicate/cbr-replicate/secret"
)

// mfaIAM is an IAM stand-in for a user with login protection, shaped from
// IAM's page "Obtaining a User Token Through Password Authentication and
// Virtual MFA" (cbrtest's fake IAM does not know login protection yet): it
// keeps the body of each token request and answers the page's example
// token, scoped to the project eu-de, when the body names the methods
// password and totp, else 401 with Keystone's error body.
type mfaIAM struct {
	URL    string
	mu     sync.Mutex
	bodies []string
}

func startMFAIAM(t *testing.T) *mfaIAM {
	t.Helper()
	m := &mfaIAM{}
	m.URL = serve(t, func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		m.mu.Lock()
		m.bodies = append(m.bodies, string(body))
		m.mu.Unlock()
		var req struct {
			Auth struct {
				Identity struct {
					Methods []string `json:"methods"`
				} `json:"identity"`
			} `json:"auth"`
		}
		if json.Unmarshal(body, &req) != nil || fmt.Sprint(req.Auth.Identity.Methods) != "[password totp]" {
			w.WriteHeader(http.StatusUnauthorized)
			fmt.Fprint(w, `{"error": {"code": 401, "message": "The request you have made requires authentication.", "title": "Unauthorized"}}`)
			return
		}
		w.Header().Set("X-Subject-Token", "MIIDkgYJKoZIhvcNAQcCoIIDgzCCA38CAQExDTALBglghkgBZQMEAgEwgXXXXX")
		w.WriteHeader(http.StatusCreated)
		fmt.Fprint(w, `{"token": {"expires_at": "2099-09-05T06:50:44.390000Z", "mfa_authn_at": "2099-09-04T06:50:44.390000Z",
			"issued_at": "2099-09-04T06:50:44.390000Z", "methods": ["password", "totp"], "catalog": [],
			"project": {"id": "p-mfa", "name": "eu-de", "domain": {"id": "d-mfa", "name": "`+domain+`"}},
			"user": {"domain": {"id": "d-mfa", "name": "`+domain+`"}, "id": "u-mfa", "name": "alice", "password_expires_at": ""}}}`)
	})
	return m
}

func (m *mfaIAM) Bodies() []string {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]string(nil), m.bodies...)
}

func TestLoginProtection_APasscodeSendsPasswordAndTOTPAsThePageShows(t *testing.T) {
	const passcode = "123456"
	for _, tc := range []struct {
		name string
		edit func(*auth.Config)
		want string // the page's example request, with totp.user.id (its Table 10) and a project scope
	}{
		{"the user by name and domain, the totp user by ID", func(*auth.Config) {}, `{"auth": {
			"identity": {
				"methods": ["password", "totp"],
				"password": {"user": {"name": "alice", "password": "` + password + `", "domain": {"name": "` + domain + `"}}},
				"totp": {"user": {"id": "u-mfa", "passcode": "123456"}}
			},
			"scope": {"project": {"name": "eu-de", "domain": {"name": "` + domain + `"}}}}}`},
		{"the user by ID alone", func(c *auth.Config) { c.Username, c.DomainName, c.ProjectName, c.ProjectID = "", "", "", "p-mfa" }, `{"auth": {
			"identity": {
				"methods": ["password", "totp"],
				"password": {"user": {"id": "u-mfa", "password": "` + password + `"}},
				"totp": {"user": {"id": "u-mfa", "passcode": "123456"}}
			},
			"scope": {"project": {"id": "p-mfa"}}}}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			iam := startMFAIAM(t)
			env := map[string]string{"OS_AUTH_URL": iam.URL, "OS_USERNAME": "alice", "OS_USER_ID": "u-mfa", "OS_PASSWORD": password,
				"OS_USER_DOMAIN_NAME": domain, "OS_PROJECT_NAME": "eu-de", "OS_PASSCODE": " " + passcode + "\n"}
			c, err := auth.FromEnv(func(k string) string { return env[k] })
			require.NoError(t, err)
			assert.Equal(t, passcode, c.Passcode.Reveal(), "OS_PASSCODE, trimmed")
			tc.edit(&c)
			s, err := auth.SignIn(t.Context(), c)
			require.NoError(t, err)
			project, err := s.ProjectID(t.Context())
			require.NoError(t, err)
			assert.Equal(t, "p-mfa", project)
			require.Len(t, iam.Bodies(), 1)
			assert.JSONEq(t, tc.want, iam.Bodies()[0])
			assert.NotContains(t, fmt.Sprintf("%v %+v %#v %s", c, c, s, c.Describe()), passcode)
			assert.Contains(t, c.Describe(), "with a virtual MFA passcode")

			token, err := s.Token(t.Context())
			require.NoError(t, err)
			s.Invalidate(token)
			_, err = s.Token(t.Context())
			require.Error(t, err)
			assert.Contains(t, err.Error(), "the virtual MFA passcode was used: sign in again with a new passcode")
			assert.Len(t, iam.Bodies(), 1, "a used passcode is not sent again")
		})
	}
}

func TestLoginProtection_APasscodeNeedsTheUserIDAndAPassword(t *testing.T) {
	base := auth.Config{AuthURL: "https://iam.example.org/v3", Username: "alice", Password: secret.New(password), DomainName: domain,
		ProjectName: "eu-de", Passcode: secret.New("123456")}
	err := base.Validate()
	require.Error(t, err)
	assert.Contains(t, err.Error(), "a passcode (OS_PASSCODE, passcode) needs the user's ID: set OS_USER_ID (user_id)")

	withToken := base
	withToken.UserID, withToken.Password, withToken.Token = "u1", secret.Value{}, secret.New("MIItoken")
	err = withToken.Validate()
	require.Error(t, err)
	assert.Contains(t, err.Error(), "a passcode goes with a password, not with a token")

	base.UserID = "u1"
	assert.NoError(t, base.Validate())
}

func TestLoginProtection_ARefusedPasswordNamesWhatLoginProtectionNeeds(t *testing.T) {
	iam := startIAM(t)
	c := iam.config()
	c.Password = secret.New("wrong-" + password)
	_, err := auth.SignIn(t.Context(), c)
	var sie *auth.SignInError
	require.ErrorAs(t, err, &sie)
	assert.Equal(t, http.StatusUnauthorized, sie.Status)
	assert.Contains(t, err.Error(), "The request you have made requires authentication. (an account with login protection needs "+
		"the virtual MFA passcode, OS_PASSCODE, and the user's ID, OS_USER_ID, besides the password; or sign with an access key: "+
		"OS_ACCESS_KEY and OS_SECRET_KEY)")

	echo := serve(t, func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		w.WriteHeader(http.StatusUnauthorized)
		fmt.Fprintf(w, `{"error": {"code": 401, "message": "MFA verification failed for %s", "title": "Unauthorized"}}`, body)
	})
	c = auth.Config{AuthURL: echo, UserID: "u-mfa", Password: secret.New("wrong-" + password), ProjectID: "p-mfa",
		Passcode: secret.New("654321")}
	_, err = auth.SignIn(t.Context(), c)
	require.ErrorAs(t, err, &sie)
	assert.Contains(t, err.Error(), "check the password, and that the passcode is the current code of the virtual MFA device")
	assert.NotContains(t, err.Error(), "654321", "the passcode IAM echoed")
	assert.NotContains(t, err.Error(), password)
}
