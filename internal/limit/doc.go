// Package limit bounds what the project reads and quotes: ReadAll is the one
// place where a request, an answer or an input file is read, so that no body
// makes memory grow with its size, and Text the one that shortens text for
// a message.
package limit
