package auth_test

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cbr-replicate/cbr-replicate/auth"
	"github.com/cbr-replicate/cbr-replicate/secret"
)

// cloudsEnv isolates a test from the caller's OpenStack variables and
// points OS_CLIENT_CONFIG_FILE at a clouds.yaml (and secure.yaml) written
// to a temporary directory.
func cloudsEnv(t *testing.T, cloudsYAML, secureYAML string) string {
	t.Helper()
	for _, v := range []string{"OS_CLOUD", "OS_REGION_NAME", "OS_INTERFACE"} {
		t.Setenv(v, "")
	}
	dir := t.TempDir()
	file := filepath.Join(dir, "clouds.yaml")
	require.NoError(t, os.WriteFile(file, []byte(cloudsYAML), 0o600))
	if secureYAML != "" {
		require.NoError(t, os.WriteFile(filepath.Join(dir, "secure.yaml"), []byte(secureYAML), 0o600))
	}
	t.Setenv("OS_CLIENT_CONFIG_FILE", file)
	return file
}

func otcClouds(authURL string) string {
	return fmt.Sprintf(`clouds:
  otc:
    auth:
      auth_url: %s
      username: alice
      user_domain_name: %s
      project_name: eu-de
    region_name: eu-de
    interface: public
    identity_api_version: 3
`, authURL, domain)
}

const securePassword = "clouds:\n  otc:\n    auth:\n      password: \"" + password + "\"\n"

func TestFromCloud_SignsIn(t *testing.T) {
	iam := startIAM(t)
	file := cloudsEnv(t, otcClouds(iam.URL), securePassword)
	t.Setenv("OS_CLOUD", "otc")

	c, err := auth.FromCloud("")
	require.NoError(t, err)
	assertConfig(t, auth.Config{
		AuthURL: iam.URL, Username: "alice", Password: secret.New(password), DomainName: domain,
		ProjectName: "eu-de", Region: "eu-de",
		Source: fmt.Sprintf(`clouds.yaml cloud "otc" (%s and secure.yaml)`, file),
	}, c, "the password from secure.yaml")
	require.NoError(t, c.Validate())

	s, err := auth.SignIn(t.Context(), c)
	require.NoError(t, err)
	project, err := s.ProjectID(t.Context())
	require.NoError(t, err)
	assert.Equal(t, alice.ProjectID(), project)
	endpoint, err := s.Endpoint(t.Context(), "cbr", c.Region)
	require.NoError(t, err)
	assert.Equal(t, "https://cbr.eu-de.example.org/v3/"+alice.ProjectID(), endpoint)
}

func TestFromCloud_NamedCloudAndOverrides(t *testing.T) {
	cloudsEnv(t, otcClouds("https://iam.eu-de.otc.t-systems.com:443/v3")+`  other:
    auth:
      auth_url: https://iam.eu-nl.otc.t-systems.com:443/v3
      user_id: 0123abcd
      password: in-clouds-yaml
      project_id: 4567ef
    verify: false
`, "")
	t.Setenv("OS_CLOUD", "otc")
	c, err := auth.FromCloud("other")
	require.NoError(t, err)
	assert.Equal(t, "0123abcd", c.UserID, "the named cloud wins over OS_CLOUD")
	assert.Equal(t, "4567ef", c.ProjectID)
	assert.Equal(t, "in-clouds-yaml", c.Password.Reveal(), "without secure.yaml, the password in clouds.yaml")
	require.NotNil(t, c.TLS)
	assert.True(t, c.TLS.InsecureSkipVerify, "verify: false")
	assert.Contains(t, c.Describe(), "TLS certificates NOT verified")

	t.Setenv("OS_REGION_NAME", "eu-nl")
	c, err = auth.FromCloud("otc")
	require.NoError(t, err)
	assert.Equal(t, "eu-nl", c.Region, "OS_REGION_NAME overrides region_name")
}

func TestFromCloud_Refuses(t *testing.T) {
	// DIR in want stands for the directory of clouds.yaml and secure.yaml.
	big := "clouds:\n  otc:\n    auth:\n      password: " + strings.Repeat("a", 1<<20) + "\n"
	for _, tc := range []struct {
		name, clouds, secure, cloud string
		want                        []string
	}{
		{"no cloud named and no OS_CLOUD", otcClouds("https://iam.example.org/v3"), "", "", []string{"no cloud named", "OS_CLOUD"}},
		{"a cloud clouds.yaml lacks", otcClouds("https://iam.example.org/v3"), "", "nowhere", []string{`cloud "nowhere" not found`}},
		{"clouds.yaml that is not YAML", "clouds: [", "", "otc", []string{"auth: clouds.yaml DIR/clouds.yaml: not valid YAML (line 1)"}},
		{"an empty clouds.yaml", "", "", "otc", []string{"auth: clouds.yaml DIR/clouds.yaml holds no YAML document"}},
		{"a value of the wrong type, which YAML's error would quote", "clouds:\n  otc:\n    auth: \"" + password + "\"\n", "", "otc",
			[]string{"auth: clouds.yaml DIR/clouds.yaml: a value of the wrong type (line 3)"}},
		{"a secure.yaml value of the wrong type", otcClouds("https://iam.example.org/v3"), "clouds:\n  otc:\n    auth: \"" + password + "\"\n", "otc",
			[]string{"auth: secure.yaml DIR/secure.yaml: a value of the wrong type (line 3)"}},
		{"a secure.yaml value with a backtick", otcClouds("https://iam.example.org/v3"), "clouds:\n  otc:\n    auth: \"" + password[:3] + "`" + password[3:] + "\"\n", "otc",
			[]string{"auth: secure.yaml DIR/secure.yaml: a value of the wrong type (line 3)"}},
		{"secure.yaml that is not YAML", otcClouds("https://iam.example.org/v3"), "clouds:\n  otc:\n    auth:\n  password: [", "otc",
			[]string{"auth: secure.yaml DIR/secure.yaml: not valid YAML (line 4)"}},
		{"a secure.yaml alias named like the password", otcClouds("https://iam.example.org/v3"), "clouds:\n  otc:\n    auth: *" + password + "\n", "otc",
			[]string{"auth: secure.yaml DIR/secure.yaml: not valid YAML"}},
		{"clouds.yaml over 1 MiB", big, "", "otc", []string{"auth: clouds.yaml DIR/clouds.yaml is larger than 1 MiB"}},
		{"secure.yaml over 1 MiB", otcClouds("https://iam.example.org/v3"), big, "otc", []string{"auth: secure.yaml DIR/secure.yaml is larger than 1 MiB"}},
		{"application credentials", "clouds:\n  otc:\n    auth:\n      auth_url: https://iam.example.org/v3\n      application_credential_id: abc\n      application_credential_secret: " + password + "\n",
			"", "otc", []string{"application credentials are not supported"}},
		{"a system scope", "clouds:\n  otc:\n    auth:\n      auth_url: https://iam.example.org/v3\n      system_scope: all\n", "", "otc",
			[]string{"system or trust scope is not supported"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := filepath.Dir(cloudsEnv(t, tc.clouds, tc.secure))
			_, err := auth.FromCloud(tc.cloud)
			require.Error(t, err)
			for _, w := range tc.want {
				assert.Contains(t, err.Error(), strings.ReplaceAll(w, "DIR", dir))
			}
			assert.NotContains(t, err.Error(), password)
			assert.NotContains(t, err.Error(), password[:7], "not even the start YAML would quote")
			assert.NotContains(t, err.Error(), password[3:10], "nor a part after a backtick")
		})
	}
}

func TestFromCloud_AHugeFileCostsLittleMemory(t *testing.T) {
	dir := filepath.Dir(cloudsEnv(t, otcClouds("https://iam.example.org/v3"), ""))
	huge := "clouds:\n  otc:\n    auth:\n      password: " + strings.Repeat("a", 16<<20) + "\n"
	require.NoError(t, os.WriteFile(filepath.Join(dir, "secure.yaml"), []byte(huge), 0o600))
	huge = ""
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	_, err := auth.FromCloud("otc")
	runtime.ReadMemStats(&after)
	require.Error(t, err)
	assert.Less(t, after.TotalAlloc-before.TotalAlloc, uint64(4<<20), "a 16 MiB secure.yaml is read no further than its bound")
}

func TestFromCloud_Warnings(t *testing.T) {
	for _, tc := range []struct {
		name, clouds, secure   string
		cloudsMode, secureMode os.FileMode
		want                   []string // DIR stands for the files' directory
	}{
		{"private files, verified TLS", otcClouds("https://iam.example.org/v3"), securePassword, 0o644, 0o600, nil},
		{"verify: false", otcClouds("https://iam.example.org/v3") + "    verify: false\n", securePassword, 0o600, 0o600,
			[]string{"TLS certificates are not verified (verify: false): the password goes to whoever answers for iam.example.org"}},
		{"a secure.yaml group or others can read", otcClouds("https://iam.example.org/v3"), securePassword, 0o600, 0o644,
			[]string{"secure.yaml DIR/secure.yaml can be read by group or others (mode 0644); it holds secrets: chmod 600 DIR/secure.yaml"}},
		{"a clouds.yaml holding the password that others can read", strings.Replace(otcClouds("https://iam.example.org/v3"), "      username:", "      password: "+password+"\n      username:", 1),
			"", 0o604, 0, []string{"clouds.yaml DIR/clouds.yaml can be read by group or others (mode 0604); it holds secrets: chmod 600 DIR/clouds.yaml"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			file := cloudsEnv(t, tc.clouds, tc.secure)
			dir := filepath.Dir(file)
			require.NoError(t, os.Chmod(file, tc.cloudsMode))
			if tc.secure != "" {
				require.NoError(t, os.Chmod(filepath.Join(dir, "secure.yaml"), tc.secureMode))
			}
			c, err := auth.FromCloud("otc")
			require.NoError(t, err)
			var want []string
			for _, w := range tc.want {
				want = append(want, strings.ReplaceAll(w, "DIR", dir))
			}
			assert.Equal(t, want, c.Warnings())
		})
	}
}

func TestFromCloud_APasscodeInSecureYAML(t *testing.T) {
	cloudsEnv(t, strings.Replace(otcClouds("https://iam.example.org/v3"), "      username:", "      passcode: \"111111\"\n      username:", 1),
		"clouds:\n  otc:\n    auth:\n      password: \""+password+"\"\n      passcode: \"123456\"\n")
	c, err := auth.FromCloud("otc")
	require.NoError(t, err)
	assert.Equal(t, "123456", c.Passcode.Reveal(), "secure.yaml's wins")
	assert.Equal(t, password, c.Password.Reveal())
}

func TestFromCloud_NoCloudsYAML(t *testing.T) {
	for _, v := range []string{"OS_CLOUD", "OS_REGION_NAME", "OS_INTERFACE"} {
		t.Setenv(v, "")
	}
	missing := filepath.Join(t.TempDir(), "clouds.yaml")
	t.Setenv("OS_CLIENT_CONFIG_FILE", missing)
	_, err := auth.FromCloud("otc")
	require.Error(t, err)
	assert.Contains(t, err.Error(), "no clouds.yaml")
	assert.Contains(t, err.Error(), missing, "names where it looked")
}

func TestFromEnv(t *testing.T) {
	for _, tc := range []struct {
		name string
		env  map[string]string
		want auth.Config
	}{
		{"Open Telekom Cloud's openrc", map[string]string{
			"OS_AUTH_URL": "https://iam.eu-de.otc.t-systems.com:443/v3", "OS_IDENTITY_API_VERSION": "3",
			"OS_USER_DOMAIN_NAME": domain, "OS_PROJECT_NAME": "eu-de", "OS_USERNAME": "alice", "OS_PASSWORD": password,
			"OS_REGION_NAME": "eu-de",
		}, auth.Config{AuthURL: "https://iam.eu-de.otc.t-systems.com:443/v3", Username: "alice", Password: secret.New(password),
			DomainName: domain, ProjectName: "eu-de", Region: "eu-de"}},
		{"IDs and a project domain", map[string]string{
			"OS_AUTH_URL": "https://iam.example.org/v3", "OS_USER_ID": "u1", "OS_PASSWORD": password,
			"OS_PROJECT_ID": "p1", "OS_USER_DOMAIN_ID": "d1", "OS_PROJECT_DOMAIN_NAME": "pd",
		}, auth.Config{AuthURL: "https://iam.example.org/v3", UserID: "u1", Password: secret.New(password), DomainID: "d1", ProjectID: "p1", ProjectDomainName: "pd"}},
		{"the older names", map[string]string{
			"OS_AUTH_URL": "https://iam.example.org/v3", "OS_USERID": "u1", "OS_PASSWORD": password,
			"OS_TENANT_NAME": "eu-de", "OS_TENANT_ID": "p1", "OS_DOMAIN_NAME": "d", "OS_DOMAIN_ID": "d1",
		}, auth.Config{AuthURL: "https://iam.example.org/v3", UserID: "u1", Password: secret.New(password), DomainName: "d", DomainID: "d1", ProjectName: "eu-de", ProjectID: "p1"}},
		{"the user's domain wins over OS_DOMAIN_NAME", map[string]string{"OS_USER_DOMAIN_NAME": "user-domain", "OS_DOMAIN_NAME": "d"},
			auth.Config{DomainName: "user-domain"}},
		{"a token", map[string]string{"OS_AUTH_URL": "https://iam.example.org/v3", "OS_AUTH_TOKEN": "MIItoken", "OS_PROJECT_ID": "p1"},
			auth.Config{AuthURL: "https://iam.example.org/v3", Token: secret.New("MIItoken"), ProjectID: "p1"}},
		{"blanks around values", map[string]string{"OS_USERNAME": " alice\n", "OS_PASSWORD": " pass word "},
			auth.Config{Username: "alice", Password: secret.New(" pass word ")}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, err := auth.FromEnv(func(k string) string { return tc.env[k] })
			require.NoError(t, err)
			tc.want.Source = "OS_* environment variables"
			assertConfig(t, tc.want, c)
		})
	}
}

func TestFromEnv_IdentityAPIVersion2(t *testing.T) {
	_, err := auth.FromEnv(func(k string) string { return map[string]string{"OS_IDENTITY_API_VERSION": "2"}[k] })
	require.Error(t, err)
	assert.Contains(t, err.Error(), "only Keystone v3")
}

func TestFromEnv_SignsIn(t *testing.T) {
	iam := startIAM(t)
	env := map[string]string{
		"OS_AUTH_URL": iam.URL, "OS_USERNAME": "alice", "OS_PASSWORD": password,
		"OS_USER_DOMAIN_NAME": domain, "OS_PROJECT_NAME": "eu-nl_backup",
	}
	c, err := auth.FromEnv(func(k string) string { return env[k] })
	require.NoError(t, err)
	s, err := auth.SignIn(t.Context(), c)
	require.NoError(t, err)
	project, err := s.ProjectID(t.Context())
	require.NoError(t, err)
	assert.Equal(t, aliceS.ProjectID(), project)
	endpoint, err := s.Endpoint(t.Context(), "cbr", "eu-nl")
	require.NoError(t, err)
	assert.Equal(t, "https://cbr.eu-nl.example.org/v3/"+aliceS.ProjectID(), endpoint, "the region from the project's name")
}

func TestConfig_Validate(t *testing.T) {
	good := auth.Config{AuthURL: "https://iam.eu-de.otc.t-systems.com:443/v3", Username: "alice", Password: secret.New(password), DomainName: domain, ProjectName: "eu-de"}
	for _, tc := range []struct {
		name string
		edit func(*auth.Config)
		want []string // nil: valid
	}{
		{"a user, password, domain and project", func(*auth.Config) {}, nil},
		{"a user ID needs no domain", func(c *auth.Config) {
			c.Username, c.DomainName, c.UserID, c.ProjectName, c.ProjectID = "", "", "u1", "", "p1"
		}, nil},
		{"a token alone", func(c *auth.Config) {
			c.Username, c.Password, c.DomainName, c.ProjectName, c.Token = "", secret.Value{}, "", "", secret.New("MIIt")
		}, nil},
		{"http to loopback", func(c *auth.Config) { c.AuthURL = "http://127.0.0.1:5000/v3" }, nil},
		{"http to localhost", func(c *auth.Config) { c.AuthURL = "http://localhost:5000/v3" }, nil},
		{"no auth URL", func(c *auth.Config) { c.AuthURL = "" }, []string{"no auth URL"}},
		{"an auth URL that is not absolute", func(c *auth.Config) { c.AuthURL = "iam.example.org/v3" }, []string{"not an absolute http or https URL"}},
		{"an auth URL without host", func(c *auth.Config) { c.AuthURL = "https:///v3" }, []string{"has no host"}},
		{"an auth URL that does not parse", func(c *auth.Config) { c.AuthURL = "https://bad host/%zz" }, []string{"is not a URL"}},
		{"an auth URL with user info", func(c *auth.Config) { c.AuthURL = "https://alice:url-secret@iam.example.org/v3" }, []string{"must not carry user info"}},
		{"an auth URL with a query", func(c *auth.Config) { c.AuthURL = "https://iam.example.org/v3?x=url-secret" }, []string{"must not carry user info, a query or a fragment"}},
		{"an auth URL of Keystone v2.0", func(c *auth.Config) { c.AuthURL = "https://iam.example.org/v2.0" }, []string{"names another Keystone version than v3"}},
		{"an auth URL of v3.0, which IAM's catalog names", func(c *auth.Config) { c.AuthURL = "https://iam.example.org/v3.0" }, nil},
		{"plain http to a host that is not loopback", func(c *auth.Config) { c.AuthURL = "http://iam.example.org/v3" }, []string{"password would travel unencrypted"}},
		{"no password and no token", func(c *auth.Config) { c.Password = secret.Value{} }, []string{"no password"}},
		{"both a password and a token", func(c *auth.Config) { c.Token = secret.New("MIIt") }, []string{"both a password and a token"}},
		{"no user", func(c *auth.Config) { c.Username = "" }, []string{"no user"}},
		{"a user name without domain", func(c *auth.Config) { c.DomainName = "" }, []string{`user "alice" has no domain`, `project "eu-de" has no domain`}},
		{"no project with a password", func(c *auth.Config) { c.ProjectName = "" }, []string{"no project"}},
		{"a project name without domain", func(c *auth.Config) {
			c.Username, c.Password, c.DomainName, c.Token = "", secret.Value{}, "", secret.New("MIIt")
		}, []string{`project "eu-de" has no domain`}},
		{"every problem at once", func(c *auth.Config) { *c = auth.Config{Source: "OS_* environment variables"} },
			[]string{"OS_* environment variables:", "no auth URL", "no password", "no user", "no project"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := good
			tc.edit(&c)
			err := c.Validate()
			if tc.want == nil {
				assert.NoError(t, err)
				return
			}
			require.Error(t, err)
			for _, w := range tc.want {
				assert.Contains(t, err.Error(), w)
			}
			assert.NotContains(t, err.Error(), password)
			assert.NotContains(t, err.Error(), "url-secret")
			_, err = auth.NewSession(c)
			assert.Error(t, err, "NewSession validates")
		})
	}
}

func TestConfig_Describe(t *testing.T) {
	for _, tc := range []struct {
		name string
		c    auth.Config
		want string
	}{
		{"user, domain and project by name", auth.Config{
			AuthURL: "https://iam.eu-de.otc.t-systems.com:443/v3", Username: "alice", Password: secret.New(password), DomainName: domain,
			ProjectName: "eu-de", Region: "eu-de", Source: `clouds.yaml cloud "otc" (/x/clouds.yaml)`,
		}, `IAM https://iam.eu-de.otc.t-systems.com:443/v3, user alice (domain ` + domain + `), project eu-de (domain ` + domain +
			`), region eu-de; from clouds.yaml cloud "otc" (/x/clouds.yaml)`},
		{"IDs", auth.Config{AuthURL: "https://iam.example.org/v3", UserID: "u1", Password: secret.New(password), ProjectID: "p1"},
			"IAM https://iam.example.org/v3, user ID u1, project ID p1; from sign-in configuration"},
		{"a token", auth.Config{AuthURL: "https://iam.example.org/v3?x=url-secret", Token: secret.New("MIIsecret-token"), ProjectName: "eu-de", ProjectDomainID: "d1"},
			"IAM https://iam.example.org/v3?[REDACTED], a token, project eu-de (domain ID d1); from sign-in configuration"},
		{"nothing", auth.Config{}, "IAM (none), user (none) (no domain), project: none; from sign-in configuration"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := tc.c.Describe()
			assert.Equal(t, tc.want, got)
			assert.NotContains(t, got, password)
			assert.False(t, strings.Contains(got, "MIIsecret-token"))
			assert.False(t, strings.Contains(got, "url-secret"))
		})
	}
}

func TestFromCloud_AProfileOfCloudsPublicYAML(t *testing.T) {
	cloudsEnv(t, "clouds:\n  otc:\n    profile: otc-public\n    auth:\n      username: alice\n      user_domain_name: "+domain+"\n      project_name: eu-de\n", securePassword)
	config := t.TempDir()
	t.Setenv("XDG_CONFIG_HOME", config)
	public := filepath.Join(config, "openstack", "clouds-public.yaml")
	require.NoError(t, os.MkdirAll(filepath.Dir(public), 0o700))

	require.NoError(t, os.WriteFile(public, []byte("public-clouds:\n  otc-public:\n    auth:\n      auth_url: https://iam.eu-de.otc.t-systems.com:443/v3\n"), 0o600))
	c, err := auth.FromCloud("otc")
	require.NoError(t, err)
	assert.Equal(t, "https://iam.eu-de.otc.t-systems.com:443/v3", c.AuthURL, "from the profile")

	require.NoError(t, os.WriteFile(public, []byte("public-clouds:\n  x: "+strings.Repeat("a", 1<<20)+"\n"), 0o600))
	_, err = auth.FromCloud("otc")
	require.Error(t, err)
	assert.Contains(t, err.Error(), "auth: clouds-public.yaml "+public+" is larger than 1 MiB")
}
