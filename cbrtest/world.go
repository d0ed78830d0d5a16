package cbrtest

import (
	"cmp"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/go-json-experiment/json"
	"github.com/google/uuid"
	"go.yaml.in/yaml/v3"

	"github.com/cbr-replicate/cbr-replicate/gen/cbr"
	"github.com/cbr-replicate/cbr-replicate/internal/limit"
	"github.com/cbr-replicate/cbr-replicate/openapi"
	"github.com/cbr-replicate/cbr-replicate/validate"
)

// World is what the fake knows of the cloud: the regions it serves, each
// with the regions it replicates to, and the vaults in them. ShowVault,
// ListBackups and ShowReplicationCapabilities answer from it, and
// CopyCheckpoint refuses what the state it describes makes the service
// refuse. Build one with ParseWorld or DefaultWorld, or by hand, and give it
// with WithWorld.
type World struct {
	// Regions maps each region the fake serves to the regions it
	// replicates to (ShowReplicationCapabilities' replication_destinations).
	Regions map[string][]string
	// Vaults are the vaults of every region.
	Vaults []Vault
}

// Vault is a vault of a World, with the fields of ShowVault's billing that
// decide whether it can be replicated.
type Vault struct {
	ID     string // a UUID
	Region string // one of World.Regions
	// ProjectID is the project the vault belongs to; "" means any project.
	ProjectID   string
	ProtectType string // "backup" or "replication"
	ObjectType  string // "server", "disk" or "turbo"
	// Status is the vault's status, one of the spec's ("available",
	// "lock", "frozen", "deleting", "error"); "" means "available".
	Status string
	Size   int // capacity in GB, 1 to 10485760 as the spec bounds it
	Used   int // used capacity in MB, as ShowVault gives it, at most size's maximum
	// Backups is how many available ECS backups holding the system disk
	// the vault has, at most MaxVaultBackups.
	Backups int
}

// MaxVaultBackups bounds Vault.Backups: the most backups one ListBackups
// page holds (the page's limit, at most 1000), so that no answer grows past
// what the service sends.
const MaxVaultBackups = 1000

// The page example's vaults, the default world's.
const (
	pageVaultID     = "3b5816b5-f29c-4172-9d9a-76c719a659ce"
	pageDestVaultID = "0ca3eb86-8800-46da-9c37-9d657a825274"
)

// DefaultWorld returns the world of a fake without WithWorld: the page
// example's source vault (a server backup vault, available, DefaultBackups
// backups, room left) in eu-de, and its destination vault (a server
// replication vault with room) in region2, the page example's
// destination_region; eu-de replicates to eu-nl and region2, eu-nl and
// region2 to eu-de; the vaults belong to any project. A fake of another
// region (WithSourceRegion) without WithWorld holds the source vault in its
// own region, which also replicates to region2, so the page's example
// request succeeds there too. The fake does not remember the replications
// of this default world: it answers the page's example as often as asked.
func DefaultWorld() *World { return defaultWorld(DefaultSourceRegion) }

func defaultWorld(region string) *World {
	w := &World{
		Regions: map[string][]string{"eu-de": {"eu-nl", "region2"}, "eu-nl": {"eu-de"}, "region2": {"eu-de"}},
		Vaults: []Vault{
			{ID: pageVaultID, Region: region, ProtectType: "backup", ObjectType: "server", Size: 100, Backups: DefaultBackups},
			{ID: pageDestVaultID, Region: "region2", ProtectType: "replication", ObjectType: "server", Size: 100},
		},
	}
	if dest := w.Regions[region]; region != "region2" && !slices.Contains(dest, "region2") {
		w.Regions[region] = append(dest, "region2")
	}
	return w
}

// clone returns a deep copy, so that a caller's later changes do not reach
// a running fake.
func (w *World) clone() *World {
	c := &World{Regions: maps.Clone(w.Regions), Vaults: slices.Clone(w.Vaults)}
	for r, d := range c.Regions {
		c.Regions[r] = slices.Clone(d)
	}
	return c
}

// Each object type's provider ID and resource type (ListBackups' provider_id
// row names the three IDs) and spec code (ShowVault's spec_code row); the
// codes of replication vaults are not on the pages and made up alike.
var objectTypes = map[string]struct{ provider, resource, spec string }{
	"server": {ProviderID, "OS::Nova::Server", "server"},
	"disk":   {"d1603440-187d-4516-af25-121250c7cc97", "OS::Cinder::Volume", "volume"},
	"turbo":  {"3f3c3220-245c-4805-b811-758870015881", "OS::Sfs::Turbo", "turbo"},
}

// vaultStatuses are the statuses of the spec's Billing.status.
var vaultStatuses = []string{"available", "lock", "frozen", "deleting", "error"}

// regionName is what a region of a World may be called: it is a path
// segment of the fake's URLs.
var regionName = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,62}$`)

// places names where a problem of a World is, for its errors: a vault's
// field ("line 12" in a file, "vault 3" otherwise) or a region.
type places struct {
	vault  func(k int, field string) string
	region func(name string) string
}

// check adds to errs what is wrong with w, each problem named by at.
func (w *World) check(at places, errs *iamErrors) {
	if len(w.Regions) == 0 {
		errs.add("no region")
	}
	for _, r := range slices.Sorted(maps.Keys(w.Regions)) {
		if !regionName.MatchString(r) || r == "v3" {
			errs.addAt(at.region(r), "a region name is lower-case letters, digits and dashes (at most 63, not v3)")
			continue
		}
		seen := map[string]bool{}
		for _, d := range w.Regions[r] {
			switch _, ok := w.Regions[d]; {
			case d == r:
				errs.addAt(at.region(r), "the region is among its own destinations")
			case !ok:
				errs.addAt(at.region(r), "destination %s is not a region of the world", quoted(d))
			case seen[d]:
				errs.addAt(at.region(r), "destination %s twice", quoted(d))
			}
			seen[d] = true
		}
	}
	if len(w.Vaults) > maxVaults {
		errs.add("more than %d vaults", maxVaults)
		return
	}
	ids := map[string]int{}
	for k, v := range w.Vaults {
		if j, ok := ids[v.ID]; ok {
			errs.addAt(at.vault(k, "id"), "the id of %s again", at.vault(j, ""))
		}
		ids[v.ID] = k
		if _, err := uuid.Parse(v.ID); err != nil || len(v.ID) != 36 {
			errs.addAt(at.vault(k, "id"), "id must be a UUID such as %s", pageVaultID)
		}
		if _, ok := w.Regions[v.Region]; !ok {
			errs.addAt(at.vault(k, "region"), "region %s is not among the regions", quoted(v.Region))
		}
		if p := v.ProjectID; p != "" && (url.PathEscape(p) != p || p == "." || p == ".." || len(p) > 64) {
			errs.addAt(at.vault(k, "project_id"), "project_id must be one path segment of at most 64 characters")
		}
		for _, e := range []struct {
			field, value string
			allowed      []string
		}{
			{"protect_type", v.ProtectType, []string{"backup", "replication"}},
			{"object_type", v.ObjectType, slices.Sorted(maps.Keys(objectTypes))},
			{"status", cmp.Or(v.Status, "available"), vaultStatuses},
		} {
			if !slices.Contains(e.allowed, e.value) {
				errs.addAt(at.vault(k, e.field), "%s %s, want one of %s", e.field, quoted(e.value), strings.Join(e.allowed, ", "))
			}
		}
		for _, n := range []struct {
			field         string
			value, lo, hi int
		}{{"size", v.Size, 1, 10485760}, {"used", v.Used, 0, 10485760 * 1024}, {"backups", v.Backups, 0, MaxVaultBackups}} {
			if n.value < n.lo || n.value > n.hi {
				errs.addAt(at.vault(k, n.field), "%s must be %d to %d", n.field, n.lo, n.hi)
			}
		}
	}
}

// maxVaults bounds the vaults of a World, as iamMaxUsers the users: each
// costs some memory to check, and the fake looks them up one by one.
const maxVaults = 10_000

// quoted quotes a value of the input for an error, shortened.
func quoted(s string) string { return strconv.Quote(limit.Text(s, 32)) }

// ParseWorld reads a world from YAML, at most limit.World (1 MiB) and
// 10,000 vaults:
//
//	regions:               # each region's replication destinations
//	  eu-de: [eu-nl]
//	  eu-nl: [eu-de]
//	vaults:
//	  - id: 3b5816b5-f29c-4172-9d9a-76c719a659ce
//	    region: eu-de
//	    project_id: 4229d7a45436489f8c3dc2b1d35d4987   # optional: any project
//	    protect_type: backup        # backup | replication
//	    object_type: server         # server | disk | turbo
//	    status: available           # optional, available by default
//	    size: 100                   # GB
//	    used: 2048                  # MB, optional, 0 by default
//	    backups: 3                  # available ECS backups holding the system disk, optional
//
// Every problem is reported at once (the first 20, and how many more), each
// by its line: a key it does not know, a value of the wrong kind or out of
// range, an id that is not a UUID, a vault id twice, a vault in a region
// the file does not list, a destination that is not one of its regions.
// Values are quoted in errors at most 32 characters long.
func ParseWorld(r io.Reader) (*World, error) {
	data, err := limit.ReadAll(r, limit.World)
	if n, ok := limit.TooLarge(err); ok {
		return nil, fmt.Errorf("cbrtest: world: larger than %d MiB", n>>20)
	} else if err != nil {
		return nil, fmt.Errorf("cbrtest: reading the world: %w", err)
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, fmt.Errorf("cbrtest: world: %s", limit.Text(strings.TrimPrefix(err.Error(), "yaml: "), limit.Message))
	}
	p := worldParser{w: &World{Regions: map[string][]string{}}, regionLines: map[string]int{}, errs: iamErrors{reported: map[string]bool{}}}
	if len(doc.Content) == 0 {
		p.errs.add("the file is empty")
	} else {
		p.fields(doc.Content[0], func(k, v *yaml.Node) {
			switch k.Value {
			case "regions":
				p.regions(v)
			case "vaults":
				p.vaults(v)
			default:
				p.fail(k.Line, "unknown key %s (want regions, vaults)", quoted(k.Value))
			}
		})
	}
	lines := places{
		vault: func(k int, field string) string {
			return fmt.Sprintf("line %d", cmp.Or(p.vaultLines[k][field], p.vaultLines[k][""]))
		},
		region: func(name string) string { return fmt.Sprintf("line %d", p.regionLines[name]) },
	}
	p.w.check(lines, &p.errs)
	if err := p.errs.err("cbrtest: world"); err != nil {
		return nil, err
	}
	return p.w, nil
}

// worldParser turns a YAML document into a World, remembering the lines.
type worldParser struct {
	w           *World
	vaultLines  []map[string]int // per vault: the line of each field, "" the vault's
	regionLines map[string]int
	errs        iamErrors
}

// fields calls f for each key of the mapping n and its value, in order; a
// key given twice, a key that is not a string, an alias and n not a mapping
// are errors.
func (p *worldParser) fields(n *yaml.Node, f func(k, v *yaml.Node)) {
	if n.Kind != yaml.MappingNode {
		p.fail(n.Line, "want a mapping (key: value)")
		return
	}
	seen := map[string]bool{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		switch {
		case k.Kind != yaml.ScalarNode:
			p.fail(k.Line, "a key must be a string")
		case seen[k.Value]:
			p.fail(k.Line, "key %s twice", quoted(k.Value))
		case v.Kind == yaml.AliasNode:
			p.fail(v.Line, "aliases are not supported")
		default:
			seen[k.Value] = true
			f(k, v)
		}
	}
}

func (p *worldParser) regions(n *yaml.Node) {
	p.fields(n, func(k, v *yaml.Node) {
		region := k.Value
		p.regionLines[region] = k.Line
		p.w.Regions[region] = []string{}
		if v.Kind != yaml.SequenceNode {
			p.fail(v.Line, "want a list of destination regions, [] for none")
			return
		}
		for _, d := range v.Content {
			if s, ok := p.str(d); ok {
				p.w.Regions[region] = append(p.w.Regions[region], s)
			}
		}
	})
}

func (p *worldParser) vaults(n *yaml.Node) {
	if n.Kind != yaml.SequenceNode {
		p.fail(n.Line, "want a list of vaults")
		return
	}
	for _, vn := range n.Content[:min(len(n.Content), maxVaults+1)] { // check refuses more
		v, lines := Vault{}, map[string]int{"": vn.Line}
		strs := map[string]*string{"id": &v.ID, "region": &v.Region, "project_id": &v.ProjectID,
			"protect_type": &v.ProtectType, "object_type": &v.ObjectType, "status": &v.Status}
		ints := map[string]*int{"size": &v.Size, "used": &v.Used, "backups": &v.Backups}
		p.fields(vn, func(k, val *yaml.Node) {
			key := k.Value
			lines[key] = k.Line
			switch {
			case strs[key] != nil:
				*strs[key], _ = p.str(val)
			case ints[key] != nil:
				if val.Kind != yaml.ScalarNode || val.Tag != "!!int" || val.Decode(ints[key]) != nil {
					p.fail(val.Line, "%s must be a whole number", key)
				}
			default:
				p.fail(k.Line, "unknown key %s (want id, region, project_id, protect_type, object_type, status, size, used, backups)", quoted(key))
			}
		})
		var missing []string
		for _, key := range []string{"id", "region", "protect_type", "object_type", "size"} {
			if lines[key] == 0 {
				missing = append(missing, key)
			}
		}
		if missing != nil {
			p.fail(vn.Line, "the vault has no %s", strings.Join(missing, ", "))
		}
		p.w.Vaults, p.vaultLines = append(p.w.Vaults, v), append(p.vaultLines, lines)
	}
}

// fail reports a problem of line, whose checks of the values then report
// nothing more.
func (p *worldParser) fail(line int, format string, a ...any) {
	where := fmt.Sprintf("line %d", line)
	p.errs.add("%s: "+format, append([]any{where}, a...)...)
	p.errs.reported[where] = true
}

// str returns the string a scalar node holds; another node is an error.
func (p *worldParser) str(n *yaml.Node) (string, bool) {
	if n.Kind != yaml.ScalarNode || n.Tag == "!!null" {
		p.fail(n.Line, "want a string")
		return "", false
	}
	return n.Value, true
}

// worldState is the World a Fake serves, with what it remembers.
type worldState struct {
	*World
	remember bool // WithWorld's world remembers replications, the default one does not

	mu         sync.Mutex
	replicated map[[2]string]bool // vault ID, destination region
}

// vault returns the vault with this ID in region, of project (or of any).
func (s *worldState) vault(id, region, project string) (Vault, bool) {
	for _, v := range s.Vaults {
		if v.ID == id && v.Region == region && (v.ProjectID == "" || v.ProjectID == project) {
			return v, true
		}
	}
	return Vault{}, false
}

// refusal returns the source vault and the CBR error code with which the
// service refuses to replicate p for project in region, or "" when it
// replicates, in the order and with the codes the package doc gives. A
// replication it allows is remembered at once (when the world remembers),
// so that of two concurrent requests one is refused.
func (s *worldState) refusal(p cbr.CheckpointReplicateParam, region, project string) (Vault, string) {
	src, ok := s.vault(p.VaultId, region, project)
	dst, found := s.vault(p.DestinationVaultId, p.DestinationRegion, p.DestinationProjectId)
	switch {
	case !ok:
		return src, "BackupService.6105"
	case src.ObjectType != "server", src.ProtectType != "backup":
		return src, "BackupService.6128"
	case cmp.Or(src.Status, "available") != "available":
		return src, "BackupService.6112"
	case src.Backups == 0:
		return src, "BackupService.6122"
	case !slices.Contains(s.Regions[region], p.DestinationRegion):
		return src, "BackupService.1005"
	case !found:
		return src, "BackupService.6120"
	case dst.ProtectType != "replication" || dst.ObjectType != src.ObjectType:
		return src, "BackupService.6119"
	case dst.Used >= dst.Size*1024:
		return src, "BackupService.6129"
	case !s.remember:
		return src, ""
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	key := [2]string{src.ID, p.DestinationRegion}
	if s.replicated[key] {
		return src, "BackupService.6130"
	}
	s.replicated[key] = true
	return src, ""
}

// worldID derives a stable ID (a name-based UUID) of a thing of a vault:
// the same vault and index give the same backup ID in every answer.
func worldID(kind, vaultID string, i int) string {
	return uuid.NewSHA1(uuid.NameSpaceOID, []byte(kind+"/"+vaultID+"/"+strconv.Itoa(i))).String()
}

// showVault is ShowVault's answer for v, asked for by project. The pages
// document the fields; the values the world does not hold are made up
// (name, user_id, created_at) or the page example's (charging_mode, ...).
func showVault(v Vault, project string) cbr.ShowVaultResp {
	t, allocated, no := objectTypes[v.ObjectType], 0, false
	return cbr.ShowVaultResp{Vault: &cbr.Vault{
		Id: v.ID, Name: "vault-" + v.ID[:8], ProjectId: cmp.Or(v.ProjectID, project), ProviderId: t.provider,
		UserId: worldID("user", v.ID, 0)[:32], CreatedAt: "2020-07-24T09:12:49.492+00:00",
		AutoBind: &no, AutoExpand: &no,
		Billing: &cbr.Billing{
			Allocated: &allocated, ChargingMode: "post_paid", CloudType: "public", ConsistentLevel: "crash_consistent",
			ObjectType: v.ObjectType, ProtectType: v.ProtectType, SpecCode: "vault." + v.ProtectType + "." + t.spec + ".normal",
			Size: &v.Size, Used: &v.Used, Status: cbr.BillingStatus(cmp.Or(v.Status, "available")),
		},
	}}
}

// backup is the i-th backup of v as ListBackups lists it: available, of
// the vault's resource type, holding the system disk if it is a server's;
// the name, the resource, its zone and the times are made up.
func backup(v Vault, i int, project string) cbr.BackupResp {
	t, yes := objectTypes[v.ObjectType], true
	id, ext := worldID("backup", v.ID, i), &cbr.BackupExtendInfo{}
	if v.ObjectType == "server" {
		ext.ContainSystemDisk = &yes
	}
	return cbr.BackupResp{
		Id: id, CheckpointId: worldID("checkpoint", v.ID, i), Name: "autobk_" + id[:4], VaultId: v.ID,
		ProjectId: cmp.Or(v.ProjectID, project), ProviderId: t.provider, ResourceType: t.resource,
		ResourceId: worldID("resource", v.ID, 0), ResourceName: "ecs-" + v.ID[:4], ResourceAz: v.Region + "-01",
		ImageType: "backup", Status: cbr.BackupRespStatusAvailable, CreatedAt: "2020-02-21T07:00:54.065+00:00",
		ExtendInfo: ext,
	}
}

// regionKey is the context key of the region a request is for.
type regionKey struct{}

// regionOf returns the region a request is for, as ServeHTTP found it.
func regionOf(r *http.Request) string {
	s, _ := r.Context().Value(regionKey{}).(string)
	return s
}

// split returns the region a URL is for and the URL without its region
// prefix: /eu-nl/v3/... is for eu-nl, a region of the world, and
// /v3/... for the fake's own region (WithSourceRegion); u itself when
// there is no prefix to take off.
func (f *Fake) split(u *url.URL) (string, *url.URL) {
	seg, _, ok := strings.Cut(strings.TrimPrefix(u.Path, "/"), "/")
	if _, known := f.world.Regions[seg]; !ok || !known {
		return f.cfg.sourceRegion, u
	}
	c := *u
	c.Path = strings.TrimPrefix(u.Path, "/"+seg)
	c.RawPath = strings.TrimPrefix(u.RawPath, "/"+seg) // a region name needs no escaping
	return seg, &c
}

// Regions returns the regions the fake serves, its world's, sorted; nil for
// a Fake not built with New.
func (f *Fake) Regions() []string {
	if f == nil || f.world == nil {
		return nil
	}
	return slices.Sorted(maps.Keys(f.world.Regions))
}

// RegionURL returns the base URL of the fake's CBR endpoint in region when
// the fake is served at base, as its IAM's catalog lists it: base itself
// for the fake's own region (WithSourceRegion), base/<region> for another
// (requests under it are for that region), "" for a region the fake does
// not serve (Regions).
func (f *Fake) RegionURL(base, region string) string {
	if f == nil || f.world == nil {
		return ""
	}
	if _, ok := f.world.Regions[region]; !ok {
		return ""
	}
	if region == f.cfg.sourceRegion {
		return base
	}
	return base + "/" + region
}

// catalog is the catalog of WithIAM's tokens: identity, and each region's
// CBR in form: the fake's own region (own) at the root, as
// <URL>/v3/<project_id>, the others with their region prefix.
func (s *worldState) catalog(form IAMCatalogForm, own string) []IAMEndpoint {
	c := []IAMEndpoint{{Type: "identity", Region: "*", URL: "/v3"}}
	for _, r := range slices.Sorted(maps.Keys(s.Regions)) {
		prefix := "/" + r
		if r == own {
			prefix = ""
		}
		u := prefix + "/v3/$(tenant_id)s"
		if form == IAMCatalogBare {
			u = prefix
		}
		c = append(c, IAMEndpoint{Type: "cbr", Region: r, URL: u})
	}
	return c
}

// refuse answers with the spec's example of a CBR error code, with the
// status the spec documents it under.
func refuse(w http.ResponseWriter, opID, code string) {
	c, _ := openapi.LookupErrorCode(code)                   // the tests answer with every code the fake uses
	status, _ := strconv.Atoi(append(c.Statuses, "500")[0]) // "400" sorts before "4XX"
	op, _ := openapi.Lookup(opID)
	ex, _ := op.Example(status, c.Example)
	writeJSON(w, status, ex.Body)
}

// writeValue answers 200 with v as JSON.
func writeValue(w http.ResponseWriter, v any) {
	b, _ := json.Marshal(v) // the generated types always marshal
	writeJSON(w, http.StatusOK, b)
}

// replicate answers a valid CopyCheckpoint from the world: the documented
// refusal (worldState.refusal), else 200 with a replication of the source
// vault's backups (their stable IDs, each with a fresh random
// replication_record_id), the project from the path and the request's
// region as source_region.
func (f *Fake) replicate(w http.ResponseWriter, r *http.Request) {
	var req cbr.CheckpointReplicateReq
	body, _ := io.ReadAll(r.Body)
	if err := json.Unmarshal(body, &req); err != nil {
		refuse(w, copyCheckpoint, codeParameter) // not reached: the middleware decoded it strictly
		return
	}
	route, _ := validate.RouteOf(r.Context())
	p, project, region := req.Replicate, route.PathParams["project_id"], regionOf(r)
	src, code := f.world.refusal(p, region, project)
	if code != "" {
		refuse(w, copyCheckpoint, code)
		return
	}
	out := cbr.CheckpointReplicateRespBody{
		Backups:              make([]cbr.CheckpointReplicateRespbackups, src.Backups),
		DestinationProjectId: p.DestinationProjectId,
		DestinationRegion:    p.DestinationRegion,
		DestinationVaultId:   p.DestinationVaultId,
		ProjectId:            project,
		ProviderId:           objectTypes[src.ObjectType].provider,
		SourceRegion:         region,
		VaultId:              p.VaultId,
	}
	for i := range out.Backups {
		out.Backups[i] = cbr.CheckpointReplicateRespbackups{BackupId: worldID("backup", src.ID, i), ReplicationRecordId: uuid.NewString()}
	}
	writeValue(w, cbr.CheckpointReplicateResp{Replication: &out})
}

// showVault answers ShowVault from the world: the vault of the path in the
// request's region and project, else 404 BackupService.6105.
func (f *Fake) showVault(w http.ResponseWriter, r *http.Request) {
	route, _ := validate.RouteOf(r.Context())
	project := route.PathParams["project_id"]
	v, ok := f.world.vault(route.PathParams["vault_id"], regionOf(r), project)
	if !ok {
		refuse(w, "ShowVault", "BackupService.6105")
		return
	}
	writeValue(w, showVault(v, project))
}

// capabilities answers ShowReplicationCapabilities with the request's
// region and its destinations, one region as the page's example shows.
func (f *Fake) capabilities(w http.ResponseWriter, r *http.Request) {
	region := regionOf(r)
	writeValue(w, cbr.ShowReplicationCapabilitiesResp{Regions: []cbr.ProtectableReplicationCapabilitiesRespRegion{
		{Name: region, ReplicationDestinations: f.world.Regions[region]}}})
}

// listBackups answers ListBackups from the world: the backups of the
// request's region and project, filtered by the query's vault_id, status
// and resource_type, paged by offset (how many to skip) and limit (1000 at
// most, the page's bound); count is how many matched. The other filters
// are not applied.
func (f *Fake) listBackups(w http.ResponseWriter, r *http.Request) {
	route, _ := validate.RouteOf(r.Context())
	project, region, q := route.PathParams["project_id"], regionOf(r), r.URL.Query() // validated: numbers are numbers
	offset, _ := strconv.Atoi(q.Get("offset"))
	limit, err := strconv.Atoi(q.Get("limit"))
	if err != nil || limit > MaxVaultBackups {
		limit = MaxVaultBackups
	}
	out, n := cbr.ListBackupsResp{Backups: []cbr.BackupResp{}}, 0
	for _, v := range f.world.Vaults {
		if v.Region != region || (v.ProjectID != "" && v.ProjectID != project) ||
			(q.Has("vault_id") && q.Get("vault_id") != v.ID) ||
			(q.Has("resource_type") && q.Get("resource_type") != objectTypes[v.ObjectType].resource) ||
			(q.Has("status") && q.Get("status") != string(cbr.BackupRespStatusAvailable)) {
			continue
		}
		for i := max(offset-n, 0); i < v.Backups && len(out.Backups) < limit; i++ {
			out.Backups = append(out.Backups, backup(v, i, project))
		}
		n += v.Backups
	}
	out.Count = &n
	writeValue(w, out)
}
