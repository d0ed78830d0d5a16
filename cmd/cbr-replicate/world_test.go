package main

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// pageWorld is a world file holding the page example's vaults: the source
// in eu-de, the destination, whose protect_type is destProtect, in region2.
func pageWorld(t *testing.T, destProtect string) string {
	t.Helper()
	return writeFile(t, "world.yaml", `regions:
  eu-de: [region2]
  region2: [eu-de]
vaults:
  - id: `+pageVaultID+`
    region: eu-de
    project_id: `+pageProjectID+`
    protect_type: backup
    object_type: server
    size: 100
    backups: 2
  - id: `+pageDestVaultID+`
    region: region2
    project_id: `+pageDestProjectID+`
    protect_type: `+destProtect+`
    object_type: server
    size: 100
`)
}

func TestMockWorld(t *testing.T) {
	t.Parallel()

	t.Run("a destination vault that is a backup vault gets 6119", func(t *testing.T) {
		t.Parallel()
		m := startMock(t, "--world", pageWorld(t, "backup"))
		resp, body := m.post(t, secretToken)
		assert.Equal(t, http.StatusBadRequest, resp.StatusCode)
		assert.Contains(t, string(body), `"error_code":"BackupService.6119"`)
	})

	t.Run("a world remembers: 200, then the same POST again 6130", func(t *testing.T) {
		t.Parallel()
		m := startMock(t, "--world", pageWorld(t, "replication"))
		resp, body := m.post(t, secretToken)
		require.Equal(t, http.StatusOK, resp.StatusCode, string(body))
		assert.Contains(t, string(body), `"source_region":"eu-de"`)
		resp, body = m.post(t, secretToken)
		assert.Equal(t, http.StatusBadRequest, resp.StatusCode)
		assert.Contains(t, string(body), `"error_code":"BackupService.6130"`)
	})

	t.Run("each region's URL is printed after the listening line", func(t *testing.T) {
		t.Parallel()
		m := startMock(t)
		want := "  eu-de    " + m.url + "\n  eu-nl    " + m.url + "/eu-nl\n  region2  " + m.url + "/region2\n"
		require.Eventually(t, func() bool { return m.stdout.String() == want }, 5*time.Second, 5*time.Millisecond, "stdout %q", m.stdout.String())
		req, err := http.NewRequest(http.MethodGet, m.url+"/region2/v3/"+pageDestProjectID+"/vaults/"+pageDestVaultID, nil)
		require.NoError(t, err)
		req.Header.Set("X-Auth-Token", secretToken)
		resp, body := do(t, req)
		assert.Equal(t, http.StatusOK, resp.StatusCode, "a region's URL reaches that region: %s", body)
	})

	t.Run("a bad world file is a usage error naming its lines", func(t *testing.T) {
		t.Parallel()
		file := writeFile(t, "world.yaml", "regions:\n  eu-de: []\nvaults:\n  - id: not-a-uuid\n    region: eu-de\n"+
			"    protect_type: backup\n    object_type: tape\n    size: 1\n")
		res := runArgs(t, "mock", "--world", file)
		assert.Equal(t, exitUsage, res.code)
		assert.Contains(t, res.stderr, "line 4: id must be a UUID")
		assert.Contains(t, res.stderr, `line 7: object_type "tape", want one of disk, server, turbo`)
	})

	t.Run("a world without the mock's own region is a usage error", func(t *testing.T) {
		t.Parallel()
		res := runArgs(t, "mock", "--world", writeFile(t, "world.yaml", "regions:\n  eu-nl: []\n"))
		assert.Equal(t, exitUsage, res.code)
		assert.Contains(t, res.stderr, `lists no region eu-de, the mock's own (--source-region)`)
	})

	t.Run("a world file that cannot be read is an I/O error", func(t *testing.T) {
		t.Parallel()
		res := runArgs(t, "mock", "--world", "/nonexistent/world.yaml")
		assert.Equal(t, exitUsage, res.code)
		assert.Contains(t, res.stderr, "read --world")
	})
}

func TestReplicateMockWorld(t *testing.T) {
	t.Parallel()

	t.Run("a destination vault that is a backup vault is refused with 6119", func(t *testing.T) {
		t.Parallel()
		res := execute(t, invocation{args: append([]string{"replicate", "--mock", "--world", pageWorld(t, "backup")}, pageFlags()...),
			env: tokenEnv()})
		assert.Equal(t, exitInvalid, res.code, res.stderr)
		assert.Contains(t, res.stderr, "BackupService.6119")
	})

	t.Run("a world that allows it replicates its backups", func(t *testing.T) {
		t.Parallel()
		res := execute(t, invocation{args: append([]string{"replicate", "--mock", "--world", pageWorld(t, "replication")}, pageFlags()...),
			env: tokenEnv()})
		assert.Equal(t, exitOK, res.code, res.stderr)
		assert.Contains(t, res.stdout, "backups:      2")
	})

	t.Run("--world without --mock is a usage error", func(t *testing.T) {
		t.Parallel()
		res := execute(t, invocation{args: append([]string{"replicate", "--world", "w.yaml"}, pageFlags()...), env: tokenEnv()})
		assert.Equal(t, exitUsage, res.code)
		assert.Contains(t, res.stderr, "--world needs --mock")
	})

	t.Run("a world without the --region is a usage error", func(t *testing.T) {
		t.Parallel()
		res := execute(t, invocation{args: append([]string{"replicate", "--mock", "--region", "eu-nl", "--world", pageWorld(t, "replication")},
			pageFlags()...), env: tokenEnv()})
		assert.Equal(t, exitUsage, res.code)
		assert.Contains(t, res.stderr, "lists no region eu-nl, the mock's own (--region)")
		assert.False(t, strings.Contains(res.stdout, "started"))
	})
}
