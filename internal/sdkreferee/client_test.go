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
	"github.com/cbr-replicate/cbr-replicate/internal/redact"
	"github.com/cbr-replicate/cbr-replicate/validate"
)

// sdkClient is the SDK's unmodified CBR v1 client with basic (AK/SK)
// credentials, a security token when token is not "", and the project ID,
// pointed at endpoint over plain http, with no proxy (the SDK's transport
// has none unless configured).
func sdkClient(t *testing.T, endpoint, ak, sk, token string) *cbrsdk.CbrClient {
	t.Helper()
	b := basic.NewCredentialsBuilder().WithAk(ak).WithSk(sk).WithProjectId(testProjectID)
	if token != "" {
		b = b.WithSecurityToken(token)
	}
	creds, err := b.SafeBuild()
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
	srv, err := cbrtest.NewServer(cbrtest.WithAKSK(
		aksk.NewCredentials(testAK, testSK, ""),
		aksk.NewCredentials(tempAK, testSK, testSecurityToken),
	))
	require.NoError(t, err)
	defer srv.Close()
	require.True(t, strings.HasPrefix(srv.URL, "http://127.0.0.1:"))

	t.Run("the SDK's signed CopyCheckpoint is verified and gets a replication", func(t *testing.T) {
		resp, err := sdkClient(t, srv.URL, testAK, testSK, "").CopyCheckpoint(pageRequest())
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
		_, err := sdkClient(t, srv.URL, testAK, wrongSK, "").CopyCheckpoint(pageRequest())
		var serr *sdkerr.ServiceResponseError
		require.True(t, errors.As(err, &serr), "got %T: %v", err, err)
		assert.Equal(t, http.StatusUnauthorized, serr.StatusCode)
		assert.Equal(t, validate.CodeNotAuthenticated, serr.ErrorCode)
		assert.Contains(t, serr.ErrorMessage, string(aksk.ReasonBadSignature))
		assert.NotContains(t, fmt.Sprint(err), testSK)
		assert.NotContains(t, fmt.Sprint(err), wrongSK)
	})

	t.Run("an unknown AK gets 401 naming the failed check", func(t *testing.T) {
		_, err := sdkClient(t, srv.URL, "HPUAUNKNOWNACCESSKEY", testSK, "").CopyCheckpoint(pageRequest())
		var serr *sdkerr.ServiceResponseError
		require.True(t, errors.As(err, &serr), "got %T: %v", err, err)
		assert.Equal(t, http.StatusUnauthorized, serr.StatusCode)
		assert.Contains(t, serr.ErrorMessage, string(aksk.ReasonUnknownAK))
	})

	t.Run("a temporary key pair's signed CopyCheckpoint with its security token replicates", func(t *testing.T) {
		resp, err := sdkClient(t, srv.URL, tempAK, testSK, testSecurityToken).CopyCheckpoint(pageRequest())
		require.NoError(t, err)
		assert.Equal(t, http.StatusOK, resp.HttpStatusCode)
		got := srv.Requests()
		require.NotEmpty(t, got)
		assert.Equal(t, redact.Redacted, got[len(got)-1].Header.Get(aksk.HeaderSecurityToken),
			"the token was sent; the fake's log of requests redacts it")
	})

	for _, tc := range []struct {
		name, ak, token string
		reason          aksk.Reason
	}{
		{"a wrong security token gets 401 naming the failed check", tempAK, "gQpldS1kZS0xWRONGtemporaryKeyToken", aksk.ReasonWrongSecurityToken},
		{"a temporary key pair without its security token gets 401", tempAK, "", aksk.ReasonMissingSecurityToken},
		{"a security token with a permanent key pair gets 401", testAK, testSecurityToken, aksk.ReasonUnexpectedSecurityToken},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := sdkClient(t, srv.URL, tc.ak, testSK, tc.token).CopyCheckpoint(pageRequest())
			var serr *sdkerr.ServiceResponseError
			require.True(t, errors.As(err, &serr), "got %T: %v", err, err)
			assert.Equal(t, http.StatusUnauthorized, serr.StatusCode)
			assert.Equal(t, validate.CodeNotAuthenticated, serr.ErrorCode)
			assert.Contains(t, serr.ErrorMessage, string(tc.reason))
			assert.NotContains(t, fmt.Sprint(err), testSecurityToken)
			assert.NotContains(t, fmt.Sprint(err), testSK)
		})
	}
}
