// Package cbrtest provides a fake of CBR's "Replicating a Restore Point"
// endpoint (POST /v3/{project_id}/checkpoints/replicate) for tests, in the
// manner of net/http/httptest.
//
// [New] returns the fake as an http.Handler ([Fake]) to call with
// httptest.NewRecorder or to mount in a server of the test's own;
// [NewServer] runs one on 127.0.0.1 ([Server]). Both return an error for an
// invalid option; NewServer panics only if it cannot listen, as
// httptest.NewServer does.
//
// The fake is the generated strict server of package cbr behind
// validate.Middleware, which reads at most [MaxBodyBytes] of a body and
// checks every request against the project's OpenAPI spec. It answers as the
// service does, with CBR error bodies: 404 and 405 for another path or
// method; 403 BackupService.8600 for a token [WithToken] does not accept,
// before the body is read, as the service authenticates first; 413 over
// MaxBodyBytes; 415 for a Content-Encoding (a compressed body); 403 without
// a token; 400 BackupService.9900 listing every violation (at most 100, and
// a count of the rest). Every answer carries an X-Request-Id header. A valid request
// gets 200 with a replication built from it: its vault and destination, the
// project from the path, [ProviderID], the source region of
// [WithSourceRegion] and [DefaultBackups] backups with fresh random ids.
//
// Authentication, as the service's: any non-empty X-Auth-Token by default;
// only one token with [WithToken]; with [WithIAM] the fake also serves
// IAM's token endpoint (Keystone v3 POST /v3/auth/tokens, [IAM]) whose
// catalog points at the fake itself, and accepts only the tokens it issued
// (401 for another or an expired one, so a client's renewal can be tested);
// with [WithAKSK] it verifies SDK-HMAC-SHA256 signatures (package aksk) as
// the gateway would, beside tokens. Clients sign in, or sign, for real
// against one fake, with no network.
//
// A test can force an outcome per request with a Prefer header, as with
// Stoplight Prism ("Prefer: code=404", "Prefer: code=400,
// example=DestinationVaultNotFound"), or for every request with
// [WithResponse] and [WithResponseBody]. The answer is then the spec's
// documented example for that status (the first by name unless one is named;
// a status documented only by a range, such as 502 by 5XX, gets the range's
// example; a status the spec does not document, such as 201, gets 400).
// Requests are validated first: an invalid request gets 400 whatever is
// preferred, and a Prefer header the fake cannot follow gets 400 too.
//
// [Fake.Requests] returns the requests the fake accepted (valid, and
// authenticated), credentials shown as "[REDACTED]", for a test to assert
// on; [Fake.Received] counts every request. Every answer but a
// [WithResponseBody] one validates against the spec, which the package's
// tests and fuzz target check. A zero or nil Fake answers 500 rather than
// panic.
package cbrtest
