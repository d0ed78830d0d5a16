// Package aksk signs and verifies requests with an access key (AK) and a
// secret key (SK), the "SDK-HMAC-SHA256" scheme that Open Telekom Cloud and
// Huawei Cloud API gateways accept instead of an IAM token, and with the
// security token of a temporary key pair (agency and federated users).
//
// The scheme follows the public API Signing Guide; where the guide leaves a
// choice open, this package does what the signer of Huawei Cloud's Go SDK
// (github.com/huaweicloud/huaweicloud-sdk-go-v3, package core/auth/signer,
// and core/auth for the security token) does, so that both produce the
// same Authorization header for the same request, time and keys. The
// test-only module internal/sdkreferee checks that against the SDK itself.
//
// A signature covers:
//
//   - the method;
//   - the canonical URI: the decoded path split at "/", each segment
//     percent-escaped (everything but A-Z a-z 0-9 - _ . ~), always ending
//     in "/";
//   - the canonical query: names and values decoded, then escaped the same
//     way, sorted by name and, within a name, by value, joined with "&";
//   - the signed headers: every header of the request when it is signed,
//     except Content-Type (any name starting with "content-type"), names
//     that contain "_", and Authorization; each as "name:trimmed value",
//     names in lower case and sorted, at most [MaxSignedHeaders]. As in the
//     SDK, the host is signed only when the request has an explicit Host
//     header (the SDK's requests have none, so their SignedHeaders are
//     user-agent;x-project-id;x-sdk-date); Verify takes a signed "host"
//     from req.Host. X-Sdk-Date, X-Project-Id when a project ID is given,
//     and X-Security-Token when the key pair has a security token are set
//     before and signed with the rest;
//   - the hex SHA-256 of the body: exactly the bytes given to [Sign], which
//     must be the bytes sent. (The SDK signs the literal "UNSIGNED-PAYLOAD"
//     instead when the content type is neither JSON nor BSON; this package
//     always signs the body and [Verify] refuses an unsigned payload.)
//
// The string to sign is "SDK-HMAC-SHA256\n" + X-Sdk-Date + "\n" + hex
// SHA-256 of the canonical request; the signature is the hex HMAC-SHA256 of
// it under the SK, sent as
//
//	Authorization: SDK-HMAC-SHA256 Access=<AK>, SignedHeaders=<a;b;c>, Signature=<hex>
//
// [Verify] is the other side, for a fake gateway: it recomputes the
// signature of a request as received with the same function and reports the
// first check that failed as a [*VerifyError] with a [Reason] of its own.
// Beyond the signature it refuses what a signer never sends: a
// SignedHeaders list longer than MaxSignedHeaders, with a name not in lower
// case, named twice, out of order, or naming a header the request lacks,
// without x-sdk-date, or without x-security-token when that header is
// sent. A temporary key pair's request needs its security token; a
// permanent pair's request must carry none (no page of the cloud says what
// its gateway does then; AWS's, whose scheme this one follows, refuses a
// session token with long-term keys as invalid). A refusal costs time and
// memory proportional to the request: the canonical request is hashed as
// it is written, never held whole, and each header's values are read once.
//
// The SK and the security token never appear in any output of this
// package: [Credentials] holds them as secret.Value, and no error carries
// them or the expected signature. A zero or nil [Signer] refuses to sign.
package aksk
