package auth

import (
	stdjson "encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/go-json-experiment/json"
	"github.com/gophercloud/gophercloud/v2"

	"github.com/cbr-replicate/cbr-replicate/internal/redact"
)

// SignInError is a failed sign-in at IAM. Refused means IAM answered and
// refused (a 4xx answer: wrong password, unknown user or project, expired
// token): signing in again will not help, so a command exits 1. Otherwise
// IAM could not be reached, failed (5xx) or answered what is not a usable
// token, which may pass (exit 2).
type SignInError struct {
	// AuthURL is IAM's URL, redacted with redact.URL.
	AuthURL string
	// Status is IAM's HTTP status; 0 when IAM did not answer.
	Status int
	// Refused tells that IAM refused the sign-in (a 4xx answer).
	Refused bool
	// Err is the cause: IAM's message, the network error or what is wrong
	// with the answer. It never holds the password or a token.
	Err error
}

// Error names the IAM URL and says whether IAM refused the sign-in or could
// not be reached, and why.
func (e *SignInError) Error() string {
	switch {
	case e.Refused:
		return fmt.Sprintf("auth: IAM %s refused the sign-in (%d %s): %v", e.AuthURL, e.Status, http.StatusText(e.Status), e.Err)
	case e.Status != 0:
		return fmt.Sprintf("auth: IAM %s failed the sign-in (%d %s): %v", e.AuthURL, e.Status, http.StatusText(e.Status), e.Err)
	}
	return fmt.Sprintf("auth: signing in at IAM %s: %v", e.AuthURL, e.Err)
}

// Unwrap returns the cause.
func (e *SignInError) Unwrap() error { return e.Err }

// maxMessage bounds IAM's message quoted in an error.
const maxMessage = 512

// signInError turns gophercloud's error of a sign-in into a SignInError:
// an answer other than 201 gives its status and IAM's message (Keystone's
// {"error": {"message": ...}}, else the start of the body); a request that
// could not be sent gives the network error without the URL, which the
// SignInError shows redacted.
func (s *Session) signInError(err error) error {
	e := &SignInError{AuthURL: redact.URL(s.url)}
	var answer gophercloud.ErrUnexpectedResponseCode
	var ue *url.Error
	switch {
	case errors.As(err, &answer):
		e.Status = answer.Actual
		e.Refused = answer.Actual >= 400 && answer.Actual < 500
		e.Err = errors.New(s.hide(iamMessage(answer.Body)))
	case errors.As(err, &ue):
		e.Err = ue.Err // url.Error repeats the URL, unredacted
	default:
		e.Err = err
	}
	if msg := e.Err.Error(); s.hide(msg) != msg {
		e.Err = errors.New(s.hide(msg))
	}
	return e
}

// answerError is a SignInError for an answer of IAM that is not a usable
// token.
func (s *Session) answerError(err error) error {
	return &SignInError{AuthURL: redact.URL(s.url), Err: fmt.Errorf("IAM's answer: %w", err)}
}

// hide redacts the password and the configured token from msg.
func (s *Session) hide(msg string) string {
	for _, secret := range []string{s.cfg.Password.Reveal(), s.cfg.Token.Reveal()} {
		msg = redact.String(msg, secret)
		// An echoed request body holds the secret JSON-escaped: as
		// encoding/json writes it (gophercloud's: "<" as \u003c) and as
		// encoders that do not escape HTML do (`"` as \").
		for _, marshal := range []func(any) ([]byte, error){stdjson.Marshal, func(v any) ([]byte, error) { return json.Marshal(v) }} {
			if quoted, err := marshal(secret); err == nil && len(quoted) > 2 {
				msg = redact.String(msg, string(quoted[1:len(quoted)-1]))
			}
		}
	}
	return msg
}

// iamMessage is the message of Keystone's error body (its title repeats
// the status the SignInError shows), or the start of a body of another
// shape.
func iamMessage(body []byte) string {
	var ke struct {
		Error struct {
			Message string `json:"message"`
		} `json:"error"`
	}
	msg := ""
	if json.Unmarshal(body, &ke, json.RejectUnknownMembers(false)) == nil && ke.Error.Message != "" {
		msg = ke.Error.Message
	} else {
		msg = strings.TrimSpace(string(body))
	}
	if msg == "" {
		return "no message"
	}
	if len(msg) > maxMessage {
		msg = strings.ToValidUTF8(msg[:maxMessage], "") + "..."
	}
	return msg
}
