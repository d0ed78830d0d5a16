package cbrtest

import (
	"bytes"
	"cmp"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/go-json-experiment/json"

	"github.com/cbr-replicate/cbr-replicate/internal/limit"
	"github.com/cbr-replicate/cbr-replicate/secret"
)

const (
	// iamTokenLifetime is a token's life unless IAMOptions.Lifetime says
	// otherwise: 24 hours, as the token page says.
	iamTokenLifetime = 24 * time.Hour
	// iamStoreBytes bounds the memory of the tokens an [IAM] remembers
	// (8 MiB, about 37,000 tokens): past it, the oldest is forgotten.
	iamStoreBytes = 8 << 20
	// iamTokenBytes is what a remembered token may cost, whatever was sent:
	// its sum and iamToken four times over, for the map and the ring.
	iamTokenBytes = 4 * (sha256.Size + 24)
)

// IAMUser is one account of [IAM]: a user of a domain (an account, on Open
// Telekom Cloud "OTC00000000001000000xxx") with a password and a project it
// may scope tokens to (a region such as "eu-de", or "eu-de_sub"). A user
// with several projects is several IAMUsers with the same secrets.
type IAMUser struct {
	Domain   string
	Name     string
	Password secret.Value
	Project  string
	// Passcode, when set, turns on login protection: the user signs in only
	// with methods "password" and "totp" and this passcode, as from a
	// virtual MFA device whose code never changes.
	Passcode secret.Value
}

// DomainID is the ID [IAM] gives the user's domain: 32 hex digits derived
// from its name, stable across runs.
func (u IAMUser) DomainID() string { return iamID("domain", u.Domain) }

// UserID is the ID [IAM] gives the user, derived from domain and name.
func (u IAMUser) UserID() string { return iamID("user", u.Domain, u.Name) }

// ProjectID is the ID [IAM] gives the user's project, derived from domain
// and project name: what a token scoped to it carries as token.project.id.
func (u IAMUser) ProjectID() string { return iamID("project", u.Domain, u.Project) }

// region is the region of the user's project: its name up to the first "_".
func (u IAMUser) region() string {
	region, _, _ := strings.Cut(u.Project, "_")
	return region
}

// iamID derives a stable ID of 32 hex digits.
func iamID(kind string, parts ...string) string {
	sum := sha256.Sum256([]byte(kind + "\x00" + strings.Join(parts, "\x00")))
	return hex.EncodeToString(sum[:16])
}

// ParseIAMUsers reads the users file of `cbr-replicate mock --iam-users-file`:
// one user a line, "domain user password project [passcode]" separated by
// blanks; blank lines and lines starting with "#" are skipped. The bad
// lines are reported at once (the first 20, and how many more) by number,
// and no column of them is ever echoed (any may hold a secret). The input
// is read up to limit.Input, and at most 10,000 users.
func ParseIAMUsers(r io.Reader) ([]IAMUser, error) {
	var (
		users []IAMUser
		lines []int // of each user
	)
	errs, err := eachLine(r, func(n int, f []string, errs *iamErrors) {
		switch {
		case len(f) < 4 || len(f) > 5:
			errs.add("line %d: %d fields, want 4 or 5 (domain user password project [passcode])", n, len(f))
		case len(users) == iamMaxUsers:
			errs.add("line %d: more than %d users", n, iamMaxUsers)
		default:
			u := IAMUser{Domain: f[0], Name: f[1], Password: secret.New(f[2]), Project: f[3]}
			if len(f) == 5 {
				u.Passcode = secret.New(f[4])
			}
			users, lines = append(users, u), append(lines, n)
		}
	})
	if err != nil {
		return nil, fmt.Errorf("cbrtest: reading IAM users: %w", err)
	}
	checkIAMUsers(users, func(k int) string { return fmt.Sprintf("line %d", lines[k]) }, errs)
	if err := errs.err("cbrtest: IAM users"); err != nil {
		return nil, err
	}
	return users, nil
}

// eachLine reads r, at most limit.Input, and calls record with the number
// and the blank-separated fields of each line that is neither blank nor a
// "#" comment, and the errors it collects.
func eachLine(r io.Reader, record func(n int, fields []string, errs *iamErrors)) (*iamErrors, error) {
	data, err := limit.ReadAll(r, limit.Input)
	if err != nil {
		return nil, err
	}
	errs, n := &iamErrors{}, 0
	for line := range bytes.Lines(data) {
		n++
		if f := strings.Fields(string(line)); len(f) > 0 && !strings.HasPrefix(f[0], "#") {
			record(n, f, errs)
		}
	}
	return errs, nil
}

const iamMaxUsers = 10_000

// iamErrors collects the first 20 errors and counts the others.
type iamErrors struct {
	errs     []error
	more     int
	reported map[string]bool // places with an error that addAt skips
}

// addAt adds a problem of a place ("line 7"), unless the place was reported.
func (e *iamErrors) addAt(where, format string, a ...any) {
	if !e.reported[where] {
		e.add("%s: "+format, append([]any{where}, a...)...)
	}
}

func (e *iamErrors) add(format string, a ...any) {
	if len(e.errs) < 20 {
		e.errs = append(e.errs, fmt.Errorf(format, a...))
	} else {
		e.more++
	}
}

// join joins the errors and the count of the others; nil without any.
func (e *iamErrors) join() error {
	if e.more > 0 {
		return errors.Join(append(e.errs, fmt.Errorf("and %d more", e.more))...)
	}
	return errors.Join(e.errs...)
}

// err joins the errors under prefix; nil without any.
func (e *iamErrors) err(prefix string) error {
	if err := e.join(); err != nil {
		return fmt.Errorf("%s: %w", prefix, err)
	}
	return nil
}

// checkIAMUsers adds to errs what is wrong with users, each named by
// where(k) ("user 3", "line 7"), never by its columns: none or too many, a
// missing field, a user listed twice for a project, or with other secrets
// than before.
func checkIAMUsers(users []IAMUser, where func(k int) string, errs *iamErrors) {
	switch {
	case len(users) == 0 && len(errs.errs) == 0:
		errs.add("no user")
	case len(users) > iamMaxUsers:
		errs.add("%d users, more than %d", len(users), iamMaxUsers)
	}
	first := map[[2]string]int{}   // each user's first entry
	entries := map[[3]string]int{} // each user and project's
	for k, u := range users {
		j, seen := first[[2]string{u.Domain, u.Name}]
		p, listed := entries[[3]string{u.Domain, u.Name, u.Project}]
		switch {
		case u.Domain == "" || u.Name == "" || u.Password.IsZero() || u.Project == "":
			errs.add("%s: domain, name, password and project are all required", where(k))
		case listed:
			errs.add("%s: the same user and project as %s", where(k), where(p))
		case seen && (u.Password.Reveal() != users[j].Password.Reveal() || u.Passcode.Reveal() != users[j].Passcode.Reveal()):
			errs.add("%s: the same user as %s with another password or passcode", where(k), where(j))
		case !seen:
			first[[2]string{u.Domain, u.Name}] = k
			fallthrough
		default:
			entries[[3]string{u.Domain, u.Name, u.Project}] = k
		}
	}
}

// IAMEndpoint is one endpoint of the catalog [IAM] puts in its tokens.
type IAMEndpoint struct {
	// Type is the service type clients look it up by: "cbr", "identity".
	Type string
	// Region is the endpoint's region ("eu-de"), "*" for a global service.
	Region string
	// URL is where the service is; "$(tenant_id)s" in it stands for the
	// token's project ID, as in the cloud's catalog. A URL without "://"
	// ("/v3", or "" for the root) is on the server that answered.
	URL string
}

// IAMCatalogForm is how the default catalog of [IAM] lists CBR.
type IAMCatalogForm int

const (
	// IAMCatalogWithProject lists CBR as Open Telekom Cloud does, with the
	// project in the URL: <URL>/v3/<project ID>. The default.
	IAMCatalogWithProject IAMCatalogForm = iota
	// IAMCatalogBare lists CBR as its bare <URL>, the form Huawei Cloud's
	// SDK builds for itself.
	IAMCatalogBare
)

// IAMOptions configures an [IAM].
type IAMOptions struct {
	// Users are the accounts that may sign in (at least one).
	Users []IAMUser
	// Lifetime of the tokens issued; 0 means 24 hours.
	Lifetime time.Duration
	// Catalog lists the endpoints of the tokens' catalogs: a token lists
	// those of its project's region and the global ones ("*"). Nil means
	// the default, on the server that answered: identity at /v3 and, for
	// each region of Users, cbr in CatalogForm.
	Catalog []IAMEndpoint
	// CatalogForm is the form of the default catalog's cbr URL
	// (/v3/$(tenant_id)s, or the root); ignored with Catalog.
	CatalogForm IAMCatalogForm
	// Now is the fake's clock; nil means time.Now.
	Now func() time.Time `json:"-"`
}

// IAM is a fake of IAM's token endpoint, an http.Handler for
// POST /v3/auth/tokens as Open Telekom Cloud's pages "Obtaining a User Token
// Through Password Authentication (and Virtual MFA)" document it: methods
// "password" (the user by ID, or by name with its domain's name or ID),
// "password" and "totp" for a user with a passcode (totp.user.id required,
// as the MFA page's table says), or "token" (one it issued, rescoped,
// expiring with it); the scope a project by ID, or by name with its domain;
// ?nocatalog. A good request gets 201, a fresh token in X-Subject-Token and
// the body of the page's example (mfa_authn_at too after a passcode). GET
// with X-Auth-Token and X-Subject-Token shows a token, as gophercloud asks
// for a token given without a scope.
//
// What the pages leave open, the fake chooses: a refused sign-in (a wrong
// password or passcode, the password alone for a user with a passcode, an
// unknown user or project) gets 401 with Keystone's error body, which Open
// Telekom Cloud's IAM has been seen to send, not saying what was wrong; no
// project scope (an unscoped or domain token) gets 400; a catalog lists its
// project's region and global endpoints; password_expires_at is "" (never).
//
// Secrets are kept as secret.Value, tokens as SHA-256 sums, at most 8 MiB
// of them; nothing is logged. The zero IAM and a nil *IAM answer 500
// and accept no token.
type IAM struct {
	lifetime time.Duration
	catalog  []IAMEndpoint
	now      func() time.Time
	accounts []IAMUser

	mu        sync.Mutex
	tokens    map[[sha256.Size]byte]iamToken
	ring      [][sha256.Size]byte // the sums in issue order, for the bound
	next      int                 // where the next sum goes in ring
	maxTokens int                 // iamStoreBytes / iamTokenBytes
	signIns   int
}

// iamToken is what a token keeps: nothing of its request, a fixed size.
type iamToken struct {
	account         int32 // index in IAM.accounts: the user and project
	method          uint8 // byPassword, byPasscode, byToken
	issued, expires int64 // Unix nanoseconds
}

// How a token was obtained, and the methods its answer lists.
const (
	byPassword = iota
	byPasscode
	byToken
)

var iamMethods = [...][]string{byPassword: {"password"}, byPasscode: {"password", "totp"}, byToken: {"token"}}

// NewIAM returns an IAM for o.Users; every user needs a domain, a name, a
// password and a project, and a user with several projects the same
// password and passcode for each.
func NewIAM(o IAMOptions) (*IAM, error) {
	i := &IAM{
		lifetime:  cmp.Or(max(o.Lifetime, 0), iamTokenLifetime),
		catalog:   slices.Clone(o.Catalog),
		now:       o.Now,
		tokens:    map[[sha256.Size]byte]iamToken{},
		maxTokens: iamStoreBytes / iamTokenBytes,
	}
	if i.now == nil {
		i.now = time.Now
	}
	var errs iamErrors
	checkIAMUsers(o.Users, func(k int) string { return fmt.Sprintf("user %d", k+1) }, &errs)
	if o.CatalogForm != IAMCatalogWithProject && o.CatalogForm != IAMCatalogBare {
		errs.add("unknown catalog form %d", o.CatalogForm)
	}
	for k, e := range o.Catalog {
		if e.Type == "" || e.Region == "" {
			errs.add("catalog endpoint %d: type and region are required", k+1)
		}
	}
	if err := errs.err("cbrtest: NewIAM"); err != nil {
		return nil, err
	}
	cbrURL := "/v3/$(tenant_id)s"
	if o.CatalogForm == IAMCatalogBare {
		cbrURL = ""
	}
	if i.catalog == nil {
		i.catalog = []IAMEndpoint{{Type: "identity", Region: "*", URL: "/v3"}}
	}
	for _, u := range o.Users {
		i.accounts = append(i.accounts, u)
		if o.Catalog == nil && !slices.ContainsFunc(i.catalog, func(e IAMEndpoint) bool { return e.Region == u.region() }) {
			i.catalog = append(i.catalog, IAMEndpoint{Type: "cbr", Region: u.region(), URL: cbrURL})
		}
	}
	return i, nil
}

// sameSecret is 1 when got is want's secret and 0 otherwise, compared in
// constant time (their sums, so that neither length shows).
func sameSecret(got string, want secret.Value) int {
	a, b := sha256.Sum256([]byte(got)), sha256.Sum256([]byte(want.Reveal()))
	return subtle.ConstantTimeCompare(a[:], b[:])
}

// SignIns counts the tokens issued so far (every method); 0 for the zero
// or a nil IAM.
func (i *IAM) SignIns() int {
	if i == nil {
		return 0
	}
	i.mu.Lock()
	defer i.mu.Unlock()
	return i.signIns
}

// Valid tells whether token was issued by i and has not expired, and the
// ID of the project it is scoped to.
func (i *IAM) Valid(token string) (projectID string, ok bool) {
	t, ok := i.lookup(token)
	if !ok {
		return "", false
	}
	return i.accounts[t.account].ProjectID(), true
}

// RevokeAll forgets every token issued so far, as if they had expired (for
// a test of a 401 from CBR with the token a client holds).
func (i *IAM) RevokeAll() {
	if i == nil {
		return
	}
	i.mu.Lock()
	defer i.mu.Unlock()
	clear(i.tokens)
	i.ring, i.next = i.ring[:0], 0
}

func (i *IAM) lookup(token string) (iamToken, bool) {
	if i == nil || i.now == nil || token == "" {
		return iamToken{}, false
	}
	i.mu.Lock()
	defer i.mu.Unlock()
	t, ok := i.tokens[sha256.Sum256([]byte(token))]
	return t, ok && i.now().UnixNano() < t.expires
}

// ServeHTTP answers POST and GET /v3/auth/tokens.
func (i *IAM) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch {
	case i == nil || i.now == nil:
		iamError(w, http.StatusInternalServerError, "This IAM was not built with cbrtest.NewIAM.")
	case strings.TrimSuffix(r.URL.Path, "/") != "/v3/auth/tokens":
		iamError(w, http.StatusNotFound, "The resource could not be found.")
	case r.Method == http.MethodPost:
		i.create(w, r)
	case r.Method == http.MethodGet:
		i.show(w, r)
	default:
		w.Header().Set("Allow", "GET, POST")
		iamError(w, http.StatusMethodNotAllowed, "The method is not allowed for the requested URL.")
	}
}

// iamAuthRequest is the body of POST /v3/auth/tokens, as much as the fake
// reads of it.
type iamAuthRequest struct {
	Auth *struct {
		Identity *struct {
			Methods  []string `json:"methods"`
			Password iamRef   `json:"password"` // .User
			TOTP     iamRef   `json:"totp"`     // .User
			Token    iamRef   `json:"token"`    // .ID
		} `json:"identity"`
		Scope *iamRef `json:"scope"` // .Project
	} `json:"auth"`
}

// iamRef names a user, project or domain by ID or by name (and domain);
// its fields match JSON names in lower case.
type iamRef struct {
	ID, Name, Password, Passcode string
	Domain, User, Project        *iamRef
}

func (i *IAM) create(w http.ResponseWriter, r *http.Request) {
	body, err := limit.ReadAll(r.Body, limit.Request) // over it: 400, the pages document no 413
	var req iamAuthRequest
	if err != nil || json.Unmarshal(body, &req, json.MatchCaseInsensitiveNames(true)) != nil || req.Auth == nil || req.Auth.Identity == nil {
		iamError(w, http.StatusBadRequest, `Invalid input for field 'identity': a JSON object {"auth": {"identity": ...}} is required.`)
		return
	}
	id, scope := req.Auth.Identity, req.Auth.Scope
	if scope == nil || scope.Project == nil {
		iamError(w, http.StatusBadRequest, "Invalid input for field 'scope': this fake IAM issues project-scoped tokens only (auth.scope.project).")
		return
	}
	account, method, expires := -1, uint8(byPassword), int64(0)
	switch methods := strings.Join(id.Methods, ","); {
	case methods == "password" && id.Password.User != nil:
		method, account = byPassword, i.checkPassword(id.Password.User, nil)
	case (methods == "password,totp" || methods == "totp,password") && id.Password.User != nil && id.TOTP.User != nil:
		if id.TOTP.User.ID == "" {
			iamError(w, http.StatusBadRequest, "Invalid input for field 'totp.user.id': the user's ID is required.")
			return
		}
		method, account = byPasscode, i.checkPassword(id.Password.User, id.TOTP.User)
	case methods == "token":
		if t, ok := i.lookup(id.Token.ID); ok {
			method, account, expires = byToken, int(t.account), t.expires // a rescoped token expires with the original
		}
	default:
		iamError(w, http.StatusBadRequest, `Invalid input for field 'identity': methods must be ["password"] with password.user, ["password", "totp"] with password.user and totp.user, or ["token"] with token.id.`)
		return
	}
	if account >= 0 {
		account = i.checkProject(i.accounts[account], scope.Project)
	}
	if account < 0 {
		iamError(w, http.StatusUnauthorized, "The request you have made requires authentication.")
		return
	}
	token, t := i.issue(account, method, expires)
	w.Header().Set("X-Subject-Token", token)
	i.writeToken(w, r, http.StatusCreated, t)
}

// checkPassword returns the account ref names if its password is right
// and, for a user with a passcode (only then), totp names the user by ID
// with the passcode; else -1. The secrets are compared in constant time.
func (i *IAM) checkPassword(ref, totp *iamRef) int {
	k := slices.IndexFunc(i.accounts, func(u IAMUser) bool { return iamNames(ref, u.UserID(), u.Name, u) })
	if k < 0 {
		return -1
	}
	u, passcode := i.accounts[k], "" // every entry of a user has the same secrets: the first decides
	if totp != nil {
		passcode = totp.Passcode
	}
	mfa := !u.Passcode.IsZero()
	if sameSecret(ref.Password, u.Password)&sameSecret(passcode, u.Passcode) != 1 ||
		(totp != nil) != mfa || (mfa && totp.ID != u.UserID()) {
		return -1
	}
	return k
}

// checkProject returns the account of user's for the project ref names, or
// -1 if the user has no such project.
func (i *IAM) checkProject(user IAMUser, ref *iamRef) int {
	for k, u := range i.accounts {
		if u.Domain == user.Domain && u.Name == user.Name && iamNames(ref, u.ProjectID(), u.Project, u) {
			return k
		}
	}
	return -1
}

// iamNames tells whether ref names the user or project of u with this ID
// and name: by ID, or by name with u's domain by ID or name.
func iamNames(ref *iamRef, id, name string, u IAMUser) bool {
	if ref.ID != "" {
		return ref.ID == id
	}
	d := ref.Domain
	return ref.Name == name && d != nil && ((d.ID != "" && d.ID == u.DomainID()) || (d.ID == "" && d.Name == u.Domain))
}

// issue makes a fresh random token for the account and remembers its sum,
// forgetting the oldest past maxTokens; expires zero means now plus the
// lifetime.
func (i *IAM) issue(account int, method uint8, expires int64) (string, iamToken) {
	token := "MII" + rand.Text() // as IAM's tokens start; 128 random bits
	now := i.now()
	expires = cmp.Or(expires, now.Add(i.lifetime).UnixNano())
	t := iamToken{account: int32(account), method: method, issued: now.UnixNano(), expires: expires}
	sum := sha256.Sum256([]byte(token))
	i.mu.Lock()
	defer i.mu.Unlock()
	if len(i.ring) < i.maxTokens {
		i.ring = append(i.ring, sum)
	} else {
		delete(i.tokens, i.ring[i.next])
		i.ring[i.next] = sum
	}
	i.next = (i.next + 1) % i.maxTokens
	i.tokens[sum] = t
	i.signIns++
	return token, t
}

// show answers GET /v3/auth/tokens: the token in X-Subject-Token, for a
// caller with a valid X-Auth-Token.
func (i *IAM) show(w http.ResponseWriter, r *http.Request) {
	if _, ok := i.lookup(r.Header.Get("X-Auth-Token")); !ok {
		iamError(w, http.StatusUnauthorized, "The request you have made requires authentication.")
		return
	}
	subject := r.Header.Get("X-Subject-Token")
	t, ok := i.lookup(subject)
	if !ok {
		iamError(w, http.StatusNotFound, "Could not find token.")
		return
	}
	w.Header().Set("X-Subject-Token", subject)
	i.writeToken(w, r, http.StatusOK, t)
}

// iamTime is how IAM writes a time: UTC, microseconds.
const iamTime = "2006-01-02T15:04:05.000000Z"

type iamObject = map[string]any

// writeToken writes t's answer in the shape of the token page's example;
// the catalog's URLs are made absolute with r's Host here, so that no
// token keeps it.
func (i *IAM) writeToken(w http.ResponseWriter, r *http.Request, status int, t iamToken) {
	u := i.accounts[t.account]
	domain := iamObject{"id": u.DomainID(), "name": u.Domain}
	issued := time.Unix(0, t.issued).UTC().Format(iamTime)
	token := iamObject{
		"methods":    iamMethods[t.method],
		"expires_at": time.Unix(0, t.expires).UTC().Format(iamTime),
		"issued_at":  issued,
		"user":       iamObject{"domain": domain, "id": u.UserID(), "name": u.Name, "password_expires_at": ""},
		"project":    iamObject{"domain": domain, "id": u.ProjectID(), "name": u.Project},
		"roles":      []iamObject{{"id": iamID("role", "te_admin"), "name": "te_admin"}},
	}
	if t.method == byPasscode {
		token["mfa_authn_at"] = issued
	}
	if r.URL.Query().Get("nocatalog") == "" {
		token["catalog"] = i.catalogFor(r, u)
	}
	iamWriteJSON(w, status, iamObject{"token": token})
}

// catalogFor lists the endpoints of u's region and the global ones,
// grouped by service, with the project ID and r's origin filled in.
func (i *IAM) catalogFor(r *http.Request, u IAMUser) []iamObject {
	origin := "http://" + r.Host
	if r.TLS != nil {
		origin = "https://" + r.Host
	}
	services, index := []iamObject{}, map[string]int{}
	for _, e := range i.catalog {
		if e.Region != "*" && e.Region != u.region() {
			continue
		}
		url := strings.ReplaceAll(e.URL, "$(tenant_id)s", u.ProjectID())
		if !strings.Contains(url, "://") {
			url = origin + url
		}
		k, ok := index[e.Type]
		if !ok {
			name := cmp.Or(map[string]string{"identity": "iam"}[e.Type], e.Type)
			k, index[e.Type] = len(services), len(services)
			services = append(services, iamObject{"id": iamID("service", e.Type), "name": name, "type": e.Type, "endpoints": []iamObject{}})
		}
		services[k]["endpoints"] = append(services[k]["endpoints"].([]iamObject), iamObject{
			"id": iamID("endpoint", e.Type, e.Region), "interface": "public", "region": e.Region, "region_id": e.Region, "url": url,
		})
	}
	return services
}

// iamError writes Keystone's error body, which IAM sends (the token pages
// document none).
func iamError(w http.ResponseWriter, status int, message string) {
	iamWriteJSON(w, status, iamObject{"error": iamObject{"code": status, "message": message, "title": http.StatusText(status)}})
}

func iamWriteJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v, json.Deterministic(true))
	if err != nil { // invalid UTF-8 in a Host header or a user's name
		status, b = http.StatusInternalServerError, []byte(`{"error":{"code":500,"message":"The answer could not be encoded.","title":"Internal Server Error"}}`)
	}
	writeJSON(w, status, b)
}
