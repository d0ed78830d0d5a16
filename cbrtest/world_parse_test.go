package cbrtest_test

import (
	"fmt"
	"runtime"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cbr-replicate/cbr-replicate/cbrtest"
	"github.com/cbr-replicate/cbr-replicate/internal/limit"
)

// issueWorld is the world file of the issue, verbatim.
const issueWorld = `regions:               # each region's replication destinations
  eu-de: [eu-nl]
  eu-nl: [eu-de]
vaults:
  - id: 3b5816b5-f29c-4172-9d9a-76c719a659ce
    region: eu-de
    project_id: 4229d7a45436489f8c3dc2b1d35d4987   # optional: any project
    protect_type: backup        # backup | replication
    object_type: server         # server | disk | turbo
    status: available
    size: 100                   # GB
    used: 2048                  # MB
    backups: 3                  # available ECS backups that hold the system disk
`

func TestParseWorld_TheIssuesFile(t *testing.T) {
	w, err := cbrtest.ParseWorld(strings.NewReader(issueWorld + `  - id: 0ca3eb86-8800-46da-9c37-9d657a825274
    region: eu-nl
    protect_type: replication
    object_type: server
    size: 0x10
`))
	require.NoError(t, err)
	assert.Equal(t, &cbrtest.World{
		Regions: map[string][]string{"eu-de": {"eu-nl"}, "eu-nl": {"eu-de"}},
		Vaults: []cbrtest.Vault{
			{ID: "3b5816b5-f29c-4172-9d9a-76c719a659ce", Region: "eu-de", ProjectID: "4229d7a45436489f8c3dc2b1d35d4987",
				ProtectType: "backup", ObjectType: "server", Status: "available", Size: 100, Used: 2048, Backups: 3},
			{ID: "0ca3eb86-8800-46da-9c37-9d657a825274", Region: "eu-nl", ProtectType: "replication", ObjectType: "server", Size: 16},
		},
	}, w, "status, used, backups and project_id are optional")
	_, err = cbrtest.New(cbrtest.WithWorld(w))
	assert.NoError(t, err)
}

func TestParseWorld_BadLinesAreReportedByLine(t *testing.T) {
	vault := func(lines ...string) string {
		return "regions:\n  eu-de: []\nvaults:\n  - id: 3b5816b5-f29c-4172-9d9a-76c719a659ce\n    region: eu-de\n" +
			"    protect_type: backup\n    object_type: server\n    size: 100\n" + strings.Join(lines, "\n") + "\n"
	}
	tests := []struct {
		name, file string
		want       []string
	}{
		{name: "an unknown key of a vault", file: vault("    colour: blue"), want: []string{`line 9: unknown key "colour"`}},
		{name: "an unknown top-level key", file: "regions: {eu-de: []}\nvolumes: []\n", want: []string{`line 2: unknown key "volumes"`}},
		{name: "a protect_type that is not backup or replication", file: strings.Replace(vault(), "protect_type: backup", "protect_type: archive", 1),
			want: []string{`line 6: protect_type "archive", want one of backup, replication`}},
		{name: "an object_type that is not server, disk or turbo", file: strings.Replace(vault(), "object_type: server", "object_type: tape", 1),
			want: []string{`line 7: object_type "tape", want one of disk, server, turbo`}},
		{name: "a status the spec does not list", file: vault("    status: asleep"),
			want: []string{`line 9: status "asleep", want one of available, lock, frozen, deleting, error`}},
		{name: "an id that is not a UUID", file: strings.Replace(vault(), "3b5816b5-f29c-4172-9d9a-76c719a659ce", "vault-1", 1),
			want: []string{"line 4: id must be a UUID"}},
		{name: "an id in another form than 8-4-4-4-12", file: strings.Replace(vault(), "3b5816b5-f29c-4172-9d9a-76c719a659ce", "3b5816b5f29c41729d9a76c719a659ce", 1),
			want: []string{"line 4: id must be a UUID"}},
		{name: "a negative used", file: vault("    used: -1"), want: []string{"line 9: used must be 0 to "}},
		{name: "a negative backups", file: vault("    backups: -3"), want: []string{"line 9: backups must be 0 to 1000"}},
		{name: "more backups than a page lists", file: vault("    backups: 1001"), want: []string{"line 9: backups must be 0 to 1000"}},
		{name: "a size of zero", file: strings.Replace(vault(), "size: 100", "size: 0", 1), want: []string{"line 8: size must be 1 to 10485760"}},
		{name: "a size that is not a number", file: strings.Replace(vault(), "size: 100", "size: big", 1), want: []string{"line 8: size must be a whole number"}},
		{name: "a size that does not fit an int", file: strings.Replace(vault(), "size: 100", "size: 99999999999999999999999", 1),
			want: []string{"line 8: size must be a whole number"}},
		{name: "a duplicate vault id", file: vault("  - {id: 3b5816b5-f29c-4172-9d9a-76c719a659ce, region: eu-de, protect_type: backup, object_type: server, size: 1}"),
			want: []string{"line 9: the id of line 4 again"}},
		{name: "a vault in a region the file does not list", file: strings.Replace(vault(), "region: eu-de", "region: eu-nl", 1),
			want: []string{`line 5: region "eu-nl" is not among the regions`}},
		{name: "a destination that is not a region of the file", file: "regions:\n  eu-de: [eu-nl]\n",
			want: []string{`line 2: destination "eu-nl" is not a region of the world`}},
		{name: "a region among its own destinations", file: "regions:\n  eu-de: [eu-de]\n",
			want: []string{"line 2: the region is among its own destinations"}},
		{name: "a region named v3, which the paths need", file: "regions:\n  v3: []\n", want: []string{"line 2: a region name is"}},
		{name: "a region name that is no path segment", file: "regions:\n  \"eu/de\": []\n", want: []string{"line 2: a region name is"}},
		{name: "a project_id that is no path segment", file: vault("    project_id: a/b"),
			want: []string{"line 9: project_id must be one path segment"}},
		{name: "a key given twice", file: vault("    size: 5"), want: []string{`line 9: key "size" twice`}},
		{name: "a vault without its required keys", file: "regions: {eu-de: []}\nvaults:\n  - {id: 3b5816b5-f29c-4172-9d9a-76c719a659ce}\n",
			want: []string{"line 3: the vault has no region, protect_type, object_type, size"}},
		{name: "regions not a mapping", file: "regions: [eu-de]\n", want: []string{"line 1: want a mapping"}},
		{name: "destinations not a list", file: "regions:\n  eu-de: eu-nl\n", want: []string{"line 2: want a list of destination regions"}},
		{name: "vaults not a list", file: "regions: {eu-de: []}\nvaults: {}\n", want: []string{"line 2: want a list of vaults"}},
		{name: "a string field given a list", file: vault("    status: [available]"), want: []string{"line 9: want a string"}},
		{name: "an alias", file: "regions:\n  eu-de: &d []\n  eu-nl: *d\n", want: []string{"line 3: aliases are not supported"}},
		{name: "no region", file: "vaults: []\n", want: []string{"no region"}},
		{name: "an empty file", file: "", want: []string{"the file is empty"}},
		{name: "a file that is not YAML", file: "regions: [\n", want: []string{"cbrtest: world: line"}},
		{name: "every bad line at once", file: vault("    used: -1", "    backups: -1", "    colour: red"),
			want: []string{"line 9: used", "line 10: backups", `line 11: unknown key "colour"`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w, err := cbrtest.ParseWorld(strings.NewReader(tt.file))
			require.Error(t, err)
			assert.Nil(t, w)
			for _, want := range tt.want {
				assert.Contains(t, err.Error(), want)
			}
		})
	}
}

func TestParseWorld_ErrorsAreBounded(t *testing.T) {
	var b strings.Builder
	b.WriteString("regions: {eu-de: []}\nvaults:\n")
	for i := range 30 {
		fmt.Fprintf(&b, "  - {id: x%d, region: eu-de, protect_type: backup, object_type: server, size: 1}\n", i)
	}
	_, err := cbrtest.ParseWorld(strings.NewReader(b.String()))
	require.Error(t, err)
	assert.Equal(t, 20, strings.Count(err.Error(), "\n"), "the first 20 and a count: %s", err)
	assert.Contains(t, err.Error(), "and 10 more")

	long := strings.Repeat("x", 10_000)
	_, err = cbrtest.ParseWorld(strings.NewReader("regions: {eu-de: []}\nvaults:\n  - {id: 3b5816b5-f29c-4172-9d9a-76c719a659ce, region: eu-de, protect_type: " +
		long + ", object_type: server, size: 1}\n"))
	require.Error(t, err)
	assert.Less(t, len(err.Error()), 300, "a long value is not echoed: %s", err)

	_, err = cbrtest.ParseWorld(strings.NewReader("regions: {eu-de: []}\n# " + strings.Repeat("x", int(limit.World))))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "larger than 1 MiB")
}

func TestParseWorld_MemoryIsBoundedWhateverTheShape(t *testing.T) {
	// A 10 MiB file of empty vaults took 4.4 GB and 19 s: YAML costs some
	// hundred bytes a node, and each vault was checked at a cost.
	n := int(limit.World) - 32
	for name, world := range map[string]string{
		"empty vaults":            "vaults:\n" + strings.Repeat("- \n", n/3),
		"empty vault mappings":    "vaults:\n" + strings.Repeat("- {}\n", n/5),
		"one-letter destinations": "regions:\n  eu-de: [" + strings.Repeat("a,", n/2) + "]\n",
	} {
		t.Run(name, func(t *testing.T) {
			if raceEnabled && name != "empty vaults" {
				t.Skip("some 190 MB of YAML nodes: one shape under -race, which makes it several times slower; all without")
			}
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			_, err := cbrtest.ParseWorld(strings.NewReader(world))
			runtime.ReadMemStats(&after)
			require.Error(t, err)
			allocated := after.TotalAlloc - before.TotalAlloc
			t.Logf("%d bytes of world, %d MB allocated", len(world), allocated>>20)
			assert.Less(t, allocated, uint64(300<<20), "at most a few hundred times the file's bound")
		})
	}
}

// FuzzParseWorld feeds ParseWorld any file: it must never panic, and an
// error quotes no more of the file than a short value per line.
func FuzzParseWorld(f *testing.F) {
	f.Add(issueWorld)
	f.Add("regions: {eu-de: [a, a, eu-de]}\nvaults:\n  - {id: x, id: y, size: 1e400}\n")
	f.Add("a: &a [x]\nregions: *a\nvaults: [*a, {<<: *a}]\n")
	f.Add("regions: [[[[[[")
	f.Fuzz(func(t *testing.T, file string) {
		_, err := cbrtest.ParseWorld(strings.NewReader(file))
		if err == nil {
			return
		}
		for line := range strings.SplitSeq(err.Error(), "\n") {
			if len(line) > 400 {
				t.Fatalf("a line of the error is %d bytes long: %.100q", len(line), line)
			}
		}
	})
}
