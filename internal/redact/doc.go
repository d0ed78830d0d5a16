// Package redact keeps credentials out of everything the project prints,
// logs or returns: one spelling ([Redacted]), one list of secret headers
// ([Header]), and the functions the client, the fake and the
// command all use to hide a token in headers, text and URLs; and keeps
// text from a server or a file from breaking a line or driving a terminal:
// one escape ([Printable], [JSON]) and one folding onto a line ([Fold],
// [Line]).
package redact
