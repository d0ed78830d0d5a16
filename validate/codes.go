package validate

import (
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/cbr-replicate/cbr-replicate/gen/cbr"
)

// CBR error codes the Middleware answers with, as the spec documents them
// (TestMiddlewareCodesAreDocumented checks that ErrorCodes has each).
const (
	CodeParameterVerificationFailed = "BackupService.9900"
	CodeNotAuthenticated            = "BackupService.8600"
	CodeUnknownError                = "BackupService.9910"
)

// codePrefix is the namespace of every CBR error code ("BackupService.6120").
const codePrefix = "BackupService."

// ErrorCode is one CBR error code of the call, as the spec documents it in
// the examples of its error responses. The spec is the project's one table
// of error codes: the client's hints, the fake's and the middleware's
// answers all come from it, and internal/contract checks it against the
// facts the page points to.
type ErrorCode struct {
	// Code is the error_code, e.g. "BackupService.6120".
	Code string
	// Message is the error_msg of the spec's example.
	Message string
	// Meaning says in plain words what the code means (the example's summary).
	Meaning string
	// Statuses are the response keys that document the code, e.g. ["400"]
	// or ["400", "4XX"].
	Statuses []string
	// Example is the name of the spec's example, e.g. "DestinationVaultNotFound".
	Example string
}

// errorCodes reads the table from the embedded spec once.
var errorCodes = sync.OnceValues(func() (map[string]*ErrorCode, error) {
	doc, err := cbr.GetSpec()
	if err != nil {
		return nil, fmt.Errorf("validate: loading the embedded OpenAPI document: %w", err)
	}
	table := map[string]*ErrorCode{}
	for _, item := range doc.Paths.Map() {
		for _, op := range item.Operations() {
			for status, ref := range op.Responses.Map() {
				if ref == nil || ref.Value == nil {
					continue
				}
				mt := ref.Value.Content.Get("application/json")
				if mt == nil {
					continue
				}
				for name, ex := range mt.Examples {
					if ex == nil || ex.Value == nil {
						continue
					}
					body, _ := ex.Value.Value.(map[string]any)
					code, _ := body["error_code"].(string)
					if code == "" {
						continue
					}
					msg, _ := body["error_msg"].(string)
					e := table[code]
					if e == nil {
						e = &ErrorCode{Code: code, Message: msg, Meaning: ex.Value.Summary, Example: name}
						table[code] = e
					}
					e.Statuses = append(e.Statuses, status)
				}
			}
		}
	}
	for _, e := range table {
		slices.Sort(e.Statuses)
	}
	return table, nil
})

// ErrorCodes returns every CBR error code the spec documents, sorted by code.
func ErrorCodes() []ErrorCode {
	table, err := errorCodes()
	if err != nil {
		return nil
	}
	out := make([]ErrorCode, 0, len(table))
	for _, e := range table {
		c := *e
		c.Statuses = slices.Clone(e.Statuses)
		out = append(out, c)
	}
	slices.SortFunc(out, func(a, b ErrorCode) int { return strings.Compare(a.Code, b.Code) })
	return out
}

// LookupErrorCode returns what the spec documents for a CBR error code,
// given in full ("BackupService.6120") or as its number alone ("6120").
func LookupErrorCode(code string) (ErrorCode, bool) {
	table, err := errorCodes()
	if err != nil {
		return ErrorCode{}, false
	}
	e, ok := table[NormalizeCode(code)]
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
	if code == "" || strings.Contains(code, ".") {
		return code
	}
	for _, r := range code {
		if r < '0' || r > '9' {
			return code
		}
	}
	return codePrefix + code
}
