//go:build linux

package artifact_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/frontdesk-app/frontdesk/shared/channel"
	"github.com/frontdesk-app/frontdesk/shared/conversation"
	"github.com/frontdesk-app/frontdesk/shared/desk"
	"github.com/frontdesk-app/frontdesk/shared/learn"
	"github.com/frontdesk-app/frontdesk/shared/sweeper"
)

var (
	// waiting is escalated 45 minutes ago, unclaimed, 30 minutes before the customer's window
	// closes: re-announced and warned.
	waiting = channel.Key{Surface: channel.WhatsApp, Account: phoneID, User: "491701111111"}
	// idle was claimed and has had no activity for 80 hours: closed.
	idle = channel.Key{Surface: channel.Messenger, Account: pageID, User: "6789012345678901"}
)

// sweeperSuite: one scheduled run re-announces the unclaimed escalation and warns before its
// window closes (two thread posts), then closes the idle claimed one (a note and the card
// redrawn), and returns its report.
var sweeperSuite = suite{trigger: schedule, cases: []eventCase{
	{"scheduled", want{
		setup: func(t *testing.T, r *rig) {
			now := time.Now()
			seed := func(k channel.Key, status conversation.Status, last time.Duration) {
				ts := r.slack.Post(slackChannel, "escalation card")
				c := &conversation.Conversation{
					Key: k, Status: status, Locale: "de", LastInboundAt: now.Add(-last),
					SlackChannel: slackChannel, ThreadTS: ts, EscalationReason: desk.ReasonAskedForHuman,
					EscalatedAt: now.Add(-last), CreatedAt: now.Add(-last), UpdatedAt: now.Add(-last),
					ExpiresAt: now.Add(30 * 24 * time.Hour),
				}
				if status == conversation.Claimed {
					c.Agent, c.ClaimedAt = "U0AGENT1", now.Add(-last)
				}
				if err := r.store.PutConversation(context.Background(), c); err != nil {
					t.Fatalf("seed %s conversation: %v", status, err)
				}
			}
			seed(waiting, conversation.Escalated, 23*time.Hour+30*time.Minute)
			// The escalation itself is 45 minutes old.
			c := conversationOf(t, r, waiting)
			c.EscalatedAt, c.UpdatedAt = now.Add(-45*time.Minute), now.Add(-45*time.Minute)
			if err := r.store.PutConversation(context.Background(), c); err != nil {
				t.Fatal(err)
			}
			seed(idle, conversation.Claimed, 80*time.Hour)
			// A suggestion the knowledge base already holds: the sweeper retires it as accepted.
			merged := &learn.Suggestion{ID: learn.ID("artifact"), Question: "Wie lange dauert die Lieferung?", Entry: "delivery-time",
				Lang: "de", Agent: "U0AGENT1", Subject: "sub_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", At: now.Add(-time.Hour), ExpiresAt: now.Add(learn.DefaultRetention)}
			if _, err := r.store.PutSuggestion(context.Background(), merged); err != nil {
				t.Fatalf("seed suggestion: %v", err)
			}
		},
		slack: []string{"chat.postMessage", "chat.postMessage", "chat.postMessage", "chat.update"},
		check: func(t *testing.T, r *rig, got outcome) {
			var rep sweeper.Report
			if err := json.Unmarshal(got.raw, &rep); err != nil {
				t.Fatalf("result %s: %v", got.raw, err)
			}
			if diff := cmp.Diff(sweeper.Report{Reannounced: 1, Warned: 1, Closed: 1, Digest: sweeper.DigestReport{Accepted: 1}}, rep); diff != "" {
				t.Errorf("report (-want +got):\n%s", diff)
			}
			if left, err := r.store.Suggestions(context.Background()); err != nil || len(left) != 0 {
				t.Errorf("suggestions after the sweep = %v, %v; want the accepted one retired", left, err)
			}
			if c := conversationOf(t, r, idle); c.Status != conversation.Closed {
				t.Errorf("idle conversation status = %q, want closed", c.Status)
			}
			if c := conversationOf(t, r, waiting); c.AnnouncedAt.IsZero() || c.WarnedAt.IsZero() {
				t.Errorf("waiting conversation: announced %v, warned %v; want both set", c.AnnouncedAt, c.WarnedAt)
			}
		},
	}},
}}
