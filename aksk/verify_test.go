package aksk_test

import (
	"bytes"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cbr-replicate/cbr-replicate/aksk"
)

// signedPage returns the page's request signed with c at testTime and its
// body.
func signedPage(t *testing.T, c aksk.Credentials) (*http.Request, []byte) {
	t.Helper()
	req := vectors[0].request(t)
	require.NoError(t, aksk.Sign(req, []byte(pageBody), c, testProjectID, testTime))
	return req, []byte(pageBody)
}

// setSignedHeaders replaces the SignedHeaders of r's Authorization.
func setSignedHeaders(r *http.Request, list string) {
	a := r.Header.Get("Authorization")
	i := strings.Index(a, "SignedHeaders=") + len("SignedHeaders=")
	j := strings.Index(a, ", Signature=")
	r.Header.Set("Authorization", a[:i]+list+a[j:])
}

func TestVerifyAcceptsAuthorizationSpellings(t *testing.T) {
	const sig = "f577cffdc96168a6d85d97d7a2278ec359a8b97a816537a364d16e6d03652e82"
	for _, value := range []string{
		"SDK-HMAC-SHA256 Access=" + testAK + ", SignedHeaders=user-agent;x-project-id;x-sdk-date, Signature=" + sig,
		"SDK-HMAC-SHA256 Access=" + testAK + ",SignedHeaders=user-agent;x-project-id;x-sdk-date,Signature=" + sig,
		"SDK-HMAC-SHA256 Signature=" + sig + " ,  Access=" + testAK + " , SignedHeaders=user-agent;x-project-id;x-sdk-date ",
	} {
		t.Run(value, func(t *testing.T) {
			req, body := signedPage(t, testCreds)
			req.Header.Set("Authorization", value)
			assert.NoError(t, aksk.Verify(req, body, lookup, testTime, aksk.DefaultSkew))
		})
	}
}

func TestVerifyFailures(t *testing.T) {
	many := make([]string, aksk.MaxSignedHeaders+1)
	for i := range many {
		many[i] = fmt.Sprintf("x-h%03d", i)
	}
	tests := []struct {
		name   string
		creds  aksk.Credentials // testCreds when zero
		edit   func(r *http.Request, body *[]byte, now *time.Time)
		reason aksk.Reason
		says   string
	}{
		{"no Authorization header", aksk.Credentials{}, func(r *http.Request, _ *[]byte, _ *time.Time) { r.Header.Del("Authorization") },
			aksk.ReasonMissingAuthorization, "missing Authorization"},
		{"Authorization of another scheme", aksk.Credentials{}, func(r *http.Request, _ *[]byte, _ *time.Time) { r.Header.Set("Authorization", "Bearer x") },
			aksk.ReasonNotSDKHMAC, `scheme "Bearer"`},
		{"Authorization without Signature", aksk.Credentials{}, func(r *http.Request, _ *[]byte, _ *time.Time) {
			r.Header.Set("Authorization", "SDK-HMAC-SHA256 Access="+testAK+", SignedHeaders=x-sdk-date")
		}, aksk.ReasonMalformedAuthorization, "Signature missing"},
		{"Authorization with a repeated parameter", aksk.Credentials{}, func(r *http.Request, _ *[]byte, _ *time.Time) {
			r.Header.Set("Authorization", r.Header.Get("Authorization")+", Access=other")
		}, aksk.ReasonMalformedAuthorization, "Access repeated"},
		{"Authorization with an unknown parameter", aksk.Credentials{}, func(r *http.Request, _ *[]byte, _ *time.Time) {
			r.Header.Set("Authorization", r.Header.Get("Authorization")+", Region=eu-de")
		}, aksk.ReasonMalformedAuthorization, `unknown parameter "Region"`},
		{"SignedHeaders with an empty name", aksk.Credentials{}, func(r *http.Request, _ *[]byte, _ *time.Time) {
			setSignedHeaders(r, "user-agent;;x-project-id;x-sdk-date")
		}, aksk.ReasonMalformedAuthorization, "empty name"},
		{"SignedHeaders longer than MaxSignedHeaders", aksk.Credentials{}, func(r *http.Request, _ *[]byte, _ *time.Time) {
			setSignedHeaders(r, strings.Join(many, ";"))
		}, aksk.ReasonTooManySignedHeaders, fmt.Sprintf("more than %d names", aksk.MaxSignedHeaders)},
		{"SignedHeaders naming one header 10,000 times", aksk.Credentials{}, func(r *http.Request, _ *[]byte, _ *time.Time) {
			setSignedHeaders(r, strings.TrimSuffix(strings.Repeat("x-sdk-date;", 10_000), ";"))
		}, aksk.ReasonSignedHeadersRepeated, `"x-sdk-date"`},
		{"a signed header name not in lower case", aksk.Credentials{}, func(r *http.Request, _ *[]byte, _ *time.Time) {
			setSignedHeaders(r, "user-agent;X-Project-Id;x-sdk-date")
		}, aksk.ReasonSignedHeadersNotLowerCase, `"X-Project-Id"`},
		{"signed headers not sorted", aksk.Credentials{}, func(r *http.Request, _ *[]byte, _ *time.Time) {
			setSignedHeaders(r, "x-project-id;user-agent;x-sdk-date")
		}, aksk.ReasonSignedHeadersNotSorted, `"user-agent" after "x-project-id"`},
		{"x-sdk-date not among the signed headers", aksk.Credentials{}, func(r *http.Request, _ *[]byte, _ *time.Time) {
			setSignedHeaders(r, "user-agent;x-project-id")
		}, aksk.ReasonDateNotSigned, "X-Sdk-Date not among the signed headers"},
		{"no X-Sdk-Date header", aksk.Credentials{}, func(r *http.Request, _ *[]byte, _ *time.Time) { r.Header.Del("X-Sdk-Date") },
			aksk.ReasonMissingDate, "missing X-Sdk-Date"},
		{"X-Sdk-Date not in YYYYMMDDTHHMMSSZ", aksk.Credentials{}, func(r *http.Request, _ *[]byte, _ *time.Time) {
			r.Header.Set("X-Sdk-Date", "2024-05-17T08:30:00Z")
		}, aksk.ReasonMalformedDate, `"2024-05-17T08:30:00Z" is not YYYYMMDDTHHMMSSZ`},
		{"X-Sdk-Date more than the skew in the past", aksk.Credentials{}, func(_ *http.Request, _ *[]byte, now *time.Time) {
			*now = testTime.Add(aksk.DefaultSkew + time.Second)
		}, aksk.ReasonStaleDate, "is 15m1s from the verifier's clock"},
		{"X-Sdk-Date more than the skew in the future", aksk.Credentials{}, func(_ *http.Request, _ *[]byte, now *time.Time) {
			*now = testTime.Add(-aksk.DefaultSkew - time.Second)
		}, aksk.ReasonStaleDate, "more than ±15m0s"},
		{"unsigned payload announced", aksk.Credentials{}, func(r *http.Request, _ *[]byte, _ *time.Time) {
			r.Header.Set("X-Sdk-Content-Sha256", "UNSIGNED-PAYLOAD")
		}, aksk.ReasonUnsignedPayload, "the body must be signed"},
		{"query string that does not decode", aksk.Credentials{}, func(r *http.Request, _ *[]byte, _ *time.Time) { r.URL.RawQuery = "a=%zz" },
			aksk.ReasonMalformedRequest, "query string does not decode"},
		{"a signed header the request lacks", aksk.Credentials{}, func(r *http.Request, _ *[]byte, _ *time.Time) {
			r.Header.Del("User-Agent")
		}, aksk.ReasonSignedHeaderMissing, `"user-agent"`},
		{"X-Security-Token not among the signed headers", tempCreds, func(r *http.Request, _ *[]byte, _ *time.Time) {
			setSignedHeaders(r, "user-agent;x-project-id;x-sdk-date")
		}, aksk.ReasonSecurityTokenNotSigned, "X-Security-Token not among the signed headers"},
		{"unknown access key", aksk.Credentials{}, func(r *http.Request, _ *[]byte, _ *time.Time) {
			r.Header.Set("Authorization", strings.Replace(r.Header.Get("Authorization"), testAK, "SOMEONEELSE", 1))
		}, aksk.ReasonUnknownAK, `access key "SOMEONEELSE"`},
		{"a temporary key pair's request without X-Security-Token", aksk.Credentials{}, func(r *http.Request, _ *[]byte, _ *time.Time) {
			r.Header.Set("Authorization", strings.Replace(r.Header.Get("Authorization"), testAK, tempAK, 1))
		}, aksk.ReasonMissingSecurityToken, "missing X-Security-Token"},
		{"a security token that is not the key pair's", tempCreds, func(r *http.Request, _ *[]byte, _ *time.Time) {
			r.Header.Set("X-Security-Token", "gQpldS1kZS0xSAMPLEtemporaryKeyToken+/0123456789abcdefABCDEX==")
		}, aksk.ReasonWrongSecurityToken, "not the access key's"},
		{"X-Security-Token sent twice", tempCreds, func(r *http.Request, _ *[]byte, _ *time.Time) {
			r.Header.Add("X-Security-Token", testToken)
		}, aksk.ReasonWrongSecurityToken, "sent 2 times"},
		{"a security token with a permanent key pair", aksk.NewCredentials(testAK, testSK, testToken), nil,
			aksk.ReasonUnexpectedSecurityToken, "sent with a permanent access key"},
		{"body changed after signing", aksk.Credentials{}, func(_ *http.Request, body *[]byte, _ *time.Time) {
			*body = bytes.Replace(*body, []byte("region2"), []byte("region3"), 1)
		}, aksk.ReasonBadSignature, "signature does not match"},
		{"signed header changed after signing", aksk.Credentials{}, func(r *http.Request, _ *[]byte, _ *time.Time) {
			r.Header.Set("X-Project-Id", "0000000000000000000000000000000")
		}, aksk.ReasonBadSignature, "signed headers"},
		{"query added after signing", aksk.Credentials{}, func(r *http.Request, _ *[]byte, _ *time.Time) { r.URL.RawQuery = "x=1" },
			aksk.ReasonBadSignature, "signature does not match"},
		{"path changed after signing", aksk.Credentials{}, func(r *http.Request, _ *[]byte, _ *time.Time) { r.URL.Path += "x" },
			aksk.ReasonBadSignature, "signature does not match"},
		{"signature in upper-case hex", aksk.Credentials{}, func(r *http.Request, _ *[]byte, _ *time.Time) {
			a := r.Header.Get("Authorization")
			i := strings.Index(a, "Signature=") + len("Signature=")
			r.Header.Set("Authorization", a[:i]+strings.ToUpper(a[i:]))
		}, aksk.ReasonBadSignature, "signature does not match"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			creds := tt.creds
			if creds.AccessKey == "" {
				creds = testCreds
			}
			req, body := signedPage(t, creds)
			now := testTime
			if tt.edit != nil {
				tt.edit(req, &body, &now)
			}
			err := aksk.Verify(req, body, lookup, now, aksk.DefaultSkew)
			var verr *aksk.VerifyError
			require.ErrorAs(t, err, &verr)
			assert.Equal(t, tt.reason, verr.Reason)
			assert.Contains(t, err.Error(), tt.says)
			assert.Contains(t, err.Error(), string(tt.reason))
			assertNoSecret(t, err.Error())
			assert.NotContains(t, err.Error(), "f577cffdc96168a6d85d97d7a2278ec359a8b97a816537a364d16e6d03652e82",
				"the expected signature")
			assert.LessOrEqual(t, len(err.Error()), 400, "a short message")
		})
	}
}

func TestVerifyArguments(t *testing.T) {
	t.Run("skew 0 means DefaultSkew", func(t *testing.T) {
		req, body := signedPage(t, testCreds)
		assert.NoError(t, aksk.Verify(req, body, lookup, testTime.Add(aksk.DefaultSkew), 0))
	})
	t.Run("a smaller skew is honoured", func(t *testing.T) {
		req, body := signedPage(t, testCreds)
		var verr *aksk.VerifyError
		require.ErrorAs(t, aksk.Verify(req, body, lookup, testTime.Add(2*time.Minute), time.Minute), &verr)
		assert.Equal(t, aksk.ReasonStaleDate, verr.Reason)
	})
	t.Run("a lookup that returns an empty SK is an unknown AK", func(t *testing.T) {
		req, body := signedPage(t, testCreds)
		var verr *aksk.VerifyError
		empty := func(string) (aksk.Credentials, bool) { return aksk.NewCredentials(testAK, "", ""), true }
		require.ErrorAs(t, aksk.Verify(req, body, empty, testTime, 0), &verr)
		assert.Equal(t, aksk.ReasonUnknownAK, verr.Reason)
	})
	t.Run("no lookup function", func(t *testing.T) {
		req, body := signedPage(t, testCreds)
		err := aksk.Verify(req, body, nil, testTime, 0)
		require.Error(t, err)
		var verr *aksk.VerifyError
		assert.False(t, errors.As(err, &verr))
	})
}

// TestVerifyMessagesAreBounded refuses requests whose every piece is huge:
// the message quotes at most a cut piece of each.
func TestVerifyMessagesAreBounded(t *testing.T) {
	long := strings.Repeat("Ä", 10_000)
	for _, tc := range []struct {
		name string
		edit func(r *http.Request)
	}{
		{"a long access key", func(r *http.Request) {
			r.Header.Set("Authorization", strings.Replace(r.Header.Get("Authorization"), testAK, long, 1))
		}},
		{"a long scheme", func(r *http.Request) { r.Header.Set("Authorization", long+" x") }},
		{"a long parameter name", func(r *http.Request) { r.Header.Set("Authorization", r.Header.Get("Authorization")+", "+long+"=1") }},
		{"a long X-Sdk-Date", func(r *http.Request) { r.Header.Set("X-Sdk-Date", long) }},
		{"a long signed header name", func(r *http.Request) { setSignedHeaders(r, "a"+long+";x-sdk-date") }},
		{"a long upper-case signed header name", func(r *http.Request) { setSignedHeaders(r, long+"A;x-sdk-date") }},
		{"long signed header names out of order", func(r *http.Request) { setSignedHeaders(r, "x-sdk-date;x"+long+";a"+long) }},
		{"a long query that does not decode", func(r *http.Request) { r.URL.RawQuery = long + "%zz" }},
		{"a bad signature over many signed headers", func(r *http.Request) {
			var names []string
			for i := range aksk.MaxSignedHeaders - 1 {
				name := fmt.Sprintf("x-h%03d-%s", i, strings.Repeat("n", 200))
				r.Header.Set(name, "v")
				names = append(names, name)
			}
			setSignedHeaders(r, strings.Join(append(names, "x-sdk-date"), ";"))
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req, body := signedPage(t, testCreds)
			tc.edit(req)
			err := aksk.Verify(req, body, lookup, testTime, 0)
			var verr *aksk.VerifyError
			require.ErrorAs(t, err, &verr)
			assert.LessOrEqual(t, len(err.Error()), 600, "%s", err)
		})
	}
}
