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
	"unicode/utf16"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cbr-replicate/cbr-replicate/auth"
	"github.com/cbr-replicate/cbr-replicate/internal/limit"
	"github.com/cbr-replicate/cbr-replicate/secret"
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
	c := auth.Config{AuthURL: iamURL, Username: "alice", Password: secret.New(password), DomainName: domain, ProjectName: "eu-de", Source: "test"}
	_, err := auth.SignIn(t.Context(), c)
	require.Error(t, err, "a 3xx from IAM is a failed sign-in")
	assert.Zero(t, got.Load(), "the password was not re-sent to where the redirect points")
	assert.Contains(t, err.Error(), "it points to "+strings.TrimSuffix(target, "/v3")+", where the sign-in is not sent")
	assert.NotContains(t, err.Error(), password)
}

func TestARefusalQuotesIAMsMessageRedactedFirstThenShortened(t *testing.T) {
	const long = `PW<pw>&123"x\/never-printed-é😀`
	keystone := func(status int, message string) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(status)
			_, _ = w.Write([]byte(`{"error":{"code":` + fmt.Sprint(status) + `,"title":"Unauthorized","message":` + quoteJSON(message) + `}}`))
		}
	}
	for _, tc := range []struct {
		name, password string
		handler        func(password string) http.HandlerFunc
		want           string
	}{
		{"a password straddling the bound is redacted whole", long, func(pw string) http.HandlerFunc {
			return keystone(401, strings.Repeat("x", 500)+pw+strings.Repeat("y", 100))
		}, strings.Repeat("x", limit.Message-1) + limit.Ellipsis},
		{"an echoed body with the password JSON-escaped (\\u003c, \\\", \\/)", long, func(pw string) http.HandlerFunc {
			return keystone(401, `echo {"password":`+quoteJSON(pw)+`}`)
		}, `echo {"password":"[REDACTED]"}`},
		{"every character of the password as \\uXXXX in upper hex", long, func(pw string) http.HandlerFunc {
			return keystone(401, `echo {"password":"`+escapeAll(pw)+`"}`)
		}, `echo {"password":"[REDACTED]"}`},
		{"a short password in IAM's message hides the message", "abc1", func(pw string) http.HandlerFunc {
			return keystone(401, "the password abc1 is wrong")
		}, "[REDACTED]"},
		{"a body of another shape is not quoted, a short password in it neither", "abc1", func(pw string) http.HandlerFunc {
			return func(w http.ResponseWriter, r *http.Request) {
				w.WriteHeader(http.StatusUnauthorized)
				fmt.Fprintf(w, `{"request": {"password": %q}, "error_msg": "denied"}`, pw)
			}
		}, "the answer is not Keystone's error body"},
		{"a long message is shortened to limit.Message characters", long, func(pw string) http.HandlerFunc {
			return keystone(403, strings.Repeat("é", 3*limit.Message))
		}, strings.Repeat("é", limit.Message-1) + limit.Ellipsis},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := auth.Config{AuthURL: serve(t, tc.handler(tc.password)), Username: "alice", Password: secret.New(tc.password),
				DomainName: domain, ProjectName: "eu-de", Source: "test"}
			_, err := auth.SignIn(t.Context(), c)
			var sie *auth.SignInError
			require.ErrorAs(t, err, &sie)
			assert.True(t, sie.Refused)
			msg := sie.Err.Error()
			assert.True(t, strings.HasPrefix(msg, tc.want), "%q does not start with %q", msg, tc.want)
			for _, form := range []string{tc.password[:4], escapeAll(tc.password[:4])} {
				assert.NotContains(t, err.Error(), form)
			}
		})
	}
}

// escapeAll writes every character of s as \uXXXX (UTF-16, as JSON does).
func escapeAll(s string) string {
	var b strings.Builder
	for _, u := range utf16.Encode([]rune(s)) {
		fmt.Fprintf(&b, `\u%04X`, u)
	}
	return b.String()
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

			c := auth.Config{AuthURL: srv.URL, Username: "alice", Password: secret.New(password), DomainName: domain, ProjectName: "eu-de", Source: "test"}
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
