package slackapi_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/frontdesk-app/frontdesk/shared/apperr"
	"github.com/frontdesk-app/frontdesk/shared/channel"
	"github.com/frontdesk-app/frontdesk/shared/conversation"
	"github.com/frontdesk-app/frontdesk/shared/memstore"
	"github.com/frontdesk-app/frontdesk/shared/queue"
	"github.com/frontdesk-app/frontdesk/shared/slackapi"
	"github.com/frontdesk-app/frontdesk/shared/slackapi/slacktest"
)

// TestEscalationRoundTrip drives the Slack side of an escalation over real HTTP, with only the
// public API: the desk announces into the strict fake Slack API, the agent's thread reply and
// button presses arrive as signed requests at /slack/events and /slack/interactions, and the
// queue carries AgentEvents in the customer's FIFO group. applyAgentEvent stands in for
// shared/bot (the lead's package) to show the contract: claim and resolve change the
// conversation and the card.
func TestEscalationRoundTrip(t *testing.T) {
	t.Parallel()
	secret := []byte("local-slack-secret")
	now := time.Date(2026, 1, 1, 0, 5, 0, 0, time.UTC)
	fake := slacktest.New(t, "xoxb-local", "C0DESK")
	client, err := slackapi.NewClient(slackapi.ClientConfig{Token: "xoxb-local", APIURL: fake.URL(), HTTP: fake.Client()})
	if err != nil {
		t.Fatal(err)
	}
	desk := slackapi.NewDesk(client, slackapi.Routes{Default: "C0DESK"}.Channel)
	store := &oneConv{}
	q := &fifo{}
	srv := httptest.NewServer(slackapi.NewHandler(slackapi.HandlerConfig{
		SigningSecret: secret, Conversations: store, Dedup: memstore.New(), Queue: q,
		Now: func() time.Time { return now }, Logger: slog.New(slog.DiscardHandler),
	}))
	t.Cleanup(srv.Close)

	// 1. The customer asked for a person: the bot escalates.
	key := channel.Key{Surface: channel.WhatsApp, Account: "1098765", User: "4917112345667"}
	ch, ts, err := desk.Announce(t.Context(), slackapi.Announcement{
		Key: key, Name: "Anna", Locale: "de", Reason: slackapi.ReasonAskedForHuman,
		Messages: []string{"Ich möchte mit einem Menschen sprechen"}, At: now,
	})
	if err != nil {
		t.Fatalf("Announce: %v", err)
	}
	store.c = &conversation.Conversation{Key: key, Status: conversation.Escalated, SlackChannel: ch, ThreadTS: ts, EscalatedAt: now, Version: 1}

	post := func(path, contentType string, body []byte) int {
		t.Helper()
		req, _ := http.NewRequestWithContext(t.Context(), http.MethodPost, srv.URL+path, bytes.NewReader(body))
		req.Header = slackapi.SignedHeader(secret, now, body)
		req.Header.Set("Content-Type", contentType)
		resp, err := srv.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	reply := func(eventID, text, msgTS string) []byte {
		return fmt.Appendf(nil, `{"type":"event_callback","event_id":%q,"event_time":1767225900,"team_id":"T0FRONTDSK","api_app_id":"A0FRONTDSK",
			"event":{"type":"message","user":"U0AGENT1","text":%q,"ts":%q,"thread_ts":%q,"channel":%q,"channel_type":"channel","event_ts":%q}}`,
			eventID, text, msgTS, ts, ch, msgTS)
	}
	button := func(action, actionTS string) []byte {
		p := fmt.Sprintf(`{"type":"block_actions","user":{"id":"U0AGENT1","name":"maria"},"container":{"type":"message","message_ts":%q,"channel_id":%q},
			"channel":{"id":%q},"message":{"ts":%q},"response_url":"https://hooks.slack.com/actions/T/1/x",
			"actions":[{"action_id":%q,"block_id":"escalation_actions","value":%q,"type":"button","action_ts":%q}]}`, ts, ch, ch, ts, action, action, actionTS)
		return []byte("payload=" + url.QueryEscape(p))
	}

	// 2. Claim, an agent reply, a replay of it, a note, a forged reply, then Resolve.
	steps := []struct {
		path, ct string
		body     []byte
		forge    bool
	}{
		{"/slack/interactions", "application/x-www-form-urlencoded", button("claim", "1767225910.000001"), false},
		{"/slack/events", "application/json", reply("Ev01", "Hallo Anna, ich helfe gern.", "1767225920.000100"), false},
		{"/slack/events", "application/json", reply("Ev01", "Hallo Anna, ich helfe gern.", "1767225920.000100"), false},
		{"/slack/events", "application/json", reply("Ev02", "note: VIP-Kundin", "1767225930.000100"), false},
		{"/slack/events", "application/json", reply("Ev03", "forged", "1767225940.000100"), true},
		{"/slack/interactions", "application/x-www-form-urlencoded", button("resolve", "1767225950.000001"), false},
	}
	for i, s := range steps {
		body := s.body
		want := http.StatusOK
		if s.forge {
			// Signed, then altered: what an attacker replaying a captured request could do.
			want = http.StatusUnauthorized
			req, _ := http.NewRequestWithContext(t.Context(), http.MethodPost, srv.URL+s.path, bytes.NewReader(body))
			req.Header = slackapi.SignedHeader([]byte("wrong-secret"), now, body)
			resp, err := srv.Client().Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != want {
				t.Fatalf("step %d: status %d, want %d", i, resp.StatusCode, want)
			}
			continue
		}
		if got := post(s.path, s.ct, body); got != want {
			t.Fatalf("step %d: status %d, want %d", i, got, want)
		}
	}

	// 3. The bot consumes the queue in order.
	var outbox []string
	for _, m := range q.drain() {
		if m.GroupID != key.String() {
			t.Errorf("GroupID = %q, want the customer's %q", m.GroupID, key.String())
		}
		var ev channel.Event
		if err := json.Unmarshal(m.Body, &ev); err != nil || ev.Agent == nil {
			t.Fatalf("queued %s: %v", m.Body, err)
		}
		if out := applyAgentEvent(t.Context(), t, store, desk, *ev.Agent); out != "" {
			outbox = append(outbox, out)
		}
	}
	if want := []string{"whatsapp#1098765#4917112345667: Hallo Anna, ich helfe gern."}; strings.Join(outbox, "|") != strings.Join(want, "|") {
		t.Errorf("outbox = %q, want exactly %q (no replay, no note, nothing forged)", outbox, want)
	}
	if store.c.Status != conversation.Closed || store.c.Agent != "U0AGENT1" {
		t.Errorf("conversation status %s agent %q, want closed by U0AGENT1", store.c.Status, store.c.Agent)
	}
	card, _ := fake.Message(ch, ts)
	if card.Edits != 2 || !strings.Contains(card.Text, "Resolved by <@U0AGENT1>") || strings.Contains(string(card.Blocks), `"action_id":"resolve"`) {
		t.Errorf("card: %d edits, text %q; want claimed then resolved, without buttons", card.Edits, card.Text)
	}
	var notes []string
	for _, m := range fake.Thread(ch, ts)[1:] {
		notes = append(notes, m.Text)
	}
	if want := []string{slackapi.NoteClaimed("U0AGENT1"), slackapi.NoteResolved("U0AGENT1")}; strings.Join(notes, "|") != strings.Join(want, "|") {
		t.Errorf("thread notes = %q, want %q", notes, want)
	}
}

// applyAgentEvent is a stand-in for shared/bot: it applies one agent event to the conversation
// and the desk, and returns what would go to the customer ("<key>: <text>"), if anything.
func applyAgentEvent(ctx context.Context, t *testing.T, s *oneConv, d *slackapi.Desk, ev channel.AgentEvent) string {
	t.Helper()
	c := s.c
	if c.HasProcessed(ev.ID) {
		return ""
	}
	c.MarkProcessed(ev.ID)
	card := func() {
		a := slackapi.Announcement{Key: c.Key, Status: c.Status, Agent: c.Agent, Reason: c.EscalationReason, At: c.EscalatedAt}
		if err := d.Update(ctx, c.SlackChannel, c.ThreadTS, a); err != nil {
			t.Fatalf("Update: %v", err)
		}
	}
	switch ev.Action {
	case channel.ActionClaim:
		c.Status, c.Agent = conversation.Claimed, ev.User
		card()
		_ = d.Note(ctx, c.SlackChannel, c.ThreadTS, slackapi.NoteClaimed(ev.User))
	case channel.ActionResolve:
		c.Status, c.Agent = conversation.Closed, ev.User
		card()
		_ = d.Note(ctx, c.SlackChannel, c.ThreadTS, slackapi.NoteResolved(ev.User))
	case channel.ActionReply:
		return c.Key.String() + ": " + ev.Text
	}
	return ""
}

// oneConv is a conversation.Store holding one conversation.
type oneConv struct{ c *conversation.Conversation }

func (s *oneConv) GetConversation(context.Context, channel.Key) (*conversation.Conversation, error) {
	return s.c, nil
}
func (s *oneConv) PutConversation(context.Context, *conversation.Conversation) error { return nil }
func (s *oneConv) ConversationByThread(_ context.Context, ch, ts string) (*conversation.Conversation, error) {
	if s.c == nil || s.c.SlackChannel != ch || s.c.ThreadTS != ts {
		return nil, apperr.E("oneConv", apperr.NotFound, "no such thread")
	}
	cp := *s.c
	return &cp, nil
}
func (s *oneConv) ConversationsByStatus(context.Context, conversation.Status, int) ([]*conversation.Conversation, error) {
	return nil, nil
}
func (s *oneConv) DeleteConversation(context.Context, channel.Key) error { return nil }

type fifo struct {
	mu   sync.Mutex
	msgs []queue.Message
}

func (q *fifo) Send(_ context.Context, m queue.Message) error {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.msgs = append(q.msgs, m)
	return nil
}

func (q *fifo) drain() []queue.Message {
	q.mu.Lock()
	defer q.mu.Unlock()
	out := q.msgs
	q.msgs = nil
	return out
}
