package sdkreferee

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/huaweicloud/huaweicloud-sdk-go-v3/core/auth/basic"
	"github.com/huaweicloud/huaweicloud-sdk-go-v3/core/config"
	"github.com/huaweicloud/huaweicloud-sdk-go-v3/core/sdkerr"
	cbrsdk "github.com/huaweicloud/huaweicloud-sdk-go-v3/services/cbr/v1"
	"github.com/huaweicloud/huaweicloud-sdk-go-v3/services/cbr/v1/model"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cbr-replicate/cbr-replicate/aksk"
	"github.com/cbr-replicate/cbr-replicate/cbrtest"
	"github.com/cbr-replicate/cbr-replicate/validate"
)

// sdkClient is the SDK's unmodified CBR v1 client with basic (AK/SK)
// credentials and the project ID, pointed at endpoint over plain http,
// with no proxy (the SDK's transport has none unless configured).
func sdkClient(t *testing.T, endpoint, ak, sk string) *cbrsdk.CbrClient {
	t.Helper()
	creds, err := basic.NewCredentialsBuilder().WithAk(ak).WithSk(sk).WithProjectId(testProjectID).SafeBuild()
	require.NoError(t, err)
	hc, err := cbrsdk.CbrClientBuilder().
		WithEndpoints([]string{endpoint}).
		WithCredential(creds).
		WithHttpConfig(config.DefaultHttpConfig().WithTimeout(30 * time.Second)).
		SafeBuild()
	require.NoError(t, err)
	return cbrsdk.NewCbrClient(hc)
}

// pageRequest is the page's example request as the SDK's model.
func pageRequest() *model.CopyCheckpointRequest {
	no := false
	return &model.CopyCheckpointRequest{Body: &model.CheckpointReplicateReq{Replicate: &model.CheckpointReplicateParam{
		AutoTrigger:          &no,
		DestinationProjectId: "68589cac08274b82b4e254268a3862d8",
		DestinationRegion:    "region2",
		DestinationVaultId:   "0ca3eb86-8800-46da-9c37-9d657a825274",
		EnableAcceleration:   &no,
		VaultId:              "3b5816b5-f29c-4172-9d9a-76c719a659ce",
	}}}
}

// TestSDKClientAgainstTheFake points the SDK's unmodified CBR client,
// configured with AK/SK only, at the project's fake with WithAKSK: the fake
// verifies the signature as the service's gateway would, so a test author
// can use the vendor's SDK against it.
func TestSDKClientAgainstTheFake(t *testing.T) {
	srv, err := cbrtest.NewServer(cbrtest.WithAKSK(aksk.Credentials{AccessKey: testAK, SecretKey: testSK}))
	require.NoError(t, err)
	defer srv.Close()
	require.True(t, strings.HasPrefix(srv.URL, "http://127.0.0.1:"))

	t.Run("the SDK's signed CopyCheckpoint is verified and gets a replication", func(t *testing.T) {
		resp, err := sdkClient(t, srv.URL, testAK, testSK).CopyCheckpoint(pageRequest())
		require.NoError(t, err)
		assert.Equal(t, http.StatusOK, resp.HttpStatusCode)
		require.NotNil(t, resp.Replication)
		r := resp.Replication
		assert.Equal(t, "3b5816b5-f29c-4172-9d9a-76c719a659ce", r.VaultId)
		assert.Equal(t, "0ca3eb86-8800-46da-9c37-9d657a825274", r.DestinationVaultId)
		assert.Equal(t, cbrtest.DefaultSourceRegion, r.SourceRegion)
		assert.Equal(t, "region2", r.DestinationRegion)
		assert.Equal(t, "68589cac08274b82b4e254268a3862d8", r.DestinationProjectId)
		assert.Equal(t, testProjectID, r.ProjectId)
		assert.Equal(t, cbrtest.ProviderID, r.ProviderId)
		assert.Len(t, r.Backups, cbrtest.DefaultBackups)

		got := srv.Requests()
		require.Len(t, got, 1)
		assert.Equal(t, testProjectID, got[0].Header.Get(aksk.HeaderProjectID))
		assert.NotEmpty(t, got[0].Header.Get(aksk.HeaderDate))
	})

	t.Run("a wrong SK gets the fake's 401 naming the failed check", func(t *testing.T) {
		const wrongSK = "wrongSecretKey0123456789abcdefWRONG00001"
		_, err := sdkClient(t, srv.URL, testAK, wrongSK).CopyCheckpoint(pageRequest())
		var serr *sdkerr.ServiceResponseError
		require.True(t, errors.As(err, &serr), "got %T: %v", err, err)
		assert.Equal(t, http.StatusUnauthorized, serr.StatusCode)
		assert.Equal(t, validate.CodeNotAuthenticated, serr.ErrorCode)
		assert.Contains(t, serr.ErrorMessage, string(aksk.ReasonBadSignature))
		assert.NotContains(t, fmt.Sprint(err), testSK)
		assert.NotContains(t, fmt.Sprint(err), wrongSK)
	})

	t.Run("an unknown AK gets 401 naming the failed check", func(t *testing.T) {
		_, err := sdkClient(t, srv.URL, "HPUAUNKNOWNACCESSKEY", testSK).CopyCheckpoint(pageRequest())
		var serr *sdkerr.ServiceResponseError
		require.True(t, errors.As(err, &serr), "got %T: %v", err, err)
		assert.Equal(t, http.StatusUnauthorized, serr.StatusCode)
		assert.Contains(t, serr.ErrorMessage, string(aksk.ReasonUnknownAK))
	})
}
