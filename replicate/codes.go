package replicate

import "strings"

// codePrefix is the namespace of every CBR error code ("BackupService.6120").
const codePrefix = "BackupService."

// codeMeanings says in plain words what each replication error code of the
// CBR API reference means (cbr-facts.md, "Error responses"), keyed by the full
// code as the service sends it in error_code.
var codeMeanings = map[string]string{
	"BackupService.1011": "the destination project does not support replication",
	"BackupService.6112": "invalid vault status (the vault is not in a state that allows replication)",
	"BackupService.6118": "failed to check the destination vault",
	"BackupService.6119": "the destination vault does not support replication",
	"BackupService.6120": "the destination vault does not exist (check destination_vault_id and destination_region)",
	"BackupService.6122": "the resource type does not support replication",
	"BackupService.6128": "replication is not allowed for this vault type",
	"BackupService.6129": "the destination vault has reached its maximum capacity",
	"BackupService.6130": "the vault is already being replicated",
	"BackupService.9900": "parameter verification failed (the service rejected a field of the request)",
	"BackupService.8600": "not authenticated (the token is missing, invalid or expired)",
	"BackupService.6105": "the vault does not exist (check vault_id and the project)",
	"BackupService.1005": "the destination region does not support replication",
	"BackupService.1006": "failed to import the backup replica",
	"BackupService.9910": "unknown error on the service side",
	"BackupService.9998": "authentication failed",
}

// CodeMeaning returns, in plain words, what a CBR replication error code
// means, or "" for a code it does not know. It accepts the full code
// ("BackupService.6120") or its number alone ("6120").
func CodeMeaning(code string) string {
	return codeMeanings[normalizeCode(code)]
}

// normalizeCode turns "6120" into "BackupService.6120" and trims blanks, so
// codes compare equal however the service or a caller spelt them.
func normalizeCode(code string) string {
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
