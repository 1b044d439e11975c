package graph

import (
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/frontdesk-app/frontdesk/shared/channel"
)

// Sentinel errors, matched with errors.Is on any error a send returns. They are package
// channel's delivery errors (the bot matches those); the names here keep this package's callers
// readable.
var (
	// ErrWindowClosed: WhatsApp 131047 (send a template instead), Messenger/Instagram code 10
	// (outside the allowed window; only HUMAN_AGENT may reach the customer within 7 days).
	ErrWindowClosed = channel.ErrWindowClosed
	// ErrMarketingStopped: WhatsApp 131050, the customer stopped marketing messages.
	ErrMarketingStopped = channel.ErrMarketingStopped
	// ErrUserUnavailable: Messenger/Instagram 551 (subcode 1545041, "this person isn't available
	// right now"), WhatsApp 131026 (undeliverable).
	ErrUserUnavailable = channel.ErrUserUnavailable
	// ErrRateLimited: HTTP 429 or a Graph rate-limit code (4, 17, 32, 613, 80007, 130429,
	// 131048, 131056). APIError.RetryAfter says how long to wait when Meta said so.
	ErrRateLimited = channel.ErrRateLimited
	// ErrTokenInvalid: code 190, the access token expired or was revoked.
	ErrTokenInvalid = channel.ErrTokenInvalid
	// ErrAlreadyReplied: a private reply was already sent to this comment (only one is allowed).
	ErrAlreadyReplied = channel.ErrAlreadyReplied
)

// Graph error codes this package acts on.
const (
	CodeWindowClosedWhatsApp = 131047
	CodeMarketingStopped     = 131050
	CodeUndeliverable        = 131026
	CodePermission           = 10
	CodeUserUnavailable      = 551
	SubcodeUserUnavailable   = 1545041
	CodeTokenInvalid         = 190
)

var rateLimitCodes = map[int]bool{4: true, 17: true, 32: true, 613: true, 80007: true, 130429: true, 131048: true, 131056: true}

// APIError is an error answer of the Graph API:
// {"error":{"message","type","code","error_subcode","fbtrace_id"}}.
type APIError struct {
	Status    int    // HTTP status
	Code      int    `json:"code"`
	Subcode   int    `json:"error_subcode"`
	Type      string `json:"type"`
	Message   string `json:"message"`
	FBTraceID string `json:"fbtrace_id"`
	// RetryAfter is the Retry-After header of a 429 or 503, zero if absent.
	RetryAfter time.Duration `json:"-"`
}

func (e *APIError) Error() string {
	s := fmt.Sprintf("graph api: status %d code %d", e.Status, e.Code)
	if e.Subcode != 0 {
		s += fmt.Sprintf(" subcode %d", e.Subcode)
	}
	if e.Message != "" {
		s += ": " + e.Message
	}
	if e.FBTraceID != "" {
		s += " (fbtrace_id " + e.FBTraceID + ")"
	}
	return s
}

// Is matches the sentinel errors.
func (e *APIError) Is(target error) bool {
	switch target {
	case ErrWindowClosed:
		return e.Code == CodeWindowClosedWhatsApp || e.Code == CodePermission
	case ErrMarketingStopped:
		return e.Code == CodeMarketingStopped
	case ErrUserUnavailable:
		return e.Code == CodeUserUnavailable || e.Subcode == SubcodeUserUnavailable || e.Code == CodeUndeliverable
	case ErrRateLimited:
		return e.Status == http.StatusTooManyRequests || rateLimitCodes[e.Code]
	case ErrTokenInvalid:
		return e.Code == CodeTokenInvalid
	}
	return false
}

// LogValue implements slog.LogValuer. Graph error messages do not carry message text.
func (e *APIError) LogValue() slog.Value {
	return slog.GroupValue(slog.Int("status", e.Status), slog.Int("code", e.Code),
		slog.Int("subcode", e.Subcode), slog.String("fbtrace_id", e.FBTraceID))
}

// policy reports whether the error is a decision by Meta that a retry cannot change.
func (e *APIError) policy() bool {
	return e.Is(ErrWindowClosed) || e.Is(ErrMarketingStopped) || e.Is(ErrUserUnavailable) || e.Is(ErrTokenInvalid)
}

// retryable reports whether the same request may succeed later: 5xx and 429 answers, and
// Graph's rate-limit and temporary codes (1, 2), unless the error is a policy decision.
func (e *APIError) retryable() bool {
	if e.policy() {
		return false
	}
	return e.Status >= 500 || e.Is(ErrRateLimited) || e.Code == 1 || e.Code == 2
}
