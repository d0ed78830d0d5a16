package client

import (
	"context"
	"errors"
	"io"
	"net/http"

	"github.com/cbr-replicate/cbr-replicate/gen/cbr"
	"github.com/cbr-replicate/cbr-replicate/openapi"
)

// Replicate replicates every backup of the vault p.VaultId into the vault
// p.DestinationVaultId of another region (CopyCheckpoint, POST
// /v3/{project_id}/checkpoints/replicate, "Replicating a Restore Point")
// and returns CBR's answer: the backups to be replicated and their
// replication record IDs. The request is sent at most once (once more only
// after a 401, see Do); an error after it was written says that the
// replication may have started.
func (c *Client) Replicate(ctx context.Context, p cbr.CheckpointReplicateParam) (*cbr.CheckpointReplicateRespBody, error) {
	req, err := c.NewReplicateRequest(ctx, p)
	if err != nil {
		return nil, err
	}
	var out cbr.CheckpointReplicateResp
	resp, err := c.Do(ctx, req, &out)
	switch {
	case err != nil:
		return nil, err
	case out.Replication == nil:
		body, _ := io.ReadAll(resp.Body)
		op, _ := openapi.Lookup("CopyCheckpoint")
		return nil, newDecodeError(op, resp, body, errors.New(`the body has no "replication" object`))
	}
	return out.Replication, nil
}

// NewReplicateRequest is the request Replicate sends, built by NewRequest
// and sent by nothing: for a dry run, or to send with Do.
func (c *Client) NewReplicateRequest(ctx context.Context, p cbr.CheckpointReplicateParam) (*http.Request, error) {
	return c.NewRequest(ctx, cbr.CheckpointReplicateReq{Replicate: p}, func(server, project string, body io.Reader) (*http.Request, error) {
		return cbr.NewCopyCheckpointRequestWithBody(server, project, "application/json", body)
	})
}

// ShowReplicationCapabilities returns the regions the current region (the
// client's endpoint) replicates to (GET /v3/{project_id}/replication-capabilities,
// "Querying the Replication Capability").
func (c *Client) ShowReplicationCapabilities(ctx context.Context) (*cbr.ShowReplicationCapabilitiesResp, error) {
	return get[cbr.ShowReplicationCapabilitiesResp](ctx, c, func(server, project string, _ io.Reader) (*http.Request, error) {
		return cbr.NewShowReplicationCapabilitiesRequest(server, project)
	})
}

// ShowVault returns the vault vaultID of the client's project (GET
// /v3/{project_id}/vaults/{vault_id}, "Querying a Specified Vault"); a vault
// that does not exist is an *APIError with status 404.
func (c *Client) ShowVault(ctx context.Context, vaultID string) (*cbr.Vault, error) {
	out, err := get[cbr.ShowVaultResp](ctx, c, func(server, project string, _ io.Reader) (*http.Request, error) {
		return cbr.NewShowVaultRequest(server, project, vaultID)
	})
	if err != nil {
		return nil, err
	}
	return out.Vault, nil
}

// ListBackups returns the backups params selects (GET
// /v3/{project_id}/backups, "Querying All Backups"); params nil lists all.
func (c *Client) ListBackups(ctx context.Context, params *cbr.ListBackupsParams) (*cbr.ListBackupsResp, error) {
	return get[cbr.ListBackupsResp](ctx, c, func(server, project string, _ io.Reader) (*http.Request, error) {
		return cbr.NewListBackupsRequest(server, project, params)
	})
}

// get sends the request of an operation without a body, built by build,
// and returns its answer decoded into a T.
func get[T any](ctx context.Context, c *Client, build Builder) (*T, error) {
	req, err := c.NewRequest(ctx, nil, build)
	if err != nil {
		return nil, err
	}
	out := new(T)
	if _, err := c.Do(ctx, req, out); err != nil {
		return nil, err
	}
	return out, nil
}
