package client_test

import (
	"context"
	"crypto/x509"
	"errors"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cbr-replicate/cbr-replicate/client"
)

func TestNewResolvesRegionFromTheSpec(t *testing.T) {
	for _, tc := range []struct {
		name, region, endpoint, want string
	}{
		{name: "empty region is the spec's default eu-de", want: "https://cbr.eu-de.otc.t-systems.com"},
		{name: "eu-de", region: "eu-de", want: "https://cbr.eu-de.otc.t-systems.com"},
		{name: "eu-nl", region: "eu-nl", want: "https://cbr.eu-nl.otc.t-systems.com"},
		{name: "Endpoint overrides Region", region: "eu-nl", endpoint: "https://cbr.example.org", want: "https://cbr.example.org"},
		{name: "Endpoint's trailing slash is dropped", endpoint: "http://127.0.0.1:8080/", want: "http://127.0.0.1:8080"},
		{name: "Endpoint keeps a path prefix", endpoint: "https://gw.example.org/cbr/", want: "https://gw.example.org/cbr"},
		{name: "Endpoint's scheme is case-insensitive", endpoint: "HTTPS://cbr.example.org", want: "https://cbr.example.org"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, err := client.New(client.Options{
				Region: tc.region, Endpoint: tc.endpoint, ProjectID: "p", Token: client.StaticToken(testToken),
			})
			require.NoError(t, err)
			assert.Equal(t, tc.want, c.Endpoint())
		})
	}
}

func TestNewRejectsBadOptions(t *testing.T) {
	valid := func() client.Options {
		return client.Options{ProjectID: "p", Token: client.StaticToken(testToken)}
	}
	for _, tc := range []struct {
		name       string
		mod        func(*client.Options)
		wantIn     []string
		mustNotSay string
	}{
		{name: "unknown region lists the known ones", mod: func(o *client.Options) { o.Region = "eu-ch2" },
			wantIn: []string{`"eu-ch2"`, "eu-de, eu-nl", "Endpoint"}},
		{name: "region is case-sensitive like the spec's enum", mod: func(o *client.Options) { o.Region = "EU-DE" },
			wantIn: []string{"unknown region"}},
		{name: "endpoint without scheme", mod: func(o *client.Options) { o.Endpoint = "cbr.eu-de.otc.t-systems.com" },
			wantIn: []string{"absolute http or https URL"}},
		{name: "endpoint with another scheme", mod: func(o *client.Options) { o.Endpoint = "ftp://cbr.example.org" },
			wantIn: []string{"absolute http or https URL"}},
		{name: "endpoint without host", mod: func(o *client.Options) { o.Endpoint = "https://" },
			wantIn: []string{"no host"}},
		{name: "endpoint that does not parse", mod: func(o *client.Options) { o.Endpoint = "http://[::1" },
			wantIn: []string{"not a URL"}},
		{name: "endpoint with user info does not echo it", mod: func(o *client.Options) { o.Endpoint = "https://admin:hunter2@cbr.example.org" },
			wantIn: []string{"user info"}, mustNotSay: "hunter2"},
		{name: "endpoint with a query", mod: func(o *client.Options) { o.Endpoint = "https://cbr.example.org/?x=1" },
			wantIn: []string{"query"}},
		{name: "endpoint with a fragment", mod: func(o *client.Options) { o.Endpoint = "https://cbr.example.org/#x" },
			wantIn: []string{"fragment"}},
		{name: "empty project ID", mod: func(o *client.Options) { o.ProjectID = "" },
			wantIn: []string{"ProjectID is required"}},
		{name: "blank project ID", mod: func(o *client.Options) { o.ProjectID = "  " },
			wantIn: []string{"ProjectID is required"}},
		{name: "project ID with a slash", mod: func(o *client.Options) { o.ProjectID = "a/b" },
			wantIn: []string{"not a project ID"}},
		{name: "project ID with a trailing newline", mod: func(o *client.Options) { o.ProjectID = "abc\n" },
			wantIn: []string{"not a project ID"}},
		{name: "project ID that is a dot-dot segment", mod: func(o *client.Options) { o.ProjectID = ".." },
			wantIn: []string{"not a project ID"}},
		{name: "project ID that is not UTF-8", mod: func(o *client.Options) { o.ProjectID = "a\xff" },
			wantIn: []string{"not a project ID"}},
		{name: "project ID that is a dot segment", mod: func(o *client.Options) { o.ProjectID = "." },
			wantIn: []string{"not a project ID"}},
		{name: "plain http endpoint to a host that is not loopback", mod: func(o *client.Options) { o.Endpoint = "http://cbr.example.org" },
			wantIn: []string{"plain http", "unencrypted", "AllowInsecureHTTP"}},
		{name: "plain http endpoint's query is not echoed", mod: func(o *client.Options) { o.Endpoint = "http://cbr.example.org/?sig=hunter2" },
			wantIn: []string{"query"}, mustNotSay: "hunter2"},
		{name: "no token source", mod: func(o *client.Options) { o.Token = nil },
			wantIn: []string{"Token is required"}},
		{name: "nil TokenFunc", mod: func(o *client.Options) { o.Token = client.TokenFunc(nil) },
			wantIn: []string{"Token is required"}},
		{name: "empty static token", mod: func(o *client.Options) { o.Token = client.StaticToken("") },
			wantIn: []string{"token is empty"}},
		{name: "User-Agent with a line break", mod: func(o *client.Options) { o.UserAgent = "x\r\nX-Evil: 1" },
			wantIn: []string{"UserAgent contains a control character"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			o := valid()
			tc.mod(&o)
			c, err := client.New(o)
			require.Error(t, err)
			assert.Nil(t, c)
			for _, s := range tc.wantIn {
				assert.Contains(t, err.Error(), s)
			}
			if tc.mustNotSay != "" {
				assert.NotContains(t, err.Error(), tc.mustNotSay)
			}
			assert.NotContains(t, err.Error(), testToken)
		})
	}
}

func TestNewAcceptsPlainHTTPOnlyToLoopbackOrWhenAllowed(t *testing.T) {
	for _, tc := range []struct {
		name     string
		endpoint string
		allow    bool
	}{
		{"http to 127.0.0.1", "http://127.0.0.1:8080", false},
		{"http to another loopback address", "http://127.1.2.3:8080", false},
		{"http to localhost", "http://localhost:8080", false},
		{"http to ::1", "http://[::1]:8080", false},
		{"http to a host with AllowInsecureHTTP", "http://cbr.example.org", true},
		{"https to any host", "https://cbr.example.org", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, err := client.New(client.Options{Endpoint: tc.endpoint, AllowInsecureHTTP: tc.allow,
				ProjectID: "p", Token: client.StaticToken(testToken)})
			require.NoError(t, err)
			assert.Equal(t, tc.endpoint, c.Endpoint())
		})
	}
}

func TestNewRefusesPlainHTTPBeforeAnythingIsSent(t *testing.T) {
	var n atomic.Int64
	hc := &http.Client{Transport: roundTripCounter(&n)}
	_, err := client.New(client.Options{Endpoint: "http://cbr.example.org", ProjectID: "p",
		Token: client.StaticToken(testToken), HTTPClient: hc})
	require.Error(t, err)
	assert.Zero(t, n.Load(), "no client, no request: a dry run built on NewRequest cannot get past New either")
}

// roundTripCounter counts requests and answers none.
func roundTripCounter(n *atomic.Int64) http.RoundTripper {
	return roundTrip(func(*http.Request) (*http.Response, error) {
		n.Add(1)
		return nil, errors.New("not sent")
	})
}

type roundTrip func(*http.Request) (*http.Response, error)

func (f roundTrip) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// countingTransport counts the requests it forwards.
type countingTransport struct {
	n    atomic.Int64
	base http.RoundTripper
}

func (c *countingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	c.n.Add(1)
	return c.base.RoundTrip(r)
}

func TestNewCopiesTheCallersHTTPClient(t *testing.T) {
	srv := newServer(t, answerPage(t))
	ct := &countingTransport{base: http.DefaultTransport}
	hc := &http.Client{Transport: ct, Timeout: 5 * time.Second}
	c := newClient(t, srv.URL, withHTTPClient(hc))

	_, err := c.Replicate(context.Background(), pageParam(t))
	require.NoError(t, err)
	assert.Equal(t, int64(1), ct.n.Load(), "requests go through the caller's transport")
	assert.Same(t, ct, hc.Transport, "the caller's client is not modified")
	assert.Nil(t, hc.CheckRedirect, "the caller's client is not modified")
	assert.Equal(t, 5*time.Second, hc.Timeout)
}

func TestDefaultHTTPClientVerifiesTLSCertificates(t *testing.T) {
	var hits atomic.Int64
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { hits.Add(1) }))
	srv.Config.ErrorLog = log.New(io.Discard, "", 0) // the refused handshake is expected
	srv.StartTLS()
	t.Cleanup(srv.Close)
	c := newClient(t, srv.URL) // no HTTPClient: the default one

	_, err := c.Replicate(context.Background(), pageParam(t))
	var unknownCA x509.UnknownAuthorityError
	require.ErrorAs(t, err, &unknownCA, "the test server's self-signed certificate is refused")
	assert.Zero(t, hits.Load())
	assert.Contains(t, err.Error(), "nothing was sent")

	// The same server with its own trusting client works: TLS is the only difference.
	c = newClient(t, srv.URL, withHTTPClient(srv.Client()))
	_, err = c.Replicate(context.Background(), pageParam(t))
	var de *client.DecodeError
	require.ErrorAs(t, err, &de, "the handler answers 200 with an empty body")
	assert.Equal(t, int64(1), hits.Load())
}

func TestDefaultHTTPClientDoesNotTouchHTTPDefaultClient(t *testing.T) {
	before := *http.DefaultClient
	_ = newClient(t, "http://127.0.0.1:1")
	assert.Equal(t, before.Timeout, http.DefaultClient.Timeout)
	assert.Nil(t, http.DefaultClient.Transport)
	assert.Nil(t, http.DefaultClient.CheckRedirect)
	assert.Equal(t, time.Minute, client.DefaultTimeout)
}
