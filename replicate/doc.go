// Package replicate checks a replication before it is sent: replicating a
// vault (CopyCheckpoint, client.Client.Replicate) is one-way, and most of
// the ways it fails are documented. [Preflight] checks them with the calls
// the API documents, at the source and at the destination, and returns a
// [Report] of verdicts; `cbr-replicate replicate` runs it first and sends
// nothing when a check fails.
package replicate
