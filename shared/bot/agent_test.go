package bot

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/frontdesk-app/frontdesk/shared/channel"
	"github.com/frontdesk-app/frontdesk/shared/conversation"
	"github.com/frontdesk-app/frontdesk/shared/desk/desktest"
)

const testThread = "1000000000.000001"

// withDesk gives the rig a desk that records what the bot tells it.
func (r *rig) withDesk() *desktest.Desk {
	d := &desktest.Desk{}
	r.bot.Desk = d
	return d
}

// escalatedConversation stores a conversation escalated into testThread, the customer's last
// message at lastInbound.
func (r *rig) escalatedConversation(t *testing.T, key channel.Key, lastInbound time.Time) *conversation.Conversation {
	t.Helper()
	c := &conversation.Conversation{Key: key, Status: conversation.Escalated, Locale: "de", LastInboundAt: lastInbound,
		SlackChannel: "C0DESK", ThreadTS: testThread, EscalatedAt: lastInbound, CreatedAt: lastInbound, ExpiresAt: r.now.Add(time.Hour),
		CustomerName: "Anna Schmidt"}
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
		wantNote  string // the status line after the claim's
	}{
		{"inside the window", "agent_reply", 2 * time.Hour, 1, "text", ""},
		{"an hour before the window closes", "agent_reply", 23*time.Hour + 30*time.Minute, 1, "text", "Window closes in 30 min."},
		{"after 24 h with a template", "agent_reply", 25 * time.Hour, 1, "template", "Not sent: the 24-hour window closed — template sent instead."},
		{"after 24 h without a template", "", 25 * time.Hour, 0, "", "Not sent: the 24-hour window closed — the customer must write first."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := newRig(t, answerAll("unused"))
			r.bot.Template, r.bot.TemplateLanguage = tt.template, "de"
			d := r.withDesk()
			c := r.escalatedConversation(t, wa, r.now.Add(-tt.age))
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
			// The reply claimed the unclaimed escalation: the card says so, and one post says
			// so together with what the window did to the reply.
			want := []string{"update " + testThread + ": claimed", "note " + testThread + ": Claimed by U1, who replied."}
			if tt.wantNote != "" {
				want[1] += "\n" + tt.wantNote
			}
			if diff := cmp.Diff(want, d.Lines()); diff != "" {
				t.Errorf("desk (-want +got):\n%s", diff)
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
	d := r.withDesk()
	key := channel.Key{Surface: channel.WhatsApp, Account: phoneID, User: "4900"}
	ev := channel.Event{Agent: &channel.AgentEvent{ID: "Ev9", Action: channel.ActionReply, Key: key, Channel: "C0DESK", ThreadTS: testThread, User: "U1", Text: "hi"}}
	for range 2 { // a redelivery posts nothing more
		if err := r.bot.Handle(context.Background(), ev); err != nil {
			t.Fatal(err)
		}
	}
	if n := len(r.graph.Requests()); n != 0 {
		t.Errorf("sends = %d, want 0", n)
	}
	want := []string{"note " + testThread + ": This conversation no longer exists (it expired or its data was erased). Nothing was sent."}
	if diff := cmp.Diff(want, d.Lines()); diff != "" {
		t.Errorf("desk (-want +got):\n%s", diff)
	}
}

// TestCardNeverLies plays agents' habits against one escalation and checks, after each
// action, the card's redraw, the status line and the record agree: a change redraws and says
// it once; nothing changed, nothing said.
func TestCardNeverLies(t *testing.T) {
	t.Parallel()
	wa := channel.Key{Surface: channel.WhatsApp, Account: phoneID, User: "491701234567"}
	type step struct {
		action channel.AgentAction
		user   string
		msg    string   // the agent's message ts (replies, edits, deletions)
		want   []string // desk posts
		status conversation.Status
		agent  string
	}
	const u1, u2 = "U0AGENT1", "U0AGENT2"
	upd := func(status string) string { return "update " + testThread + ": " + status }
	note := func(text string) string { return "note " + testThread + ": " + text }
	tests := []struct {
		name  string
		steps []step
	}{
		{"two agents claim", []step{
			{channel.ActionClaim, u1, "", []string{upd("claimed"), note("Claimed by U0AGENT1.")}, conversation.Claimed, u1},
			{channel.ActionClaim, u1, "", nil, conversation.Claimed, u1},
			{channel.ActionClaim, u2, "", []string{note("Not claimed: U0AGENT1 has this conversation. U0AGENT2, take it over only if you agreed to.")}, conversation.Claimed, u1},
			{channel.ActionTakeOver, u2, "", []string{upd("claimed"), note("U0AGENT2 took the conversation over from U0AGENT1.")}, conversation.Claimed, u2},
			{channel.ActionTakeOver, u2, "", nil, conversation.Claimed, u2},
		}},
		{"reply without claim, then claim", []step{
			{channel.ActionReply, u1, "", []string{upd("claimed"), note("Claimed by U0AGENT1, who replied.")}, conversation.Claimed, u1},
			{channel.ActionReply, u1, "", nil, conversation.Claimed, u1},
			{channel.ActionClaim, u1, "", nil, conversation.Claimed, u1},
			{channel.ActionReply, u2, "", nil, conversation.Claimed, u1}, // a colleague answers; the claim stays
		}},
		{"reply after back to bot", []step{
			{channel.ActionHandBack, u1, "", []string{upd("bot"), note("Handed back to the bot by U0AGENT1.")}, conversation.Bot, u1},
			{channel.ActionHandBack, u1, "", nil, conversation.Bot, u1},
			{channel.ActionClaim, u2, "", nil, conversation.Bot, u1}, // a stale button
			{channel.ActionReply, u2, "", []string{upd("claimed"), note("U0AGENT2 replied after the hand-back, so the conversation is theirs again: the bot stays silent until it is resolved or handed back.")}, conversation.Claimed, u2},
		}},
		{"reply after resolve", []step{
			{channel.ActionResolve, u1, "", []string{upd("closed"), note("Resolved by U0AGENT1.")}, conversation.Closed, u1},
			{channel.ActionResolve, u1, "", nil, conversation.Closed, u1},
			{channel.ActionReply, u1, "", []string{upd("claimed"), note("U0AGENT1 replied to the resolved conversation, so it is open again and theirs: the customer's messages come here until it is resolved.")}, conversation.Claimed, u1},
		}},
		{"lead twice", []step{
			{channel.ActionLead, u1, "", []string{upd("escalated"), note("Marked as a lead by U0AGENT1.")}, conversation.Escalated, ""},
			{channel.ActionLead, u2, "", nil, conversation.Escalated, ""},
		}},
		{"edit and delete a sent reply", []step{
			{channel.ActionReply, u1, "1767225700.000100", []string{upd("claimed"), note("Claimed by U0AGENT1, who replied.")}, conversation.Claimed, u1},
			{channel.ActionEdit, u1, "1767225700.000100", []string{note("U0AGENT1 edited a reply the customer already has: edits are not sent to the customer. To correct it, send a new reply.")}, conversation.Claimed, u1},
			{channel.ActionDelete, u1, "1767225700.000100", []string{note("A reply by U0AGENT1 was deleted here, but not for the customer: deletions are not sent to the customer, who still sees it.")}, conversation.Claimed, u1},
			{channel.ActionEdit, u1, "1767225999.000100", nil, conversation.Claimed, u1}, // never sent (a note, or refused): nothing to say
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := newRig(t, answerAll("unused"))
			d := r.withDesk()
			r.escalatedConversation(t, wa, r.now.Add(-time.Hour))
			for i, s := range tt.steps {
				before := len(d.Posts())
				ev := &channel.AgentEvent{ID: fmt.Sprintf("Ev%d", i), Action: s.action, Key: wa, Channel: "C0DESK", ThreadTS: testThread,
					MessageTS: s.msg, User: s.user, Text: "Hallo!", At: r.now}
				if err := r.bot.Handle(context.Background(), channel.Event{Agent: ev}); err != nil {
					t.Fatalf("step %d (%s by %s): %v", i, s.action, s.user, err)
				}
				posts := d.Posts()[before:]
				var got []string
				for _, p := range posts {
					got = append(got, p.String())
				}
				if diff := cmp.Diff(s.want, got); diff != "" {
					t.Errorf("step %d (%s by %s): desk (-want +got):\n%s", i, s.action, s.user, diff)
				}
				c, err := r.store.GetConversation(context.Background(), wa)
				if err != nil {
					t.Fatal(err)
				}
				if c.Status != s.status || c.Agent != s.agent {
					t.Errorf("step %d (%s by %s): record %s/%q, want %s/%q", i, s.action, s.user, c.Status, c.Agent, s.status, s.agent)
				}
				for _, p := range posts {
					if p.Op != "update" {
						continue
					}
					// The redrawn card is the record: status, agent, name, lead.
					if p.Card.Status != c.Status || p.Card.Agent != c.Agent || p.Card.Name != "Anna Schmidt" {
						t.Errorf("step %d: card %s/%q/%q, record %s/%q", i, p.Card.Status, p.Card.Agent, p.Card.Name, c.Status, c.Agent)
					}
					if (c.Lead != nil) != (p.Card.LeadBy != "") {
						t.Errorf("step %d: card lead %q, record lead %+v", i, p.Card.LeadBy, c.Lead)
					}
				}
			}
		})
	}
}
