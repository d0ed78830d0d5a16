package cbrtest

// A fake of IAM's token endpoint (Keystone v3, POST /v3/auth/tokens), so that
// sign-in code can be tested end to end and the fake CBR can accept only the
// tokens it issued. Self-contained: nothing here depends on the fake CBR.

import (
	"bufio"
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/go-json-experiment/json"

	"github.com/cbr-replicate/cbr-replicate/internal/limit"
	"github.com/cbr-replicate/cbr-replicate/internal/redact"
)

// IAMTokenLifetime is how long a token of [IAM] lives unless
// IAMOptions.Lifetime says otherwise: 24 hours, as on Open Telekom Cloud.
const IAMTokenLifetime = 24 * time.Hour

// iamMaxTokens bounds the tokens an [IAM] remembers: past it, the oldest
// is forgotten, so a long-running mock cannot be grown without bound.
const iamMaxTokens = 1 << 16

// IAMUser is one account of [IAM]: a user of a domain (an account, on Open
// Telekom Cloud "OTC00000000001000000xxx") with a password and a project it
// may scope tokens to (a region such as "eu-de", or "eu-de_sub"). A user
// with several projects is several IAMUsers with the same password.
type IAMUser struct {
	Domain, Name, Password, Project string
}

// DomainID is the ID [IAM] gives the user's domain: 32 hex digits derived
// from its name, stable across runs.
func (u IAMUser) DomainID() string { return iamID("domain", u.Domain) }

// UserID is the ID [IAM] gives the user, derived from domain and name.
func (u IAMUser) UserID() string { return iamID("user", u.Domain, u.Name) }

// ProjectID is the ID [IAM] gives the user's project, derived from domain
// and project name: what a token scoped to it carries as token.project.id.
func (u IAMUser) ProjectID() string { return iamID("project", u.Domain, u.Project) }

// Region is the region of the user's project: its name up to the first
// "_" ("eu-de" for "eu-de" and "eu-de_sub").
func (u IAMUser) Region() string {
	region, _, _ := strings.Cut(u.Project, "_")
	return region
}

// String shows the user without the password.
func (u IAMUser) String() string {
	return fmt.Sprintf("%s/%s (project %s)", u.Domain, u.Name, u.Project)
}

// GoString shows the user without the password, also for %#v.
func (u IAMUser) GoString() string {
	return fmt.Sprintf("cbrtest.IAMUser{Domain: %q, Name: %q, Password: %q, Project: %q}", u.Domain, u.Name, iamRedacted, u.Project)
}

// iamRedacted is what a printed IAMUser shows for its password.
const iamRedacted = redact.Redacted

func iamID(kind string, parts ...string) string {
	sum := sha256.Sum256([]byte(kind + "\x00" + strings.Join(parts, "\x00")))
	return hex.EncodeToString(sum[:16])
}

// ParseIAMUsers reads the users file of `cbr-replicate mock --iam-users-file`:
// one user a line, "domain user password project" separated by blanks;
// blank lines and lines starting with "#" are skipped. Every bad line is
// reported at once, by number, never with its content (it holds a
// password); so are a user listed twice for one project and a user with two
// different passwords. The input is read up to limit.Input.
func ParseIAMUsers(r io.Reader) ([]IAMUser, error) {
	data, err := limit.ReadAll(r, limit.Input)
	if err != nil {
		return nil, fmt.Errorf("cbrtest: reading IAM users: %w", err)
	}
	var (
		users []IAMUser
		errs  []error
		seen  = map[[3]string]int{}     // line of each user and project
		first = map[[2]string]iamLine{} // each user's first line
	)
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(nil, len(data)+1)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		f := strings.Fields(line)
		if len(f) != 4 {
			errs = append(errs, fmt.Errorf("line %d: %d fields, want 4 (domain user password project)", n, len(f)))
			continue
		}
		u := IAMUser{Domain: f[0], Name: f[1], Password: f[2], Project: f[3]}
		key := [3]string{u.Domain, u.Name, u.Project}
		if prev, ok := seen[key]; ok {
			errs = append(errs, fmt.Errorf("line %d: user %s of domain %s is already listed for project %s on line %d", n, u.Name, u.Domain, u.Project, prev))
			continue
		}
		seen[key] = n
		if prev, ok := first[[2]string{u.Domain, u.Name}]; !ok {
			first[[2]string{u.Domain, u.Name}] = iamLine{n, u.Password}
		} else if prev.password != u.Password {
			errs = append(errs, fmt.Errorf("line %d: user %s of domain %s has another password than on line %d", n, u.Name, u.Domain, prev.n))
			continue
		}
		users = append(users, u)
	}
	if err := sc.Err(); err != nil {
		errs = append(errs, err)
	}
	if len(errs) > 0 {
		return nil, fmt.Errorf("cbrtest: IAM users: %w", errors.Join(errs...))
	}
	if len(users) == 0 {
		return nil, errors.New("cbrtest: IAM users: no user")
	}
	return users, nil
}

type iamLine struct {
	n        int
	password string
}

// IAMOptions configures an [IAM].
type IAMOptions struct {
	// Users are the accounts that may sign in (at least one).
	Users []IAMUser
	// Lifetime of the tokens issued; 0 means IAMTokenLifetime (24 h).
	Lifetime time.Duration
	// CatalogURL gives the URL of the "cbr" service for a token's region
	// and project, as its catalog lists it (the fake CBR's own URL, say).
	// Nil: the catalog of every token is empty.
	CatalogURL func(region, projectID string) string
	// Now is the fake's clock; nil means time.Now.
	Now func() time.Time
}

// IAM is a fake of IAM's token endpoint, an http.Handler for
// POST /v3/auth/tokens (Keystone v3): the password method with the user by
// name and domain (by name or ID) or by ID, and the token method (a token
// it issued, rescoped); a project scope by name (with its domain) or ID, or
// none (an unscoped token, without project or catalog). A good request gets
// 201 with a fresh random token in X-Subject-Token and the token's
// expires_at, issued_at, methods, user, project and catalog in the body; a
// wrong password, an unknown user or a project the user has no access to
// gets 401 with Keystone's error body, a malformed request 400.
// GET /v3/auth/tokens (X-Auth-Token and X-Subject-Token, both issued here)
// shows a token, GET / and GET /v3 the version document.
//
// Passwords are kept only as salted SHA-256 sums and tokens only as SHA-256
// sums; nothing is logged.
type IAM struct {
	lifetime   time.Duration
	catalogURL func(region, projectID string) string
	selfURL    bool // the catalog points at the server that answered (a Fake's own IAM)
	now        func() time.Time
	salt       [16]byte
	users      []iamAccount

	mu      sync.Mutex
	tokens  map[[sha256.Size]byte]*iamToken
	order   [][sha256.Size]byte // issue order, for the bound
	signIns int
}

type iamAccount struct {
	user     IAMUser // Password cleared
	password [sha256.Size]byte
}

type iamToken struct {
	user      IAMUser
	scoped    bool
	methods   []string
	issued    time.Time
	expires   time.Time
	projectID string
	catalog   string // the cbr endpoint its catalog lists; "" none
}

// NewIAM returns an IAM for o.Users; every user needs a domain, a name, a
// password and a project.
func NewIAM(o IAMOptions) (*IAM, error) {
	i := &IAM{
		lifetime:   o.Lifetime,
		catalogURL: o.CatalogURL,
		now:        o.Now,
		tokens:     map[[sha256.Size]byte]*iamToken{},
	}
	if i.lifetime <= 0 {
		i.lifetime = IAMTokenLifetime
	}
	if i.now == nil {
		i.now = time.Now
	}
	if _, err := rand.Read(i.salt[:]); err != nil {
		return nil, fmt.Errorf("cbrtest: IAM salt: %w", err)
	}
	var errs []error
	for n, u := range o.Users {
		if u.Domain == "" || u.Name == "" || u.Password == "" || u.Project == "" {
			errs = append(errs, fmt.Errorf("user %d (%s): domain, name, password and project are all required", n+1, u))
			continue
		}
		a := iamAccount{user: u, password: i.hash(u.Password)}
		a.user.Password = ""
		if other := i.account(u.Domain, u.Name); other != nil && other.password != a.password {
			errs = append(errs, fmt.Errorf("user %d (%s): another password than an earlier entry of the same user", n+1, u))
			continue
		}
		i.users = append(i.users, a)
	}
	if len(errs) > 0 {
		return nil, fmt.Errorf("cbrtest: NewIAM: %w", errors.Join(errs...))
	}
	if len(i.users) == 0 {
		return nil, errors.New("cbrtest: NewIAM: no user")
	}
	return i, nil
}

// account returns the first entry of the user, or nil.
func (i *IAM) account(domain, name string) *iamAccount {
	for k := range i.users {
		if u := i.users[k].user; u.Domain == domain && u.Name == name {
			return &i.users[k]
		}
	}
	return nil
}

func (i *IAM) hash(password string) [sha256.Size]byte {
	return sha256.Sum256(append(i.salt[:], password...))
}

// SignIns counts the tokens issued so far (both methods).
func (i *IAM) SignIns() int {
	i.mu.Lock()
	defer i.mu.Unlock()
	return i.signIns
}

// Valid tells whether token was issued by i and has not expired, and the
// ID of the project it is scoped to ("" for an unscoped token).
func (i *IAM) Valid(token string) (projectID string, ok bool) {
	t, ok := i.lookup(token)
	if !ok {
		return "", false
	}
	return t.projectID, true
}

// RevokeAll forgets every token issued so far, as if they had expired (for
// a test of a 401 from CBR with the token a client holds).
func (i *IAM) RevokeAll() {
	i.mu.Lock()
	defer i.mu.Unlock()
	clear(i.tokens)
	i.order = i.order[:0]
}

// Revoke forgets token, as if it had expired (for a test of a 401 from
// CBR with a token the client still holds).
func (i *IAM) Revoke(token string) {
	i.mu.Lock()
	defer i.mu.Unlock()
	delete(i.tokens, sha256.Sum256([]byte(token)))
}

func (i *IAM) lookup(token string) (*iamToken, bool) {
	if token == "" {
		return nil, false
	}
	i.mu.Lock()
	defer i.mu.Unlock()
	t, ok := i.tokens[sha256.Sum256([]byte(token))]
	if !ok || !i.now().Before(t.expires) {
		return nil, false
	}
	return t, true
}

// ServeHTTP answers the token and version requests.
func (i *IAM) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch path := strings.TrimSuffix(r.URL.Path, "/"); path {
	case "/v3/auth/tokens":
		switch r.Method {
		case http.MethodPost:
			i.create(w, r)
		case http.MethodGet, http.MethodHead:
			i.show(w, r)
		default:
			w.Header().Set("Allow", "GET, HEAD, POST")
			iamError(w, http.StatusMethodNotAllowed, "Method Not Allowed", "The method is not allowed for the requested URL.")
		}
	case "", "/v3":
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			iamError(w, http.StatusMethodNotAllowed, "Method Not Allowed", "The method is not allowed for the requested URL.")
			return
		}
		i.versions(w, r, path == "")
	default:
		iamError(w, http.StatusNotFound, "Not Found", "The resource could not be found.")
	}
}

// iamAuthRequest is the body of POST /v3/auth/tokens, as much as the fake
// reads of it.
type iamAuthRequest struct {
	Auth *struct {
		Identity *struct {
			Methods  []string `json:"methods"`
			Password *struct {
				User *iamRef `json:"user"`
			} `json:"password"`
			Token *struct {
				ID string `json:"id"`
			} `json:"token"`
		} `json:"identity"`
		Scope *struct {
			Project *iamRef        `json:"project"`
			Domain  *iamRef        `json:"domain"`
			System  map[string]any `json:"system"`
		} `json:"scope"`
	} `json:"auth"`
}

// iamRef names a user, project or domain by ID or by name (and domain).
type iamRef struct {
	ID       string  `json:"id"`
	Name     string  `json:"name"`
	Password *string `json:"password"`
	Domain   *iamRef `json:"domain"`
}

const iamUnauthorized = "The request you have made requires authentication."

func (i *IAM) create(w http.ResponseWriter, r *http.Request) {
	body, err := limit.ReadAll(r.Body, limit.Request)
	if err != nil {
		if _, ok := limit.TooLarge(err); ok {
			iamError(w, http.StatusRequestEntityTooLarge, "Request Entity Too Large", "Request is too large.")
			return
		}
		iamError(w, http.StatusBadRequest, "Bad Request", "The request body could not be read.")
		return
	}
	var req iamAuthRequest
	if err := json.Unmarshal(body, &req); err != nil || req.Auth == nil || req.Auth.Identity == nil {
		iamError(w, http.StatusBadRequest, "Bad Request", "Invalid input for field 'identity': a JSON object {\"auth\": {\"identity\": ...}} is required.")
		return
	}
	id := req.Auth.Identity
	var (
		user    IAMUser
		ok      bool
		expires time.Time
	)
	switch {
	case len(id.Methods) == 1 && id.Methods[0] == "password" && id.Password != nil && id.Password.User != nil:
		user, ok = i.checkPassword(id.Password.User)
	case len(id.Methods) == 1 && id.Methods[0] == "token" && id.Token != nil:
		var t *iamToken
		if t, ok = i.lookup(id.Token.ID); ok {
			user, expires = t.user, t.expires // a rescoped token expires with the original
		}
	default:
		iamError(w, http.StatusBadRequest, "Bad Request", "Invalid input for field 'identity': methods must be [\"password\"] with password.user or [\"token\"] with token.id.")
		return
	}
	if !ok {
		iamError(w, http.StatusUnauthorized, "Unauthorized", iamUnauthorized)
		return
	}
	scoped := false
	if s := req.Auth.Scope; s != nil {
		if s.Project == nil || s.Domain != nil || s.System != nil {
			iamError(w, http.StatusUnauthorized, "Unauthorized", "This IAM scopes tokens to projects only.")
			return
		}
		if user, ok = i.checkProject(user, s.Project); !ok {
			iamError(w, http.StatusUnauthorized, "Unauthorized", iamUnauthorized)
			return
		}
		scoped = true
	}
	token, t, err := i.issue(user, scoped, id.Methods, expires)
	if err == nil && scoped {
		t.catalog = i.catalogFor(r, user.Region(), t.projectID)
	}
	if err != nil {
		iamError(w, http.StatusInternalServerError, "Internal Server Error", "No token could be made.")
		return
	}
	w.Header().Set("X-Subject-Token", token)
	i.writeToken(w, http.StatusCreated, t)
}

// checkPassword finds the user ref names and checks its password, in
// constant time for every user of the same name.
func (i *IAM) checkPassword(ref *iamRef) (IAMUser, bool) {
	if ref.Password == nil {
		return IAMUser{}, false
	}
	sum := i.hash(*ref.Password)
	for _, a := range i.users {
		u := a.user
		byID := ref.ID != "" && ref.ID == u.UserID()
		byName := ref.ID == "" && ref.Name == u.Name && ref.Domain != nil &&
			((ref.Domain.ID != "" && ref.Domain.ID == u.DomainID()) || (ref.Domain.ID == "" && ref.Domain.Name == u.Domain))
		if byID || byName {
			// Every entry of a user has the same password: the first decides.
			return u, subtle.ConstantTimeCompare(sum[:], a.password[:]) == 1
		}
	}
	return IAMUser{}, false
}

// checkProject returns the entry of user's account for the project ref
// names, if the user has it.
func (i *IAM) checkProject(user IAMUser, ref *iamRef) (IAMUser, bool) {
	for _, a := range i.users {
		u := a.user
		if u.Domain != user.Domain || u.Name != user.Name {
			continue
		}
		byID := ref.ID != "" && ref.ID == u.ProjectID()
		byName := ref.ID == "" && ref.Name == u.Project && ref.Domain != nil &&
			((ref.Domain.ID != "" && ref.Domain.ID == u.DomainID()) || (ref.Domain.ID == "" && ref.Domain.Name == u.Domain))
		if byID || byName {
			return u, true
		}
	}
	return IAMUser{}, false
}

// issue makes a fresh random token for user and remembers its sum; expires
// zero means now plus the lifetime.
func (i *IAM) issue(user IAMUser, scoped bool, methods []string, expires time.Time) (string, *iamToken, error) {
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", nil, err
	}
	token := "MII" + hex.EncodeToString(b[:]) // Keystone's PKI-looking prefix, as IAM's tokens start
	now := i.now()
	if expires.IsZero() {
		expires = now.Add(i.lifetime)
	}
	t := &iamToken{user: user, scoped: scoped, methods: methods, issued: now, expires: expires}
	if scoped {
		t.projectID = user.ProjectID()
	}
	sum := sha256.Sum256([]byte(token))
	i.mu.Lock()
	defer i.mu.Unlock()
	i.signIns++
	i.tokens[sum] = t
	i.order = append(i.order, sum)
	for len(i.order) > iamMaxTokens {
		delete(i.tokens, i.order[0])
		i.order = i.order[1:]
	}
	return token, t, nil
}

// catalogFor is the cbr endpoint a token's catalog lists: CatalogURL's, or
// the URL of the server that answered r when the IAM is a Fake's own.
func (i *IAM) catalogFor(r *http.Request, region, projectID string) string {
	switch {
	case i.catalogURL != nil:
		return i.catalogURL(region, projectID)
	case i.selfURL && r.Host != "":
		scheme := "http"
		if r.TLS != nil {
			scheme = "https"
		}
		return scheme + "://" + r.Host
	}
	return ""
}

// show answers GET /v3/auth/tokens: the token in X-Subject-Token, for a
// caller with a valid X-Auth-Token (the same one, for a token's owner).
func (i *IAM) show(w http.ResponseWriter, r *http.Request) {
	if _, ok := i.lookup(r.Header.Get("X-Auth-Token")); !ok {
		iamError(w, http.StatusUnauthorized, "Unauthorized", iamUnauthorized)
		return
	}
	subject := r.Header.Get("X-Subject-Token")
	t, ok := i.lookup(subject)
	if !ok {
		iamError(w, http.StatusNotFound, "Not Found", "Could not find token.")
		return
	}
	w.Header().Set("X-Subject-Token", subject)
	i.writeToken(w, http.StatusOK, t)
}

// Keystone's JSON shapes of a token.
type (
	iamDomainJSON struct {
		ID   string `json:"id"`
		Name string `json:"name"`
	}
	iamProjectJSON struct {
		Domain iamDomainJSON `json:"domain"`
		ID     string        `json:"id"`
		Name   string        `json:"name"`
	}
	iamEndpointJSON struct {
		ID        string `json:"id"`
		Interface string `json:"interface"`
		Region    string `json:"region"`
		RegionID  string `json:"region_id"`
		URL       string `json:"url"`
	}
	iamServiceJSON struct {
		Endpoints []iamEndpointJSON `json:"endpoints"`
		ID        string            `json:"id"`
		Name      string            `json:"name"`
		Type      string            `json:"type"`
	}
	iamTokenJSON struct {
		Methods   []string          `json:"methods"`
		ExpiresAt string            `json:"expires_at"`
		IssuedAt  string            `json:"issued_at"`
		User      iamProjectJSON    `json:"user"`
		Project   *iamProjectJSON   `json:"project,omitempty"`
		Roles     []iamDomainJSON   `json:"roles,omitempty"`
		Catalog   *[]iamServiceJSON `json:"catalog,omitempty"`
	}
)

// iamTime is how Keystone writes a time: UTC, microseconds.
const iamTime = "2006-01-02T15:04:05.000000Z"

func (i *IAM) writeToken(w http.ResponseWriter, status int, t *iamToken) {
	u := t.user
	domain := iamDomainJSON{ID: u.DomainID(), Name: u.Domain}
	body := iamTokenJSON{
		Methods:   t.methods,
		ExpiresAt: t.expires.UTC().Format(iamTime),
		IssuedAt:  t.issued.UTC().Format(iamTime),
		User:      iamProjectJSON{Domain: domain, ID: u.UserID(), Name: u.Name},
	}
	if t.scoped {
		body.Project = &iamProjectJSON{Domain: domain, ID: t.projectID, Name: u.Project}
		body.Roles = []iamDomainJSON{{ID: iamID("role", "te_admin"), Name: "te_admin"}}
		catalog := []iamServiceJSON{}
		if t.catalog != "" {
			catalog = append(catalog, iamServiceJSON{
				ID: iamID("service", "cbr"), Name: "cbr", Type: "cbr",
				Endpoints: []iamEndpointJSON{{
					ID: iamID("endpoint", "cbr", u.Region()), Interface: "public",
					Region: u.Region(), RegionID: u.Region(), URL: t.catalog,
				}},
			})
		}
		body.Catalog = &catalog
	}
	iamWriteJSON(w, status, map[string]any{"token": body})
}

// versions answers the version document Keystone serves at / (all
// versions, 300) and at /v3 (this one, 200).
func (i *IAM) versions(w http.ResponseWriter, r *http.Request, root bool) {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	v3 := map[string]any{
		"id": "v3.0", "status": "stable", "updated": "2016-04-04T00:00:00Z",
		"links": []map[string]string{{"rel": "self", "href": scheme + "://" + r.Host + "/v3/"}},
	}
	if root {
		iamWriteJSON(w, http.StatusMultipleChoices, map[string]any{"versions": map[string]any{"values": []any{v3}}})
		return
	}
	iamWriteJSON(w, http.StatusOK, map[string]any{"version": v3})
}

// iamError writes Keystone's error body.
func iamError(w http.ResponseWriter, status int, title, message string) {
	iamWriteJSON(w, status, map[string]any{"error": map[string]any{"code": status, "message": message, "title": title}})
}

func iamWriteJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		status, b = http.StatusInternalServerError, []byte(`{"error":{"code":500,"message":"encoding failed","title":"Internal Server Error"}}`)
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(b)
}
