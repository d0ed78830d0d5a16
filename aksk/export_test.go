package aksk

import (
	"bufio"
	"net/http"
)

// HashedBytes is the length of the canonical request that Verify hashes
// for req and body (besides the body, hashed once), 0 when it refuses the
// Authorization before; for the tests of package aksk_test, which bound
// Verify's work by it.
func HashedBytes(req *http.Request, body []byte) int {
	auth, err := parseAuthorization(req.Header.Get(HeaderAuthorization))
	if err != nil {
		return 0
	}
	r, err := readRequest(req, body, func(string) bool { return true })
	if err != nil {
		return 0
	}
	var n byteCounter
	w := bufio.NewWriter(&n)
	writeCanonicalRequest(w, r, auth.signedHeaders)
	_ = w.Flush()
	return int(n)
}

// byteCounter counts what is written to it.
type byteCounter int

func (c *byteCounter) Write(p []byte) (int, error) {
	*c += byteCounter(len(p))
	return len(p), nil
}
