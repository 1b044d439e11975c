// Package ingress is the HTTP edge the three ingress functions share (the Meta webhook, Slack,
// consent): one way to read a request body within a limit, one way to answer an error that also
// logs it once, and a guard that turns a panic into a logged 500 instead of a crashed Lambda.
//
// Handlers stay thin: read the body with Body, parse it with the package's pure parser, act, and
// answer any error with Fail. Nothing here logs a body, a header value or a secret.
package ingress

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"runtime/debug"
	"slices"

	"github.com/frontdesk-app/frontdesk/shared/apperr"
)

const op apperr.Op = "ingress"

// Body reads r's body, at most limit bytes. When mediaTypes are given, the Content-Type must be
// one of them. Errors are apperr values: TooLarge (413) over the limit (refused before reading
// when the request says its length), Unsupported (415) for another media type, Invalid (400)
// when the body cannot be read.
func Body(w http.ResponseWriter, r *http.Request, limit int64, mediaTypes ...string) ([]byte, error) {
	if len(mediaTypes) > 0 {
		mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
		if err != nil || !slices.Contains(mediaTypes, mt) {
			return nil, apperr.E(op, apperr.Unsupported, "Content-Type must be "+mediaTypes[0])
		}
	}
	if r.ContentLength > limit {
		return nil, apperr.E(op, apperr.TooLarge, "body over "+size(limit))
	}
	b, err := io.ReadAll(http.MaxBytesReader(w, r.Body, limit))
	if err != nil {
		if _, ok := errors.AsType[*http.MaxBytesError](err); ok {
			return nil, apperr.E(op, apperr.TooLarge, "body over "+size(limit))
		}
		return nil, apperr.Wrap(op, apperr.Invalid, err, "could not read the body")
	}
	return b, nil
}

// Fail answers err as JSON ({"error": "<safe message>", "kind": "<kind>"} with its status) and
// logs it, once: at error level when the fault is ours or a dependency's (5xx), at warn level
// when the request was refused (4xx), with the route, the status and the safe message. Call it
// instead of logging and writing separately.
func Fail(w http.ResponseWriter, r *http.Request, log *slog.Logger, err error) {
	status := apperr.Status(err)
	attrs := []any{"route", route(r), "status", status, "kind", apperr.KindOf(err).String(), "reason", apperr.Message(err)}
	if status >= 500 {
		log.ErrorContext(r.Context(), "request failed", append(attrs, "err", err)...)
	} else {
		log.WarnContext(r.Context(), "request refused", attrs...)
	}
	apperr.WriteJSON(w, err)
}

// Guard runs next and turns a panic into a 500 and one error log with the stack, so a bug in
// one request neither crashes the function nor goes unseen. http.ErrAbortHandler is re-raised:
// it is how a handler deliberately aborts a response.
func Guard(log *slog.Logger, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			p := recover()
			if p == nil {
				return
			}
			if p == http.ErrAbortHandler {
				panic(p)
			}
			log.ErrorContext(r.Context(), "request panicked", "route", route(r), "panic", fmt.Sprint(p), "stack", string(debug.Stack()))
			apperr.WriteJSON(w, apperr.E(op, apperr.Internal, "internal error"))
		}()
		next.ServeHTTP(w, r)
	})
}

// route names the request's route without its values: the matched pattern, else the method
// and path (paths of these functions hold no personal data besides a consent subject, which
// the consent routes match as a pattern).
func route(r *http.Request) string {
	if r.Pattern != "" {
		return r.Pattern
	}
	return r.Method + " " + r.URL.Path
}

func size(n int64) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MB", n>>20)
	case n >= 1<<10 && n%(1<<10) == 0:
		return fmt.Sprintf("%d KiB", n>>10)
	}
	return fmt.Sprintf("%d bytes", n)
}
