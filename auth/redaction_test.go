package auth_test

import (
	"bytes"
	"encoding"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"testing"

	jsonv2 "github.com/go-json-experiment/json"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cbr-replicate/cbr-replicate/auth"
	"github.com/cbr-replicate/cbr-replicate/internal/redact"
	"github.com/cbr-replicate/cbr-replicate/secret"
)

// encodings are every way a value may be printed, logged or encoded.
func encodings(t *testing.T, v any) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%X", "%d"} {
		out["fmt "+verb] = fmt.Sprintf(verb, v)
	}
	for name, h := range map[string]func(io.Writer) slog.Handler{
		"slog text": func(w io.Writer) slog.Handler { return slog.NewTextHandler(w, nil) },
		"slog JSON": func(w io.Writer) slog.Handler { return slog.NewJSONHandler(w, nil) },
	} {
		var b bytes.Buffer
		slog.New(h(&b)).Info("signing in", "value", v)
		out[name] = b.String()
	}
	b, err := json.Marshal(v)
	out["encoding/json"] = fmt.Sprint(string(b), err)
	b, err = jsonv2.Marshal(v)
	out["json v2"] = fmt.Sprint(string(b), err)
	if m, ok := v.(encoding.TextMarshaler); ok {
		b, err := m.MarshalText()
		out["MarshalText"] = fmt.Sprint(string(b), err)
	}
	return out
}

func TestNoEncodingShowsASecret(t *testing.T) {
	iam := startIAM(t)
	c := iam.config()
	s, err := auth.SignIn(t.Context(), c)
	require.NoError(t, err)
	token, err := s.Token(t.Context())
	require.NoError(t, err)
	const passcode = "802145"
	withPasscode := c
	withPasscode.UserID, withPasscode.Passcode = "u1", secret.New(passcode)
	withToken := c
	withToken.Username, withToken.Password, withToken.DomainName, withToken.Token = "", secret.Value{}, "", secret.New(token)

	// A refusal whose message echoes the password.
	echo := c
	echo.AuthURL = serve(t, func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusUnauthorized)
		fmt.Fprintf(w, `{"error": {"code": 401, "message": "bad password %s", "title": "Unauthorized"}}`, password)
	})
	_, refusal := auth.SignIn(t.Context(), echo)
	require.Error(t, refusal)

	for name, tc := range map[string]struct {
		v       any
		secrets []string
	}{
		"a Config with a password": {c, []string{password}}, "a *Config": {&c, []string{password}},
		"a Config with a token": {withToken, []string{token}}, "a Config with a passcode": {withPasscode, []string{password, passcode}},
		"a *Session holding a token": {s, []string{password, token}}, "a *SignInError": {refusal, []string{password}},
		"a Config in a struct": {struct{ C auth.Config }{withPasscode}, []string{password, passcode}},
	} {
		t.Run(name, func(t *testing.T) {
			for encoding, out := range encodings(t, tc.v) {
				for _, secret := range tc.secrets {
					assert.NotContains(t, out, secret, encoding)
					assert.NotContains(t, out, fmt.Sprintf("%x", secret), encoding)
					assert.NotContains(t, out, fmt.Sprintf("%X", secret), encoding)
				}
			}
		})
	}
	assert.Contains(t, fmt.Sprintf("%+v", c), "Password:"+redact.Redacted)
	assert.Contains(t, fmt.Sprintf("%+v", withToken), "Token:"+redact.Redacted)
	assert.Contains(t, s.String(), "token "+redact.Redacted+" of project "+alice.ProjectID())
}
