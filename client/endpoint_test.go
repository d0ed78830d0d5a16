package client_test

import (
	"context"
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cbr-replicate/cbr-replicate/client"
)

const projectID = "4229d7a45436489f8c3dc2b1d35d4987"

func TestServiceRootAcceptsEveryFormOfBaseURL(t *testing.T) {
	for _, tc := range []struct{ name, base, want string }{
		{"a bare host, Huawei Cloud's form", "https://cbr.eu-de.otc.t-systems.com", "https://cbr.eu-de.otc.t-systems.com"},
		{"a bare host with a trailing slash", "https://cbr.eu-de.otc.t-systems.com/", "https://cbr.eu-de.otc.t-systems.com"},
		{"a host with a gateway's path prefix", "https://gw.example.org/cbr/", "https://gw.example.org/cbr"},
		{"a URL ending in /v3", "https://cbr.eu-de.otc.t-systems.com/v3", "https://cbr.eu-de.otc.t-systems.com"},
		{"a gateway prefix with a doubled slash before /v3", "https://gw.example.org/cbr//v3", "https://gw.example.org/cbr"},
		{"a URL ending in /v3/", "https://cbr.eu-de.otc.t-systems.com/v3/", "https://cbr.eu-de.otc.t-systems.com"},
		{"the catalog's form, /v3/<project_id>", "https://cbr.eu-de.otc.t-systems.com/v3/" + projectID, "https://cbr.eu-de.otc.t-systems.com"},
		{"the catalog's form behind a gateway prefix", "https://gw.example.org/cbr/v3/" + projectID + "/", "https://gw.example.org/cbr"},
		{"Keystone's template $(tenant_id)s", "https://cbr.eu-de.otc.t-systems.com/v3/$(tenant_id)s", "https://cbr.eu-de.otc.t-systems.com"},
		{"Keystone's template %(tenant_id)s", "https://cbr.eu-de.otc.t-systems.com/v3/%(tenant_id)s", "https://cbr.eu-de.otc.t-systems.com"},
		{"the spec's template {project_id}", "https://cbr.eu-de.otc.t-systems.com/v3/{project_id}", "https://cbr.eu-de.otc.t-systems.com"},
		{"plain http to loopback, a local fake", "http://127.0.0.1:8080/v3/" + projectID, "http://127.0.0.1:8080"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := client.ServiceRoot(tc.base, projectID, false)
			require.NoError(t, err)
			assert.Equal(t, tc.want, got)
		})
	}
}

func TestServiceRootRefuses(t *testing.T) {
	for _, tc := range []struct{ name, base, project, want string }{
		{"a URL naming another project than the request's", "https://cbr.eu-de.otc.t-systems.com/v3/68589cac08274b82b4e254268a3862d8", projectID,
			"names project 68589cac08274b82b4e254268a3862d8, but the request's project is " + projectID},
		{"a template this client does not know", "https://cbr.eu-de.otc.t-systems.com/v3/${TENANT}", projectID, "placeholder"},
		{"plain http to a host that is not loopback", "http://cbr.example.org", projectID, "plain http"},
		{"no scheme", "cbr.eu-de.otc.t-systems.com", projectID, "absolute http or https URL"},
		{"a percent-escaped host, which url.Parse decodes", "https://cbr.%C3%A9.example.org/v3", projectID, "percent-escaped host"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := client.ServiceRoot(tc.base, tc.project, false)
			var oe *client.OptionError
			require.True(t, errors.As(err, &oe), "%v", err)
			assert.Equal(t, "Endpoint", oe.Field)
			assert.ErrorContains(t, err, tc.want)
		})
	}
}

func TestServiceRootPutsTheProjectIDInThePathOnly(t *testing.T) {
	// A placeholder in the host would let the project ID (a flag, a
	// config value) choose the host the token is sent to.
	for _, base := range []string{
		"https://$(tenant_id)s/v3",
		"https://cbr.$(tenant_id)s/v3/$(tenant_id)s",
		"https://$(project_id)s:443",
		"https://%(tenant_id)s/v3",
		"https://{project_id}/v3",
	} {
		t.Run(base, func(t *testing.T) {
			root, err := client.ServiceRoot(base, "evil.example", false)
			var oe *client.OptionError
			require.ErrorAs(t, err, &oe, "got root %q", root)
			assert.Equal(t, "Endpoint", oe.Field)
			assert.Empty(t, root)
		})
	}
}

func TestServiceRootWithoutAProjectTakesOffAnyProject(t *testing.T) {
	for _, base := range []string{"https://cbr.example.org/v3/" + projectID, "https://cbr.example.org/v3/$(tenant_id)s", "https://cbr.example.org"} {
		got, err := client.ServiceRoot(base, "", false)
		require.NoError(t, err, base)
		assert.Equal(t, "https://cbr.example.org", got, base)
	}
}

func TestCatalogFormIsSentOnce(t *testing.T) {
	srv := newServer(t, answerPage(t))
	c, err := client.New(client.Options{Endpoint: srv.URL + "/v3/" + projectID, ProjectID: projectID, Token: client.StaticToken(testToken)})
	require.NoError(t, err)
	_, err = c.Replicate(context.Background(), pageParam(t))
	require.NoError(t, err)
	require.Len(t, srv.requests(), 1)
	assert.Equal(t, "/v3/"+projectID+"/checkpoints/replicate", srv.requests()[0].Path, "never /v3/<id>/v3/<id>/...")
}

func TestEndpointOfAnotherProjectIsRefusedBeforeAnythingIsSent(t *testing.T) {
	srv := newServer(t, answerPage(t))
	_, err := client.New(client.Options{Endpoint: srv.URL + "/v3/68589cac08274b82b4e254268a3862d8", ProjectID: projectID, Token: client.StaticToken(testToken)})
	var oe *client.OptionError
	require.ErrorAs(t, err, &oe)
	assert.Equal(t, "68589cac08274b82b4e254268a3862d8", oe.ProjectID)
	assert.Zero(t, srv.count.Load())
}
