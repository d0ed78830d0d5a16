package cbrtest

import (
	"bytes"
	"encoding/json"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cbr-replicate/cbr-replicate/gen/cbr"
)

// generatedEncoding is what the generated response type writes.
func generatedEncoding(t testing.TB, b cbr.CheckpointReplicateRespBody) []byte {
	t.Helper()
	rec := httptest.NewRecorder()
	require.NoError(t, cbr.CopyCheckpoint200JSONResponse{Replication: &b}.VisitCopyCheckpointResponse(rec))
	return rec.Body.Bytes()
}

var trickyStrings = []string{
	"", "region2", `quote " and backslash \`, "<script>&amp;</script>", "tab\tnewline\ncr\rbs\bff\f",
	"\x00\x01\x1f\x7f", "ünïcödé ✓ 日本", "line\u2028para\u2029", "invalid \xff\xfe utf-8 \xc3", "\xed\xa0\x80 surrogate",
	strings.Repeat("r", 255),
}

func TestAppendReplication_SameBytesAsGeneratedEncoder(t *testing.T) {
	for _, s := range trickyStrings {
		for _, backups := range []int{0, 1, 3} {
			b := cbr.CheckpointReplicateRespBody{
				DestinationProjectId: s, DestinationRegion: s, DestinationVaultId: "v-" + s,
				ProjectId: "p" + s, ProviderId: ProviderID, SourceRegion: s, VaultId: uuid.NewString(),
			}
			for i, id := range newUUIDs(2 * backups) {
				if i%2 == 0 {
					b.Backups = append(b.Backups, cbr.CheckpointReplicateRespbackups{BackupId: id})
				} else {
					b.Backups[i/2].ReplicationRecordId = id
				}
			}
			assert.Equal(t, string(generatedEncoding(t, b)), string(appendReplication(nil, &b)), "string %q, %d backups", s, backups)
		}
	}
	// A backup with empty ids is an empty object, as with omitempty.
	b := cbr.CheckpointReplicateRespBody{Backups: []cbr.CheckpointReplicateRespbackups{{}, {BackupId: "x"}}}
	assert.Equal(t, string(generatedEncoding(t, b)), string(appendReplication(nil, &b)))
}

func FuzzAppendString(f *testing.F) {
	for _, s := range trickyStrings {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		want, err := json.Marshal(s)
		if err != nil {
			t.Fatal(err)
		}
		if got := appendString(nil, s); !bytes.Equal(got, want) {
			t.Fatalf("appendString(%q) = %s, want %s", s, got, want)
		}
	})
}

func TestNewUUIDs(t *testing.T) {
	ids := newUUIDs(64)
	require.Len(t, ids, 64)
	seen := map[string]bool{}
	for _, id := range ids {
		u, err := uuid.Parse(id)
		require.NoError(t, err)
		assert.Equal(t, uuid.Version(4), u.Version())
		assert.Equal(t, uuid.RFC4122, u.Variant())
		assert.False(t, seen[id])
		seen[id] = true
	}
	assert.Nil(t, newUUIDs(0))
}
