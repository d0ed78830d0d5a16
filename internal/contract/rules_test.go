package contract

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// exampleBody returns the page's example request body, decoded, for a case
// to change.
func exampleBody(t *testing.T) map[string]any {
	t.Helper()
	_, _, body, err := pageExample(t, readPage(t, htmlPage), "Example Requests").Request()
	require.NoError(t, err)
	var m map[string]any
	require.NoError(t, json.Unmarshal(body, &m))
	return m
}

// replicate edits the "replicate" object of an example body.
func replicate(edit func(r map[string]any)) func(map[string]any) {
	return func(body map[string]any) { edit(body["replicate"].(map[string]any)) }
}

// TestRequestRules sends one faulty request per rule of the spec through
// openapi3filter and expects exactly that rule at that place.
func TestRequestRules(t *testing.T) {
	const path = "/v3/f841e01fd2b14e7fa41b6ae7aa6b0594/checkpoints/replicate"
	tests := []struct {
		name        string
		edit        func(body map[string]any)
		raw         string // sent as is instead of the edited example
		contentType string // default application/json
		noToken     bool
		noBody      bool
		want        []violation
	}{
		{name: "replicate is required", edit: func(b map[string]any) { delete(b, "replicate") },
			want: []violation{{"/replicate", "required"}}},
		{name: "vault_id is required", edit: replicate(func(r map[string]any) { delete(r, "vault_id") }),
			want: []violation{{"/replicate/vault_id", "required"}}},
		{name: "destination_project_id is required", edit: replicate(func(r map[string]any) { delete(r, "destination_project_id") }),
			want: []violation{{"/replicate/destination_project_id", "required"}}},
		{name: "destination_region is required", edit: replicate(func(r map[string]any) { delete(r, "destination_region") }),
			want: []violation{{"/replicate/destination_region", "required"}}},
		{name: "destination_vault_id is required", edit: replicate(func(r map[string]any) { delete(r, "destination_vault_id") }),
			want: []violation{{"/replicate/destination_vault_id", "required"}}},
		{name: "auto_trigger and enable_acceleration are optional", edit: replicate(func(r map[string]any) {
			delete(r, "auto_trigger")
			delete(r, "enable_acceleration")
		})},
		{name: "destination_region longer than 255 characters", edit: replicate(func(r map[string]any) { r["destination_region"] = strings.Repeat("a", 256) }),
			want: []violation{{"/replicate/destination_region", "maxLength"}}},
		{name: "destination_region of 256 three-byte characters", edit: replicate(func(r map[string]any) { r["destination_region"] = strings.Repeat("日", 256) }),
			want: []violation{{"/replicate/destination_region", "maxLength"}}},
		{name: "destination_region of 255 ASCII characters", edit: replicate(func(r map[string]any) { r["destination_region"] = strings.Repeat("a", 255) })},
		{name: "destination_region of 255 two-byte characters", edit: replicate(func(r map[string]any) { r["destination_region"] = strings.Repeat("é", 255) })},
		{name: "destination_region of 255 three-byte characters", edit: replicate(func(r map[string]any) { r["destination_region"] = strings.Repeat("日", 255) })},
		{name: "destination_region empty (Minimum: 0)", edit: replicate(func(r map[string]any) { r["destination_region"] = "" })},
		{name: "vault_id not a UUID", edit: replicate(func(r map[string]any) { r["vault_id"] = "vault-1" }),
			want: []violation{{"/replicate/vault_id", "format"}}},
		{name: "vault_id UUID in upper case", edit: replicate(func(r map[string]any) { r["vault_id"] = "3B5816B5-F29C-4172-9D9A-76C719A659CE" })},
		{name: "auto_trigger not a boolean", edit: replicate(func(r map[string]any) { r["auto_trigger"] = "yes" }),
			want: []violation{{"/replicate/auto_trigger", "type"}}},
		{name: "enable_acceleration not a boolean", edit: replicate(func(r map[string]any) { r["enable_acceleration"] = 1 }),
			want: []violation{{"/replicate/enable_acceleration", "type"}}},
		{name: "destination_region not a string", edit: replicate(func(r map[string]any) { r["destination_region"] = 42 }),
			want: []violation{{"/replicate/destination_region", "type"}}},
		{name: "destination_project_id null", edit: replicate(func(r map[string]any) { r["destination_project_id"] = nil }),
			want: []violation{{"/replicate/destination_project_id", "nullable"}}},
		{name: "replicate not an object", edit: func(b map[string]any) { b["replicate"] = []any{} },
			want: []violation{{"/replicate", "type"}}},
		{name: "misspelt key is an unknown property", edit: replicate(func(r map[string]any) { r["auto_triger"] = true }),
			want: []violation{{"/replicate/auto_triger", "additionalProperties"}}},
		{name: "unknown top-level key", edit: func(b map[string]any) { b["dry_run"] = true },
			want: []violation{{"/dry_run", "additionalProperties"}}},
		{name: "body wrapped in checkpoint", edit: func(b map[string]any) {
			b["checkpoint"] = map[string]any{"replicate": b["replicate"]}
			delete(b, "replicate")
		},
			want: []violation{{"/checkpoint", "additionalProperties"}, {"/replicate", "required"}}},
		{name: "token is required", noToken: true,
			want: []violation{{"header", "security"}}},
		{name: "Content-Type text/plain", contentType: "text/plain",
			want: []violation{{"header Content-Type", "content-type"}}},
		{name: "Content-Type application/json with charset", contentType: "application/json; charset=utf-8"},
		{name: "body is required", noBody: true,
			want: []violation{{"", "required"}}},
		{name: "body of white space only", raw: " ",
			want: []violation{{"", "decode"}}},
		{name: "key in another case is an unknown property (encoding/json would bind it)", edit: replicate(func(r map[string]any) { r["VAULT_ID"] = "x" }),
			want: []violation{{"/replicate/VAULT_ID", "additionalProperties"}}},
		{name: "body that is not JSON", raw: `{"replicate":`,
			want: []violation{{"", "decode"}}},
		{name: "body that is a JSON array", raw: `[]`,
			want: []violation{{"", "type"}}},
	}
	f := newFilter(t, loadSpec(t, specYAML(t)))
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			body := []byte(tt.raw)
			if tt.raw == "" && !tt.noBody {
				m := exampleBody(t)
				if tt.edit != nil {
					tt.edit(m)
				}
				var err error
				body, err = json.Marshal(m)
				require.NoError(t, err)
			}
			contentType := tt.contentType
			if contentType == "" {
				contentType = "application/json"
			}
			req := newRequest(http.MethodPost, path, contentType, body)
			if tt.noToken {
				req.Header.Del("X-Auth-Token")
			}

			_, err := f.validateRequest(t, req)

			assert.Equal(t, tt.want, violations(err), "error: %v", err)
			if err != nil {
				assert.NotContains(t, err.Error(), testToken, "the token never shows in an error")
			}
		})
	}
}

func TestRequestReportsEveryViolationAtOnce(t *testing.T) {
	body := exampleBody(t)
	r := body["replicate"].(map[string]any)
	r["vault_id"] = "not-a-uuid"
	r["destination_region"] = strings.Repeat("x", 256)
	delete(r, "destination_vault_id")
	f := newFilter(t, loadSpec(t, specYAML(t)))
	data, err := json.Marshal(body)
	require.NoError(t, err)
	req := newRequest(http.MethodPost, "/v3/p/checkpoints/replicate", "text/html", data)
	req.Header.Del("X-Auth-Token")

	_, err = f.validateRequest(t, req)
	assert.Equal(t, []violation{{"header", "security"}, {"header Content-Type", "content-type"}}, violations(err),
		"the token and the media type are checked before the body")

	req = newRequest(http.MethodPost, "/v3/p/checkpoints/replicate", "application/json", data)
	_, err = f.validateRequest(t, req)
	assert.ElementsMatch(t, []violation{
		{"/replicate/destination_vault_id", "required"},
		{"/replicate/destination_region", "maxLength"},
		{"/replicate/vault_id", "format"},
	}, violations(err), "error: %v", err)
}

func TestResponseRules(t *testing.T) {
	page := readPage(t, htmlPage)
	method, path, reqBody, err := pageExample(t, page, "Example Requests").Request()
	require.NoError(t, err)
	okBody := pageExample(t, page, "Example Responses").Text
	f := newFilter(t, loadSpec(t, specYAML(t)))
	in, err := f.validateRequest(t, newRequest(method, path, "application/json", reqBody))
	require.NoError(t, err)

	tests := []struct {
		name        string
		status      int
		contentType string
		body        string
		want        []violation
	}{
		{name: "page example", status: 200, body: okBody},
		{name: "200 with fields the page does not list (responses stay open)", status: 200,
			body: `{"replication": {"vault_id": "v", "status": "running"}, "request_id": "r"}`},
		{name: "200 with an empty body object", status: 200, body: `{}`},
		{name: "backups not an array", status: 200, body: `{"replication": {"backups": "b"}}`,
			want: []violation{{"/replication/backups", "type"}}},
		{name: "backup_id not a string", status: 200, body: `{"replication": {"backups": [{"backup_id": 7}]}}`,
			want: []violation{{"/replication/backups/0/backup_id", "type"}}},
		{name: "every fault of a response at once", status: 200, body: `{"replication": {"vault_id": 1, "project_id": true, "backups": {}}}`,
			want: []violation{{"/replication/backups", "type"}, {"/replication/project_id", "type"}, {"/replication/vault_id", "type"}}},
		{name: "error body of status 400", status: 400, body: `{"error_code": "BackupService.6120", "error_msg": "The destination vault does not exist."}`},
		{name: "error_code not a string", status: 404, body: `{"error_code": 6105}`,
			want: []violation{{"/error_code", "type"}}},
		{name: "204 is a status the spec does not document", status: 204, body: ``,
			want: []violation{{"", "status is not supported"}}},
		{name: "200 as text/html", status: 200, contentType: "text/html", body: `<html></html>`,
			want: []violation{{"", `response header Content-Type has unexpected value: "text/html"`}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			contentType := tt.contentType
			if contentType == "" {
				contentType = "application/json"
			}
			err := f.validateResponse(in, tt.status, contentType, []byte(tt.body))
			got := violations(err)
			if len(tt.want) > 1 {
				assert.ElementsMatch(t, tt.want, got, "error: %v", err)
				return
			}
			assert.Equal(t, tt.want, got, "error: %v", err)
		})
	}
}

// TestUnknownKeyAsKinOpenAPIReportsIt pins what violations() translates:
// kin-openapi names a key forbidden by additionalProperties: false only in
// the reason of a "properties" error on the enclosing object.
func TestUnknownKeyAsKinOpenAPIReportsIt(t *testing.T) {
	body := exampleBody(t)
	body["replicate"].(map[string]any)["auto/triger~"] = true
	data, err := json.Marshal(body)
	require.NoError(t, err)
	f := newFilter(t, loadSpec(t, specYAML(t)))

	_, err = f.validateRequest(t, newRequest(http.MethodPost, "/v3/p/checkpoints/replicate", "application/json", data))

	var schemaErr *openapi3.SchemaError
	require.ErrorAs(t, err, &schemaErr)
	assert.Equal(t, "properties", schemaErr.SchemaField)
	assert.Equal(t, []string{"replicate"}, schemaErr.JSONPointer())
	assert.Equal(t, `property "auto/triger~" is unsupported`, schemaErr.Reason)
	assert.Equal(t, []violation{{"/replicate/auto~1triger~0", "additionalProperties"}}, violations(err))
}

// TestUndocumentedStatus checks IncludeResponseStatus. The page documents
// only 200 as a success; cbr-facts.md's other abnormal statuses are
// documented by the ranges 4XX and 5XX, not by "default", which would make
// every status documented (a 202 carrying the 200 body would pass as an
// error body).
func TestUndocumentedStatus(t *testing.T) {
	page := readPage(t, htmlPage)
	method, path, reqBody, err := pageExample(t, page, "Example Requests").Request()
	require.NoError(t, err)
	okBody := []byte(pageExample(t, page, "Example Responses").Text)
	errBody := []byte(`{"error_code": "BackupService.9910", "error_msg": "Unknown error."}`)

	f := newFilter(t, loadSpec(t, specYAML(t)))
	in, err := f.validateRequest(t, newRequest(method, path, "application/json", reqBody))
	require.NoError(t, err)
	require.Nil(t, in.Route.Operation.Responses.Default(), "a default response would document every status")

	tests := []struct {
		name   string
		status int
		body   []byte
		want   []violation
	}{
		{name: "undocumented status 202 is rejected", status: 202, body: okBody, want: []violation{{"", "status is not supported"}}},
		{name: "undocumented status 201 is rejected", status: 201, body: okBody, want: []violation{{"", "status is not supported"}}},
		{name: "undocumented status 204 is rejected", status: 204, want: []violation{{"", "status is not supported"}}},
		{name: "undocumented status 302 is rejected", status: 302, body: errBody, want: []violation{{"", "status is not supported"}}},
		{name: "405 is an abnormal status documented by 4XX", status: 405, body: errBody},
		{name: "503 is an abnormal status documented by 5XX", status: 503, body: errBody},
		{name: "404 keeps its own response", status: 404, body: errBody},
		{name: "200 keeps its own response", status: 200, body: okBody},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := f.validateResponse(in, tt.status, "application/json", tt.body)
			assert.Equal(t, tt.want, violations(err), "error: %v", err)
		})
	}
}

// TestQueryRules sends ListBackups one query at a time through
// openapi3filter and expects exactly the rule of that parameter, as Table 2
// of its page gives it, or nothing.
func TestQueryRules(t *testing.T) {
	f := newFilter(t, loadSpec(t, specYAML(t)))
	tests := []struct {
		name, query string
		want        []violation
	}{
		{name: "no query at all"},
		{name: "every filter of the page at once", query: "checkpoint_id=c&dec=true&end_time=2018-02-01T12:00:00Z&image_type=backup&limit=1&marker=m&member_status=pending&name=n&offset=1&own_type=all_granted&parent_id=p&resource_az=az&resource_id=r&resource_name=rn&resource_type=OS::Nova::Server&sort=created_at:desc&start_time=2018-02-01T12:00:00Z&status=available&used_percent=80&vault_id=v"},
		{name: "limit not a positive integer", query: "limit=0", want: []violation{{"query limit", "minimum"}}},
		{name: "offset not a positive integer (the query table, not the answer's Minimum: 0)", query: "offset=0", want: []violation{{"query offset", "minimum"}}},
		{name: "limit not an integer", query: "limit=ten", want: []violation{{"query limit", "value ten: an invalid integer: invalid syntax"}}},
		{name: "own_type not among its enumeration values", query: "own_type=mine", want: []violation{{"query own_type", "enum"}}},
		{name: "status not among its enumeration values", query: "status=done", want: []violation{{"query status", "enum"}}},
		{name: "member_status not among its enumeration values", query: "member_status=maybe", want: []violation{{"query member_status", "enum"}}},
		{name: "start_time without a time of day", query: "start_time=2018-02-01", want: []violation{{"query start_time", "format"}}},
		{name: "sort of 255 characters", query: "sort=" + strings.Repeat("a", 255)},
		{name: "sort longer than 255 characters", query: "sort=" + strings.Repeat("a", 256), want: []violation{{"query sort", "maxLength"}}},
		{name: "dec not a boolean", query: "dec=maybe", want: []violation{{"query dec", "value maybe: an invalid boolean: invalid syntax"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := f.validateRequest(t, newRequest(http.MethodGet, "/v3/p/backups?"+tt.query, "", nil))
			assert.Equal(t, tt.want, violations(err), "error: %v", err)
		})
	}
}
