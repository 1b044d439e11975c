package integration_test

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/frontdesk-app/frontdesk/shared/channel"
	"github.com/frontdesk-app/frontdesk/shared/consent"
	"github.com/frontdesk-app/frontdesk/shared/meta"
	"github.com/frontdesk-app/frontdesk/shared/meta/metatest"
	"github.com/frontdesk-app/frontdesk/shared/slackapi"
	"github.com/frontdesk-app/frontdesk/shared/slackapi/slacktest"
)

// deleteData sends Meta's data deletion callback for userID, signed, issued now.
func (e *env) deleteData(userID string) *httptest.ResponseRecorder {
	e.t.Helper()
	payload := map[string]any{"algorithm": "HMAC-SHA256", "issued_at": e.clock.Now().Unix(),
		"expires": e.clock.Now().Add(time.Hour).Unix(), "user_id": userID}
	signed, err := consent.SignRequest(payload, []byte(appSecret))
	if err != nil {
		e.t.Fatal(err)
	}
	req := httptest.NewRequest(http.MethodPost, "/meta/data-deletion", strings.NewReader(url.Values{"signed_request": {signed}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return e.do(req)
}

// botMessages are the ts of the messages the bot posted in the thread of card, card included.
func (e *env) botMessages(card string) []string {
	var out []string
	for _, c := range e.slack.CallsTo("chat.postMessage") {
		if c.TS == card || c.ThreadTS == card {
			out = append(out, c.TS)
		}
	}
	return out
}

// A data deletion reaches the Slack thread, after the conversation record itself expired: the
// bot's messages are deleted, one line stays, the agents' own messages are listed by link.
func TestErasureReachesSlack(t *testing.T) {
	t.Parallel()
	forEachBackend(t, func(t *testing.T, e *env) {
		const from = "4915100000042"
		_, c := e.escalated(channel.WhatsApp, from)
		card := c.ThreadTS
		e.say(metatest.Message{Surface: channel.WhatsApp, From: from, Text: "Meine Nummer ist 0171 2345678"})
		if resp := e.press("claim", card); resp.StatusCode != http.StatusOK {
			t.Fatalf("claim = %d", resp.StatusCode)
		}
		agentTS := e.slack.PostAs(deskChannel, card, agent, "Hallo, ich schaue nach.")
		if resp := e.threadReply("Ev0ERASE1", card, "Hallo, ich schaue nach."); resp.StatusCode != http.StatusOK {
			t.Fatalf("thread reply = %d", resp.StatusCode)
		}
		bot := e.botMessages(card)
		if len(bot) < 4 { // card, details, mirror, claimed
			t.Fatalf("bot messages in the thread = %v, want at least the card, details, mirror and a status line", bot)
		}

		e.clock.Advance(40 * 24 * time.Hour) // the conversation record has expired
		if rec := e.deleteData(from); rec.Code != http.StatusOK {
			t.Fatalf("data deletion = %d %s", rec.Code, rec.Body)
		}
		var deleted []string
		for _, call := range e.slack.CallsTo("chat.delete") {
			deleted = append(deleted, call.TS)
		}
		want := slices.Clone(bot)
		slices.Sort(want)
		got := slices.Clone(deleted)
		slices.Sort(got)
		if !slices.Equal(got, want) {
			t.Errorf("chat.delete = %v, want every bot message of the thread %v", deleted, bot)
		}
		if len(deleted) > 0 && deleted[len(deleted)-1] != card {
			t.Errorf("the card was not deleted last: %v", deleted)
		}
		thread := e.slack.Thread(deskChannel, card)
		if len(thread) != 2 || thread[0].TS != agentTS || thread[1].Text != slackapi.ErasedLine {
			t.Errorf("thread after erasure = %+v, want the agent's message and one erasure line", thread)
		}
		if _, ok := e.slack.Message(deskChannel, agentTS); !ok {
			t.Error("the agent's own message is gone")
		}
		var lists int
		for _, call := range e.slack.CallsTo("chat.postMessage") {
			if call.ThreadTS == "" && strings.Contains(call.Text, "cannot delete") {
				lists++
				if !strings.Contains(call.Text, strings.ReplaceAll(agentTS, ".", "")) {
					t.Errorf("admins' list %q lacks the agent's message", call.Text)
				}
			}
		}
		if lists != 1 {
			t.Errorf("%d lists to the admins, want 1", lists)
		}
		for _, call := range e.slack.Calls() {
			if call.Method == "chat.delete" && call.TS == agentTS {
				t.Error("chat.delete was tried on the agent's message")
			}
		}

		// Meta retries, and a second request comes later: nothing more happens in Slack.
		n := len(e.slack.Calls())
		if rec := e.deleteData(from); rec.Code != http.StatusOK {
			t.Fatalf("retried data deletion = %d", rec.Code)
		}
		e.clock.Advance(time.Hour)
		if rec := e.deleteData(from); rec.Code != http.StatusOK {
			t.Fatalf("second data deletion = %d", rec.Code)
		}
		if calls := e.slack.Calls(); len(calls) != n {
			t.Errorf("repeated deletions made %d more Slack calls: %+v", len(calls)-n, calls[n:])
		}
	})
}

// The strict fake refuses what real Slack refuses: a bot token cannot delete an agent's message.
func TestFakeRefusesDeletingOthersMessages(t *testing.T) {
	t.Parallel()
	e := newEnv(t, "memstore")
	_, c := e.escalated(channel.WhatsApp, "4915100000043")
	agentTS := e.slack.PostAs(deskChannel, c.ThreadTS, agent, "Ich kümmere mich darum.")
	req, _ := http.NewRequestWithContext(t.Context(), http.MethodPost, e.slack.URL()+"chat.delete",
		strings.NewReader(url.Values{"channel": {deskChannel}, "ts": {agentTS}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Authorization", "Bearer "+slackToken)
	resp, err := e.slack.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	calls := e.slack.Calls()
	last := calls[len(calls)-1]
	if last.Method != "chat.delete" || last.Error != "cant_delete_message" {
		t.Errorf("deleting an agent's message: %+v, want cant_delete_message", last)
	}
	var _ slacktest.Call = last
}

// The business's privacy page erases a customer on request (DELETE /consent/{subject}): the
// thread loses the bot's messages the same way, and the customer's suggestions go too.
func TestAPIErasureReachesSlack(t *testing.T) {
	t.Parallel()
	forEachBackend(t, func(t *testing.T, e *env) {
		const from = "4915100000044"
		_, c := e.escalated(channel.WhatsApp, from)
		bot := e.botMessages(c.ThreadTS)
		erase := func(key string) *httptest.ResponseRecorder {
			req := httptest.NewRequest(http.MethodDelete, "/consent/whatsapp:"+from, nil)
			if key != "" {
				req.Header.Set("X-Api-Key", key)
			}
			req.Header.Set("X-Actor", "privacy-page")
			return e.do(req)
		}
		if rec := erase("wrong"); rec.Code != http.StatusUnauthorized || len(e.slack.CallsTo("chat.delete")) != 0 {
			t.Fatalf("erasure with a wrong key = %d, %d deletions", rec.Code, len(e.slack.CallsTo("chat.delete")))
		}
		rec := erase(consentKey)
		if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), `"erased":true`) {
			t.Fatalf("erasure = %d %s", rec.Code, rec.Body)
		}
		if n := len(e.slack.CallsTo("chat.delete")); n != len(bot) {
			t.Errorf("%d chat.delete calls, want %d (every bot message)", n, len(bot))
		}
		if th := e.slack.Thread(deskChannel, c.ThreadTS); len(th) != 1 || th[0].Text != slackapi.ErasedLine {
			t.Errorf("thread after erasure = %+v, want the one erasure line", th)
		}
		if state, source := e.consentState("whatsapp:" + from); state != "denied" || source != "api" {
			t.Errorf("consent after erasure = %s (%s), want denied by the api", state, source)
		}
	})
}

// A customer asks in the chat to delete their data: one confirmation, then the same erasure as
// the privacy page's, the Slack thread included; a redelivered message changes nothing more.
func TestChatErasureReachesSlack(t *testing.T) {
	t.Parallel()
	forEachBackend(t, func(t *testing.T, e *env) {
		const from = "4915100000045"
		_, c := e.escalated(channel.WhatsApp, from)
		bot := e.botMessages(c.ThreadTS)
		before := len(e.sent(from))
		m := e.say(metatest.Message{Surface: channel.WhatsApp, From: from, Text: "Bitte löscht alle meine Daten!"})
		replies := e.sent(from)[before:]
		if len(replies) != 1 || !strings.Contains(text(replies[0]), "gelöscht") {
			t.Fatalf("replies to the request = %d (%v), want one confirmation", len(replies), replies)
		}
		if n := len(e.slack.CallsTo("chat.delete")); n != len(bot) {
			t.Errorf("%d chat.delete calls, want %d (every bot message)", n, len(bot))
		}
		if th := e.slack.Thread(deskChannel, c.ThreadTS); len(th) != 1 || th[0].Text != slackapi.ErasedLine {
			t.Errorf("thread after erasure = %+v, want the one erasure line", th)
		}
		if _, err := e.store.GetConversation(t.Context(), m.Key); err == nil {
			t.Error("the conversation is still stored")
		}
		if state, source := e.consentState("whatsapp:" + from); state != "denied" || source != "chat" {
			t.Errorf("consent after erasure = %s (%s), want denied by the chat", state, source)
		}
		// Meta delivers the same message again.
		n := len(e.slack.Calls())
		req := httptest.NewRequest(http.MethodPost, "/webhooks/meta", bytes.NewReader(m.Body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("X-Hub-Signature-256", meta.Sign(m.Body, []byte(appSecret)))
		if rec := e.do(req); rec.Code != http.StatusOK {
			t.Fatalf("redelivery = %d", rec.Code)
		}
		if got := len(e.sent(from)[before:]); got != 1 {
			t.Errorf("%d replies after the redelivery, want still 1", got)
		}
		if calls := e.slack.Calls(); len(calls) != n {
			t.Errorf("the redelivery made %d more Slack calls", len(calls)-n)
		}
	})
}
