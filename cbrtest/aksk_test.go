package cbrtest_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cbr-replicate/cbr-replicate/aksk"
	"github.com/cbr-replicate/cbr-replicate/cbrtest"
	"github.com/cbr-replicate/cbr-replicate/client"
)

var testKeys = aksk.NewCredentials("HPUAFAKEACCESSKEY001", "fake-secret-key-never-printed-0123456789", "")

// signedRequest is the page's request to the fake, signed with c at t.
func signedRequest(t *testing.T, c aksk.Credentials, at time.Time) *http.Request {
	t.Helper()
	body := pageRequest(t)
	r := newRequest(http.MethodPost, "/v3/"+pageProjectID+"/checkpoints/replicate", body, "X-Auth-Token", "-")
	require.NoError(t, aksk.Sign(r, []byte(body), c, pageProjectID, at))
	return r
}

// tempKeys is a temporary key pair: its requests need its security token.
var tempKeys = aksk.NewCredentials("HPUAFAKETEMPORARY001", "fake-temporary-secret-key-0123456789", "fake-security-token-never-printed-0123")

func TestFake_AKSKSignedRequestsAreVerifiedAsTheGatewayWould(t *testing.T) {
	f := newFake(t, cbrtest.WithAKSK(testKeys, tempKeys))
	for _, tc := range []struct {
		name    string
		req     func(t *testing.T) *http.Request
		status  int
		message string
	}{
		{"a request signed with a known key pair is answered", func(t *testing.T) *http.Request {
			return signedRequest(t, testKeys, time.Now())
		}, http.StatusOK, ""},
		{"a signature within the 15-minute window is accepted", func(t *testing.T) *http.Request {
			return signedRequest(t, testKeys, time.Now().Add(-14*time.Minute))
		}, http.StatusOK, ""},
		{"a wrong secret key gets 401 bad signature", func(t *testing.T) *http.Request {
			return signedRequest(t, aksk.NewCredentials(testKeys.AccessKey, "wrong-secret-key-0123456789", ""), time.Now())
		}, http.StatusUnauthorized, "signature"},
		{"an unknown access key gets 401", func(t *testing.T) *http.Request {
			return signedRequest(t, aksk.NewCredentials("HPUAUNKNOWN", testKeys.SecretKey.Reveal(), ""), time.Now())
		}, http.StatusUnauthorized, "HPUAUNKNOWN"},
		{"a stale date gets 401", func(t *testing.T) *http.Request {
			return signedRequest(t, testKeys, time.Now().Add(-16*time.Minute))
		}, http.StatusUnauthorized, "X-Sdk-Date"},
		{"a missing X-Sdk-Date gets 401", func(t *testing.T) *http.Request {
			r := signedRequest(t, testKeys, time.Now())
			r.Header.Del("X-Sdk-Date")
			return r
		}, http.StatusUnauthorized, "X-Sdk-Date"},
		{"a body changed after signing gets 401", func(t *testing.T) *http.Request {
			r := signedRequest(t, testKeys, time.Now())
			r2 := newRequest(http.MethodPost, r.URL.Path, pageRequest(t)+" ", "X-Auth-Token", "-")
			r2.Header = r.Header
			return r2
		}, http.StatusUnauthorized, "signature"},
		{"a temporary key pair's request with its security token is answered", func(t *testing.T) *http.Request {
			return signedRequest(t, tempKeys, time.Now())
		}, http.StatusOK, ""},
		{"a temporary key pair's request without its security token gets 401", func(t *testing.T) *http.Request {
			return signedRequest(t, aksk.NewCredentials(tempKeys.AccessKey, tempKeys.SecretKey.Reveal(), ""), time.Now())
		}, http.StatusUnauthorized, string(aksk.ReasonMissingSecurityToken)},
		{"another security token gets 401", func(t *testing.T) *http.Request {
			return signedRequest(t, aksk.NewCredentials(tempKeys.AccessKey, tempKeys.SecretKey.Reveal(), "another-security-token-0123"), time.Now())
		}, http.StatusUnauthorized, string(aksk.ReasonWrongSecurityToken)},
		{"a token request works beside AK/SK", func(t *testing.T) *http.Request {
			return newRequest(http.MethodPost, "/v3/"+pageProjectID+"/checkpoints/replicate", pageRequest(t))
		}, http.StatusOK, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a := serve(t, f, tc.req(t))
			assert.Equal(t, tc.status, a.status, "%s", a.body)
			if tc.message != "" {
				e := cbrError(t, a.body)
				assert.Equal(t, "BackupService.8600", e.ErrorCode)
				assert.Contains(t, e.ErrorMsg, tc.message)
			}
			assert.NotContains(t, string(a.body), testKeys.SecretKey.Reveal())
			assert.NotContains(t, string(a.body), tempKeys.SecurityToken.Reveal())
		})
	}
}

func TestFake_ReplicateClientSigningWithAKSK(t *testing.T) {
	srv := newServer(t, cbrtest.WithAKSK(testKeys))
	for _, tc := range []struct {
		name   string
		keys   aksk.Credentials
		status int
	}{
		{"the right keys replicate", testKeys, 0},
		{"a wrong secret key is the fake's 401", aksk.NewCredentials(testKeys.AccessKey, "wrong-secret-key-0123456789", ""), http.StatusUnauthorized},
	} {
		t.Run(tc.name, func(t *testing.T) {
			signer, err := aksk.NewSigner(tc.keys, pageProjectID)
			require.NoError(t, err)
			c, err := client.New(client.Options{Endpoint: srv.URL, ProjectID: pageProjectID, Signer: signer, HTTPClient: srv.Client()})
			require.NoError(t, err)
			out, err := c.Replicate(context.Background(), pageParam())
			if tc.status == 0 {
				require.NoError(t, err)
				assert.Equal(t, pageProjectID, out.ProjectId)
				return
			}
			assert.Equal(t, tc.status, client.StatusCode(err))
			assert.Contains(t, err.Error(), "signature")
			assert.NotContains(t, err.Error(), tc.keys.SecretKey.Reveal())
		})
	}
}

func TestParseAKSK(t *testing.T) {
	keys, err := cbrtest.ParseAKSK(strings.NewReader("# AK SK [security token]\n\n" +
		testKeys.AccessKey + " " + testKeys.SecretKey.Reveal() + "\n" +
		"  " + tempKeys.AccessKey + "\t" + tempKeys.SecretKey.Reveal() + " " + tempKeys.SecurityToken.Reveal() + "  \r\n"))
	require.NoError(t, err)
	type row struct{ ak, sk, token string }
	var got []row
	for _, k := range keys {
		got = append(got, row{k.AccessKey, k.SecretKey.Reveal(), k.SecurityToken.Reveal()})
	}
	assert.Equal(t, []row{
		{testKeys.AccessKey, testKeys.SecretKey.Reveal(), ""},
		{tempKeys.AccessKey, tempKeys.SecretKey.Reveal(), tempKeys.SecurityToken.Reveal()},
	}, got)
}

func TestParseAKSK_Refuses(t *testing.T) {
	sk := testKeys.SecretKey.Reveal()
	for _, tc := range []struct {
		name, in string
		want     []string
	}{
		{"no key pair", "# only a comment\n\n", []string{"no key pair"}},
		{"every bad line at once", "AK1 " + sk + " tok-col extra-col\n" + sk + "\nAK2 " + sk + "\n",
			[]string{"line 1: 4 fields, want 2 or 3", "line 2: 1 fields, want 2 or 3"}},
		{"an access key twice", "AK1 " + sk + "\n\nAK1 other-" + sk + "\n", []string{"line 3: the access key of line 1 again"}},
		{"twenty bad lines and a count of the rest", strings.Repeat("a\n", 100), []string{"line 20: 1 fields", "and 80 more"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			keys, err := cbrtest.ParseAKSK(strings.NewReader(tc.in))
			require.Error(t, err)
			assert.Nil(t, keys)
			for _, w := range tc.want {
				assert.Contains(t, err.Error(), w)
			}
			assert.NotContains(t, err.Error(), "line 21:")
			for _, column := range []string{sk, "tok-col", "extra-col", "AK1", "AK2"} {
				assert.NotContains(t, err.Error(), column, "no column of a line is echoed")
			}
		})
	}
}
