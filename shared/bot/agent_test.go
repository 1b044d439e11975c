package bot

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/frontdesk-app/frontdesk/shared/channel"
	"github.com/frontdesk-app/frontdesk/shared/conversation"
	"github.com/frontdesk-app/frontdesk/shared/slackapi"
	"github.com/frontdesk-app/frontdesk/shared/slackapi/slacktest"
)

// withDesk gives the rig a real Desk posting to a strict fake Slack.
func (r *rig) withDesk(t *testing.T) *slacktest.Server {
	t.Helper()
	s := slacktest.New(t, "xoxb-bot", "C0DESK")
	c, err := slackapi.NewClient(slackapi.ClientConfig{Token: "xoxb-bot", APIURL: s.URL(), HTTP: s.Client()})
	if err != nil {
		t.Fatal(err)
	}
	r.bot.Desk = slackapi.NewDesk(c, func(channel.Key, string) string { return "C0DESK" })
	return s
}

// escalatedConversation stores a conversation escalated into a thread, the customer's last
// message at lastInbound.
func (r *rig) escalatedConversation(t *testing.T, s *slacktest.Server, key channel.Key, lastInbound time.Time) *conversation.Conversation {
	t.Helper()
	ts := s.Post("C0DESK", "Escalation")
	c := &conversation.Conversation{Key: key, Status: conversation.Escalated, Locale: "de", LastInboundAt: lastInbound,
		SlackChannel: "C0DESK", ThreadTS: ts, EscalatedAt: lastInbound, CreatedAt: lastInbound, ExpiresAt: r.now.Add(time.Hour)}
	if err := r.store.PutConversation(context.Background(), c); err != nil {
		t.Fatal(err)
	}
	return c
}

func TestAgentReplyWindowPolicy(t *testing.T) {
	t.Parallel()
	wa := channel.Key{Surface: channel.WhatsApp, Account: phoneID, User: "491701234567"}
	tests := []struct {
		name      string
		template  string
		age       time.Duration
		wantSends int
		wantType  string // WhatsApp body type of the send
		wantNote  string // a status line in the thread
	}{
		{"inside the window", "agent_reply", 2 * time.Hour, 1, "text", ""},
		{"an hour before the window closes", "agent_reply", 23*time.Hour + 30*time.Minute, 1, "text", "Window closes in 30 min"},
		{"after 24 h with a template", "agent_reply", 25 * time.Hour, 1, "template", "template sent instead"},
		{"after 24 h without a template", "", 25 * time.Hour, 0, "", "the customer must write first"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := newRig(t, answerAll("unused"))
			r.bot.Template, r.bot.TemplateLanguage = tt.template, "de"
			slack := r.withDesk(t)
			c := r.escalatedConversation(t, slack, wa, r.now.Add(-tt.age))
			err := r.bot.Handle(context.Background(), channel.Event{Agent: &channel.AgentEvent{
				ID: "Ev1", Action: channel.ActionReply, Key: wa, Channel: "C0DESK", ThreadTS: c.ThreadTS, User: "U1", Text: "Hallo!", At: r.now}})
			if err != nil {
				t.Fatal(err)
			}
			reqs := r.graph.Requests()
			if len(reqs) != tt.wantSends {
				t.Fatalf("sends = %d, want %d", len(reqs), tt.wantSends)
			}
			if tt.wantSends > 0 && reqs[0].JSON["type"] != tt.wantType {
				t.Errorf("send type = %v, want %s", reqs[0].JSON["type"], tt.wantType)
			}
			var notes []string
			for _, m := range slack.Thread("C0DESK", c.ThreadTS) {
				notes = append(notes, m.Text)
			}
			all := strings.Join(notes, "\n")
			if tt.wantNote != "" && !strings.Contains(all, tt.wantNote) {
				t.Errorf("thread = %q, want a line with %q", all, tt.wantNote)
			}
			if tt.wantNote == "" && all != "" {
				t.Errorf("thread = %q, want no status line", all)
			}
			got, err := r.store.GetConversation(context.Background(), wa)
			if err != nil {
				t.Fatal(err)
			}
			if got.Status != conversation.Claimed || got.Agent != "U1" {
				t.Errorf("after the reply: status %s agent %q, want claimed by U1", got.Status, got.Agent)
			}
		})
	}
}

func TestAgentEventForAGoneConversation(t *testing.T) {
	t.Parallel()
	r := newRig(t, answerAll("unused"))
	slack := r.withDesk(t)
	ts := slack.Post("C0DESK", "Escalation")
	key := channel.Key{Surface: channel.WhatsApp, Account: phoneID, User: "4900"}
	ev := channel.Event{Agent: &channel.AgentEvent{ID: "Ev9", Action: channel.ActionReply, Key: key, Channel: "C0DESK", ThreadTS: ts, User: "U1", Text: "hi"}}
	for range 2 { // a redelivery posts nothing more
		if err := r.bot.Handle(context.Background(), ev); err != nil {
			t.Fatal(err)
		}
	}
	if n := len(r.graph.Requests()); n != 0 {
		t.Errorf("sends = %d, want 0", n)
	}
	th := slack.Thread("C0DESK", ts)
	if len(th) != 1 || !strings.Contains(th[0].Text, "no longer exists") {
		t.Errorf("thread = %+v, want one line saying the conversation is gone", th)
	}
}
