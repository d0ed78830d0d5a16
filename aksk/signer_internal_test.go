package aksk

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestSignerUsesItsClock(t *testing.T) {
	// The page's vector of aksk_test.go, signed through a Signer whose
	// clock is stopped at the vector's time.
	const (
		body = `{"replicate":{"auto_trigger":false,"destination_project_id":"68589cac08274b82b4e254268a3862d8","destination_region":"region2","destination_vault_id":"0ca3eb86-8800-46da-9c37-9d657a825274","enable_acceleration":false,"vault_id":"3b5816b5-f29c-4172-9d9a-76c719a659ce"}}`
		want = "SDK-HMAC-SHA256 Access=HPUAEXAMPLEACCESSKEY, SignedHeaders=user-agent;x-project-id;x-sdk-date, Signature=f577cffdc96168a6d85d97d7a2278ec359a8b97a816537a364d16e6d03652e82"
	)
	s, err := NewSigner(NewCredentials("HPUAEXAMPLEACCESSKEY", "exampleSecretKey0123456789abcdefEXAMPLE1", ""),
		"4229d7a45436489f8c3dc2b1d35d4987")
	require.NoError(t, err)
	s.now = func() time.Time { return time.Date(2024, time.May, 17, 8, 30, 0, 0, time.UTC) }

	req, err := http.NewRequest(http.MethodPost,
		"https://cbr.eu-de.otc.t-systems.com/v3/4229d7a45436489f8c3dc2b1d35d4987/checkpoints/replicate", strings.NewReader(body))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/json;charset=UTF-8")
	req.Header.Set("User-Agent", "huaweicloud-usdk-go/3.0")
	require.NoError(t, s.SignRequest(req, []byte(body)))
	assert.Equal(t, want, req.Header.Get("Authorization"))
}
