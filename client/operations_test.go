package client_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cbr-replicate/cbr-replicate/cbrtest"
	"github.com/cbr-replicate/cbr-replicate/client"
	"github.com/cbr-replicate/cbr-replicate/gen/cbr"
	"github.com/cbr-replicate/cbr-replicate/validate"
)

// fakeClient is a client of a cbrtest fake on loopback.
func fakeClient(t *testing.T, opts ...cbrtest.Option) (*client.Client, *cbrtest.Server) {
	t.Helper()
	srv, err := cbrtest.NewServer(opts...)
	require.NoError(t, err)
	t.Cleanup(srv.Close)
	c, err := client.New(client.Options{Endpoint: srv.URL, ProjectID: projectID, Token: client.StaticToken(testToken),
		HTTPClient: srv.Client(), ValidateResponses: true})
	require.NoError(t, err)
	return c, srv
}

func TestShowReplicationCapabilitiesThroughTheCore(t *testing.T) {
	c, srv := fakeClient(t)
	caps, err := c.ShowReplicationCapabilities(context.Background())
	require.NoError(t, err)
	require.Len(t, caps.Regions, 1, "the request's region, as the page's example shows one")
	assert.Equal(t, "eu-de", caps.Regions[0].Name)
	assert.Equal(t, []string{"eu-nl", "region2"}, caps.Regions[0].ReplicationDestinations, "cbrtest.DefaultWorld's")
	reqs := srv.Requests()
	require.Len(t, reqs, 1)
	assert.Equal(t, "ShowReplicationCapabilities", reqs[0].OperationID)
	assert.Equal(t, http.MethodGet, reqs[0].Method)
}

func TestShowVaultNotFoundIsAnAPIError(t *testing.T) {
	c, _ := fakeClient(t, cbrtest.WithResponse(http.StatusNotFound))
	_, err := c.ShowVault(context.Background(), "3b5816b5-f29c-4172-9d9a-76c719a659ce")
	assert.Equal(t, http.StatusNotFound, client.StatusCode(err))
	assert.True(t, client.IsCode(err, "6105"), "%v", err)
}

func TestListBackupsQueryIsValidatedBeforeSending(t *testing.T) {
	c, srv := fakeClient(t)
	zero := 0
	_, err := c.ListBackups(context.Background(), &cbr.ListBackupsParams{Limit: &zero})
	var verr *validate.Error
	require.ErrorAs(t, err, &verr, "the page's minimum of limit")
	assert.True(t, verr.Has("/limit", "minimum"), "%v", verr)
	assert.Zero(t, srv.Fake.Received(), "nothing was sent")

	vault := "3b5816b5-f29c-4172-9d9a-76c719a659ce"
	_, err = c.ListBackups(context.Background(), &cbr.ListBackupsParams{VaultId: &vault})
	require.NoError(t, err)
	assert.Contains(t, srv.Requests()[0].Path, "/backups")
}

func TestA401RenewsTheTokenOnceForAnyOperation(t *testing.T) {
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("X-Auth-Token") != "session-token-2" {
			answerJSON(http.StatusUnauthorized, []byte(`{"error_code":"BackupService.8600","error_msg":"Not authenticated."}`))(w, r)
			return
		}
		answerJSON(http.StatusOK, []byte(`{"regions":[{"name":"eu-de","replication_destinations":["eu-nl"]}]}`))(w, r)
	})
	src := &renewingSource{}
	c := newClient(t, srv.URL, withToken(src))
	caps, err := c.ShowReplicationCapabilities(context.Background())
	require.NoError(t, err)
	assert.Equal(t, "eu-de", caps.Regions[0].Name)
	assert.Equal(t, int64(2), srv.count.Load(), "sent once more, exactly once")
	assert.Equal(t, []string{"session-token-1"}, src.invalidated)
}
