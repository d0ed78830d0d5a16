// Package contract proves the OpenAPI spec (openapi/cbr-replicate.yaml) and
// the code generated from it (gen/cbr) against the published API page
// "Replicating a Restore Point" (testdata/CopyCheckpoint.html).
//
// ParsePage reads the page's tables and examples; CheckPage compares every
// table row with the spec in both directions. ParseFacts and CheckFacts do
// the same for what the page only points to (testdata/cbr-facts.md): the
// error codes per status, the quoted error body and the endpoints. The
// tests also send the page's examples and deliberately broken requests
// through kin-openapi's openapi3filter to pin down each rule the spec
// enforces. Nothing imports this package: it exists for its tests.
package contract
