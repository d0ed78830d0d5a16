// Package openapi embeds the hand-written OpenAPI document of the call,
// cbr-replicate.yaml, byte for byte (comments included), for programs that
// serve it, such as `cbr-replicate mock` at GET /openapi.yaml. Code that
// validates against the document uses the parsed copy package cbr embeds
// (cbr.GetSpec), generated from this same file.
package openapi

import _ "embed"

// YAML is openapi/cbr-replicate.yaml as written.
//
//go:embed cbr-replicate.yaml
var YAML []byte
