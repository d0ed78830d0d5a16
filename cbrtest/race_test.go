//go:build race

package cbrtest_test

// raceEnabled tells a test that the race detector runs: the YAML of a
// world file of 1 MiB costs some 190 MB, which it makes several times slower.
const raceEnabled = true
