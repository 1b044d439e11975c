package slackapi

import (
	"context"
	"testing"

	"github.com/frontdesk-app/frontdesk/shared/apperr"
	"github.com/frontdesk-app/frontdesk/shared/desk"
	"github.com/frontdesk-app/frontdesk/shared/slackapi/slacktest"
)

// The bot token deletes the bot's own messages only, as real Slack does: the fake refuses an
// agent's message with cant_delete_message, and the client reports it as Forbidden.
func TestDeleteOnlyTheBotsOwnMessages(t *testing.T) {
	t.Parallel()
	fake := slacktest.New(t, testToken, testChannel)
	c := newTestClient(t, fake, testToken, &sleeps{})
	ctx := context.Background()

	var posted []string
	ctx = desk.WithPosted(ctx, func(_ context.Context, t desk.Thread, ts string) { posted = append(posted, t.Channel+" "+t.TS+" "+ts) })
	card, err := c.PostMessage(ctx, testChannel, "", "card", nil)
	if err != nil {
		t.Fatal(err)
	}
	reply, err := c.PostMessage(ctx, testChannel, card, "status line", nil)
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{testChannel + " " + card + " " + card, testChannel + " " + card + " " + reply}; len(posted) != 2 || posted[0] != want[0] || posted[1] != want[1] {
		t.Errorf("posted = %q, want %q", posted, want)
	}
	agent := fake.PostAs(testChannel, card, "U0AGENT1", "I'll check your order")

	msgs, err := c.ThreadMessages(ctx, testChannel, card)
	if err != nil {
		t.Fatal(err)
	}
	if len(msgs) != 3 || msgs[0].TS != card || msgs[0].BotID == "" || msgs[2].TS != agent || msgs[2].User != "U0AGENT1" || msgs[2].BotID != "" {
		t.Fatalf("ThreadMessages = %+v, want card, reply (bot) and the agent's message", msgs)
	}

	err = c.DeleteMessage(ctx, testChannel, agent)
	if !apperr.Is(err, apperr.Forbidden) || SlackError(err) != "cant_delete_message" {
		t.Errorf("deleting the agent's message: %v (kind %v), want Forbidden cant_delete_message", err, apperr.KindOf(err))
	}
	if _, ok := fake.Message(testChannel, agent); !ok {
		t.Error("the agent's message was deleted")
	}
	link, err := c.Permalink(ctx, testChannel, agent)
	if err != nil || link == "" {
		t.Errorf("Permalink = %q, %v", link, err)
	}

	if err := c.DeleteMessage(ctx, testChannel, reply); err != nil {
		t.Fatalf("deleting the bot's reply: %v", err)
	}
	if err := c.DeleteMessage(ctx, testChannel, reply); !apperr.Is(err, apperr.NotFound) {
		t.Errorf("deleting it again: %v, want NotFound (message_not_found)", err)
	}
	if err := c.DeleteMessage(ctx, testChannel, card); err != nil {
		t.Fatalf("deleting the card: %v", err)
	}
	// The card had replies: it stays as a tombstone, and the thread can still be read.
	msgs, err = c.ThreadMessages(ctx, testChannel, card)
	if err != nil {
		t.Fatal(err)
	}
	if len(msgs) != 2 || msgs[0].TS != card || msgs[1].TS != agent {
		t.Errorf("thread after deletions = %+v, want the tombstone and the agent's message", msgs)
	}
}
