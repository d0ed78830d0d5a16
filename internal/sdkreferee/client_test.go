package sdkreferee

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
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
	"github.com/cbr-replicate/cbr-replicate/gen/cbr"
	"github.com/cbr-replicate/cbr-replicate/internal/limit"
	"github.com/cbr-replicate/cbr-replicate/validate"
)

// pageAnswer is the page's 200 example, read from the embedded spec.
func pageAnswer(t *testing.T) []byte {
	t.Helper()
	doc, err := cbr.GetSpec()
	require.NoError(t, err)
	item := doc.Paths.Value("/v3/{project_id}/checkpoints/replicate")
	require.NotNil(t, item)
	resp := item.Post.Responses.Status(http.StatusOK)
	require.NotNil(t, resp)
	media := resp.Value.Content.Get("application/json")
	require.NotNil(t, media)
	ex := media.Examples["ReplicatingBackups"]
	require.NotNil(t, ex, "the spec's 200 example")
	body, err := json.Marshal(ex.Value.Value)
	require.NoError(t, err)
	return body
}

// gateway is a loopback stand-in for CBR behind its API gateway: it checks
// the AK/SK signature with aksk.Verify and answers the page's 200 example,
// or 401 with a CBR-style error naming the check that failed.
type gateway struct {
	answer []byte
	keys   map[string]string // AK -> SK

	mu   sync.Mutex
	seen []*http.Request // clones of what arrived, for the test to inspect
}

func (g *gateway) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	g.mu.Lock()
	g.seen = append(g.seen, r.Clone(r.Context()))
	g.mu.Unlock()

	body, err := limit.ReadAll(r.Body, limit.Request)
	if err != nil {
		http.Error(w, "cannot read the body", http.StatusBadRequest)
		return
	}
	lookup := func(ak string) (string, bool) { sk, ok := g.keys[ak]; return sk, ok }
	// The SDK stamps X-Sdk-Date with its own clock, so the gateway checks
	// it against its own.
	if err := aksk.Verify(r, body, lookup, time.Now(), aksk.DefaultSkew); err != nil {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusUnauthorized)
		_ = json.NewEncoder(w).Encode(map[string]string{
			"error_code": validate.CodeNotAuthenticated,
			"error_msg":  "Not authenticated: " + err.Error(),
		})
		return
	}
	if r.Method != http.MethodPost || r.URL.Path != "/v3/"+testProjectID+"/checkpoints/replicate" {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write(g.answer)
}

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

func TestSDKClientAgainstVerifyingGateway(t *testing.T) {
	g := &gateway{answer: pageAnswer(t), keys: map[string]string{testAK: testSK}}
	srv := httptest.NewServer(g) // 127.0.0.1
	defer srv.Close()
	require.True(t, strings.HasPrefix(srv.URL, "http://127.0.0.1:"))

	t.Run("the SDK's signed CopyCheckpoint passes Verify and gets the page's answer", func(t *testing.T) {
		resp, err := sdkClient(t, srv.URL, testAK, testSK).CopyCheckpoint(pageRequest())
		require.NoError(t, err)
		assert.Equal(t, http.StatusOK, resp.HttpStatusCode)
		require.NotNil(t, resp.Replication)
		r := resp.Replication
		assert.Equal(t, "3b5816b5-f29c-4172-9d9a-76c719a659ce", r.VaultId)
		assert.Equal(t, "0ca3eb86-8800-46da-9c37-9d657a825274", r.DestinationVaultId)
		assert.Equal(t, "region1", r.SourceRegion)
		assert.Equal(t, "region2", r.DestinationRegion)
		assert.Equal(t, "68589cac08274b82b4e254268a3862d8", r.DestinationProjectId)
		assert.Equal(t, "4229d7a45436489f8c3dc2b1d35d4987", r.ProjectId)
		assert.Equal(t, "0daac4c5-6707-4851-97ba-169e36266b66", r.ProviderId)
		require.Len(t, r.Backups, 3)
		assert.Equal(t, "7558e1a3-7046-4787-95cd-14b0ad0642a8", r.Backups[0].BackupId)
		assert.Equal(t, "de128dfa-5451-4905-9c11-8fc842b2f41e", r.Backups[0].ReplicationRecordId)

		g.mu.Lock()
		last := g.seen[len(g.seen)-1]
		g.mu.Unlock()
		assert.Equal(t, testProjectID, last.Header.Get(aksk.HeaderProjectID))
		assert.Regexp(t, `^SDK-HMAC-SHA256 Access=`+testAK+`, SignedHeaders=user-agent;x-project-id;x-sdk-date, Signature=[0-9a-f]{64}$`,
			last.Header.Get(aksk.HeaderAuthorization))
	})

	t.Run("a wrong SK gets 401 naming the failed check", func(t *testing.T) {
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
