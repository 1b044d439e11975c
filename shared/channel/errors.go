package channel

import "errors"

// Delivery errors: what a platform said when a reply could not be sent, matched with errors.Is
// on any error a sender returns. The platform adapters (package graph) map their error codes
// to these, so the bot decides on the meaning without knowing the platform.
var (
	// ErrWindowClosed: the customer service window is closed (WhatsApp: send a template
	// instead; Messenger/Instagram: only HUMAN_AGENT may reach the customer within 7 days).
	ErrWindowClosed = errors.New("the messaging window is closed")
	// ErrMarketingStopped: the customer stopped marketing messages.
	ErrMarketingStopped = errors.New("the customer stopped marketing messages")
	// ErrUserUnavailable: the customer cannot be reached (blocked, deleted, undeliverable).
	ErrUserUnavailable = errors.New("the customer is unavailable")
	// ErrRateLimited: the platform asks to slow down.
	ErrRateLimited = errors.New("rate limited")
	// ErrTokenInvalid: the access token expired or was revoked.
	ErrTokenInvalid = errors.New("the access token is invalid")
	// ErrAlreadyReplied: a private reply was already sent to this comment (only one is allowed).
	ErrAlreadyReplied = errors.New("the comment already has a private reply")
)
