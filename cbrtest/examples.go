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
// once from the embedded spec: per documented status, and those of the
// default response, each list sorted by example name.
type examples struct {
	byStatus map[int][]example
	fallback []example // the default response's examples
}

// specExamples reads the examples once per process: loading the spec costs
// milliseconds, answering from the table costs nothing.
var specExamples = sync.OnceValues(loadExamples)

func loadExamples() (*examples, error) {
	doc, err := cbr.GetSwagger()
	if err != nil {
		return nil, fmt.Errorf("load embedded spec: %w", err)
	}
	item := doc.Paths.Value(operationPath)
	if item == nil || item.Post == nil || item.Post.Responses == nil {
		return nil, fmt.Errorf("embedded spec has no POST %s", operationPath)
	}
	ex := &examples{byStatus: map[int][]example{}}
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
		slices.SortFunc(list, func(a, b example) int { return strings.Compare(a.name, b.name) })
		if key == "default" {
			ex.fallback = list
			continue
		}
		status, err := strconv.Atoi(key)
		if err != nil {
			continue // a range such as "4XX": none in this spec
		}
		ex.byStatus[status] = list
	}
	if len(ex.fallback) == 0 {
		return nil, fmt.Errorf("embedded spec: the default response of POST %s has no example", operationPath)
	}
	return ex, nil
}

// lookup returns the example for status: the one called name, or the first
// by name if name is empty. A status without examples of its own uses those
// of the default response. It fails if name is not documented for status.
func (e *examples) lookup(status int, name string) ([]byte, error) {
	list, ok := e.byStatus[status]
	if !ok || len(list) == 0 {
		list = e.fallback
	}
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

// documented reports whether the spec documents status explicitly (not only
// through its default response).
func (e *examples) documented(status int) bool {
	_, ok := e.byStatus[status]
	return ok
}
