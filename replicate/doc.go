// Package replicate checks a replication before it is sent. Replicating
// a vault (CopyCheckpoint) is one-way: the user guide says a vault can be
// replicated to a destination region once, ever, and most of the ways the
// call fails are documented. [Preflight] checks them with the calls the API
// documents (ShowReplicationCapabilities, ShowVault, ListBackups; package
// client), at the source and, with a client scoped to the destination
// project, at the destination, and returns a typed [Report]: each check's
// name, verdict (pass, fail, skip) and reason.
//
// The call itself is client.Client.Replicate; `cbr-replicate replicate`
// runs Preflight first and sends nothing when a check fails.
package replicate
