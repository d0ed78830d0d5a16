// Package cbrtest provides a fake of the CBR API for tests, every operation
// of the project's spec, in the manner of net/http/httptest.
//
// [New] returns the fake as an http.Handler ([Fake]) to call with
// httptest.NewRecorder or to mount in a server of the test's own;
// [NewServer] runs one on 127.0.0.1 ([Server]). Both return an error for an
// invalid option; NewServer panics only if it cannot listen, as
// httptest.NewServer does.
//
// Each request is judged in this order, as the service would:
//
//  1. a path of no operation gets 404, an operation's path with another
//     method 405 (with Allow), with CBR error bodies;
//  2. authentication, for every operation, before the body is read: any
//     non-empty X-Auth-Token by default; only one token with [WithToken]
//     (another gets 403 BackupService.8600); with [WithIAM] the fake also
//     serves IAM's token endpoint ([IAM]) and accepts only the tokens it
//     issued (401 for another or an expired one, 403 for another project);
//     with [WithAKSK] an SDK-HMAC-SHA256 signature is verified as the
//     gateway would (401 naming the check that failed);
//  3. validation against the operation in the spec (validate.Middleware,
//     at most [MaxBodyBytes] of a body): 413 over it, 415 for a
//     Content-Encoding, 403 without a token, 400 BackupService.9900
//     listing every violation (at most 100, and a count of the rest);
//  4. the answer: what a Prefer header asks for, as with Stoplight Prism
//     ("Prefer: code=404", "Prefer: code=400, example=DestinationVaultNotFound":
//     that status and the spec's example, 400 if the spec documents none);
//     else the answer [WithResponse] or [WithResponseBody] forces; else the
//     operation's handler ([WithHandler]); else, as Prism does, the
//     operation's documented 200 example. CopyCheckpoint has a handler of
//     its own: 200 with a replication built from the request (its vault and
//     destination, the project from the path, [ProviderID], the source
//     region of [WithSourceRegion] and [DefaultBackups] backups with fresh
//     random IDs).
//
// Every answer carries an X-Request-Id header and, but a [WithResponseBody]
// one, validates against the spec, which the package's tests and fuzz
// target check. [Fake.Requests] returns the requests the fake accepted
// (authenticated and valid): their operation, path parameters and raw
// bytes, credentials shown as "[REDACTED]"; [Fake.Received] counts every
// request. A zero or nil Fake answers 500 rather than panic.
package cbrtest
