// Package auth signs in to IAM (Keystone v3) for a project-scoped user
// token and keeps it: a [Session] is a token source for package client
// (its Token method), cached for the token's life and renewed a few minutes
// before expires_at, one IAM request however many goroutines ask.
//
// Where to sign in is a [Config]: read from clouds.yaml (and secure.yaml,
// each at most 1 MiB) with [FromCloud], or from the OS_* variables of an
// openrc with [FromEnv]. The sign-in itself is gophercloud's
// (github.com/gophercloud/gophercloud/v2): openstack/config/clouds parses
// clouds.yaml, openstack.AuthenticateV3 exchanges the password (or a token)
// for a token scoped to the project, and the token's expires_at, project
// and catalog are read from gophercloud's auth result. An account with
// login protection adds the code of its virtual MFA device
// (Config.Passcode, OS_PASSCODE): the methods password and totp are sent,
// as IAM's page on virtual MFA shows them.
//
// The password goes to the configured IAM and nowhere else: the auth URL
// is IAM's v3 URL (/v3 is appended to one without a version), IAM is not
// asked for its versions (a version document may name another host or
// plain http), no redirect is followed, and a request to another scheme,
// host or port is refused before it is written.
//
// A failed sign-in is a [*SignInError] that names the IAM URL and the cause
// and tells a refusal (wrong password, unknown user or project: Refused)
// from an IAM that could not be reached. It quotes IAM's error message,
// with the secrets redacted (also JSON-escaped) before it is shortened, and
// nothing of an answer of another shape. A refusal is returned again for
// [RefusalHold] without asking IAM, which locks accounts after repeated
// failures. The password, token and passcode are held as secret.Value
// (package secret): no error, printed or encoded Config or Session ever
// shows them, and [Config.Warnings] says what puts them at risk (TLS not
// verified, a secure.yaml others can read).
package auth
