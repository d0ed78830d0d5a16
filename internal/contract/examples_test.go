package contract

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cbr-replicate/cbr-replicate/gen/cbr"
)

// specs returns the spec file and the embedded spec, freshly loaded.
func specs(t *testing.T) map[string]*openapi3.T {
	return map[string]*openapi3.T{
		"spec file":     loadSpec(t, specYAML(t)),
		"embedded spec": embeddedSpec(t),
	}
}

// pageRequest returns the request of the page's only request example, its
// body empty for a GET.
func pageRequest(t *testing.T, page *Page) *http.Request {
	t.Helper()
	method, path, body, err := pageExample(t, page, "Example Requests").Request()
	require.NoError(t, err)
	contentType := ""
	if len(body) > 0 {
		contentType = "application/json"
	}
	return newRequest(method, path, contentType, body)
}

// TestPageExamplesValidate sends the examples of every page through
// openapi3filter with the spec: the request (a GET's path keeps the page's
// placeholders, such as {project_id}, as values), then each answer under
// its status.
func TestPageExamplesValidate(t *testing.T) {
	pages := readPages(t)
	for name, doc := range specs(t) {
		f := newFilter(t, doc)
		for _, src := range Sources {
			t.Run(name+" "+src.File, func(t *testing.T) {
				req := pageRequest(t, pages[src.File])
				in, err := f.validateRequest(t, req)
				require.NoError(t, err)
				assert.Equal(t, src.Operation, in.Route.Operation.OperationID)
				_, _, body, err := pageExample(t, pages[src.File], "Example Requests").Request()
				require.NoError(t, err)
				assert.Equal(t, body, readAll(t, req.Body), "validation leaves the example's body as it was")
				for _, ex := range pages[src.File].Examples {
					if ex.Section == "Example Responses" {
						assert.NoError(t, f.validateResponse(in, ex.Status, "application/json", []byte(ex.Text)), "status %d", ex.Status)
					}
				}
			})
		}
	}
}

// TestPageExamplesRoundTripThroughGeneratedTypes decodes every page's
// answer into the type gen/cbr has for it and encodes it again. The page's
// JSON comes back but for what the types cannot hold: keys no table of the
// page lists, and empty strings and arrays, which the types
// (x-go-type-skip-optional-pointer) hold as absent.
func TestPageExamplesRoundTripThroughGeneratedTypes(t *testing.T) {
	pages := readPages(t)
	_, _, reqBody, err := pageExample(t, pages[htmlPage], "Example Requests").Request()
	require.NoError(t, err)
	t.Run("request into cbr.CheckpointReplicateReq", func(t *testing.T) {
		var req cbr.CheckpointReplicateReq
		strictDecode(t, reqBody, &req)
		// fmt.Sprint, not VaultId: should the spec lose format uuid,
		// this still compiles and TestSpecMatchesPages names the row instead.
		assert.Equal(t, "3b5816b5-f29c-4172-9d9a-76c719a659ce", fmt.Sprint(req.Replicate.VaultId))
		again, err := json.Marshal(req)
		require.NoError(t, err)
		assert.JSONEq(t, string(reqBody), string(again))
	})
	tests := []struct {
		file       string
		into       any
		undeclared []string // JSON pointers of keys no table of the page lists
	}{
		{file: htmlPage, into: &cbr.CheckpointReplicateResp{}},
		{file: "querying_the_replication_capability.rst", into: &cbr.ShowReplicationCapabilitiesResp{}},
		{file: "querying_a_specified_vault.rst", into: &cbr.ShowVaultResp{}, undeclared: []string{"/vault/enterprise_project_id"}},
		{file: "querying_all_backups.rst", into: &cbr.ListBackupsResp{}},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("200 response of %s into %T", tt.file, tt.into), func(t *testing.T) {
			body := []byte(pageExample(t, pages[tt.file], "Example Responses").Text)
			var want any
			require.NoError(t, json.Unmarshal(body, &want))
			for _, p := range tt.undeclared {
				parent, key := path.Split(p)
				obj, ok := pointer(want, parent).(map[string]any)
				require.True(t, ok, "%s is in the page's example", p)
				require.Contains(t, obj, key)
				delete(obj, key)
			}
			strictDecode(t, []byte(mustJSON(t, want)), tt.into)
			again, err := json.Marshal(tt.into)
			require.NoError(t, err)
			assert.JSONEq(t, mustJSON(t, dropEmpty(want)), string(again))
		})
	}
}

// pointer returns the value at a JSON pointer of slash-separated object
// keys ("/vault/").
func pointer(v any, p string) any {
	for _, key := range strings.Split(strings.Trim(p, "/"), "/") {
		if key != "" {
			v = v.(map[string]any)[key]
		}
	}
	return v
}

// dropEmpty removes the empty strings and arrays of the objects in v.
func dropEmpty(v any) any {
	switch v := v.(type) {
	case map[string]any:
		for k, e := range v {
			if s, ok := e.(string); ok && s == "" {
				delete(v, k)
			} else if a, ok := e.([]any); ok && len(a) == 0 {
				delete(v, k)
			} else {
				v[k] = dropEmpty(e)
			}
		}
	case []any:
		for i := range v {
			v[i] = dropEmpty(v[i])
		}
	}
	return v
}

// TestSpecExamplesArePageExamples keeps the spec's examples the pages':
// each page that is the spec's source (not a later revision) has its
// request body example and each answer of "Example Responses", with its
// label as the summary, as the only example of that body in its operation.
func TestSpecExamplesArePageExamples(t *testing.T) {
	pages := readPages(t)
	for name, doc := range specs(t) {
		for _, src := range Sources {
			if src.Revision {
				continue // TestTodaysPageNamesItsOneDifference
			}
			t.Run(name+" "+src.File, func(t *testing.T) {
				page := pages[src.File]
				route, _, err := newFilter(t, doc).router.FindRoute(pageRequest(t, page))
				require.NoError(t, err)
				op := route.Operation

				_, _, reqBody, err := pageExample(t, page, "Example Requests").Request()
				require.NoError(t, err)
				if len(reqBody) == 0 {
					assert.Nil(t, op.RequestBody, "the page's request has no body")
				} else {
					require.NotNil(t, op.RequestBody, "the operation has no request body")
					assertOnlyExample(t, op.RequestBody.Value.Content, pageExample(t, page, "Example Requests").Label, string(reqBody))
				}
				for _, ex := range page.Examples {
					if ex.Section != "Example Responses" {
						continue
					}
					resp := op.Responses.Status(ex.Status)
					require.NotNil(t, resp, "no response %d", ex.Status)
					assertOnlyExample(t, resp.Value.Content, ex.Label, ex.Text)
				}
			})
		}
	}
}

// assertOnlyExample asserts that the JSON content has one example, with
// summary label and value body.
func assertOnlyExample(t *testing.T, content openapi3.Content, label, body string) {
	t.Helper()
	media := content.Get("application/json")
	require.NotNil(t, media, "no application/json content")
	require.Len(t, media.Examples, 1)
	for _, ex := range media.Examples {
		assert.Equal(t, label, ex.Value.Summary)
		assert.JSONEq(t, body, mustJSON(t, ex.Value.Value))
	}
}

// TestDocumentedErrorExamplesValidate sends every example of every error
// response of every operation back through the response validator under
// its own status, and through cbr.CBRError.
func TestDocumentedErrorExamplesValidate(t *testing.T) {
	pages := readPages(t)
	f := newFilter(t, loadSpec(t, specYAML(t)))
	seen := map[string]int{} // "operation status" -> examples
	for _, src := range Sources {
		if src.Revision {
			continue // the operation of an earlier page
		}
		in, err := f.validateRequest(t, pageRequest(t, pages[src.File]))
		require.NoError(t, err)
		op := in.Route.Operation
		for _, code := range op.Responses.Keys() {
			if code == "200" {
				continue
			}
			media := op.Responses.Value(code).Value.Content.Get("application/json")
			if !assert.NotNil(t, media, "%s response %s has no application/json content: every status but 200 documents the CBR error body", op.OperationID, code) {
				continue
			}
			for name, ex := range media.Examples {
				t.Run(src.File+" "+code+" "+name, func(t *testing.T) {
					body := mustJSON(t, ex.Value.Value)
					require.NoError(t, f.validateResponse(in, representativeStatus(t, code), "application/json", []byte(body)))

					var cbrErr cbr.CBRError
					strictDecode(t, []byte(body), &cbrErr)
					assert.Regexp(t, `^BackupService\.\d{4}$`, cbrErr.ErrorCode)
					assert.NotEmpty(t, cbrErr.ErrorMsg)
					again, err := json.Marshal(cbrErr)
					require.NoError(t, err)
					assert.JSONEq(t, body, string(again))
				})
				seen[op.OperationID+" "+code]++
			}
		}
	}
	for _, id := range []string{"CopyCheckpoint", "ShowReplicationCapabilities", "ShowVault", "ListBackups"} {
		for _, code := range []string{"400", "401", "403", "500", "4XX", "5XX"} {
			assert.NotZero(t, seen[id+" "+code], "%s has no example for status %s", id, code)
		}
	}
	assert.Equal(t, 10, seen["CopyCheckpoint 400"], "the ten 400 codes of cbr-facts.md")
	assert.Equal(t, 4, seen["CopyCheckpoint 500"], "the four 500 codes of cbr-facts.md")
	assert.Equal(t, 1, seen["ShowVault 404"], "the vault does not exist")
	assert.Equal(t, 1, seen["ListBackups 400"], "parameter verification failed: the one 400 code of a query")
	assert.Equal(t, 2, seen["ListBackups 500"], "the two 500 codes of cbr-facts.md not about replicating")
}

// strictDecode decodes data into v, refusing keys v has no field for.
func strictDecode(t *testing.T, data []byte, v any) {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	require.NoError(t, dec.Decode(v))
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	data, err := json.Marshal(v)
	require.NoError(t, err)
	return string(data)
}

// representativeStatus is the status an example of the response keyed code
// is sent under: the status itself, or for a range the first abnormal status
// of cbr-facts.md's appendix that the spec has no response of its own for
// (4XX: 405, 5XX: 501).
func representativeStatus(t *testing.T, code string) int {
	t.Helper()
	switch code {
	case "4XX":
		return 405
	case "5XX":
		return 501
	}
	status, err := strconv.Atoi(code)
	require.NoError(t, err, "status %q", code)
	return status
}

// TestSampleFilesAreTheSpecExamples keeps the sample files that users
// validate and load with (cmd/cbr-replicate/testdata, named in the README
// and scripts/load.lua) equal to the spec's examples, which are the pages':
// the files are copies for the command line, checked, not a second source.
func TestSampleFilesAreTheSpecExamples(t *testing.T) {
	doc := embeddedSpec(t)
	for file, example := range map[string]string{
		"page-request.json":      "ReplicatingBackupsRequest",
		"page-response-200.json": "ReplicatingBackupsResponse",
		// cbr-replicate validate response --operation ShowReplicationCapabilities
		"page-capabilities-200.json": "ShowReplicationCapabilitiesResponse",
	} {
		t.Run(file, func(t *testing.T) {
			data, err := os.ReadFile(filepath.Join("..", "..", "cmd", "cbr-replicate", "testdata", file))
			require.NoError(t, err)
			ex := doc.Components.Examples[example]
			require.NotNil(t, ex)
			assert.JSONEq(t, mustJSON(t, ex.Value.Value), string(data))
		})
	}
}
