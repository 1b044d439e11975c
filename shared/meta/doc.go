// Package meta receives Meta webhooks: the WhatsApp Cloud API (object whatsapp_business_account),
// Messenger (object page, messaging), Instagram Messaging (object instagram) and Page or Instagram
// comments (feed and comments changes).
//
// VerifySignature checks X-Hub-Signature-256 on the raw request body; Parse turns a verified body
// into normalised channel.Inbound events, one per event in the batch; NewWebhook is the
// http.Handler for GET and POST /webhooks/meta that does both and enqueues the events for the bot.
// Nothing here logs message text or user ids.
//
// See https://developers.facebook.com/docs/graph-api/webhooks/getting-started,
// https://developers.facebook.com/documentation/business-messaging/whatsapp/webhooks/overview and
// https://developers.facebook.com/documentation/business-messaging/messenger-platform/webhooks.
package meta
