// Package openapi embeds the hand-written OpenAPI document,
// cbr-replicate.yaml, byte for byte (comments included), for programs that
// serve it (`cbr-replicate mock` at GET /openapi.yaml), and parses it once
// (Doc) for every package that reads the spec.
package openapi

import _ "embed"

// YAML is openapi/cbr-replicate.yaml as written.
//
//go:embed cbr-replicate.yaml
var YAML []byte
