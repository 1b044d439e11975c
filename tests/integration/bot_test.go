package integration_test

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/frontdesk-app/frontdesk/shared/channel"
	"github.com/frontdesk-app/frontdesk/shared/conversation"
	"github.com/frontdesk-app/frontdesk/shared/meta"
	"github.com/frontdesk-app/frontdesk/shared/meta/metatest"
)

// The walking skeleton: a signed WhatsApp text in, a WhatsApp send out that the Cloud API accepts
// (graphtest checks path, token and body shape), the conversation recorded with its TTL.
func TestWhatsAppTextIsAnswered(t *testing.T) {
	t.Parallel()
	forEachBackend(t, func(t *testing.T, e *env) {
		m := e.say(metatest.Message{Surface: channel.WhatsApp, Text: "Wie lange dauert die Lieferung?"})
		sends := e.sent(m.Recipient)
		if len(sends) != 1 {
			t.Fatalf("sends to the customer = %d, want 1", len(sends))
		}
		s := sends[0]
		if s.Path != "/v25.0/"+metatest.PhoneNumberID+"/messages" || s.Token != waToken {
			t.Errorf("send = %s token %q", s.Path, s.Token)
		}
		if got := text(s); !strings.Contains(got, "Werktag") {
			t.Errorf("answer = %q, want the German delivery-time answer", got)
		}
		c, err := e.store.GetConversation(t.Context(), m.Key)
		if err != nil {
			t.Fatal(err)
		}
		if c.Locale != "de" || c.Status != conversation.Bot || c.ExpiresAt.Sub(e.clock.Now()) != e.cfg.Retention {
			t.Errorf("conversation = status %s locale %s expires in %s", c.Status, c.Locale, c.ExpiresAt.Sub(e.clock.Now()))
		}
	})
}

func TestVerifyHandshakeAndSignatures(t *testing.T) {
	t.Parallel()
	e := newEnv(t, "memstore")
	for _, tt := range []struct {
		name, query string
		want        int
		wantBody    string
	}{
		{"right token", "hub.mode=subscribe&hub.verify_token=local-verify-token&hub.challenge=123", 200, "123"},
		{"wrong token", "hub.mode=subscribe&hub.verify_token=nope&hub.challenge=123", 403, ""},
	} {
		rec := e.do(httptest.NewRequest(http.MethodGet, "/webhooks/meta?"+tt.query, nil))
		if rec.Code != tt.want || (tt.wantBody != "" && rec.Body.String() != tt.wantBody) {
			t.Errorf("%s: %d %q, want %d %q", tt.name, rec.Code, rec.Body, tt.want, tt.wantBody)
		}
	}
	b, err := metatest.Payload(metatest.Message{Surface: channel.WhatsApp, Text: "hallo"})
	if err != nil {
		t.Fatal(err)
	}
	for _, sig := range []string{"", "sha256=" + strings.Repeat("0", 64)} {
		req := httptest.NewRequest(http.MethodPost, "/webhooks/meta", bytes.NewReader(b.Body))
		req.Header.Set("Content-Type", "application/json")
		if sig != "" {
			req.Header.Set("X-Hub-Signature-256", sig)
		}
		if rec := e.do(req); rec.Code != http.StatusUnauthorized {
			t.Errorf("signature %q: status %d, want 401", sig, rec.Code)
		}
	}
	if n := e.queued.Load(); n != 0 {
		t.Errorf("queued %d events from unsigned webhooks, want 0", n)
	}
	if n := len(e.graph.Requests()); n != 0 {
		t.Errorf("sent %d messages, want 0", n)
	}
}

// The FAQ bot's decisions through the whole stack, in both languages and on every surface.
func TestBotDecisions(t *testing.T) {
	t.Parallel()
	forEachBackend(t, func(t *testing.T, e *env) {
		// German question, German answer; English question, English answer.
		de := e.say(metatest.Message{Surface: channel.Messenger, From: "111", Text: "Welche Zahlungsarten gibt es?"})
		en := e.say(metatest.Message{Surface: channel.Instagram, From: "222", Text: "Which payment methods do you accept?"})
		if got := text(e.sent(de.Recipient)[0]); !strings.Contains(got, "PayPal") || !strings.Contains(got, "Rechnung") {
			t.Errorf("German answer = %q", got)
		}
		if got := text(e.sent(en.Recipient)[0]); !strings.Contains(got, "PayPal") || !strings.Contains(got, "invoice") {
			t.Errorf("English answer = %q", got)
		}

		// Asking for a person escalates: the customer is told, a card goes to Slack.
		p := e.say(metatest.Message{Surface: channel.WhatsApp, From: "4915100000001", Text: "Ich möchte mit einem Mitarbeiter sprechen"})
		c, err := e.store.GetConversation(t.Context(), p.Key)
		if err != nil {
			t.Fatal(err)
		}
		if c.Status != conversation.Escalated || c.EscalationReason != "asked_for_human" || c.ThreadTS == "" {
			t.Errorf("after asking for a person: status %s reason %q thread %q", c.Status, c.EscalationReason, c.ThreadTS)
		}
		if _, ok := e.slack.Message(deskChannel, c.ThreadTS); !ok {
			t.Errorf("no escalation card at %s/%s", deskChannel, c.ThreadTS)
		}

		// Two nonsense messages in a row: first asked to rephrase, then escalated.
		n1 := e.say(metatest.Message{Surface: channel.WhatsApp, From: "4915100000002", Text: "qwrtz plöng fnord"})
		c, _ = e.store.GetConversation(t.Context(), n1.Key)
		if c.Status != conversation.Bot || c.Misses != 1 {
			t.Errorf("after one miss: status %s misses %d", c.Status, c.Misses)
		}
		e.say(metatest.Message{Surface: channel.WhatsApp, From: "4915100000002", Text: "blubb wabbel zock"})
		c, _ = e.store.GetConversation(t.Context(), n1.Key)
		if c.Status != conversation.Escalated || c.EscalationReason != "no_match" {
			t.Errorf("after two misses: status %s reason %q", c.Status, c.EscalationReason)
		}
		if n := len(e.sent(n1.Recipient)); n != 2 {
			t.Errorf("customer got %d messages for two misses, want 2 (rephrase, then the hand-over notice)", n)
		}

		// A comment gets a private reply.
		cm := e.say(metatest.Message{Surface: channel.Comment, Text: "Wie kann ich etwas zurückschicken?"})
		sends := e.sent(cm.Recipient)
		if len(sends) != 1 || sends[0].Path != "/v25.0/"+metatest.PageID+"/messages" {
			t.Fatalf("private replies = %+v, want one to the Page's messages edge", sends)
		}
	})
}

// A webhook signed with our app secret for a phone number id or Page that is not ours (another
// app of the same business, a misrouted subscription) is acknowledged, so Meta does not retry
// it, and nothing is queued, stored or sent: our tokens never answer another account.
func TestWebhookForAnotherAccount(t *testing.T) {
	t.Parallel()
	forEachBackend(t, func(t *testing.T, e *env) {
		for _, tt := range []struct {
			surface      channel.Surface
			ours, theirs string
		}{
			{channel.WhatsApp, metatest.PhoneNumberID, "100000000000009"},
			{channel.Messenger, metatest.PageID, "100000000000008"},
			{channel.Comment, metatest.PageID, "100000000000007"},
		} {
			m, err := metatest.Payload(metatest.Message{Surface: tt.surface, Text: "Ich möchte mit einem Mitarbeiter sprechen", At: e.clock.Now()})
			if err != nil {
				t.Fatal(err)
			}
			body := bytes.ReplaceAll(m.Body, []byte(tt.ours), []byte(tt.theirs))
			req := httptest.NewRequest(http.MethodPost, "/webhooks/meta", bytes.NewReader(body))
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("X-Hub-Signature-256", meta.Sign(body, []byte(appSecret)))
			graphBefore, slackBefore, queuedBefore := len(e.graph.Requests()), len(e.slack.Calls()), e.queued.Load()
			if rec := e.do(req); rec.Code != http.StatusOK {
				t.Errorf("%s: status = %d, want 200 (Meta must not retry)", tt.surface, rec.Code)
			}
			if q := e.queued.Load(); q != queuedBefore {
				t.Errorf("%s: %d events queued, want none", tt.surface, q-queuedBefore)
			}
			if g, s := len(e.graph.Requests()), len(e.slack.Calls()); g != graphBefore || s != slackBefore {
				t.Errorf("%s: %d Graph and %d Slack calls, want none", tt.surface, g-graphBefore, s-slackBefore)
			}
			key := m.Key
			key.Account = tt.theirs
			if _, err := e.store.GetConversation(t.Context(), key); err == nil {
				t.Errorf("%s: a conversation was stored for the foreign account", tt.surface)
			}
		}
		if !strings.Contains(e.logs.String(), "does not serve") {
			t.Error("no log line about the dropped webhooks")
		}
	})
}
