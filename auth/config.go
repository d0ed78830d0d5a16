package auth

import (
	"bytes"
	"cmp"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/gophercloud/gophercloud/v2"
	"github.com/gophercloud/gophercloud/v2/openstack/config/clouds"
	"github.com/gophercloud/gophercloud/v2/openstack/identity/v3/tokens"
	"gopkg.in/yaml.v2"

	"github.com/cbr-replicate/cbr-replicate/internal/limit"
	"github.com/cbr-replicate/cbr-replicate/internal/loopback"
	"github.com/cbr-replicate/cbr-replicate/internal/redact"
	"github.com/cbr-replicate/cbr-replicate/secret"
)

// Config says where and as whom to sign in. IDs win over names: with
// ProjectID set, ProjectName is only checked against the token's project;
// with DomainID set, DomainName is not sent.
type Config struct {
	// AuthURL is IAM's Keystone v3 endpoint, e.g.
	// "https://iam.eu-de.otc.t-systems.com:443/v3".
	AuthURL string
	// Username (with DomainName or DomainID) or UserID names the user.
	Username, UserID string
	// Password of the user, for the password method.
	Password secret.Value
	// DomainName or DomainID is the user's domain (on Open Telekom Cloud
	// the account, "OTC00000000001000000xxx"); also the project's, unless
	// ProjectDomainName or ProjectDomainID says otherwise.
	DomainName, DomainID string
	// ProjectName (e.g. "eu-de" or "eu-de_sub") or ProjectID is the project
	// the token is scoped to. Required with a password.
	ProjectName, ProjectID string
	// ProjectDomainName or ProjectDomainID is the project's domain when it
	// is not the user's.
	ProjectDomainName, ProjectDomainID string
	// Passcode is the current code of the user's virtual MFA device
	// (OS_PASSCODE, passcode in clouds.yaml or secure.yaml), for an account
	// with login protection. The sign-in then sends the methods "password"
	// and "totp", the latter with UserID (required) and the passcode, as IAM's
	// page "Obtaining a User Token Through Password Authentication and
	// Virtual MFA" has it, and the password's user by name and domain when
	// they are set. A code is good for one sign-in: a Session sends it
	// once, and renewing its token (after a day, or after Invalidate)
	// needs a new Session with a new code.
	Passcode secret.Value
	// Region is the region the configuration names (clouds.yaml region_name
	// or OS_REGION_NAME); "" when it names none.
	Region string
	// Token is an IAM token to sign in with instead of a password (the
	// token method; OS_AUTH_TOKEN): rescoped to the project when one is
	// set, else used as it is.
	Token secret.Value
	// TLS is the TLS configuration clouds.yaml asks for (cacert, cert,
	// key, verify); nil means the system's defaults.
	TLS *tls.Config
	// Source says where the configuration came from, e.g.
	// `clouds.yaml cloud "otc" (/home/me/.config/openstack/clouds.yaml)`.
	Source string

	warnings []string // of the files FromCloud read
}

// Warnings says what in c puts its secrets at risk, a sentence each, for a
// command to print whenever it signs in: TLS certificates not verified
// (verify: false), a clouds.yaml or secure.yaml holding secrets that group
// or others can read.
func (c *Config) Warnings() []string {
	if c == nil {
		return nil
	}
	w := c.warnings
	if c.TLS != nil && c.TLS.InsecureSkipVerify {
		what, host := "the password", redact.URL(c.AuthURL)
		if !c.Token.IsZero() {
			what = "the token"
		}
		if u, err := url.Parse(c.AuthURL); err == nil {
			host = u.Hostname()
		}
		w = append(w[:len(w):len(w)], fmt.Sprintf("TLS certificates are not verified (verify: false): %s goes to whoever answers for %s", what, host))
	}
	return w
}

// FromCloud reads the cloud name from clouds.yaml with gophercloud's
// clouds.Parse ("" means the cloud named by OS_CLOUD): the file named by
// OS_CLIENT_CONFIG_FILE, else the first of ./clouds.yaml,
// $XDG_CONFIG_HOME/openstack/clouds.yaml (~/.config by default) and
// /etc/openstack/clouds.yaml, with secure.yaml beside it merged in (the
// place for the password), and auth.passcode of either. Each file is read
// only up to 1 MiB; a YAML error names the file and its lines, never its
// words. OS_REGION_NAME overrides region_name, as with gophercloud. Only
// reading fails here; [Config.Validate] checks the result and
// [Config.Warnings] says what puts its secrets at risk.
func FromCloud(name string) (Config, error) {
	name = cmp.Or(name, os.Getenv("OS_CLOUD"))
	if name == "" {
		return Config{}, errors.New("auth: no cloud named: name one or set OS_CLOUD")
	}
	file, looked, err := findConfig("clouds.yaml")
	if err != nil {
		return Config{}, fmt.Errorf("auth: clouds.yaml: %w", err)
	}
	if file == "" {
		return Config{}, fmt.Errorf("auth: no clouds.yaml for cloud %q: looked for %s", name, strings.Join(looked, ", "))
	}
	var c Config
	opts := []clouds.ParseOption{clouds.WithCloudName(name)}
	source, profile, passcode := fmt.Sprintf("clouds.yaml cloud %q (%s", name, file), false, ""
	for _, f := range []struct {
		kind, path string
		with       func(io.Reader) clouds.ParseOption
	}{{"clouds.yaml", file, clouds.WithCloudsYAML}, {"secure.yaml", filepath.Join(filepath.Dir(file), "secure.yaml"), clouds.WithSecureYAML}} {
		var v cloudsFile
		b, mode, err := readYAML(f.path, &clouds.Clouds{}, &v)
		switch {
		case f.kind == "secure.yaml" && (errors.Is(err, fs.ErrNotExist) || (err == nil && b == nil)):
			continue // none, or empty
		case err != nil:
			return Config{}, fmt.Errorf("auth: %s %w", f.kind, err)
		case b == nil:
			return Config{}, fmt.Errorf("auth: %s %s holds no YAML document", f.kind, f.path)
		}
		opts = append(opts, f.with(bytes.NewReader(b)))
		cloud := v.Clouds[name]
		if f.kind == "secure.yaml" {
			source += " and secure.yaml"
		}
		if a := cloud.Auth; mode&0o077 != 0 && (f.kind == "secure.yaml" || a.Password != "" || a.Token != "" || a.Passcode != "" || a.Secret != "") {
			c.warnings = append(c.warnings, fmt.Sprintf("%s %s can be read by group or others (mode %04o); it holds secrets: chmod 600 %s", f.kind, f.path, mode, f.path))
		}
		profile = profile || cloud.Profile != "" || cloud.Cloud != ""
		passcode = cmp.Or(cloud.Auth.Passcode, passcode)
	}
	if public, _, _ := findConfig("clouds-public.yaml"); profile && public != "" {
		b, _, err := readYAML(public, &clouds.PublicClouds{})
		if err != nil {
			return Config{}, fmt.Errorf("auth: clouds-public.yaml %w", err)
		}
		opts = append(opts, clouds.WithCloudsPublicYAML(bytes.NewReader(b)))
	}
	ao, eo, tlsConfig, err := clouds.Parse(opts...)
	if err == nil {
		err = c.fromAuthOptions(ao, source+")")
	}
	if err != nil {
		return Config{}, fmt.Errorf("auth: clouds.yaml %s, cloud %q: %w", file, name, err)
	}
	c.Region, c.Passcode = eo.Region, secret.New(passcode)
	if tlsConfig != nil && (tlsConfig.RootCAs != nil || tlsConfig.InsecureSkipVerify || len(tlsConfig.Certificates) > 0) {
		c.TLS = tlsConfig // clouds.Parse makes one always; keep it only when it asks for something
	}
	return c, nil
}

// cloudsFile is what FromCloud reads of clouds.yaml and secure.yaml itself:
// auth.passcode, which gophercloud's clouds.Cloud lacks; whether a cloud
// holds a secret; whether it names a profile of clouds-public.yaml.
type cloudsFile struct {
	Clouds map[string]struct {
		Profile string `yaml:"profile"`
		Cloud   string `yaml:"cloud"`
		Auth    struct {
			Password string `yaml:"password"`
			Token    string `yaml:"token"`
			Passcode string `yaml:"passcode"`
			Secret   string `yaml:"application_credential_secret"`
		} `yaml:"auth"`
	} `yaml:"clouds"`
}

// readYAML reads the regular file at path, at most limit.Config bytes, and
// decodes it into each of vs with the decoder gophercloud's clouds.Parse
// uses, so that clouds.Parse meets no YAML error (whose words quote values:
// a password, or its start). It returns the file's bytes (nil for a file
// without a YAML document) and permissions; its errors begin with path and
// name a YAML error's lines, never its words.
func readYAML(path string, vs ...any) ([]byte, fs.FileMode, error) {
	st, err := os.Stat(path)
	if err == nil && !st.Mode().IsRegular() {
		err = errors.New("not a regular file")
	}
	var b []byte
	if err == nil {
		var f *os.File
		if f, err = os.Open(path); err == nil {
			b, err = limit.ReadAll(f, limit.Config)
			_ = f.Close()
		}
	}
	if _, tooLarge := limit.TooLarge(err); tooLarge {
		return nil, 0, fmt.Errorf("%s is larger than %d MiB", path, limit.Config>>20)
	}
	if err != nil {
		return nil, 0, fmt.Errorf("%s: %w", path, err)
	}
	for _, v := range vs {
		if err := yaml.NewDecoder(bytes.NewReader(b)).Decode(v); errors.Is(err, io.EOF) {
			return nil, st.Mode().Perm(), nil
		} else if err != nil {
			return nil, 0, fmt.Errorf("%s: %s", path, yamlError(err))
		}
	}
	return b, st.Mode().Perm(), nil
}

// yamlLine is the line number that begins a YAML error (or one of a type
// error's).
var yamlLine = regexp.MustCompile(`^(?:yaml: )?(line \d+)`)

// yamlError says what is wrong with a YAML file and where, from a YAML
// decoding error: its line numbers, not its words, which quote the file's
// values (a password of secure.yaml, or its start).
func yamlError(err error) string {
	what, msgs := "not valid YAML", []string{err.Error()}
	if te, ok := errors.AsType[*yaml.TypeError](err); ok {
		what, msgs = "a value of the wrong type", te.Errors
	}
	var lines []string
	for _, m := range msgs[:min(len(msgs), 3)] {
		if l := yamlLine.FindStringSubmatch(m); l != nil {
			lines = append(lines, l[1])
		}
	}
	if len(lines) > 0 {
		what += " (" + strings.Join(lines, ", ") + ")"
	}
	return what
}

// findConfig returns the first file of ./name,
// $XDG_CONFIG_HOME/openstack/name (~/.config by default) and
// /etc/openstack/name, where clouds.Parse looks for clouds.yaml (unless
// OS_CLIENT_CONFIG_FILE names it) and clouds-public.yaml, "" for none, and
// where it looked.
func findConfig(name string) (string, []string, error) {
	looked := []string{os.Getenv("OS_CLIENT_CONFIG_FILE")}
	if name != "clouds.yaml" || looked[0] == "" {
		cwd, err := os.Getwd()
		if err != nil {
			return "", nil, err
		}
		userConfig := os.Getenv("XDG_CONFIG_HOME")
		if userConfig == "" {
			home, err := os.UserHomeDir()
			if err != nil {
				return "", nil, err
			}
			userConfig = filepath.Join(home, ".config")
		}
		looked = []string{filepath.Join(cwd, name), filepath.Join(userConfig, "openstack", name), filepath.Join("/etc/openstack", name)}
	}
	for _, p := range looked {
		if st, err := os.Stat(p); err == nil && !st.IsDir() {
			return p, looked, nil
		}
	}
	return "", looked, nil
}

// fromAuthOptions fills c with what clouds.Parse found, refusing what this
// package cannot sign in with.
func (c *Config) fromAuthOptions(ao gophercloud.AuthOptions, source string) error {
	if ao.ApplicationCredentialID != "" || ao.ApplicationCredentialName != "" || ao.ApplicationCredentialSecret != "" {
		return errors.New("application credentials are not supported: give a user and password, or a token")
	}
	c.AuthURL, c.Username, c.UserID, c.Password = ao.IdentityEndpoint, ao.Username, ao.UserID, secret.New(ao.Password)
	c.DomainName, c.DomainID, c.Token, c.Source = ao.DomainName, ao.DomainID, secret.New(ao.TokenID), source
	if s := ao.Scope; s != nil {
		if s.System || s.TrustID != "" {
			return errors.New("a system or trust scope is not supported: CBR needs a token scoped to a project")
		}
		c.ProjectID, c.ProjectName = s.ProjectID, s.ProjectName
		if s.ProjectName != "" {
			c.ProjectDomainID, c.ProjectDomainName = s.DomainID, s.DomainName
		}
	}
	return nil
}

// FromEnv reads the OS_* variables of an openrc through getenv (os.Getenv,
// which nil stands for, or a map's lookup in a test): OS_AUTH_URL, OS_USERNAME or OS_USER_ID
// (OS_USERID), OS_PASSWORD, OS_USER_DOMAIN_NAME or OS_USER_DOMAIN_ID
// (OS_DOMAIN_NAME, OS_DOMAIN_ID), OS_PROJECT_NAME or OS_PROJECT_ID
// (OS_TENANT_NAME, OS_TENANT_ID), OS_PROJECT_DOMAIN_NAME or
// OS_PROJECT_DOMAIN_ID, OS_REGION_NAME, OS_AUTH_TOKEN and OS_PASSCODE. It reads the
// variables itself rather than with gophercloud's AuthOptionsFromEnv, which
// reads the process environment only and ignores OS_USER_DOMAIN_NAME (the
// domain variable of Open Telekom Cloud's openrc), the project domain, the
// region and the token. Only an OS_IDENTITY_API_VERSION other than 3 fails
// here; [Config.Validate] checks the result.
func FromEnv(getenv func(string) string) (Config, error) {
	if getenv == nil {
		getenv = os.Getenv
	}
	get := func(names ...string) string {
		for _, n := range names {
			if v := strings.TrimSpace(getenv(n)); v != "" {
				return v
			}
		}
		return ""
	}
	if v := get("OS_IDENTITY_API_VERSION"); v != "" && v != "3" && !strings.HasPrefix(v, "3.") {
		return Config{}, fmt.Errorf("auth: OS_IDENTITY_API_VERSION is %q: only Keystone v3 (3) is supported", v)
	}
	return Config{
		AuthURL:           get("OS_AUTH_URL"),
		Username:          get("OS_USERNAME"),
		UserID:            get("OS_USER_ID", "OS_USERID"),
		Password:          secret.New(getenv("OS_PASSWORD")), // as it is: blanks may belong to it
		DomainName:        get("OS_USER_DOMAIN_NAME", "OS_DOMAIN_NAME"),
		DomainID:          get("OS_USER_DOMAIN_ID", "OS_DOMAIN_ID"),
		ProjectName:       get("OS_PROJECT_NAME", "OS_TENANT_NAME"),
		ProjectID:         get("OS_PROJECT_ID", "OS_TENANT_ID"),
		ProjectDomainName: get("OS_PROJECT_DOMAIN_NAME"),
		ProjectDomainID:   get("OS_PROJECT_DOMAIN_ID"),
		Region:            get("OS_REGION_NAME"),
		Token:             secret.New(get("OS_AUTH_TOKEN")),
		Passcode:          secret.New(get("OS_PASSCODE")),
		Source:            "OS_* environment variables",
	}, nil
}

// Validate reports every problem of c at once: no or a bad auth URL (not
// an absolute http or https URL; plain http to a host that is not loopback,
// which would send the password unencrypted), neither a password nor a
// token or both, no user, a user name without a domain, a passcode without
// a password or the user's ID, no project with a
// password, a project name without a domain.
func (c *Config) Validate() error {
	if c == nil {
		return errors.New("auth: no sign-in configuration (a nil *Config)")
	}
	var errs []error
	add := func(format string, a ...any) { errs = append(errs, fmt.Errorf(format, a...)) }
	if err := checkAuthURL(c.AuthURL); err != nil {
		errs = append(errs, err)
	}
	switch {
	case !c.Token.IsZero() && !c.Password.IsZero():
		add("both a password and a token are set: sign in with one (unset OS_AUTH_TOKEN or the password)")
	case c.Token.IsZero() && c.Password.IsZero():
		add("no password (OS_PASSWORD, or password in clouds.yaml or secure.yaml) and no token (OS_AUTH_TOKEN)")
	}
	if c.Token.IsZero() {
		switch {
		case c.Username == "" && c.UserID == "":
			add("no user: set a user name (OS_USERNAME, username) or ID (OS_USER_ID, user_id)")
		case c.UserID == "" && c.DomainName == "" && c.DomainID == "":
			add("user %q has no domain: set OS_USER_DOMAIN_NAME (user_domain_name), the account name OTC00000000001000000xxx", c.Username)
		}
		if !c.Passcode.IsZero() && c.UserID == "" {
			add("a passcode (OS_PASSCODE, passcode) needs the user's ID: set OS_USER_ID (user_id), which IAM's virtual MFA sign-in names the user by")
		}
		if c.ProjectID == "" && c.ProjectName == "" {
			add("no project: set OS_PROJECT_NAME (project_name, a region such as eu-de) or OS_PROJECT_ID (project_id); CBR needs a token scoped to a project")
		}
	}
	if !c.Passcode.IsZero() && !c.Token.IsZero() {
		add("a passcode goes with a password, not with a token (unset OS_PASSCODE or OS_AUTH_TOKEN)")
	}
	if c.ProjectID == "" && c.ProjectName != "" && c.projectDomain() == (domain{}) {
		add("project %q has no domain: set OS_PROJECT_DOMAIN_NAME or the user's domain (OS_USER_DOMAIN_NAME)", c.ProjectName)
	}
	if len(errs) > 0 {
		return fmt.Errorf("auth: %s: %w", c.source(), errors.Join(errs...))
	}
	return nil
}

func (c *Config) source() string { return cmp.Or(c.Source, "sign-in configuration") }

// checkAuthURL accepts an absolute http or https URL with a host, http
// only to a loopback host, without user info, query or fragment, whose path
// names no Keystone version but v3; errors show the URL redacted.
func checkAuthURL(raw string) error {
	if raw == "" {
		return errors.New("no auth URL: set OS_AUTH_URL (auth_url), e.g. https://iam.eu-de.otc.t-systems.com:443/v3")
	}
	u, err := url.Parse(raw)
	shown := redact.URL(raw)
	switch {
	case err != nil:
		return fmt.Errorf("auth URL %s is not a URL", shown)
	case u.Scheme != "https" && u.Scheme != "http":
		return fmt.Errorf("auth URL %s is not an absolute http or https URL", shown)
	case u.Host == "":
		return fmt.Errorf("auth URL %s has no host", shown)
	case u.User != nil || u.RawQuery != "" || u.ForceQuery || u.Fragment != "":
		return fmt.Errorf("auth URL %s must not carry user info, a query or a fragment", shown)
	case loopback.Unencrypted(u):
		return fmt.Errorf("auth URL %s is plain http to a host that is not loopback: the password would travel unencrypted (use https)", shown)
	case keystoneVersion.MatchString(path.Base(u.Path)) && !v3.MatchString(path.Base(u.Path)):
		return fmt.Errorf("auth URL %s names another Keystone version than v3: give IAM's v3 URL, e.g. https://iam.eu-de.otc.t-systems.com:443/v3", shown)
	}
	return nil
}

// keystoneVersion and v3 match the last segment of a Keystone URL's path
// that names a version, and names v3.
var keystoneVersion, v3 = regexp.MustCompile(`^v[0-9][0-9.]*$`), regexp.MustCompile(`^v3(\.[0-9]+)?$`)

// v3URL is the Keystone v3 URL the sign-in uses, of an auth URL that
// checkAuthURL accepts: the URL itself when its path ends in /v3, else the
// URL with /v3 appended, as the cloud's documents write it
// (https://iam.eu-de.otc.t-systems.com:443/v3). Nothing asks IAM for its
// versions: a version document may name another host or plain http.
func v3URL(raw string) string {
	raw = strings.TrimSuffix(raw, "/")
	if u, err := url.Parse(raw); err == nil && v3.MatchString(path.Base(u.Path)) {
		return raw
	}
	return raw + "/v3"
}

type domain struct{ id, name string }

// userDomain is the domain sent with a user name: the ID if set.
func (c *Config) userDomain() domain {
	if c.DomainID != "" {
		return domain{id: c.DomainID}
	}
	return domain{name: c.DomainName}
}

// projectDomain is the domain sent with a project name: the project's own
// if set, else the user's.
func (c *Config) projectDomain() domain {
	switch {
	case c.ProjectDomainID != "":
		return domain{id: c.ProjectDomainID}
	case c.ProjectDomainName != "":
		return domain{name: c.ProjectDomainName}
	}
	return c.userDomain()
}

// authOptions maps c to gophercloud's AuthOptions: the password method with
// the user by ID or by name and domain (by name when a passcode is set, as
// IAM's MFA page has it), with the totp method when a passcode is set; or
// the token method; the scope of the project by ID or by name and domain
// (none with a bare token, which is then used as it is).
func (c *Config) authOptions() tokens.AuthOptionsBuilder {
	ao := &gophercloud.AuthOptions{IdentityEndpoint: c.AuthURL}
	switch d := c.userDomain(); {
	case !c.Token.IsZero():
		ao.TokenID = c.Token.Reveal()
	case c.UserID != "" && (c.Passcode.IsZero() || c.Username == "" || d == domain{}):
		ao.Password, ao.UserID = c.Password.Reveal(), c.UserID
	default:
		ao.Password, ao.Username, ao.DomainID, ao.DomainName = c.Password.Reveal(), c.Username, d.id, d.name
	}
	switch {
	case c.ProjectID != "":
		ao.Scope = &gophercloud.AuthScope{ProjectID: c.ProjectID}
	case c.ProjectName != "":
		d := c.projectDomain()
		ao.Scope = &gophercloud.AuthScope{ProjectName: c.ProjectName, DomainID: d.id, DomainName: d.name}
	}
	if c.Passcode.IsZero() {
		return ao
	}
	return totp{AuthOptions: ao, userID: c.UserID, passcode: c.Passcode.Reveal()}
}

// totp adds the totp method of IAM's login protection (virtual MFA) to
// gophercloud's password sign-in as IAM's page has it: "methods":
// ["password", "totp"] and totp.user with the user's id and the passcode.
// gophercloud's own Passcode names the totp user as it names the password
// user, by name and domain when it has them, where the page requires the ID.
type totp struct {
	*gophercloud.AuthOptions
	userID, passcode string
}

// ToTokenV3CreateMap is gophercloud's body of the password sign-in with the
// totp method added.
func (o totp) ToTokenV3CreateMap(scope map[string]any) (map[string]any, error) {
	body, err := o.AuthOptions.ToTokenV3CreateMap(scope)
	if err != nil {
		return nil, err
	}
	auth, _ := body["auth"].(map[string]any)
	identity, ok := auth["identity"].(map[string]any)
	if !ok {
		return nil, errors.New("gophercloud's sign-in body has no auth.identity")
	}
	identity["methods"] = []string{"password", "totp"}
	identity["totp"] = map[string]any{"user": map[string]any{"id": o.userID, "passcode": o.passcode}}
	return body, nil
}

// Describe says where c signs in, for a dry run, without signing in:
// `IAM https://iam.eu-de.otc.t-systems.com:443/v3, user alice (domain
// OTC00000000001000000001), project eu-de (domain OTC00000000001000000001),
// region eu-de; from clouds.yaml cloud "otc" (...)`.
func (c *Config) Describe() string {
	if c == nil {
		return "no sign-in configuration"
	}
	var b strings.Builder
	b.WriteString("IAM " + cmp.Or(redact.URL(c.AuthURL), "(none)"))
	switch {
	case !c.Token.IsZero():
		b.WriteString(", a token")
	case c.UserID != "":
		b.WriteString(", user ID " + c.UserID)
	default:
		b.WriteString(", user " + cmp.Or(c.Username, "(none)") + " (" + describeDomain(c.userDomain()) + ")")
	}
	if !c.Passcode.IsZero() {
		b.WriteString(" with a virtual MFA passcode")
	}
	switch {
	case c.ProjectID != "":
		b.WriteString(", project ID " + c.ProjectID)
	case c.ProjectName != "":
		b.WriteString(", project " + c.ProjectName + " (" + describeDomain(c.projectDomain()) + ")")
	default:
		b.WriteString(", project: none")
	}
	if c.Region != "" {
		b.WriteString(", region " + c.Region)
	}
	if c.TLS != nil && c.TLS.InsecureSkipVerify {
		b.WriteString(", TLS certificates NOT verified")
	}
	b.WriteString("; from " + c.source())
	return b.String()
}

func describeDomain(d domain) string {
	switch {
	case d.id != "":
		return "domain ID " + d.id
	case d.name != "":
		return "domain " + d.name
	}
	return "no domain"
}
