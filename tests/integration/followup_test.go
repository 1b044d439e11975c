package integration_test

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/frontdesk-app/frontdesk/shared/apperr"
	"github.com/frontdesk-app/frontdesk/shared/bot"
	"github.com/frontdesk-app/frontdesk/shared/channel"
	"github.com/frontdesk-app/frontdesk/shared/consent"
	"github.com/frontdesk-app/frontdesk/shared/conversation"
	"github.com/frontdesk-app/frontdesk/shared/meta/metatest"
	"github.com/frontdesk-app/frontdesk/shared/slackapi"
)

const followUpNumber = "491701234567"

// The cross-channel follow-up through the whole stack : a Messenger question escalates,
// the customer accepts and gives a number, the agent answers in the Slack thread 30 hours later,
// the WhatsApp template goes to that number, the Messenger and the WhatsApp conversation share
// the thread, and the customer's WhatsApp answer appears in it. Then the data deletion callback
// for the customer removes the link.
func TestFollowUpFromMessengerToWhatsApp(t *testing.T) {
	t.Parallel()
	forEachBackend(t, func(t *testing.T, e *env) {
		const psid = "6254170000000070"
		ms, c := e.escalated(channel.Messenger, psid)
		offer := e.sent(ms.Recipient)
		if n := len(offer); n != 2 || !strings.Contains(text(offer[1]), "WhatsApp") {
			t.Fatalf("Messenger sends after the escalation = %d (%v), want the notice and the offer", n, offer)
		}
		e.clock.Advance(time.Minute)
		e.say(metatest.Message{Surface: channel.Messenger, From: psid, Text: "Ja, per WhatsApp", Payload: bot.PayloadFollowUpYes})
		e.clock.Advance(time.Minute)
		e.say(metatest.Message{Surface: channel.Messenger, From: psid, Text: "0170 1234567"})
		if th := e.thread(c.ThreadTS); !strings.Contains(th, "WhatsApp follow-up allowed (+49******67)") {
			t.Errorf("thread = %q, want the follow-up note", th)
		}

		// The agent answers in the thread 30 hours later.
		e.clock.Advance(30 * time.Hour)
		if resp := e.threadReply("Ev0FOLLOWUP1", c.ThreadTS, "Dein Paket ist unterwegs."); resp.StatusCode != http.StatusOK {
			t.Fatalf("thread reply: %s", resp.Status)
		}
		wa := e.sent(followUpNumber)
		if len(wa) != 1 {
			t.Fatalf("WhatsApp sends = %d, want the template", len(wa))
		}
		tmpl, _ := wa[0].JSON["template"].(map[string]any)
		if wa[0].Path != "/v25.0/"+metatest.PhoneNumberID+"/messages" || tmpl["name"] != agentTemplate {
			t.Errorf("WhatsApp send = %s %s", wa[0].Path, wa[0].Body)
		}
		waKey := channel.Key{Surface: channel.WhatsApp, Account: metatest.PhoneNumberID, User: followUpNumber}
		w, err := e.store.GetConversation(t.Context(), waKey)
		if err != nil {
			t.Fatal(err)
		}
		if w.SlackChannel != c.SlackChannel || w.ThreadTS != c.ThreadTS || !w.Escalated() {
			t.Errorf("WhatsApp conversation: %s thread %s/%s, want in the Messenger thread %s", w.Status, w.SlackChannel, w.ThreadTS, c.ThreadTS)
		}
		if owner, err := e.store.ConversationByThread(t.Context(), c.SlackChannel, c.ThreadTS); err != nil || owner.Key != ms.Key {
			t.Errorf("thread owner = %v, %v; want the Messenger conversation", owner, err)
		}
		if th := e.thread(c.ThreadTS); !strings.Contains(th, "WhatsApp template sent to +49******67; replies on WhatsApp continue here.") {
			t.Errorf("thread = %q, want the template note", th)
		}

		// The customer answers on WhatsApp: the message appears in the same thread.
		e.clock.Advance(time.Hour)
		e.say(metatest.Message{Surface: channel.WhatsApp, From: followUpNumber, Text: "Danke! Bis wann kommt es?"})
		if th := e.thread(c.ThreadTS); !strings.Contains(th, "Bis wann kommt es?") {
			t.Errorf("thread = %q, want the WhatsApp answer", th)
		}
		// The agent's next reply reaches the customer on WhatsApp, as text.
		e.threadReply("Ev0FOLLOWUP2", c.ThreadTS, "Morgen.")
		if wa = e.sent(followUpNumber); len(wa) != 2 || text(wa[1]) != "Morgen." {
			t.Errorf("WhatsApp sends = %d, want the agent's text second", len(wa))
		}

		// Meta's data deletion callback for the customer removes the link.
		signed, err := consent.SignRequest(map[string]any{"algorithm": "HMAC-SHA256", "issued_at": e.clock.Now().Unix(), "user_id": psid}, []byte(appSecret))
		if err != nil {
			t.Fatal(err)
		}
		req := httptest.NewRequest(http.MethodPost, "/meta/data-deletion", strings.NewReader(url.Values{"signed_request": {signed}}.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		if rec := e.do(req); rec.Code != http.StatusOK {
			t.Fatalf("data deletion: %d %s", rec.Code, rec.Body)
		}
		for _, k := range []channel.Key{ms.Key, waKey} {
			if _, err := e.store.GetConversation(t.Context(), k); !apperr.Is(err, apperr.NotFound) {
				t.Errorf("%s conversation after the deletion callback: %v, want NotFound", k.Surface, err)
			}
		}
	})
}

// Without consent nothing goes to WhatsApp: the customer says no, the agent answers 30 hours
// later and resolves, and the number (given before, in another conversation) gets nothing.
func TestFollowUpNeedsConsent(t *testing.T) {
	t.Parallel()
	forEachBackend(t, func(t *testing.T, e *env) {
		const psid = "6254170000000071"
		ms, c := e.escalated(channel.Messenger, psid)
		e.say(metatest.Message{Surface: channel.Messenger, From: psid, Text: "Nein, danke", Payload: bot.PayloadFollowUpNo})
		e.clock.Advance(30 * time.Hour)
		e.threadReply("Ev0NOCONSENT", c.ThreadTS, "Hier ist die Antwort.")
		e.press(slackapi.ActionIDResolve, c.ThreadTS)
		if n := len(e.sent(followUpNumber)); n != 0 {
			t.Errorf("WhatsApp sends = %d, want 0", n)
		}
		for _, r := range e.graph.Requests() {
			if r.Surface == "whatsapp" {
				t.Errorf("a WhatsApp send happened: %s", r.Body)
			}
		}
		got, err := e.store.GetConversation(t.Context(), ms.Key)
		if err != nil {
			t.Fatal(err)
		}
		if got.FollowUp == nil || got.FollowUp.State != conversation.FollowUpDeclined || got.Linked != nil || got.Status != conversation.Closed {
			t.Errorf("conversation: status %s follow-up %+v linked %v", got.Status, got.FollowUp, got.Linked)
		}
	})
}
