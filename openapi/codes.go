package openapi

import (
	"cmp"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
)

// ErrorCode is one CBR error code, as the spec documents it in the examples
// of its error responses. The spec is the project's one table of error
// codes: the client's hints, the fake's and the middleware's answers all
// come from it, and internal/contract checks it against the facts the pages
// point to.
type ErrorCode struct {
	// Code is the error_code, e.g. "BackupService.6120".
	Code string
	// Meaning says in plain words what the code means (the example's summary).
	Meaning string
	// Statuses are the response keys that document the code, e.g. ["400"]
	// or ["400", "4XX"].
	Statuses []string
	// Example is the name of the spec's example, e.g. "DestinationVaultNotFound".
	Example string
}

// ErrorCodes returns every CBR error code the spec documents, sorted by code.
func ErrorCodes() []ErrorCode {
	var out []ErrorCode
	for _, code := range slices.Sorted(maps.Keys(load().codes)) {
		e, _ := LookupErrorCode(code)
		out = append(out, e)
	}
	return out
}

// LookupErrorCode returns what the spec documents for a CBR error code,
// given in full ("BackupService.6120") or as its number alone ("6120").
func LookupErrorCode(code string) (ErrorCode, bool) {
	e, ok := load().codes[NormalizeCode(code)]
	if !ok {
		return ErrorCode{}, false
	}
	c := *e
	c.Statuses = slices.Clone(e.Statuses)
	return c, true
}

// NormalizeCode turns "6120" into "BackupService.6120" and trims blanks, so
// that codes compare equal however the service or a caller spelt them.
func NormalizeCode(code string) string {
	code = strings.TrimSpace(code)
	if code == "" || strings.Trim(code, "0123456789") != "" {
		return code
	}
	return "BackupService." + code // the namespace of every CBR error code
}

// Regions returns the regions of the spec's server variable "region"
// ("eu-de", "eu-nl"), in the spec's order.
func Regions() []string { return slices.Clone(regionVariable().Enum) }

// DefaultRegion returns the default of the spec's server variable "region".
func DefaultRegion() string { return regionVariable().Default }

// ServerURL fills the spec's server URL template for region ("" for the
// default region), e.g. https://cbr.eu-de.otc.t-systems.com; a region the
// spec does not list is an error naming those it does.
func ServerURL(region string) (string, error) {
	v := regionVariable()
	region = cmp.Or(region, v.Default)
	if !slices.Contains(v.Enum, region) {
		return "", fmt.Errorf("unknown region %q: the spec's regions are %s", region, strings.Join(v.Enum, ", "))
	}
	return strings.ReplaceAll(load().doc.Servers[0].URL, "{region}", region), nil
}

// regionVariable is the "region" variable of the spec's first server; an
// empty one when the document has none (Doc says why).
func regionVariable() *openapi3.ServerVariable {
	if doc := load().doc; doc != nil && len(doc.Servers) > 0 && doc.Servers[0].Variables["region"] != nil {
		return doc.Servers[0].Variables["region"]
	}
	return &openapi3.ServerVariable{}
}
