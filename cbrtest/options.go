package cbrtest

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/cbr-replicate/cbr-replicate/aksk"
	"github.com/cbr-replicate/cbr-replicate/internal/limit"
	"github.com/cbr-replicate/cbr-replicate/openapi"
	"github.com/cbr-replicate/cbr-replicate/secret"
)

// MaxBodyBytes is the largest request body the fake reads: 1 MiB, the
// project's bound for what a server reads. A larger body is answered with
// 413 and a CBR error body; no more of it is read.
const MaxBodyBytes = limit.Request

// DefaultSourceRegion is the fake's own region, the one of paths without a
// region prefix, unless WithSourceRegion says otherwise.
const DefaultSourceRegion = "eu-de"

// DefaultBackups is the number of backups of DefaultWorld's source vault:
// the page's example lists three.
const DefaultBackups = 3

// ProviderID is the provider_id of generated answers: the value in the page's
// example response, the provider of OS::Nova::Server (cloud server) backups.
const ProviderID = "0daac4c5-6707-4851-97ba-169e36266b66"

// Option configures a Fake (New) or a Server (NewServer). An option that
// cannot work (a status outside 200-599 or without a body, a body that does
// not marshal, a negative count) makes New and NewServer return an error
// that names it.
type Option func(*config)

type config struct {
	forced       *forced                 // per-server forced answer, nil: answer from the request
	handlers     map[string]http.Handler // WithHandler, by operation ID
	sourceRegion string
	world        *World                      // WithWorld; nil: defaultWorld(sourceRegion)
	token        secret.Value                // WithToken's
	maxRequests  int                         // <0: keep every accepted request
	iamUsers     []IAMUser                   // WithIAM: the fake also serves IAM's token endpoint
	iamCatalog   IAMCatalogForm              // WithIAMCatalog: how its catalog lists the fake
	aksk         map[string]aksk.Credentials // WithAKSK: access key -> key pair
	errs         []error
}

// OptionError is an option New refuses: which, and why.
type OptionError struct {
	// Option names the option as it was called, e.g. "WithResponse(202)".
	Option string
	// Err says why it cannot work.
	Err error
}

// Error reads like "WithResponse(202): the spec documents no answer ...".
func (e *OptionError) Error() string {
	if e == nil || e.Err == nil {
		return "cbrtest: option error without a cause"
	}
	return e.Option + ": " + e.Err.Error()
}

// Unwrap returns why.
func (e *OptionError) Unwrap() error {
	if e == nil {
		return nil
	}
	return e.Err
}

func optionError(option, format string, a ...any) error {
	return &OptionError{Option: option, Err: fmt.Errorf(format, a...)}
}

// check reports every option that cannot work together with the spec.
func (c *config) check() error {
	errs := c.errs
	if fc := c.forced; fc != nil && fc.body == nil {
		for _, op := range openapi.Operations() {
			if !op.Documents(fc.status) {
				errs = append(errs, optionError(fmt.Sprintf("WithResponse(%d)", fc.status), "the spec documents no answer with status %d for %s; documented: %s",
					fc.status, op.ID, strings.Join(op.Responses(), ", ")))
				break
			}
		}
	}
	for id := range c.handlers {
		if _, ok := openapi.Lookup(id); !ok {
			errs = append(errs, optionError(fmt.Sprintf("WithHandler(%q)", id), "the spec has no such operation; its operations are %s", strings.Join(openapi.IDs(), ", ")))
		}
	}
	if c.world != nil {
		if _, ok := c.world.Regions[c.sourceRegion]; !ok {
			errs = append(errs, optionError("WithWorld", "the fake's own region %s (WithSourceRegion, default %s) is not among the world's regions",
				quoted(c.sourceRegion), DefaultSourceRegion))
		}
	}
	if len(c.iamUsers) > 0 && !c.token.IsZero() {
		errs = append(errs, optionError("WithIAM", "excludes WithToken: with WithIAM the fake accepts the tokens its IAM issues"))
	}
	return errors.Join(errs...)
}

// WithHandler makes h answer the operation opID (an operationId of the
// spec, e.g. "ShowVault") instead of the fake's world. h sees only requests that
// passed authentication and validation, with their validated body;
// validate.RouteOf(r.Context()) gives the path's parameters. A Prefer
// header, WithResponse and WithResponseBody still take precedence.
func WithHandler(opID string, h http.Handler) Option {
	return func(c *config) {
		if h == nil {
			c.errs = append(c.errs, optionError(fmt.Sprintf("WithHandler(%q)", opID), "nil handler"))
			return
		}
		c.handlers[opID] = h
	}
}

// forced is an answer chosen ahead of the request: a status with either the
// spec's example for it (body nil, looked up per request so that a Prefer
// example can pick another) or exact bytes.
type forced struct {
	status      int
	body        []byte // exact body; nil: the spec's example for status
	contentType string
}

// WithResponse makes every valid request be answered with status and the
// spec's documented example for it (the first example in alphabetical order
// of name, or the one a request names with "Prefer: example=<name>"); a
// status documented only by its range (502 by 5XX) gets the range's example,
// and a status the spec does not document at all (201, 302) is an error.
// Use it to test how a client handles an error the fake would not produce on
// its own. A request's "Prefer: code=..." overrides it.
func WithResponse(status int) Option {
	return func(c *config) {
		if err := checkStatus(status); err != nil {
			c.errs = append(c.errs, optionError(fmt.Sprintf("WithResponse(%d)", status), "%w", err))
			return
		}
		c.forced = &forced{status: status}
	}
}

// WithResponseBody makes every valid request be answered with status and
// exactly body, which is not checked against the spec, so a test can feed a
// client a drifted contract. body is marshalled to JSON, except that a
// []byte is sent verbatim (Content-Type application/json if it is valid JSON,
// else sniffed, e.g. an HTML page from a gateway), a json.RawMessage is sent
// verbatim as application/json even if it is not JSON, and nil sends an
// empty body. A request's "Prefer: code=..." overrides it.
func WithResponseBody(status int, body any) Option {
	// The body is copied or marshalled now, so that a caller may reuse it.
	f := &forced{status: status, contentType: "application/json"}
	var err error
	switch b := body.(type) {
	case nil:
		f.body = []byte{}
	case json.RawMessage:
		f.body = append([]byte{}, b...)
	case []byte:
		f.body = append([]byte{}, b...)
		if len(b) > 0 && !json.Valid(b) {
			f.contentType = http.DetectContentType(b)
		}
	default:
		if f.body, err = json.Marshal(b); err != nil {
			err = fmt.Errorf("marshal body: %w", err)
		}
	}
	if err == nil {
		err = checkStatus(status)
	}
	return func(c *config) {
		if err != nil {
			c.errs = append(c.errs, optionError(fmt.Sprintf("WithResponseBody(%d)", status), "%w", err))
			return
		}
		c.forced = f
	}
}

// WithSourceRegion sets the fake's own region (default
// DefaultSourceRegion, "eu-de"): the region of a path without a region
// prefix, the source_region of its replications. Use it when a test checks
// that a client passes the region through.
func WithSourceRegion(region string) Option {
	return func(c *config) {
		if !regionName.MatchString(region) || region == "v3" {
			c.errs = append(c.errs, optionError("WithSourceRegion", "region %s is not lower-case letters, digits and dashes (at most 63, not v3)", quoted(region)))
			return
		}
		c.sourceRegion = region
	}
}

// WithWorld makes the fake serve w instead of DefaultWorld, as the package
// doc describes, remembering each replication (the same vault to the same
// region again is refused with BackupService.6130). The fake's own region
// (WithSourceRegion) must be one of w's; w is copied, and what is wrong
// with it is an error naming each vault or region.
func WithWorld(w *World) Option {
	var errs iamErrors
	if w == nil {
		errs.add("nil world")
	} else {
		w = w.clone()
		w.check(places{
			vault:  func(k int, _ string) string { return fmt.Sprintf("vault %d", k+1) },
			region: func(r string) string { return "region " + quoted(r) },
		}, &errs)
	}
	err := errs.join()
	return func(c *config) {
		if err != nil {
			c.errs = append(c.errs, &OptionError{Option: "WithWorld", Err: err})
			return
		}
		c.world = w
	}
}

// WithToken makes the fake accept only this X-Auth-Token: any other token is
// answered with 403 and BackupService.8600, as the real service does for a
// token it does not accept. Without it any non-empty token is accepted.
func WithToken(token string) Option {
	return func(c *config) {
		if token == "" {
			c.errs = append(c.errs, optionError("WithToken", "token is empty"))
			return
		}
		c.token = secret.New(token)
	}
}

// WithIAM makes the fake also serve IAM's token endpoint (see IAM) for
// these users and accept only the tokens it issued, as the package doc
// says, so that a client signs in for real (through gophercloud, say) and
// replicates against one fake. Use it instead of WithToken.
func WithIAM(users ...IAMUser) Option {
	return func(c *config) {
		if len(users) == 0 {
			c.errs = append(c.errs, optionError("WithIAM", "no users"))
			return
		}
		c.iamUsers = append([]IAMUser(nil), users...)
	}
}

// WithIAMCatalog sets how the catalog of WithIAM's tokens lists the fake's
// CBR endpoints (IAMCatalogWithProject by default), so that a test can run
// a sign-in against both forms.
func WithIAMCatalog(form IAMCatalogForm) Option {
	return func(c *config) { c.iamCatalog = form }
}

// WithAKSK makes the fake also accept requests signed with these key pairs
// (SDK-HMAC-SHA256), verified with aksk.Verify as the service's gateway
// does (401 BackupService.8600 naming the check that failed); a request
// without such a signature is judged by its token. Behind the check, as
// behind the gateway, the fake validates the request as if it carried a
// token.
func WithAKSK(creds ...aksk.Credentials) Option {
	return func(c *config) {
		if len(creds) == 0 {
			c.errs = append(c.errs, optionError("WithAKSK", "no keys"))
			return
		}
		for i, cr := range creds {
			if err := cr.Check(); err != nil {
				c.errs = append(c.errs, optionError("WithAKSK", "key pair %d: %w", i+1, err))
				continue
			}
			c.aksk[cr.AccessKey] = cr
		}
	}
}

// ParseAKSK reads the key file of `cbr-replicate mock --aksk-file`: one key
// pair a line, "AK SK [security-token]" separated by blanks (a temporary
// key pair's token as the third column); blank lines and lines starting
// with "#" are skipped. As in ParseIAMUsers, the bad lines are reported at
// once (the first 20, and how many more) by number, never by content.
func ParseAKSK(r io.Reader) ([]aksk.Credentials, error) {
	var keys []aksk.Credentials
	seen := map[string]int{} // the line of each access key
	errs, err := eachLine(r, func(n int, f []string, errs *iamErrors) {
		switch {
		case len(f) != 2 && len(f) != 3:
			errs.add("line %d: %d fields, want 2 or 3 (access key, secret key, optional security token)", n, len(f))
		case seen[f[0]] != 0:
			errs.add("line %d: the access key of line %d again", n, seen[f[0]])
		default:
			seen[f[0]] = n
			keys = append(keys, aksk.NewCredentials(f[0], f[1], strings.Join(f[2:], ""))) // f[2:]: the token, if any
		}
	})
	switch {
	case err != nil:
		return nil, fmt.Errorf("cbrtest: reading key pairs: %w", err)
	case len(keys) == 0 && len(errs.errs) == 0:
		errs.add("no key pair")
	}
	if err := errs.err("cbrtest: key pairs"); err != nil {
		return nil, err
	}
	return keys, nil
}

// WithMaxRequests bounds the log that Requests returns to the n most recent
// accepted requests; 0 keeps none. The default keeps every one, which suits a
// test but not a long-running mock server.
func WithMaxRequests(n int) Option {
	return func(c *config) {
		if n < 0 {
			c.errs = append(c.errs, optionError(fmt.Sprintf("WithMaxRequests(%d)", n), "count is negative"))
			return
		}
		c.maxRequests = n
	}
}

// checkStatus accepts the statuses a JSON answer can carry: 200-599 except
// 204 and 304, which net/http sends without a body.
func checkStatus(status int) error {
	switch {
	case status < 200 || status > 599:
		return fmt.Errorf("status %d is outside 200-599", status)
	case status == http.StatusNoContent || status == http.StatusNotModified:
		return fmt.Errorf("status %d cannot carry a body", status)
	}
	return nil
}
