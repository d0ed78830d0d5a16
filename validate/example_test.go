package validate_test

import (
	"errors"
	"fmt"

	"github.com/cbr-replicate/cbr-replicate/validate"
)

func ExampleValidator_RequestBody() {
	v, err := validate.New()
	if err != nil {
		panic(err)
	}
	// The body shape a peer SDK sends, with a misspelled key.
	err = v.RequestBody(copyCheckpoint, []byte(`{"checkpoint": {"replicate": {"auto_triger": true}}}`))
	var verr *validate.Error
	if errors.As(err, &verr) {
		for _, violation := range verr.Violations {
			fmt.Println(violation.Pointer, violation.Rule)
		}
	}
	// Output:
	// /checkpoint additionalProperties
	// /replicate required
}

func ExampleValidator_ResponseBody() {
	v, err := validate.New()
	if err != nil {
		panic(err)
	}
	err = v.ResponseBody(copyCheckpoint, 200, []byte(`{"replication": {"backups": {"backup_id": "b"}}}`))
	fmt.Println(err)
	// Output:
	// body /replication/backups: type: value must be an array
}
