package secret_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
	"testing"

	jsonv2 "github.com/go-json-experiment/json"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cbr-replicate/cbr-replicate/internal/redact"
	"github.com/cbr-replicate/cbr-replicate/secret"
)

// holder has a secret in an exported and in an unexported field, as the
// project's types do.
type holder struct {
	Password secret.Value
	token    secret.Value
}

func TestSecretIsNeverShown(t *testing.T) {
	const pw = "s3cret-passw0rd"
	h := holder{Password: secret.New(pw), token: secret.New(pw)}
	var outs []string
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%X", "%d", "%T"} {
		outs = append(outs, fmt.Sprintf(verb, h), fmt.Sprintf(verb, &h), fmt.Sprintf(verb, h.Password))
	}
	for _, marshal := range []func(any) ([]byte, error){json.Marshal, func(v any) ([]byte, error) { return jsonv2.Marshal(v) }} {
		b, err := marshal(h)
		require.NoError(t, err)
		outs = append(outs, string(b))
	}
	text, err := h.Password.MarshalText()
	require.NoError(t, err)
	outs = append(outs, string(text))
	var logged bytes.Buffer
	slog.New(slog.NewJSONHandler(&logged, nil)).Info("x", "holder", h, "password", h.Password)
	slog.New(slog.NewTextHandler(&logged, nil)).Info("x", "holder", h, "password", h.Password)
	outs = append(outs, logged.String())
	for _, out := range outs {
		assert.NotContains(t, out, pw)
		assert.NotContains(t, out, fmt.Sprintf("%x", pw))
	}
	assert.Contains(t, strings.Join(outs, "\n"), redact.Redacted)
	assert.Equal(t, pw, h.Password.Reveal())
}

func TestEmptySecretShowsNothing(t *testing.T) {
	var s secret.Value
	assert.True(t, s.IsZero())
	assert.Equal(t, "", s.Reveal())
	assert.Equal(t, "", fmt.Sprint(s))
	assert.Equal(t, `""`, fmt.Sprintf("%q", s))
	b, err := json.Marshal(s)
	require.NoError(t, err)
	assert.Equal(t, `""`, string(b))
	assert.True(t, secret.New("").IsZero(), "an empty string is the zero Value")
}
