package client_test

import (
	"context"
	"encoding/json"
	"errors"
	"github.com/cbr-replicate/cbr-replicate/internal/limit"
	"github.com/cbr-replicate/cbr-replicate/openapi"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cbr-replicate/cbr-replicate/client"
	"github.com/cbr-replicate/cbr-replicate/gen/cbr"
)

func TestReplicatePageExampleRoundTrip(t *testing.T) {
	for _, tc := range []struct {
		name string
		mods []func(*client.Options)
	}{
		{name: "request validation on (default)"},
		{name: "request and response validation on", mods: []func(*client.Options){withResponseValidation}},
		{name: "no validation", mods: []func(*client.Options){withoutRequestValidation}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := newServer(t, answerPage(t))
			c := newClient(t, srv.URL, tc.mods...)

			got, err := c.Replicate(context.Background(), pageParam(t))
			require.NoError(t, err)

			reqs := srv.requests()
			require.Len(t, reqs, 1)
			r := reqs[0]
			assert.Equal(t, http.MethodPost, r.Method)
			assert.Equal(t, pageReplicatePath, r.Path, "the page's URI with the page's project_id")
			assert.Equal(t, testToken, r.Header.Get("X-Auth-Token"))
			assert.Equal(t, "application/json", r.Header.Get("Content-Type"))
			assert.JSONEq(t, string(pageRequestBody(t)), string(r.Body), "the server receives the page's example request")

			var want cbr.CheckpointReplicateResp
			require.NoError(t, json.Unmarshal(pageResponseBody(t), &want))
			require.NotNil(t, want.Replication)
			assert.Equal(t, want.Replication, got, "the page's example response comes back")
			assert.Len(t, got.Backups, 3)
			assert.Equal(t, "de128dfa-5451-4905-9c11-8fc842b2f41e", got.Backups[0].ReplicationRecordId)
		})
	}
}

func TestReplicateOptionalFieldsLeftOutAreNotSent(t *testing.T) {
	srv := newServer(t, answerPage(t))
	c := newClient(t, srv.URL)
	p := pageParam(t)
	p.AutoTrigger, p.EnableAcceleration = nil, nil

	_, err := c.Replicate(context.Background(), p)
	require.NoError(t, err)
	assert.JSONEq(t, `{"replicate":{
		"destination_project_id":"68589cac08274b82b4e254268a3862d8",
		"destination_region":"region2",
		"destination_vault_id":"0ca3eb86-8800-46da-9c37-9d657a825274",
		"vault_id":"3b5816b5-f29c-4172-9d9a-76c719a659ce"}}`, string(srv.requests()[0].Body))
}

func TestReplicateSendsUserAgent(t *testing.T) {
	const base = "cbr-replicate/" + client.Version + " (+https://github.com/cbr-replicate/cbr-replicate)"
	for _, tc := range []struct {
		name, extra, want string
	}{
		{name: "default User-Agent names the project and its version", want: base},
		{name: "Options.UserAgent is appended", extra: "my-tool/1.2", want: base + " my-tool/1.2"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := newServer(t, answerPage(t))
			c := newClient(t, srv.URL, func(o *client.Options) { o.UserAgent = tc.extra })
			_, err := c.Replicate(context.Background(), pageParam(t))
			require.NoError(t, err)
			assert.Equal(t, tc.want, srv.requests()[0].Header.Get("User-Agent"))
			assert.Equal(t, "application/json", srv.requests()[0].Header.Get("Accept"))
		})
	}
}

func TestReplicateEndpointWithPathPrefix(t *testing.T) {
	srv := newServer(t, answerPage(t))
	c := newClient(t, srv.URL+"/cbr/")
	_, err := c.Replicate(context.Background(), pageParam(t))
	require.NoError(t, err)
	assert.Equal(t, "/cbr"+pageReplicatePath, srv.requests()[0].Path)
}

// documentedCode is one error code of the spec's table (openapi.ErrorCodes,
// which internal/contract checks against cbr-facts.md) at a status that
// documents it.
type documentedCode struct {
	status  int
	code    string
	meaning string
}

// documentedCodes lists every code the spec documents, each at its first
// numeric status (a range such as 4XX is sent as x00).
func documentedCodes(t *testing.T) []documentedCode {
	t.Helper()
	var out []documentedCode
	for _, e := range openapi.ErrorCodes() {
		status, err := strconv.Atoi(strings.ReplaceAll(e.Statuses[0], "X", "0"))
		require.NoError(t, err)
		out = append(out, documentedCode{status: status, code: e.Code, meaning: e.Meaning})
	}
	require.Len(t, out, 16, "the 16 codes of cbr-facts.md")
	return out
}

func TestReplicateDocumentedErrorCodesAreAPIErrors(t *testing.T) {
	for _, validateResponses := range []bool{false, true} {
		for _, dc := range documentedCodes(t) {
			name := dc.code + " with status " + http.StatusText(dc.status)
			if validateResponses {
				name += " and response validation on"
			}
			t.Run(name, func(t *testing.T) {
				body, err := json.Marshal(cbr.CBRError{ErrorCode: dc.code, ErrorMsg: "Message from the service."})
				require.NoError(t, err)
				srv := newServer(t, answerJSON(dc.status, body, "X-Request-Id", "req-"+dc.code))
				c := newClient(t, srv.URL, func(o *client.Options) { o.ValidateResponses = validateResponses })

				got, err := c.Replicate(context.Background(), pageParam(t))
				require.Error(t, err)
				assert.Nil(t, got)
				var apiErr *client.APIError
				require.ErrorAs(t, err, &apiErr)
				assert.Equal(t, dc.status, apiErr.StatusCode)
				assert.Equal(t, dc.code, apiErr.Code)
				assert.Equal(t, "Message from the service.", apiErr.Message)
				assert.Equal(t, "req-"+dc.code, apiErr.RequestID)
				assert.JSONEq(t, string(body), string(apiErr.Body))
				require.NotNil(t, apiErr.Response)
				assert.Equal(t, dc.status, apiErr.Response.StatusCode)
				assert.True(t, client.IsCode(err, dc.code))
				assert.True(t, client.IsCode(err, strings.TrimPrefix(dc.code, "BackupService.")), "the number alone matches")
				assert.False(t, client.IsCode(err, "BackupService.0000"))
				assert.Equal(t, dc.status, client.StatusCode(err))

				msg := err.Error()
				assert.Contains(t, msg, http.StatusText(dc.status))
				assert.Contains(t, msg, dc.code)
				assert.Contains(t, msg, dc.meaning, "Error() says in plain words what went wrong")
				assert.Contains(t, msg, "req-"+dc.code)
				assert.Equal(t, 1, len(srv.requests()))
			})
		}
	}
}

func TestCodeMeaningCoversEveryDocumentedCode(t *testing.T) {
	for _, dc := range documentedCodes(t) {
		t.Run(dc.code, func(t *testing.T) {
			assert.Equal(t, dc.meaning, client.CodeMeaning(dc.code))
			assert.Equal(t, client.CodeMeaning(dc.code), client.CodeMeaning(strings.TrimPrefix(dc.code, "BackupService.")))
		})
	}
	assert.Empty(t, client.CodeMeaning("BackupService.0000"), "an unknown code has no meaning")
	assert.Empty(t, client.CodeMeaning(""))
}

func TestReplicateErrorBodies(t *testing.T) {
	const nginx502 = "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n" +
		"<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n"
	huge := strings.Repeat("x", 1<<20)
	for _, tc := range []struct {
		name        string
		status      int
		contentType string
		body        string
		header      map[string]string
		wantCode    string
		wantMsg     string
		wantReqID   string
		wantBody    string // "" means the body as sent
		wantInError []string
	}{
		{
			name: "code and message are the fallback of error_code and error_msg", status: 400,
			body:     `{"code":"BackupService.6120","message":"Destination vault does not exist."}`,
			wantCode: "BackupService.6120", wantMsg: "Destination vault does not exist.",
			wantInError: []string{"400 Bad Request", "BackupService.6120", "the destination vault does not exist"},
		},
		{
			name: "a numeric code is read as text", status: 400,
			body:     `{"code":6130,"message":"busy"}`,
			wantCode: "6130", wantMsg: "busy",
			wantInError: []string{"6130", "the vault is already being replicated"},
		},
		{
			name: "error_code wins over code", status: 404,
			body:     `{"error_code":"BackupService.6105","error_msg":"no vault","code":"X","message":"Y"}`,
			wantCode: "BackupService.6105", wantMsg: "no vault",
			wantInError: []string{"404 Not Found", "the vault does not exist"},
		},
		{
			name: "null error_code falls back to code", status: 400,
			body:     `{"error_code":null,"code":"BackupService.9900","message":"bad"}`,
			wantCode: "BackupService.9900", wantMsg: "bad",
			wantInError: []string{"parameter verification failed"},
		},
		{
			name: "an OpenStack-style nested error object is read", status: 401,
			body:     `{"error":{"code":401,"message":"The request you have made requires authentication.","title":"Unauthorized"}}`,
			wantCode: "401", wantMsg: "The request you have made requires authentication.",
			wantInError: []string{"401 Unauthorized", "requires authentication"},
		},
		{
			name: "a gateway's code and request_id are read from the body", status: 401,
			body:     `{"error_msg":"Incorrect IAM authentication information","error_code":"APIGW.0301","request_id":"gw-42"}`,
			wantCode: "APIGW.0301", wantMsg: "Incorrect IAM authentication information", wantReqID: "gw-42",
			wantInError: []string{"APIGW.0301", "Incorrect IAM authentication information", "gw-42"},
		},
		{
			name: "the X-Request-Id header wins over the body's request_id", status: 500,
			body:     `{"error_code":"BackupService.9910","error_msg":"x","request_id":"body-id"}`,
			header:   map[string]string{"X-Request-Id": "header-id"},
			wantCode: "BackupService.9910", wantMsg: "x", wantReqID: "header-id",
			wantInError: []string{"header-id", "unknown error"},
		},
		{
			name: "a bare error string is the message", status: 401,
			body:    `{"error":"Unauthorized"}`,
			wantMsg: "Unauthorized", wantInError: []string{"401 Unauthorized: Unauthorized"},
		},
		{
			name: "an HTML 502 page of a gateway is kept raw and summed up by its title", status: 502,
			contentType: "text/html", body: nginx502, header: map[string]string{"X-Request-Id": "gw-502"},
			wantReqID:   "gw-502",
			wantInError: []string{"502 Bad Gateway", "not a CBR error", `"502 Bad Gateway"`, "gw-502"},
		},
		{
			name: "an empty body is reported as empty", status: 503, contentType: "text/plain",
			wantInError: []string{"503 Service Unavailable", "empty body"},
		},
		{
			name: "JSON that is not an object is not a CBR error", status: 500,
			body:        `["oops"]`,
			wantInError: []string{"500 Internal Server Error", "not a CBR error"},
		},
		{
			name: "a huge non-JSON body is capped at 64 KiB and the message stays short", status: 502,
			contentType: "text/plain", body: huge, wantBody: huge[:limit.ErrorBody],
			wantInError: []string{"502 Bad Gateway", "not a CBR error"},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := newServer(t, func(w http.ResponseWriter, _ *http.Request) {
				ct := tc.contentType
				if ct == "" {
					ct = "application/json"
				}
				w.Header().Set("Content-Type", ct)
				for k, v := range tc.header {
					w.Header().Set(k, v)
				}
				w.WriteHeader(tc.status)
				_, _ = w.Write([]byte(tc.body))
			})
			c := newClient(t, srv.URL)

			_, err := c.Replicate(context.Background(), pageParam(t))
			var apiErr *client.APIError
			require.ErrorAs(t, err, &apiErr)
			assert.Equal(t, tc.status, apiErr.StatusCode)
			assert.Equal(t, tc.wantCode, apiErr.Code)
			assert.Equal(t, tc.wantMsg, apiErr.Message)
			assert.Equal(t, tc.wantReqID, apiErr.RequestID)
			wantBody := tc.wantBody
			if wantBody == "" {
				wantBody = tc.body
			}
			assert.Equal(t, wantBody, string(apiErr.Body))
			for _, s := range tc.wantInError {
				assert.Contains(t, err.Error(), s)
			}
			assert.Less(t, len(err.Error()), 400, "the message stays short: %s", err)
			assert.Equal(t, int64(1), srv.count.Load())
		})
	}
}

func TestCheckResponseDecides(t *testing.T) {
	for _, status := range []int{200, 201, 202, 204} {
		assert.NoError(t, client.CheckResponse(&http.Response{StatusCode: status, Header: http.Header{}}), status)
	}
	for _, status := range []int{301, 400, 401, 403, 404, 405, 406, 407, 408, 409, 500, 501, 502, 503, 504} {
		err := client.CheckResponse(&http.Response{StatusCode: status, Header: http.Header{}})
		var apiErr *client.APIError
		require.ErrorAs(t, err, &apiErr, status)
		assert.Equal(t, status, apiErr.StatusCode)
	}
}

func TestCheckResponseLeavesTheCallersResponseAlone(t *testing.T) {
	req, err := http.NewRequest(http.MethodPost, "http://127.0.0.1/v3/p/checkpoints/replicate", nil)
	require.NoError(t, err)
	req.Header.Set("X-Auth-Token", testToken)
	resp := &http.Response{StatusCode: 403, Header: http.Header{}, Request: req,
		Body: io.NopCloser(strings.NewReader(`{"error_code":"BackupService.8600","error_msg":"Not authenticated."}`))}

	err = client.CheckResponse(resp)
	var apiErr *client.APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, "[REDACTED]", apiErr.Response.Request.Header.Get("X-Auth-Token"))
	assert.Same(t, req, resp.Request, "the caller's response still points at its request")
	assert.Equal(t, testToken, req.Header.Get("X-Auth-Token"), "the caller's request is not modified")
	assert.True(t, client.IsCode(err, "8600"))
}

func TestReplicateDoesNotFollowRedirects(t *testing.T) {
	target := newServer(t, answerPage(t))
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, target.URL+r.URL.Path, http.StatusTemporaryRedirect)
	})
	c := newClient(t, srv.URL)

	_, err := c.Replicate(context.Background(), pageParam(t))
	var apiErr *client.APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, http.StatusTemporaryRedirect, apiErr.StatusCode)
	assert.Contains(t, err.Error(), "not followed")
	assert.Equal(t, int64(1), srv.count.Load())
	assert.Zero(t, target.count.Load(), "the POST and its token never reach the redirect's target")
}

func TestReplicateTwoXXBodyThatDoesNotParseIsDecodeError(t *testing.T) {
	for _, tc := range []struct {
		name, contentType, body, wantInError string
	}{
		{name: "HTML instead of JSON", contentType: "text/html", body: "<html>ok</html>", wantInError: "decoding the JSON"},
		{name: "truncated JSON", contentType: "application/json", body: `{"replication":{"backups":[`, wantInError: "decoding the JSON"},
		{name: "no replication object", contentType: "application/json", body: `{}`, wantInError: `no "replication" object`},
		{name: "null", contentType: "application/json", body: `null`, wantInError: `no "replication" object`},
		{name: "empty body", contentType: "application/json", body: ``, wantInError: "decoding the JSON"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := newServer(t, func(w http.ResponseWriter, _ *http.Request) {
				w.Header().Set("Content-Type", tc.contentType)
				w.Header().Set("X-Request-Id", "ok-1")
				_, _ = w.Write([]byte(tc.body))
			})
			c := newClient(t, srv.URL)
			got, err := c.Replicate(context.Background(), pageParam(t))
			assert.Nil(t, got)
			var de *client.DecodeError
			require.ErrorAs(t, err, &de)
			assert.Equal(t, http.StatusOK, de.StatusCode)
			assert.Equal(t, "ok-1", de.RequestID)
			assert.Equal(t, tc.body, string(de.Body))
			assert.Contains(t, err.Error(), tc.wantInError)
			assert.Contains(t, err.Error(), "may have started")
			var apiErr *client.APIError
			assert.False(t, errors.As(err, &apiErr), "a 2xx is not an APIError")
		})
	}
}

func TestAPIErrorQuotesTheServersWordsAtMost256CharactersEach(t *testing.T) {
	long := func(s string) string { return strings.Repeat(s, 10_000) }
	srv := newServer(t, answerJSON(http.StatusBadRequest, []byte(`{"error_code":"`+long("§")+`","error_msg":"`+long("¤")+`"}`), "X-Request-Id", long("¶")))
	_, err := newClient(t, srv.URL).Replicate(context.Background(), pageParam(t))
	var apiErr *client.APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, long("§"), apiErr.Code, "the fields keep what the server said")
	for _, s := range []string{"§", "¤", "¶"} {
		assert.Equal(t, limit.Message-1, strings.Count(err.Error(), s), "%s: cut at 256 characters, … included", s)
	}
}
