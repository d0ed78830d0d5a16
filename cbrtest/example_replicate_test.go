package cbrtest_test

import (
	"context"
	"errors"
	"fmt"

	"github.com/cbr-replicate/cbr-replicate/cbrtest"
	"github.com/cbr-replicate/cbr-replicate/client"
	"github.com/cbr-replicate/cbr-replicate/gen/cbr"
)

// The fake stands in for CBR in a test of code that uses package replicate:
// point Options.Endpoint at it, then check the answer, a forced error and
// what the fake received.
func ExampleNewServer_replicateClient() {
	s, err := cbrtest.NewServer()
	if err != nil {
		panic(err)
	}
	defer s.Close()

	c, err := client.New(client.Options{
		Endpoint:   s.URL, // in production: Region: "eu-de"
		ProjectID:  "f841e01fd2b14e7fa41b6ae7aa6b0594",
		Token:      client.StaticToken("a-user-token"),
		HTTPClient: s.Client(),
	})
	if err != nil {
		panic(err)
	}
	param := cbr.CheckpointReplicateParam{
		VaultId:              "3b5816b5-f29c-4172-9d9a-76c719a659ce",
		DestinationProjectId: "68589cac08274b82b4e254268a3862d8",
		DestinationRegion:    "region2",
		DestinationVaultId:   "0ca3eb86-8800-46da-9c37-9d657a825274",
	}
	out, err := c.Replicate(context.Background(), param)
	if err != nil {
		panic(err)
	}
	fmt.Println(out.SourceRegion, "->", out.DestinationRegion, len(out.Backups), "backups")
	fmt.Println(s.Requests()[0].Header.Get("X-Auth-Token"))

	// A server forced to answer 404 with the spec's example for it.
	missing, err := cbrtest.NewServer(cbrtest.WithResponse(404))
	if err != nil {
		panic(err)
	}
	defer missing.Close()
	c, err = client.New(client.Options{
		Endpoint:   missing.URL,
		ProjectID:  "f841e01fd2b14e7fa41b6ae7aa6b0594",
		Token:      client.StaticToken("a-user-token"),
		HTTPClient: missing.Client(),
	})
	if err != nil {
		panic(err)
	}
	_, err = c.Replicate(context.Background(), param)
	var apiErr *client.APIError
	if errors.As(err, &apiErr) {
		fmt.Println(apiErr.StatusCode, apiErr.Code, client.CodeMeaning(apiErr.Code))
	}
	// Output:
	// eu-de -> region2 3 backups
	// [REDACTED]
	// 404 BackupService.6105 the vault does not exist (check vault_id and the project)
}
