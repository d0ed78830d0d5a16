package replicate

import (
	"bytes"
	"crypto/tls"
	"io"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

func TestNoReplayTransportHandsTheBaseNoGetBody(t *testing.T) {
	var sawGetBody bool
	var sawBody []byte
	rt := noReplayTransport{base: roundTripFunc(func(r *http.Request) (*http.Response, error) {
		sawGetBody = r.GetBody != nil
		sawBody, _ = io.ReadAll(r.Body)
		return &http.Response{StatusCode: 200, Body: http.NoBody, Request: r}, nil
	})}
	req, err := http.NewRequest(http.MethodPost, "http://127.0.0.1/x", bytes.NewReader([]byte(`{"a":1}`)))
	require.NoError(t, err)
	require.NotNil(t, req.GetBody, "http.NewRequest sets GetBody for a bytes.Reader")

	_, err = rt.RoundTrip(req)
	require.NoError(t, err)
	assert.False(t, sawGetBody, "net/http cannot rewind the body to replay it")
	assert.Equal(t, `{"a":1}`, string(sawBody), "the body itself is sent")
	assert.NotNil(t, req.GetBody, "the caller's request is not modified")
}

func TestDefaultHTTPClientSettings(t *testing.T) {
	c, err := New(Options{ProjectID: "p", Token: StaticToken("tok-12345678"), SkipRequestValidation: true})
	require.NoError(t, err)
	assert.Equal(t, DefaultTimeout, c.http.Timeout)
	assert.NotSame(t, http.DefaultClient, c.http)
	assert.NotNil(t, c.http.CheckRedirect, "redirects are not followed")
	nr, ok := c.http.Transport.(noReplayTransport)
	require.True(t, ok, "without validation the no-replay guard wraps the base directly")
	tr, ok := nr.base.(*http.Transport)
	require.True(t, ok)
	assert.NotSame(t, http.DefaultTransport, tr, "a private copy: http.DefaultTransport is not mutated")
	require.NotNil(t, tr.TLSClientConfig)
	assert.False(t, tr.TLSClientConfig.InsecureSkipVerify)
	assert.Equal(t, uint16(tls.VersionTLS12), tr.TLSClientConfig.MinVersion)
	assert.NotNil(t, tr.Proxy, "proxy settings come from the environment like http.DefaultTransport")
}
