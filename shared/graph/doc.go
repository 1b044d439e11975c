// Package graph sends replies to customers through Meta's Graph API: the WhatsApp Cloud API
// (POST /{phone-number-id}/messages), the Messenger and Instagram Send API
// (POST /{page-id|ig-id}/messages) and private replies to Page and Instagram comments
// (recipient.comment_id).
//
// A Client turns a channel.Reply into the platform's body and sends it through a Transport, the
// one HTTP transport of every Graph API call (the Conversions API client in package adsignals
// uses it too): it retries 5xx, 429 and Meta's rate-limit codes (RateLimitCodes) with
// exponential backoff and jitter (package retry: Retry-After honoured, no wait past the
// context's deadline), never retries policy errors, and keeps message text, tokens and numbers
// out of its errors' texts. Graph error codes map to sentinels the bot can act on
// (ErrWindowClosed, ErrMarketingStopped, ErrUserUnavailable, ErrRateLimited, ErrTokenInvalid,
// ErrAlreadyReplied) plus an *APIError with the details.
//
// See https://developers.facebook.com/documentation/business-messaging/whatsapp/messages/send-messages,
// https://developers.facebook.com/docs/messenger-platform/reference/send-api and
// https://developers.facebook.com/docs/messenger-platform/reference/send-api/error-codes.
package graph
