package cbrtest_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/cbr-replicate/cbr-replicate/cbrtest"
	"github.com/cbr-replicate/cbr-replicate/gen/cbr"
)

// A test calls the fake as an http.Handler with httptest.NewRecorder: the
// default world replicates the page example's vault.
func ExampleNew() {
	f, err := cbrtest.New()
	if err != nil {
		panic(err)
	}
	r := httptest.NewRequest(http.MethodPost, "/v3/f841e01fd2b14e7fa41b6ae7aa6b0594/checkpoints/replicate",
		strings.NewReader(`{"replicate":{"destination_project_id":"68589cac08274b82b4e254268a3862d8",`+
			`"destination_region":"region2","destination_vault_id":"0ca3eb86-8800-46da-9c37-9d657a825274",`+
			`"vault_id":"3b5816b5-f29c-4172-9d9a-76c719a659ce"}}`))
	r.Header.Set("Content-Type", "application/json")
	r.Header.Set("X-Auth-Token", "a-user-token")

	w := httptest.NewRecorder()
	f.ServeHTTP(w, r)
	var resp cbr.CheckpointReplicateResp
	if err := json.Unmarshal(w.Body.Bytes(), &resp); err != nil {
		panic(err)
	}
	rep := resp.Replication
	fmt.Println(w.Code, rep.ProjectId, rep.SourceRegion, "->", rep.DestinationRegion, len(rep.Backups), "backups")
	fmt.Println(len(f.Requests()), "request recorded, token", f.Requests()[0].Header.Get("X-Auth-Token"))
	// Output:
	// 200 f841e01fd2b14e7fa41b6ae7aa6b0594 eu-de -> region2 3 backups
	// 1 request recorded, token [REDACTED]
}

// A request asks for an outcome with a Prefer header, as with Stoplight
// Prism: the status and the spec's example for it.
func ExampleNew_prefer() {
	f, err := cbrtest.New()
	if err != nil {
		panic(err)
	}
	r := httptest.NewRequest(http.MethodPost, "/v3/f841e01fd2b14e7fa41b6ae7aa6b0594/checkpoints/replicate",
		strings.NewReader(`{"replicate":{"destination_project_id":"p","destination_region":"eu-de",`+
			`"destination_vault_id":"v","vault_id":"3b5816b5-f29c-4172-9d9a-76c719a659ce"}}`))
	r.Header.Set("Content-Type", "application/json")
	r.Header.Set("X-Auth-Token", "a-user-token")
	r.Header.Set("Prefer", "code=400, example=DestinationVaultNotFound")

	w := httptest.NewRecorder()
	f.ServeHTTP(w, r)
	var e cbr.CBRError
	if err := json.Unmarshal(w.Body.Bytes(), &e); err != nil {
		panic(err)
	}
	fmt.Println(w.Code, e.ErrorCode, e.ErrorMsg)
	// Output:
	// 400 BackupService.6120 The destination vault does not exist.
}

// A test starts the fake on loopback, points the client under test at it
// and checks both the answer and what the fake received.
func ExampleNewServer() {
	s, err := cbrtest.NewServer(cbrtest.WithSourceRegion("eu-nl"))
	if err != nil {
		panic(err)
	}
	defer s.Close()

	client, err := cbr.NewClientWithResponses(s.URL, cbr.WithHTTPClient(s.Client()))
	if err != nil {
		panic(err)
	}
	body := cbr.CheckpointReplicateReq{Replicate: cbr.CheckpointReplicateParam{
		DestinationProjectId: "68589cac08274b82b4e254268a3862d8",
		DestinationRegion:    "region2",
		DestinationVaultId:   "0ca3eb86-8800-46da-9c37-9d657a825274",
		VaultId:              "3b5816b5-f29c-4172-9d9a-76c719a659ce",
	}}
	resp, err := client.CopyCheckpointWithResponse(context.Background(), "f841e01fd2b14e7fa41b6ae7aa6b0594", body,
		func(_ context.Context, r *http.Request) error {
			r.Header.Set("X-Auth-Token", "a-user-token")
			return nil
		})
	if err != nil {
		panic(err)
	}
	rep := resp.JSON200.Replication
	fmt.Println(resp.StatusCode(), rep.SourceRegion, "->", rep.DestinationRegion, len(rep.Backups), "backups")

	got := s.Requests()[0]
	var sent cbr.CheckpointReplicateReq
	if err := got.Decode(&sent); err != nil {
		panic(err)
	}
	fmt.Println(got.OperationID, got.ProjectID(), sent.Replicate.VaultId, got.Header.Get("X-Auth-Token"))
	// Output:
	// 200 eu-nl -> region2 3 backups
	// CopyCheckpoint f841e01fd2b14e7fa41b6ae7aa6b0594 3b5816b5-f29c-4172-9d9a-76c719a659ce [REDACTED]
}

// WithResponse makes every valid request fail the same way, to test how a
// client reports an error.
func ExampleWithResponse() {
	s, err := cbrtest.NewServer(cbrtest.WithResponse(http.StatusNotFound))
	if err != nil {
		panic(err)
	}
	defer s.Close()

	req, err := http.NewRequest(http.MethodPost, s.URL+"/v3/f841e01fd2b14e7fa41b6ae7aa6b0594/checkpoints/replicate",
		strings.NewReader(`{"replicate":{"destination_project_id":"p","destination_region":"eu-de",`+
			`"destination_vault_id":"v","vault_id":"3b5816b5-f29c-4172-9d9a-76c719a659ce"}}`))
	if err != nil {
		panic(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Auth-Token", "a-user-token")
	resp, err := s.Client().Do(req)
	if err != nil {
		panic(err)
	}
	defer resp.Body.Close()
	var e cbr.CBRError
	if err := json.NewDecoder(resp.Body).Decode(&e); err != nil {
		panic(err)
	}
	fmt.Println(resp.StatusCode, e.ErrorCode, e.ErrorMsg)
	// Output:
	// 404 BackupService.6105 The vault does not exist.
}
