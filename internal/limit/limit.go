package limit

import (
	"errors"
	"io"
	"net/http"
	"slices"
)

// The bounds the project reads bodies with.
const (
	// Request is the largest request body a server of this project reads
	// (the fake, validate.Middleware): 1 MiB, far above the page's ~300 bytes.
	Request int64 = 1 << 20
	// Answer is the largest answer body a client of this project reads
	// (replicate, validate.Transport): 16 MiB.
	Answer int64 = 16 << 20
	// Input is the largest body `cbr-replicate validate` reads from a file
	// or standard input: 10 MiB.
	Input int64 = 10 << 20
	// World is the largest world file the fake reads (cbrtest.ParseWorld):
	// 1 MiB, thousands of vaults. A YAML node costs some hundred bytes.
	World int64 = 1 << 20
	// ErrorBody is how much of an answer's body an error keeps: 64 KiB.
	ErrorBody int64 = 64 << 10
)

// ReadAll reads r to its end and returns what it read, holding at most n
// bytes: a longer r is an *http.MaxBytesError (Limit n) with the first n
// bytes returned beside it, and nothing more is read. n <= 0 means no bound.
// An error of r itself is returned as it is, with what was read before it.
// The buffer grows as the data comes but never past n+1 bytes, so a body
// over the bound costs about 2n bytes of allocation, whatever its size.
func ReadAll(r io.Reader, n int64) ([]byte, error) {
	if r == nil || r == http.NoBody {
		return nil, nil
	}
	if n <= 0 {
		return io.ReadAll(r)
	}
	// One byte more than allowed tells "exactly n" from "more than n".
	max := n + 1
	buf := make([]byte, 0, min(max, 512))
	for {
		if len(buf) == cap(buf) {
			buf = slices.Grow(buf, int(min(int64(cap(buf)), max-int64(cap(buf)))))
		}
		// Grow may round the capacity up: never read past max.
		m, err := r.Read(buf[len(buf):min(int64(cap(buf)), max)])
		buf = buf[:len(buf)+m]
		if int64(len(buf)) > n {
			return buf[:n], &http.MaxBytesError{Limit: n}
		}
		if err == io.EOF {
			return buf, nil
		}
		if err != nil {
			return buf, err
		}
	}
}

// TooLarge reports whether err is, or wraps, the error of a body over its
// bound (from ReadAll or http.MaxBytesReader), and the bound.
func TooLarge(err error) (int64, bool) {
	if mbe, ok := errors.AsType[*http.MaxBytesError](err); ok {
		return mbe.Limit, true
	}
	return 0, false
}
