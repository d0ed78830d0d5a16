package cbrtest

import (
	"crypto/rand"
	"unicode/utf8"

	"github.com/google/uuid"

	"github.com/cbr-replicate/cbr-replicate/gen/cbr"
)

// The 200 answer is the hot path of the fake: it is encoded here without
// reflection, byte for byte as encoding/json encodes
// cbr.CopyCheckpoint200JSONResponse (encode_test.go proves it), and its ids
// come from one read of crypto/rand.

// newUUIDs returns n random (version 4) UUIDs in their string form.
func newUUIDs(n int) []string {
	if n == 0 {
		return nil
	}
	raw := make([]byte, 16*n)
	_, _ = rand.Read(raw) // never fails (crypto/rand, Go 1.24+)
	out := make([]string, n)
	for i := range out {
		var u uuid.UUID
		copy(u[:], raw[16*i:])
		u[6] = u[6]&0x0f | 0x40 // version 4
		u[8] = u[8]&0x3f | 0x80 // RFC 4122 variant
		out[i] = u.String()
	}
	return out
}

// appendReplication appends what encoding/json's Encoder writes for
// cbr.CopyCheckpoint200JSONResponse{Replication: b}: the JSON object and a
// newline, fields in struct order, empty ones omitted.
func appendReplication(dst []byte, b *cbr.CheckpointReplicateRespBody) []byte {
	dst = append(dst, `{"replication":{`...)
	first := true
	if len(b.Backups) > 0 {
		dst = append(dst, `"backups":[`...)
		for i, bk := range b.Backups {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = append(dst, '{')
			inner := true
			dst = appendField(dst, &inner, "backup_id", bk.BackupId)
			dst = appendField(dst, &inner, "replication_record_id", bk.ReplicationRecordId)
			dst = append(dst, '}')
		}
		dst = append(dst, ']')
		first = false
	}
	dst = appendField(dst, &first, "destination_project_id", b.DestinationProjectId)
	dst = appendField(dst, &first, "destination_region", b.DestinationRegion)
	dst = appendField(dst, &first, "destination_vault_id", b.DestinationVaultId)
	dst = appendField(dst, &first, "project_id", b.ProjectId)
	dst = appendField(dst, &first, "provider_id", b.ProviderId)
	dst = appendField(dst, &first, "source_region", b.SourceRegion)
	dst = appendField(dst, &first, "vault_id", b.VaultId)
	return append(dst, "}}\n"...)
}

// appendField appends "name":value unless value is empty (omitempty).
func appendField(dst []byte, first *bool, name, value string) []byte {
	if value == "" {
		return dst
	}
	if !*first {
		dst = append(dst, ',')
	}
	*first = false
	dst = append(dst, '"')
	dst = append(dst, name...)
	dst = append(dst, '"', ':')
	return appendString(dst, value)
}

const hexDigits = "0123456789abcdef"

// appendString appends s as a JSON string as encoding/json does with HTML
// escaping on: <, > and & as \u003c, \u003e, \u0026; invalid UTF-8 as
// \ufffd; U+2028 and U+2029 escaped.
func appendString(dst []byte, s string) []byte {
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); {
		if c := s[i]; c < utf8.RuneSelf {
			if c >= ' ' && c != '"' && c != '\\' && c != '<' && c != '>' && c != '&' {
				i++
				continue
			}
			dst = append(dst, s[start:i]...)
			switch c {
			case '"', '\\':
				dst = append(dst, '\\', c)
			case '\b':
				dst = append(dst, '\\', 'b')
			case '\f':
				dst = append(dst, '\\', 'f')
			case '\n':
				dst = append(dst, '\\', 'n')
			case '\r':
				dst = append(dst, '\\', 'r')
			case '\t':
				dst = append(dst, '\\', 't')
			default:
				dst = append(dst, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			dst = append(dst, s[start:i]...)
			dst = append(dst, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			dst = append(dst, s[start:i]...)
			dst = append(dst, '\\', 'u', '2', '0', '2', hexDigits[r&0xf])
			i += size
			start = i
			continue
		}
		i += size
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}
