package aksk_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cbr-replicate/cbr-replicate/aksk"
	"github.com/cbr-replicate/cbr-replicate/internal/redact"
)

// The keys, time and requests of the known answers; internal/sdkreferee
// uses the same ones (signer_test.go).
const (
	testAK        = "HPUAEXAMPLEACCESSKEY"
	testSK        = "exampleSecretKey0123456789abcdefEXAMPLE1"
	testProjectID = "4229d7a45436489f8c3dc2b1d35d4987"
	testEndpoint  = "https://cbr.eu-de.otc.t-systems.com"
	sdkUserAgent  = "huaweicloud-usdk-go/3.0"
	jsonType      = "application/json;charset=UTF-8"
)

var (
	testTime  = time.Date(2024, time.May, 17, 8, 30, 0, 0, time.UTC)
	testCreds = aksk.Credentials{AccessKey: testAK, SecretKey: testSK}
)

// pageBody is the page's example request body, compact.
const pageBody = `{"replicate":{"auto_trigger":false,"destination_project_id":"68589cac08274b82b4e254268a3862d8","destination_region":"region2","destination_vault_id":"0ca3eb86-8800-46da-9c37-9d657a825274","enable_acceleration":false,"vault_id":"3b5816b5-f29c-4172-9d9a-76c719a659ce"}}`

const utf8Body = `{"replicate":{"destination_region":"région-Ü-東京-😀","vault_id":"3b5816b5-f29c-4172-9d9a-76c719a659ce"}}`

// vector is a request and the Authorization Huawei Cloud's Go SDK v0.1.207
// (core/auth/signer.Sign) gives it with testAK/testSK at testTime.
type vector struct {
	name      string
	method    string
	url       string
	projectID string
	headers   map[string]string
	body      string
	// want was produced by the referee module:
	//   cd internal/sdkreferee && go test -v -run TestSignEqualsSDKSigner
	// prints the SDK's Authorization for the same request ("vector ...").
	want string
}

var vectors = []vector{
	{
		name: "the page's request", method: http.MethodPost,
		url:       testEndpoint + "/v3/" + testProjectID + "/checkpoints/replicate",
		projectID: testProjectID,
		headers:   map[string]string{"User-Agent": sdkUserAgent, "Content-Type": jsonType},
		body:      pageBody,
		want:      "SDK-HMAC-SHA256 Access=HPUAEXAMPLEACCESSKEY, SignedHeaders=user-agent;x-project-id;x-sdk-date, Signature=f577cffdc96168a6d85d97d7a2278ec359a8b97a816537a364d16e6d03652e82",
	},
	{
		name: "multibyte UTF-8 body is hashed as its UTF-8 bytes", method: http.MethodPost,
		url:       testEndpoint + "/v3/" + testProjectID + "/checkpoints/replicate",
		projectID: testProjectID,
		headers:   map[string]string{"User-Agent": sdkUserAgent, "Content-Type": jsonType},
		body:      utf8Body,
		want:      "SDK-HMAC-SHA256 Access=HPUAEXAMPLEACCESSKEY, SignedHeaders=user-agent;x-project-id;x-sdk-date, Signature=7f176ff9864d1ffee23a5c7bef680b49ecb1df8c042b874d57aa5418a7ccd0e8",
	},
	{
		// The same query as the SDK sends it, in another order: the
		// canonical query sorts names, then values.
		name: "query sorted by name then value, names and values escaped", method: http.MethodGet,
		url: testEndpoint + "/v3/" + testProjectID + "/checkpoints?vault=z-vault&sort=created_at%3Adesc&vault=a-vault&" +
			"name=a%20b%2Bc%2Fd~e&offset=0&r%C3%A9gion=%E4%B8%9C%E4%BA%AC&empty&limit=10&vault=m+vault&Capital=X",
		projectID: testProjectID,
		headers:   map[string]string{"User-Agent": sdkUserAgent},
		want:      "SDK-HMAC-SHA256 Access=HPUAEXAMPLEACCESSKEY, SignedHeaders=user-agent;x-project-id;x-sdk-date, Signature=04d59cbd58bc476f774bc766245115e511b1c44ac3e035074f520312f927a0fd",
	},
	{
		name: "extra headers signed and trimmed; Content-Type and names with _ not signed", method: http.MethodPost,
		url:       testEndpoint + "/v3/" + testProjectID + "/checkpoints/replicate",
		projectID: testProjectID,
		headers: map[string]string{
			"User-Agent": sdkUserAgent, "Content-Type": jsonType,
			"X-Request-Id": "  7c7e0d3a-1f0b-4c8e-9b1e-000000000001  ", "X-Language": "en-us",
			"X_Underscore": "not signed", "X-Custom-Empty": "",
		},
		body: pageBody,
		want: "SDK-HMAC-SHA256 Access=HPUAEXAMPLEACCESSKEY, SignedHeaders=user-agent;x-custom-empty;x-language;x-project-id;x-request-id;x-sdk-date, Signature=8127cfd88804390564adbecfa449560b8949b5302cc82ba3a6d2238be326c8cd",
	},
	{
		name: "empty body is hashed as zero bytes", method: http.MethodDelete,
		url:       testEndpoint + "/v3/" + testProjectID + "/checkpoints/8b0851a8-adf3-4f4c-a914-dead08bf9664",
		projectID: testProjectID,
		headers:   map[string]string{"User-Agent": sdkUserAgent},
		want:      "SDK-HMAC-SHA256 Access=HPUAEXAMPLEACCESSKEY, SignedHeaders=user-agent;x-project-id;x-sdk-date, Signature=97db3d76f7c6b498641fef091000c3e8f045e88a9ffb17efc6a1a4b2374cf399",
	},
	{
		name: "path segments escaped, trailing slash kept once", method: http.MethodGet,
		url:       testEndpoint + "/v3/" + testProjectID + "/vaults/name%20with%20space/%C3%A9/",
		projectID: testProjectID,
		headers:   map[string]string{"User-Agent": sdkUserAgent},
		want:      "SDK-HMAC-SHA256 Access=HPUAEXAMPLEACCESSKEY, SignedHeaders=user-agent;x-project-id;x-sdk-date, Signature=bc0691c9c2cf141e762e36ee702b0f867268b602ac106d66e5bb55b12c3d4911",
	},
	{
		name: "no project ID sets no X-Project-Id", method: http.MethodGet,
		url:     testEndpoint + "/v3/regions",
		headers: map[string]string{"User-Agent": sdkUserAgent},
		want:    "SDK-HMAC-SHA256 Access=HPUAEXAMPLEACCESSKEY, SignedHeaders=user-agent;x-sdk-date, Signature=0c1bf58219a58461983b5f088b5d83b2611a05b917ef16b78da1185a7116accd",
	},
}

func (v vector) request(t testing.TB) *http.Request {
	t.Helper()
	req, err := http.NewRequest(v.method, v.url, strings.NewReader(v.body))
	require.NoError(t, err)
	for k, val := range v.headers {
		req.Header.Set(k, val)
	}
	return req
}

func TestSignKnownAnswers(t *testing.T) {
	for _, v := range vectors {
		t.Run(v.name, func(t *testing.T) {
			req := v.request(t)
			require.NoError(t, aksk.Sign(req, []byte(v.body), testCreds, v.projectID, testTime))
			assert.Equal(t, v.want, req.Header.Get("Authorization"))
			assert.Equal(t, "20240517T083000Z", req.Header.Get("X-Sdk-Date"))
			assert.Equal(t, v.projectID, req.Header.Get("X-Project-Id"))
		})
	}
}

func TestSignRules(t *testing.T) {
	sign := func(t *testing.T, req *http.Request, body string, at time.Time) string {
		t.Helper()
		require.NoError(t, aksk.Sign(req, []byte(body), testCreds, testProjectID, at))
		return req.Header.Get("Authorization")
	}
	page := vectors[0]
	tests := []struct {
		name string
		run  func(t *testing.T)
	}{
		{"X-Sdk-Date is the time in UTC", func(t *testing.T) {
			req := page.request(t)
			cet := time.FixedZone("CET", 3600)
			assert.Equal(t, page.want, sign(t, req, page.body, testTime.In(cet)))
			assert.Equal(t, "20240517T083000Z", req.Header.Get("X-Sdk-Date"))
		}},
		{"an earlier Authorization is replaced, not signed", func(t *testing.T) {
			req := page.request(t)
			req.Header.Set("Authorization", "Bearer old")
			assert.Equal(t, page.want, sign(t, req, page.body, testTime))
		}},
		{"signing twice gives the same header", func(t *testing.T) {
			req := page.request(t)
			first := sign(t, req, page.body, testTime)
			assert.Equal(t, first, sign(t, req, page.body, testTime))
		}},
		{"the signature covers the body", func(t *testing.T) {
			assert.NotEqual(t, page.want, sign(t, page.request(t), page.body+" ", testTime))
		}},
		{"the signature covers the time", func(t *testing.T) {
			assert.NotEqual(t, page.want, sign(t, page.request(t), page.body, testTime.Add(time.Second)))
		}},
		{"the signature covers the method", func(t *testing.T) {
			req := page.request(t)
			req.Method = http.MethodPut
			assert.NotEqual(t, page.want, sign(t, req, page.body, testTime))
		}},
		{"the host is not signed, as in the SDK", func(t *testing.T) {
			req := page.request(t)
			req.URL.Host = "other.example"
			req.Host = "other.example"
			assert.Equal(t, page.want, sign(t, req, page.body, testTime))
		}},
		{"an explicit Host header is signed with its value", func(t *testing.T) {
			req := page.request(t)
			req.Header.Set("Host", "cbr.eu-de.otc.t-systems.com")
			assert.Contains(t, sign(t, req, page.body, testTime), "SignedHeaders=host;user-agent;x-project-id;x-sdk-date,")
		}},
		{"repeated header values are signed sorted", func(t *testing.T) {
			a, b := page.request(t), page.request(t)
			a.Header.Add("X-Multi", "b")
			a.Header.Add("X-Multi", "a")
			b.Header.Add("X-Multi", "a")
			b.Header.Add("X-Multi", "b")
			assert.Equal(t, sign(t, a, page.body, testTime), sign(t, b, page.body, testTime))
		}},
		{"header names that differ only in case are one header", func(t *testing.T) {
			a, b := page.request(t), page.request(t)
			a.Header["X-Multi"] = []string{"b"}
			a.Header["x-multi"] = []string{"a"}
			b.Header.Add("X-Multi", "a")
			b.Header.Add("X-Multi", "b")
			got := sign(t, a, page.body, testTime)
			assert.Equal(t, sign(t, b, page.body, testTime), got)
			assert.Contains(t, got, "SignedHeaders=user-agent;x-multi;x-project-id;x-sdk-date,")
		}},
		{"an empty path is signed as /", func(t *testing.T) {
			a, err := http.NewRequest(http.MethodGet, testEndpoint, nil)
			require.NoError(t, err)
			b, err := http.NewRequest(http.MethodGet, testEndpoint+"/", nil)
			require.NoError(t, err)
			assert.Equal(t, sign(t, a, "", testTime), sign(t, b, "", testTime))
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, tt.run)
	}
}

func TestSignRefuses(t *testing.T) {
	tests := []struct {
		name  string
		creds aksk.Credentials
		edit  func(*http.Request)
		want  string
	}{
		{"empty access key", aksk.Credentials{SecretKey: testSK}, nil, "access key (AK) is empty"},
		{"empty secret key", aksk.Credentials{AccessKey: testAK}, nil, "secret key (SK) is empty"},
		{"a query string that does not decode", testCreds, func(r *http.Request) { r.URL.RawQuery = "a=%zz" }, "query string does not decode"},
		{"a request that announces an unsigned payload", testCreds,
			func(r *http.Request) { r.Header.Set("X-Sdk-Content-Sha256", "UNSIGNED-PAYLOAD") }, "X-Sdk-Content-Sha256"},
		{"a request without URL", testCreds, func(r *http.Request) { r.URL = nil }, "no URL"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := vectors[0].request(t)
			if tt.edit != nil {
				tt.edit(req)
			}
			err := aksk.Sign(req, []byte(pageBody), tt.creds, testProjectID, testTime)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.want)
			assert.NotContains(t, err.Error(), testSK)
			assert.Empty(t, req.Header.Get("Authorization"))
		})
	}
}

func lookup(ak string) (string, bool) {
	if ak == testAK {
		return testSK, true
	}
	return "", false
}

// TestSignVerifyRoundTrip sends each signed vector through a loopback
// server that verifies what it received: headers the transport adds
// (Accept-Encoding, Content-Length) and the Host the server moves out of
// the header do not disturb the signature.
func TestSignVerifyRoundTrip(t *testing.T) {
	var got error
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(r.Body)
		if err != nil {
			got = err
		} else {
			got = aksk.Verify(r, body, lookup, testTime.Add(time.Minute), aksk.DefaultSkew)
		}
		w.WriteHeader(http.StatusNoContent)
	}))
	defer srv.Close()

	for _, v := range vectors {
		t.Run(v.name, func(t *testing.T) {
			v.url = strings.Replace(v.url, testEndpoint, srv.URL, 1)
			req := v.request(t)
			require.NoError(t, aksk.Sign(req, []byte(v.body), testCreds, v.projectID, testTime))
			resp, err := srv.Client().Do(req)
			require.NoError(t, err)
			require.NoError(t, resp.Body.Close())
			assert.NoError(t, got)
		})
	}
}

// signedPage returns the page's request signed at testTime and its body.
func signedPage(t *testing.T) (*http.Request, []byte) {
	t.Helper()
	req := vectors[0].request(t)
	require.NoError(t, aksk.Sign(req, []byte(pageBody), testCreds, testProjectID, testTime))
	return req, []byte(pageBody)
}

func TestVerifyAcceptsAuthorizationSpellings(t *testing.T) {
	const sig = "f577cffdc96168a6d85d97d7a2278ec359a8b97a816537a364d16e6d03652e82"
	for _, value := range []string{
		"SDK-HMAC-SHA256 Access=" + testAK + ", SignedHeaders=user-agent;x-project-id;x-sdk-date, Signature=" + sig,
		"SDK-HMAC-SHA256 Access=" + testAK + ",SignedHeaders=user-agent;x-project-id;x-sdk-date,Signature=" + sig,
		"SDK-HMAC-SHA256 Signature=" + sig + " ,  Access=" + testAK + " , SignedHeaders=user-agent;x-project-id;x-sdk-date ",
	} {
		t.Run(value, func(t *testing.T) {
			req, body := signedPage(t)
			req.Header.Set("Authorization", value)
			assert.NoError(t, aksk.Verify(req, body, lookup, testTime, aksk.DefaultSkew))
		})
	}
}

func TestVerifyFailures(t *testing.T) {
	tests := []struct {
		name   string
		edit   func(r *http.Request, body *[]byte, now *time.Time)
		reason aksk.Reason
		says   string
	}{
		{"no Authorization header", func(r *http.Request, _ *[]byte, _ *time.Time) { r.Header.Del("Authorization") },
			aksk.ReasonMissingAuthorization, "missing Authorization"},
		{"Authorization of another scheme", func(r *http.Request, _ *[]byte, _ *time.Time) { r.Header.Set("Authorization", "Bearer x") },
			aksk.ReasonNotSDKHMAC, `scheme "Bearer"`},
		{"Authorization without Signature", func(r *http.Request, _ *[]byte, _ *time.Time) {
			r.Header.Set("Authorization", "SDK-HMAC-SHA256 Access="+testAK+", SignedHeaders=x-sdk-date")
		}, aksk.ReasonMalformedAuthorization, "Signature missing"},
		{"Authorization with a repeated parameter", func(r *http.Request, _ *[]byte, _ *time.Time) {
			r.Header.Set("Authorization", r.Header.Get("Authorization")+", Access=other")
		}, aksk.ReasonMalformedAuthorization, "Access repeated"},
		{"Authorization with an unknown parameter", func(r *http.Request, _ *[]byte, _ *time.Time) {
			r.Header.Set("Authorization", r.Header.Get("Authorization")+", Region=eu-de")
		}, aksk.ReasonMalformedAuthorization, `unknown parameter "Region"`},
		{"SignedHeaders with an empty name", func(r *http.Request, _ *[]byte, _ *time.Time) {
			r.Header.Set("Authorization", strings.Replace(r.Header.Get("Authorization"), "user-agent;", ";", 1))
		}, aksk.ReasonMalformedAuthorization, "empty name"},
		{"no X-Sdk-Date header", func(r *http.Request, _ *[]byte, _ *time.Time) { r.Header.Del("X-Sdk-Date") },
			aksk.ReasonMissingDate, "missing X-Sdk-Date"},
		{"X-Sdk-Date not in YYYYMMDDTHHMMSSZ", func(r *http.Request, _ *[]byte, _ *time.Time) {
			r.Header.Set("X-Sdk-Date", "2024-05-17T08:30:00Z")
		}, aksk.ReasonMalformedDate, `"2024-05-17T08:30:00Z" is not YYYYMMDDTHHMMSSZ`},
		{"X-Sdk-Date more than the skew in the past", func(_ *http.Request, _ *[]byte, now *time.Time) {
			*now = testTime.Add(aksk.DefaultSkew + time.Second)
		}, aksk.ReasonStaleDate, "is 15m1s from the verifier's clock"},
		{"X-Sdk-Date more than the skew in the future", func(_ *http.Request, _ *[]byte, now *time.Time) {
			*now = testTime.Add(-aksk.DefaultSkew - time.Second)
		}, aksk.ReasonStaleDate, "more than ±15m0s"},
		{"unsigned payload announced", func(r *http.Request, _ *[]byte, _ *time.Time) {
			r.Header.Set("X-Sdk-Content-Sha256", "UNSIGNED-PAYLOAD")
		}, aksk.ReasonUnsignedPayload, "the body must be signed"},
		{"query string that does not decode", func(r *http.Request, _ *[]byte, _ *time.Time) { r.URL.RawQuery = "a=%zz" },
			aksk.ReasonMalformedRequest, "query string does not decode"},
		{"unknown access key", func(r *http.Request, _ *[]byte, _ *time.Time) {
			r.Header.Set("Authorization", strings.Replace(r.Header.Get("Authorization"), testAK, "SOMEONEELSE", 1))
		}, aksk.ReasonUnknownAK, `access key "SOMEONEELSE"`},
		{"body changed after signing", func(_ *http.Request, body *[]byte, _ *time.Time) {
			*body = bytes.Replace(*body, []byte("region2"), []byte("region3"), 1)
		}, aksk.ReasonBadSignature, "signature does not match"},
		{"signed header changed after signing", func(r *http.Request, _ *[]byte, _ *time.Time) {
			r.Header.Set("X-Project-Id", "0000000000000000000000000000000")
		}, aksk.ReasonBadSignature, "signed headers"},
		{"query added after signing", func(r *http.Request, _ *[]byte, _ *time.Time) { r.URL.RawQuery = "x=1" },
			aksk.ReasonBadSignature, "signature does not match"},
		{"path changed after signing", func(r *http.Request, _ *[]byte, _ *time.Time) { r.URL.Path += "x" },
			aksk.ReasonBadSignature, "signature does not match"},
		{"signature in upper-case hex", func(r *http.Request, _ *[]byte, _ *time.Time) {
			a := r.Header.Get("Authorization")
			i := strings.Index(a, "Signature=") + len("Signature=")
			r.Header.Set("Authorization", a[:i]+strings.ToUpper(a[i:]))
		}, aksk.ReasonBadSignature, "signature does not match"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, body := signedPage(t)
			now := testTime
			tt.edit(req, &body, &now)
			err := aksk.Verify(req, body, lookup, now, aksk.DefaultSkew)
			var verr *aksk.VerifyError
			require.ErrorAs(t, err, &verr)
			assert.Equal(t, tt.reason, verr.Reason)
			assert.Contains(t, err.Error(), tt.says)
			assert.Contains(t, err.Error(), string(tt.reason))
			assertNoSecret(t, err.Error())
			assert.NotContains(t, err.Error(), "f577cffdc96168a6d85d97d7a2278ec359a8b97a816537a364d16e6d03652e82",
				"the expected signature")
		})
	}
}

func TestVerifyArguments(t *testing.T) {
	t.Run("skew 0 means DefaultSkew", func(t *testing.T) {
		req, body := signedPage(t)
		assert.NoError(t, aksk.Verify(req, body, lookup, testTime.Add(aksk.DefaultSkew), 0))
	})
	t.Run("a smaller skew is honoured", func(t *testing.T) {
		req, body := signedPage(t)
		var verr *aksk.VerifyError
		require.ErrorAs(t, aksk.Verify(req, body, lookup, testTime.Add(2*time.Minute), time.Minute), &verr)
		assert.Equal(t, aksk.ReasonStaleDate, verr.Reason)
	})
	t.Run("a lookup that returns an empty SK is an unknown AK", func(t *testing.T) {
		req, body := signedPage(t)
		var verr *aksk.VerifyError
		require.ErrorAs(t, aksk.Verify(req, body, func(string) (string, bool) { return "", true }, testTime, 0), &verr)
		assert.Equal(t, aksk.ReasonUnknownAK, verr.Reason)
	})
	t.Run("no lookup function", func(t *testing.T) {
		req, body := signedPage(t)
		err := aksk.Verify(req, body, nil, testTime, 0)
		require.Error(t, err)
		var verr *aksk.VerifyError
		assert.False(t, errors.As(err, &verr))
	})
	t.Run("a long access key is cut in the message", func(t *testing.T) {
		req, body := signedPage(t)
		long := strings.Repeat("A", 10_000)
		req.Header.Set("Authorization", strings.Replace(req.Header.Get("Authorization"), testAK, long, 1))
		err := aksk.Verify(req, body, lookup, testTime, 0)
		require.Error(t, err)
		assert.Less(t, len(err.Error()), 200)
	})
}

// assertNoSecret fails when s shows the SK.
func assertNoSecret(t *testing.T, s string) {
	t.Helper()
	assert.NotContains(t, s, testSK)
	assert.NotContains(t, s, testSK[:12], "a prefix of the SK")
	assert.NotContains(t, s, fmt.Sprintf("%x", testSK), "the SK in hex")
}

func TestSecretKeyNeverShown(t *testing.T) {
	signer, err := aksk.NewSigner(testCreds, testProjectID)
	require.NoError(t, err)
	var logged bytes.Buffer
	slog.New(slog.NewJSONHandler(&logged, nil)).Info("keys", "creds", testCreds, "signer", signer)
	js, err := json.Marshal(testCreds)
	require.NoError(t, err)

	outputs := map[string]string{"slog": logged.String(), "json.Marshal": string(js)}
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%X", "%d", "%T %v"} {
		outputs[verb+" Credentials"] = fmt.Sprintf(verb, testCreds)
		outputs[verb+" *Credentials"] = fmt.Sprintf(verb, &testCreds)
		outputs[verb+" Signer"] = fmt.Sprintf(verb, signer)
		outputs[verb+" struct holding Credentials"] = fmt.Sprintf(verb, struct{ C aksk.Credentials }{testCreds})
	}
	outputs["String"] = testCreds.String()
	outputs["GoString"] = testCreds.GoString()
	for name, out := range outputs {
		t.Run(name, func(t *testing.T) {
			assertNoSecret(t, out)
			if !strings.HasPrefix(name, "%T") {
				assert.Contains(t, out, redact.Redacted)
			}
		})
	}
	t.Run("the AK is shown", func(t *testing.T) {
		assert.Contains(t, fmt.Sprint(testCreds), testAK)
		assert.Contains(t, logged.String(), testAK)
	})
	t.Run("an empty SK shows as empty, not as redacted", func(t *testing.T) {
		assert.Equal(t, "{AccessKey:"+testAK+" SecretKey:}", aksk.Credentials{AccessKey: testAK}.String())
	})
}

func TestNewSigner(t *testing.T) {
	tests := []struct {
		name  string
		creds aksk.Credentials
		want  []error
	}{
		{"empty access key", aksk.Credentials{SecretKey: testSK}, []error{aksk.ErrNoAccessKey}},
		{"empty secret key", aksk.Credentials{AccessKey: testAK}, []error{aksk.ErrNoSecretKey}},
		{"both keys empty, both reported", aksk.Credentials{}, []error{aksk.ErrNoAccessKey, aksk.ErrNoSecretKey}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := aksk.NewSigner(tt.creds, testProjectID)
			assert.Nil(t, s)
			for _, want := range tt.want {
				assert.ErrorIs(t, err, want)
			}
			assertNoSecret(t, err.Error())
		})
	}
	t.Run("a signer signs at the current time and verifies", func(t *testing.T) {
		s, err := aksk.NewSigner(testCreds, testProjectID)
		require.NoError(t, err)
		assert.Equal(t, testAK, s.AccessKey())
		assert.Equal(t, testProjectID, s.ProjectID())
		req := vectors[0].request(t)
		require.NoError(t, s.SignRequest(req, []byte(pageBody)))
		date, err := time.Parse(aksk.DateLayout, req.Header.Get("X-Sdk-Date"))
		require.NoError(t, err)
		assert.NoError(t, aksk.Verify(req, []byte(pageBody), lookup, date, 0))
		assert.Equal(t, testProjectID, req.Header.Get("X-Project-Id"))
	})
}

func BenchmarkSign(b *testing.B) {
	body := []byte(pageBody)
	req, err := http.NewRequestWithContext(context.Background(), http.MethodPost,
		testEndpoint+"/v3/"+testProjectID+"/checkpoints/replicate", bytes.NewReader(body))
	require.NoError(b, err)
	req.Header.Set("Content-Type", jsonType)
	req.Header.Set("User-Agent", sdkUserAgent)
	b.ReportAllocs()
	for b.Loop() {
		if err := aksk.Sign(req, body, testCreds, testProjectID, testTime); err != nil {
			b.Fatal(err)
		}
	}
}
