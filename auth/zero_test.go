package auth_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cbr-replicate/cbr-replicate/auth"
	"github.com/cbr-replicate/cbr-replicate/secret"
)

// The zero values of auth's types are walked by internal/zerovalue's test,
// with every other package's; these are auth's own zero arguments.
func TestZeroArguments_ANilOptionAndANilGetenv(t *testing.T) {
	good := auth.Config{AuthURL: "https://iam.example.org/v3", UserID: "u1", Password: secret.New(password), ProjectID: "p1"}
	require.NotPanics(t, func() {
		_, err := auth.NewSession(good, nil)
		assert.NoError(t, err, "a nil Option is no option")
	})
	require.NotPanics(t, func() {
		_, err := auth.FromEnv(nil)
		assert.NoError(t, err, "a nil getenv reads the process environment")
	})
}
