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
//     operation's handler ([WithHandler]); else the fake's [World]'s
//     answer (below); else, as Prism does, the operation's documented 200
//     example.
//
// The fake knows a [World]: regions, each with the regions it replicates
// to, and vaults in them ([DefaultWorld] unless [WithWorld]). It serves
// every region of its world on one listener: a request for region R comes
// at the path prefix /R (/eu-nl/v3/{project_id}/...), a path without a
// prefix is for the fake's own region ([WithSourceRegion], eu-de by
// default); [Fake.RegionURL] gives each region's URL, and the catalog of
// [WithIAM]'s tokens lists each region's CBR at it in Open Telekom Cloud's
// form, URL/v3/{project_id} for the fake's own region, URL/R/v3/{project_id}
// for another.
// ShowReplicationCapabilities answers with the request's region and its
// destinations, ShowVault with a vault of the request's region and project
// (404 BackupService.6105 otherwise), ListBackups with their backups (stable
// IDs per vault). CopyCheckpoint is refused as the documents say the
// service refuses it, checked in this order, each with the spec's example
// of the code:
//
//   - the source vault is not in the request's region and project: 404
//     BackupService.6105;
//   - it is not a server vault (6128, as the user guide says), or it is a
//     replication vault (6128 too, chosen: the appendix's "Replication is
//     not allowed for the current type of vaults");
//   - its status is not available: 6112;
//   - it holds no available ECS backup with the system disk: 6122 (chosen:
//     "The resource type does not support replication", as what is missing
//     is a backup of the one resource type that replicates);
//   - the destination region is not among the region's destinations: 500
//     BackupService.1005;
//   - the destination vault is not in the destination region and project:
//     6120;
//   - it is not a replication vault, or holds another object type: 6119;
//   - it is full (used MB at least size GB × 1024): 6129;
//   - the vault was replicated to that region before: 6130 (chosen: the
//     documents give no code for a second replication, and "The vault is
//     being replicated" is the one about the vault's own replication). Only
//     a world given with WithWorld remembers replications; the default
//     world replicates the page's example as often as asked.
//
// The documents give no order: this is the order the service plausibly
// checks in (the source, then the destination region, then the
// destination vault, then the once-only rule). Otherwise the answer is 200
// with a replication of the source vault's backups (their stable IDs, fresh
// replication_record_ids), the project from the path and the request's
// region as source_region.
//
// Where the answers come from: each error body has the CBR shape
// {"error_code", "error_msg"} (cbr-facts.md, "Error responses", from the
// reference's other pages); each code and its status are the error-code
// appendix's (error_codes.rst; the spec also documents 8600 under 401), and
// a refusal's message is the spec's example of its code, as the appendix
// spells it. The replication constraints are the user guide's
// (replicating_a_vault_across_regions.umn.rst: a server backup vault, a
// backup with system disk data, a replication vault of another region);
// the 200 bodies are the pages' examples or their tables' fields; the IAM
// token and catalog follow IAM's token pages and cbr-facts.md ("Endpoints":
// the catalog's CBR URL with the project). No page settles the rest, which
// the fake chooses: the 404 and 405 of a path of no operation, 413 and 415,
// the 401 of AK/SK verification (the gateway's own codes are not
// documented), the error_msg text after the appendix's words, the 400 of a
// Prefer header it cannot follow (Stoplight Prism's behaviour), the 500
// 9910 of a zero Fake, and the order of the refusals below.
//
// Every answer carries an X-Request-Id header and, but a [WithResponseBody]
// one, validates against the spec, which the package's tests and fuzz
// target check. [Fake.Requests] returns the requests the fake accepted
// (authenticated and valid): their operation, path parameters and raw
// bytes, credentials shown as "[REDACTED]"; [Fake.Received] counts every
// request. A zero or nil Fake answers 500 rather than panic.
package cbrtest
