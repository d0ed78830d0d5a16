package cbrtest_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cbr-replicate/cbr-replicate/cbrtest"
	"github.com/cbr-replicate/cbr-replicate/gen/cbr"
)

// documentedAnswers is, per status, the error_code of the example the fake
// answers with when that status is forced without naming an example: the
// spec's first example of the status by name, else its range's (4XX, 5XX).
var documentedAnswers = []struct {
	status int
	code   string // "" for 200: the page's example response
}{
	{status: http.StatusOK},
	{status: http.StatusBadRequest, code: "BackupService.6130"},          // AlreadyReplicating
	{status: http.StatusUnauthorized, code: "BackupService.8600"},        // NotAuthenticated
	{status: http.StatusForbidden, code: "BackupService.8600"},           // NotAuthenticated
	{status: http.StatusNotFound, code: "BackupService.6105"},            // VaultNotFound
	{status: http.StatusInternalServerError, code: "BackupService.9998"}, // AuthenticationFailed
	// Documented only by their range: the 4XX or 5XX response's example.
	{status: http.StatusMethodNotAllowed, code: "BackupService.9900"},
	{status: http.StatusConflict, code: "BackupService.9900"},
	{status: http.StatusBadGateway, code: "BackupService.9910"},
	{status: http.StatusServiceUnavailable, code: "BackupService.9910"},
	{status: http.StatusGatewayTimeout, code: "BackupService.9910"},
}

// checkForced checks an answer forced to status against the expected example.
func checkForced(t *testing.T, a answer, status int, code string) {
	t.Helper()
	require.Equal(t, status, a.status, "body %s", a.body)
	if code == "" {
		assert.JSONEq(t, pageResponse(t), string(a.body))
		return
	}
	assert.Equal(t, code, cbrError(t, a.body).ErrorCode)
}

func TestFake_ForcedStatus(t *testing.T) {
	for _, tt := range documentedAnswers {
		t.Run(fmt.Sprintf("Prefer code=%d", tt.status), func(t *testing.T) {
			f := newFake(t)
			a := serve(t, f, newRequest(http.MethodPost, replicatePath, pageRequest(t), "Prefer", fmt.Sprintf("code=%d", tt.status)))
			checkForced(t, a, tt.status, tt.code)
			reqs := f.Requests()
			require.Len(t, reqs, 1, "a valid request answered with a forced status is recorded")
			assert.Equal(t, tt.status, reqs[0].Status)
		})
		t.Run(fmt.Sprintf("WithResponse(%d)", tt.status), func(t *testing.T) {
			f := newFake(t, cbrtest.WithResponse(tt.status))
			a := serve(t, f, newRequest(http.MethodPost, replicatePath, pageRequest(t)))
			checkForced(t, a, tt.status, tt.code)
		})
	}
}

func TestServer_ForcedStatusWithGeneratedClient(t *testing.T) {
	s := newServer(t)
	defer s.Close()
	client, err := cbr.NewClientWithResponses(s.URL, cbr.WithHTTPClient(s.Client()))
	require.NoError(t, err)
	for _, tt := range documentedAnswers {
		resp, err := client.CopyCheckpointWithResponse(t.Context(), pageProjectID,
			cbr.CheckpointReplicateReq{Replicate: pageParam()}, withToken(testToken),
			withHeader("Prefer", fmt.Sprintf("code=%d", tt.status)))
		require.NoError(t, err)
		require.Equal(t, tt.status, resp.StatusCode())
		checkAnswer(t, answer{status: resp.StatusCode(), header: resp.HTTPResponse.Header, body: resp.Body})
		var e *cbr.CBRError
		switch tt.status {
		case http.StatusOK:
			require.NotNil(t, resp.JSON200)
			continue
		case http.StatusBadRequest:
			e = resp.JSON400
		case http.StatusUnauthorized:
			e = resp.JSON401
		case http.StatusForbidden:
			e = resp.JSON403
		case http.StatusNotFound:
			e = resp.JSON404
		case http.StatusInternalServerError:
			e = resp.JSON500
		default:
			if tt.status < 500 {
				e = resp.JSON4XX
			} else {
				e = resp.JSON5XX
			}
		}
		require.NotNil(t, e, "status %d", tt.status)
		assert.Equal(t, tt.code, e.ErrorCode)
	}
}

func TestFake_PreferHeader(t *testing.T) {
	tests := []struct {
		name       string
		prefer     []string // Prefer header fields
		opts       []cbrtest.Option
		wantStatus int
		wantCode   string // error_code; "" with 200: the page's example; "generated": built from the request
	}{
		{name: "named example of a status", prefer: []string{"code=400, example=DestinationVaultNotFound"},
			wantStatus: 400, wantCode: "BackupService.6120"},
		{name: "example as a parameter after a semicolon", prefer: []string{"code=400; example=DestinationVaultNotFound"},
			wantStatus: 400, wantCode: "BackupService.6120"},
		{name: "example before code", prefer: []string{"example=UnknownError, code=500"},
			wantStatus: 500, wantCode: "BackupService.9910"},
		{name: "example without code picks among the 200 examples", prefer: []string{"example=ReplicatingBackups"},
			wantStatus: 200},
		{name: "code as a quoted string", prefer: []string{`code="404"`}, wantStatus: 404, wantCode: "BackupService.6105"},
		{name: "preference names are case-insensitive", prefer: []string{"CODE=404"}, wantStatus: 404, wantCode: "BackupService.6105"},
		{name: "whitespace around = and ,", prefer: []string{" code = 404 ,  example = VaultNotFound "},
			wantStatus: 404, wantCode: "BackupService.6105"},
		{name: "code in a second Prefer field", prefer: []string{"respond-async", "code=404"},
			wantStatus: 404, wantCode: "BackupService.6105"},
		{name: "first of a repeated preference counts", prefer: []string{"code=404, code=500"},
			wantStatus: 404, wantCode: "BackupService.6105"},
		{name: "unknown preferences are ignored", prefer: []string{"respond-async, wait=10, return=minimal"},
			wantStatus: 200, wantCode: "generated"},
		{name: "empty list elements are ignored", prefer: []string{", ,code=404,"}, wantStatus: 404, wantCode: "BackupService.6105"},
		{name: "Prefer overrides WithResponse", prefer: []string{"code=500"}, opts: []cbrtest.Option{cbrtest.WithResponse(404)},
			wantStatus: 500, wantCode: "BackupService.9998"},
		{name: "Prefer overrides WithResponseBody", prefer: []string{"code=404"},
			opts:       []cbrtest.Option{cbrtest.WithResponseBody(409, map[string]string{"error_code": "X"})},
			wantStatus: 404, wantCode: "BackupService.6105"},
		{name: "Prefer example picks among the examples of WithResponse's status", prefer: []string{"example=DestinationVaultFull"},
			opts: []cbrtest.Option{cbrtest.WithResponse(400)}, wantStatus: 400, wantCode: "BackupService.6129"},
		{name: "Prefer example picks among the examples of WithResponseBody's status", prefer: []string{"example=UnknownError"},
			opts:       []cbrtest.Option{cbrtest.WithResponseBody(500, map[string]string{"error_code": "X"})},
			wantStatus: 500, wantCode: "BackupService.9910"},

		// A Prefer header the fake cannot follow is a bad request.
		{name: "code not a number", prefer: []string{"code=abc"}, wantStatus: 400, wantCode: "BackupService.9900"},
		{name: "code of two digits", prefer: []string{"code=99"}, wantStatus: 400, wantCode: "BackupService.9900"},
		{name: "code of four digits", prefer: []string{"code=4040"}, wantStatus: 400, wantCode: "BackupService.9900"},
		{name: "code over 599", prefer: []string{"code=600"}, wantStatus: 400, wantCode: "BackupService.9900"},
		{name: "code of an informational status", prefer: []string{"code=101"}, wantStatus: 400, wantCode: "BackupService.9900"},
		{name: "code 204 that cannot carry a body", prefer: []string{"code=204"}, wantStatus: 400, wantCode: "BackupService.9900"},
		{name: "code 304 that cannot carry a body", prefer: []string{"code=304"}, wantStatus: 400, wantCode: "BackupService.9900"},
		{name: "code without a value", prefer: []string{"code"}, wantStatus: 400, wantCode: "BackupService.9900"},
		{name: "code with an empty value", prefer: []string{"code="}, wantStatus: 400, wantCode: "BackupService.9900"},
		{name: "two words in a value", prefer: []string{"code=404 500"}, wantStatus: 400, wantCode: "BackupService.9900"},
		{name: "example with an empty name", prefer: []string{"code=400, example="}, wantStatus: 400, wantCode: "BackupService.9900"},
		{name: "example not documented at all", prefer: []string{"code=400, example=NoSuchExample"},
			wantStatus: 400, wantCode: "BackupService.9900"},
		{name: "example not documented for the status", prefer: []string{"code=404, example=DestinationVaultNotFound"},
			wantStatus: 400, wantCode: "BackupService.9900"},
		{name: "code of a success status the spec does not document", prefer: []string{"code=201"},
			wantStatus: 400, wantCode: "BackupService.9900"},
		{name: "code of a redirect the spec does not document", prefer: []string{"code=302"},
			wantStatus: 400, wantCode: "BackupService.9900"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFake(t, tt.opts...)
			hdr := []string{}
			for _, p := range tt.prefer {
				hdr = append(hdr, "Prefer", p)
			}
			a := serve(t, f, newRequest(http.MethodPost, replicatePath, pageRequest(t), hdr...))
			require.Equal(t, tt.wantStatus, a.status, "body %s", a.body)
			switch tt.wantCode {
			case "generated":
				var resp cbr.CheckpointReplicateResp
				require.NoError(t, json.Unmarshal(a.body, &resp))
				assert.Equal(t, pageProjectID, resp.Replication.ProjectId)
			case "":
				assert.JSONEq(t, pageResponse(t), string(a.body))
			default:
				e := cbrError(t, a.body)
				assert.Equal(t, tt.wantCode, e.ErrorCode)
				if tt.wantCode == "BackupService.9900" {
					assert.Contains(t, e.ErrorMsg, "Prefer")
					assert.Empty(t, f.Requests(), "a request with an unusable Prefer header is not recorded")
				}
			}
		})
	}
}

func TestFake_PreferUndocumentedExampleListsDocumented(t *testing.T) {
	f := newFake(t)
	a := serve(t, f, newRequest(http.MethodPost, replicatePath, pageRequest(t), "Prefer", "code=404, example=Nope"))
	require.Equal(t, http.StatusBadRequest, a.status)
	assert.Contains(t, cbrError(t, a.body).ErrorMsg, `example "Nope" is not documented for status 404 of CopyCheckpoint; documented: VaultNotFound`)
}

func TestFake_ValidationBeforePreferredOutcome(t *testing.T) {
	tests := []struct {
		name   string
		prefer string
	}{
		{name: "invalid body while code=404 is preferred", prefer: "code=404"},
		{name: "invalid body while code=200 is preferred", prefer: "code=200"},
		{name: "invalid body with a malformed Prefer header", prefer: "code=abc"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFake(t, cbrtest.WithResponse(500))
			a := serve(t, f, newRequest(http.MethodPost, replicatePath, `{"replicate":{}}`, "Prefer", tt.prefer))
			require.Equal(t, http.StatusBadRequest, a.status)
			e := cbrError(t, a.body)
			assert.Equal(t, "BackupService.9900", e.ErrorCode)
			assert.Contains(t, e.ErrorMsg, "/replicate/vault_id: required")
			assert.NotContains(t, e.ErrorMsg, "Prefer")
		})
	}
}

func TestFake_WithResponseBody(t *testing.T) {
	t.Run("CBR error value marshalled to JSON", func(t *testing.T) {
		want := cbr.CBRError{ErrorCode: "BackupService.6120", ErrorMsg: "Destination vault does not exist."}
		f := newFake(t, cbrtest.WithResponseBody(http.StatusBadRequest, want))
		a := serve(t, f, newRequest(http.MethodPost, replicatePath, pageRequest(t)))
		require.Equal(t, http.StatusBadRequest, a.status)
		assert.Equal(t, want, cbrError(t, a.body))
		require.Len(t, f.Requests(), 1)
		assert.Equal(t, http.StatusBadRequest, f.Requests()[0].Status)
	})
	t.Run("json.RawMessage sent verbatim, also when it drifts from the spec", func(t *testing.T) {
		drift := "{\n  \"replication\": {\"vault_id\": 5, \"note\": \"<b>\"}\n}"
		f := newFake(t, cbrtest.WithResponseBody(http.StatusOK, json.RawMessage(drift)))
		rec := httptest.NewRecorder()
		f.ServeHTTP(rec, newRequest(http.MethodPost, replicatePath, pageRequest(t)))
		require.Equal(t, http.StatusOK, rec.Code)
		assert.Equal(t, "application/json", rec.Header().Get("Content-Type"))
		assert.Equal(t, drift, rec.Body.String())
		assert.Error(t, validator(t).ResponseBody("CopyCheckpoint", http.StatusOK, rec.Body.Bytes()), "the drift is visible to a validating client")
	})
	t.Run("[]byte not JSON sent verbatim with a sniffed Content-Type, as a gateway would", func(t *testing.T) {
		page := "<html><body><h1>502 Bad Gateway</h1></body></html>"
		f := newFake(t, cbrtest.WithResponseBody(http.StatusBadGateway, []byte(page)))
		rec := httptest.NewRecorder()
		f.ServeHTTP(rec, newRequest(http.MethodPost, replicatePath, pageRequest(t)))
		require.Equal(t, http.StatusBadGateway, rec.Code)
		assert.True(t, strings.HasPrefix(rec.Header().Get("Content-Type"), "text/html"), rec.Header().Get("Content-Type"))
		assert.Equal(t, page, rec.Body.String())
		assert.NotEmpty(t, rec.Header().Get("X-Request-Id"))
	})
	t.Run("nil sends an empty body", func(t *testing.T) {
		f := newFake(t, cbrtest.WithResponseBody(http.StatusServiceUnavailable, nil))
		rec := httptest.NewRecorder()
		f.ServeHTTP(rec, newRequest(http.MethodPost, replicatePath, pageRequest(t)))
		require.Equal(t, http.StatusServiceUnavailable, rec.Code)
		assert.Empty(t, rec.Body.String())
	})
	t.Run("the body is copied when the option is made", func(t *testing.T) {
		b := []byte(`{"error_code":"A"}`)
		opt := cbrtest.WithResponseBody(http.StatusConflict, b)
		copy(b, `{"error_code":"B"}`)
		rec := httptest.NewRecorder()
		newFake(t, opt).ServeHTTP(rec, newRequest(http.MethodPost, replicatePath, pageRequest(t)))
		assert.Equal(t, `{"error_code":"A"}`, rec.Body.String())
	})
}

func TestNew_InvalidOptionIsAnError(t *testing.T) {
	tests := []struct {
		name string
		opt  cbrtest.Option
		want string
	}{
		{name: "WithResponse status under 200", opt: cbrtest.WithResponse(199), want: "WithResponse(199)"},
		{name: "WithResponse status over 599", opt: cbrtest.WithResponse(600), want: "WithResponse(600)"},
		{name: "WithResponse 204 without body", opt: cbrtest.WithResponse(204), want: "WithResponse(204)"},
		{name: "WithResponse status the spec does not document", opt: cbrtest.WithResponse(202),
			want: "WithResponse(202): the spec documents no answer with status 202 for CopyCheckpoint"},
		{name: "WithResponseBody status 304 without body", opt: cbrtest.WithResponseBody(304, nil), want: "WithResponseBody(304)"},
		{name: "WithResponseBody body that does not marshal", opt: cbrtest.WithResponseBody(500, make(chan int)),
			want: "WithResponseBody(500): marshal body"},
		{name: "WithSourceRegion empty", opt: cbrtest.WithSourceRegion(""), want: "WithSourceRegion"},
		{name: "WithSourceRegion not a path segment", opt: cbrtest.WithSourceRegion("eu/de"), want: `WithSourceRegion: region "eu/de" is not`},
		{name: "WithWorld nil", opt: cbrtest.WithWorld(nil), want: "WithWorld: nil world"},
		{name: "WithToken empty", opt: cbrtest.WithToken(""), want: "WithToken"},
		{name: "WithMaxRequests negative", opt: cbrtest.WithMaxRequests(-1), want: "WithMaxRequests(-1)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, err := cbrtest.New(cbrtest.WithSourceRegion("eu-nl"), tt.opt)
			require.Error(t, err)
			assert.Nil(t, f)
			assert.Contains(t, err.Error(), tt.want)

			s, err := cbrtest.NewServer(tt.opt)
			require.Error(t, err, "NewServer returns the error New returns")
			assert.Nil(t, s)
			assert.Contains(t, err.Error(), tt.want)
		})
	}
}

// withHeader is a request editor of the generated client that adds a header.
func withHeader(name, value string) cbr.RequestEditorFn {
	return func(_ context.Context, r *http.Request) error {
		r.Header.Add(name, value)
		return nil
	}
}

func TestNew_EveryStatusWithResponseCannotSendIsAnError(t *testing.T) {
	for _, status := range []int{100, 199, 201, 204, 302, 304, 600} {
		f, err := cbrtest.New(cbrtest.WithSourceRegion("eu-nl"), cbrtest.WithResponse(status))
		require.Error(t, err, "status %d", status)
		assert.Nil(t, f)
		assert.Contains(t, err.Error(), fmt.Sprintf("WithResponse(%d)", status))
	}
	f, err := cbrtest.New(cbrtest.WithResponse(http.StatusServiceUnavailable))
	require.NoError(t, err)
	a := serve(t, f, newRequest(http.MethodPost, replicatePath, pageRequest(t)))
	assert.Equal(t, http.StatusServiceUnavailable, a.status)
}

func TestFake_PreferenceApplied(t *testing.T) {
	tests := []struct {
		name   string
		opts   []cbrtest.Option
		prefer string
		want   string
	}{
		{name: "code followed", prefer: "code=404", want: "code=404"},
		{name: "code and example followed", prefer: "respond-async, example=DestinationVaultNotFound; code=400",
			want: "code=400, example=DestinationVaultNotFound"},
		{name: "example followed", prefer: "example=ReplicatingBackups", want: "example=ReplicatingBackups"},
		{name: "only unknown preferences", prefer: "respond-async", want: ""},
		{name: "no Prefer header, forced by WithResponse", opts: []cbrtest.Option{cbrtest.WithResponse(500)}, want: ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			hdr := []string{}
			if tt.prefer != "" {
				hdr = []string{"Prefer", tt.prefer}
			}
			a := serve(t, newFake(t, tt.opts...), newRequest(http.MethodPost, replicatePath, pageRequest(t), hdr...))
			assert.Equal(t, tt.want, a.header.Get("Preference-Applied"))
		})
	}
}
