package aksk_test

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"runtime"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/cbr-replicate/cbr-replicate/aksk"
)

// FuzzVerify builds a request from the fuzzer's method, target (path and
// query), header lines ("Name: value") and body; signs it (when sign is
// set, with the temporary key pair when temporary is) and then applies the
// edit lines ("Name: value" adds a value, "-Name" deletes the header,
// Authorization included). Verify must never panic, must accept a request
// only when its signature is the one the signing guide's algorithm (a
// plain transcription of the SDK's, below) gives for the request as it is,
// must accept what Sign signed when nothing was edited, and must stay
// bounded: allocation within a small multiple of the request's size, a
// message of a few short quotes that never shows a secret.
func FuzzVerify(f *testing.F) {
	f.Add("POST", "/v3/p/checkpoints/replicate", "User-Agent: sdk\nContent-Type: application/json", []byte(pageBody), "", true, false)
	f.Add("GET", "/v3/p/vaults/a%20b/?b=2&a=1&a=0&c", "X-Multi: b\nX-Multi: a\nHost: cbr.example", []byte(nil), "", true, true)
	f.Add("POST", "/", "X-A: 1", []byte("{}"), "X-A: 2", true, false)
	f.Add("POST", "/", "X-A: 1", []byte("{}"), "-X-Security-Token", true, true)
	f.Add("GET", "/", "Authorization: SDK-HMAC-SHA256 Access="+testAK+", SignedHeaders=x-a;x-a;x-sdk-date, Signature=00\nX-Sdk-Date: 20240517T083000Z\nX-A: 1",
		[]byte(nil), "", false, false)

	f.Fuzz(func(t *testing.T, method, target, headers string, body []byte, edits string, sign, temporary bool) {
		req, err := http.NewRequest(method, "http://127.0.0.1"+target, nil)
		if err != nil {
			return
		}
		wellFormed := addHeaderLines(req.Header, headers)
		creds := testCreds
		if temporary {
			creds = tempCreds
		}
		signed := sign && aksk.Sign(req, body, creds, testProjectID, testTime) == nil
		addHeaderLines(req.Header, edits)

		size := requestSize(req, body)
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		err = aksk.Verify(req, body, lookup, testTime, 0)
		runtime.ReadMemStats(&after)

		if allocated := after.TotalAlloc - before.TotalAlloc; allocated > uint64(8*size+256<<10) {
			t.Fatalf("Verify allocated %d bytes for a request of %d", allocated, size)
		}
		if err == nil {
			ak, signedHeaders, signature := authorizationParts(req.Header.Get("Authorization"))
			keys, _ := lookup(ak)
			want := referenceSignature(req, body, signedHeaders, keys.SecretKey.Reveal(), req.Header.Get("X-Sdk-Date"))
			if !hmac.Equal([]byte(want), []byte(signature)) {
				t.Fatalf("accepted a signature it did not compute: %q, the algorithm gives %s", req.Header.Get("Authorization"), want)
			}
			return
		}
		if signed && edits == "" && wellFormed {
			t.Fatalf("refused what Sign signed: %v\n%q", err, req.Header)
		}
		msg := err.Error()
		require.LessOrEqual(t, len(msg), 3*(2+10*64)+300, "a message of a few short quotes")
		for _, secret := range []string{testSK, testToken} {
			require.NotContains(t, msg, secret)
		}
	})
}

// addHeaderLines adds each "Name: value" line to h as is (names not made
// canonical) and deletes the header of each "-Name" line. It reports
// whether every name was a canonical HTTP token, as in a request a server
// received.
func addHeaderLines(h http.Header, lines string) bool {
	wellFormed := true
	for line := range strings.SplitSeq(lines, "\n") {
		if name, ok := strings.CutPrefix(line, "-"); ok {
			h.Del(name)
			continue
		}
		name, value, ok := strings.Cut(line, ":")
		if !ok {
			continue
		}
		wellFormed = wellFormed && name != "" && http.CanonicalHeaderKey(name) == name &&
			!strings.ContainsFunc(name, func(c rune) bool { return c <= ' ' || c >= 0x7f || strings.ContainsRune(`"(),/:;<=>?@[\]{}`, c) })
		h[name] = append(h[name], strings.TrimPrefix(value, " "))
	}
	return wellFormed
}

// authorizationParts takes an Authorization value apart the simple way.
func authorizationParts(value string) (ak string, signedHeaders []string, signature string) {
	for part := range strings.SplitSeq(strings.TrimPrefix(value, "SDK-HMAC-SHA256 "), ",") {
		key, val, _ := strings.Cut(strings.TrimSpace(part), "=")
		switch key {
		case "Access":
			ak = val
		case "SignedHeaders":
			signedHeaders = strings.Split(val, ";")
		case "Signature":
			signature = val
		}
	}
	return ak, signedHeaders, signature
}

// referenceSignature is the signature of the signing guide, transcribed
// plainly from the SDK's signer (core/auth/signer/signer.go): whole
// strings, fmt.Sprintf, sort after sort.
func referenceSignature(req *http.Request, body []byte, signedHeaders []string, sk, date string) string {
	segments := strings.Split(req.URL.Path, "/")
	for i, s := range segments {
		segments[i] = sdkEscape(s)
	}
	uri := strings.Join(segments, "/")
	if !strings.HasSuffix(uri, "/") {
		uri += "/"
	}
	query, _ := url.ParseQuery(req.URL.RawQuery)
	var pairs []string
	for _, k := range slices.Sorted(maps.Keys(query)) {
		values := slices.Sorted(slices.Values(query[k]))
		for _, v := range values {
			pairs = append(pairs, sdkEscape(k)+"="+sdkEscape(v))
		}
	}
	header := map[string][]string{}
	for k, vs := range req.Header {
		header[strings.ToLower(k)] = append(header[strings.ToLower(k)], vs...)
	}
	if _, ok := header["host"]; !ok {
		host := req.Host
		if host == "" {
			host = req.URL.Host
		}
		header["host"] = []string{host}
	}
	var lines []string
	for _, name := range signedHeaders {
		for _, v := range slices.Sorted(slices.Values(header[name])) {
			lines = append(lines, name+":"+strings.TrimSpace(v))
		}
	}
	method := req.Method
	if method == "" {
		method = http.MethodGet
	}
	bodyHash := sha256.Sum256(body)
	canonical := fmt.Sprintf("%s\n%s\n%s\n%s\n%s\n%s", method, uri, strings.Join(pairs, "&"),
		strings.Join(lines, "\n")+"\n", strings.Join(signedHeaders, ";"), hex.EncodeToString(bodyHash[:]))
	canonicalHash := sha256.Sum256([]byte(canonical))
	mac := hmac.New(sha256.New, []byte(sk))
	mac.Write([]byte("SDK-HMAC-SHA256\n" + date + "\n" + hex.EncodeToString(canonicalHash[:])))
	return hex.EncodeToString(mac.Sum(nil))
}

// sdkEscape is the SDK's escape: every byte but A-Z a-z 0-9 _ - ~ . as
// %XX.
func sdkEscape(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || strings.IndexByte("_-~.", c) >= 0 {
			b.WriteByte(c)
		} else {
			fmt.Fprintf(&b, "%%%02X", c)
		}
	}
	return b.String()
}
