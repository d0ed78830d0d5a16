package auth_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cbr-replicate/cbr-replicate/auth"
	"github.com/cbr-replicate/cbr-replicate/cbrtest"
	"github.com/cbr-replicate/cbr-replicate/client"
	"github.com/cbr-replicate/cbr-replicate/gen/cbr"
	"github.com/cbr-replicate/cbr-replicate/secret"
)

// e2ePassword is distinctive so that a leak would show in any output.
const e2ePassword = "e2e-Pa55w0rd-never-printed"

var e2eUser = cbrtest.IAMUser{Domain: "OTC00000000001000000123", Name: "backup-admin", Password: secret.New(e2ePassword), Project: "eu-de"}

// signedInClient signs in from a clouds.yaml whose auth_url is the fake's
// own IAM, and builds a replicate client from what the sign-in gives: the
// token source, the project ID of its scope and the CBR endpoint of its
// catalog.
func signedInClient(t *testing.T, srv *cbrtest.Server, password string) (*client.Client, error) {
	t.Helper()
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "clouds.yaml"), fmt.Appendf(nil, `clouds:
  test:
    auth:
      auth_url: %s/v3
      username: %s
      user_domain_name: %s
      project_name: %s
    region_name: eu-de
`, srv.URL, e2eUser.Name, e2eUser.Domain, e2eUser.Project), 0o600))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "secure.yaml"),
		fmt.Appendf(nil, "clouds:\n  test:\n    auth:\n      password: %s\n", password), 0o600))
	t.Setenv("OS_CLIENT_CONFIG_FILE", filepath.Join(dir, "clouds.yaml"))
	t.Setenv("OS_CLOUD", "")
	t.Setenv("OS_REGION_NAME", "")

	cfg, err := auth.FromCloud("test")
	require.NoError(t, err)
	s, err := auth.NewSession(cfg)
	require.NoError(t, err)
	ctx := t.Context()
	project, err := s.ProjectID(ctx)
	if err != nil {
		return nil, err
	}
	endpoint, err := s.Endpoint(ctx, "cbr", cfg.Region)
	require.NoError(t, err)
	require.Contains(t, []string{srv.RegionURL("eu-de") + "/v3/" + project, srv.RegionURL("eu-de")}, endpoint,
		"the catalog's cbr entry points at the fake itself, in the cloud's form or the bare one")
	return client.New(client.Options{Endpoint: endpoint, ProjectID: project, Token: s, HTTPClient: srv.Client()})
}

func pageParam() cbr.CheckpointReplicateParam {
	return cbr.CheckpointReplicateParam{VaultId: "3b5816b5-f29c-4172-9d9a-76c719a659ce", DestinationProjectId: "68589cac08274b82b4e254268a3862d8",
		DestinationRegion: "region2", DestinationVaultId: "0ca3eb86-8800-46da-9c37-9d657a825274"}
}

func TestEndToEnd_CloudsYAMLSignInThenReplicateAgainstTheFake(t *testing.T) {
	srv, err := cbrtest.NewServer(cbrtest.WithIAM(e2eUser))
	require.NoError(t, err)
	defer srv.Close()
	c, err := signedInClient(t, srv, e2ePassword)
	require.NoError(t, err)

	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			out, err := c.Replicate(context.Background(), pageParam())
			assert.NoError(t, err)
			if assert.NotNil(t, out) {
				assert.Equal(t, e2eUser.ProjectID(), out.ProjectId, "the project of the token's scope")
			}
		})
	}
	wg.Wait()
	assert.Equal(t, 1, srv.Fake.IAM().SignIns(), "one IAM request for many calls within a token's life")
	assert.Len(t, srv.Requests(), 8)
}

func TestEndToEnd_BothCatalogFormsReplicateWithOnePOST(t *testing.T) {
	for name, form := range map[string]cbrtest.IAMCatalogForm{
		"the cloud's form, <URL>/v3/<project_id>": cbrtest.IAMCatalogWithProject,
		"the bare form, <URL>":                    cbrtest.IAMCatalogBare,
	} {
		t.Run(name, func(t *testing.T) {
			srv, err := cbrtest.NewServer(cbrtest.WithIAM(e2eUser), cbrtest.WithIAMCatalog(form))
			require.NoError(t, err)
			defer srv.Close()
			c, err := signedInClient(t, srv, e2ePassword)
			require.NoError(t, err)
			_, err = c.Replicate(context.Background(), pageParam())
			require.NoError(t, err)
			reqs := srv.Requests()
			require.Len(t, reqs, 1)
			assert.Equal(t, "/v3/"+e2eUser.ProjectID()+"/checkpoints/replicate", reqs[0].Path)
		})
	}
}

func TestEndToEnd_ARevokedTokenIsRenewedOnceAfterA401(t *testing.T) {
	srv, err := cbrtest.NewServer(cbrtest.WithIAM(e2eUser))
	require.NoError(t, err)
	defer srv.Close()
	c, err := signedInClient(t, srv, e2ePassword)
	require.NoError(t, err)
	_, err = c.Replicate(context.Background(), pageParam())
	require.NoError(t, err)
	iam := srv.Fake.IAM()
	iam.RevokeAll()

	_, err = c.Replicate(context.Background(), pageParam())
	require.NoError(t, err, "the 401 renewed the token and the request was sent once more")
	assert.Equal(t, 2, iam.SignIns())
	assert.Len(t, srv.Requests(), 2, "two accepted")
	assert.Equal(t, 5, srv.Fake.Received(), "two sign-ins; to CBR one accepted, one refused with 401, one accepted")
}

func TestEndToEnd_AWrongPasswordSendsNothingToCBR(t *testing.T) {
	srv, err := cbrtest.NewServer(cbrtest.WithIAM(e2eUser))
	require.NoError(t, err)
	defer srv.Close()
	_, err = signedInClient(t, srv, "wrong-password-123")
	require.Error(t, err)
	var se *auth.SignInError
	require.ErrorAs(t, err, &se)
	assert.True(t, se.Refused)
	assert.Contains(t, err.Error(), srv.URL)
	assert.NotContains(t, err.Error(), "wrong-password-123")
	assert.NotContains(t, err.Error(), e2ePassword)
	assert.Empty(t, srv.Requests(), "the fake's CBR endpoint received nothing")
}
