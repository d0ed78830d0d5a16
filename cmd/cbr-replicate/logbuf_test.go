package main

import (
	"bytes"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// lockedBuffer is a bytes.Buffer safe to read while the log's timer writes.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}
func (l *lockedBuffer) String() string { l.mu.Lock(); defer l.mu.Unlock(); return l.b.String() }

func TestBufferedLogWritesLinesOutLaterNotPerLine(t *testing.T) {
	var out lockedBuffer
	log := newBufferedLog(&out)
	_, err := log.Write([]byte("one\n"))
	require.NoError(t, err)
	_, _ = log.Write([]byte("two\n"))
	assert.Empty(t, out.String(), "held, not one write per line")
	require.Eventually(t, func() bool { return out.String() == "one\ntwo\n" }, 5*time.Second, time.Millisecond,
		"written out within logFlushEvery of the first line")
	_, _ = log.Write([]byte("three\n"))
	require.NoError(t, log.Close())
	assert.Equal(t, "one\ntwo\nthree\n", out.String(), "Close writes out what is left")
}
