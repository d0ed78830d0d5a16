package auth

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"

	"github.com/go-json-experiment/json"
	"github.com/gophercloud/gophercloud/v2"

	"github.com/cbr-replicate/cbr-replicate/internal/limit"
	"github.com/cbr-replicate/cbr-replicate/internal/redact"
)

// SignInError is a failed sign-in at IAM. Refused means IAM answered and
// refused (a 4xx answer: wrong password, unknown user or project, expired
// token): signing in again will not help, so a command exits 1. Otherwise
// IAM could not be reached, failed (5xx) or answered what is not a usable
// token, which may pass (exit 2).
type SignInError struct {
	// AuthURL is the URL the sign-in was sent to (the configured one, /v3
	// appended when it named no version): Validate let no credential in it.
	AuthURL string
	// Status is IAM's HTTP status; 0 when IAM did not answer.
	Status int
	// Refused tells that IAM refused the sign-in (a 4xx answer).
	Refused bool
	// Err is the cause: IAM's message (at most limit.Message characters),
	// the network error or what is wrong with the answer. It never holds
	// the password, a token or the passcode.
	Err error
}

// Error names the IAM URL and says whether IAM refused the sign-in or could
// not be reached, and why.
func (e *SignInError) Error() string {
	switch {
	case e == nil:
		return "auth: sign-in failed (no details)"
	case e.Refused:
		return fmt.Sprintf("auth: IAM %s refused the sign-in (%d %s): %v", e.AuthURL, e.Status, http.StatusText(e.Status), e.Err)
	case e.Status != 0:
		return fmt.Sprintf("auth: IAM %s failed the sign-in (%d %s): %v", e.AuthURL, e.Status, http.StatusText(e.Status), e.Err)
	}
	return fmt.Sprintf("auth: signing in at IAM %s: %v", e.AuthURL, e.Err)
}

// Unwrap returns the cause.
func (e *SignInError) Unwrap() error {
	if e == nil {
		return nil
	}
	return e.Err
}

// signInError turns gophercloud's error of a sign-in into a SignInError:
// an answer other than 201 gives its status and what iamMessage quotes of
// it; a request that could not be sent gives the cause without the URL,
// which the SignInError shows redacted.
func (s *Session) signInError(err error) error {
	if answer, ok := errors.AsType[gophercloud.ErrUnexpectedResponseCode](err); ok {
		return &SignInError{AuthURL: s.url, Status: answer.Actual, Refused: answer.Actual >= 400 && answer.Actual < 500,
			Err: errors.New(s.iamMessage(answer))}
	}
	if ue, ok := errors.AsType[*url.Error](err); ok {
		err = ue.Err // url.Error repeats the URL, unredacted
	}
	return &SignInError{AuthURL: s.url, Err: s.scrub(err)}
}

// answerError is a SignInError for an answer of IAM that is not a usable
// token.
func (s *Session) answerError(err error) error {
	return &SignInError{AuthURL: s.url, Err: s.scrub(fmt.Errorf("IAM's answer: %w", err))}
}

// scrub returns err as it is, or when its text holds a secret of the
// Session, that text redacted, then shortened.
func (s *Session) scrub(err error) error {
	msg := err.Error()
	if hidden := s.hide(msg); hidden != msg {
		return errors.New(limit.Text(hidden, limit.Message))
	}
	return err
}

// hide redacts the password, token and passcode from text, as they are and
// JSON-escaped.
func (s *Session) hide(text string) string {
	return redact.String(text, s.cfg.Password.Reveal(), s.cfg.Token.Reveal(), s.cfg.Passcode.Reveal())
}

// iamMessage is what a SignInError quotes of an answer other than 201: the
// message of Keystone's error body ({"error": {"message": ...}}; its title
// repeats the status), redacted first, then shortened to limit.Message;
// nothing of a body of another shape, which may echo the request; where a
// redirect points (it is not followed); and, for a password refused with
// 401, what an account with login protection needs.
func (s *Session) iamMessage(answer gophercloud.ErrUnexpectedResponseCode) string {
	var ke struct {
		Error struct {
			Message string `json:"message"`
		} `json:"error"`
	}
	msg := "the answer is not Keystone's error body"
	if json.Unmarshal(answer.Body, &ke, json.RejectUnknownMembers(false)) == nil && ke.Error.Message != "" {
		msg = limit.Text(s.hide(ke.Error.Message), limit.Message)
	}
	if loc, err := url.Parse(s.url); answer.Actual/100 == 3 && err == nil && answer.ResponseHeader.Get("Location") != "" {
		if to, err := loc.Parse(answer.ResponseHeader.Get("Location")); err == nil {
			msg += "; it points to " + origin(to.String()) + ", where the sign-in is not sent"
		}
	}
	switch {
	case answer.Actual != http.StatusUnauthorized || !s.cfg.Token.IsZero():
	case s.cfg.Passcode.IsZero():
		msg += " (an account with login protection needs the virtual MFA passcode, OS_PASSCODE, and the user's ID, OS_USER_ID, " +
			"besides the password; or sign with an access key: OS_ACCESS_KEY and OS_SECRET_KEY)"
	default:
		msg += " (check the password, and that the passcode is the current code of the virtual MFA device)"
	}
	return msg
}
