package client

import (
	"cmp"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"unicode/utf8"

	"golang.org/x/net/http/httpguts"

	"github.com/cbr-replicate/cbr-replicate/internal/loopback"
	"github.com/cbr-replicate/cbr-replicate/internal/redact"
)

// projectTemplates are the placeholders of a project ID that catalogs and
// documents write in a CBR URL: Keystone's catalog templates and the
// spec's path parameter.
var projectTemplates = []string{"$(tenant_id)s", "%(tenant_id)s", "$(project_id)s", "%(project_id)s", "{project_id}"}

// ServiceRoot turns a CBR base URL, in any form users and catalogs give it,
// into the service root the operations' paths (/v3/{project_id}/...) are
// appended to:
//
//   - a bare host, https://cbr.eu-de.otc.t-systems.com (Huawei Cloud's form),
//     or a host with a path prefix (a gateway's), is the root as it is;
//   - a URL ending in /v3 has it taken off;
//   - a URL ending in /v3/<project_id>, the form Open Telekom Cloud's
//     catalog lists (and users copy), has both taken off; a project ID
//     there that is not projectID is an error naming both, before anything
//     is sent;
//   - a placeholder left in the URL's path ($(tenant_id)s, %(tenant_id)s,
//     {project_id}, ...) gets projectID put in first; one in the host is
//     an error.
//
// With projectID "" (not known yet: a sign-in will tell), a URL ending in
// /v3/<anything> (a project ID or a placeholder) has it taken off unchecked;
// New always passes the request's project.
//
// The URL must be absolute https (http only to a loopback host or with
// allowHTTP: a token would travel unencrypted), with a host and without
// user info, query or fragment. Errors are *OptionErrors of field
// Endpoint; they show the URL through redact.URL. The root has no trailing
// slash.
func ServiceRoot(base, projectID string, allowHTTP bool) (string, error) {
	fail := func(format string, a ...any) error {
		return &OptionError{Field: "Endpoint", Value: redact.URL(base), Reason: fmt.Sprintf(format, a...)}
	}
	// Only the path takes the project ID: in the host it would choose
	// where the token goes. The authority ends at the first "/" after "://".
	head, path := base, ""
	if i := strings.Index(base, "://"); i >= 0 {
		if j := strings.IndexByte(base[i+3:], '/'); j >= 0 {
			head, path = base[:i+3+j], base[i+3+j:]
		}
	}
	for _, t := range projectTemplates {
		path = strings.ReplaceAll(path, t, cmp.Or(url.PathEscape(projectID), "PROJECT_ID"))
	}
	u, err := url.Parse(head + path)
	if err != nil { // a *url.Error, which repeats the whole URL: only what it wraps
		return "", &OptionError{Field: "Endpoint", Reason: fmt.Sprintf("is not a URL: %v", errors.Unwrap(err))}
	}
	switch {
	case u.User != nil:
		return "", &OptionError{Field: "Endpoint", Reason: "must not contain user info (credentials travel as X-Auth-Token)"}
	case u.Scheme != "http" && u.Scheme != "https":
		return "", fail("must be an absolute http or https URL")
	case u.Host == "":
		return "", fail("has no host")
	case u.RawQuery != "" || u.ForceQuery:
		return "", fail("must not have a query")
	case u.Fragment != "":
		return "", fail("must not have a fragment")
	case !allowHTTP && loopback.Unencrypted(u):
		return "", &OptionError{Field: "Endpoint", Value: redact.URL(base), Insecure: true,
			Reason: "is plain http to a host that is not loopback: the token would travel unencrypted (use https, or set Options.AllowInsecureHTTP)"}
	case !strings.Contains(base, u.Host): // url.Parse decodes %80 and above in a host
		return "", fail("has a percent-escaped host: write the host as it is")
	case strings.Contains(u.Host, "$("):
		return "", fail("has a placeholder in its host: the project ID goes in the path only")
	case strings.Contains(u.Path, "{") || strings.Contains(u.Path, "$(") || strings.Contains(u.Path, "%("):
		return "", fail("holds a placeholder this client does not know; give the URL with the project ID in")
	}
	segs := strings.Split(strings.Trim(u.EscapedPath(), "/"), "/")
	if n := len(segs); n >= 2 && segs[n-2] == "v3" {
		id, err := url.PathUnescape(segs[n-1])
		if err != nil {
			return "", fail("has a project ID that is not escaped right")
		}
		if id != projectID && projectID != "" {
			return "", &OptionError{Field: "Endpoint", Value: redact.URL(base), ProjectID: id,
				Reason: fmt.Sprintf("names project %s, but the request's project is %s: they must be the same", id, projectID)}
		}
		segs = segs[:n-2]
	} else if n > 0 && segs[n-1] == "v3" {
		segs = segs[:n-1]
	}
	root := &url.URL{Scheme: u.Scheme, Host: u.Host}
	if p := strings.TrimRight(strings.Join(segs, "/"), "/"); p != "" { // "h/a//v3" roots at "h/a"
		root.RawPath = "/" + p
		root.Path, _ = url.PathUnescape(root.RawPath)
	}
	return root.String(), nil
}

// checkProjectID accepts a project ID that is one path segment and can be
// sent: not blank, valid UTF-8, no "/", "?", "#", blank or control
// character, and not "." or "..", which a URL would resolve away.
func checkProjectID(id string) error {
	switch {
	case strings.TrimSpace(id) == "":
		return &OptionError{Field: "ProjectID", Reason: "is required"}
	case id == "." || id == ".." || strings.ContainsAny(id, "/?# \t") || !httpguts.ValidHeaderFieldValue(id) || !utf8.ValidString(id):
		return &OptionError{Field: "ProjectID", Value: id, Reason: "is not a project ID (one path segment, no blanks)"}
	}
	return nil
}
