package validate_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"

	jsonv2 "github.com/go-json-experiment/json"

	"github.com/cbr-replicate/cbr-replicate/gen/cbr"
	"github.com/cbr-replicate/cbr-replicate/validate"
)

// checkVerdict fails unless err is nil or a *validate.Error whose
// violations are all complete.
func checkVerdict(t *testing.T, err error) {
	t.Helper()
	if err == nil {
		return
	}
	var verr *validate.Error
	if !errors.As(err, &verr) || len(verr.Violations) == 0 {
		t.Fatalf("error is not a *validate.Error with violations: %v", err)
	}
	for _, v := range verr.Violations {
		if v.In == "" || v.Rule == "" || v.Message == "" {
			t.Fatalf("incomplete violation %+v", v)
		}
	}
}

func mustRead(f *testing.F, name string) []byte {
	return readTestdata(f, name)
}

// hostileSeeds are the hostile shapes of a body whose top-level object is
// top and has the property key: lone surrogates, a byte order mark, deep
// nesting, many unknown keys, duplicate keys, keys in another case and
// invalid UTF-8.
func hostileSeeds(page []byte, top, key string) [][]byte {
	var many bytes.Buffer
	many.WriteString(`{"` + top + `":{`)
	for i := range 2000 {
		fmt.Fprintf(&many, `"k%d":%d,`, i, i)
	}
	many.WriteString(`"x":0}}`)
	quoted := []byte(`"` + key + `"`)
	return [][]byte{
		[]byte(`{"` + top + `":{"` + key + `":"\ud800"}}`),
		[]byte(`{"` + top + `":{"` + key + `":"\udc00\ud800"}}`),
		[]byte(`{"` + top + `":{"\ud800":1}}`),
		append([]byte("\xEF\xBB\xBF"), page...),
		[]byte(`{"` + top + `":` + strings.Repeat("[", 10001) + strings.Repeat("]", 10001) + `}`),
		[]byte(strings.Repeat(`{"a":`, 20000)),
		many.Bytes(),
		[]byte(`{"` + top + `":{"` + key + `":"a","` + key + `":"b"}}`),
		[]byte(`{"` + top + `":{},"` + top + `":{}}`),
		bytes.Replace(page, quoted, []byte(strings.ToUpper(string(quoted))), 1),
		bytes.Replace(page, quoted, append(append([]byte{}, quoted...)[:len(quoted)-1], []byte(`":"x","`+strings.ToUpper(key)+`"`)...), 1),
		bytes.Replace(page, quoted, []byte(`"`+key+"\xff"+`"`), 1),
		[]byte("{\"" + top + "\":{\"" + key + "\":\"\xc3\x28\"}}"),
	}
}

// FuzzRequestBody checks that RequestBody never panics and that a body it
// accepts always decodes into cbr.CheckpointReplicateReq with encoding/json.
func FuzzRequestBody(f *testing.F) {
	page := mustRead(f, "request.json")
	f.Add(page)
	f.Add(bytes.Replace(page, []byte(`"vault_id"`), []byte(`"VAULT_ID"`), 1))
	f.Add(bytes.Replace(page, []byte(`"auto_trigger"`), []byte(`"auto_triger"`), 1))
	f.Add(bytes.Replace(page, []byte(`false`), []byte(`"false"`), 1))
	f.Add([]byte(`{"checkpoint":` + string(page) + `}`))
	f.Add(page[:len(page)/2])
	f.Add(append(append([]byte{}, page...), '}'))
	f.Add([]byte(`{"replicate":{"destination_project_id":"p","destination_region":"r","destination_vault_id":"d","vault_id":"3b5816b5-f29c-4172-9d9a-76c719a659ce","vault_id":"x"}}`))
	f.Add([]byte(`{"replicate":{"destination_project_id":"p","destination_region":"r","destination_vault_id":"d","vault_id":"3b5816b5-f29c-4172-9d9a-76c719a659ce","Vault_Id":"x"}}`))
	f.Add([]byte(``))
	f.Add([]byte(`null`))
	f.Add([]byte(`[]`))
	for _, seed := range hostileSeeds(page, "replicate", "vault_id") {
		f.Add(seed)
	}
	v, err := validate.New()
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		err := v.RequestBody(copyCheckpoint, body)
		checkVerdict(t, err)
		if err != nil {
			return
		}
		var req cbr.CheckpointReplicateReq
		if err := json.Unmarshal(body, &req); err != nil {
			t.Fatalf("accepted body does not decode into cbr.CheckpointReplicateReq: %v\n%q", err, body)
		}
	})
}

// FuzzResponseBody checks that ResponseBody never panics and that a 200
// body it accepts always decodes into cbr.CheckpointReplicateResp (and an
// error body into cbr.CBRError) with json v2, which matches keys
// case-sensitively as the validator does (the response objects are open:
// a key in another case is an unknown key, which encoding/json would bind).
func FuzzResponseBody(f *testing.F) {
	page := mustRead(f, "response.json")
	f.Add(200, page)
	f.Add(200, bytes.Replace(page, []byte(`"backups" : [`), []byte(`"backups" : {"x": [`), 1))
	f.Add(200, bytes.Replace(page, []byte(`"vault_id"`), []byte(`"VAULT_ID"`), 1))
	f.Add(200, bytes.Replace(page, []byte(`"source_region" : "region1"`), []byte(`"source_region" : 1`), 1))
	f.Add(200, page[:len(page)/3])
	f.Add(200, []byte(`{"replication":null}`))
	f.Add(200, []byte(`<html>Bad Gateway</html>`))
	f.Add(400, []byte(`{"error_code":"BackupService.6120","error_msg":"Destination vault does not exist."}`))
	f.Add(403, []byte(`{"error_code":8600}`))
	f.Add(500, []byte(``))
	for _, seed := range hostileSeeds(page, "replication", "vault_id") {
		f.Add(200, seed)
	}
	f.Add(200, []byte(`{"replication":{"backups":[1,{"backup_id":2},"x",null,[]]}}`))
	v, err := validate.New()
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, status int, body []byte) {
		err := v.ResponseBody(copyCheckpoint, status, body)
		checkVerdict(t, err)
		if err != nil {
			return
		}
		var target any = new(cbr.CBRError)
		if status == 200 {
			target = new(cbr.CheckpointReplicateResp)
		}
		if err := jsonv2.Unmarshal(body, target); err != nil {
			t.Fatalf("accepted body for %d does not decode into %T: %v\n%q", status, target, err, body)
		}
	})
}
