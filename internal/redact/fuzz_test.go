package redact_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/cbr-replicate/cbr-replicate/internal/redact"
)

// FuzzHeaderHidesTheSignature puts "Signature=<sig>" anywhere among the
// parameters of an SDK-HMAC-SHA256 Authorization: Header must never show
// sig, however the rest is written.
func FuzzHeaderHidesTheSignature(f *testing.F) {
	f.Add("Access=AK, SignedHeaders=x-sdk-date, ", "")
	f.Add("Access=AK ", ", SignedHeaders=x-sdk-date")
	f.Add("Access=AK, SignedHeaders=x-sdk-date;", "")
	f.Add("", "0 , Access=AK")
	const sig = "5ec2e70123456789abcdef"
	f.Fuzz(func(t *testing.T, before, after string) {
		if strings.Contains(before+after, sig[:4]) {
			t.Skip("the signature is elsewhere too")
		}
		h := http.Header{"Authorization": {"SDK-HMAC-SHA256 " + before + "Signature=" + sig + after}}
		if got := redact.Header(h).Get("Authorization"); strings.Contains(got, sig[:4]) {
			t.Fatalf("the signature shows: %q", got)
		}
	})
}
