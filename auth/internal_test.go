package auth

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cbr-replicate/cbr-replicate/internal/limit"
	"github.com/cbr-replicate/cbr-replicate/secret"
)

func TestSignIn_AnswerOverTheBound(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Subject-Token", "MIIsecret-token-in-answer")
		w.WriteHeader(http.StatusCreated)
		fmt.Fprintf(w, `{"token": {"x": "%s", "expires_at": "2099-01-01T00:00:00.000000Z", "project": {"id": "p1", "name": "eu-de"}}}`, strings.Repeat("a", 2048))
	}))
	t.Cleanup(srv.Close)
	s, err := NewSession(Config{AuthURL: srv.URL + "/v3", Username: "u", Password: secret.New("a-password"), DomainName: "d", ProjectName: "eu-de"})
	require.NoError(t, err)
	bt, ok := s.client.Transport.(iamTransport)
	require.True(t, ok, "every answer goes through the bound")
	assert.Equal(t, limit.Answer, bt.n)

	bt.n = 1024 // the same answer against a small bound
	s.client.Transport = bt
	_, err = s.Token(context.Background())
	var sie *SignInError
	require.ErrorAs(t, err, &sie)
	n, tooLarge := limit.TooLarge(err)
	assert.True(t, tooLarge, "%v", err)
	assert.Equal(t, int64(1024), n)
	assert.False(t, sie.Refused)
}

func TestIAMTransport_SendsOnlyToTheConfiguredOrigin(t *testing.T) {
	for _, tc := range []struct {
		name, request string
		sent          bool
	}{
		{"the configured scheme, host and port", "https://iam.example.org/v3/auth/tokens", true},
		{"the default port written out, the host in capitals", "https://IAM.example.org:443/v3/auth/tokens", true},
		{"another host", "https://evil.example.org/v3/auth/tokens", false},
		{"plain http to the same host", "http://iam.example.org/v3/auth/tokens", false},
		{"another port", "https://iam.example.org:8443/v3/auth/tokens", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var sent []*http.Request
			next := roundTripFunc(func(r *http.Request) (*http.Response, error) {
				sent = append(sent, r)
				return &http.Response{StatusCode: http.StatusCreated, Body: http.NoBody}, nil
			})
			tr := iamTransport{next: next, origin: origin(v3URL("https://iam.example.org")), n: limit.Answer}
			req, err := http.NewRequest(http.MethodPost, tc.request, strings.NewReader(`{"password": "a-password"}`))
			require.NoError(t, err)
			_, err = tr.RoundTrip(req)
			if tc.sent {
				require.NoError(t, err)
				assert.Len(t, sent, 1)
				return
			}
			require.Error(t, err)
			assert.Empty(t, sent, "refused before anything was written")
			assert.Contains(t, err.Error(), origin(tc.request), "names the host it was asked to send to")
		})
	}
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }
