package auth_test

import (
	"encoding/json"
	"io"
	"net/http"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cbr-replicate/cbr-replicate/auth"
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
	c := auth.Config{AuthURL: iamURL, Username: "alice", Password: password, DomainName: domain, ProjectName: "eu-de", Source: "test"}
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
	c := auth.Config{AuthURL: iamURL, Username: "alice", Password: tricky, DomainName: domain, ProjectName: "eu-de", Source: "test"}
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
