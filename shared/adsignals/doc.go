// Package adsignals sends Conversions API events for business messaging: the ad-attributed
// moments of a conversation (the first message after a click-to-WhatsApp/Messenger/Instagram
// ad, a lead an agent marks, a resolution), so the business's ads can be measured.
//
// Every event passes the consent gate at send time: Signaler asks consent.Ledger right before
// the HTTP call, and an opted-out subject's event is not sent at all. Meta's opt_out flag is
// never used for this, because an event marked opt_out is still received and used for
// attribution. A suppression is counted (metric ConsentSuppressions) and logged without ids.
//
// Package capi, the adapter, posts them: POST {base}/{version}/{dataset id}/events through the
// Graph API's one transport (graph.Transport: its retries, rate-limit codes and private error
// texts), with the access token in an Authorization: Bearer header (Graph accepts it as well as ?access_token=; the header keeps the
// token out of URLs and access logs). user_data is per channel: WhatsApp
// whatsapp_business_account_id + ctwa_clid, Messenger page_id + page_scoped_user_id, Instagram
// instagram_business_account_id + ig_sid. Meta does not deduplicate these events, so Signaler
// claims an idempotency key per moment and triggering event before sending.
//
// See https://developers.facebook.com/docs/marketing-api/conversions-api/business-messaging.
package adsignals
