// Package graph sends replies to customers through Meta's Graph API: the WhatsApp Cloud API
// (POST /{phone-number-id}/messages), the Messenger and Instagram Send API
// (POST /{page-id|ig-id}/messages) and private replies to Page and Instagram comments
// (recipient.comment_id).
//
// A Client turns a channel.Reply into the platform's body, retries 5xx and 429 answers with
// exponential backoff and jitter (honouring Retry-After, bounded, context-aware), never retries
// policy errors, and maps Graph error codes to sentinels the bot can act on (ErrWindowClosed,
// ErrMarketingStopped, ErrUserUnavailable, ErrRateLimited, ErrTokenInvalid) plus an *APIError
// with the details.
//
// See https://developers.facebook.com/documentation/business-messaging/whatsapp/messages/send-messages,
// https://developers.facebook.com/docs/messenger-platform/reference/send-api and
// https://developers.facebook.com/docs/messenger-platform/reference/send-api/error-codes.
package graph
