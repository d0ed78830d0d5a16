package client_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cbr-replicate/cbr-replicate/aksk"
	"github.com/cbr-replicate/cbr-replicate/client"
	"github.com/cbr-replicate/cbr-replicate/validate"
)

// assertNoToken prints v with every common verb and checks the token is absent.
func assertNoToken(t *testing.T, name string, v any) {
	t.Helper()
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%T"} {
		out := fmt.Sprintf(verb, v)
		assert.NotContains(t, out, testToken, "%s printed with %s: %s", name, verb, out)
		assert.NotContains(t, out, fmt.Sprintf("%x", testToken), "%s printed with %s", name, verb)
	}
	if err, ok := v.(error); ok {
		assert.NotContains(t, err.Error(), testToken, "%s.Error()", name)
	}
	if s, ok := v.(fmt.Stringer); ok {
		assert.NotContains(t, s.String(), testToken, "%s.String()", name)
	}
	if s, ok := v.(fmt.GoStringer); ok {
		assert.NotContains(t, s.GoString(), testToken, "%s.GoString()", name)
	}
	var buf bytes.Buffer
	slog.New(slog.NewTextHandler(&buf, nil)).Info("value", "v", v)
	slog.New(slog.NewJSONHandler(&buf, nil)).Info("value", "v", v)
	log.New(&buf, "", 0).Print(v)
	assert.NotContains(t, buf.String(), testToken, "%s logged", name)
}

func TestTokenIsRedactedInOptionsClientAndTokenSource(t *testing.T) {
	opts := client.Options{
		Region: "eu-de", ProjectID: "p", Token: client.StaticToken(testToken), UserAgent: "ua/1",
		HTTPClient: &http.Client{Timeout: time.Second},
	}
	c, err := client.New(opts)
	require.NoError(t, err)

	assertNoToken(t, "StaticToken", client.StaticToken(testToken))
	assertNoToken(t, "Options", opts)
	assertNoToken(t, "*Options", &opts)
	assertNoToken(t, "*Client", c)
	assertNoToken(t, "[]any", []any{opts, c})
	assertNoToken(t, "struct holding them", struct {
		O client.Options
		C *client.Client
	}{opts, c})
	assertNoToken(t, "copied Client value", *c)
	assertNoToken(t, "struct holding a Client value", struct{ C client.Client }{*c})

	b, err := json.Marshal(struct{ Token client.TokenSource }{opts.Token})
	require.NoError(t, err)
	assert.NotContains(t, string(b), testToken)

	assert.Contains(t, fmt.Sprintf("%+v", opts), "[REDACTED]")
	assert.Contains(t, fmt.Sprintf("%v", c), "https://cbr.eu-de.otc.t-systems.com", "the rest stays readable")
	assert.Equal(t, "StaticToken([REDACTED])", fmt.Sprint(client.StaticToken(testToken)))
	tok, err := client.StaticToken(testToken).Token(context.Background())
	require.NoError(t, err)
	assert.Equal(t, testToken, tok, "redaction is only in printing")
}

func TestTokenIsRedactedInEveryError(t *testing.T) {
	errs := map[string]error{}
	call := func(name string, answer http.HandlerFunc, mods ...func(*client.Options)) {
		srv := newServer(t, answer)
		c := newClient(t, srv.URL, mods...)
		_, err := c.Replicate(context.Background(), pageParam(t))
		require.Error(t, err, name)
		errs[name] = err
	}
	call("API error 403", answerJSON(403, []byte(`{"error_code":"BackupService.8600","error_msg":"Not authenticated."}`)))
	call("gateway echoing the token in a JSON error", func(w http.ResponseWriter, r *http.Request) {
		body, _ := json.Marshal(map[string]string{"code": "GW.1", "message": "bad token " + r.Header.Get("X-Auth-Token")})
		answerJSON(401, body)(w, r)
	})
	call("gateway echoing the request headers in an HTML page", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(400)
		_, _ = fmt.Fprintf(w, "<html><body>X-Auth-Token: %s</body></html>", r.Header.Get("X-Auth-Token"))
	})
	call("gateway echoing the token in a 200 it cannot parse", func(w http.ResponseWriter, r *http.Request) {
		_, _ = fmt.Fprintf(w, "token=%s", r.Header.Get("X-Auth-Token"))
	})
	call("drift echoing the token", func(w http.ResponseWriter, r *http.Request) {
		body, _ := json.Marshal(map[string]any{"replication": map[string]any{"backups": r.Header.Get("X-Auth-Token")}})
		answerJSON(200, body)(w, r)
	}, withResponseValidation)
	call("HTML 502", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(502)
		_, _ = w.Write([]byte("<html><title>Bad Gateway</title></html>"))
	})
	call("decode error", answerJSON(200, []byte(`{"replication":{"backups":{}}}`)))
	call("response drift", answerJSON(200, []byte(`{"replication":{"backups":{}}}`)), withResponseValidation)
	srv, _ := blockingServer(t)
	c := newClient(t, srv.URL, withHTTPClient(&http.Client{Timeout: 20 * time.Millisecond}))
	_, errs["timeout"] = c.Replicate(context.Background(), pageParam(t))
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, errs["cancelled"] = c.Replicate(ctx, pageParam(t))
	c = newClient(t, "http://127.0.0.1:1") // nothing listens on port 1
	_, errs["connection refused"] = c.Replicate(context.Background(), pageParam(t))
	p := pageParam(t)
	p.DestinationRegion = strings.Repeat("r", 256)
	c = newClient(t, "http://127.0.0.1:1")
	_, errs["validation"] = c.Replicate(context.Background(), p)

	for name, err := range errs {
		require.Error(t, err, name)
		assertNoToken(t, name, err)
		var apiErr *client.APIError
		if errors.As(err, &apiErr) {
			assert.NotContains(t, string(apiErr.Body), testToken, "%s: APIError.Body", name)
		}
		var de *client.DecodeError
		if errors.As(err, &de) {
			assert.NotContains(t, string(de.Body), testToken, "%s: DecodeError.Body", name)
		}
		var re *validate.ResponseError
		if errors.As(err, &re) {
			assert.NotContains(t, string(re.Body), testToken, "%s: ResponseError.Body", name)
		}
	}

	var apiErr *client.APIError
	require.ErrorAs(t, errs["API error 403"], &apiErr)
	require.NotNil(t, apiErr.Response.Request)
	assert.Equal(t, "[REDACTED]", apiErr.Response.Request.Header.Get("X-Auth-Token"),
		"the request kept in the APIError has its token redacted")
}

func TestEndpointCredentialsAreRedactedInErrors(t *testing.T) {
	for _, endpoint := range []string{
		"http://" + testToken + "@cbr.example.com",
		"http://user:" + testToken + "@cbr.example.com",
		"https://cbr.example.com/?token=" + testToken,
		"https://cbr.example.com/#" + testToken,
		"ftp://cbr.example.com/?token=" + testToken,
	} {
		t.Run(endpoint[:8], func(t *testing.T) {
			opts := client.Options{Endpoint: endpoint, ProjectID: "p", Token: client.StaticToken("other-token")}
			_, err := client.New(opts)
			require.Error(t, err)
			assertNoToken(t, "New error", err)
		})
	}
}

func TestSecurityTokenIsRedactedInEveryError(t *testing.T) {
	const securityToken = "sectok-temporary-key-do-not-print-0a1b"
	signer, err := aksk.NewSigner(aksk.NewCredentials("HPUAEXAMPLEACCESSKEY", "sk-secret-key-never-printed", securityToken), pageProjectID)
	require.NoError(t, err)
	for name, answer := range map[string]http.HandlerFunc{
		"gateway echoing the security token in a JSON error": func(w http.ResponseWriter, r *http.Request) {
			body, _ := json.Marshal(map[string]string{"code": "APIGW.0301", "message": "bad token " + r.Header.Get("X-Security-Token")})
			answerJSON(401, body, "X-Echo", r.Header.Get("X-Security-Token"))(w, r)
		},
		"gateway echoing the security token in a 200 it cannot parse": func(w http.ResponseWriter, r *http.Request) {
			_, _ = fmt.Fprintf(w, "token=%s", r.Header.Get("X-Security-Token"))
		},
	} {
		t.Run(name, func(t *testing.T) {
			srv := newServer(t, answer)
			c := newClient(t, srv.URL, func(o *client.Options) { o.Token, o.Signer = nil, signer })
			_, err := c.Replicate(context.Background(), pageParam(t))
			require.Error(t, err)
			assert.NotContains(t, fmt.Sprintf("%v %+v", err, err), securityToken)
			if apiErr, ok := errors.AsType[*client.APIError](err); ok {
				assert.NotContains(t, string(apiErr.Body), securityToken)
				assert.NotContains(t, apiErr.Response.Header.Get("X-Echo"), securityToken)
			}
			if de, ok := errors.AsType[*client.DecodeError](err); ok {
				assert.NotContains(t, string(de.Body), securityToken)
			}
		})
	}
}
