package auth_test

import (
	"fmt"

	"github.com/cbr-replicate/cbr-replicate/auth"
)

// FromEnv reads where to sign in from the variables of an openrc; Describe
// says it without signing in (and never shows the password), which is what
// a dry run prints. auth.NewSession(cfg) would then sign in on first use.
func ExampleFromEnv() {
	env := map[string]string{
		"OS_AUTH_URL":         "https://iam.eu-de.otc.t-systems.com:443/v3",
		"OS_USERNAME":         "backup-admin",
		"OS_PASSWORD":         "never-printed",
		"OS_USER_DOMAIN_NAME": "OTC00000000001000000123",
		"OS_PROJECT_NAME":     "eu-de",
		"OS_REGION_NAME":      "eu-de",
	}
	cfg, err := auth.FromEnv(func(name string) string { return env[name] })
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(cfg.Describe())
	fmt.Println(cfg.Validate())
	// Output:
	// IAM https://iam.eu-de.otc.t-systems.com:443/v3, user backup-admin (domain OTC00000000001000000123), project eu-de (domain OTC00000000001000000123), region eu-de; from OS_* environment variables
	// <nil>
}
