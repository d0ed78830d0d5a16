//go:build !race

package cbrtest_test

// raceEnabled tells a test that the race detector runs.
const raceEnabled = false
