package integration_test

import (
	"encoding/json"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/frontdesk-app/frontdesk/shared/channel"
	"github.com/frontdesk-app/frontdesk/shared/conversation"
	"github.com/frontdesk-app/frontdesk/shared/meta/metatest"
	"github.com/frontdesk-app/frontdesk/shared/slackapi/slacktest"
)

const (
	maria = "U0AGENT1"
	jonas = "U0AGENT2"
)

// shown is a Slack message as an agent sees it: its text (fallback and blocks) and its buttons.
type shown struct {
	ts      string
	text    string
	buttons []string
}

func show(m slacktest.Message) shown {
	s := shown{ts: m.TS, text: m.Text}
	var walk func(v any)
	walk = func(v any) {
		switch v := v.(type) {
		case map[string]any:
			if id, ok := v["action_id"].(string); ok {
				s.buttons = append(s.buttons, id)
			}
			if t, ok := v["text"].(string); ok {
				s.text += "\n" + t
			}
			for _, k := range []string{"text", "fields", "elements", "accessory"} {
				if c, ok := v[k]; ok {
					walk(c)
				}
			}
		case []any:
			for _, c := range v {
				walk(c)
			}
		}
	}
	var blocks []any
	_ = json.Unmarshal(m.Blocks, &blocks)
	walk(blocks)
	return s
}

// card is the escalation card of the thread ts.
func (e *env) card(ts string) shown {
	e.t.Helper()
	m, ok := e.slack.Message(deskChannel, ts)
	if !ok {
		e.t.Fatalf("no card %s", ts)
	}
	return show(m)
}

// statusLines are the thread's messages after the details, oldest first.
func (e *env) statusLines(ts string) []shown {
	var out []shown
	for i, m := range e.slack.Thread(deskChannel, ts) {
		if i == 0 {
			continue // the details
		}
		out = append(out, show(m))
	}
	return out
}

func (e *env) record(k channel.Key) *conversation.Conversation {
	e.t.Helper()
	c, err := e.store.GetConversation(e.t.Context(), k)
	if err != nil {
		e.t.Fatal(err)
	}
	return c
}

// agrees checks that the card, the record and the thread's new status lines tell one story.
func (e *env) agrees(k channel.Key, ts string, before int, status conversation.Status, agentID string, cardSays string, lines ...string) {
	e.t.Helper()
	c := e.record(k)
	if c.Status != status || c.Agent != agentID {
		e.t.Errorf("record: %s by %q, want %s by %q", c.Status, c.Agent, status, agentID)
	}
	card := e.card(ts)
	if !strings.Contains(card.text, cardSays) {
		e.t.Errorf("card does not say %q:\n%s", cardSays, card.text)
	}
	wantButtons := map[conversation.Status][]string{
		conversation.Escalated: {"claim", "resolve", "handback"},
		conversation.Claimed:   {"resolve", "handback"},
	}[status]
	if c.Lead == nil && len(wantButtons) > 0 {
		wantButtons = append(wantButtons, "lead")
	}
	if !slices.Equal(card.buttons, wantButtons) {
		e.t.Errorf("card buttons = %v, want %v for %s", card.buttons, wantButtons, status)
	}
	var got []string
	for _, l := range e.statusLines(ts)[before:] {
		got = append(got, l.text)
	}
	if len(got) != len(lines) {
		e.t.Errorf("new status lines = %q, want %d: %q", got, len(lines), lines)
		return
	}
	for i, want := range lines {
		if !strings.Contains(got[i], want) {
			e.t.Errorf("status line %d = %q, want it to say %q", i, got[i], want)
		}
	}
}

// escalatedAs has a named customer ask for a person.
func (e *env) escalatedAs(surface channel.Surface, from, name string) (metatest.Built, *conversation.Conversation) {
	e.t.Helper()
	m := e.say(metatest.Message{Surface: surface, From: from, Name: name, Text: "Ich möchte mit einem Mitarbeiter sprechen"})
	c := e.record(m.Key)
	if c.Status != conversation.Escalated || c.ThreadTS == "" {
		e.t.Fatalf("not escalated: status %s thread %q", c.Status, c.ThreadTS)
	}
	return m, c
}

func TestTwoAgentsClaim(t *testing.T) {
	t.Parallel()
	forEachBackend(t, func(t *testing.T, e *env) {
		m, c := e.escalatedAs(channel.WhatsApp, "4915100000030", "Anna Schmidt")
		ts := c.ThreadTS
		card := e.card(ts)
		for _, want := range []string{"Anna Schmidt", "German", "Waiting for an agent"} {
			if !strings.Contains(card.text, want) {
				t.Errorf("new card does not show %q:\n%s", want, card.text)
			}
		}
		if strings.Contains(card.text, "Language*\nde") {
			t.Errorf("card shows the language tag, not its name:\n%s", card.text)
		}

		e.pressAs(maria, "claim", ts, ts)
		e.agrees(m.Key, ts, 0, conversation.Claimed, maria, "Claimed by <@"+maria+">", "Claimed by <@"+maria+">.")

		// Maria's second click changes nothing and says nothing.
		e.pressAs(maria, "claim", ts, ts)
		e.agrees(m.Key, ts, 1, conversation.Claimed, maria, "Claimed by <@"+maria+">")

		// Jonas's Claim is refused: the record, the card and the thread keep Maria.
		e.pressAs(jonas, "claim", ts, ts)
		e.agrees(m.Key, ts, 1, conversation.Claimed, maria, "Claimed by <@"+maria+">",
			"Not claimed: <@"+maria+"> has this conversation. <@"+jonas+">, take it over only if you agreed to.")
		refused := e.statusLines(ts)[1]
		if !slices.Equal(refused.buttons, []string{"takeover"}) {
			t.Fatalf("refused claim's buttons = %v, want Take over", refused.buttons)
		}

		// Take over, from the button under the refusal.
		e.pressAs(jonas, "takeover", ts, refused.ts)
		e.agrees(m.Key, ts, 2, conversation.Claimed, jonas, "Claimed by <@"+jonas+">",
			"<@"+jonas+"> took the conversation over from <@"+maria+">.")
		if card := e.card(ts); !strings.Contains(card.text, "Anna Schmidt") {
			t.Errorf("redrawn card lost the customer's name:\n%s", card.text)
		}
	})
}

func TestReplyClaimsAndAfterBackToBot(t *testing.T) {
	t.Parallel()
	forEachBackend(t, func(t *testing.T, e *env) {
		const from = "4915100000031"
		m, c := e.escalatedAs(channel.WhatsApp, from, "Jana Neumann")
		ts := c.ThreadTS

		// A reply without Claim claims, and the card says so (no Claim button left).
		e.threadReply("Ev0DESKREPLY1", ts, "Hallo Jana, ich schaue nach.")
		e.agrees(m.Key, ts, 0, conversation.Claimed, agent, "Claimed by <@"+agent+">", "Claimed by <@"+agent+">, who replied.")
		sends := len(e.sent(m.Recipient))

		// Back to bot: the bot answers the customer's next message.
		e.press("handback", ts)
		e.agrees(m.Key, ts, 1, conversation.Bot, agent, "Handed back to the bot by <@"+agent+">", "Handed back to the bot by <@"+agent+">.")
		e.clock.Advance(time.Minute)
		e.say(metatest.Message{Surface: channel.WhatsApp, From: from, Text: "Wie lange dauert die Lieferung?"})
		if got := e.sent(m.Recipient); len(got) != sends+1 || !strings.Contains(text(got[len(got)-1]), "Werktag") {
			t.Fatalf("after the hand-back the bot did not answer: %d sends", len(got))
		}

		// A reply after Back to bot re-claims, visibly: the card, the record and the line agree,
		// the reply reaches the customer, and the customer's next message goes to the thread.
		e.clock.Advance(time.Minute)
		e.threadReply("Ev0DESKREPLY2", ts, "Noch eine Frage: welche Größe?")
		e.agrees(m.Key, ts, 2, conversation.Claimed, agent, "Claimed by <@"+agent+">", "replied after the hand-back")
		got := e.sent(m.Recipient)
		if len(got) != sends+2 || text(got[len(got)-1]) != "Noch eine Frage: welche Größe?" {
			t.Fatalf("the reply after the hand-back did not reach the customer")
		}
		e.say(metatest.Message{Surface: channel.WhatsApp, From: from, Text: "Größe M bitte"})
		if n := len(e.sent(m.Recipient)); n != sends+2 {
			t.Errorf("the bot answered a conversation the card says is claimed (%d sends)", n)
		}
		if th := e.thread(ts); !strings.Contains(th, "Größe M bitte") {
			t.Errorf("the customer's message was not mirrored into the thread")
		}
	})
}

func TestLeadOnce(t *testing.T) {
	t.Parallel()
	forEachBackend(t, func(t *testing.T, e *env) {
		m := e.say(metatest.Message{Surface: channel.WhatsApp, From: "4915100000032", Name: "Tom Berg", CtwaClid: "ARAkLkA8rmlFeiCktEJQ-QTwRiyYHAFDLMNDBH0CD3qp",
			Text: "Ich möchte mit einem Mitarbeiter sprechen"})
		ts := e.record(m.Key).ThreadTS
		// Two agents click "Mark as lead" on the card they both still see.
		e.pressAs(maria, "lead", ts, ts)
		e.pressAs(jonas, "lead", ts, ts)
		var leads int
		for _, ev := range e.capi.Events() {
			if ev.EventName == "QualifiedLead" {
				leads++
			}
		}
		if leads != 1 {
			t.Errorf("QualifiedLead events = %d, want 1", leads)
		}
		c := e.record(m.Key)
		if c.Lead == nil || c.Lead.Agent != maria {
			t.Fatalf("record's lead = %+v, want marked by %s", c.Lead, maria)
		}
		e.agrees(m.Key, ts, 0, conversation.Escalated, "", "marked by <@"+maria+">", "Marked as a lead by <@"+maria+">.")
	})
}

func TestEditOfASentReply(t *testing.T) {
	t.Parallel()
	forEachBackend(t, func(t *testing.T, e *env) {
		m, c := e.escalatedAs(channel.WhatsApp, "4915100000033", "")
		ts := c.ThreadTS
		// The reply's ts, as threadReply posts it; and an internal note's, which never left.
		replyTS := fmt.Sprintf("%d.%06d", e.clock.Now().Unix(), len("Ev0DESKREPLY3"))
		e.threadReply("Ev0DESKREPLY3", ts, "Die Lieferung kommt morgen.")
		noteTS := fmt.Sprintf("%d.%06d", e.clock.Now().Unix(), len("Ev0DESKNOTE01"))
		e.threadReply("Ev0DESKNOTE01", ts, "note: Kunde ist ungeduldig")
		sends := len(e.sent(m.Recipient))
		edit := func(eventID, msgTS, oldText, newText string) {
			t.Helper()
			prev := map[string]any{"type": "message", "user": agent, "text": oldText, "ts": msgTS, "thread_ts": ts}
			cur := map[string]any{"type": "message", "user": agent, "text": newText, "ts": msgTS, "thread_ts": ts,
				"edited": map[string]any{"user": agent, "ts": fmt.Sprint(e.clock.Now().Unix()) + ".000000"}}
			body, _ := json.Marshal(map[string]any{
				"token": "unused", "team_id": "T0FRONTDSK", "api_app_id": "A0FRONTDSK", "type": "event_callback",
				"event_id": eventID, "event_time": e.clock.Now().Unix(),
				"event": map[string]any{"type": "message", "subtype": "message_changed", "hidden": true, "channel": deskChannel,
					"message": cur, "previous_message": prev, "ts": fmt.Sprint(e.clock.Now().Unix()) + ".000200",
					"event_ts": fmt.Sprint(e.clock.Now().Unix()) + ".000200", "channel_type": "channel"},
			})
			if rec := e.do(e.slackRequest("/slack/events", "application/json", body)); rec.Code != 200 {
				t.Fatalf("message_changed status = %d", rec.Code)
			}
		}
		before := len(e.statusLines(ts))
		edit("Ev0DESKEDIT1", replyTS, "Die Lieferung kommt morgen.", "Die Lieferung kommt übermorgen.")
		edit("Ev0DESKUNFURL", replyTS, "Die Lieferung kommt übermorgen.", "Die Lieferung kommt übermorgen.") // Slack's unfurl: no edit
		edit("Ev0DESKEDIT2", noteTS, "note: Kunde ist ungeduldig", "note: Kunde ist sehr ungeduldig")        // a note: nothing left
		e.agrees(m.Key, ts, before, conversation.Claimed, agent, "Claimed by <@"+agent+">", "edits are not sent to the customer")
		if n := len(e.sent(m.Recipient)); n != sends {
			t.Errorf("an edit reached the customer (%d sends, want %d)", n, sends)
		}
	})
}

// TestOtherWorkspaceRefused: requests signed with our secret but sent for another workspace
// (a second installation, a Slack Connect partner's org) are refused and change nothing.
func TestOtherWorkspaceRefused(t *testing.T) {
	t.Parallel()
	forEachBackend(t, func(t *testing.T, e *env) {
		m, c := e.escalatedAs(channel.WhatsApp, "4915100000034", "Eva Roth")
		ts := c.ThreadTS
		sends, posts, queued := len(e.sent(m.Recipient)), len(e.slack.Calls()), e.queued.Load()
		reply, _ := json.Marshal(map[string]any{
			"token": "unused", "team_id": "T0OTHERTEAM", "api_app_id": "A0FRONTDSK", "type": "event_callback",
			"event_id": "Ev0FOREIGN1", "event_time": e.clock.Now().Unix(),
			"event": map[string]any{"type": "message", "channel": deskChannel, "user": "U0STRANGER", "text": "Hallo von woanders",
				"ts": fmt.Sprint(e.clock.Now().Unix()) + ".000900", "thread_ts": ts, "channel_type": "channel"},
		})
		if rec := e.do(e.slackRequest("/slack/events", "application/json", reply)); rec.Code != 401 {
			t.Errorf("event from another workspace = %d, want 401", rec.Code)
		}
		press, _ := json.Marshal(map[string]any{
			"type": "block_actions", "user": map[string]string{"id": "U0STRANGER", "team_id": "T0OTHERTEAM"},
			"api_app_id": "A0FRONTDSK", "team": map[string]string{"id": "T0OTHERTEAM"},
			"container": map[string]any{"type": "message", "message_ts": ts, "channel_id": deskChannel},
			"actions":   []map[string]any{{"action_id": "resolve", "block_id": "escalation_actions", "value": "resolve", "type": "button", "action_ts": "1.000001"}},
		})
		form := "payload=" + url.QueryEscape(string(press))
		if rec := e.do(e.slackRequest("/slack/interactions", "application/x-www-form-urlencoded", []byte(form))); rec.Code != 401 {
			t.Errorf("button from another workspace = %d, want 401", rec.Code)
		}
		after := e.record(m.Key)
		if after.Version != c.Version || after.Status != conversation.Escalated {
			t.Errorf("record changed: version %d -> %d, status %s", c.Version, after.Version, after.Status)
		}
		if n := len(e.sent(m.Recipient)); n != sends {
			t.Errorf("the customer got %d more messages", n-sends)
		}
		if n := len(e.slack.Calls()); n != posts {
			t.Errorf("%d more Slack calls", n-posts)
		}
		if n := e.queued.Load(); n != queued {
			t.Errorf("%d more events queued", n-queued)
		}
	})
}
