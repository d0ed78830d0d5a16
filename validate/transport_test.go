package validate_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cbr-replicate/cbr-replicate/validate"
)

// countingTransport counts the requests handed to it.
type countingTransport struct {
	base  http.RoundTripper
	calls atomic.Int32
}

func (c *countingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	c.calls.Add(1)
	return c.base.RoundTrip(r)
}

// server is an httptest server that counts requests, records the last body
// and answers with status and body.
type server struct {
	*httptest.Server
	hits atomic.Int32
	last atomic.Value // []byte
}

func newServer(t *testing.T, status int, contentType, body string) *server {
	t.Helper()
	s := &server{}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.hits.Add(1)
		data, _ := io.ReadAll(r.Body)
		s.last.Store(data)
		if contentType != "" {
			w.Header().Set("Content-Type", contentType)
		}
		w.WriteHeader(status)
		_, _ = io.WriteString(w, body)
	}))
	t.Cleanup(s.Close)
	return s
}

// closeTracker records whether the request body was closed.
type closeTracker struct {
	io.Reader
	closed atomic.Bool
}

func (c *closeTracker) Close() error { c.closed.Store(true); return nil }

func postRequest(t *testing.T, url string, body io.Reader) *http.Request {
	t.Helper()
	r, err := http.NewRequestWithContext(context.Background(), http.MethodPost, url+opPath, body)
	require.NoError(t, err)
	r.Header.Set("Content-Type", "application/json")
	r.Header.Set("X-Auth-Token", token)
	return r
}

func TestTransportNeverSendsAnInvalidRequest(t *testing.T) {
	v := newValidator(t)
	srv := newServer(t, 200, "application/json", string(readTestdata(t, "response.json")))
	tests := []struct {
		name   string
		body   string
		modify func(r *http.Request)
		want   []at
	}{
		{"vault_id missing", `{"replicate":{"destination_project_id":"p","destination_region":"r","destination_vault_id":"d"}}`, nil,
			[]at{{"body", "/replicate/vault_id", "required"}}},
		{"body wrapped in checkpoint", `{"checkpoint":{"replicate":{}}}`, nil,
			[]at{{"body", "/checkpoint", "additionalProperties"}, {"body", "/replicate", "required"}}},
		{"malformed JSON", `{"replicate":`, nil, []at{{"body", "/replicate", "json"}}},
		{"X-Auth-Token missing", string(readTestdata(t, "request.json")), func(r *http.Request) { r.Header.Del("X-Auth-Token") },
			[]at{{"header", "/X-Auth-Token", "security"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := srv.hits.Load()
			base := &countingTransport{base: srv.Client().Transport}
			body := &closeTracker{Reader: strings.NewReader(tt.body)}
			r := postRequest(t, srv.URL, body)
			if tt.modify != nil {
				tt.modify(r)
			}
			resp, err := v.Transport(base).RoundTrip(r)
			require.Error(t, err)
			assert.Nil(t, resp)
			assert.Equal(t, tt.want, violationsOf(t, err))
			assert.NotContains(t, err.Error(), token)
			assert.Zero(t, base.calls.Load(), "the base RoundTripper is never called")
			assert.Equal(t, before, srv.hits.Load(), "nothing reaches the server")
			assert.True(t, body.closed.Load(), "the request body is closed")
		})
	}
}

func TestTransportThroughHTTPClientWrapsError(t *testing.T) {
	v := newValidator(t)
	srv := newServer(t, 200, "application/json", "{}")
	client := &http.Client{Transport: v.Transport(srv.Client().Transport)}
	_, err := client.Do(postRequest(t, srv.URL, strings.NewReader(`{}`)))
	var verr *validate.Error
	require.ErrorAs(t, err, &verr)
	assert.True(t, verr.Has("/replicate", "required"))
	assert.Zero(t, srv.hits.Load())
}

func TestTransportSendsBodyBytesUnchanged(t *testing.T) {
	v := newValidator(t)
	srv := newServer(t, 200, "application/json", string(readTestdata(t, "response.json")))
	for name, body := range map[string][]byte{
		"page example with its layout":          readTestdata(t, "request.json"),
		"auto_trigger left out gets no default": replicate(t, map[string]any{"auto_trigger": nil}),
	} {
		t.Run(name, func(t *testing.T) {
			base := &countingTransport{base: srv.Client().Transport}
			r := postRequest(t, srv.URL, bytes.NewReader(body))
			hdr, origBody := r.Header.Clone(), r.Body
			resp, err := v.Transport(base).RoundTrip(r)
			require.NoError(t, err)
			defer resp.Body.Close()
			assert.Equal(t, int32(1), base.calls.Load())
			assert.Equal(t, body, srv.last.Load().([]byte))
			assert.Equal(t, hdr, r.Header, "the caller's request is not modified")
			assert.Equal(t, origBody, r.Body, "nor its Body field")
		})
	}
}

func TestTransportValidateResponses(t *testing.T) {
	v := newValidator(t)
	page := string(readTestdata(t, "response.json"))
	tests := []struct {
		name        string
		status      int
		contentType string
		body        string
		want        []at
	}{
		{"page example 200 passes", 200, "application/json", page, nil},
		{"CBR error 400 passes", 400, "application/json", `{"error_code":"BackupService.6120","error_msg":"Destination vault does not exist."}`, nil},
		{"backups as an object is drift", 200, "application/json", `{"replication":{"backups":{"backup_id":"b"}}}`,
			[]at{{"body", "/replication/backups", "type"}}},
		{"HTML from a gateway is drift", 502, "text/html", `<html>Bad Gateway</html>`,
			[]at{{"header", "/Content-Type", "contentType"}}},
		{"empty 200 body is drift", 200, "application/json", ``, []at{{"body", "", "json"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := newServer(t, tt.status, tt.contentType, tt.body)
			rt := v.Transport(srv.Client().Transport, validate.ValidateResponses())
			resp, err := rt.RoundTrip(postRequest(t, srv.URL, bytes.NewReader(readTestdata(t, "request.json"))))
			if tt.want == nil {
				require.NoError(t, err)
				defer resp.Body.Close()
				got, rerr := io.ReadAll(resp.Body)
				require.NoError(t, rerr)
				assert.Equal(t, tt.body, string(got), "the response body is still readable")
				return
			}
			require.Error(t, err)
			assert.Nil(t, resp)
			var rerr *validate.ResponseError
			require.ErrorAs(t, err, &rerr)
			assert.Equal(t, tt.status, rerr.StatusCode)
			assert.Equal(t, tt.contentType, rerr.Header.Get("Content-Type"))
			assert.Equal(t, tt.body, string(rerr.Body), "the raw body is kept")
			assert.Contains(t, rerr.Error(), "status "+strconv.Itoa(tt.status))
			assert.Contains(t, rerr.Error(), rerr.Err.Violations[0].String())
			assert.Equal(t, tt.want, violationsOf(t, err), "errors.As finds the *Error inside")
		})
	}
}

func TestTransportWithoutValidateResponsesPassesDrift(t *testing.T) {
	v := newValidator(t)
	srv := newServer(t, 200, "application/json", `{"replication":{"backups":{}}}`)
	resp, err := v.Transport(srv.Client().Transport).RoundTrip(postRequest(t, srv.URL, bytes.NewReader(readTestdata(t, "request.json"))))
	require.NoError(t, err)
	defer resp.Body.Close()
	assert.Equal(t, 200, resp.StatusCode)
}

func TestTransportReturnsBaseErrors(t *testing.T) {
	v := newValidator(t)
	broken := errors.New("dial failed")
	rt := v.Transport(roundTripFunc(func(*http.Request) (*http.Response, error) { return nil, broken }), validate.ValidateResponses())
	_, err := rt.RoundTrip(postRequest(t, "http://127.0.0.1:1", bytes.NewReader(readTestdata(t, "request.json"))))
	assert.ErrorIs(t, err, broken)
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

func TestTransportValidateResponsesClosesTheOriginalBody(t *testing.T) {
	v := newValidator(t)
	for name, body := range map[string]string{
		"valid response":   string(readTestdata(t, "response.json")),
		"drifted response": `{"replication":{"backups":{}}}`,
	} {
		t.Run(name, func(t *testing.T) {
			tracked := &closeTracker{Reader: strings.NewReader(body)}
			base := roundTripFunc(func(r *http.Request) (*http.Response, error) {
				return &http.Response{StatusCode: 200, Header: http.Header{"Content-Type": {"application/json"}}, Body: tracked, Request: r}, nil
			})
			resp, err := v.Transport(base, validate.ValidateResponses()).RoundTrip(postRequest(t, "http://127.0.0.1:1", bytes.NewReader(readTestdata(t, "request.json"))))
			assert.True(t, tracked.closed.Load(), "the base response body is read and closed")
			if err != nil {
				assert.Nil(t, resp)
				var rerr *validate.ResponseError
				require.ErrorAs(t, err, &rerr)
				assert.Equal(t, body, string(rerr.Body))
				return
			}
			got, rerr := io.ReadAll(resp.Body)
			require.NoError(t, rerr)
			assert.Equal(t, body, string(got))
		})
	}
}

// getBodySpy records whether the request it forwards can be rewound.
type getBodySpy struct {
	base       http.RoundTripper
	sawGetBody atomic.Bool
}

func (s *getBodySpy) RoundTrip(r *http.Request) (*http.Response, error) {
	s.sawGetBody.Store(r.GetBody != nil)
	return s.base.RoundTrip(r)
}

func TestTransportHandsOnARequestThatCannotBeReplayed(t *testing.T) {
	srv := newServer(t, 200, "application/json", string(readTestdata(t, "response.json")))
	spy := &getBodySpy{base: srv.Client().Transport}
	r := postRequest(t, srv.URL, bytes.NewReader(readTestdata(t, "request.json")))
	require.NotNil(t, r.GetBody, "http.NewRequest sets GetBody for a bytes.Reader")
	resp, err := newValidator(t).Transport(spy).RoundTrip(r)
	require.NoError(t, err)
	_ = resp.Body.Close()
	assert.False(t, spy.sawGetBody.Load(), "without GetBody net/http cannot re-send the POST on a broken connection")
}
