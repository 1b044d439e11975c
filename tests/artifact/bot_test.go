//go:build linux

package artifact_test

import (
	"context"
	"crypto/md5"
	"encoding/hex"
	"encoding/json"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/frontdesk-app/frontdesk/shared/channel"
	"github.com/frontdesk-app/frontdesk/shared/conversation"
	"github.com/frontdesk-app/frontdesk/shared/faq"
	"github.com/frontdesk-app/frontdesk/shared/graph/graphtest"
)

var (
	customer = channel.Key{Surface: channel.WhatsApp, Account: phoneID, User: "491701234567"}
	// escalated is the customer of events/bot/sqs-agent-reply.json, whose conversation an agent
	// has in Slack.
	escalated = channel.Key{Surface: channel.WhatsApp, Account: phoneID, User: "491709876543"}
)

const (
	sendPath    = "/v25.0/" + phoneID + "/messages"
	threadTS    = "1767225600.000100" // the first ts slacktest gives out
	agentUser   = "U0AGENTMIA"
	customerMsg = "wamid.HBgMNDkxNzAxMjM0NTY3FQIAEhgWM0VCMEFSVElGQUNUVEVYVDAwMDAxAA=="
)

// botSuite: a customer's question is answered from the knowledge base through the Graph API;
// an agent's reply in Slack goes to the customer. No batch failures.
var botSuite = suite{trigger: sqsBatch, prepare: freshInbound, cases: []eventCase{
	{"sqs-whatsapp-text", want{
		graph: []string{"POST " + sendPath},
		check: func(t *testing.T, r *rig, got outcome) {
			kb, err := faq.SampleKB()
			if err != nil {
				t.Fatal(err)
			}
			e, ok := kb.Entry("password-reset")
			if !ok {
				t.Fatal("the sample knowledge base has no password-reset entry")
			}
			answer, _ := e.AnswerIn("de")
			checkWhatsAppText(t, got.graph[0], customer.User, answer)
			c := conversationOf(t, r, customer)
			if c.Status != conversation.Bot || c.Locale != "de" || !c.HasProcessed(customerMsg) {
				t.Errorf("stored conversation: status %q, locale %q, processed %q; want bot, de, the message", c.Status, c.Locale, c.Processed)
			}
		},
	}},
	{"sqs-agent-reply", want{
		setup: func(t *testing.T, r *rig) {
			if ts := r.slack.Post(slackChannel, "escalation card"); ts != threadTS {
				t.Fatalf("thread ts = %s, want %s (the one in sqs-agent-reply.json)", ts, threadTS)
			}
			now := time.Now()
			c := &conversation.Conversation{
				Key: escalated, Status: conversation.Escalated, Locale: "de",
				LastInboundAt: now.Add(-time.Hour), SlackChannel: slackChannel, ThreadTS: threadTS,
				EscalationReason: "asked for a person", EscalatedAt: now.Add(-50 * time.Minute),
				CreatedAt: now.Add(-time.Hour), UpdatedAt: now.Add(-50 * time.Minute), ExpiresAt: now.Add(30 * 24 * time.Hour),
			}
			if err := r.store.PutConversation(context.Background(), c); err != nil {
				t.Fatalf("seed the escalated conversation: %v", err)
			}
		},
		// Inside the window, with more than an hour left: sent. The reply claimed the unclaimed
		// escalation, so the card is redrawn and one status line says who has it.
		graph: []string{"POST " + sendPath},
		slack: []string{"chat.update", "chat.postMessage"},
		check: func(t *testing.T, r *rig, got outcome) {
			checkWhatsAppText(t, got.graph[0], escalated.User, "Hallo! Ich habe dir gerade einen neuen Link zum Zurücksetzen geschickt.")
			th := r.slack.Thread(slackChannel, threadTS)
			if len(th) != 1 || th[0].Text != ":raising_hand: Claimed by <@"+agentUser+">, who replied." {
				t.Errorf("thread = %+v, want one status line saying the reply claimed it", th)
			}
			c := conversationOf(t, r, escalated)
			if c.Status != conversation.Claimed || c.Agent != agentUser || !c.HasProcessed("Ev0ARTIFACT0REPLY") {
				t.Errorf("stored conversation: status %q, agent %q, processed %q; want claimed by %s", c.Status, c.Agent, c.Processed, agentUser)
			}
		},
	}},
}}

// checkWhatsAppText checks a Cloud API text message send.
func checkWhatsAppText(t *testing.T, q graphtest.Request, to, text string) {
	t.Helper()
	if q.Surface != "whatsapp" || q.Token != whatsappToken {
		t.Errorf("sent to surface %q with token %q, want whatsapp with WHATSAPP_TOKEN", q.Surface, q.Token)
	}
	body, _ := q.JSON["text"].(map[string]any)
	if q.JSON["to"] != to || q.JSON["type"] != "text" || body["body"] != text {
		t.Errorf("sent %s, want a text to %s: %q", q.Body, to, text)
	}
}

// conversationOf reads the conversation the function stored in DynamoDB.
func conversationOf(t *testing.T, r *rig, k channel.Key) *conversation.Conversation {
	t.Helper()
	c, err := r.store.GetConversation(context.Background(), k)
	if err != nil {
		t.Fatalf("read the conversation from DynamoDB: %v", err)
	}
	return c
}

// freshInbound dates the customer messages of an SQS batch to now, as if Meta had just
// delivered them: the bot gives no answer to a message older than BOT_FRESHNESS, and the
// stored events are years old by the time a test runs.
func freshInbound(t testing.TB, raw []byte) []byte {
	t.Helper()
	var batch events.SQSEvent
	if err := json.Unmarshal(raw, &batch); err != nil {
		t.Fatal(err)
	}
	for i, m := range batch.Records {
		var ev channel.Event
		if err := json.Unmarshal([]byte(m.Body), &ev); err != nil {
			t.Fatal(err)
		}
		if ev.Inbound == nil {
			continue
		}
		ev.Inbound.At = time.Now().UTC().Add(-2 * time.Second)
		body, err := json.Marshal(ev)
		if err != nil {
			t.Fatal(err)
		}
		sum := md5.Sum(body)
		batch.Records[i].Body, batch.Records[i].Md5OfBody = string(body), hex.EncodeToString(sum[:])
	}
	out, err := json.Marshal(batch)
	if err != nil {
		t.Fatal(err)
	}
	return out
}
