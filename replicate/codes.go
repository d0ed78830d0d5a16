package replicate

import "github.com/cbr-replicate/cbr-replicate/validate"

// CodeMeaning returns, in plain words, what a CBR replication error code
// means, or "" for a code the spec does not document. It accepts the full
// code ("BackupService.6120") or its number alone ("6120"). The meanings
// are the spec's (validate.ErrorCodes).
func CodeMeaning(code string) string {
	e, _ := validate.LookupErrorCode(code)
	return e.Meaning
}
