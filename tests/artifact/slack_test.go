//go:build linux

package artifact_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/frontdesk-app/frontdesk/shared/channel"
	"github.com/frontdesk-app/frontdesk/shared/conversation"
	"github.com/frontdesk-app/frontdesk/shared/desk"
	"github.com/frontdesk-app/frontdesk/shared/slackapi"
)

// deskKey is the conversation escalated into the Slack thread of events/slack: C0DESK /
// 1767225600.000100, the first ts slacktest gives out.
var deskKey = channel.Key{Surface: channel.WhatsApp, Account: "1098765", User: "4917112345667"}

// slackSuite: Slack's URL check is answered with the challenge; an agent's thread reply and
// the Claim button each queue one agent event for the bot in the customer's FIFO group; the
// slash command answers an ephemeral list.
//
// Slack signs v0:<timestamp>:<body> and the handler refuses a timestamp more than 5 minutes
// from its clock, which in the shipped binary is the real one. The stored events go stale
// minutes after `go test ./shared/slackapi -run TestEvents -update` signs them, so this suite
// re-signs each one with the current time and the local signing secret before invoking; the
// body is sent unchanged. (shared/slackapi's TestEvents checks the files as stored, with the
// clock set to their own timestamp.)
var slackSuite = suite{trigger: apiGateway, prepare: resignSlack, cases: []eventCase{
	{"url_verification", want{status: 200, check: bodyIs("3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P")}},
	{"thread_reply", want{
		setup:  seedDeskEscalation,
		status: 200, queued: []string{"whatsapp/agent"},
		check: agentEvent(channel.AgentEvent{ID: "Ev0AGENTREPLY1", Action: channel.ActionReply, User: "U0AGENT1",
			Text: "Hallo Anna, die Lieferung kommt morgen."}),
	}},
	{"interaction_claim", want{
		status: 200, queued: []string{"whatsapp/agent"},
		check: agentEvent(channel.AgentEvent{Action: channel.ActionClaim}),
	}},
	// The escalation is still unclaimed (the bot, not this function, applies the claim): it is
	// listed with a link to its thread.
	{"slash_command", want{status: 200, check: func(t *testing.T, _ *rig, got outcome) {
		var m struct {
			ResponseType string `json:"response_type"`
			Text         string `json:"text"`
		}
		if err := json.Unmarshal([]byte(got.http.Body), &m); err != nil || m.ResponseType != "ephemeral" || m.Text != "1 unclaimed escalations" {
			t.Errorf("body = %s, want an ephemeral list of 1 unclaimed escalation", got.http.Body)
		}
		if permalink := "/archives/" + slackChannel + "/p" + strings.ReplaceAll(threadTS, ".", ""); !strings.Contains(got.http.Body, permalink) {
			t.Errorf("body = %s, want a link to %s", got.http.Body, permalink)
		}
	}}},
}}

// seedDeskEscalation stores the escalated conversation whose thread the Slack events act in.
func seedDeskEscalation(t *testing.T, r *rig) {
	t.Helper()
	if ts := r.slack.Post(slackChannel, "escalation card"); ts != threadTS {
		t.Fatalf("thread ts = %s, want %s (the one in events/slack)", ts, threadTS)
	}
	now := time.Now()
	c := &conversation.Conversation{
		Key: deskKey, Status: conversation.Escalated, Locale: "de",
		LastInboundAt: now.Add(-40 * time.Minute), SlackChannel: slackChannel, ThreadTS: threadTS,
		EscalationReason: desk.ReasonAskedForHuman, EscalatedAt: now.Add(-35 * time.Minute),
		CreatedAt: now.Add(-40 * time.Minute), UpdatedAt: now.Add(-35 * time.Minute), ExpiresAt: now.Add(30 * 24 * time.Hour),
	}
	if err := r.store.PutConversation(context.Background(), c); err != nil {
		t.Fatalf("seed the escalated conversation: %v", err)
	}
}

// agentEvent checks the one queued agent event: in the desk's thread, for its conversation,
// with want's non-zero fields.
func agentEvent(want channel.AgentEvent) func(*testing.T, *rig, outcome) {
	return func(t *testing.T, _ *rig, got outcome) {
		t.Helper()
		a := got.queued[0].Agent
		if a == nil {
			t.Fatalf("queued %+v, want an agent event", got.queued[0])
		}
		if a.Key != deskKey || a.Channel != slackChannel || a.ThreadTS != threadTS || a.Action != want.Action ||
			(want.ID != "" && a.ID != want.ID) || (want.User != "" && a.User != want.User) || (want.Text != "" && a.Text != want.Text) {
			t.Errorf("agent event = %+v, want %+v in %s/%s for %s", a, want, slackChannel, threadTS, deskKey)
		}
	}
}

// resignSlack signs an events/slack event again at the current time with the local signing
// secret: new x-slack-request-timestamp and x-slack-signature, everything else as stored.
func resignSlack(t testing.TB, raw []byte) []byte {
	t.Helper()
	var ev map[string]any
	if err := json.Unmarshal(raw, &ev); err != nil {
		t.Fatal(err)
	}
	headers, _ := ev["headers"].(map[string]any)
	body, _ := ev["body"].(string)
	if headers == nil || headers["x-slack-signature"] == nil {
		t.Fatal("not a signed Slack request")
	}
	b := []byte(body)
	if enc, _ := ev["isBase64Encoded"].(bool); enc {
		var err error
		if b, err = base64.StdEncoding.DecodeString(body); err != nil {
			t.Fatal(err)
		}
	}
	now := time.Now()
	headers["x-slack-request-timestamp"] = strconv.FormatInt(now.Unix(), 10)
	headers["x-slack-signature"] = slackapi.Sign([]byte(slackSecret), now, b)
	out, err := json.Marshal(ev)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestSlackEnqueueFailureForgetsTheEvent: when the agent's reply cannot be queued, the function
// answers an error (Slack retries) and deletes the event's seen mark, so that the retry is not
// dropped as a replay. In AWS the delete needs its own grant (the permission check sees it here).
func TestSlackEnqueueFailureForgetsTheEvent(t *testing.T) {
	t.Parallel()
	bins := artifacts(t)
	r := prepareRig(t, "slack", nil)
	r.environ = r.env(t, map[string]string{"FRONTDESK_QUEUE_URL": r.queueURL + "-deleted.fifo"})
	r.proc = launch(t, bins.rie, bins.bootstrap["slack"], "slack", r.environ)
	r.proc.waitReady(t)
	seedDeskEscalation(t, r)
	got := r.invoke(t, apiGateway, resignSlack(t, readEvent(t, bins.root, "slack", "thread_reply")))
	if got.http.StatusCode < 500 {
		t.Errorf("status = %d, want a 5xx so that Slack retries", got.http.StatusCode)
	}
	first, err := r.store.MarkSeen(context.Background(), "slack:Ev0AGENTREPLY1", time.Now().Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if !first {
		t.Error("the event's seen mark is still there: Slack's retry would be dropped and the reply lost")
	}
}
