package client_test

import (
	"net/url"
	"strings"
	"testing"

	"github.com/cbr-replicate/cbr-replicate/client"
)

// FuzzServiceRoot feeds ServiceRoot any base URL and project ID. It must
// never panic; a root it returns is an absolute http(s) URL without user
// info, query or fragment, whose host is written in the base as it is: the
// project ID never chooses the host.
func FuzzServiceRoot(f *testing.F) {
	for _, base := range []string{
		"https://cbr.eu-de.otc.t-systems.com/v3/" + projectID, "https://gw.example.org/cbr/v3/$(tenant_id)s",
		"https://$(tenant_id)s/v3", "https://cbr.%(tenant_id)s.example.org", "https://{project_id}/v3", "http://[::1]:8080/v3/{project_id}",
		"https://h/a/%2e%2e/v3/" + projectID, "https://h//v3//x", "https://user:pw@h/v3", "https://h/v3/%2F",
	} {
		f.Add(base, projectID)
		f.Add(base, "evil.example")
	}
	f.Fuzz(func(t *testing.T, base, project string) {
		root, err := client.ServiceRoot(base, project, false)
		if err != nil {
			return
		}
		u, err := url.Parse(root)
		if err != nil {
			t.Fatalf("root %q does not parse: %v", root, err)
		}
		if u.Scheme != "http" && u.Scheme != "https" || u.User != nil || u.RawQuery != "" || u.Fragment != "" || strings.HasSuffix(root, "/") {
			t.Fatalf("root %q of %q", root, base)
		}
		if !strings.Contains(strings.ToLower(base), strings.ToLower(u.Host)) {
			t.Fatalf("root %q of %q (project %q) has a host the base does not name", root, base, project)
		}
	})
}
