package validate

import "net/http"

// ResponseMessage validates an answer whose body was already read, as a
// client that reads the answer once (package replicate) has it: a
// documented status, its Content-Type and the JSON body of that status. It
// returns *Error for violations, nil when the answer matches the contract.
func (v *Validator) ResponseMessage(status int, header http.Header, body []byte) error {
	if !v.built() {
		return errNotBuilt
	}
	if header == nil {
		header = http.Header{}
	}
	return v.response(nil, v.route, nil, status, header, body)
}
