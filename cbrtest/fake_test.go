package cbrtest_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cbr-replicate/cbr-replicate/cbrtest"
	"github.com/cbr-replicate/cbr-replicate/gen/cbr"
)

// withToken is a request editor of the generated client that sets the token.
func withToken(token string) cbr.RequestEditorFn {
	return func(_ context.Context, r *http.Request) error {
		r.Header.Set("X-Auth-Token", token)
		return nil
	}
}

func TestServer_ValidRequestWithGeneratedClient(t *testing.T) {
	s := newServer(t)
	defer s.Close()
	client, err := cbr.NewClientWithResponses(s.URL, cbr.WithHTTPClient(s.Client()))
	require.NoError(t, err)

	param := pageParam()
	resp, err := client.CopyCheckpointWithResponse(context.Background(), pageProjectID,
		cbr.CheckpointReplicateReq{Replicate: param}, withToken(testToken))
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, resp.StatusCode(), "body %s", resp.Body)
	checkAnswer(t, answer{status: resp.StatusCode(), header: resp.HTTPResponse.Header, body: resp.Body})

	require.NotNil(t, resp.JSON200)
	require.NotNil(t, resp.JSON200.Replication)
	got := resp.JSON200.Replication
	assert.Equal(t, param.VaultId, got.VaultId)
	assert.Equal(t, param.DestinationProjectId, got.DestinationProjectId)
	assert.Equal(t, param.DestinationRegion, got.DestinationRegion)
	assert.Equal(t, param.DestinationVaultId, got.DestinationVaultId)
	assert.Equal(t, pageProjectID, got.ProjectId)
	assert.Equal(t, cbrtest.DefaultSourceRegion, got.SourceRegion)
	assert.Equal(t, cbrtest.ProviderID, got.ProviderId)
	require.Len(t, got.Backups, cbrtest.DefaultBackups)
	seen := map[string]bool{}
	for _, b := range got.Backups {
		for id, version := range map[string]uuid.Version{b.BackupId: 5, b.ReplicationRecordId: 4} {
			u, err := uuid.Parse(id)
			require.NoError(t, err, "id %q", id)
			assert.Equal(t, version, u.Version(), "id %q: backup IDs are derived from the vault, record IDs random", id)
			assert.False(t, seen[id], "id %q repeated", id)
			seen[id] = true
		}
	}
}

func TestFake_ValidRequest(t *testing.T) {
	tests := []struct {
		name        string
		opts        []cbrtest.Option
		body        string
		wantRegion  string
		wantBackups int
	}{
		{name: "page example request", body: pageRequest(t), wantRegion: "eu-de", wantBackups: 3},
		{name: "source region from option", opts: []cbrtest.Option{cbrtest.WithSourceRegion("eu-nl")},
			body: pageRequest(t), wantRegion: "eu-nl", wantBackups: 3},
		{name: "only the mandatory fields, any destination project",
			body: `{"replicate":{"destination_project_id":"p2","destination_region":"region2",` +
				`"destination_vault_id":"0ca3eb86-8800-46da-9c37-9d657a825274","vault_id":"3b5816b5-f29c-4172-9d9a-76c719a659ce"}}`,
			wantRegion: "eu-de", wantBackups: 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFake(t, tt.opts...)
			a := serve(t, f, newRequest(http.MethodPost, replicatePath, tt.body))
			require.Equal(t, http.StatusOK, a.status, "body %s", a.body)

			var req cbr.CheckpointReplicateReq
			require.NoError(t, json.Unmarshal([]byte(tt.body), &req))
			var resp cbr.CheckpointReplicateResp
			require.NoError(t, json.Unmarshal(a.body, &resp))
			require.NotNil(t, resp.Replication)
			got := resp.Replication
			assert.Equal(t, req.Replicate.VaultId, got.VaultId)
			assert.Equal(t, req.Replicate.DestinationProjectId, got.DestinationProjectId)
			assert.Equal(t, req.Replicate.DestinationRegion, got.DestinationRegion)
			assert.Equal(t, req.Replicate.DestinationVaultId, got.DestinationVaultId)
			assert.Equal(t, pageProjectID, got.ProjectId)
			assert.Equal(t, tt.wantRegion, got.SourceRegion)
			assert.Len(t, got.Backups, tt.wantBackups)
		})
	}
}

func TestFake_StableBackupIDsFreshRecordIDsPerAnswer(t *testing.T) {
	f := newFake(t)
	a1 := serve(t, f, newRequest(http.MethodPost, replicatePath, pageRequest(t)))
	a2 := serve(t, f, newRequest(http.MethodPost, replicatePath, pageRequest(t)))
	assert.NotEqual(t, a1.header.Get("X-Request-Id"), a2.header.Get("X-Request-Id"))
	var r1, r2 cbr.CheckpointReplicateResp
	require.NoError(t, json.Unmarshal(a1.body, &r1))
	require.NoError(t, json.Unmarshal(a2.body, &r2))
	assert.Equal(t, r1.Replication.Backups[0].BackupId, r2.Replication.Backups[0].BackupId)
	assert.NotEqual(t, r1.Replication.Backups[0].ReplicationRecordId, r2.Replication.Backups[0].ReplicationRecordId)
}

// TestFake_ValidRequestsReachTheWorld: a request at the page's bounds
// passes validation and is judged by the world (which knows no such
// region: 1005), not refused with 9900.
func TestFake_ValidRequestsReachTheWorld(t *testing.T) {
	for name, region := range map[string]string{
		"destination_region of exactly 255 characters":       strings.Repeat("r", 255),
		"empty destination_region (the page's minimum is 0)": "",
	} {
		t.Run(name, func(t *testing.T) {
			body := `{"replicate":{"destination_project_id":"p2","destination_region":"` + region +
				`","destination_vault_id":"v2","vault_id":"3b5816b5-f29c-4172-9d9a-76c719a659ce"}}`
			a := serve(t, newFake(t), newRequest(http.MethodPost, replicatePath, body))
			require.Equal(t, http.StatusInternalServerError, a.status, "body %s", a.body)
			assert.Equal(t, "BackupService.1005", cbrError(t, a.body).ErrorCode)
		})
	}
}

func TestFake_InvalidRequest(t *testing.T) {
	const vault = `"vault_id":"3b5816b5-f29c-4172-9d9a-76c719a659ce"`
	const rest = `"destination_project_id":"p2","destination_region":"eu-nl","destination_vault_id":"v2"`
	tests := []struct {
		name string
		body string
		ct   string
		want []string // "<pointer>: <rule>" each in error_msg
	}{
		{name: "destination_region longer than 255 characters",
			body: `{"replicate":{` + vault + `,"destination_project_id":"p2","destination_vault_id":"v2","destination_region":"` +
				strings.Repeat("r", 256) + `"}}`,
			want: []string{"/replicate/destination_region: maxLength"}},
		{name: "vault_id not a UUID", body: `{"replicate":{"vault_id":"vault-1",` + rest + `}}`,
			want: []string{"/replicate/vault_id: format"}},
		{name: "replicate missing", body: `{}`, want: []string{"/replicate: required"}},
		{name: "every mandatory field of replicate missing", body: `{"replicate":{}}`,
			want: []string{"/replicate/destination_project_id: required", "/replicate/destination_region: required",
				"/replicate/destination_vault_id: required", "/replicate/vault_id: required"}},
		{name: "unknown field in replicate", body: `{"replicate":{` + vault + `,` + rest + `,"priority":1}}`,
			want: []string{"/replicate/priority: additionalProperties"}},
		{name: "key differing from vault_id only in case",
			body: `{"replicate":{` + vault + `,` + rest + `,"VAULT_ID":"not-a-uuid"}}`,
			want: []string{"/replicate/VAULT_ID: additionalProperties"}},
		{name: "auto_trigger not a boolean", body: `{"replicate":{` + vault + `,` + rest + `,"auto_trigger":"false"}}`,
			want: []string{"/replicate/auto_trigger: type"}},
		{name: "body wrapped in checkpoint as a peer SDK does", body: `{"checkpoint":{"replicate":{` + vault + `,` + rest + `}}}`,
			want: []string{"/checkpoint: additionalProperties", "/replicate: required"}},
		{name: "body not JSON", body: `replicate=1`, want: []string{"body: json"}},
		{name: "body empty", body: ``, want: []string{"body: required"}},
		{name: "Content-Type not JSON", body: `{"replicate":{` + vault + `,` + rest + `}}`, ct: "text/plain",
			want: []string{"/Content-Type: contentType"}},
		{name: "several violations reported at once",
			body: `{"replicate":{"vault_id":"x","destination_region":5,"auto_trigger":"no","x":1}}`,
			want: []string{"/replicate/vault_id: format", "/replicate/destination_region: type",
				"/replicate/auto_trigger: type", "/replicate/x: additionalProperties",
				"/replicate/destination_project_id: required", "/replicate/destination_vault_id: required"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFake(t)
			hdr := []string{}
			if tt.ct != "" {
				hdr = []string{"Content-Type", "-", "Content-Type", tt.ct}
			}
			a := serve(t, f, newRequest(http.MethodPost, replicatePath, tt.body, hdr...))
			require.Equal(t, http.StatusBadRequest, a.status, "body %s", a.body)
			e := cbrError(t, a.body)
			assert.Equal(t, "BackupService.9900", e.ErrorCode)
			for _, w := range tt.want {
				assert.Contains(t, e.ErrorMsg, w)
			}
			assert.Empty(t, f.Requests(), "a rejected request is not recorded")
			assert.Equal(t, 1, f.Received())
		})
	}
}

func TestFake_Authentication(t *testing.T) {
	tests := []struct {
		name       string
		opts       []cbrtest.Option
		header     []string
		body       string
		wantStatus int
	}{
		{name: "X-Auth-Token missing", header: []string{"X-Auth-Token", "-"}, wantStatus: http.StatusForbidden},
		{name: "X-Auth-Token empty", header: []string{"X-Auth-Token", "-", "X-Auth-Token", ""}, wantStatus: http.StatusForbidden},
		{name: "X-Auth-Token missing and body invalid", header: []string{"X-Auth-Token", "-"}, body: `{}`,
			wantStatus: http.StatusForbidden},
		{name: "X-Auth-Token missing while a code is preferred",
			header: []string{"X-Auth-Token", "-", "Prefer", "code=200"}, wantStatus: http.StatusForbidden},
		{name: "X-Auth-Token other than the one of WithToken", opts: []cbrtest.Option{cbrtest.WithToken("the-right-one")},
			wantStatus: http.StatusForbidden},
		{name: "X-Auth-Token other than the one of WithToken while a code is preferred",
			opts: []cbrtest.Option{cbrtest.WithToken("the-right-one")}, header: []string{"Prefer", "code=200"},
			wantStatus: http.StatusForbidden},
		{name: "X-Auth-Token the one of WithToken", opts: []cbrtest.Option{cbrtest.WithToken(testToken)},
			wantStatus: http.StatusOK},
		{name: "any X-Auth-Token without WithToken", header: []string{"X-Auth-Token", "-", "X-Auth-Token", "x"},
			wantStatus: http.StatusOK},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFake(t, tt.opts...)
			body := tt.body
			if body == "" {
				body = pageRequest(t)
			}
			a := serve(t, f, newRequest(http.MethodPost, replicatePath, body, tt.header...))
			require.Equal(t, tt.wantStatus, a.status, "body %s", a.body)
			if tt.wantStatus == http.StatusForbidden {
				assert.Equal(t, "BackupService.8600", cbrError(t, a.body).ErrorCode)
				assert.NotContains(t, string(a.body), "the-right-one")
				assert.NotContains(t, string(a.body), testToken)
				assert.Empty(t, f.Requests(), "a rejected request is not recorded")
			}
		})
	}
}

func TestFake_WithTokenNeverPrintsTheToken(t *testing.T) {
	s := newServer(t, cbrtest.WithToken(testToken))
	defer s.Close()
	for _, v := range []any{s, s.Fake} {
		for _, verb := range []string{"%v", "%+v", "%#v"} {
			assert.NotContains(t, fmt.Sprintf(verb, v), testToken, "%T printed with %s", v, verb)
		}
	}
}

func TestFake_Routes(t *testing.T) {
	tests := []struct {
		name       string
		method     string
		target     string
		wantStatus int
	}{
		{name: "root path", method: http.MethodPost, target: "/", wantStatus: http.StatusNotFound},
		{name: "path without replicate", method: http.MethodPost, target: "/v3/" + pageProjectID + "/checkpoints",
			wantStatus: http.StatusNotFound},
		{name: "path with an extra segment", method: http.MethodPost, target: replicatePath + "/now",
			wantStatus: http.StatusNotFound},
		{name: "path of API version v2", method: http.MethodPost,
			target: "/v2/" + pageProjectID + "/checkpoints/replicate", wantStatus: http.StatusNotFound},
		{name: "path with an empty project_id", method: http.MethodPost, target: "/v3//checkpoints/replicate",
			wantStatus: http.StatusNotFound},
		{name: "path with a dot-dot segment", method: http.MethodPost,
			target: "/v3/x/../" + pageProjectID + "/checkpoints/replicate", wantStatus: http.StatusNotFound},
		{name: "GET on the operation's path", method: http.MethodGet, target: replicatePath,
			wantStatus: http.StatusMethodNotAllowed},
		{name: "PUT on the operation's path", method: http.MethodPut, target: replicatePath,
			wantStatus: http.StatusMethodNotAllowed},
		{name: "DELETE on the operation's path", method: http.MethodDelete, target: replicatePath,
			wantStatus: http.StatusMethodNotAllowed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFake(t)
			a := serve(t, f, newRequest(tt.method, tt.target, pageRequest(t), "Prefer", "code=200"))
			require.Equal(t, tt.wantStatus, a.status, "body %s", a.body)
			assert.Equal(t, "BackupService.9900", cbrError(t, a.body).ErrorCode)
			if tt.wantStatus == http.StatusMethodNotAllowed {
				assert.Equal(t, http.MethodPost, a.header.Get("Allow"))
			}
			assert.Empty(t, f.Requests())
		})
	}
}

func TestFake_BodyLimit(t *testing.T) {
	// validBodyOf returns a valid request body of exactly n bytes.
	validBodyOf := func(n int64) string {
		head := `{"replicate":{"vault_id":"3b5816b5-f29c-4172-9d9a-76c719a659ce","destination_region":"region2",` +
			`"destination_vault_id":"0ca3eb86-8800-46da-9c37-9d657a825274","destination_project_id":"`
		tail := `"}}`
		return head + strings.Repeat("p", int(n)-len(head)-len(tail)) + tail
	}
	tests := []struct {
		name       string
		body       string
		chunked    bool // no Content-Length: the limit hits while reading
		wantStatus int
	}{
		{name: "body of exactly 1 MiB accepted", body: validBodyOf(cbrtest.MaxBodyBytes), wantStatus: http.StatusOK},
		{name: "body of 1 MiB + 1 with Content-Length", body: validBodyOf(cbrtest.MaxBodyBytes + 1),
			wantStatus: http.StatusRequestEntityTooLarge},
		{name: "body of 1 MiB + 1 chunked", body: validBodyOf(cbrtest.MaxBodyBytes + 1), chunked: true,
			wantStatus: http.StatusRequestEntityTooLarge},
		{name: "body of 8 MiB chunked", body: validBodyOf(8 << 20), chunked: true,
			wantStatus: http.StatusRequestEntityTooLarge},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFake(t)
			r := newRequest(http.MethodPost, replicatePath, tt.body)
			if tt.chunked {
				r.ContentLength = -1
				r.Body = io.NopCloser(strings.NewReader(tt.body)) // hide the length
			}
			a := serve(t, f, r)
			require.Equal(t, tt.wantStatus, a.status, "body %.200s", a.body)
			if tt.wantStatus == http.StatusRequestEntityTooLarge {
				assert.Equal(t, "BackupService.9900", cbrError(t, a.body).ErrorCode)
				assert.Empty(t, f.Requests())
			}
		})
	}
}

func TestServer_BodyLimitOverLoopback(t *testing.T) {
	s := newServer(t)
	defer s.Close()
	for _, size := range []int64{cbrtest.MaxBodyBytes + 1, 4 << 20} {
		body := bytes.Repeat([]byte("x"), int(size))
		req, err := http.NewRequest(http.MethodPost, s.URL+replicatePath, bytes.NewReader(body))
		require.NoError(t, err)
		req.Header.Set("X-Auth-Token", testToken)
		req.Header.Set("Content-Type", "application/json")
		resp, err := s.Client().Do(req)
		require.NoError(t, err)
		got, err := io.ReadAll(resp.Body)
		require.NoError(t, err)
		require.NoError(t, resp.Body.Close())
		require.Equal(t, http.StatusRequestEntityTooLarge, resp.StatusCode, "body %s", got)
		checkAnswer(t, answer{status: resp.StatusCode, header: resp.Header, body: got})
	}
}

func TestFake_BareHandlerWithoutBody(t *testing.T) {
	f := newFake(t)
	r := httptest.NewRequest(http.MethodPost, replicatePath, nil)
	r.Body = nil // a hand-made request may have none
	r.Header.Set("X-Auth-Token", testToken)
	r.Header.Set("Content-Type", "application/json")
	a := serve(t, f, r)
	require.Equal(t, http.StatusBadRequest, a.status)
}
