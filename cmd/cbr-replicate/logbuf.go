package main

import (
	"bufio"
	"io"
	"sync"
	"time"
)

// logFlushEvery bounds how long a log line of the mock waits in memory.
const logFlushEvery = 100 * time.Millisecond

// bufferedLog gathers the mock's log lines and writes them out at most
// logFlushEvery after the first one waiting (or when 32 KiB are waiting),
// instead of one write(2) per request: under load the system call per line
// cost the mock a fifth of its throughput. Close writes out what is left.
type bufferedLog struct {
	mu    sync.Mutex
	w     *bufio.Writer
	flush *time.Timer // pending, or nil
}

func newBufferedLog(w io.Writer) *bufferedLog {
	return &bufferedLog{w: bufio.NewWriterSize(w, 32<<10)}
}

func (b *bufferedLog) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.flush == nil {
		b.flush = time.AfterFunc(logFlushEvery, func() { _ = b.Close() })
	}
	return b.w.Write(p)
}

// Close writes out what is left; the log can be written to after.
func (b *bufferedLog) Close() error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.flush != nil {
		b.flush.Stop()
		b.flush = nil
	}
	return b.w.Flush()
}
