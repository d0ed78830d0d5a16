// Package sdkreferee holds tests only: Huawei Cloud's Go SDK
// (github.com/huaweicloud/huaweicloud-sdk-go-v3 v0.1.207) referees package
// aksk. Its signer (core/auth/signer) must produce the same Authorization
// header as aksk.Sign for the same request, time and keys (and the same
// X-Security-Token for a temporary key pair), and its unmodified CBR v1
// client (CopyCheckpoint), signing with AK/SK (and a security token), must
// pass aksk.Verify in a loopback server.
//
// This is a separate module (its own go.mod, replacing the main module with
// ../..) so that the SDK and its dependencies stay out of the main module's
// go.mod: importers of our packages never download them, and `go mod tidy`
// in the main module does not add them. Run it with
//
//	cd internal/sdkreferee && go test ./...
package sdkreferee
