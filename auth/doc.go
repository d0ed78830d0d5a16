// Package auth signs in to IAM (Keystone v3) for a project-scoped user
// token and keeps it: a [Session] is a token source for package replicate
// (its Token method), cached for the token's life and renewed a few minutes
// before expires_at, one IAM request however many goroutines ask.
//
// Where to sign in is a [Config]: read from clouds.yaml (and secure.yaml)
// with [FromCloud], or from the OS_* variables of an openrc with [FromEnv].
// The sign-in itself is gophercloud's (github.com/gophercloud/gophercloud/v2):
// openstack/config/clouds parses clouds.yaml, openstack/config makes the
// provider client and exchanges the password (or a token) for a token
// scoped to the project, and the token's expires_at, project and catalog
// are read from gophercloud's auth result.
//
// A failed sign-in is a [*SignInError] that names the IAM URL and the cause
// and tells a refusal (wrong password, unknown user or project: Refused)
// from an IAM that could not be reached. No error, printed Config or
// printed Session ever shows the password or a token.
package auth
