// Package consent decides whether a customer's data may go to Meta's ad systems, records every
// such decision with its source, and erases a customer's data on request.
//
// A customer is known here only by a subject id: a keyed hash (HMAC-SHA256 with a secret pepper)
// of the surface and the platform's user id (wa_id, PSID, IGSID). Logs and the consent items in
// the store carry only that id.
//
// Decisions come from chat keywords (Detect, Ledger.HandleChat), the business's privacy page
// (NewHandler: POST /consent, GET /consent/{subject}), WhatsApp user_preferences and Messenger
// notification opt-outs (Ledger.HandlePreference, mapped by PreferenceMapping) and Meta's data
// deletion callback (POST /meta/data-deletion). The Ledger is the one enforcement point: package
// adsignals asks Ledger.Allowed at send time, and a denial also erases the stored ad click ids
// (ctwa_clid) and referrals of the subject's conversations.
//
// Meta's opt_out flag on a Conversions API event does not stop the event being used for
// attribution, so an opted-out subject's events are never sent at all.
//
// See https://developers.facebook.com/docs/development/create-an-app/app-dashboard/data-deletion-callback
// and https://developers.facebook.com/docs/marketing-api/conversions-api/business-messaging.
package consent
