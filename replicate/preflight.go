package replicate

import (
	"cmp"
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/cbr-replicate/cbr-replicate/client"
	"github.com/cbr-replicate/cbr-replicate/gen/cbr"
)

// Verdict is the outcome of one check.
type Verdict string

// The verdicts of a check.
const (
	// Pass: the documents' condition holds.
	Pass Verdict = "pass"
	// Fail: the condition does not hold; the replication would be refused.
	Fail Verdict = "fail"
	// Skip: the check could not run (no credential for the destination
	// project, no endpoint for its region, the service did not answer);
	// its Reason says why. A skipped check is not a passed one.
	Skip Verdict = "skip"
)

// The checks, in the order Preflight runs them.
const (
	CheckCapability  = "replication capability"
	CheckSourceVault = "source vault"
	CheckBackups     = "source backups"
	CheckDestination = "destination vault"
)

// What the documents say a replication needs, and where they say it.
const (
	serverObjectType = "server"
	backupProtect    = "backup"
	replicationVault = "replication"
	availableStatus  = "available"
	ecsResourceType  = "OS::Nova::Server"
	megabytesPerGiga = 1024
	capabilitiesPage = "querying_the_replication_capability.rst"
	vaultPage        = "querying_a_specified_vault.rst"
	backupsPage      = "querying_all_backups.rst"
	constraintsPage  = "replicating_a_vault_across_regions.umn.rst"
)

// Check is the outcome of one check.
type Check struct {
	// Name says what was checked, e.g. "source vault".
	Name string `json:"name"`
	// Verdict is pass, fail or skip.
	Verdict Verdict `json:"verdict"`
	// Reason says why, and for a failure what to do.
	Reason string `json:"reason"`
	// Source names the documents the check comes from.
	Source string `json:"source"`
}

// Report is the outcome of every check, in order.
type Report struct {
	Checks []Check `json:"checks"`
}

// Failed returns the first check that failed, nil if none did.
func (r Report) Failed() *Check { return r.first(Fail) }

// Skipped returns the first check that could not run, nil if every one ran.
func (r Report) Skipped() *Check { return r.first(Skip) }

func (r Report) first(v Verdict) *Check {
	if i := slices.IndexFunc(r.Checks, func(c Check) bool { return c.Verdict == v }); i >= 0 {
		return &r.Checks[i]
	}
	return nil
}

// Plan is what Preflight checks: the replication and the clients it needs.
type Plan struct {
	// Param is the replication, as it would be sent.
	Param cbr.CheckpointReplicateParam
	// Source calls the source region, scoped to the source project (the
	// client that would send the replication).
	Source *client.Client
	// Destination calls the destination region, scoped to
	// Param.DestinationProjectId; nil when no credential or endpoint can
	// reach it: the destination check is then skipped for DestinationSkip.
	Destination *client.Client
	// DestinationSkip says why Destination is nil.
	DestinationSkip string
}

// Preflight checks, with the calls the API documents, what the documents
// say a replication needs, before the one-way POST is sent:
//
//  1. replication capability: the source region replicates to
//     Param.DestinationRegion (ShowReplicationCapabilities);
//  2. source vault: it exists in the source region and project, is a server
//     backup vault (object_type server, protect_type backup: a disk vault
//     is refused with BackupService.6128, a replication vault cannot be
//     replicated again) and available (ShowVault);
//  3. source backups: it holds at least one available ECS backup with its
//     system disk (ListBackups);
//  4. destination vault: it exists in the destination region and project
//     (BackupService.6120), is a replication vault of the source's object
//     type (6119) with room left (6129) (ShowVault at the destination).
//
// A vault can be replicated to a destination region only once, ever (the
// user guide); no documented call tells whether it already was, so no
// check does. progress, when not nil, is called with each check's name
// before it runs and with its outcome after. Preflight sends nothing but
// these GETs.
func Preflight(ctx context.Context, p Plan, progress func(name string, done *Check)) Report {
	var r Report
	run := func(name, source string, check func() (Verdict, string)) {
		if progress != nil {
			progress(name, nil)
		}
		v, reason := check()
		r.Checks = append(r.Checks, Check{Name: name, Verdict: v, Reason: reason, Source: source})
		if progress != nil {
			progress(name, &r.Checks[len(r.Checks)-1])
		}
	}
	param := p.Param
	run(CheckCapability, capabilitiesPage, func() (Verdict, string) { return capability(ctx, p.Source, param.DestinationRegion) })
	var source *cbr.Vault
	run(CheckSourceVault, vaultPage+", "+constraintsPage, func() (v Verdict, reason string) {
		source, v, reason = sourceVault(ctx, p.Source, param.VaultId)
		return v, reason
	})
	run(CheckBackups, backupsPage+", "+constraintsPage, func() (Verdict, string) { return backups(ctx, p.Source, param.VaultId) })
	run(CheckDestination, vaultPage+", "+constraintsPage, func() (Verdict, string) {
		if p.Destination == nil {
			return Skip, p.DestinationSkip
		}
		return destinationVault(ctx, p.Destination, param, source)
	})
	return r
}

// couldNot is the verdict of a check whose call failed other than with an
// answer that settles it.
func couldNot(what string, err error) (Verdict, string) {
	return Skip, fmt.Sprintf("could not %s: %v", what, err)
}

func capability(ctx context.Context, c *client.Client, region string) (Verdict, string) {
	caps, err := c.ShowReplicationCapabilities(ctx)
	if err != nil {
		return couldNot("query the replication capability", err)
	}
	var names []string
	for _, r := range caps.Regions {
		if slices.Contains(r.ReplicationDestinations, region) {
			return Pass, fmt.Sprintf("%s replicates to %s", r.Name, region)
		}
		names = append(names, fmt.Sprintf("%s to %s", r.Name, orNothing(r.ReplicationDestinations...)))
	}
	return Fail, fmt.Sprintf("the source region does not replicate to %s (it replicates %s): choose a destination region it replicates to",
		region, orNothing(names...))
}

func sourceVault(ctx context.Context, c *client.Client, id string) (*cbr.Vault, Verdict, string) {
	v, err := c.ShowVault(ctx, id)
	switch {
	case client.StatusCode(err) == http.StatusNotFound:
		return nil, Fail, fmt.Sprintf("vault %s does not exist in the source region and project: check --vault-id, the project and the region", id)
	case err != nil:
		verdict, reason := couldNot("query the source vault", err)
		return nil, verdict, reason
	case v == nil || v.Billing == nil:
		return nil, Skip, "the answer has no vault billing (object_type, protect_type, status)"
	}
	b := v.Billing
	switch {
	case b.ProtectType == replicationVault:
		return v, Fail, fmt.Sprintf("vault %s is a replication vault: a replicated vault cannot be replicated again (BackupService.6128)", id)
	case b.ObjectType != serverObjectType:
		return v, Fail, fmt.Sprintf("vault %s is a %s backup vault: only server backup vaults can be replicated (BackupService.6128)", id, orNothing(b.ObjectType))
	case b.ProtectType != backupProtect:
		return v, Fail, fmt.Sprintf("vault %s has protect_type %q: only backup vaults can be replicated", id, b.ProtectType)
	case b.Status != availableStatus:
		return v, Fail, fmt.Sprintf("vault %s is %s, not available (BackupService.6112): wait until it is available", id, b.Status)
	}
	return v, Pass, fmt.Sprintf("vault %s is an available server backup vault", id)
}

func backups(ctx context.Context, c *client.Client, vaultID string) (Verdict, string) {
	status, resource := cbr.ListBackupsParamsStatus(availableStatus), ecsResourceType
	list, err := c.ListBackups(ctx, &cbr.ListBackupsParams{VaultId: &vaultID, Status: &status, ResourceType: &resource})
	if err != nil {
		return couldNot("list the source vault's backups", err)
	}
	n := 0
	for _, b := range list.Backups {
		if b.Status == availableStatus && b.ResourceType == ecsResourceType && b.ExtendInfo != nil &&
			b.ExtendInfo.ContainSystemDisk != nil && *b.ExtendInfo.ContainSystemDisk {
			n++
		}
	}
	if n == 0 {
		return Fail, "the vault holds no available ECS backup with its system disk: back up a server with its system disk first"
	}
	return Pass, fmt.Sprintf("%d available ECS backup(s) with the system disk", n)
}

func destinationVault(ctx context.Context, c *client.Client, p cbr.CheckpointReplicateParam, source *cbr.Vault) (Verdict, string) {
	v, err := c.ShowVault(ctx, p.DestinationVaultId)
	switch {
	case client.StatusCode(err) == http.StatusNotFound:
		return Fail, fmt.Sprintf("vault %s does not exist in region %s, project %s (BackupService.6120): check --destination-vault-id, --destination-region and --destination-project-id",
			p.DestinationVaultId, p.DestinationRegion, p.DestinationProjectId)
	case err != nil:
		return couldNot("query the destination vault", err)
	case v == nil || v.Billing == nil:
		return Skip, "the answer has no vault billing (protect_type, size, used)"
	}
	b := v.Billing
	switch {
	case b.ProtectType != replicationVault:
		return Fail, fmt.Sprintf("vault %s is a %s vault, not a replication vault (BackupService.6119): choose a replication vault of region %s",
			p.DestinationVaultId, orNothing(b.ProtectType), p.DestinationRegion)
	case source != nil && b.ObjectType != source.Billing.ObjectType:
		return Fail, fmt.Sprintf("vault %s holds %s replicas, the source vault %s backups: only vaults of the same type replicate (BackupService.6119)",
			p.DestinationVaultId, orNothing(b.ObjectType), source.Billing.ObjectType)
	case b.Size != nil && b.Used != nil && *b.Used >= *b.Size*megabytesPerGiga:
		return Fail, fmt.Sprintf("vault %s is full: %d MB used of %d GB (BackupService.6129): expand it first", p.DestinationVaultId, *b.Used, *b.Size)
	}
	room := "its room is not documented in the answer"
	if b.Size != nil && b.Used != nil {
		room = fmt.Sprintf("%d MB used of %d GB", *b.Used, *b.Size)
	}
	return Pass, fmt.Sprintf("vault %s is a replication vault with room (%s)", p.DestinationVaultId, room)
}

// orNothing lists list, or says "nothing" for none.
func orNothing(list ...string) string { return cmp.Or(strings.Join(list, ", "), "nothing") }
