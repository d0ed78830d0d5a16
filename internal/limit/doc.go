// Package limit reads message bodies with a bound: the one place where the
// project reads a request, an answer or an input file, so that no body makes
// memory grow with its size.
package limit
