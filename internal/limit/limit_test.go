package limit_test

import (
	"errors"
	"io"
	"net/http"
	"runtime"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cbr-replicate/cbr-replicate/internal/limit"
)

// endless is a reader that never ends, as a hostile peer's body.
type endless struct{ read int64 }

func (e *endless) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = ' '
	}
	e.read += int64(len(p))
	return len(p), nil
}

func TestReadAll(t *testing.T) {
	t.Run("a body within the bound is read whole", func(t *testing.T) {
		got, err := limit.ReadAll(strings.NewReader("abcd"), 4)
		require.NoError(t, err)
		assert.Equal(t, "abcd", string(got))
	})
	t.Run("a body over the bound is a MaxBytesError with the first n bytes", func(t *testing.T) {
		got, err := limit.ReadAll(strings.NewReader("abcde"), 4)
		var mbe *http.MaxBytesError
		require.ErrorAs(t, err, &mbe)
		assert.EqualValues(t, 4, mbe.Limit)
		assert.Equal(t, "abcd", string(got))
		n, ok := limit.TooLarge(err)
		assert.True(t, ok)
		assert.EqualValues(t, 4, n)
	})
	t.Run("an endless body stops one byte past the bound", func(t *testing.T) {
		r := &endless{}
		_, err := limit.ReadAll(r, 1<<20)
		_, ok := limit.TooLarge(err)
		require.True(t, ok)
		assert.LessOrEqual(t, r.read, int64(1<<20+64<<10), "read far past the bound")
	})
	t.Run("a reader's own error is returned with what was read", func(t *testing.T) {
		boom := errors.New("boom")
		got, err := limit.ReadAll(io.MultiReader(strings.NewReader("ab"), iotestErr{boom}), 10)
		assert.ErrorIs(t, err, boom)
		assert.Equal(t, "ab", string(got))
		_, ok := limit.TooLarge(err)
		assert.False(t, ok)
	})
	t.Run("nil and http.NoBody are empty", func(t *testing.T) {
		got, err := limit.ReadAll(nil, 10)
		require.NoError(t, err)
		assert.Empty(t, got)
		got, err = limit.ReadAll(http.NoBody, 10)
		require.NoError(t, err)
		assert.Empty(t, got)
	})
}

type iotestErr struct{ err error }

func (e iotestErr) Read([]byte) (int, error) { return 0, e.err }

// TestReadAllAllocationIsBounded reads a 64 MiB hostile body with a 1 MiB
// bound and checks that the allocation follows the bound, not the body.
func TestReadAllAllocationIsBounded(t *testing.T) {
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	_, err := limit.ReadAll(io.LimitReader(&endless{}, 64<<20), 1<<20)
	runtime.ReadMemStats(&after)
	_, ok := limit.TooLarge(err)
	require.True(t, ok)
	assert.Less(t, after.TotalAlloc-before.TotalAlloc, uint64(4<<20), "bytes allocated for a 64 MiB body with a 1 MiB bound")
}
