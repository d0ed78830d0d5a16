package validate_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	jsonv2 "github.com/go-json-experiment/json"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cbr-replicate/cbr-replicate/gen/cbr"
	"github.com/cbr-replicate/cbr-replicate/validate"
)

// replicate builds a request body from the page's example with fields
// replaced (a nil value removes the field).
func replicate(t testing.TB, change map[string]any) []byte {
	t.Helper()
	param := map[string]any{
		"auto_trigger":           false,
		"destination_project_id": "68589cac08274b82b4e254268a3862d8",
		"destination_region":     "region2",
		"destination_vault_id":   otherUUID,
		"enable_acceleration":    false,
		"vault_id":               goodUUID,
	}
	for k, v := range change {
		if v == nil {
			delete(param, k)
			continue
		}
		param[k] = v
	}
	data, err := json.Marshal(map[string]any{"replicate": param})
	require.NoError(t, err)
	return data
}

func TestRequestBody(t *testing.T) {
	v := newValidator(t)
	long := strings.Repeat("r", 256)
	tests := []struct {
		name string
		body []byte
		want []at
	}{
		{"page example request is valid", readTestdata(t, "request.json"), nil},
		{"optional auto_trigger and enable_acceleration may be left out",
			replicate(t, map[string]any{"auto_trigger": nil, "enable_acceleration": nil}), nil},
		{"destination_region of 255 characters is valid", replicate(t, map[string]any{"destination_region": strings.Repeat("é", 255)}), nil},
		{"destination_region empty is valid (minLength 0)", replicate(t, map[string]any{"destination_region": ""}), nil},
		{"destination_region longer than 255 characters", replicate(t, map[string]any{"destination_region": long}),
			[]at{{"body", "/replicate/destination_region", "maxLength"}}},
		{"vault_id missing points at the property", replicate(t, map[string]any{"vault_id": nil}),
			[]at{{"body", "/replicate/vault_id", "required"}}},
		{"every required property missing",
			[]byte(`{"replicate":{}}`),
			[]at{
				{"body", "/replicate/destination_project_id", "required"},
				{"body", "/replicate/destination_region", "required"},
				{"body", "/replicate/destination_vault_id", "required"},
				{"body", "/replicate/vault_id", "required"},
			}},
		{"vault_id not a UUID", replicate(t, map[string]any{"vault_id": "vault-1"}),
			[]at{{"body", "/replicate/vault_id", "format"}}},
		{"vault_id UUID without dashes", replicate(t, map[string]any{"vault_id": strings.ReplaceAll(goodUUID, "-", "")}),
			[]at{{"body", "/replicate/vault_id", "format"}}},
		{"vault_id UUID in braces", replicate(t, map[string]any{"vault_id": "{" + goodUUID + "}"}),
			[]at{{"body", "/replicate/vault_id", "format"}}},
		{"auto_trigger a string", replicate(t, map[string]any{"auto_trigger": "false"}),
			[]at{{"body", "/replicate/auto_trigger", "type"}}},
		{"enable_acceleration a number", replicate(t, map[string]any{"enable_acceleration": 1}),
			[]at{{"body", "/replicate/enable_acceleration", "type"}}},
		{"destination_project_id null", []byte(`{"replicate":{"destination_project_id":null,"destination_region":"r","destination_vault_id":"d","vault_id":"` + goodUUID + `"}}`),
			[]at{{"body", "/replicate/destination_project_id", "type"}}},
		{"replicate an array", []byte(`{"replicate":[]}`), []at{{"body", "/replicate", "type"}}},
		{"body an array", []byte(`[]`), []at{{"body", "", "type"}}},
		{"body null", []byte(`null`), []at{{"body", "", "type"}}},
		{"misspelled auto_triger points at the unexpected key", replicate(t, map[string]any{"auto_triger": true}),
			[]at{{"body", "/replicate/auto_triger", "additionalProperties"}}},
		{"unknown top-level key", []byte(`{"replicate":` + string(replicate(t, nil))[len(`{"replicate":`):len(replicate(t, nil))-1] + `,"dry_run":true}`),
			[]at{{"body", "/dry_run", "additionalProperties"}}},
		{"body wrapped in checkpoint as a peer SDK sends it",
			[]byte(`{"checkpoint":` + string(replicate(t, nil)) + `}`),
			[]at{{"body", "/checkpoint", "additionalProperties"}, {"body", "/replicate", "required"}}},
		{"case-variant key VAULT_ID next to vault_id",
			replicate(t, map[string]any{"VAULT_ID": "not-a-uuid"}),
			[]at{{"body", "/replicate/VAULT_ID", "additionalProperties"}}},
		{"key with slash and tilde escaped in the pointer", replicate(t, map[string]any{"a/b~c": 1}),
			[]at{{"body", "/replicate/a~1b~0c", "additionalProperties"}}},
		{"duplicate key vault_id", []byte(`{"replicate":{"destination_project_id":"p","destination_region":"r","destination_vault_id":"d","vault_id":"` + goodUUID + `","vault_id":"` + otherUUID + `"}}`),
			[]at{{"body", "/replicate/vault_id", "duplicateKey"}}},
		{"duplicate key spelled with an escape", []byte(`{"replicate":{"destination_project_id":"p","destination_region":"r","destination_vault_id":"d","vault_id":"` + goodUUID + `","vault\u005fid":"` + otherUUID + `"}}`),
			[]at{{"body", "/replicate/vault_id", "duplicateKey"}}},
		{"malformed JSON points where the library stopped", []byte(`{"replicate":{`), []at{{"body", "/replicate", "json"}}},
		{"not JSON at all", []byte(`<html>`), []at{{"body", "", "json"}}},
		{"empty body", []byte(``), []at{{"body", "", "json"}}},
		{"blank body", []byte(" \n"), []at{{"body", "", "json"}}},
		{"trailing data after the JSON value", append(replicate(t, nil), []byte(` {}`)...), []at{{"body", "", "json"}}},
		{"invalid UTF-8 in a string", bytes.Replace(replicate(t, nil), []byte("region2"), []byte("region\xff2"), 1),
			[]at{{"body", "/replicate/destination_region", "json"}}},
		{"lone high surrogate escape in a string", bytes.Replace(replicate(t, nil), []byte("region2"), []byte(`region\ud800`), 1),
			[]at{{"body", "/replicate/destination_region", "json"}}},
		{"lone low surrogate escape in a string", bytes.Replace(replicate(t, nil), []byte("region2"), []byte(`\udc00region`), 1),
			[]at{{"body", "/replicate/destination_region", "json"}}},
		{"high surrogate escape followed by a letter", bytes.Replace(replicate(t, nil), []byte("region2"), []byte(`\ud800x`), 1),
			[]at{{"body", "/replicate/destination_region", "json"}}},
		{"lone surrogate escape in a key", []byte(`{"replicate":{"\ud800":1}}`), []at{{"body", "/replicate", "json"}}},
		{"surrogate pair escape is a valid character", bytes.Replace(replicate(t, nil), []byte("region2"), []byte(`region\ud83d\ude00`), 1), nil},
		{"key REPLICATE differing in case is unknown", []byte(`{"REPLICATE":{}}`),
			[]at{{"body", "/REPLICATE", "additionalProperties"}, {"body", "/replicate", "required"}}},
		{"key Vault_Id alone is unknown and vault_id missing", replicate(t, map[string]any{"vault_id": nil, "Vault_Id": goodUUID}),
			[]at{{"body", "/replicate/Vault_Id", "additionalProperties"}, {"body", "/replicate/vault_id", "required"}}},
		{"key with the Kelvin sign is unknown", replicate(t, map[string]any{"auto_trigger": nil, "auto_\u212arigger": true}),
			[]at{{"body", "/replicate/auto_\u212arigger", "additionalProperties"}}},
		{"duplicate unknown key is an unknown key", []byte(`{"replicate":{"x":1,"x":2}}`),
			[]at{{"body", "/replicate/destination_project_id", "required"}, {"body", "/replicate/destination_region", "required"},
				{"body", "/replicate/destination_vault_id", "required"}, {"body", "/replicate/vault_id", "required"},
				{"body", "/replicate/x", "additionalProperties"}}},
		{"every duplicate key at once, with the other violations", []byte(`{"replicate":{"destination_project_id":"p","destination_project_id":"q","destination_region":"r","destination_vault_id":"d","vault_id":"x","vault_id":"y"}}`),
			[]at{{"body", "/replicate/destination_project_id", "duplicateKey"}, {"body", "/replicate/vault_id", "duplicateKey"}, {"body", "/replicate/vault_id", "format"}}},
		{"duplicate top-level key replicate, the last value checked", []byte(`{"replicate":5,"replicate":{}}`),
			[]at{{"body", "/replicate", "duplicateKey"}, {"body", "/replicate/destination_project_id", "required"},
				{"body", "/replicate/destination_region", "required"}, {"body", "/replicate/destination_vault_id", "required"},
				{"body", "/replicate/vault_id", "required"}}},
		{"byte order mark before the JSON value", append([]byte("\xEF\xBB\xBF"), replicate(t, nil)...),
			[]at{{"body", "", "json"}}},
		{"several violations at once, ordered by pointer then rule",
			[]byte(`{"replicate":{"vault_id":"x","auto_triger":true,"destination_region":5}}`),
			[]at{
				{"body", "/replicate/auto_triger", "additionalProperties"},
				{"body", "/replicate/destination_project_id", "required"},
				{"body", "/replicate/destination_region", "type"},
				{"body", "/replicate/destination_vault_id", "required"},
				{"body", "/replicate/vault_id", "format"},
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := v.RequestBody(copyCheckpoint, tt.body)
			assert.Equal(t, tt.want, violationsOf(t, err))
			if err == nil {
				var req cbr.CheckpointReplicateReq
				require.NoError(t, json.Unmarshal(tt.body, &req), "an accepted body decodes into the generated type")
			}
		})
	}
}

func TestResponseBody(t *testing.T) {
	v := newValidator(t)
	tests := []struct {
		name   string
		status int
		body   string
		want   []at
	}{
		{"page example 200 response is valid", 200, string(readTestdata(t, "response.json")), nil},
		{"empty replication object is valid (nothing required)", 200, `{"replication":{}}`, nil},
		{"unknown response fields are allowed (open schema)", 200, `{"replication":{"job_id":"j"},"request_id":"r"}`, nil},
		{"backups an object instead of an array", 200, `{"replication":{"backups":{"backup_id":"b"}}}`,
			[]at{{"body", "/replication/backups", "type"}}},
		{"backups item a string", 200, `{"replication":{"backups":["b"]}}`,
			[]at{{"body", "/replication/backups/0", "type"}}},
		{"backup_id a number", 200, `{"replication":{"backups":[{"backup_id":"a"},{"backup_id":7}]}}`,
			[]at{{"body", "/replication/backups/1/backup_id", "type"}}},
		{"replication null", 200, `{"replication":null}`, []at{{"body", "/replication", "type"}}},
		{"key Vault_id differing in case from vault_id is an unknown key, allowed", 200, `{"replication":{"Vault_id":"x"}}`, nil},
		{"key VAULT_ID next to vault_id is allowed and not checked as vault_id", 200, `{"replication":{"vault_id":"v","VAULT_ID":5}}`, nil},
		{"key Backup_Id in a backups item is allowed", 200, `{"replication":{"backups":[{"Backup_Id":7}]}}`, nil},
		{"key with the Kelvin sign is allowed", 200, `{"replication":{"bac\u212aups":5}}`, nil},
		{"duplicate key in the response", 200, `{"replication":{"vault_id":"v","vault_id":"w"}}`,
			[]at{{"body", "/replication/vault_id", "duplicateKey"}}},
		{"lone surrogate escape in the response", 200, `{"replication":{"vault_id":"\udfff"}}`,
			[]at{{"body", "/replication/vault_id", "json"}}},
		{"byte order mark before the response", 200, "\xEF\xBB\xBF{}", []at{{"body", "", "json"}}},
		{"empty 200 body", 200, ``, []at{{"body", "", "json"}}},
		{"HTML instead of JSON", 502, `<html><body>Bad Gateway</body></html>`, []at{{"body", "", "json"}}},
		{"CBR error body for 400 is valid", 400, `{"error_code":"BackupService.6120","error_msg":"Destination vault does not exist."}`, nil},
		{"CBR error body for 503 (5XX response) is valid", 503, `{"error_code":"BackupService.9910","error_msg":"Unknown error."}`, nil},
		{"status outside 100-599 is not an HTTP status", 42, `{}`, []at{{"status", "", "status"}}},
		{"error_code a number", 403, `{"error_code":8600,"error_msg":"Not authenticated."}`,
			[]at{{"body", "/error_code", "type"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := v.ResponseBody(copyCheckpoint, tt.status, []byte(tt.body))
			assert.Equal(t, tt.want, violationsOf(t, err))
			if err == nil && tt.status == 200 {
				// Keys are matched case-sensitively, as json v2 binds them.
				var resp cbr.CheckpointReplicateResp
				require.NoError(t, jsonv2.Unmarshal([]byte(tt.body), &resp))
			}
		})
	}
}

func TestErrorListsOneLinePerViolation(t *testing.T) {
	v := newValidator(t)
	err := v.RequestBody(copyCheckpoint, []byte(`{"checkpoint":{}}`))
	require.Error(t, err)
	assert.Equal(t,
		"body /checkpoint: additionalProperties: unknown property \"checkpoint\" is not allowed\n"+
			"body /replicate: required: property is required", err.Error())

	err = v.RequestBody(copyCheckpoint, []byte(`{`))
	require.Error(t, err)
	assert.NotContains(t, err.Error(), "\n")
	assert.True(t, strings.HasPrefix(err.Error(), "body: json: "), err.Error())

	// A key is the input's own: a newline or an ESC in it stays escaped, and
	// the Violation keeps it raw.
	err = v.RequestBody(copyCheckpoint, []byte("{\"replicate\":{\"a\\nb\\u001b[2J\":1}}"))
	var verr *validate.Error
	require.ErrorAs(t, err, &verr)
	assert.Len(t, strings.Split(err.Error(), "\n"), len(verr.Violations), err.Error())
	assert.Contains(t, err.Error(), `/replicate/a\nb\x1b[2J`)
	assert.Contains(t, verr.Violations, validate.Violation{In: "body", Pointer: "/replicate/a\nb\x1b[2J", Rule: "additionalProperties",
		Message: `unknown property "a\nb\x1b[2J" is not allowed`})
}

func TestErrorViolationsMarshalToJSON(t *testing.T) {
	v := newValidator(t)
	var verr *validate.Error
	require.ErrorAs(t, v.RequestBody(copyCheckpoint, replicate(t, map[string]any{"vault_id": nil})), &verr)
	data, err := json.Marshal(verr.Violations)
	require.NoError(t, err)
	assert.JSONEq(t, `[{"in":"body","pointer":"/replicate/vault_id","rule":"required","message":"property is required"}]`, string(data))
	assert.True(t, verr.Has("/replicate/vault_id", "required"))
	assert.False(t, verr.Has("/replicate/vault_id", "format"))
}

// newRequest builds a request of the operation with the page's example body.
func newRequest(t testing.TB, target string, body []byte) *http.Request {
	t.Helper()
	r := httptest.NewRequest(http.MethodPost, target, bytes.NewReader(body))
	r.Header.Set("Content-Type", "application/json")
	r.Header.Set("X-Auth-Token", token)
	return r
}

func TestRequest(t *testing.T) {
	v := newValidator(t)
	body := readTestdata(t, "request.json")
	tests := []struct {
		name   string
		modify func(r *http.Request)
		want   []at
	}{
		{"page example request is valid", func(*http.Request) {}, nil},
		{"request to another host routes on the path", func(r *http.Request) {
			r.URL.Host, r.Host = "127.0.0.1:8080", "127.0.0.1:8080"
		}, nil},
		{"Content-Type with charset is accepted", func(r *http.Request) {
			r.Header.Set("Content-Type", "application/json; charset=utf-8")
		}, nil},
		{"X-Auth-Token missing", func(r *http.Request) { r.Header.Del("X-Auth-Token") },
			[]at{{"header", "/X-Auth-Token", "security"}}},
		{"X-Auth-Token empty", func(r *http.Request) { r.Header.Set("X-Auth-Token", "") },
			[]at{{"header", "/X-Auth-Token", "security"}}},
		{"X-Auth-Token blank", func(r *http.Request) { r.Header.Set("X-Auth-Token", "  ") },
			[]at{{"header", "/X-Auth-Token", "security"}}},
		{"Content-Type text/plain", func(r *http.Request) { r.Header.Set("Content-Type", "text/plain") },
			[]at{{"header", "/Content-Type", "contentType"}}},
		{"Content-Type missing is reported and the body still checked", func(r *http.Request) {
			r.Header.Del("Content-Type")
			r.Body = io.NopCloser(strings.NewReader(`{"replicate":{}}`))
		}, []at{
			{"header", "/Content-Type", "contentType"},
			{"body", "/replicate/destination_project_id", "required"},
			{"body", "/replicate/destination_region", "required"},
			{"body", "/replicate/destination_vault_id", "required"},
			{"body", "/replicate/vault_id", "required"},
		}},
		{"empty body", func(r *http.Request) { r.Body = http.NoBody }, []at{{"body", "", "required"}}},
		{"unknown path", func(r *http.Request) { r.URL.Path = "/v3/p/checkpoints/copy" },
			[]at{{"path", "", "route"}}},
		{"project_id empty in the path", func(r *http.Request) { r.URL.Path = "/v3//checkpoints/replicate" },
			[]at{{"path", "/project_id", "required"}}},
		{"wrong method GET", func(r *http.Request) { r.Method = http.MethodGet },
			[]at{{"method", "", "method"}}},
		{"token missing and project_id empty at once", func(r *http.Request) {
			r.Header.Del("X-Auth-Token")
			r.URL.Path = "/v3//checkpoints/replicate"
		}, []at{{"header", "/X-Auth-Token", "security"}, {"path", "/project_id", "required"}}},
		{"token, header and body violations at once", func(r *http.Request) {
			r.Header.Del("X-Auth-Token")
			r.Body = io.NopCloser(strings.NewReader(`{"replicate":{"destination_project_id":"p","destination_region":"r","destination_vault_id":"d","vault_id":"x"}}`))
		}, []at{{"header", "/X-Auth-Token", "security"}, {"body", "/replicate/vault_id", "format"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := newRequest(t, "https://cbr.eu-de.otc.t-systems.com"+opPath, body)
			tt.modify(r)
			_, err := v.Request(r)
			assert.Equal(t, tt.want, violationsOf(t, err))
			if err != nil {
				assert.NotContains(t, err.Error(), token, "the token never appears in an error")
			}
		})
	}
}

func TestRequestLeavesBodyReadable(t *testing.T) {
	v := newValidator(t)
	for _, body := range [][]byte{readTestdata(t, "request.json"), []byte(`{"replicate":{}}`), []byte(`{`)} {
		r := newRequest(t, opPath, body)
		_, _ = v.Request(r)
		got, err := io.ReadAll(r.Body)
		require.NoError(t, err)
		assert.Equal(t, body, got)
	}
}

func TestRequestReturnsReadErrors(t *testing.T) {
	v := newValidator(t)
	r := newRequest(t, opPath, nil)
	r.Body = io.NopCloser(io.MultiReader(strings.NewReader(`{"rep`), errReader{}))
	_, err := v.Request(r)
	require.Error(t, err)
	var verr *validate.Error
	assert.False(t, errors.As(err, &verr), "a read failure is not a violation")
	assert.ErrorIs(t, err, errBroken)
}

var errBroken = errors.New("connection reset")

type errReader struct{}

func (errReader) Read([]byte) (int, error) { return 0, errBroken }

func newResponse(status int, contentType, body string) *http.Response {
	h := http.Header{}
	if contentType != "" {
		h.Set("Content-Type", contentType)
	}
	return &http.Response{StatusCode: status, Header: h, Body: io.NopCloser(strings.NewReader(body))}
}

func TestResponse(t *testing.T) {
	v := newValidator(t)
	page := string(readTestdata(t, "response.json"))
	tests := []struct {
		name string
		resp *http.Response
		want []at
	}{
		{"page example 200 response is valid", newResponse(200, "application/json", page), nil},
		{"backups as an object is contract drift", newResponse(200, "application/json", `{"replication":{"backups":{}}}`),
			[]at{{"body", "/replication/backups", "type"}}},
		{"HTML error page from a gateway", newResponse(502, "text/html", `<html></html>`),
			[]at{{"header", "/Content-Type", "contentType"}}},
		{"Content-Type missing, body still checked", newResponse(200, "", `{"replication":[]}`),
			[]at{{"header", "/Content-Type", "contentType"}, {"body", "/replication", "type"}}},
		{"CBR error body on 404 is valid", newResponse(404, "application/json", `{"error_code":"BackupService.6105","error_msg":"The vault does not exist."}`), nil},
		{"empty 500 body", newResponse(500, "application/json", ``), []at{{"body", "", "json"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := newRequest(t, opPath, readTestdata(t, "request.json"))
			assert.Equal(t, tt.want, violationsOf(t, v.Response(r, tt.resp)))
		})
	}
}

func TestResponseUsesRespRequestAndLeavesBodyReadable(t *testing.T) {
	v := newValidator(t)
	page := readTestdata(t, "response.json")
	resp := newResponse(200, "application/json", string(page))
	resp.Request = newRequest(t, opPath, nil)
	require.NoError(t, v.Response(nil, resp))
	got, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	assert.Equal(t, page, got)

	resp = newResponse(200, "application/json", string(page))
	resp.Request = newRequest(t, "/v3/p/other", nil)
	assert.Equal(t, []at{{"path", "", "route"}}, violationsOf(t, v.Response(nil, resp)))
}

func TestNewDoesNotRegisterUUIDGlobally(t *testing.T) {
	newValidator(t)
	_, err := validate.New()
	require.NoError(t, err)
	_, global := openapi3.SchemaStringFormats["uuid"]
	assert.False(t, global, "uuid is registered on the validator's document only")
}

func TestConcurrentUse(t *testing.T) {
	v := newValidator(t)
	good := readTestdata(t, "request.json")
	page := readTestdata(t, "response.json")
	bad := replicate(t, map[string]any{"vault_id": "x"})
	var wg sync.WaitGroup
	errs := make(chan error, 64)
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 50 {
				if err := v.RequestBody(copyCheckpoint, good); err != nil {
					errs <- err
				}
				if err := v.ResponseBody(copyCheckpoint, 200, page); err != nil {
					errs <- err
				}
				var verr *validate.Error
				if !errors.As(v.RequestBody(copyCheckpoint, bad), &verr) || !verr.Has("/replicate/vault_id", "format") {
					errs <- fmt.Errorf("goroutine %d, run %d: bad body not rejected", g, i)
				}
				r := newRequest(t, opPath, good)
				if _, err := v.Request(r); err != nil {
					errs <- err
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

func TestMaxLengthMessageCountsCharacters(t *testing.T) {
	v := newValidator(t)
	err := v.RequestBody(copyCheckpoint, replicate(t, map[string]any{"destination_region": strings.Repeat("日", 256)}))
	var verr *validate.Error
	require.ErrorAs(t, err, &verr)
	require.Len(t, verr.Violations, 1)
	assert.Equal(t, "maximum string length is 255; the value has 256 characters", verr.Violations[0].Message)
}

func TestUndocumentedStatusMessageNamesTheDocumentedOnes(t *testing.T) {
	v := newValidator(t)
	err := v.ResponseBody(copyCheckpoint, http.StatusAccepted, readTestdata(t, "response.json"))
	var verr *validate.Error
	require.ErrorAs(t, err, &verr)
	require.Len(t, verr.Violations, 1)
	assert.Equal(t, validate.Violation{In: "status", Rule: "status",
		Message: "status 202 is not documented for CopyCheckpoint; documented: 200, 400, 401, 403, 404, 4XX, 500, 5XX"}, verr.Violations[0])
}
