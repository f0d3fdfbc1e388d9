package domain

import (
	"errors"
	"fmt"
)

// ErrorCode is the small, stable vocabulary errors are classified by. Clients branch on it, the API
// maps it to an HTTP status in one table, and it never changes meaning once published.
type ErrorCode string

// The codes. Each maps to exactly one HTTP status in the api package.
const (
	CodeBadRequest      ErrorCode = "bad_request"     // malformed request: not JSON, unknown field, bad query syntax
	CodeInvalid         ErrorCode = "invalid"         // well-formed but breaks a rule: a field value, a legal constraint
	CodeUnauthenticated ErrorCode = "unauthenticated" // no valid credentials
	CodeForbidden       ErrorCode = "forbidden"       // authenticated, but the action is not allowed
	CodePasswordChange  ErrorCode = "password_change_required"
	CodeNotFound        ErrorCode = "not_found"         // absent, or outside the caller's scope (never told apart)
	CodeConflict        ErrorCode = "conflict"          // stale version, duplicate key
	CodePayloadTooLarge ErrorCode = "payload_too_large" // body over the limit
	CodeRateLimited     ErrorCode = "rate_limited"      // too many attempts from one address
	CodeAccountLocked   ErrorCode = "account_locked"    // too many failed logins for one account
	CodeUnavailable     ErrorCode = "unavailable"       // a dependency is down; retry later
	CodeInternal        ErrorCode = "internal"          // a bug or an unexpected failure; details only in logs
)

// Detail names what exactly was wrong: the offending field, the rule broken and, where the rule
// comes from the law, the article. Details are safe to show to the user.
type Detail struct {
	Field   string
	Rule    string
	Article string
	Message string
}

// Error is the error type every layer returns for anything a user can act on. Message is a
// short human sentence safe to show; Err keeps the underlying cause for logs only.
type Error struct {
	Code    ErrorCode
	Message string
	Details []Detail
	// RetryAfterSeconds is set for rate limits and lockouts so clients know when to try again.
	RetryAfterSeconds int
	Err               error
}

func (e *Error) Error() string {
	if e.Err != nil {
		return fmt.Sprintf("%s: %s: %v", e.Code, e.Message, e.Err)
	}
	return fmt.Sprintf("%s: %s", e.Code, e.Message)
}

func (e *Error) Unwrap() error { return e.Err }

// ErrorCodeOf classifies any error: a *Error anywhere in the chain gives its code, anything else
// is internal.
func ErrorCodeOf(err error) ErrorCode {
	var de *Error
	if errors.As(err, &de) {
		return de.Code
	}
	return CodeInternal
}

// AsError returns the *Error in err's chain, if any.
func AsError(err error) (*Error, bool) {
	var de *Error
	ok := errors.As(err, &de)
	return de, ok
}

// Errorf builds an *Error with a formatted message.
func Errorf(code ErrorCode, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// NotFound reports that a thing does not exist or is outside the caller's scope; the two are
// deliberately indistinguishable so that scope cannot be probed.
func NotFound(what string) *Error {
	return &Error{Code: CodeNotFound, Message: "không tìm thấy " + what}
}

// Forbidden reports an action the caller may not take on something it may see.
func Forbidden(msg string) *Error { return &Error{Code: CodeForbidden, Message: msg} }

// Conflict reports a stale write or a duplicate.
func Conflict(msg string) *Error { return &Error{Code: CodeConflict, Message: msg} }

// Unauthenticated reports missing or bad credentials.
func Unauthenticated(msg string) *Error { return &Error{Code: CodeUnauthenticated, Message: msg} }

// Validation collects field problems so that a user sees every mistake at once, not one per try.
type Validation struct {
	details []Detail
}

// Add records a problem with a field.
func (v *Validation) Add(field, rule, msg string) {
	v.details = append(v.details, Detail{Field: field, Rule: rule, Message: msg})
}

// AddArticle records a problem that a legal provision imposes.
func (v *Validation) AddArticle(field, rule, article, msg string) {
	v.details = append(v.details, Detail{Field: field, Rule: rule, Article: article, Message: msg})
}

// Err returns nil when nothing was recorded, otherwise an invalid *Error carrying every detail.
func (v *Validation) Err() error {
	if len(v.details) == 0 {
		return nil
	}
	return &Error{Code: CodeInvalid, Message: "yêu cầu chưa hợp lệ: xem chi tiết từng trường", Details: v.details}
}

// Invalid is a one-field validation error.
func Invalid(field, rule, msg string) *Error {
	return &Error{Code: CodeInvalid, Message: msg, Details: []Detail{{Field: field, Rule: rule, Message: msg}}}
}
