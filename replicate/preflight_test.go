package replicate_test

import (
	"context"
	"encoding/json"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cbr-replicate/cbr-replicate/cbrtest"
	"github.com/cbr-replicate/cbr-replicate/client"
	"github.com/cbr-replicate/cbr-replicate/gen/cbr"
	"github.com/cbr-replicate/cbr-replicate/replicate"
	"github.com/cbr-replicate/cbr-replicate/validate"
)

const (
	sourceVault = "3b5816b5-f29c-4172-9d9a-76c719a659ce"
	destVault   = "0ca3eb86-8800-46da-9c37-9d657a825274"
	project     = "4229d7a45436489f8c3dc2b1d35d4987"
	destProject = "68589cac08274b82b4e254268a3862d8"
)

// region is what a stand-in region knows: its destinations, vaults and
// backups.
type region struct {
	destinations []string
	vaults       map[string]cbr.Billing
	backups      []cbr.BackupResp
}

func ptr[T any](v T) *T { return &v }

func vault(object, protect, status string, size, used int) cbr.Billing {
	return cbr.Billing{ObjectType: object, ProtectType: protect, Status: cbr.BillingStatus(status), Size: ptr(size), Used: ptr(used)}
}

func ecsBackup(systemDisk bool) cbr.BackupResp {
	return cbr.BackupResp{Id: "6df2b54c-dd62-4059-a07c-1b8f24f2725d", Status: "available", ResourceType: "OS::Nova::Server",
		ExtendInfo: &cbr.BackupExtendInfo{ContainSystemDisk: ptr(systemDisk)}}
}

// standIn serves r through a cbrtest fake whose handlers answer from r.
func standIn(t *testing.T, name string, r region) *client.Client {
	t.Helper()
	answer := func(v any) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			_ = json.NewEncoder(w).Encode(v)
		})
	}
	srv, err := cbrtest.NewServer(
		cbrtest.WithHandler("ShowReplicationCapabilities", answer(cbr.ShowReplicationCapabilitiesResp{Regions: []cbr.ProtectableReplicationCapabilitiesRespRegion{
			{Name: name, ReplicationDestinations: r.destinations}}})),
		cbrtest.WithHandler("ShowVault", http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
			route, _ := validate.RouteOf(req.Context())
			b, ok := r.vaults[route.PathParams["vault_id"]]
			if !ok {
				w.Header().Set("Content-Type", "application/json")
				w.WriteHeader(http.StatusNotFound)
				_, _ = w.Write([]byte(`{"error_code":"BackupService.6105","error_msg":"The vault does not exist."}`))
				return
			}
			answer(cbr.ShowVaultResp{Vault: &cbr.Vault{Id: route.PathParams["vault_id"], Billing: &b}}).ServeHTTP(w, req)
		})),
		cbrtest.WithHandler("ListBackups", answer(cbr.ListBackupsResp{Backups: r.backups, Count: ptr(len(r.backups))})),
	)
	require.NoError(t, err)
	t.Cleanup(srv.Close)
	c, err := client.New(client.Options{Endpoint: srv.URL, ProjectID: project, Token: client.StaticToken("a-user-token"),
		HTTPClient: srv.Client(), ValidateResponses: true})
	require.NoError(t, err)
	return c
}

var param = cbr.CheckpointReplicateParam{VaultId: sourceVault, DestinationProjectId: destProject, DestinationRegion: "eu-nl", DestinationVaultId: destVault}

// good is a source region where every check passes.
func good() region {
	return region{destinations: []string{"eu-nl"},
		vaults:  map[string]cbr.Billing{sourceVault: vault("server", "backup", "available", 100, 2048)},
		backups: []cbr.BackupResp{ecsBackup(true)}}
}

// goodDestination is a destination region where its check passes.
func goodDestination() region {
	return region{vaults: map[string]cbr.Billing{destVault: vault("server", "replication", "available", 100, 0)}}
}

func TestPreflightPassesWhatTheDocumentsAllow(t *testing.T) {
	var seen []string
	r := replicate.Preflight(context.Background(), replicate.Plan{Param: param, Source: standIn(t, "eu-de", good()),
		Destination: standIn(t, "eu-nl", goodDestination())}, func(name string, done *replicate.Check) {
		if done == nil {
			seen = append(seen, name)
		}
	})
	assert.Nil(t, r.Failed())
	assert.Nil(t, r.Skipped())
	assert.Equal(t, []string{replicate.CheckCapability, replicate.CheckSourceVault, replicate.CheckBackups, replicate.CheckDestination}, seen,
		"progress names each check before it runs, in order")
	for _, c := range r.Checks {
		assert.NotEmpty(t, c.Reason, c.Name)
		assert.Contains(t, c.Source, ".rst", c.Name)
	}
}

func TestPreflightFailsWhatTheDocumentsRefuse(t *testing.T) {
	for _, tc := range []struct {
		name        string
		source      func(*region)
		destination func(*region)
		check       string
		reason      string
	}{
		{"a region that does not replicate to the destination", func(r *region) { r.destinations = []string{"eu-ch2"} }, nil,
			replicate.CheckCapability, "does not replicate to eu-nl"},
		{"a source vault that does not exist", func(r *region) { delete(r.vaults, sourceVault) }, nil,
			replicate.CheckSourceVault, "does not exist in the source region"},
		{"a disk backup vault (6128)", func(r *region) { r.vaults[sourceVault] = vault("disk", "backup", "available", 100, 1) }, nil,
			replicate.CheckSourceVault, "only server backup vaults can be replicated (BackupService.6128)"},
		{"a replication vault cannot be replicated again", func(r *region) { r.vaults[sourceVault] = vault("server", "replication", "available", 100, 1) }, nil,
			replicate.CheckSourceVault, "cannot be replicated again"},
		{"a source vault that is not available (6112)", func(r *region) { r.vaults[sourceVault] = vault("server", "backup", "lock", 100, 1) }, nil,
			replicate.CheckSourceVault, "BackupService.6112"},
		{"no ECS backup with the system disk", func(r *region) { r.backups = []cbr.BackupResp{ecsBackup(false)} }, nil,
			replicate.CheckBackups, "no available ECS backup with its system disk"},
		{"a destination vault that does not exist (6120)", nil, func(r *region) { delete(r.vaults, destVault) },
			replicate.CheckDestination, "BackupService.6120"},
		{"a destination that is a backup vault (6119)", nil, func(r *region) { r.vaults[destVault] = vault("server", "backup", "available", 100, 0) },
			replicate.CheckDestination, "not a replication vault (BackupService.6119)"},
		{"a destination of another object type (6119)", nil, func(r *region) { r.vaults[destVault] = vault("disk", "replication", "available", 100, 0) },
			replicate.CheckDestination, "only vaults of the same type replicate (BackupService.6119)"},
		{"a full destination vault (6129)", nil, func(r *region) { r.vaults[destVault] = vault("server", "replication", "available", 10, 10240) },
			replicate.CheckDestination, "10240 MB used of 10 GB (BackupService.6129)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			src, dst := good(), goodDestination()
			if tc.source != nil {
				tc.source(&src)
			}
			if tc.destination != nil {
				tc.destination(&dst)
			}
			r := replicate.Preflight(context.Background(), replicate.Plan{Param: param, Source: standIn(t, "eu-de", src),
				Destination: standIn(t, "eu-nl", dst)}, nil)
			failed := r.Failed()
			require.NotNil(t, failed, "%+v", r)
			assert.Equal(t, tc.check, failed.Name)
			assert.Contains(t, failed.Reason, tc.reason)
		})
	}
}

func TestPreflightSkipsWhatItCannotCheck(t *testing.T) {
	r := replicate.Preflight(context.Background(), replicate.Plan{Param: param, Source: standIn(t, "eu-de", good()),
		DestinationSkip: "a ready token is scoped to one project"}, nil)
	assert.Nil(t, r.Failed())
	skipped := r.Skipped()
	require.NotNil(t, skipped)
	assert.Equal(t, replicate.CheckDestination, skipped.Name)
	assert.Equal(t, "a ready token is scoped to one project", skipped.Reason)

	unreachable, err := client.New(client.Options{Endpoint: "http://127.0.0.1:1", ProjectID: project, Token: client.StaticToken("t")})
	require.NoError(t, err)
	r = replicate.Preflight(context.Background(), replicate.Plan{Param: param, Source: unreachable, Destination: unreachable}, nil)
	assert.Nil(t, r.Failed(), "a check that cannot reach the service does not fail, it is skipped")
	for _, c := range r.Checks {
		assert.Equal(t, replicate.Skip, c.Verdict, c.Name)
		assert.Contains(t, c.Reason, "could not", c.Name)
	}
}
