package auth_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cbr-replicate/cbr-replicate/auth"
	"github.com/cbr-replicate/cbr-replicate/internal/redact"
)

func TestSignInFollowsNoRedirect(t *testing.T) {
	var got atomic.Int32 // requests that reached the redirect's target
	target := serve(t, func(w http.ResponseWriter, r *http.Request) {
		got.Add(1)
		_, _ = io.Copy(io.Discard, r.Body)
		w.WriteHeader(http.StatusCreated)
	})
	iamURL := serve(t, func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/v3/auth/tokens" {
			http.Redirect(w, r, target+"/auth/tokens", http.StatusTemporaryRedirect)
			return
		}
		http.NotFound(w, r)
	})
	c := auth.Config{AuthURL: iamURL, Username: "alice", Password: redact.NewSecret(password), DomainName: domain, ProjectName: "eu-de", Source: "test"}
	_, err := auth.SignIn(t.Context(), c)
	require.Error(t, err, "a 3xx from IAM is a failed sign-in")
	assert.Zero(t, got.Load(), "the password was not re-sent to where the redirect points")
	assert.NotContains(t, err.Error(), password)
}

func TestAnEchoedPasswordIsRedactedAlsoWhenJSONEscaped(t *testing.T) {
	const tricky = `SECRET<pw>&123"x-never-printed`
	iamURL := serve(t, func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusUnauthorized)
		// A gateway that echoes the request inside its error message.
		_, _ = w.Write([]byte(`{"error":{"code":401,"title":"Unauthorized","message":` + quoteJSON(string(body)) + `}}`))
	})
	c := auth.Config{AuthURL: iamURL, Username: "alice", Password: redact.NewSecret(tricky), DomainName: domain, ProjectName: "eu-de", Source: "test"}
	_, err := auth.SignIn(t.Context(), c)
	require.Error(t, err)
	msg := err.Error()
	for _, form := range []string{tricky, `SECRET\u003cpw\u003e\u0026123\"x`, `SECRET<pw>&123\"x`, "SECRET"} {
		assert.NotContains(t, msg, form)
	}
}

// quoteJSON quotes s as a JSON string (encoding/json escapes <, > and &).
func quoteJSON(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

func TestSignInSendsThePasswordOnlyToTheConfiguredOrigin(t *testing.T) {
	// What a Keystone's version document may name: another host, or the
	// same IAM behind a TLS-terminating proxy that advertises plain http.
	var reached atomic.Int32 // requests that reached a host the document names
	elsewhere := func(w http.ResponseWriter, r *http.Request) {
		reached.Add(1)
		_, _ = io.Copy(io.Discard, r.Body)
		w.WriteHeader(http.StatusNotFound)
	}
	otherHost := httptest.NewTLSServer(http.HandlerFunc(elsewhere))
	t.Cleanup(otherHost.Close)
	plainHTTP := httptest.NewServer(http.HandlerFunc(elsewhere))
	t.Cleanup(plainHTTP.Close)

	for _, tc := range []struct{ name, advertised string }{
		{"a version document naming another host", "https://example.com:" + strings.TrimPrefix(otherHost.URL, "https://127.0.0.1:") + "/v3/"},
		{"a version document naming plain http", plainHTTP.URL + "/v3/"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			reached.Store(0)
			iam := startIAM(t)
			var configured atomic.Int32
			srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				configured.Add(1)
				if r.URL.Path == "/" {
					w.Header().Set("Content-Type", "application/json")
					w.WriteHeader(http.StatusMultipleChoices)
					fmt.Fprintf(w, `{"versions": {"values": [{"id": "v3.14", "status": "stable", "links": [{"rel": "self", "href": %q}]}]}}`, tc.advertised)
					return
				}
				iam.ServeHTTP(w, r)
			}))
			t.Cleanup(srv.Close)
			// example.com (which the test server's certificate names) is
			// the other host, on this machine.
			tr := srv.Client().Transport.(*http.Transport).Clone()
			tr.DialContext = func(ctx context.Context, network, addr string) (net.Conn, error) {
				if strings.HasPrefix(addr, "example.com:") {
					addr = "127.0.0.1:" + strings.TrimPrefix(addr, "example.com:")
				}
				return (&net.Dialer{}).DialContext(ctx, network, addr)
			}

			c := auth.Config{AuthURL: srv.URL, Username: "alice", Password: redact.NewSecret(password), DomainName: domain, ProjectName: "eu-de", Source: "test"}
			s, err := auth.SignIn(t.Context(), c, auth.WithHTTPClient(&http.Client{Transport: tr}))
			require.NoError(t, err, "signed in at the configured IAM, its URL with /v3 appended")
			token, err := s.Token(t.Context())
			require.NoError(t, err)
			_, ok := iam.Valid(token)
			assert.True(t, ok)
			assert.Zero(t, reached.Load(), "nothing reached the host the version document names")
			assert.Equal(t, int32(1), configured.Load(), "one request, the token request, and no version discovery")
		})
	}
}
