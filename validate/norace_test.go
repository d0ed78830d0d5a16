//go:build !race

package validate_test

// raceFactor scales allocation bounds: 1 without the race detector.
const raceFactor = 1
