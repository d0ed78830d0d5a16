package aksk

import (
	"errors"

	"github.com/cbr-replicate/cbr-replicate/secret"
)

// Credentials are an access key (AK), which identifies the key pair and may
// be shown; a secret key (SK), which signs; and, for a temporary key pair
// (agency or federated users), its security token. The SK and the token
// are secret.Value: no encoding (fmt, slog, JSON, text) shows them.
type Credentials struct {
	AccessKey string
	SecretKey secret.Value
	// SecurityToken comes with a temporary AK/SK and is empty for a
	// permanent one. Sign sends it in X-Security-Token and signs it.
	SecurityToken secret.Value
}

// NewCredentials returns the credentials of a key pair; securityToken is
// "" for a permanent key pair.
func NewCredentials(accessKey, secretKey, securityToken string) Credentials {
	return Credentials{AccessKey: accessKey, SecretKey: secret.New(secretKey), SecurityToken: secret.New(securityToken)}
}

// Errors of [Credentials.Check], for errors.Is.
var (
	ErrNoAccessKey = errors.New("aksk: the access key (AK) is empty")
	ErrNoSecretKey = errors.New("aksk: the secret key (SK) is empty")
)

// Check returns ErrNoAccessKey or ErrNoSecretKey (both when both are
// empty, and for nil) and nil when both keys are set.
func (c *Credentials) Check() error {
	if c == nil {
		return errors.Join(ErrNoAccessKey, ErrNoSecretKey)
	}
	var errs []error
	if c.AccessKey == "" {
		errs = append(errs, ErrNoAccessKey)
	}
	if c.SecretKey.IsZero() {
		errs = append(errs, ErrNoSecretKey)
	}
	return errors.Join(errs...)
}
