package client_test

import (
	"context"
	"fmt"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cbr-replicate/cbr-replicate/client"
)

// renewingSource hands out token-1, token-2, ... and counts invalidations,
// as a signed-in session does.
type renewingSource struct {
	mu          sync.Mutex
	n           int
	invalidated []string
}

func (s *renewingSource) Token(context.Context) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return fmt.Sprintf("session-token-%d", s.n+1), nil
}

func (s *renewingSource) Invalidate(tok string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.invalidated = append(s.invalidated, tok)
	s.n++
}

func TestReplicateRenewsTheTokenOnceAfterA401(t *testing.T) {
	unauthorized := answerJSON(http.StatusUnauthorized, []byte(`{"error_code":"BackupService.8600","error_msg":"Not authenticated."}`))
	for _, tc := range []struct {
		name      string
		accept    string // the token the server accepts; "" none
		wantCalls int64
		wantErr   bool
	}{
		{"a 401 renews the token and re-sends exactly once", "session-token-2", 2, false},
		{"a second 401 is returned as an APIError", "", 2, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := newServer(t, func(w http.ResponseWriter, r *http.Request) {
				if tc.accept != "" && r.Header.Get("X-Auth-Token") == tc.accept {
					answerPage(t)(w, r)
					return
				}
				unauthorized(w, r)
			})
			src := &renewingSource{}
			c := newClient(t, srv.URL, withToken(src))
			out, err := c.Replicate(context.Background(), pageParam(t))
			assert.Equal(t, tc.wantCalls, srv.count.Load())
			assert.Equal(t, []string{"session-token-1"}, src.invalidated, "the refused token is invalidated, once")
			if tc.wantErr {
				assert.Equal(t, http.StatusUnauthorized, client.StatusCode(err))
				return
			}
			require.NoError(t, err)
			assert.NotNil(t, out)
		})
	}
}

func TestReplicateDoesNotResendOtherErrorsNorWithAStaticToken(t *testing.T) {
	for _, tc := range []struct {
		name   string
		status int
		source client.TokenSource
	}{
		{"a 403 with a renewable source is not re-sent", http.StatusForbidden, &renewingSource{}},
		{"a 500 with a renewable source is not re-sent", http.StatusInternalServerError, &renewingSource{}},
		{"a 401 with a static token is not re-sent", http.StatusUnauthorized, client.StaticToken(testToken)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := newServer(t, answerJSON(tc.status, []byte(`{"error_code":"BackupService.9910"}`)))
			c := newClient(t, srv.URL, withToken(tc.source))
			_, err := c.Replicate(context.Background(), pageParam(t))
			require.Error(t, err)
			assert.Equal(t, int64(1), srv.count.Load())
		})
	}
}

// recordingSigner signs with a fixed header and remembers the bytes it signed.
type recordingSigner struct {
	signed atomic.Pointer[[]byte]
}

func (s *recordingSigner) SignRequest(req *http.Request, body []byte) error {
	b := append([]byte(nil), body...)
	s.signed.Store(&b)
	req.Header.Set("Authorization", "TEST-SIGNATURE over "+fmt.Sprint(len(body))+" bytes")
	return nil
}

func TestReplicateWithASignerSignsTheBytesThatAreSent(t *testing.T) {
	srv := newServer(t, answerPage(t))
	signer := &recordingSigner{}
	c := newClient(t, srv.URL, func(o *client.Options) { o.Token = nil; o.Signer = signer })
	_, err := c.Replicate(context.Background(), pageParam(t))
	require.NoError(t, err)
	got := srv.requests()[0]
	assert.Empty(t, got.Header.Get("X-Auth-Token"), "no token beside a signature")
	assert.Equal(t, "TEST-SIGNATURE over "+fmt.Sprint(len(got.Body))+" bytes", got.Header.Get("Authorization"))
	assert.Equal(t, string(got.Body), string(*signer.signed.Load()), "the signature covers exactly the bytes sent")
	assert.NotContains(t, fmt.Sprintf("%+v %#v", c, c), "TEST-SIGNATURE")
}

func TestNewRequiresTokenOrSignerNotBoth(t *testing.T) {
	_, err := client.New(client.Options{ProjectID: "p", Token: client.StaticToken(testToken), Signer: &recordingSigner{}})
	assert.ErrorContains(t, err, "not both")
	_, err = client.New(client.Options{ProjectID: "p"})
	assert.ErrorContains(t, err, "Options.Signer")
}

func TestDoSendsOnlyRequestsItsOwnClientBuilt(t *testing.T) {
	// Client b renewing its token after a's server refused a's request
	// would send b's token to a's endpoint.
	srvA := newServer(t, answerJSON(http.StatusUnauthorized, []byte(`{"error_code":"BackupService.8600","error_msg":"Not authenticated."}`)))
	a := newClient(t, srvA.URL, withToken(client.StaticToken(testToken)))
	srcB := &renewingSource{}
	b := newClient(t, newServer(t, answerPage(t)).URL, withToken(srcB))
	req, err := a.NewReplicateRequest(context.Background(), pageParam(t))
	require.NoError(t, err)
	_, err = b.Do(context.Background(), req, nil)
	assert.ErrorContains(t, err, "built by NewRequest of this Client")
	assert.Zero(t, srvA.count.Load(), "nothing is sent")
	assert.Empty(t, srcB.invalidated)
}
