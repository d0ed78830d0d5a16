package cbrtest_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cbr-replicate/cbr-replicate/aksk"
	"github.com/cbr-replicate/cbr-replicate/cbrtest"
	"github.com/cbr-replicate/cbr-replicate/client"
	"github.com/cbr-replicate/cbr-replicate/gen/cbr"
)

// The vaults and projects of testWorld.
const (
	srcVault   = "11111111-1111-4111-8111-111111111111"
	dstVault   = "22222222-2222-4222-8222-222222222222"
	srcProject = "4229d7a45436489f8c3dc2b1d35d4987"
	dstProject = "68589cac08274b82b4e254268a3862d8"
)

// testWorld is a world in which srcVault (eu-de, srcProject) can be
// replicated to dstVault (eu-nl, dstProject), changed by edit.
func testWorld(edit func(w *cbrtest.World)) *cbrtest.World {
	w := &cbrtest.World{
		Regions: map[string][]string{"eu-de": {"eu-nl"}, "eu-nl": {"eu-de"}, "eu-ch2": {}},
		Vaults: []cbrtest.Vault{
			{ID: srcVault, Region: "eu-de", ProjectID: srcProject, ProtectType: "backup", ObjectType: "server",
				Status: "available", Size: 100, Used: 2048, Backups: 3},
			{ID: dstVault, Region: "eu-nl", ProjectID: dstProject, ProtectType: "replication", ObjectType: "server", Size: 100},
		},
	}
	if edit != nil {
		edit(w)
	}
	return w
}

// worldParam is the request that replicates testWorld's vault.
func worldParam() cbr.CheckpointReplicateParam {
	return cbr.CheckpointReplicateParam{VaultId: srcVault, DestinationProjectId: dstProject,
		DestinationRegion: "eu-nl", DestinationVaultId: dstVault}
}

// postReplicate sends p to the fake at path prefix (a region's, or "")
// for project, checks the answer against the spec, and returns it.
func postReplicate(t *testing.T, f http.Handler, prefix, project string, p cbr.CheckpointReplicateParam) answer {
	t.Helper()
	body, err := json.Marshal(cbr.CheckpointReplicateReq{Replicate: p})
	require.NoError(t, err)
	return serve(t, f, newRequest(http.MethodPost, prefix+"/v3/"+project+"/checkpoints/replicate", string(body)))
}

func TestWorld_RefusesWhatTheDocumentsRefuse(t *testing.T) {
	tests := []struct {
		name   string
		edit   func(w *cbrtest.World)
		param  func(p *cbr.CheckpointReplicateParam)
		status int
		code   string
	}{
		{name: "source vault unknown (6105)", param: func(p *cbr.CheckpointReplicateParam) { p.VaultId = dstVault[:35] + "3" },
			status: 404, code: "BackupService.6105"},
		{name: "source vault in another region than the request's (6105)", edit: func(w *cbrtest.World) { w.Vaults[0].Region = "eu-ch2" },
			status: 404, code: "BackupService.6105"},
		{name: "source vault of another project (6105)", edit: func(w *cbrtest.World) { w.Vaults[0].ProjectID = dstProject },
			status: 404, code: "BackupService.6105"},
		{name: "disk backup vault cannot be replicated (6128)", edit: func(w *cbrtest.World) { w.Vaults[0].ObjectType = "disk" },
			status: 400, code: "BackupService.6128"},
		{name: "file system vault cannot be replicated (6128)", edit: func(w *cbrtest.World) { w.Vaults[0].ObjectType = "turbo" },
			status: 400, code: "BackupService.6128"},
		{name: "replication vault cannot be replicated again (6128)", edit: func(w *cbrtest.World) { w.Vaults[0].ProtectType = "replication" },
			status: 400, code: "BackupService.6128"},
		{name: "source vault not available (6112)", edit: func(w *cbrtest.World) { w.Vaults[0].Status = "frozen" },
			status: 400, code: "BackupService.6112"},
		{name: "source vault without an available ECS backup holding the system disk (6122)",
			edit: func(w *cbrtest.World) { w.Vaults[0].Backups = 0 }, status: 400, code: "BackupService.6122"},
		{name: "destination region not among the source region's destinations (1005)",
			param: func(p *cbr.CheckpointReplicateParam) { p.DestinationRegion = "eu-ch2" }, status: 500, code: "BackupService.1005"},
		{name: "destination region the source region itself (1005)",
			param: func(p *cbr.CheckpointReplicateParam) { p.DestinationRegion = "eu-de" }, status: 500, code: "BackupService.1005"},
		{name: "destination vault not in the destination region (6120)",
			edit:  func(w *cbrtest.World) { w.Regions["eu-de"] = []string{"eu-nl", "eu-ch2"} },
			param: func(p *cbr.CheckpointReplicateParam) { p.DestinationRegion = "eu-ch2" }, status: 400, code: "BackupService.6120"},
		{name: "destination vault of another project (6120)",
			param: func(p *cbr.CheckpointReplicateParam) { p.DestinationProjectId = srcProject }, status: 400, code: "BackupService.6120"},
		{name: "destination vault unknown (6120)",
			param: func(p *cbr.CheckpointReplicateParam) { p.DestinationVaultId = srcVault }, status: 400, code: "BackupService.6120"},
		{name: "destination vault a backup vault, not a replication vault (6119)",
			edit: func(w *cbrtest.World) { w.Vaults[1].ProtectType = "backup" }, status: 400, code: "BackupService.6119"},
		{name: "destination vault of another object type than the source (6119)",
			edit: func(w *cbrtest.World) { w.Vaults[1].ObjectType = "disk" }, status: 400, code: "BackupService.6119"},
		{name: "destination vault full: used MB equal to size GB x 1024 (6129)",
			edit: func(w *cbrtest.World) { w.Vaults[1].Used = 100 * 1024 }, status: 400, code: "BackupService.6129"},
		{name: "destination vault with one MB left replicates",
			edit: func(w *cbrtest.World) { w.Vaults[1].Used = 100*1024 - 1 }, status: 200},
		{name: "the source is checked before the destination region",
			edit: func(w *cbrtest.World) { w.Vaults[0].Status = "lock" }, param: func(p *cbr.CheckpointReplicateParam) { p.DestinationRegion = "mars" },
			status: 400, code: "BackupService.6112"},
		{name: "the destination region is checked before the destination vault",
			param:  func(p *cbr.CheckpointReplicateParam) { p.DestinationRegion, p.DestinationVaultId = "eu-ch2", srcVault },
			status: 500, code: "BackupService.1005"},
		{name: "the destination vault's type is checked before its room",
			edit:   func(w *cbrtest.World) { w.Vaults[1].ProtectType, w.Vaults[1].Used = "backup", 1<<30 },
			status: 400, code: "BackupService.6119"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFake(t, cbrtest.WithWorld(testWorld(tt.edit)))
			p := worldParam()
			if tt.param != nil {
				tt.param(&p)
			}
			a := postReplicate(t, f, "", srcProject, p)
			require.Equal(t, tt.status, a.status, "body %s", a.body)
			if tt.code != "" {
				assert.Equal(t, tt.code, cbrError(t, a.body).ErrorCode)
			}
		})
	}
}

func TestWorld_AVaultIsReplicatedToARegionOnlyOnce(t *testing.T) {
	f := newFake(t, cbrtest.WithWorld(testWorld(func(w *cbrtest.World) {
		w.Regions["eu-de"] = []string{"eu-nl", "eu-ch2"}
		w.Vaults = append(w.Vaults, cbrtest.Vault{ID: dstVault[:35] + "3", Region: "eu-ch2", ProtectType: "replication", ObjectType: "server", Size: 1})
	})))
	a := postReplicate(t, f, "", srcProject, worldParam())
	require.Equal(t, http.StatusOK, a.status, "body %s", a.body)

	a = postReplicate(t, f, "", srcProject, worldParam())
	require.Equal(t, http.StatusBadRequest, a.status, "body %s", a.body)
	assert.Equal(t, "BackupService.6130", cbrError(t, a.body).ErrorCode, "a second replication to the same region")

	p := worldParam()
	p.DestinationRegion, p.DestinationProjectId, p.DestinationVaultId = "eu-ch2", "any", dstVault[:35]+"3"
	a = postReplicate(t, f, "", srcProject, p)
	assert.Equal(t, http.StatusOK, a.status, "another region is another replication: %s", a.body)
}

func TestWorld_ConcurrentReplicationsOfOneVaultOneSucceeds(t *testing.T) {
	s := newServer(t, cbrtest.WithWorld(testWorld(nil)))
	body, err := json.Marshal(cbr.CheckpointReplicateReq{Replicate: worldParam()})
	require.NoError(t, err)
	var (
		wg       sync.WaitGroup
		mu       sync.Mutex
		statuses = map[int]int{}
	)
	for range 16 {
		wg.Go(func() {
			r := newRequest(http.MethodPost, s.URL+"/v3/"+srcProject+"/checkpoints/replicate", string(body))
			r.RequestURI = ""
			resp, err := s.Client().Do(r)
			if !assert.NoError(t, err) {
				return
			}
			_ = resp.Body.Close()
			mu.Lock()
			statuses[resp.StatusCode]++
			mu.Unlock()
		})
	}
	wg.Wait()
	assert.Equal(t, map[int]int{200: 1, 400: 15}, statuses)
}

func TestWorld_TheDefaultWorldReplicatesThePageExampleAsOftenAsAsked(t *testing.T) {
	f := newFake(t)
	for range 3 {
		a := serve(t, f, newRequest(http.MethodPost, replicatePath, pageRequest(t)))
		require.Equal(t, http.StatusOK, a.status, "body %s", a.body)
	}
	a := serve(t, f, newRequest(http.MethodPost, replicatePath, strings.Replace(pageRequest(t), "0ca3eb86", "0ca3eb87", 1)))
	assert.Equal(t, "BackupService.6120", cbrError(t, a.body).ErrorCode, "the default world holds only the page's vaults")
}

func TestWorld_ARegionIsServedAtItsPathPrefix(t *testing.T) {
	f := newFake(t, cbrtest.WithWorld(testWorld(nil)))
	vaultPath := "/v3/" + dstProject + "/vaults/" + dstVault
	tests := []struct {
		name, target string
		status       int
		region       string
	}{
		{name: "the destination vault at its region's prefix", target: "/eu-nl" + vaultPath, status: 200, region: "eu-nl"},
		{name: "the destination vault without a prefix is not in the fake's own region", target: vaultPath, status: 404, region: "eu-de"},
		{name: "the fake's own region at its prefix", target: "/eu-de" + vaultPath, status: 404, region: "eu-de"},
		{name: "a prefix that is no region of the world", target: "/mars" + vaultPath, status: 404},
		{name: "a region prefix without a path", target: "/eu-nl", status: 404},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := len(f.Requests())
			a := serve(t, f, newRequest(http.MethodGet, tt.target, ""))
			require.Equal(t, tt.status, a.status, "body %s", a.body)
			reqs := f.Requests()
			if tt.region == "" {
				assert.Len(t, reqs, before, "a path of no operation is not recorded")
				assert.Equal(t, "BackupService.9900", cbrError(t, a.body).ErrorCode)
				return
			}
			require.Len(t, reqs, before+1)
			assert.Equal(t, tt.region, reqs[before].Region)
			assert.Equal(t, vaultPath, reqs[before].Path, "the path without its prefix")
			if tt.status == 404 {
				assert.Equal(t, "BackupService.6105", cbrError(t, a.body).ErrorCode)
			}
		})
	}
}

func TestWorld_ShowVaultAnswersFromTheWorld(t *testing.T) {
	f := newFake(t, cbrtest.WithWorld(testWorld(func(w *cbrtest.World) { w.Vaults[1].ProjectID = "" })))
	a := serve(t, f, newRequest(http.MethodGet, "/v3/"+srcProject+"/vaults/"+srcVault, ""))
	require.Equal(t, http.StatusOK, a.status, "body %s", a.body)
	var got cbr.ShowVaultResp
	require.NoError(t, json.Unmarshal(a.body, &got))
	v := got.Vault
	require.NotNil(t, v)
	assert.Equal(t, srcVault, v.Id)
	assert.Equal(t, srcProject, v.ProjectId)
	assert.Equal(t, cbrtest.ProviderID, v.ProviderId, "the page's provider of server backups")
	b := v.Billing
	require.NotNil(t, b)
	assert.Equal(t, "server", b.ObjectType)
	assert.Equal(t, "backup", b.ProtectType)
	assert.Equal(t, cbr.BillingStatusAvailable, b.Status)
	assert.Equal(t, 100, *b.Size)
	assert.Equal(t, 2048, *b.Used, "MB, as the page says")
	assert.Equal(t, "vault.backup.server.normal", b.SpecCode)

	a = serve(t, f, newRequest(http.MethodGet, "/eu-nl/v3/any-project/vaults/"+dstVault, ""))
	require.Equal(t, http.StatusOK, a.status, "a vault of any project: %s", a.body)
	require.NoError(t, json.Unmarshal(a.body, &got))
	assert.Equal(t, "any-project", got.Vault.ProjectId)
	assert.Equal(t, "replication", got.Vault.Billing.ProtectType)

	a = serve(t, f, newRequest(http.MethodGet, "/v3/"+dstProject+"/vaults/"+srcVault, ""))
	require.Equal(t, http.StatusNotFound, a.status, "a vault of another project")
	assert.Equal(t, "BackupService.6105", cbrError(t, a.body).ErrorCode)
}

func TestWorld_ListBackupsAnswersFromTheWorld(t *testing.T) {
	w := testWorld(func(w *cbrtest.World) {
		w.Vaults = append(w.Vaults,
			cbrtest.Vault{ID: srcVault[:35] + "2", Region: "eu-de", ProtectType: "backup", ObjectType: "disk", Size: 10, Backups: 2},
			cbrtest.Vault{ID: srcVault[:35] + "3", Region: "eu-de", ProjectID: dstProject, ProtectType: "backup", ObjectType: "server", Size: 10, Backups: 4})
	})
	f := newFake(t, cbrtest.WithWorld(w))
	list := func(t *testing.T, query string) (int, []cbr.BackupResp) {
		t.Helper()
		a := serve(t, f, newRequest(http.MethodGet, "/v3/"+srcProject+"/backups"+query, ""))
		require.Equal(t, http.StatusOK, a.status, "body %s", a.body)
		var got cbr.ListBackupsResp
		require.NoError(t, json.Unmarshal(a.body, &got))
		require.NotNil(t, got.Count)
		return *got.Count, got.Backups
	}
	ids := func(bs []cbr.BackupResp) []string {
		out := []string{}
		for _, b := range bs {
			out = append(out, b.Id)
		}
		return out
	}

	n, all := list(t, "")
	assert.Equal(t, 5, n, "the region's and project's: 3 server and 2 disk backups, not another project's")
	require.Len(t, all, 5)

	n, server := list(t, "?vault_id="+srcVault+"&status=available&resource_type=OS::Nova::Server")
	assert.Equal(t, 3, n)
	for _, b := range server {
		assert.Equal(t, srcVault, b.VaultId)
		assert.Equal(t, "OS::Nova::Server", b.ResourceType)
		assert.Equal(t, cbr.BackupRespStatusAvailable, b.Status)
		require.NotNil(t, b.ExtendInfo)
		assert.Equal(t, true, *b.ExtendInfo.ContainSystemDisk)
	}
	a := postReplicate(t, f, "", srcProject, worldParam())
	require.Equal(t, http.StatusOK, a.status, "body %s", a.body)
	var rep cbr.CheckpointReplicateResp
	require.NoError(t, json.Unmarshal(a.body, &rep))
	var replicated []string
	for _, b := range rep.Replication.Backups {
		replicated = append(replicated, b.BackupId)
	}
	assert.Equal(t, ids(server), replicated, "the replication lists the backups ListBackups lists")

	for name, query := range map[string]string{
		"status other than available":           "?status=error",
		"resource_type of no vault's":           "?resource_type=OS::Sfs::Turbo",
		"vault_id of another project's vault":   "?vault_id=" + srcVault[:35] + "3",
		"vault_id of a vault of another region": "?vault_id=" + dstVault,
	} {
		n, got := list(t, query)
		assert.Zero(t, n, name)
		assert.Empty(t, got, name)
	}

	n, page := list(t, "?limit=2&offset=2")
	assert.Equal(t, 5, n, "count is every match, not the page")
	assert.Equal(t, ids(all)[2:4], ids(page), "offset skips, limit bounds")
	_, page = list(t, "?offset=4&limit=1000000")
	assert.Equal(t, ids(all)[4:], ids(page))
}

func TestWorld_CapabilitiesAreTheRequestsRegion(t *testing.T) {
	f := newFake(t, cbrtest.WithWorld(testWorld(nil)))
	for prefix, want := range map[string]string{
		"":        `{"regions":[{"name":"eu-de","replication_destinations":["eu-nl"]}]}`,
		"/eu-nl":  `{"regions":[{"name":"eu-nl","replication_destinations":["eu-de"]}]}`,
		"/eu-ch2": `{"regions":[{"name":"eu-ch2"}]}`,
	} {
		a := serve(t, f, newRequest(http.MethodGet, prefix+capabilitiesPath, ""))
		require.Equal(t, http.StatusOK, a.status)
		assert.JSONEq(t, want, string(a.body), "prefix %q", prefix)
	}
}

func TestWorld_PreferAndWithHandlerStillOverrideTheWorld(t *testing.T) {
	f := newFake(t, cbrtest.WithWorld(testWorld(func(w *cbrtest.World) { w.Vaults[0].Backups = 0 })))
	a := serve(t, f, newRequest(http.MethodPost, "/v3/"+srcProject+"/checkpoints/replicate",
		`{"replicate":{"vault_id":"`+srcVault+`","destination_project_id":"p","destination_region":"r","destination_vault_id":"v"}}`,
		"Prefer", "code=200"))
	assert.Equal(t, http.StatusOK, a.status, "Prefer wins over the world's 6122")

	f = newFake(t, cbrtest.WithWorld(testWorld(nil)), cbrtest.WithHandler("ShowVault", http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"vault":{"id":"mine"}}`))
	})))
	a = serve(t, f, newRequest(http.MethodGet, "/v3/x/vaults/unknown", ""))
	assert.JSONEq(t, `{"vault":{"id":"mine"}}`, string(a.body))
}

func TestWithWorld_RefusesAWorldThatCannotWork(t *testing.T) {
	tests := []struct {
		name string
		opts []cbrtest.Option
		want []string
	}{
		{name: "the fake's own region not in the world",
			opts: []cbrtest.Option{cbrtest.WithWorld(testWorld(nil)), cbrtest.WithSourceRegion("region2")},
			want: []string{`WithWorld: the fake's own region "region2" (WithSourceRegion, default eu-de) is not among the world's regions`}},
		{name: "each bad vault named by its number",
			opts: []cbrtest.Option{cbrtest.WithWorld(testWorld(func(w *cbrtest.World) {
				w.Vaults[0].ObjectType, w.Vaults[1].Size = "tape", 0
			}))},
			want: []string{`vault 1: object_type "tape", want one of disk, server, turbo`, "vault 2: size must be 1 to 10485760"}},
		{name: "a region named by its name",
			opts: []cbrtest.Option{cbrtest.WithWorld(testWorld(func(w *cbrtest.World) { w.Regions["eu-de"] = []string{"eu-de"} }))},
			want: []string{`region "eu-de": the region is among its own destinations`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := cbrtest.New(tt.opts...)
			require.Error(t, err)
			for _, w := range tt.want {
				assert.Contains(t, err.Error(), w)
			}
		})
	}
}

func TestWithWorld_CopiesTheWorld(t *testing.T) {
	w := testWorld(nil)
	f := newFake(t, cbrtest.WithWorld(w))
	w.Vaults[0].Backups, w.Regions["eu-de"][0] = 0, "eu-ch2"
	a := postReplicate(t, f, "", srcProject, worldParam())
	assert.Equal(t, http.StatusOK, a.status, "a change after WithWorld does not reach the fake: %s", a.body)
}

func TestServer_RegionURLReachesThatRegion(t *testing.T) {
	s := newServer(t, cbrtest.WithWorld(testWorld(nil)))
	assert.Equal(t, []string{"eu-ch2", "eu-de", "eu-nl"}, s.Fake.Regions())
	assert.Equal(t, s.URL+"/eu-nl", s.RegionURL("eu-nl"))
	assert.Empty(t, s.RegionURL("region2"), "a region the fake does not serve")

	r := newRequest(http.MethodGet, s.RegionURL("eu-nl")+"/v3/"+dstProject+"/vaults/"+dstVault, "")
	r.RequestURI = ""
	resp, err := s.Client().Do(r)
	require.NoError(t, err)
	require.NoError(t, resp.Body.Close())
	assert.Equal(t, http.StatusOK, resp.StatusCode)
}

func TestWithIAM_TheCatalogListsTheOwnRegionAtTheRootAndEveryOtherAtItsPrefix(t *testing.T) {
	users := []cbrtest.IAMUser{iamAlice, iamAlice}
	users[1].Project = "eu-nl"
	for _, tc := range []struct {
		name string
		opts []cbrtest.Option
		url  func(base, region, project string) string
	}{
		{"the cloud's form", nil, func(base, region, project string) string { return prefixed(base, region) + "/v3/" + project }},
		{"the bare form", []cbrtest.Option{cbrtest.WithIAMCatalog(cbrtest.IAMCatalogBare)},
			func(base, region, _ string) string { return prefixed(base, region) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := newServer(t, append(tc.opts, cbrtest.WithIAM(users...), cbrtest.WithWorld(testWorld(nil)))...)
			for _, u := range users {
				a := signIn(t, srv.URL, passwordBody(byName(u, iamPassword), projectScope(u)))
				require.Equal(t, http.StatusCreated, a.status, a.raw)
				assert.Equal(t, tc.url(srv.URL, u.Project, u.ProjectID()), catalogURLs(t, a.body)["cbr"], "the token's own region")
			}
		})
	}
}

// prefixed is the URL of region's CBR in a fake at base: base itself for
// the fake's own region, eu-de.
func prefixed(base, region string) string {
	if region == "eu-de" {
		return base
	}
	return base + "/" + region
}

// A world in which the destination is a backup vault: the service refuses
// to replicate into it.
func ExampleWithWorld() {
	w, err := cbrtest.ParseWorld(strings.NewReader(`
regions:
  eu-de: [eu-nl]
  eu-nl: [eu-de]
vaults:
  - {id: 3b5816b5-f29c-4172-9d9a-76c719a659ce, region: eu-de, protect_type: backup, object_type: server, size: 100, backups: 3}
  - {id: 0ca3eb86-8800-46da-9c37-9d657a825274, region: eu-nl, protect_type: backup, object_type: server, size: 100}
`))
	if err != nil {
		panic(err)
	}
	f, err := cbrtest.New(cbrtest.WithWorld(w))
	if err != nil {
		panic(err)
	}
	r := httptest.NewRequest(http.MethodPost, "/v3/f841e01fd2b14e7fa41b6ae7aa6b0594/checkpoints/replicate",
		strings.NewReader(`{"replicate":{"vault_id":"3b5816b5-f29c-4172-9d9a-76c719a659ce",`+
			`"destination_project_id":"68589cac08274b82b4e254268a3862d8","destination_region":"eu-nl",`+
			`"destination_vault_id":"0ca3eb86-8800-46da-9c37-9d657a825274"}}`))
	r.Header.Set("Content-Type", "application/json")
	r.Header.Set("X-Auth-Token", "a-user-token")
	rec := httptest.NewRecorder()
	f.ServeHTTP(rec, r)
	fmt.Println(rec.Code, rec.Body.String())
	// Output:
	// 400 {"error_code":"BackupService.6119","error_msg":"The destination vault does not support replication."}
}

func TestWorld_ASignatureCoversThePathWithItsRegionPrefix(t *testing.T) {
	srv := newServer(t, cbrtest.WithAKSK(testKeys))
	signer, err := aksk.NewSigner(testKeys, pageProjectID)
	require.NoError(t, err)
	c, err := client.New(client.Options{Endpoint: srv.RegionURL("eu-nl"), ProjectID: pageProjectID, Signer: signer, HTTPClient: srv.Client()})
	require.NoError(t, err)
	caps, err := c.ShowReplicationCapabilities(context.Background())
	require.NoError(t, err, "signed and verified at /eu-nl/v3/...")
	require.Len(t, caps.Regions, 1)
	assert.Equal(t, "eu-nl", caps.Regions[0].Name)

	r := signedRequest(t, testKeys, time.Now()) // signed for /v3/...
	r.URL.Path = "/eu-nl" + r.URL.Path
	a := serve(t, srv.Fake, r)
	assert.Equal(t, http.StatusUnauthorized, a.status, "a signature of the path without the prefix: %s", a.body)
}
