package contract

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
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

func TestPageExamplesValidate(t *testing.T) {
	page := readPage(t)
	reqExample := pageExample(t, page, "Example Requests")
	method, path, reqBody, err := reqExample.Request()
	require.NoError(t, err)
	respExample := pageExample(t, page, "Example Responses")
	respBody := []byte(respExample.Text)

	for name, doc := range specs(t) {
		t.Run(name, func(t *testing.T) {
			f := newFilter(t, doc)
			req := newRequest(method, path, "application/json", reqBody)
			in, err := f.validateRequest(t, req)
			require.NoError(t, err)
			assert.Equal(t, "CopyCheckpoint", in.Route.Operation.OperationID)
			assert.Equal(t, map[string]string{"project_id": "f841e01fd2b14e7fa41b6ae7aa6b0594"}, in.PathParams)
			assert.JSONEq(t, string(reqBody), string(readAll(t, req.Body)), "validation leaves the example's body as it was")

			require.Equal(t, 200, respExample.Status)
			require.NoError(t, f.validateResponse(in, respExample.Status, "application/json", respBody))
		})
	}
}

func TestPageExamplesRoundTripThroughGeneratedTypes(t *testing.T) {
	page := readPage(t)
	_, _, reqBody, err := pageExample(t, page, "Example Requests").Request()
	require.NoError(t, err)
	respBody := []byte(pageExample(t, page, "Example Responses").Text)

	t.Run("request into cbr.CheckpointReplicateReq", func(t *testing.T) {
		var req cbr.CheckpointReplicateReq
		strictDecode(t, reqBody, &req)
		// fmt.Sprint, not VaultId: should the spec lose format uuid,
		// this still compiles and TestSpecMatchesPage names the row instead.
		assert.Equal(t, "3b5816b5-f29c-4172-9d9a-76c719a659ce", fmt.Sprint(req.Replicate.VaultId))
		again, err := json.Marshal(req)
		require.NoError(t, err)
		assert.JSONEq(t, string(reqBody), string(again))
	})
	t.Run("200 response into cbr.CheckpointReplicateResp", func(t *testing.T) {
		var resp cbr.CheckpointReplicateResp
		strictDecode(t, respBody, &resp)
		require.NotNil(t, resp.Replication)
		assert.Len(t, resp.Replication.Backups, 3)
		again, err := json.Marshal(resp)
		require.NoError(t, err)
		assert.JSONEq(t, string(respBody), string(again))
	})
}

func TestSpecExamplesArePageExamples(t *testing.T) {
	page := readPage(t)
	reqExample := pageExample(t, page, "Example Requests")
	_, _, reqBody, err := reqExample.Request()
	require.NoError(t, err)
	respExample := pageExample(t, page, "Example Responses")

	for name, doc := range specs(t) {
		t.Run(name, func(t *testing.T) {
			op := doc.Paths.Value("/v3/{project_id}/checkpoints/replicate").Post
			require.NotNil(t, op)

			require.NotNil(t, op.RequestBody, "the operation has no request body")
			reqMedia := op.RequestBody.Value.Content.Get("application/json")
			require.NotNil(t, reqMedia, "the request body has no application/json content")
			reqExamples := reqMedia.Examples
			require.Len(t, reqExamples, 1)
			for _, ex := range reqExamples {
				assert.Equal(t, "#/components/examples/ReplicatingBackupsRequest", ex.Ref)
				assert.Equal(t, reqExample.Label, ex.Value.Summary)
				assert.JSONEq(t, string(reqBody), mustJSON(t, ex.Value.Value))
			}
			assert.Same(t, doc.Components.Examples["ReplicatingBackupsRequest"].Value, reqExamples["ReplicatingBackups"].Value)

			resp := op.Responses.Status(respExample.Status)
			require.NotNil(t, resp)
			respMedia := resp.Value.Content.Get("application/json")
			require.NotNil(t, respMedia, "response %d has no application/json content", respExample.Status)
			respExamples := respMedia.Examples
			require.Len(t, respExamples, 1)
			for _, ex := range respExamples {
				assert.Equal(t, "#/components/examples/ReplicatingBackupsResponse", ex.Ref)
				assert.Equal(t, respExample.Label, ex.Value.Summary)
				assert.JSONEq(t, respExample.Text, mustJSON(t, ex.Value.Value))
			}
		})
	}
}

// TestDocumentedErrorExamplesValidate sends every example of every error
// response of the spec (from cbr-facts.md) back through the response
// validator under its own status, and through cbr.CBRError.
func TestDocumentedErrorExamplesValidate(t *testing.T) {
	page := readPage(t)
	method, path, reqBody, err := pageExample(t, page, "Example Requests").Request()
	require.NoError(t, err)
	f := newFilter(t, loadSpec(t, specYAML(t)))
	in, err := f.validateRequest(t, newRequest(method, path, "application/json", reqBody))
	require.NoError(t, err)

	seen := map[string]int{}
	for _, code := range in.Route.Operation.Responses.Keys() {
		if code == "200" {
			continue
		}
		status := representativeStatus(t, code)
		media := in.Route.Operation.Responses.Value(code).Value.Content.Get("application/json")
		if !assert.NotNil(t, media, "response %s has no application/json content: every status but 200 documents the CBR error body", code) {
			continue
		}
		for name, ex := range media.Examples {
			t.Run(code+" "+name, func(t *testing.T) {
				body := mustJSON(t, ex.Value.Value)
				require.NoError(t, f.validateResponse(in, status, "application/json", []byte(body)))

				var cbrErr cbr.CBRError
				strictDecode(t, []byte(body), &cbrErr)
				assert.Regexp(t, `^BackupService\.\d{4}$`, cbrErr.ErrorCode)
				assert.NotEmpty(t, cbrErr.ErrorMsg)
				again, err := json.Marshal(cbrErr)
				require.NoError(t, err)
				assert.JSONEq(t, body, string(again))
			})
			seen[code]++
		}
	}
	for _, code := range []string{"400", "401", "403", "404", "500", "4XX", "5XX"} {
		assert.NotZero(t, seen[code], "no example for status %s", code)
	}
	assert.Equal(t, 10, seen["400"], "the ten 400 codes of cbr-facts.md")
	assert.Equal(t, 4, seen["500"], "the four 500 codes of cbr-facts.md")
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
