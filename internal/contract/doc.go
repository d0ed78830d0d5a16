// Package contract proves the OpenAPI spec (openapi/cbr-replicate.yaml) and
// the code generated from it (gen/cbr) against the published API pages,
// kept verbatim in testdata. Sources is the one table of which page proves
// which operation:
//
//	CopyCheckpoint               CopyCheckpoint.html (2023-11-22, the spec's source)
//	                             replicating_a_restore_point.rst (today's revision)
//	ShowReplicationCapabilities  querying_the_replication_capability.rst
//	ShowVault                    querying_a_specified_vault.rst
//	ListBackups                  querying_all_backups.rst
//
// ParsePage reads a page's HTML and ParseRST its reStructuredText into the
// same Page of tables and examples; CheckPages compares every table row of
// every page with the spec in both directions, and every operation of the
// spec with a page. ParseFacts, ReadAppendix and CheckFacts do the same for
// what the pages only point to: the error codes per status, the quoted
// error body and the endpoints of testdata/cbr-facts.md, and the messages
// of the error-code appendix (testdata/error_codes.rst). The tests also
// send the pages' examples and deliberately broken requests through
// kin-openapi's openapi3filter to pin down each rule the spec enforces.
// Nothing imports this package: it exists for its tests, so its readers
// and checkers live in _test.go files too (parse_html_test.go,
// parse_rst_test.go, check_page_test.go, check_facts_test.go) and are
// compiled only by go test.
package contract
