package client

import (
	"bytes"
	"context"
	"crypto/tls"
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cbr-replicate/cbr-replicate/gen/cbr"
)

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

func TestTheTransportGetsNoGetBody(t *testing.T) {
	var sawGetBody bool
	var sawBody []byte
	rt := roundTripFunc(func(r *http.Request) (*http.Response, error) {
		sawGetBody = r.GetBody != nil
		sawBody, _ = io.ReadAll(r.Body)
		return &http.Response{StatusCode: 500, Header: http.Header{}, Body: http.NoBody, Request: r}, nil
	})
	c, err := New(Options{Endpoint: "http://127.0.0.1:1", ProjectID: "p", Token: StaticToken("tok-12345678"),
		HTTPClient: &http.Client{Transport: rt}})
	require.NoError(t, err)
	req, err := c.NewReplicateRequest(context.Background(), cbr.CheckpointReplicateParam{VaultId: "3b5816b5-f29c-4172-9d9a-76c719a659ce",
		DestinationProjectId: "d", DestinationRegion: "r", DestinationVaultId: "v"})
	require.NoError(t, err)
	assert.Nil(t, req.GetBody, "NewRequest's request cannot be rewound")
	req.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(nil)), nil }

	_, err = c.Do(context.Background(), req, nil)
	require.Error(t, err)
	assert.False(t, sawGetBody, "net/http cannot rewind the body to replay it, even when the caller set GetBody")
	assert.JSONEq(t, `{"replicate":{"vault_id":"3b5816b5-f29c-4172-9d9a-76c719a659ce","destination_project_id":"d","destination_region":"r","destination_vault_id":"v"}}`,
		string(sawBody), "the body itself is sent")
}

func TestDefaultHTTPClientSettings(t *testing.T) {
	c, err := New(Options{ProjectID: "p", Token: StaticToken("tok-12345678"), SkipRequestValidation: true})
	require.NoError(t, err)
	assert.Equal(t, DefaultTimeout, c.http.Timeout)
	assert.NotSame(t, http.DefaultClient, c.http)
	assert.NotNil(t, c.http.CheckRedirect, "redirects are not followed")
	tr, ok := c.http.Transport.(*http.Transport)
	require.True(t, ok, "no layer between the client and its transport")
	assert.NotSame(t, http.DefaultTransport, tr, "a private copy: http.DefaultTransport is not mutated")
	require.NotNil(t, tr.TLSClientConfig)
	assert.False(t, tr.TLSClientConfig.InsecureSkipVerify)
	assert.Equal(t, uint16(tls.VersionTLS12), tr.TLSClientConfig.MinVersion)
	assert.NotNil(t, tr.Proxy, "proxy settings come from the environment like http.DefaultTransport")
}

func TestOptionsTimeoutBoundsTheDefaultClient(t *testing.T) {
	for _, tc := range []struct {
		name    string
		timeout time.Duration
		want    time.Duration
	}{
		{"zero means DefaultTimeout", 0, DefaultTimeout},
		{"a timeout above the default is kept", 5 * time.Minute, 5 * time.Minute},
		{"a short timeout is kept", time.Second, time.Second},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, err := New(Options{ProjectID: "p", Token: StaticToken("tok-12345678"), Timeout: tc.timeout})
			require.NoError(t, err)
			assert.Equal(t, tc.want, c.http.Timeout)
		})
	}
	_, err := New(Options{ProjectID: "p", Token: StaticToken("tok-12345678"), Timeout: -time.Second})
	assert.ErrorContains(t, err, "negative")
}
