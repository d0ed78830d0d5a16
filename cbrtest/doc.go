// Package cbrtest provides a fake of CBR's "Replicating a Restore Point"
// endpoint (POST /v3/{project_id}/checkpoints/replicate) for tests, in the
// manner of net/http/httptest.
//
// [NewServer] runs the fake on a loopback address; [Handler] returns it as a
// bare http.Handler to mount elsewhere. The fake is built on the generated
// strict server of package cbr behind validate.Middleware: it checks every
// request against the project's OpenAPI spec and answers as the service
// does, with CBR error bodies (400 listing every violation, 403
// BackupService.8600 without a token, 404, 405, 413 over [MaxBodyBytes]) and
// an X-Request-Id header on every answer. A valid request gets 200 with a
// replication built from it: its vault and destination, the project from the
// path, and [DefaultBackups] backups with fresh ids.
//
// A test can force an outcome per request with a Prefer header, as with
// Stoplight Prism ("Prefer: code=404", "Prefer: code=400,
// example=DestinationVaultNotFound"), or for every request with
// [WithResponse] and [WithResponseBody]; the answer is then the spec's
// documented example for that status. Requests are validated first: an
// invalid request gets 400 whatever is preferred. [Fake.Requests] returns
// what was accepted, with tokens redacted, for a test to assert on.
package cbrtest
