package aksk_test

import (
	"bytes"
	"encoding"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"

	jsonv2 "github.com/go-json-experiment/json"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cbr-replicate/cbr-replicate/aksk"
	"github.com/cbr-replicate/cbr-replicate/internal/redact"
)

// assertNoSecret fails when s shows the SK or the security token.
func assertNoSecret(t *testing.T, s string) {
	t.Helper()
	for _, secret := range []string{testSK, testToken} {
		assert.NotContains(t, s, secret)
		assert.NotContains(t, s, secret[:12], "a prefix of a secret")
		assert.NotContains(t, s, fmt.Sprintf("%x", secret), "a secret in hex")
	}
}

// encodings returns v as every encoding shows it: fmt with each verb,
// slog's text and JSON handlers, encoding/json, json v2 and MarshalText.
func encodings(t *testing.T, v any) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%X", "%d", "%T"} {
		out[verb] = fmt.Sprintf(verb, v)
	}
	var text, js bytes.Buffer
	slog.New(slog.NewTextHandler(&text, nil)).Info("m", "v", v)
	slog.New(slog.NewJSONHandler(&js, nil)).Info("m", "v", v)
	out["slog text"], out["slog JSON"] = text.String(), js.String()
	if b, err := json.Marshal(v); err == nil {
		out["encoding/json"] = string(b)
	}
	if b, err := jsonv2.Marshal(v); err == nil {
		out["json v2"] = string(b)
	}
	if m, ok := v.(encoding.TextMarshaler); ok {
		b, err := m.MarshalText()
		require.NoError(t, err)
		out["MarshalText"] = string(b)
	}
	return out
}

func TestNoEncodingShowsASecret(t *testing.T) {
	signer, err := aksk.NewSigner(tempCreds, testProjectID)
	require.NoError(t, err)
	req, body := signedPage(t, tempCreds)
	req.Header.Set("X-Security-Token", testToken[:len(testToken)-1]+"X")
	verr := aksk.Verify(req, body, lookup, testTime, 0)
	require.Error(t, verr)
	creds := tempCreds
	for name, v := range map[string]any{
		"Credentials":                   tempCreds,
		"*Credentials":                  &creds,
		"Signer":                        *signer,
		"*Signer":                       signer,
		"*VerifyError":                  verr,
		"a struct holding them":         struct{ C aksk.Credentials }{tempCreds},
		"a slice of them":               []any{tempCreds, signer},
		"a map of AK to Credentials":    map[string]aksk.Credentials{tempAK: tempCreds},
		"the VerifyError's dereference": *verr.(*aksk.VerifyError),
		// Their secret fields alone, which MarshalText too (encoding/xml,
		// map keys).
		"Credentials.SecretKey":     tempCreds.SecretKey,
		"Credentials.SecurityToken": tempCreds.SecurityToken,
	} {
		for encoding, out := range encodings(t, v) {
			t.Run(name+" "+encoding, func(t *testing.T) { assertNoSecret(t, out) })
		}
	}
	t.Run("the secrets show as redacted and the AK as itself", func(t *testing.T) {
		assert.Equal(t, "{AccessKey:"+tempAK+" SecretKey:"+redact.Redacted+" SecurityToken:"+redact.Redacted+"}", fmt.Sprintf("%+v", tempCreds))
		assert.Equal(t, "{AccessKey:"+testAK+" SecretKey:"+redact.Redacted+" SecurityToken:}", fmt.Sprintf("%+v", testCreds),
			"an empty token shows as empty, not as redacted")
		assert.Contains(t, encodings(t, tempCreds)["slog JSON"], `"SecretKey":"[REDACTED]","SecurityToken":"[REDACTED]"`)
	})
}

// TestZeroValuesNeverPanic calls every method of the zero value and the
// nil pointer of each exported type, and the functions with zero
// arguments: each returns an error where it returns one, never panics.
func TestZeroValuesNeverPanic(t *testing.T) {
	request := func() *http.Request {
		r, err := http.NewRequest(http.MethodPost, testEndpoint+"/v3/p/checkpoints/replicate", strings.NewReader(pageBody))
		require.NoError(t, err)
		return r
	}
	errorType := reflect.TypeFor[error]()
	for _, v := range []any{
		aksk.Credentials{}, &aksk.Credentials{}, (*aksk.Credentials)(nil),
		aksk.Signer{}, &aksk.Signer{}, (*aksk.Signer)(nil),
		aksk.VerifyError{}, &aksk.VerifyError{}, (*aksk.VerifyError)(nil),
		aksk.Reason(""),
	} {
		rv := reflect.ValueOf(v)
		for i := range rv.NumMethod() {
			method := rv.Type().Method(i)
			for _, zeroArgs := range []bool{true, false} {
				t.Run(fmt.Sprintf("%T.%s, zero arguments %v", v, method.Name, zeroArgs), func(t *testing.T) {
					m := rv.Method(i)
					args := make([]reflect.Value, m.Type().NumIn())
					for j := range args {
						in := m.Type().In(j)
						switch {
						case !zeroArgs && in == reflect.TypeFor[*http.Request]():
							args[j] = reflect.ValueOf(request())
						case !zeroArgs && in == reflect.TypeFor[[]byte]():
							args[j] = reflect.ValueOf([]byte(pageBody))
						default:
							args[j] = reflect.Zero(in)
						}
					}
					var out []reflect.Value
					require.NotPanics(t, func() { out = m.Call(args) })
					for j, o := range out {
						if m.Type().Out(j) == errorType && rv.Type() != reflect.TypeFor[*aksk.VerifyError]() {
							assert.Error(t, o.Interface().(error), "a zero %T cannot sign or check", v)
						}
					}
				})
			}
		}
	}
	t.Run("Sign and Verify with zero arguments", func(t *testing.T) {
		require.NotPanics(t, func() {
			assert.Error(t, aksk.Sign(nil, nil, aksk.Credentials{}, "", time.Time{}))
			assert.Error(t, aksk.Sign(nil, nil, testCreds, "", time.Time{}))
			assert.Error(t, aksk.Sign(&http.Request{}, nil, testCreds, "", time.Time{}))
			assert.Error(t, aksk.Verify(nil, nil, nil, time.Time{}, 0))
			assert.Error(t, aksk.Verify(nil, nil, lookup, time.Time{}, 0))
			assert.Error(t, aksk.Verify(&http.Request{}, nil, lookup, time.Time{}, 0))
			assert.Error(t, aksk.Verify(request(), nil, lookup, time.Time{}, 0))
			assert.Error(t, aksk.Verify(request(), nil, func(string) (aksk.Credentials, bool) { return aksk.Credentials{}, true }, time.Time{}, 0))
		})
	})
	t.Run("a zero Signer refuses a good request and leaves it unsigned", func(t *testing.T) {
		r := request()
		require.Error(t, (&aksk.Signer{}).SignRequest(r, []byte(pageBody)))
		assert.Empty(t, r.Header.Get("Authorization"))
	})
	t.Run("a nil VerifyError has a message", func(t *testing.T) {
		assert.Equal(t, "aksk: <nil>", (*aksk.VerifyError)(nil).Error())
	})
}
