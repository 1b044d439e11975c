//go:build linux

package artifact_test

import (
	"slices"
	"testing"
)

// metaWebhookSuite: every Meta payload is answered 200 and queues exactly the events the bot acts
// on (no receipts, no standby, no own comments, no statuses but failures); the handshake echoes
// the challenge; a bad signature is 401 and a wrong verify token 403, both with nothing queued.
var metaWebhookSuite = suite{trigger: apiGateway, cases: []eventCase{
	// Signed with another secret: refused, nothing queued.
	{"bad_signature", want{status: 401}},
	// Meta's dashboard sample: entry id 0 is no account of ours, so it is dropped.
	{"instagram_changes_messages", ok()},
	{"instagram_comment", ok("comment/comment")},
	{"instagram_comment_own", ok()},
	{"instagram_deleted", ok("instagram/deleted")},
	{"instagram_echo", ok("instagram/echo")},
	{"instagram_seen", ok()},
	{"instagram_story_mention", ok("instagram/message")},
	{"instagram_story_reply", ok("instagram/message")},
	{"instagram_text", ok("instagram/message")},
	{"instagram_unsupported", ok("instagram/message")},
	{"messenger_ad_referral_message", ok("messenger/message")},
	{"messenger_attachment", ok("messenger/message")},
	{"messenger_batch", ok("messenger/message", "messenger/message")},
	{"messenger_delivery", ok()},
	{"messenger_echo_app", ok("messenger/echo")},
	{"messenger_echo_inbox", ok("messenger/echo")},
	{"messenger_handover", ok("messenger/handover")},
	{"messenger_message_edit", ok("messenger/edit")},
	{"messenger_optin", ok("messenger/optin")},
	{"messenger_optin_resume", ok("messenger/preference")},
	{"messenger_optin_stop", ok("messenger/preference")},
	{"messenger_postback", ok("messenger/postback")},
	{"messenger_postback_referral", ok("messenger/postback")},
	{"messenger_quick_reply", ok("messenger/postback")},
	{"messenger_reaction", ok("messenger/reaction")},
	{"messenger_read", ok()},
	{"messenger_referral", ok("messenger/referral")},
	{"messenger_reply_to", ok("messenger/message")},
	{"messenger_standby", ok()},
	{"messenger_sticker", ok("messenger/message")},
	{"messenger_text", ok("messenger/message")},
	{"page_feed_comment", ok("comment/comment")},
	{"page_feed_comment_edited", ok()},
	{"page_feed_comment_own", ok()},
	{"page_feed_comment_reply", ok("comment/comment")},
	{"page_feed_reaction", ok()},
	{"unknown_object", ok()},
	{"verify_bad_token", want{status: 403}},
	{"verify_good", want{status: 200, check: bodyIs("1158201444")}},
	{"whatsapp_account_update", ok()},
	{"whatsapp_batch", ok("whatsapp/message", "whatsapp/message", "whatsapp/message")},
	{"whatsapp_bsuid", ok("whatsapp/message")},
	{"whatsapp_contacts", ok("whatsapp/message")},
	{"whatsapp_context_forwarded", ok("whatsapp/message")},
	{"whatsapp_context_reply", ok("whatsapp/message")},
	{"whatsapp_ctwa_referral", ok("whatsapp/message")},
	{"whatsapp_errors", ok()},
	{"whatsapp_image", ok("whatsapp/message")},
	{"whatsapp_interactive_button_reply", ok("whatsapp/postback")},
	{"whatsapp_interactive_list_reply", ok("whatsapp/postback")},
	{"whatsapp_location", ok("whatsapp/message")},
	{"whatsapp_media_batch", ok("whatsapp/message", "whatsapp/message", "whatsapp/message", "whatsapp/message")},
	{"whatsapp_reaction", ok("whatsapp/reaction")},
	{"whatsapp_referred_product", ok("whatsapp/message")},
	{"whatsapp_status_delivered_read", ok()},
	{"whatsapp_status_failed", ok("whatsapp/status")},
	{"whatsapp_status_sent", ok()},
	{"whatsapp_system", ok()},
	{"whatsapp_template_button", ok("whatsapp/postback")},
	{"whatsapp_text", ok("whatsapp/message")},
	{"whatsapp_text_base64", ok("whatsapp/message")},
	{"whatsapp_text_escaped_unicode", ok("whatsapp/message")},
	{"whatsapp_unsupported", ok("whatsapp/message")},
	{"whatsapp_user_preferences", ok("whatsapp/preference", "whatsapp/preference")},
	{"whatsapp_voice", ok("whatsapp/message")},
}}

// ok is a webhook delivery answered 200 that queues events of the given "<surface>/<kind>".
func ok(queued ...string) want {
	slices.Sort(queued)
	return want{status: 200, queued: queued}
}

// bodyIs checks an API Gateway answer's body.
func bodyIs(body string) func(*testing.T, *rig, outcome) {
	return func(t *testing.T, _ *rig, got outcome) {
		t.Helper()
		if got.http.Body != body {
			t.Errorf("body = %q, want %q", got.http.Body, body)
		}
	}
}
