// Package apperr is frontdesk's one application error: an operation, a kind that decides the
// HTTP status and whether a retry can help, and a message that is safe to show a caller.
//
// Inner layers wrap with context and return; only the edge (an HTTP handler, the queue
// consumer) logs, and it logs internal errors once.
package apperr

import (
	"encoding/json"
	"errors"
	"net/http"
	"strings"
)

// Op names the operation that failed, e.g. "dynamo.PutConversation".
type Op string

// Kind classifies an error. Do not reorder; add new kinds at the end.
type Kind uint8

// Kinds of error.
const (
	Other        Kind = iota // unclassified: an internal error unless a wrapped error says more
	Invalid                  // the input is malformed or breaks a rule (400)
	Unauthorized             // missing or wrong credentials or signature (401)
	Forbidden                // authenticated but not allowed (403)
	NotFound                 // the thing does not exist, or has expired (404)
	Conflict                 // a conditional write lost a race: re-read and try again (409); never a refusal for good
	TooLarge                 // the body is over the limit (413)
	Unsupported              // wrong content type (415)
	Transient                // a dependency failed in a way a retry may fix (503)
	Internal                 // a bug or an unexpected failure (500)
	Gone                     // the thing existed and is no longer available (410)
)

var names = [...]string{"other", "invalid", "unauthorized", "forbidden", "not_found", "conflict",
	"too_large", "unsupported", "transient", "internal", "gone"}

func (k Kind) String() string {
	if int(k) < len(names) {
		return names[k]
	}
	return "unknown"
}

// Error is the application error.
type Error struct {
	Op   Op
	Kind Kind
	// Msg is safe to send to a caller: it says what is wrong without internal detail.
	Msg string
	Err error
}

// E builds an error of the given kind with a safe message.
func E(op Op, kind Kind, msg string) *Error { return &Error{Op: op, Kind: kind, Msg: msg} }

// Wrap wraps err with an operation, a kind and a safe message. Kind Other inherits the kind of
// err when err is an *Error.
func Wrap(op Op, kind Kind, err error, msg string) *Error {
	return &Error{Op: op, Kind: kind, Msg: msg, Err: err}
}

func (e *Error) Error() string {
	var b strings.Builder
	if e.Op != "" {
		b.WriteString(string(e.Op))
		b.WriteString(": ")
	}
	if e.Msg != "" {
		b.WriteString(e.Msg)
	} else {
		b.WriteString(e.Kind.String())
	}
	if e.Err != nil {
		b.WriteString(": ")
		b.WriteString(e.Err.Error())
	}
	return b.String()
}

func (e *Error) Unwrap() error { return e.Err }

// KindOf returns the kind of the outermost *Error in err's chain that has one, or Internal
// for any other non-nil error.
func KindOf(err error) Kind {
	if err == nil {
		return Other
	}
	for e := err; e != nil; {
		var ae *Error
		if !errors.As(e, &ae) {
			break
		}
		if ae.Kind != Other {
			return ae.Kind
		}
		e = ae.Err
	}
	return Internal
}

// Is reports whether err has the given kind.
func Is(err error, kind Kind) bool { return err != nil && KindOf(err) == kind }

// Message returns the safe message for a caller: the outermost non-empty Msg of an error of a
// client kind, or a generic text for internal and transient errors.
func Message(err error) string {
	switch k := KindOf(err); k {
	case Internal, Other:
		return "internal error"
	case Transient:
		return "temporarily unavailable, retry later"
	}
	var ae *Error
	for e := err; errors.As(e, &ae); e = ae.Err {
		if ae.Msg != "" {
			return ae.Msg
		}
	}
	return KindOf(err).String()
}

var statuses = map[Kind]int{
	Invalid:      http.StatusBadRequest,
	Unauthorized: http.StatusUnauthorized,
	Forbidden:    http.StatusForbidden,
	NotFound:     http.StatusNotFound,
	Conflict:     http.StatusConflict,
	TooLarge:     http.StatusRequestEntityTooLarge,
	Unsupported:  http.StatusUnsupportedMediaType,
	Transient:    http.StatusServiceUnavailable,
	Internal:     http.StatusInternalServerError,
	Gone:         http.StatusGone,
}

// Status maps err to an HTTP status code.
func Status(err error) int {
	if s, ok := statuses[KindOf(err)]; ok {
		return s
	}
	return http.StatusInternalServerError
}

// WriteJSON writes err as {"error": "<safe message>", "kind": "<kind>"} with its status.
func WriteJSON(w http.ResponseWriter, err error) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(Status(err))
	_ = json.NewEncoder(w).Encode(map[string]string{"error": Message(err), "kind": KindOf(err).String()})
}
