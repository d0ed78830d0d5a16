package main

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// securityToken is the security token of the temporary key pair of these
// tests.
const securityToken = "gQpldS1kZS0xSECURITYTOKEN-never-printed-4f7a9c"

// TestTemporaryKeys signs with a temporary key pair from the environment
// against a mock whose --aksk-file has the pair's token in its third
// column.
func TestTemporaryKeys(t *testing.T) {
	t.Parallel()
	keysFile := "# AK SK [security token]\n" + testKeys.AccessKey + " " + secretKey + " " + securityToken + "\n"
	m := startMock(t, "--aksk-file", writeFile(t, "keys", keysFile))
	keys := []string{"OS_ACCESS_KEY=" + testKeys.AccessKey, "OS_SECRET_KEY=" + secretKey, "OS_PROJECT_ID=" + pageProjectID}
	for _, tc := range []struct {
		name   string
		env    []string
		code   int
		stderr string
	}{
		{"OS_SECURITY_TOKEN is sent and signed", append(keys, "OS_SECURITY_TOKEN="+securityToken), exitOK, ""},
		{"HUAWEICLOUD_SDK_SECURITY_TOKEN is read when OS_SECURITY_TOKEN is unset",
			append(keys, "HUAWEICLOUD_SDK_SECURITY_TOKEN="+securityToken), exitOK, ""},
		{"OS_SECURITY_TOKEN beats HUAWEICLOUD_SDK_SECURITY_TOKEN",
			append(keys, "OS_SECURITY_TOKEN="+securityToken, "HUAWEICLOUD_SDK_SECURITY_TOKEN=other-"+securityToken), exitOK, ""},
		{"a wrong security token is the mock's 401", append(keys, "OS_SECURITY_TOKEN=x"+securityToken), exitInvalid,
			"X-Security-Token is not the access key's"},
		{"a temporary key pair without its token is the mock's 401", keys, exitInvalid, "missing X-Security-Token"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res := execute(t, invocation{args: replicateArgs("--endpoint", m.url), env: tc.env})
			assert.Equal(t, tc.code, res.code, res.stderr)
			assert.Contains(t, res.stderr, tc.stderr)
			assertNoSecret(t, res.stdout, res.stderr)
			assert.NotContains(t, res.stdout+res.stderr, securityToken[:20])
		})
	}
	assert.Equal(t, exitOK, m.stop(t))
	assert.NotContains(t, m.stderr.String()+m.stdout.String(), securityToken[:20])

	t.Run("the dry run shows X-Security-Token redacted and among the signed headers", func(t *testing.T) {
		got := dryRun(t, append(keys, "OS_SECURITY_TOKEN="+securityToken), pageFlags()...)
		require.Contains(t, got.Header, "X-Security-Token")
		assert.Equal(t, "[REDACTED]", got.Header["X-Security-Token"])
		assert.Regexp(t, `SignedHeaders=[a-z;-]*x-security-token[a-z;-]*, Signature=\[REDACTED\]$`, got.Header["Authorization"])
	})
}
