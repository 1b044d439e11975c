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
	// ErrRateLimited: HTTP 429 or one of Meta's rate-limit codes (RateLimitCodes).
	// APIError.RetryAfter says how long to wait when Meta said so.
	ErrRateLimited = channel.ErrRateLimited
	// ErrTokenInvalid: code 190, the access token expired or was revoked.
	ErrTokenInvalid = channel.ErrTokenInvalid
	// ErrAlreadyReplied: a private reply was already sent to this comment (only one is allowed):
	// code 10900, or this client's own record. A refusal for good, not a race to retry.
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
	// CodeAlreadyReplied is "Activity already replied to": the comment's one private reply is
	// spent. [secondary: Messenger error lists, not the Send API reference]
	CodeAlreadyReplied = 10900
)

// RateLimitCodes are Meta's throttling codes, the one list for every Graph API caller: 4
// (application), 17 (user), 32 (Page), 613 (custom), 80001-80014 (business use case: Pages,
// Instagram, Messenger, WhatsApp Business Management, ads), 130429 (WhatsApp throughput),
// 131048 (WhatsApp spam rate limit), 131056 (WhatsApp pair rate limit). See
// https://developers.facebook.com/docs/graph-api/overview/rate-limiting and the WhatsApp Cloud
// API error codes.
var RateLimitCodes = []int{4, 17, 32, 613, 80001, 80002, 80003, 80004, 80005, 80006, 80007, 80008, 80009, 80014, 130429, 131048, 131056}

var rateLimitCodes = func() map[int]bool {
	m := map[int]bool{}
	for _, c := range RateLimitCodes {
		m[c] = true
	}
	return m
}()

// APIError is an error answer of the Graph API (the Send API, the WhatsApp Cloud API and the
// Conversions API alike): {"error":{"message","type","code","error_subcode","fbtrace_id"}}.
//
// Its Error text and LogValue hold the status, the codes, the type and the trace id, never
// Message: Meta's message may quote the request (a phone number, the text sent).
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
	if e.Type != "" {
		s += " " + e.Type
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
	case ErrAlreadyReplied:
		return e.Code == CodeAlreadyReplied
	}
	return false
}

// LogValue implements slog.LogValuer: as Error, without Message.
func (e *APIError) LogValue() slog.Value {
	return slog.GroupValue(slog.Int("status", e.Status), slog.Int("code", e.Code),
		slog.Int("subcode", e.Subcode), slog.String("type", e.Type), slog.String("fbtrace_id", e.FBTraceID))
}

// policy reports whether the error is a decision by Meta that a retry cannot change.
func (e *APIError) policy() bool {
	return e.Is(ErrWindowClosed) || e.Is(ErrMarketingStopped) || e.Is(ErrUserUnavailable) || e.Is(ErrTokenInvalid) ||
		e.Is(ErrAlreadyReplied)
}

// Retryable reports whether the same request may succeed later: 5xx and 429 answers, Meta's
// rate-limit codes and its temporary codes (1, 2), unless the error is a policy decision.
func (e *APIError) Retryable() bool {
	if e.policy() {
		return false
	}
	return e.Status >= 500 || e.Is(ErrRateLimited) || e.Code == 1 || e.Code == 2
}
