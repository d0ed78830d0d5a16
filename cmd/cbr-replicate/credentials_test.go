package main

import (
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cbr-replicate/cbr-replicate/aksk"
	"github.com/cbr-replicate/cbr-replicate/cbrtest"
	"github.com/cbr-replicate/cbr-replicate/secret"
)

// signInUser is the account of the fake IAM in these tests.
var signInUser = cbrtest.IAMUser{Domain: "OTC00000000001000000123", Name: "backup-admin", Password: secret.New(secretPassword), Project: "eu-de"}

// testKeys is the AK/SK pair of these tests.
var testKeys = aksk.NewCredentials("HPUATESTACCESSKEY001", secretKey, "")

// iamServer starts the fake with its IAM for signInUser.
func iamServer(t *testing.T, opts ...cbrtest.Option) *cbrtest.Server {
	t.Helper()
	srv, err := cbrtest.NewServer(append([]cbrtest.Option{cbrtest.WithIAM(signInUser)}, opts...)...)
	require.NoError(t, err)
	t.Cleanup(srv.Close)
	return srv
}

// openrcEnv is the environment of an openrc for signInUser at authURL;
// extra variables come first, so they win over the openrc's.
func openrcEnv(authURL, password string, extra ...string) []string {
	return append(extra[:len(extra):len(extra)], []string{
		"OS_AUTH_URL=" + authURL, "OS_USERNAME=" + signInUser.Name, "OS_PASSWORD=" + password,
		"OS_USER_DOMAIN_NAME=" + signInUser.Domain, "OS_PROJECT_NAME=" + signInUser.Project,
	}...)
}

// writeClouds writes a clouds.yaml with the cloud "test" for signInUser at
// authURL (with more YAML of the cloud, e.g. region_name) and its password
// in secure.yaml beside it, and points OS_CLIENT_CONFIG_FILE at it: package
// auth reads the process environment through gophercloud, so the test
// cannot run in parallel.
func writeClouds(t *testing.T, authURL, password, more string) {
	t.Helper()
	dir := t.TempDir()
	clouds := filepath.Join(dir, "clouds.yaml")
	require.NoError(t, os.WriteFile(clouds, fmt.Appendf(nil, `clouds:
  test:
    auth:
      auth_url: %s
      username: %s
      user_domain_name: %s
      project_name: %s
%s`, authURL, signInUser.Name, signInUser.Domain, signInUser.Project, more), 0o600))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "secure.yaml"),
		fmt.Appendf(nil, "clouds:\n  test:\n    auth:\n      password: %s\n", password), 0o600))
	t.Setenv("OS_CLIENT_CONFIG_FILE", clouds)
	for _, name := range []string{"OS_CLOUD", "OS_REGION_NAME", "OS_CACERT", "OS_CERT", "OS_KEY"} {
		t.Setenv(name, "")
	}
}

// closedURL is the URL of a loopback port nobody listens on.
func closedURL(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := ln.Addr().String()
	require.NoError(t, ln.Close())
	return "http://" + addr + "/v3"
}

// replicateArgs is "replicate" with the page's flags and extra ones.
func replicateArgs(extra ...string) []string {
	return append([]string{"replicate"}, pageFlags(extra...)...)
}

func TestReplicateSignsInWithCloudsYAML(t *testing.T) {
	// Not parallel: clouds.yaml is found through the process environment.
	t.Run("--os-cloud signs in at the mock's IAM and replicates in the token's project", func(t *testing.T) {
		usersFile := writeFile(t, "users", signInUser.Domain+" "+signInUser.Name+" "+secretPassword+" "+signInUser.Project+"\n")
		m := startMock(t, "--iam-users-file", usersFile)
		writeClouds(t, m.url+"/v3", secretPassword, "")
		res := execute(t, invocation{args: replicateArgs("--os-cloud", "test")})
		require.Equal(t, exitOK, res.code, res.stderr)
		assert.Contains(t, res.stdout, "project "+signInUser.ProjectID()+"\n", "the project of the token's scope")
		assert.Equal(t, exitOK, m.stop(t))
		logs := m.stderr.String()
		assert.Contains(t, logs, "method=POST path=/v3/auth/tokens status=201")
		assert.Contains(t, logs, "method=POST path=/v3/"+signInUser.ProjectID()+"/checkpoints/replicate status=200",
			"the catalog's endpoint in the cloud's form, the mock itself: one POST to /v3/<project_id>/checkpoints/replicate")
		assertNoSecret(t, logs, m.stdout.String())
	})

	t.Run("OS_CLOUD signs in as --os-cloud does", func(t *testing.T) {
		srv := iamServer(t)
		writeClouds(t, srv.URL+"/v3", secretPassword, "")
		res := execute(t, invocation{args: replicateArgs(), env: []string{"OS_CLOUD=test"}})
		require.Equal(t, exitOK, res.code, res.stderr)
		assert.Equal(t, 1, srv.Fake.IAM().SignIns())
		require.Len(t, replications(srv), 1)
		assert.Equal(t, signInUser.ProjectID(), replications(srv)[0].ProjectID())
	})

	t.Run("a wrong password in secure.yaml is IAM's refusal, exit 1, and nothing reaches CBR", func(t *testing.T) {
		srv := iamServer(t)
		writeClouds(t, srv.URL+"/v3", "wrong-"+secretPassword, "")
		res := execute(t, invocation{args: replicateArgs("--os-cloud", "test")})
		assert.Equal(t, exitInvalid, res.code, res.stderr)
		assert.Equal(t, "cbr-replicate replicate: sign-in failed: IAM "+srv.URL+"/v3 refused the sign-in (401 Unauthorized): "+
			"The request you have made requires authentication. (an account with login protection needs the virtual MFA passcode, "+
			"OS_PASSCODE, and the user's ID, OS_USER_ID, besides the password; or sign with an access key: OS_ACCESS_KEY and OS_SECRET_KEY)\n", res.stderr)
		assert.Empty(t, res.stdout)
		assert.Empty(t, srv.Requests(), "the fake's CBR endpoint received nothing")
		assert.Equal(t, 1, srv.Fake.Received(), "only the sign-in")
	})

}

func TestReplicateCloudsYAMLRegionAndPrecedence(t *testing.T) {
	// Not parallel: clouds.yaml is found through the process environment.
	t.Run("clouds.yaml region_name chooses the region; OS_REGION_NAME and --region win over it", func(t *testing.T) {
		writeClouds(t, "https://iam.example.test/v3", secretPassword, "    region_name: eu-nl\n")
		for _, tc := range []struct {
			name string
			env  []string
			args []string
			want string
		}{
			{"region_name", nil, nil, "https://cbr.eu-nl.otc.t-systems.com/"},
			{"OS_REGION_NAME beats region_name", []string{"OS_REGION_NAME=eu-de"}, nil, "https://cbr.eu-de.otc.t-systems.com/"},
			{"--region beats OS_REGION_NAME", []string{"OS_REGION_NAME=eu-nl"}, []string{"--region", "eu-de"}, "https://cbr.eu-de.otc.t-systems.com/"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				got := dryRun(t, tc.env, pageFlags(append(tc.args, "--os-cloud", "test")...)...)
				assert.True(t, strings.HasPrefix(got.URL, tc.want), got.URL)
			})
		}
	})

	t.Run("--os-cloud beats OS_AUTH_TOKEN, OS_CLOUD loses to AK/SK but beats an openrc", func(t *testing.T) {
		writeClouds(t, "https://iam.example.test/v3", secretPassword, "")
		got := dryRun(t, tokenEnv(), pageFlags("--os-cloud", "test")...)
		assert.Contains(t, got.SignIn, `clouds.yaml cloud "test"`)
		got = dryRun(t, []string{"OS_CLOUD=test", "OS_ACCESS_KEY=" + testKeys.AccessKey, "OS_SECRET_KEY=" + secretKey, "OS_PROJECT_ID=" + pageProjectID}, pageFlags()...)
		assert.Empty(t, got.SignIn)
		assert.Regexp(t, `^SDK-HMAC-SHA256 Access=HPUATESTACCESSKEY001, SignedHeaders=[a-z;-]+, Signature=\[REDACTED\]$`, got.Header["Authorization"])
		got = dryRun(t, openrcEnv("https://other.example.test/v3", secretPassword, "OS_CLOUD=test"), pageFlags()...)
		assert.Contains(t, got.SignIn, `IAM https://iam.example.test/v3`)
	})

	t.Run("verify: false and a secure.yaml others can read are warned of on stderr", func(t *testing.T) {
		writeClouds(t, "https://iam.example.test/v3", secretPassword, "    verify: false\n")
		secure := filepath.Join(filepath.Dir(os.Getenv("OS_CLIENT_CONFIG_FILE")), "secure.yaml")
		require.NoError(t, os.Chmod(secure, 0o644))
		res := execute(t, invocation{args: replicateArgs("--os-cloud", "test", "--dry-run")})
		require.Equal(t, exitOK, res.code, res.stderr)
		assert.Equal(t, "warning: secure.yaml "+secure+" can be read by group or others (mode 0644); it holds secrets: chmod 600 "+secure+"\n"+
			"warning: TLS certificates are not verified (verify: false): the password goes to whoever answers for iam.example.test\n", res.stderr)
	})

	t.Run("a cloud missing from clouds.yaml is a usage error", func(t *testing.T) {
		writeClouds(t, "https://iam.example.test/v3", secretPassword, "")
		res := execute(t, invocation{args: replicateArgs("--os-cloud", "nope")})
		assert.Equal(t, exitUsage, res.code, res.stderr)
		assert.Contains(t, res.stderr, "nope")
	})
}

// writeFile writes content to a private file of a temporary directory.
func writeFile(t *testing.T, name, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	require.NoError(t, os.WriteFile(p, []byte(content), 0o600))
	return p
}

func TestReplicateSignsInWithOpenrc(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name     string
		env      func(srv *cbrtest.Server) []string
		args     []string
		code     int
		stderr   string // "" expects success; URL stands for the IAM URL
		received int    // requests the fake received, sign-ins included
	}{
		{"the OS_* variables of an openrc sign in and replicate", func(srv *cbrtest.Server) []string {
			return openrcEnv(srv.URL+"/v3", secretPassword)
		}, nil, exitOK, "", signedInRun},
		{"an explicit project ID that is the token's is accepted", func(srv *cbrtest.Server) []string {
			return openrcEnv(srv.URL+"/v3", secretPassword)
		}, []string{"--project-id", signInUser.ProjectID()}, exitOK, "", signedInRun},
		{"a wrong password is IAM's refusal (exit 1) and nothing reaches CBR", func(srv *cbrtest.Server) []string {
			return openrcEnv(srv.URL+"/v3", "x"+secretPassword)
		}, nil, exitInvalid, "sign-in failed: IAM URL refused the sign-in (401 Unauthorized)", 1},
		{"an unknown project is IAM's refusal", func(srv *cbrtest.Server) []string {
			return openrcEnv(srv.URL+"/v3", secretPassword, "OS_PROJECT_NAME=eu-nl")
		}, nil, exitInvalid, "refused the sign-in (401 Unauthorized)", 1},
		{"an explicit project ID that is not the token's is exit 1 and nothing reaches CBR", func(srv *cbrtest.Server) []string {
			return openrcEnv(srv.URL+"/v3", secretPassword)
		}, []string{"--project-id", pageProjectID}, exitInvalid, `--project-id: project ID "` + pageProjectID + `" is not the project the token is scoped to`, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv := iamServer(t)
			res := execute(t, invocation{args: replicateArgs(tc.args...), env: tc.env(srv)})
			assert.Equal(t, tc.code, res.code, res.stderr)
			assert.Equal(t, tc.received, srv.Fake.Received())
			if tc.stderr == "" {
				require.Len(t, replications(srv), 1)
				assert.Equal(t, signInUser.ProjectID(), replications(srv)[0].ProjectID())
				return
			}
			assert.Contains(t, res.stderr, strings.ReplaceAll(tc.stderr, "URL", srv.URL+"/v3"))
			assert.Equal(t, 1, strings.Count(res.stderr, "\n"), "one line: %s", res.stderr)
			assert.Empty(t, srv.Requests(), "the fake's CBR endpoint received nothing")
		})
	}

	t.Run("an IAM that cannot be reached is exit 2 naming its URL", func(t *testing.T) {
		t.Parallel()
		iam := closedURL(t)
		res := execute(t, invocation{args: replicateArgs(), env: openrcEnv(iam, secretPassword)})
		assert.Equal(t, exitUsage, res.code, res.stderr)
		assert.True(t, strings.HasPrefix(res.stderr, "cbr-replicate replicate: sign-in failed: signing in at IAM "+iam+": "), res.stderr)
		assert.Contains(t, res.stderr, "connection refused")
		assert.Equal(t, 1, strings.Count(res.stderr, "\n"), "one line: %s", res.stderr)
		assert.Empty(t, res.stdout)
	})

	t.Run("a configuration without user or project is a usage error listing both", func(t *testing.T) {
		t.Parallel()
		res := execute(t, invocation{args: replicateArgs(), env: []string{"OS_AUTH_URL=https://iam.example.test/v3", "OS_PASSWORD=" + secretPassword}})
		assert.Equal(t, exitUsage, res.code, res.stderr)
		assert.Contains(t, res.stderr, "no user")
		assert.Contains(t, res.stderr, "no project")
		assert.NotContains(t, res.stderr, "missing --project-id", "a sign-in gives the project")
	})
}

func TestReplicateDryRunWithSignIn(t *testing.T) {
	t.Parallel()

	t.Run("text says where it would sign in, without signing in, and a placeholder project", func(t *testing.T) {
		t.Parallel()
		srv := iamServer(t)
		res := execute(t, invocation{args: replicateArgs("--dry-run"), env: openrcEnv(srv.URL+"/v3", secretPassword)})
		require.Equal(t, exitOK, res.code, res.stderr)
		assert.Equal(t, "# would sign in at IAM "+srv.URL+"/v3, user backup-admin (domain OTC00000000001000000123), "+
			"project eu-de (domain OTC00000000001000000123); from OS_* environment variables", lines(res.stdout)[0])
		assert.Equal(t, "POST https://cbr.eu-de.otc.t-systems.com/v3/"+unknownProject+"/checkpoints/replicate", lines(res.stdout)[1])
		assert.Contains(t, res.stdout, "\nX-Auth-Token: [REDACTED]\n")
		assert.Equal(t, 0, srv.Fake.Received(), "no sign-in, nothing sent")
	})

	t.Run("json has the sign-in and the explicit project ID", func(t *testing.T) {
		t.Parallel()
		srv := iamServer(t)
		got := dryRun(t, openrcEnv(srv.URL+"/v3", secretPassword, "OS_PROJECT_ID=p-env"), pageFlags()...)
		assert.Contains(t, got.SignIn, "IAM "+srv.URL+"/v3, user backup-admin")
		assert.Equal(t, "https://cbr.eu-de.otc.t-systems.com/v3/p-env/checkpoints/replicate", got.URL)
		assert.Equal(t, 0, srv.Fake.Received())
	})
}

func TestReplicateAKSK(t *testing.T) {
	t.Parallel()
	akskEnv := func(sk string, extra ...string) []string {
		return append([]string{"OS_ACCESS_KEY=" + testKeys.AccessKey, "OS_SECRET_KEY=" + sk, "OS_PROJECT_ID=" + pageProjectID}, extra...)
	}

	for _, tc := range []struct {
		name   string
		env    []string
		code   int
		stderr []string
	}{
		{"OS_ACCESS_KEY and OS_SECRET_KEY sign the request", akskEnv(secretKey), exitOK, nil},
		{"HUAWEICLOUD_SDK_AK and HUAWEICLOUD_SDK_SK sign the request", []string{
			"HUAWEICLOUD_SDK_AK=" + testKeys.AccessKey, "HUAWEICLOUD_SDK_SK=" + secretKey, "OS_PROJECT_ID=" + pageProjectID}, exitOK, nil},
		{"OS_ACCESS_KEY beats HUAWEICLOUD_SDK_AK", akskEnv(secretKey, "HUAWEICLOUD_SDK_AK=HPUAOTHER", "HUAWEICLOUD_SDK_SK=other-"+secretKey), exitOK, nil},
		{"AK/SK beats an openrc", akskEnv(secretKey, openrcEnv(closedURL(t), secretPassword)...), exitOK, nil},
		{"a wrong secret key is the fake's 401, explained", akskEnv("wrong-" + secretKey), exitInvalid,
			[]string{"HTTP 401 Unauthorized", "BackupService.8600", "signature"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv, err := cbrtest.NewServer(cbrtest.WithAKSK(testKeys))
			require.NoError(t, err)
			defer srv.Close()
			res := execute(t, invocation{args: replicateArgs("--endpoint", srv.URL), env: tc.env})
			assert.Equal(t, tc.code, res.code, res.stderr)
			for _, want := range tc.stderr {
				assert.Contains(t, res.stderr, want)
			}
			if tc.code == exitOK {
				require.Len(t, replications(srv), 1)
				assert.Equal(t, pageProjectID, replications(srv)[0].ProjectID())
			} else {
				assert.Empty(t, srv.Requests())
			}
		})
	}

	t.Run("dry run shows the signed request with Authorization redacted", func(t *testing.T) {
		t.Parallel()
		got := dryRun(t, akskEnv(secretKey), pageFlags()...)
		assert.Regexp(t, `^SDK-HMAC-SHA256 Access=HPUATESTACCESSKEY001, SignedHeaders=[a-z;-]+, Signature=\[REDACTED\]$`, got.Header["Authorization"])
		assert.NotEmpty(t, got.Header["X-Sdk-Date"])
		assert.Equal(t, pageProjectID, got.Header["X-Project-Id"])
		assert.NotContains(t, got.Header, "X-Auth-Token")
	})

	t.Run("--mock verifies the signature with the keys", func(t *testing.T) {
		t.Parallel()
		res := execute(t, invocation{args: replicateArgs("--mock"), env: akskEnv(secretKey)})
		require.Equal(t, exitOK, res.code, res.stderr)
		assert.Contains(t, res.stdout, "project "+pageProjectID+"\n")
	})

	for _, tc := range []struct {
		name string
		env  []string
		want string
	}{
		{"OS_ACCESS_KEY without OS_SECRET_KEY", []string{"OS_ACCESS_KEY=" + testKeys.AccessKey, "OS_PROJECT_ID=p"}, "OS_ACCESS_KEY is set but OS_SECRET_KEY is not"},
		{"OS_SECRET_KEY without OS_ACCESS_KEY", []string{"OS_SECRET_KEY=" + secretKey, "OS_PROJECT_ID=p"}, "OS_SECRET_KEY is set but OS_ACCESS_KEY is not"},
		{"HUAWEICLOUD_SDK_SK without HUAWEICLOUD_SDK_AK", []string{"HUAWEICLOUD_SDK_SK=" + secretKey, "OS_PROJECT_ID=p"}, "HUAWEICLOUD_SDK_SK is set but HUAWEICLOUD_SDK_AK is not"},
		{"AK/SK without a project ID", akskEnv(secretKey)[:2], "missing --project-id (or OS_PROJECT_ID)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			res := execute(t, invocation{args: replicateArgs(), env: tc.env})
			assert.Equal(t, exitUsage, res.code, res.stderr)
			assert.Contains(t, res.stderr, tc.want)
		})
	}
}

// signedInRun is what a signed-in replicate sends to the fake: the sign-in,
// the three checks at the source, the sign-in to the destination project
// (refused: the fake IAM's user has no project there, so that check is
// skipped) and the POST.
const signedInRun = 6

func TestReplicateMockSignsInAgainstTheFakesIAM(t *testing.T) {
	t.Parallel()

	t.Run("an openrc signs in at the fake, not at its OS_AUTH_URL", func(t *testing.T) {
		t.Parallel()
		res := execute(t, invocation{args: replicateArgs("--mock"), env: openrcEnv("https://iam.example.test/v3", secretPassword, "OS_PROJECT_ID=p-env")})
		require.Equal(t, exitOK, res.code, res.stderr)
		assert.Contains(t, res.stdout, "project "+signInUser.ProjectID()+"\n", "the fake's ID of project eu-de")
		assert.Equal(t, "warning: --mock: the fake IAM makes up its projects' IDs; OS_PROJECT_ID p-env is not used", lines(res.stderr)[0])
	})

	t.Run("dry run names the fake's IAM and signs in nowhere", func(t *testing.T) {
		t.Parallel()
		got := dryRun(t, openrcEnv("https://iam.example.test/v3", secretPassword), pageFlags("--mock")...)
		assert.Regexp(t, `^IAM http://127\.0\.0\.1:\d+/v3, user backup-admin`, got.SignIn)
		assert.Contains(t, got.URL, "/v3/"+unknownProject+"/")
	})

	t.Run("a configuration naming the user by ID only cannot be mocked", func(t *testing.T) {
		t.Parallel()
		res := execute(t, invocation{args: replicateArgs("--mock"), env: []string{
			"OS_AUTH_URL=https://iam.example.test/v3", "OS_USER_ID=u1", "OS_PASSWORD=" + secretPassword, "OS_PROJECT_ID=p1"}})
		assert.Equal(t, exitUsage, res.code, res.stderr)
		assert.Contains(t, res.stderr, "--mock: the fake IAM signs in with names")
	})
}

func TestReplicateCredentialsPrecedence(t *testing.T) {
	t.Parallel()
	keys := []string{"OS_ACCESS_KEY=" + testKeys.AccessKey, "OS_SECRET_KEY=" + secretKey}
	openrc := openrcEnv("https://iam.example.test/v3", secretPassword)
	for _, tc := range []struct {
		name      string
		tokenFile string
		cloud     *string
		env       []string
		want      string // what chose the way
	}{
		{"--token-file beats every other way", "f", ptr("c"), append(append([]string{"OS_AUTH_TOKEN=t", "OS_CLOUD=c"}, keys...), openrc...), "--token-file"},
		{"--os-cloud beats OS_AUTH_TOKEN and below", "", ptr("c"), append(append([]string{"OS_AUTH_TOKEN=t", "OS_CLOUD=c"}, keys...), openrc...), "--os-cloud"},
		{"OS_AUTH_TOKEN beats AK/SK and below", "", nil, append(append([]string{"OS_AUTH_TOKEN=t", "OS_CLOUD=c"}, keys...), openrc...), "OS_AUTH_TOKEN"},
		{"AK/SK beats OS_CLOUD and an openrc", "", nil, append(append([]string{"OS_CLOUD=c"}, keys...), openrc...), "OS_ACCESS_KEY and OS_SECRET_KEY"},
		{"OS_CLOUD beats an openrc", "", nil, append([]string{"OS_CLOUD=c"}, openrc...), "OS_CLOUD"},
		{"an openrc is the last way", "", nil, openrc, "OS_AUTH_URL"},
		{"a blank OS_AUTH_TOKEN is no token", "", nil, append([]string{"OS_AUTH_TOKEN= "}, openrc...), "OS_AUTH_URL"},
		{"nothing is no way", "", nil, []string{"OS_PROJECT_ID=p", "OS_REGION_NAME=eu-de"}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			cloud := ""
			if tc.cloud != nil {
				cloud = *tc.cloud
			}
			got, _ := chooseCredentials(getenv(tc.env), tc.tokenFile, cloud, tc.cloud != nil)
			assert.Equal(t, tc.want, got.from)
		})
	}
}

func ptr[T any](v T) *T { return &v }

func TestMockIAMUsersAndKeys(t *testing.T) {
	t.Parallel()
	usersLine := signInUser.Domain + " " + signInUser.Name + " " + secretPassword + " " + signInUser.Project + "\n"

	t.Run("--iam-users-file: an openrc signs in at the mock and replicates; a token it did not issue gets 401", func(t *testing.T) {
		t.Parallel()
		m := startMock(t, "--iam-users-file", writeFile(t, "users", "# domain user password project\n\n"+usersLine))
		res := execute(t, invocation{args: replicateArgs(), env: openrcEnv(m.url+"/v3", secretPassword)})
		require.Equal(t, exitOK, res.code, res.stderr)
		resp, _ := m.post(t, "a-token-the-iam-did-not-issue")
		assert.Equal(t, 401, resp.StatusCode)
		assert.Equal(t, exitOK, m.stop(t))
		assertNoSecret(t, m.stderr.String(), m.stdout.String())
		assert.NotContains(t, m.stderr.String(), "warning", "a private file gets no warning")
	})

	t.Run("--aksk-file: AK/SK requests are verified", func(t *testing.T) {
		t.Parallel()
		m := startMock(t, "--aksk-file", writeFile(t, "keys", "# AK SK\n"+testKeys.AccessKey+" "+secretKey+"\n"))
		env := []string{"OS_ACCESS_KEY=" + testKeys.AccessKey, "OS_PROJECT_ID=" + pageProjectID}
		res := execute(t, invocation{args: replicateArgs("--endpoint", m.url), env: append(env, "OS_SECRET_KEY="+secretKey)})
		require.Equal(t, exitOK, res.code, res.stderr)
		res = execute(t, invocation{args: replicateArgs("--endpoint", m.url), env: append(env, "OS_SECRET_KEY=x"+secretKey)})
		assert.Equal(t, exitInvalid, res.code, res.stderr)
		assert.Contains(t, res.stderr, "signature")
		assert.Equal(t, exitOK, m.stop(t))
		assertNoSecret(t, m.stderr.String(), m.stdout.String())
	})

	t.Run("a users file that others can read is served with a warning", func(t *testing.T) {
		t.Parallel()
		file := writeFile(t, "users", usersLine)
		require.NoError(t, os.Chmod(file, 0o644))
		m := startMock(t, "--iam-users-file", file)
		assert.Equal(t, exitOK, m.stop(t))
		assert.Contains(t, m.stderr.String(), "warning: --iam-users-file "+file+" can be read by group or others (mode 0644); it holds secrets: chmod 600 "+file+"\n")
	})

	for _, tc := range []struct {
		name string
		args func(t *testing.T) []string
		want []string
	}{
		{"--token-file and --iam-users-file exclude each other", func(t *testing.T) []string {
			return []string{"--token-file", writeFile(t, "token", secretToken), "--iam-users-file", writeFile(t, "users", usersLine)}
		}, []string{"--token-file and --iam-users-file exclude each other"}},
		{"bad lines of --aksk-file are reported by number, never by content", func(t *testing.T) []string {
			return []string{"--aksk-file", writeFile(t, "keys", "# ok\nHPUA1 "+secretKey+" token extra\n"+secretKey+"\nHPUA2 sk2\nHPUA2 "+secretKey+"\n")}
		}, []string{"line 2: 4 fields, want 2 or 3 (access key, secret key, optional security token)", "line 3: 1 fields", "line 5: the access key of line 4 again"}},
		{"an --aksk-file of comments only has no key pair", func(t *testing.T) []string {
			return []string{"--aksk-file", writeFile(t, "keys", "# none\n")}
		}, []string{"no key pair"}},
		{"bad lines of --iam-users-file are reported by number", func(t *testing.T) []string {
			return []string{"--iam-users-file", writeFile(t, "users", usersLine+"d u "+secretPassword+"\n")}
		}, []string{"line 2: 3 fields, want 4"}},
		{"an unreadable --iam-users-file", func(t *testing.T) []string {
			return []string{"--iam-users-file", "/nonexistent/users"}
		}, []string{"read --iam-users-file: open /nonexistent/users"}},
		{"an empty --aksk-file name", func(*testing.T) []string { return []string{"--aksk-file="} }, []string{"need a file name"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			res := runArgs(t, append([]string{"mock", "--listen", "127.0.0.1:0"}, tc.args(t)...)...)
			assert.Equal(t, exitUsage, res.code, res.stderr)
			for _, want := range tc.want {
				assert.Contains(t, res.stderr, want)
			}
			assert.Empty(t, res.stdout, "nothing served")
		})
	}
}

func TestReplicateHelpDocumentsTheOrderOfAuthentication(t *testing.T) {
	t.Parallel()
	res := runArgs(t, "replicate", "--help")
	require.Equal(t, exitOK, res.code, res.stderr)
	assert.Contains(t, res.stdout, authUsage)
	order := []string{"1. --token-file FILE", "2. --os-cloud NAME", "3. OS_AUTH_TOKEN", "4. OS_ACCESS_KEY and OS_SECRET_KEY", "5. OS_CLOUD", "6. OS_AUTH_URL"}
	at := 0
	for _, way := range order {
		i := strings.Index(res.stdout[at:], way)
		require.GreaterOrEqual(t, i, 0, "%q after the ways before it", way)
		at += i
	}
}
