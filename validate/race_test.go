//go:build race

package validate_test

// raceFactor scales allocation bounds: the race detector doubles what
// bytes.Buffer allocates.
const raceFactor = 2
