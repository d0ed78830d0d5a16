package validate_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cbr-replicate/cbr-replicate/gen/cbr"
	"github.com/cbr-replicate/cbr-replicate/validate"
)

func TestEncodeJSONRefusesInvalidUTF8LikeTheDecoder(t *testing.T) {
	p := cbr.CheckpointReplicateReq{Replicate: cbr.CheckpointReplicateParam{VaultId: "3b5816b5-f29c-4172-9d9a-76c719a659ce",
		DestinationProjectId: "d", DestinationRegion: "eu\xffnl", DestinationVaultId: "v"}}
	_, err := validate.EncodeJSON(p)
	var verr *validate.Error
	require.ErrorAs(t, err, &verr)
	assert.True(t, verr.Has("/replicate/destination_region", validate.RuleJSON), "%v", err)

	p.Replicate.DestinationRegion = "eu-nl"
	data, err := validate.EncodeJSON(p)
	require.NoError(t, err)
	assert.JSONEq(t, `{"replicate":{"vault_id":"3b5816b5-f29c-4172-9d9a-76c719a659ce","destination_project_id":"d","destination_region":"eu-nl","destination_vault_id":"v"}}`, string(data))
	v, err := validate.New()
	require.NoError(t, err)
	assert.NoError(t, v.RequestBody(copyCheckpoint, data))
}
