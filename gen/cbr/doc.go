// Package cbr holds the types, HTTP client and server interfaces that
// oapi-codegen generates from openapi/cbr-replicate.yaml, the OpenAPI
// description of the CBR calls of vault replication: CopyCheckpoint
// ("Replicating a Restore Point"), ShowReplicationCapabilities, ShowVault
// and ListBackups.
//
// Everything in cbr.gen.go is generated: change the spec and run
// `go generate ./...` instead of editing it. GetSpec returns the embedded
// spec, which package validate uses to check traffic at run time.
package cbr
