package main

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/cbr-replicate/cbr-replicate/aksk"
	"github.com/cbr-replicate/cbr-replicate/auth"
	"github.com/cbr-replicate/cbr-replicate/cbrtest"
	"github.com/cbr-replicate/cbr-replicate/internal/redact"
	"github.com/cbr-replicate/cbr-replicate/secret"
)

// authUsage is the order of precedence, as --help prints it.
const authUsage = `Authentication, the first that is given wins:
  1. --token-file FILE       a ready IAM token (- for standard input)
  2. --os-cloud NAME         sign in with the cloud NAME of clouds.yaml
                             (and secure.yaml beside it, the place for the password)
  3. OS_AUTH_TOKEN           a ready IAM token
  4. OS_ACCESS_KEY and OS_SECRET_KEY
                             sign each request with an access key / secret key
                             (AK/SK); HUAWEICLOUD_SDK_AK and HUAWEICLOUD_SDK_SK
                             are read when neither OS_ variable is set; a temporary
                             pair's security token from OS_SECURITY_TOKEN (else
                             HUAWEICLOUD_SDK_SECURITY_TOKEN)
  5. OS_CLOUD                sign in with that cloud of clouds.yaml
  6. OS_AUTH_URL, OS_USERNAME (or OS_USER_ID), OS_PASSWORD, OS_USER_DOMAIN_NAME,
     OS_PROJECT_NAME (or OS_PROJECT_ID)
                             sign in with the variables of an openrc
clouds.yaml is the file named by OS_CLIENT_CONFIG_FILE, else ./clouds.yaml,
~/.config/openstack/clouds.yaml or /etc/openstack/clouds.yaml.

Signing in (2, 5, 6) asks IAM for a token scoped to the configured project
before anything is sent to CBR, and renews it once if CBR answers 401. The
auth URL is Keystone v3: /v3 is appended when it names no version, and the
password goes to that host only. An account with login protection (virtual
MFA) adds OS_PASSCODE (or passcode in clouds.yaml) and the user's ID
(OS_USER_ID, user_id).
Project ID: --project-id, else OS_PROJECT_ID, else the token's project; with
a sign-in an explicit project ID must be the token's (exit 1 otherwise).
AK/SK signing needs the project ID (--project-id or OS_PROJECT_ID).
Endpoint: --endpoint, else the token's catalog (service cbr, the region,
public), else the region's; any form: a bare host, a gateway prefix, /v3, or
/v3/<project_id> as the catalog lists it. Region: --region, else OS_REGION_NAME, else
region_name of clouds.yaml, else eu-de.
A refused sign-in (wrong password, unknown user or project) exits 1, an IAM
that cannot be reached 2; nothing is sent to CBR then. The password, token
secret key, security token and passcode are never printed: --dry-run shows
where it would sign in without signing in, X-Auth-Token and X-Security-Token
as [REDACTED], and of an AK/SK Authorization what it signs, not its signature.
`

// credentials is the way replicate authenticates, chosen while parsing.
type credentials struct {
	from   string           // what chose it ("" for none, enough only for --mock): "--os-cloud", "OS_CLOUD", ...
	keys   aksk.Credentials // an AK/SK pair
	signIn *auth.Config     // --os-cloud, OS_CLOUD or an openrc
	// mockUser is, with --mock, the fake IAM's user, whom signIn names.
	mockUser cbrtest.IAMUser
}

// signsIn reports whether the credentials sign in at IAM.
func (c credentials) signsIn() bool { return c.signIn != nil }

// signsRequests reports whether the credentials are an AK/SK pair (parsing
// refused a pair with a key missing).
func (c credentials) signsRequests() bool { return c.keys.AccessKey != "" }

// missingCredentials is the usage message for no way to authenticate.
const missingCredentials = "token (set OS_AUTH_TOKEN or pass --token-file) or another way to authenticate " +
	"(--os-cloud, OS_ACCESS_KEY and OS_SECRET_KEY, OS_CLOUD, or OS_AUTH_URL with OS_USERNAME and OS_PASSWORD)"

// chooseCredentials picks the first way to authenticate that the command
// line (tokenFile, cloud: the flags, "" when not given) and the environment
// give, in the order of authUsage, and reads a sign-in configuration. It
// returns every problem of the chosen way; the lower ways are not looked at.
func chooseCredentials(getenv func(string) string, tokenFile, cloud string, cloudGiven bool) (credentials, []string) {
	env := func(name string) string { return strings.TrimSpace(getenv(name)) }
	switch {
	case tokenFile != "":
		return credentials{from: "--token-file"}, nil
	case cloudGiven:
		if cloud == "" {
			return credentials{from: "--os-cloud"}, []string{"--os-cloud needs a cloud name"}
		}
		cfg, err := auth.FromCloud(cloud)
		return signInWay("--os-cloud", cfg, err)
	case env("OS_AUTH_TOKEN") != "":
		return credentials{from: "OS_AUTH_TOKEN"}, nil
	}
	if c, problem, ok := akskCredentials(getenv); ok {
		return c, problem
	}
	switch {
	case env("OS_CLOUD") != "":
		cfg, err := auth.FromCloud(env("OS_CLOUD"))
		return signInWay("OS_CLOUD", cfg, err)
	case env("OS_AUTH_URL") != "" || env("OS_USERNAME") != "" || env("OS_USER_ID") != "" || getenv("OS_PASSWORD") != "":
		cfg, err := auth.FromEnv(getenv)
		return signInWay("OS_AUTH_URL", cfg, err)
	}
	return credentials{}, nil
}

// akskPairs are the variables of an access key / secret key pair, the
// Terraform provider's first, then the Huawei Cloud SDK's.
var akskPairs = [][2]string{{"OS_ACCESS_KEY", "OS_SECRET_KEY"}, {"HUAWEICLOUD_SDK_AK", "HUAWEICLOUD_SDK_SK"}}

// akskCredentials returns the first pair of which a variable is set (ok),
// with a temporary key pair's security token (OS_SECURITY_TOKEN, else
// HUAWEICLOUD_SDK_SECURITY_TOKEN, for either pair), and a problem naming
// the other variable when only one of the pair is set.
func akskCredentials(getenv func(string) string) (credentials, []string, bool) {
	token := cmp.Or(strings.TrimSpace(getenv("OS_SECURITY_TOKEN")),
		strings.TrimSpace(getenv("HUAWEICLOUD_SDK_SECURITY_TOKEN")))
	for _, p := range akskPairs {
		ak, sk := strings.TrimSpace(getenv(p[0])), getenv(p[1])
		if ak == "" && strings.TrimSpace(sk) == "" {
			continue
		}
		c := credentials{from: p[0] + " and " + p[1], keys: aksk.NewCredentials(ak, sk, token)}
		switch {
		case ak == "":
			return c, []string{fmt.Sprintf("%s is set but %s is not: AK/SK signing needs both", p[1], p[0])}, true
		case strings.TrimSpace(sk) == "":
			return c, []string{fmt.Sprintf("%s is set but %s is not: AK/SK signing needs both", p[0], p[1])}, true
		}
		return c, nil, true
	}
	return credentials{}, nil, false
}

// signInWay is the way of a sign-in configuration that from chose, as
// package auth read it: its error is the way's problem.
func signInWay(from string, cfg auth.Config, err error) (credentials, []string) {
	if err != nil {
		return credentials{from: from}, []string{authText(err)}
	}
	return credentials{from: from, signIn: &cfg}, nil
}

// authText is an error of package auth on one line, without the package's
// prefix (the command's name stands before it); its errors carry no secret.
func authText(err error) string {
	return redact.Line(strings.TrimPrefix(err.Error(), "auth: "))
}

// signInProblems checks the sign-in configuration as it will be used;
// with --mock it first adapts it, once, to the fake's IAM (mockSignIn).
func (o *replicateOptions) signInProblems() []string {
	if o.mock {
		cfg, u, err := mockSignIn(*o.creds.signIn)
		if err != nil {
			return []string{err.Error()}
		}
		o.creds.signIn, o.creds.mockUser = &cfg, u
	}
	if err := o.creds.signIn.Validate(); err != nil {
		return []string{authText(err)}
	}
	return nil
}

// mockSignIn adapts cfg to the fake IAM of --mock, on loopback (startMock
// puts in its port): it knows users and projects by name (and makes up
// their IDs), so the IDs of cfg are dropped; and returns the fake's user,
// whom cfg names.
func mockSignIn(cfg auth.Config) (auth.Config, cbrtest.IAMUser, error) {
	u := cbrtest.IAMUser{Domain: cfg.DomainName, Name: cfg.Username, Password: cfg.Password, Passcode: cfg.Passcode, Project: cfg.ProjectName}
	if !cfg.Token.IsZero() || u.Domain == "" || u.Name == "" || u.Password.IsZero() || u.Project == "" {
		return cfg, u, errors.New("--mock: the fake IAM signs in with names: the sign-in configuration must give " +
			"the user's name, domain name (user_domain_name) and password, and the project's name, and no token")
	}
	cfg.AuthURL, cfg.TLS = "http://127.0.0.1/v3", nil
	cfg.UserID, cfg.DomainID, cfg.ProjectID = "", "", ""
	cfg.ProjectDomainID, cfg.ProjectDomainName = "", ""
	if !cfg.Passcode.IsZero() {
		cfg.UserID = u.UserID() // login protection signs in by the user's ID, the fake's
	}
	return cfg, u, nil
}

// dryRunToken stands for the token in a --dry-run that would sign in; it
// prints as [REDACTED] like any token.
const dryRunToken = "not-signed-in"

// authenticate prepares the client's authentication: reads the token,
// makes the AK/SK signer, or signs in (not for --dry-run) and takes the
// project ID and, when endpoint is "", the catalog's CBR endpoint. It
// returns the endpoint to use. hc talks to IAM (nil: auth's default).
func (o *replicateOptions) authenticate(ctx context.Context, endpoint string, hc *http.Client) (string, error) {
	switch {
	case o.creds.signsRequests():
		s, err := aksk.NewSigner(o.creds.keys, o.ProjectID)
		if err != nil {
			return "", fmt.Errorf("AK/SK from %s: %w", o.creds.from, err)
		}
		o.Signer = s
		return endpoint, nil
	case o.tokenFile != "":
		var err error
		o.token, err = readToken(o.in, o.tokenFile)
		return endpoint, err
	case !o.creds.signsIn():
		// OS_AUTH_TOKEN, else (only reached with --mock) a placeholder.
		t := o.getenv("OS_AUTH_TOKEN")
		if strings.TrimSpace(t) == "" {
			t = mockToken
		}
		o.token = secret.New(t)
		return endpoint, nil
	}
	for _, w := range o.creds.signIn.Warnings() {
		fmt.Fprintf(o.errOut, "warning: %s\n", redact.Printable(w))
	}
	if o.dryRun {
		o.signInNote = o.creds.signIn.Describe()
		o.token = secret.New(dryRunToken)
		o.ProjectID = cmp.Or(o.ProjectID, unknownProject)
		return endpoint, nil
	}
	return o.signInNow(ctx, endpoint, hc)
}

// signInNow signs in, checks an explicit project ID against the token's
// and makes the session the client's token source.
func (o *replicateOptions) signInNow(ctx context.Context, endpoint string, hc *http.Client) (string, error) {
	if o.mock && o.ProjectID != "" {
		fmt.Fprintf(o.errOut, "warning: --mock: the fake IAM makes up its projects' IDs; %s %s is not used\n", o.projectFrom, redact.Printable(o.ProjectID))
		o.ProjectID = ""
	}
	session, err := auth.NewSession(*o.creds.signIn, auth.WithHTTPClient(hc))
	if err != nil {
		return "", &usageError{err: errors.New(authText(err))}
	}
	scoped, err := session.ProjectID(ctx)
	if err != nil {
		return "", err // callError explains it
	}
	if err := auth.CheckProjectID(o.ProjectID, scoped); err != nil {
		return "", &invalidError{fmt.Errorf("%s: %s", o.projectFrom, authText(err))}
	}
	o.ProjectID, o.projectFrom, o.Token = scoped, "the token's project", session
	if endpoint == "" {
		if endpoint, err = session.Endpoint(ctx, "cbr", o.Region); err != nil {
			return "", err
		}
		o.endpointFrom = "the catalog's CBR URL"
	}
	return endpoint, nil
}
