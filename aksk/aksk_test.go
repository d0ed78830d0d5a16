package aksk_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cbr-replicate/cbr-replicate/aksk"
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
	// tempAK and testToken are a temporary key pair's (with testSK).
	tempAK    = "HPUATEMPORARYACCESSK"
	testToken = "gQpldS1kZS0xSAMPLEtemporaryKeyToken+/0123456789abcdefABCDEF=="
)

var (
	testTime  = time.Date(2024, time.May, 17, 8, 30, 0, 0, time.UTC)
	testCreds = aksk.NewCredentials(testAK, testSK, "")
	tempCreds = aksk.NewCredentials(tempAK, testSK, testToken)
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
	// token makes the keys tempAK's, with this security token.
	token string
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
	{
		name: "a temporary key pair's security token is sent in X-Security-Token and signed", method: http.MethodPost,
		url:       testEndpoint + "/v3/" + testProjectID + "/checkpoints/replicate",
		projectID: testProjectID,
		headers:   map[string]string{"User-Agent": sdkUserAgent, "Content-Type": jsonType},
		body:      pageBody,
		token:     testToken,
		want:      "SDK-HMAC-SHA256 Access=HPUATEMPORARYACCESSK, SignedHeaders=user-agent;x-project-id;x-sdk-date;x-security-token, Signature=872b3fbbe41960ad445ed5ccab3fc647fcf15efac7c285ae1c1a9e64e677f63a",
	},
}

// creds are the keys the vector is signed with.
func (v vector) creds() aksk.Credentials {
	if v.token != "" {
		return tempCreds
	}
	return testCreds
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
			require.NoError(t, aksk.Sign(req, []byte(v.body), v.creds(), v.projectID, testTime))
			assert.Equal(t, v.want, req.Header.Get("Authorization"))
			assert.Equal(t, "20240517T083000Z", req.Header.Get("X-Sdk-Date"))
			assert.Equal(t, v.projectID, req.Header.Get("X-Project-Id"))
			assert.Equal(t, v.token, req.Header.Get("X-Security-Token"))
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
		{"a permanent key pair's request carries no X-Security-Token", func(t *testing.T) {
			req := page.request(t)
			req.Header.Set("X-Security-Token", "left over from a temporary key pair")
			assert.Equal(t, page.want, sign(t, req, page.body, testTime))
			assert.Empty(t, req.Header.Values("X-Security-Token"))
		}},
		{"the security token is signed: another token, another signature", func(t *testing.T) {
			a, b := page.request(t), page.request(t)
			require.NoError(t, aksk.Sign(a, []byte(page.body), tempCreds, testProjectID, testTime))
			require.NoError(t, aksk.Sign(b, []byte(page.body), aksk.NewCredentials(tempAK, testSK, testToken+"x"), testProjectID, testTime))
			assert.Contains(t, a.Header.Get("Authorization"), "SignedHeaders=user-agent;x-project-id;x-sdk-date;x-security-token,")
			assert.NotEqual(t, a.Header.Get("Authorization"), b.Header.Get("Authorization"))
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
		{"empty access key", aksk.NewCredentials("", testSK, ""), nil, "access key (AK) is empty"},
		{"empty secret key", aksk.NewCredentials(testAK, "", testToken), nil, "secret key (SK) is empty"},
		{"a query string that does not decode", testCreds, func(r *http.Request) { r.URL.RawQuery = "a=%zz" }, "query string does not decode"},
		{"a request that announces an unsigned payload", testCreds,
			func(r *http.Request) { r.Header.Set("X-Sdk-Content-Sha256", "UNSIGNED-PAYLOAD") }, "X-Sdk-Content-Sha256"},
		{"a request without URL", testCreds, func(r *http.Request) { r.URL = nil }, "no URL"},
		{"more than MaxSignedHeaders headers to sign", tempCreds, func(r *http.Request) {
			for i := range aksk.MaxSignedHeaders {
				r.Header.Set(fmt.Sprintf("X-H%d", i), "v")
			}
		}, fmt.Sprintf("more than %d", aksk.MaxSignedHeaders)},
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
			assertNoSecret(t, err.Error())
			assert.Empty(t, req.Header.Get("Authorization"))
		})
	}
}

// lookup knows testAK, a permanent key pair, and tempAK, a temporary one.
func lookup(ak string) (aksk.Credentials, bool) {
	switch ak {
	case testAK:
		return testCreds, true
	case tempAK:
		return tempCreds, true
	}
	return aksk.Credentials{}, false
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
			require.NoError(t, aksk.Sign(req, []byte(v.body), v.creds(), v.projectID, testTime))
			resp, err := srv.Client().Do(req)
			require.NoError(t, err)
			require.NoError(t, resp.Body.Close())
			assert.NoError(t, got)
		})
	}
}

func TestNewSigner(t *testing.T) {
	tests := []struct {
		name  string
		creds aksk.Credentials
		want  []error
	}{
		{"empty access key", aksk.NewCredentials("", testSK, ""), []error{aksk.ErrNoAccessKey}},
		{"empty secret key", aksk.NewCredentials(testAK, "", ""), []error{aksk.ErrNoSecretKey}},
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
	for _, creds := range []aksk.Credentials{testCreds, tempCreds} {
		t.Run("a signer signs at the current time and verifies, "+creds.AccessKey, func(t *testing.T) {
			s, err := aksk.NewSigner(creds, testProjectID)
			require.NoError(t, err)
			req := vectors[0].request(t)
			require.NoError(t, s.SignRequest(req, []byte(pageBody)))
			date, err := time.Parse(aksk.DateLayout, req.Header.Get("X-Sdk-Date"))
			require.NoError(t, err)
			assert.NoError(t, aksk.Verify(req, []byte(pageBody), lookup, date, 0))
			assert.Equal(t, testProjectID, req.Header.Get("X-Project-Id"))
		})
	}
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
