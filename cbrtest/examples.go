package cbrtest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/cbr-replicate/cbr-replicate/gen/cbr"
)

// operationPath is the path template of the one operation the fake serves.
const operationPath = "/v3/{project_id}/checkpoints/replicate"

// example is one documented example of a response, marshalled once.
type example struct {
	name string
	body []byte
}

// examples holds the documented response examples of the operation, read
// once from the embedded spec, keyed as the spec keys its responses: a
// status ("404") or a range of them ("4XX"); each list sorted by example
// name.
type examples struct {
	byKey map[string][]example
	keys  []string // the documented keys, sorted, for messages
}

// specExamples reads the examples once per process: loading the spec costs
// milliseconds, answering from the table costs nothing.
var specExamples = sync.OnceValues(loadExamples)

func loadExamples() (*examples, error) {
	doc, err := cbr.GetSpec()
	if err != nil {
		return nil, fmt.Errorf("load embedded spec: %w", err)
	}
	item := doc.Paths.Value(operationPath)
	if item == nil || item.Post == nil || item.Post.Responses == nil {
		return nil, fmt.Errorf("embedded spec has no POST %s", operationPath)
	}
	ex := &examples{byKey: map[string][]example{}}
	for key, ref := range item.Post.Responses.Map() {
		if ref == nil || ref.Value == nil {
			continue
		}
		media := ref.Value.Content.Get("application/json")
		if media == nil {
			continue
		}
		var list []example
		for name, exRef := range media.Examples {
			if exRef == nil || exRef.Value == nil {
				continue
			}
			body, err := json.Marshal(exRef.Value.Value)
			if err != nil {
				return nil, fmt.Errorf("marshal example %s of response %s: %w", name, key, err)
			}
			list = append(list, example{name: name, body: body})
		}
		if media.Example != nil && len(list) == 0 {
			body, err := json.Marshal(media.Example)
			if err != nil {
				return nil, fmt.Errorf("marshal example of response %s: %w", key, err)
			}
			list = append(list, example{name: "example", body: body})
		}
		if len(list) == 0 {
			return nil, fmt.Errorf("embedded spec: response %s of POST %s has no example", key, operationPath)
		}
		slices.SortFunc(list, func(a, b example) int { return strings.Compare(a.name, b.name) })
		ex.byKey[key] = list
		ex.keys = append(ex.keys, key)
	}
	slices.Sort(ex.keys)
	return ex, nil
}

// key returns the spec's response key that documents status: the status
// itself, else its range ("5XX"), as kin-openapi's Responses.Status does;
// "" if the spec documents neither.
func (e *examples) key(status int) string {
	k := strconv.Itoa(status)
	if _, ok := e.byKey[k]; ok {
		return k
	}
	if status >= 100 && status <= 599 {
		if r := k[:1] + "XX"; e.byKey[r] != nil {
			return r
		}
	}
	return ""
}

// lookup returns the example for status: the one called name, or the first
// by name if name is empty. A status without a response of its own uses its
// range's (502 that of 5XX). It fails if the spec documents no answer for
// status, or no example called name for it.
func (e *examples) lookup(status int, name string) ([]byte, error) {
	key := e.key(status)
	if key == "" {
		return nil, fmt.Errorf("status %d (%s) is not documented by the spec; documented: %s",
			status, http.StatusText(status), strings.Join(e.keys, ", "))
	}
	list := e.byKey[key]
	if name == "" {
		return list[0].body, nil
	}
	for _, x := range list {
		if x.name == name {
			return x.body, nil
		}
	}
	names := make([]string, len(list))
	for i, x := range list {
		names[i] = x.name
	}
	return nil, fmt.Errorf("example %q is not documented for status %d (%s); documented: %s",
		name, status, http.StatusText(status), strings.Join(names, ", "))
}

// documented reports whether the spec documents status, by itself or by its
// range.
func (e *examples) documented(status int) bool {
	return e.key(status) != ""
}
