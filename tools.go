//go:build tools

// Package tools pins the versions of the tools the build runs through
// `go run`/`go generate`: the code generator (oapi-codegen, used by go
// generate in gen/cbr) and the linter (staticcheck, used by `make lint`).
package tools

import (
	_ "github.com/oapi-codegen/oapi-codegen/v2/cmd/oapi-codegen"
	_ "honnef.co/go/tools/cmd/staticcheck"
)
