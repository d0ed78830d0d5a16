package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cbr-replicate/cbr-replicate/cbrtest"
	"github.com/cbr-replicate/cbr-replicate/secret"
)

// nlUser is signInUser in the destination project eu-nl: the same account,
// so that a sign-in can scope a second token to it.
var nlUser = func() cbrtest.IAMUser { u := signInUser; u.Project = "eu-nl"; return u }()

// worldFor is a world with the page's source vault in eu-de (object type
// sourceObject) and its destination vault in eu-nl (protect type
// destProtect), eu-de replicating to destinations.
func worldFor(t *testing.T, sourceObject, destProtect, destinations string) *cbrtest.World {
	t.Helper()
	w, err := cbrtest.ParseWorld(strings.NewReader(`regions:
  eu-de: [` + destinations + `]
  eu-nl: [eu-de]
vaults:
  - id: ` + pageVaultID + `
    region: eu-de
    protect_type: backup
    object_type: ` + sourceObject + `
    size: 100
    used: 2048
    backups: 3
  - id: ` + pageDestVaultID + `
    region: eu-nl
    project_id: ` + nlUser.ProjectID() + `
    protect_type: ` + destProtect + `
    object_type: ` + sourceObject + `
    size: 100
    used: 0
`))
	require.NoError(t, err)
	return w
}

// signedInWorld starts the fake of w with its IAM for signInUser in eu-de
// and eu-nl, and returns the environment of an openrc signed in there and
// the flags of a replication into the world's destination vault.
func signedInWorld(t *testing.T, w *cbrtest.World) (*cbrtest.Server, []string, []string) {
	t.Helper()
	srv, err := cbrtest.NewServer(cbrtest.WithWorld(w), cbrtest.WithIAM(signInUser, nlUser))
	require.NoError(t, err)
	t.Cleanup(srv.Close)
	flags := []string{"--vault-id", pageVaultID, "--destination-project-id", nlUser.ProjectID(),
		"--destination-region", "eu-nl", "--destination-vault-id", pageDestVaultID}
	return srv, openrcEnv(srv.URL+"/v3", secretPassword), flags
}

func TestPreflightAgainstAWorld(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name                     string
		object, protect, dests   string
		check, reason            string // the failed check, "" for none
		replicateCode, checkCode int
	}{
		{name: "a destination vault that is a backup vault fails the destination vault check",
			object: "server", protect: "backup", dests: "eu-nl",
			check: "destination vault", reason: "not a replication vault (BackupService.6119)", replicateCode: exitInvalid, checkCode: exitInvalid},
		{name: "a region whose destinations lack the target fails the capability check",
			object: "server", protect: "replication", dests: "",
			check: "replication capability", reason: "does not replicate to eu-nl", replicateCode: exitInvalid, checkCode: exitInvalid},
		{name: "a disk vault fails with the 6128 reason",
			object: "disk", protect: "replication", dests: "eu-nl",
			check: "source vault", reason: "only server backup vaults can be replicated (BackupService.6128)", replicateCode: exitInvalid, checkCode: exitInvalid},
		{name: "a world that allows it passes every check and replicates with one POST",
			object: "server", protect: "replication", dests: "eu-nl", replicateCode: exitOK, checkCode: exitOK},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv, env, flags := signedInWorld(t, worldFor(t, tc.object, tc.protect, tc.dests))
			check := execute(t, invocation{args: append([]string{"check"}, flags...), env: env})
			assert.Equal(t, tc.checkCode, check.code, check.stdout+check.stderr)
			assert.Len(t, lines(check.stdout), 4, "one line per check: %s", check.stdout)
			assert.Empty(t, replications(srv), "check sends no replication")

			res := execute(t, invocation{args: append([]string{"replicate"}, flags...), env: env})
			assert.Equal(t, tc.replicateCode, res.code, res.stderr)
			if tc.check == "" {
				assert.Len(t, replications(srv), 1)
				assert.NotContains(t, check.stdout, "  fail  ")
				assert.NotContains(t, check.stdout, "  skip  ", "a second sign-in scoped to the destination project checks its vault")
				return
			}
			assert.Contains(t, res.stderr, "the "+tc.check+" check failed; nothing was sent: ")
			assert.Contains(t, res.stderr, tc.reason)
			assert.Empty(t, replications(srv), "nothing was sent")
			assertNoSecret(t, res.stdout, res.stderr, check.stdout, check.stderr)
		})
	}
}

func TestCheckOutputsJSON(t *testing.T) {
	t.Parallel()
	_, env, flags := signedInWorld(t, worldFor(t, "server", "backup", "eu-nl"))
	res := execute(t, invocation{args: append([]string{"check", "--output", "json"}, flags...), env: env})
	assert.Equal(t, exitInvalid, res.code)
	var report struct {
		Checks []struct{ Name, Verdict, Reason, Source string } `json:"checks"`
	}
	require.NoError(t, json.Unmarshal([]byte(res.stdout), &report), res.stdout)
	require.Len(t, report.Checks, 4)
	assert.Equal(t, "destination vault", report.Checks[3].Name)
	assert.Equal(t, "fail", report.Checks[3].Verdict)
	assert.Contains(t, report.Checks[3].Source, "querying_a_specified_vault.rst")
}

func TestATokenOnlyRunSkipsTheDestinationCheckAndAKSKRunsIt(t *testing.T) {
	t.Parallel()
	srv, err := cbrtest.NewServer(cbrtest.WithAKSK(testKeys))
	require.NoError(t, err)
	t.Cleanup(srv.Close)
	endpoint := []string{"--endpoint", srv.URL, "--destination-endpoint", srv.RegionURL(pageDestRegion), "--project-id", pageProjectID}

	res := execute(t, invocation{args: append(append([]string{"replicate"}, endpoint...), pageFlags()...), env: []string{"OS_AUTH_TOKEN=" + secretToken}})
	require.Equal(t, exitOK, res.code, res.stderr)
	assert.Contains(t, res.stderr, "destination vault       skip  a ready token is scoped to one project, the source's")
	assert.Len(t, replications(srv), 1, "a skipped check does not stop the replication")
	check := execute(t, invocation{args: append(append([]string{"check"}, endpoint...), pageFlags()...), env: []string{"OS_AUTH_TOKEN=" + secretToken}})
	assert.Equal(t, exitUsage, check.code, "check could not check everything: exit 2")

	res = execute(t, invocation{args: append(append([]string{"replicate"}, endpoint...), pageFlags()...),
		env: []string{"OS_ACCESS_KEY=" + testKeys.AccessKey, "OS_SECRET_KEY=" + secretKey}})
	require.Equal(t, exitOK, res.code, res.stderr)
	assert.Contains(t, res.stderr, "destination vault       pass  ", "AK/SK signs for the destination project")
	assertNoSecret(t, res.stdout, res.stderr)
}

func TestEndpointInTheCatalogsFormWorksWithAToken(t *testing.T) {
	t.Parallel()
	srv, err := cbrtest.NewServer()
	require.NoError(t, err)
	t.Cleanup(srv.Close)
	res := execute(t, invocation{args: append([]string{"replicate", "--endpoint", srv.URL + "/v3/" + pageProjectID}, pageFlags()...), env: tokenEnv()})
	require.Equal(t, exitOK, res.code, res.stderr)
	reqs := replications(srv)
	require.Len(t, reqs, 1)
	assert.Equal(t, "/v3/"+pageProjectID+"/checkpoints/replicate", reqs[0].Path, "one POST, never /v3/<id>/v3/<id>/...")

	res = execute(t, invocation{args: append([]string{"replicate", "--endpoint", srv.URL + "/v3/" + pageDestProjectID}, pageFlags()...), env: tokenEnv()})
	assert.Equal(t, exitUsage, res.code, res.stderr)
	assert.Contains(t, res.stderr, "--endpoint \""+srv.URL+"/v3/"+pageDestProjectID+"\" names project "+pageDestProjectID+", but the project is "+pageProjectID+" (OS_PROJECT_ID)")
	assert.Len(t, replications(srv), 1, "nothing more was sent")
}

func TestEnableAccelerationWarnsThatTheFieldWasWithdrawn(t *testing.T) {
	t.Parallel()
	res := execute(t, invocation{args: append([]string{"replicate", "--mock", "--project-id", pageProjectID, "--enable-acceleration"}, pageFlags()...)})
	require.Equal(t, exitOK, res.code, res.stderr)
	assert.Contains(t, res.stderr, "warning: --enable-acceleration: Today's page (2025-05-12) withdrew this field on 2024-09-06: the service may ignore or refuse it. It is sent as asked.\n")
	res = execute(t, invocation{args: append([]string{"replicate", "--mock", "--project-id", pageProjectID}, pageFlags()...)})
	assert.NotContains(t, res.stderr, "warning")
}

func TestLoginProtection(t *testing.T) {
	t.Parallel()
	const passcode = "493817"
	mfa := signInUser
	mfa.Passcode = secret.New(passcode)
	srv, err := cbrtest.NewServer(cbrtest.WithIAM(mfa))
	require.NoError(t, err)
	t.Cleanup(srv.Close)
	env := openrcEnv(srv.URL+"/v3", secretPassword)

	res := execute(t, invocation{args: replicateArgs("--no-preflight"), env: env})
	assert.Equal(t, exitInvalid, res.code)
	assert.Contains(t, res.stderr, "OS_PASSCODE", "the refusal names login protection")
	assert.Empty(t, replications(srv))

	res = execute(t, invocation{args: replicateArgs("--no-preflight"), env: append(env, "OS_PASSCODE="+passcode, "OS_USER_ID="+mfa.UserID())})
	require.Equal(t, exitOK, res.code, res.stderr)
	assert.Len(t, replications(srv), 1)
	assert.NotContains(t, res.stdout+res.stderr, passcode)
}

func TestOnATerminalReplicateAsksFirst(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name   string
		answer string
		args   []string
		code   int
		sent   bool
	}{
		{"no is the default: nothing is sent", "\n", nil, exitInvalid, false},
		{"y sends", "y\n", nil, exitOK, true},
		{"--yes does not ask", "", []string{"--yes"}, exitOK, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv, err := cbrtest.NewServer()
			require.NoError(t, err)
			t.Cleanup(srv.Close)
			args := append([]string{"replicate", "--endpoint", srv.URL, "--destination-endpoint", srv.RegionURL(pageDestRegion)}, pageFlags(tc.args...)...)
			res := execute(t, invocation{args: args, env: tokenEnv(), stdin: strings.NewReader(tc.answer), tty: true})
			assert.Equal(t, tc.code, res.code, res.stderr)
			assert.Equal(t, tc.sent, len(replications(srv)) == 1)
			asked := strings.Contains(res.stderr, "can be replicated to region "+pageDestRegion+" only once, ever")
			assert.Equal(t, tc.args == nil, asked, res.stderr)
		})
	}
}

func TestAllowHTTPWarnsOfTheDestinationEndpointToo(t *testing.T) {
	var stderr bytes.Buffer
	s := streams{in: strings.NewReader(""), out: io.Discard, errOut: &stderr,
		getenv: getenv([]string{"OS_ACCESS_KEY=" + testKeys.AccessKey, "OS_SECRET_KEY=" + secretKey})}
	o, err := parseCall(s, "check", append([]string{"--project-id", pageProjectID, "--allow-http",
		"--destination-endpoint", "http://cbr-nl.example.test"}, pageFlags()...))
	require.NoError(t, err)
	c, skip := o.destinationClient(context.Background(), nil, nil) // builds, sends nothing
	require.NotNil(t, c, skip)
	assert.Equal(t, "warning: --allow-http: the signed request travels unencrypted to cbr-nl.example.test\n", stderr.String())
}

func TestACheckReasonFromTheServerStaysOnItsLine(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusInternalServerError)
		_, _ = w.Write([]byte(`{"error_code":"GW.1\nforged: every check passed","error_msg":"down\r\nforged too"}`))
	}))
	t.Cleanup(srv.Close)
	failing := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		body := `{"regions":[{"name":"eu-de","replication_destinations":["` + pageDestRegion + `"]}]}`
		if strings.Contains(r.URL.Path, "/vaults/") {
			body = `{"vault":{"billing":{"object_type":"disk\nforged: every check passed","protect_type":"backup","status":"available"}}}`
		}
		_, _ = w.Write([]byte(body))
	}))
	t.Cleanup(failing.Close)
	for _, run := range []struct{ cmd, url string }{{"check", srv.URL}, {"replicate", srv.URL}, {"check", failing.URL}, {"replicate", failing.URL}} {
		res := execute(t, invocation{args: append([]string{run.cmd, "--endpoint", run.url}, pageFlags()...), env: tokenEnv()})
		assert.NotEqual(t, exitOK, res.code)
		for _, line := range strings.Split(res.stdout+res.stderr, "\n") {
			assert.False(t, strings.HasPrefix(line, "forged"), "%s: a line of the server's: %q", run.cmd, line)
		}
	}
}
