package integration_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/frontdesk-app/frontdesk/shared/channel"
	"github.com/frontdesk-app/frontdesk/shared/conversation"
	"github.com/frontdesk-app/frontdesk/shared/meta/metatest"
	"github.com/frontdesk-app/frontdesk/shared/slackapi/slacktest"
)

const agent = "U0AGENT1"

// escalated has a customer on surface ask for a person and returns the conversation.
func (e *env) escalated(surface channel.Surface, from string) (metatest.Built, *conversation.Conversation) {
	e.t.Helper()
	text := "Ich möchte mit einem Mitarbeiter sprechen"
	m := e.say(metatest.Message{Surface: surface, From: from, Text: text})
	c, err := e.store.GetConversation(e.t.Context(), m.Key)
	if err != nil {
		e.t.Fatal(err)
	}
	if c.Status != conversation.Escalated || c.ThreadTS == "" {
		e.t.Fatalf("not escalated: status %s thread %q", c.Status, c.ThreadTS)
	}
	return m, c
}

// threadReply posts an agent's message in the thread as Slack's Events API would.
func (e *env) threadReply(eventID, threadTS, text string) *http.Response {
	e.t.Helper()
	ts := fmt.Sprintf("%d.%06d", e.clock.Now().Unix(), len(eventID))
	body, _ := json.Marshal(map[string]any{
		"token": "unused", "team_id": "T0FRONTDSK", "api_app_id": "A0FRONTDSK", "type": "event_callback",
		"event_id": eventID, "event_time": e.clock.Now().Unix(),
		"event": map[string]any{"type": "message", "channel": deskChannel, "user": agent, "text": text,
			"ts": ts, "thread_ts": threadTS, "event_ts": ts, "channel_type": "channel"},
	})
	return e.do(e.slackRequest("/slack/events", "application/json", body)).Result()
}

// press presses a button of the escalation card as Slack's interactivity would.
func (e *env) press(action, cardTS string) *http.Response {
	e.t.Helper()
	return e.pressAs(agent, action, cardTS, cardTS)
}

// pressAs presses a button as user, on the message messageTS of the thread threadTS (the card
// itself, or a status line under it). Every press has its own action_ts, as in Slack.
func (e *env) pressAs(user, action, threadTS, messageTS string) *http.Response {
	e.t.Helper()
	container := map[string]any{"type": "message", "message_ts": messageTS, "channel_id": deskChannel, "is_ephemeral": false}
	message := map[string]any{"type": "message", "ts": messageTS, "text": "Escalation"}
	if messageTS != threadTS {
		container["thread_ts"], message["thread_ts"] = threadTS, threadTS
	}
	payload, _ := json.Marshal(map[string]any{
		"type": "block_actions", "user": map[string]string{"id": user, "username": strings.ToLower(user), "team_id": "T0FRONTDSK"},
		"api_app_id": "A0FRONTDSK", "container": container,
		"team": map[string]string{"id": "T0FRONTDSK"}, "channel": map[string]string{"id": deskChannel},
		"message":      message,
		"response_url": "https://hooks.slack.com/actions/T0FRONTDSK/1/x",
		"actions": []map[string]any{{"action_id": action, "block_id": "escalation_actions", "value": action, "type": "button",
			"action_ts": fmt.Sprintf("%d.%06d", e.clock.Now().Unix(), e.presses.Add(1))}},
	})
	form := url.Values{"payload": {string(payload)}}.Encode()
	return e.do(e.slackRequest("/slack/interactions", "application/x-www-form-urlencoded", []byte(form))).Result()
}

// thread returns the texts posted into the card's thread.
func (e *env) thread(cardTS string) string {
	var b strings.Builder
	for _, m := range e.slack.Thread(deskChannel, cardTS) {
		b.WriteString(m.Text)
		b.WriteString("\n")
	}
	return b.String()
}

func TestAgentRepliesInTheThread(t *testing.T) {
	t.Parallel()
	forEachBackend(t, func(t *testing.T, e *env) {
		m, c := e.escalated(channel.WhatsApp, "4915100000010")
		before := len(e.sent(m.Recipient)) // the hand-over notice

		// While escalated the bot is silent and mirrors the customer into the thread.
		e.clock.Advance(time.Minute)
		e.say(metatest.Message{Surface: channel.WhatsApp, From: "4915100000010", Text: "Meine Nummer ist +49 170 9876543"})
		if n := len(e.sent(m.Recipient)); n != before {
			t.Errorf("the bot answered while escalated (%d sends, want %d)", n, before)
		}
		if th := e.thread(c.ThreadTS); !strings.Contains(th, "Meine Nummer ist") || strings.Contains(th, "9876543") {
			t.Errorf("thread = %q, want the mirrored message with the phone number masked", th)
		}

		// An agent's reply reaches the customer on WhatsApp.
		if resp := e.threadReply("Ev0REPLY1", c.ThreadTS, "Hallo, ich bin Maria und kümmere mich darum."); resp.StatusCode != 200 {
			t.Fatalf("event status = %d", resp.StatusCode)
		}
		sends := e.sent(m.Recipient)
		if len(sends) != before+1 || text(sends[len(sends)-1]) != "Hallo, ich bin Maria und kümmere mich darum." {
			t.Fatalf("customer sends = %d, last %q; want the agent's text", len(sends), text(sends[len(sends)-1]))
		}
		// note: stays internal; a replayed event and a forged one send nothing.
		e.threadReply("Ev0NOTE", c.ThreadTS, "note: Kunde ist VIP")
		e.threadReply("Ev0REPLY1", c.ThreadTS, "Hallo, ich bin Maria und kümmere mich darum.")
		forged := e.slackRequest("/slack/events", "application/json", []byte(`{"type":"event_callback","event_id":"Ev0FORGED","event":{"type":"message","channel":"C0DESK","user":"U1","text":"x","ts":"1.2","thread_ts":"`+c.ThreadTS+`"}}`))
		forged.Header.Set("X-Slack-Signature", "v0="+strings.Repeat("ab", 32))
		if rec := e.do(forged); rec.Code != http.StatusUnauthorized {
			t.Errorf("forged event status = %d, want 401", rec.Code)
		}
		if n := len(e.sent(m.Recipient)); n != before+1 {
			t.Errorf("customer sends after note, replay and forgery = %d, want %d", n, before+1)
		}

		// Claim and Resolve change the conversation and the card.
		e.press("claim", c.ThreadTS)
		c, _ = e.store.GetConversation(t.Context(), m.Key)
		if c.Status != conversation.Claimed || c.Agent != agent {
			t.Errorf("after Claim: status %s agent %q", c.Status, c.Agent)
		}
		e.press("resolve", c.ThreadTS)
		c, _ = e.store.GetConversation(t.Context(), m.Key)
		if c.Status != conversation.Closed {
			t.Errorf("after Resolve: status %s, want closed", c.Status)
		}
		card, _ := e.slack.Message(deskChannel, c.ThreadTS)
		if !strings.Contains(card.Text, "Resolved by <@"+agent+">") || strings.Contains(string(card.Blocks), `"action_id":"resolve"`) {
			t.Errorf("card after Resolve = %q, want it resolved by the agent and without its buttons", card.Text)
		}
		if th := e.thread(c.ThreadTS); !strings.Contains(th, "Claimed by") || !strings.Contains(th, "Resolved by") {
			t.Errorf("thread status lines = %q", th)
		}
		// Resolved: the customer's next message goes to the bot again.
		e.say(metatest.Message{Surface: channel.WhatsApp, From: "4915100000010", Text: "Wie lange dauert die Lieferung?"})
		if got := text(e.sent(m.Recipient)[len(e.sent(m.Recipient))-1]); !strings.Contains(got, "Werktag") {
			t.Errorf("after resolve the bot answered %q", got)
		}
	})
}

func TestAgentRepliesAfterTheWindow(t *testing.T) {
	t.Parallel()
	forEachBackend(t, func(t *testing.T, e *env) {
		wa, waConv := e.escalated(channel.WhatsApp, "4915100000020")
		ms, msConv := e.escalated(channel.Messenger, "6254170000000020")
		waBefore, msBefore := len(e.sent(wa.Recipient)), len(e.sent(ms.Recipient))
		for _, r := range append(e.sent(wa.Recipient), e.sent(ms.Recipient)...) {
			if r.JSON["tag"] != nil {
				t.Errorf("a bot reply carried tag %v", r.JSON["tag"])
			}
		}

		// WhatsApp, 25 h after the customer's last message: the template instead, said in the thread.
		e.clock.Advance(25 * time.Hour)
		e.threadReply("Ev0LATEWA", waConv.ThreadTS, "Sorry for the wait!")
		sends := e.sent(wa.Recipient)
		if len(sends) != waBefore+1 {
			t.Fatalf("WhatsApp sends = %d, want %d", len(sends), waBefore+1)
		}
		tmpl, _ := sends[len(sends)-1].JSON["template"].(map[string]any)
		if sends[len(sends)-1].JSON["type"] != "template" || tmpl["name"] != agentTemplate {
			t.Errorf("late WhatsApp reply = %v, want the %s template", sends[len(sends)-1].JSON, agentTemplate)
		}
		if th := e.thread(waConv.ThreadTS); !strings.Contains(th, "template sent instead") {
			t.Errorf("thread = %q, want the template status line", th)
		}

		// Messenger, 30 h later (within 7 days): sent with HUMAN_AGENT.
		e.clock.Advance(5 * time.Hour)
		e.threadReply("Ev0LATEMS", msConv.ThreadTS, "Sorry for the wait!")
		sends = e.sent(ms.Recipient)
		if len(sends) != msBefore+1 {
			t.Fatalf("Messenger sends = %d, want %d", len(sends), msBefore+1)
		}
		last := sends[len(sends)-1].JSON
		if last["messaging_type"] != "MESSAGE_TAG" || last["tag"] != "HUMAN_AGENT" {
			t.Errorf("late Messenger reply = %v, want MESSAGE_TAG HUMAN_AGENT", last)
		}
	})
}

// An agent types as agents do in Slack: the customer reads text, not Slack's wire format.
func TestAgentReplyReadsAsText(t *testing.T) {
	t.Parallel()
	const wire = "Hallo :wave: hier ist der Link: <https://shop.example.com/returns?id=7&amp;lang=de|Retourenportal>. " +
		"*Wichtig:* <@U043H11ES4V> ruft Sie an &amp; hilft weiter :+1: <!here>"
	forEachBackend(t, func(t *testing.T, e *env) {
		e.slack.AddUser(slacktest.User{ID: "U043H11ES4V", Name: "anna.k", RealName: "Anna Kowalski", FirstName: "Anna"})
		for _, tc := range []struct {
			surface channel.Surface
			from    string
			want    string
		}{
			{channel.WhatsApp, "4915100000031", "Hallo 👋 hier ist der Link: Retourenportal (https://shop.example.com/returns?id=7&lang=de). *Wichtig:* Anna ruft Sie an & hilft weiter 👍"},
			{channel.Messenger, "6254170000031", "Hallo 👋 hier ist der Link: Retourenportal (https://shop.example.com/returns?id=7&lang=de). Wichtig: Anna ruft Sie an & hilft weiter 👍"},
		} {
			m, c := e.escalated(tc.surface, tc.from)
			if resp := e.threadReply("Ev0READ"+string(tc.surface), c.ThreadTS, wire); resp.StatusCode != 200 {
				t.Fatalf("event status = %d", resp.StatusCode)
			}
			sends := e.sent(m.Recipient)
			if got := text(sends[len(sends)-1]); got != tc.want {
				t.Errorf("%s: the customer reads\n%q\nwant\n%q", tc.surface, got, tc.want)
			}
		}
	})
}

// A reply longer than a Messenger message goes out in parts, and the thread says so.
func TestAgentLongReplyIsSplit(t *testing.T) {
	t.Parallel()
	forEachBackend(t, func(t *testing.T, e *env) {
		m, c := e.escalated(channel.Messenger, "6254170000032")
		before := len(e.sent(m.Recipient))
		long := strings.Repeat("Das ist ein langer Absatz über Ihre Bestellung. ", 60) // 2940 characters
		e.threadReply("Ev0LONG", c.ThreadTS, long)
		sends := e.sent(m.Recipient)[before:]
		if len(sends) != 2 || len([]rune(text(sends[0]))) > 2000 {
			t.Fatalf("sends = %d, want 2 of at most 2000 characters", len(sends))
		}
		if th := e.thread(c.ThreadTS); !strings.Contains(th, "Sent as 2 messages: Messenger takes at most 2000 characters") {
			t.Errorf("thread = %q, want the split status line", th)
		}
		// Slack's retry of the event sends nothing more.
		e.threadReply("Ev0LONG", c.ThreadTS, long)
		if n := len(e.sent(m.Recipient)) - before; n != 2 {
			t.Errorf("after the retry: %d sends, want still 2", n)
		}
	})
}

// A customer's photo in an escalated conversation reaches the agents: fetched from Meta with the
// token, uploaded into the thread with its caption masked.
func TestCustomerPhotoAppearsInTheThread(t *testing.T) {
	t.Parallel()
	forEachBackend(t, func(t *testing.T, e *env) {
		const from = "4915100000041"
		_, c := e.escalated(channel.WhatsApp, from)
		photo := append([]byte("\xff\xd8\xff\xe0\x00\x10JFIF\x00"), make([]byte, 4000)...)
		id := e.graph.AddMedia(metatest.PhoneNumberID, "image/jpeg", "", photo)
		e.clock.Advance(time.Minute)
		e.say(metatest.Message{Surface: channel.WhatsApp, From: from, Text: "So kam es an, Tel 0171 1234567",
			Media: &metatest.Media{Type: "image", ID: id, MIME: "image/jpeg"}})
		var got []slacktest.Message
		for _, m := range e.slack.Thread(deskChannel, c.ThreadTS) {
			if len(m.Files) > 0 {
				got = append(got, m)
			}
		}
		if len(got) != 1 || !bytes.Equal(got[0].Files[0].Data, photo) || got[0].Files[0].Name != "image.jpg" {
			t.Fatalf("thread files = %+v, want the photo once", got)
		}
		if txt := got[0].Text; !strings.Contains(txt, "So kam es an") || strings.Contains(txt, "1234567") {
			t.Errorf("file comment = %q, want the caption with the phone number masked", txt)
		}
	})
}

// fileShare posts an agent's file_share message in the thread as Slack's Events API would.
func (e *env) fileShare(eventID, threadTS, text string, files ...map[string]any) *http.Response {
	e.t.Helper()
	ts := fmt.Sprintf("%d.%06d", e.clock.Now().Unix(), len(eventID))
	body, _ := json.Marshal(map[string]any{
		"token": "unused", "team_id": "T0FRONTDSK", "api_app_id": "A0FRONTDSK", "type": "event_callback",
		"event_id": eventID, "event_time": e.clock.Now().Unix(),
		"event": map[string]any{"type": "message", "subtype": "file_share", "channel": deskChannel, "user": agent, "text": text,
			"files": files, "upload": false, "ts": ts, "thread_ts": threadTS, "event_ts": ts, "channel_type": "channel"},
	})
	return e.do(e.slackRequest("/slack/events", "application/json", body)).Result()
}

// An agent shares an invoice in the thread: it reaches the customer as a WhatsApp document,
// uploaded to the phone number's media and sent by id with the text as caption. A file WhatsApp
// does not take is refused with a line that says why.
func TestAgentFileReachesTheCustomer(t *testing.T) {
	t.Parallel()
	forEachBackend(t, func(t *testing.T, e *env) {
		m, c := e.escalated(channel.WhatsApp, "4915100000051")
		pdf := append([]byte("%PDF-1.7\n"), bytes.Repeat([]byte("0"), 3000)...)
		file := e.slack.AddFile("Rechnung-1042.pdf", "application/pdf", pdf)
		if resp := e.fileShare("Ev0FILE1", c.ThreadTS, "Hier ist Ihre Rechnung :page_facing_up:", file); resp.StatusCode != 200 {
			t.Fatalf("event status = %d", resp.StatusCode)
		}
		sends := e.sent(m.Recipient)
		last := sends[len(sends)-1]
		doc, _ := last.JSON["document"].(map[string]any)
		if last.JSON["type"] != "document" || doc["filename"] != "Rechnung-1042.pdf" || doc["caption"] != "Hier ist Ihre Rechnung 📄" {
			t.Fatalf("last send = %s, want the document with its caption", last.Body)
		}
		media, ok := e.graph.MediaByID(doc["id"].(string))
		if !ok || !media.Uploaded || !bytes.Equal(media.Data, pdf) {
			t.Errorf("the document's media id does not hold the uploaded invoice")
		}

		// A zip: WhatsApp takes no such file. Nothing goes out; the thread says why.
		before := len(e.sent(m.Recipient))
		zip := e.slack.AddFile("fotos.zip", "application/zip", []byte("PK\x03\x04 zip"))
		e.fileShare("Ev0FILE2", c.ThreadTS, "", zip)
		if n := len(e.sent(m.Recipient)); n != before {
			t.Errorf("%d sends for a refused file, want none", n-before)
		}
		if th := e.thread(c.ThreadTS); !strings.Contains(th, "Not sent: the file “fotos.zip”: WhatsApp does not take files of type application/zip") {
			t.Errorf("thread = %q, want the refusal", th)
		}
	})
}

// A comment has one private reply. Once it is spent (by the bot's hand-over notice, or by
// someone in Meta Business Suite), an agent's reply in the thread cannot reach the customer:
// the agent reads one status line at once, and the event is neither retried nor dead-lettered.
func TestAgentReplyToASpentComment(t *testing.T) {
	t.Parallel()
	forEachBackend(t, func(t *testing.T, e *env) {
		for _, tt := range []struct {
			name, from  string
			spentAtMeta bool
		}{
			{"spent by the hand-over notice", "7100000000000001", false},
			{"spent elsewhere before the bot answered", "7100000000000002", true},
		} {
			t.Run(tt.name, func(t *testing.T) {
				m := metatest.Message{Surface: channel.Comment, From: tt.from, ID: "900000000000001_" + tt.from, Text: "Ich möchte mit einem Mitarbeiter sprechen"}
				if tt.spentAtMeta {
					e.graph.SpendPrivateReply(m.ID)
				}
				e.say(m)
				c, err := e.store.GetConversation(t.Context(), channel.Key{Surface: channel.Comment, Account: metatest.PageID, User: tt.from})
				if err != nil {
					t.Fatal(err)
				}
				if c.Status != conversation.Escalated || c.ThreadTS == "" || c.CommentID != m.ID {
					t.Fatalf("not escalated: status %s thread %q comment %q", c.Status, c.ThreadTS, c.CommentID)
				}
				if !c.PrivateReplySpent() {
					t.Fatalf("the conversation does not know its comment's private reply is spent: %+v", c)
				}
				before := len(e.sent(c.CommentID))
				if before != 1 {
					t.Errorf("private replies tried = %d, want the hand-over notice's one", before)
				}
				e.clock.Advance(time.Minute)
				if resp := e.threadReply("Ev0SPENT"+tt.from, c.ThreadTS, "Hallo, ich helfe Ihnen gern."); resp.StatusCode != 200 {
					t.Fatalf("event status = %d", resp.StatusCode)
				}
				if n := len(e.sent(c.CommentID)); n != before {
					t.Errorf("Graph sends to the comment = %d, want %d: the bot knew the reply was spent", n, before)
				}
				th := e.thread(c.ThreadTS)
				if got := strings.Count(th, "private reply was already used"); got != 1 {
					t.Errorf("thread has %d status lines about the spent reply, want 1:\n%s", got, th)
				}
				if dl := e.queue.DeadLetters(); len(dl) != 0 {
					t.Errorf("%d dead letters, want none", len(dl))
				}
			})
		}
	})
}
