package client_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"

	"github.com/cbr-replicate/cbr-replicate/client"
	"github.com/cbr-replicate/cbr-replicate/gen/cbr"
)

// A stand-in for CBR that answers like the page's example; a real program
// sets Options.Region ("eu-de", "eu-nl") instead of Endpoint.
func newExampleServer() *httptest.Server {
	return httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		var req cbr.CheckpointReplicateReq
		_ = json.Unmarshal(body, &req)
		if req.Replicate.DestinationVaultId == "00000000-0000-0000-0000-000000000000" {
			w.Header().Set("Content-Type", "application/json")
			w.Header().Set("X-Request-Id", "d6a9f0c1")
			w.WriteHeader(http.StatusBadRequest)
			_, _ = io.WriteString(w, `{"error_code":"BackupService.6120","error_msg":"Destination vault does not exist."}`)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(cbr.CheckpointReplicateResp{Replication: &cbr.CheckpointReplicateRespBody{
			VaultId:            req.Replicate.VaultId,
			DestinationRegion:  req.Replicate.DestinationRegion,
			DestinationVaultId: req.Replicate.DestinationVaultId,
			Backups: []cbr.CheckpointReplicateRespbackups{{
				BackupId:            "7558e1a3-7046-4787-95cd-14b0ad0642a8",
				ReplicationRecordId: "de128dfa-5451-4905-9c11-8fc842b2f41e",
			}},
		}})
	}))
}

func Example() {
	srv := newExampleServer()
	defer srv.Close()

	c, err := client.New(client.Options{
		Endpoint:  srv.URL, // or Region: "eu-de"
		ProjectID: "f841e01fd2b14e7fa41b6ae7aa6b0594",
		Token:     client.StaticToken("MIIZ...token from IAM"),
		UserAgent: "example/1.0",
	})
	if err != nil {
		fmt.Println(err)
		return
	}

	out, err := c.Replicate(context.Background(), cbr.CheckpointReplicateParam{
		VaultId:              "3b5816b5-f29c-4172-9d9a-76c719a659ce",
		DestinationProjectId: "68589cac08274b82b4e254268a3862d8",
		DestinationRegion:    "eu-nl",
		DestinationVaultId:   "0ca3eb86-8800-46da-9c37-9d657a825274",
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, b := range out.Backups {
		fmt.Printf("backup %s: replication record %s\n", b.BackupId, b.ReplicationRecordId)
	}

	// A documented error code comes back as *APIError, in plain words.
	_, err = c.Replicate(context.Background(), cbr.CheckpointReplicateParam{
		VaultId:              "3b5816b5-f29c-4172-9d9a-76c719a659ce",
		DestinationProjectId: "68589cac08274b82b4e254268a3862d8",
		DestinationRegion:    "eu-nl",
		DestinationVaultId:   "00000000-0000-0000-0000-000000000000",
	})
	var apiErr *client.APIError
	if errors.As(err, &apiErr) {
		fmt.Println(apiErr.StatusCode, apiErr.Code, client.IsCode(err, "6120"))
		fmt.Println(err)
	}
	// Output:
	// backup 7558e1a3-7046-4787-95cd-14b0ad0642a8: replication record de128dfa-5451-4905-9c11-8fc842b2f41e
	// 400 BackupService.6120 true
	// client: CBR answered 400 Bad Request: BackupService.6120: the destination vault does not exist (check destination_vault_id and destination_region); service says "Destination vault does not exist." [X-Request-Id d6a9f0c1]
}

// NewRequest builds the request, validated and ready to send, without
// sending it: a dry run prints it, a caller may add a header, and Do sends
// it once.
func ExampleClient_NewRequest() {
	srv := newExampleServer()
	defer srv.Close()
	c, err := client.New(client.Options{
		Endpoint:  srv.URL,
		ProjectID: "f841e01fd2b14e7fa41b6ae7aa6b0594",
		Token:     client.StaticToken("MIIZ...token from IAM"),
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	req, err := c.NewReplicateRequest(context.Background(), cbr.CheckpointReplicateParam{
		VaultId:              "3b5816b5-f29c-4172-9d9a-76c719a659ce",
		DestinationProjectId: "68589cac08274b82b4e254268a3862d8",
		DestinationRegion:    "eu-nl",
		DestinationVaultId:   "0ca3eb86-8800-46da-9c37-9d657a825274",
	})
	if err != nil {
		fmt.Println(err) // an invalid request: every violation, nothing sent
		return
	}
	fmt.Println(req.Method, req.URL.Path)
	var out cbr.CheckpointReplicateResp
	if _, err := c.Do(context.Background(), req, &out); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(len(out.Replication.Backups), "backup(s) to replicate")
	// Output:
	// POST /v3/f841e01fd2b14e7fa41b6ae7aa6b0594/checkpoints/replicate
	// 1 backup(s) to replicate
}
