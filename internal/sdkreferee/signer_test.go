package sdkreferee

import (
	"bytes"
	"io"
	"net/http"
	"reflect"
	"testing"
	"time"

	"github.com/huaweicloud/huaweicloud-sdk-go-v3/core/auth/signer"
	"github.com/huaweicloud/huaweicloud-sdk-go-v3/core/request"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cbr-replicate/cbr-replicate/aksk"
)

// The keys and time of every vector. The same constants are in
// aksk/aksk_test.go, whose known answers this test prints (go test -v).
const (
	testAK        = "HPUAEXAMPLEACCESSKEY"
	testSK        = "exampleSecretKey0123456789abcdefEXAMPLE1"
	testProjectID = "4229d7a45436489f8c3dc2b1d35d4987"
	testEndpoint  = "https://cbr.eu-de.otc.t-systems.com"
	// The SDK's own User-Agent, signed like any other header.
	sdkUserAgent = "huaweicloud-usdk-go/3.0"
	// tempAK and testSecurityToken are a temporary key pair's (with
	// testSK); IAM issues a token as a long base64 text.
	tempAK            = "HPUATEMPORARYACCESSK"
	testSecurityToken = "gQpldS1kZS0xSAMPLEtemporaryKeyToken+/0123456789abcdefABCDEF=="
)

var testTime = time.Date(2024, time.May, 17, 8, 30, 0, 0, time.UTC)

// pageBody is the page's example request body, compact.
const pageBody = `{"replicate":{"auto_trigger":false,"destination_project_id":"68589cac08274b82b4e254268a3862d8","destination_region":"region2","destination_vault_id":"0ca3eb86-8800-46da-9c37-9d657a825274","enable_acceleration":false,"vault_id":"3b5816b5-f29c-4172-9d9a-76c719a659ce"}}`

// sdkCase is one request as the SDK builds it before signing.
type sdkCase struct {
	name        string
	method      string
	path        string // may hold {project_id}
	projectID   string
	query       map[string]any // string or []string
	headers     map[string]string
	contentType string
	body        string
	// securityToken makes the keys a temporary key pair's.
	securityToken string
}

var sdkCases = []sdkCase{
	{
		name: "the page's request", method: http.MethodPost,
		path: "/v3/{project_id}/checkpoints/replicate", projectID: testProjectID,
		contentType: "application/json;charset=UTF-8", body: pageBody,
	},
	{
		name: "multibyte UTF-8 body", method: http.MethodPost,
		path: "/v3/{project_id}/checkpoints/replicate", projectID: testProjectID,
		contentType: "application/json;charset=UTF-8",
		body:        `{"replicate":{"destination_region":"région-Ü-東京-😀","vault_id":"3b5816b5-f29c-4172-9d9a-76c719a659ce"}}`,
	},
	{
		name: "query strings, sorted by name then value, escaped", method: http.MethodGet,
		path: "/v3/{project_id}/checkpoints", projectID: testProjectID,
		query: map[string]any{
			"limit":   "10",
			"offset":  "0",
			"name":    "a b+c/d~e",
			"sort":    "created_at:desc",
			"vault":   []string{"z-vault", "a-vault", "m vault"},
			"région":  "东京",
			"empty":   "",
			"Capital": "X",
		},
	},
	{
		name: "extra headers, trimmed; Content-Type and names with _ unsigned", method: http.MethodPost,
		path: "/v3/{project_id}/checkpoints/replicate", projectID: testProjectID,
		headers: map[string]string{
			"X-Request-Id":   "  7c7e0d3a-1f0b-4c8e-9b1e-000000000001  ",
			"X-Language":     "en-us",
			"X_Underscore":   "not signed",
			"X-Custom-Empty": "",
		},
		contentType: "application/json;charset=UTF-8", body: pageBody,
	},
	{
		name: "empty body", method: http.MethodDelete,
		path: "/v3/{project_id}/checkpoints/8b0851a8-adf3-4f4c-a914-dead08bf9664", projectID: testProjectID,
	},
	{
		name: "path segments escaped, no trailing slash added twice", method: http.MethodGet,
		path: "/v3/{project_id}/vaults/name with space/é/", projectID: testProjectID,
	},
	{
		name: "no project ID (global service)", method: http.MethodGet, path: "/v3/regions",
	},
	{
		name: "a temporary key pair: X-Security-Token set and signed", method: http.MethodPost,
		path: "/v3/{project_id}/checkpoints/replicate", projectID: testProjectID,
		contentType: "application/json;charset=UTF-8", body: pageBody, securityToken: testSecurityToken,
	},
}

// ak is the access key of c: tempAK for a temporary key pair (the same SK
// signs both; the signature does not cover the AK).
func (c sdkCase) ak() string {
	if c.securityToken != "" {
		return tempAK
	}
	return testAK
}

// keys are the credentials of c for package aksk.
func (c sdkCase) keys() aksk.Credentials {
	return aksk.NewCredentials(c.ak(), testSK, c.securityToken)
}

// sdkSign builds c as the SDK does, signs it with the SDK's signer at
// testTime and returns the SDK's Authorization and the http.Request the SDK
// would send (without Authorization).
func sdkSign(t *testing.T, c sdkCase) (string, *http.Request, []byte) {
	t.Helper()
	build := func() *request.DefaultHttpRequest {
		b := request.NewHttpRequestBuilder().WithEndpoint(testEndpoint).WithMethod(c.method).WithPath(c.path).
			AddHeaderParam("User-Agent", sdkUserAgent).
			AddHeaderParam(aksk.HeaderDate, testTime.Format(aksk.DateLayout))
		if c.projectID != "" {
			// What the SDK's BasicCredentials.ProcessAuthRequest adds.
			b.AddAutoFilledPathParam("project_id", c.projectID).AddHeaderParam(aksk.HeaderProjectID, c.projectID)
		}
		for k, v := range c.query {
			b.AddQueryParam(k, reflect.ValueOf(v))
		}
		for k, v := range c.headers {
			b.AddHeaderParam(k, v)
		}
		if c.contentType != "" {
			b.AddHeaderParam("Content-Type", c.contentType)
		}
		if c.body != "" {
			b.WithBody("", c.body)
		}
		if c.securityToken != "" {
			// What the SDK's BaseCredentials adds before it signs.
			b.AddHeaderParam(aksk.HeaderSecurityToken, c.securityToken)
		}
		return b.Build()
	}
	sdkReq := build()
	extra, err := signer.Sign(sdkReq, c.ak(), testSK)
	require.NoError(t, err)
	require.Equal(t, testTime.Format(aksk.DateLayout), extra[aksk.HeaderDate], "the SDK signs at the time given in X-Sdk-Date")

	// The request the SDK sends, as its own http client converts it.
	wire, err := sdkReq.ConvertRequest()
	require.NoError(t, err)
	body, err := io.ReadAll(wire.Body)
	require.NoError(t, err)
	wire.Body = io.NopCloser(bytes.NewReader(body))
	return extra[aksk.HeaderAuthorization], wire, body
}

func TestSignEqualsSDKSigner(t *testing.T) {
	for _, c := range sdkCases {
		t.Run(c.name, func(t *testing.T) {
			want, wire, body := sdkSign(t, c)
			require.Equal(t, c.body, string(body), "the SDK sends the body it signed")
			wantToken := wire.Header.Values(aksk.HeaderSecurityToken)
			t.Logf("vector %q: %s %s body %d bytes\n  Authorization: %s", c.name, wire.Method, wire.URL.RequestURI(), len(body), want)

			// Signed again from scratch: the SDK's X-Security-Token is
			// not what our signer signs, ours is.
			wire.Header.Del(aksk.HeaderSecurityToken)
			require.NoError(t, aksk.Sign(wire, body, c.keys(), c.projectID, testTime))
			assert.Equal(t, want, wire.Header.Get(aksk.HeaderAuthorization))
			assert.Equal(t, wantToken, wire.Header.Values(aksk.HeaderSecurityToken), "X-Security-Token as the SDK sends it")
		})
	}
}

func TestVerifyAcceptsSDKSignedRequests(t *testing.T) {
	for _, c := range sdkCases {
		lookup := func(ak string) (aksk.Credentials, bool) { return c.keys(), ak == c.ak() }
		t.Run(c.name, func(t *testing.T) {
			auth, wire, body := sdkSign(t, c)
			wire.Header.Set(aksk.HeaderAuthorization, auth)
			assert.NoError(t, aksk.Verify(wire, body, lookup, testTime, aksk.DefaultSkew))

			wire.Header.Set(aksk.HeaderAuthorization, auth)
			tampered := append(bytes.Clone(body), ' ')
			var verr *aksk.VerifyError
			require.ErrorAs(t, aksk.Verify(wire, tampered, lookup, testTime, aksk.DefaultSkew), &verr)
			assert.Equal(t, aksk.ReasonBadSignature, verr.Reason, "a body one byte longer")
		})
	}
}

// The SDK signs "UNSIGNED-PAYLOAD" instead of the body's hash when the
// content type is neither JSON nor BSON. aksk always signs the body: Sign
// refuses such a request and Verify refuses the SDK's signature of it.
func TestUnsignedPayloadIsRefused(t *testing.T) {
	auth, wire, body := sdkSign(t, sdkCase{
		name: "text body", method: http.MethodPost, path: "/v3/{project_id}/notes", projectID: testProjectID,
		contentType: "text/plain", body: "hello",
	})
	require.Equal(t, aksk.UnsignedPayload, wire.Header.Get(aksk.HeaderContentSHA256))

	wire.Header.Set(aksk.HeaderAuthorization, auth)
	var verr *aksk.VerifyError
	require.ErrorAs(t, aksk.Verify(wire, body, func(string) (aksk.Credentials, bool) { return aksk.NewCredentials(testAK, testSK, ""), true }, testTime, 0), &verr)
	assert.Equal(t, aksk.ReasonUnsignedPayload, verr.Reason)

	err := aksk.Sign(wire, body, aksk.NewCredentials(testAK, testSK, ""), testProjectID, testTime)
	require.Error(t, err)
	assert.Contains(t, err.Error(), aksk.HeaderContentSHA256)
}
