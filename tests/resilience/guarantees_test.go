package resilience_test

// Guarantees that were once defects found by this suite, each kept as a test of what the
// suite guards: nothing lost, everything counted once, hostile bodies refused.

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/frontdesk-app/frontdesk/shared/conversation"
	"github.com/frontdesk-app/frontdesk/shared/graph/graphtest"
	"github.com/frontdesk-app/frontdesk/shared/metrics"
	"github.com/frontdesk-app/frontdesk/shared/slackapi/slacktest"
)

// advance moves the stack's clock forward.
func (c *clock) advance(d time.Duration) { c.offset.Add(int64(d)) }

// templateVisibility is EventQueue's VisibilityTimeout in template.yaml: a failed message comes
// back this much later in AWS.
const templateVisibility = 180 * time.Second

// TestCompleteSendFails: the answer is sent, then saving the conversation fails beyond the
// SDK's retries (three throttled PutItems) while the queue's 180 s visibility timeout passes.
// The failed worker records the send under its lease and gives the lease up; the redelivery
// finds the answer sent and does not send it a second time.
func TestCompleteSendFails(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	user := customer(30)
	f := h.tap.inject(&fault{
		op: "DynamoDB.PutItem", match: onItem("CONV#" + waKey(user).String()), times: 3, err: throttling,
		onFire: func(context.Context) { h.clock.advance(templateVisibility / 3) },
	})
	if w := h.webhook(waText(user, wamid("complete", 1), textAnswered, time.Now())); w.Code != http.StatusOK {
		t.Fatalf("webhook = %d", w.Code)
	}
	h.settle()
	if got := h.tap.firedCount(f); got != 3 {
		t.Fatalf("fault fired %d times, want 3", got)
	}
	if got := len(h.out.delivered(user)); got != 1 {
		t.Errorf("messages to the customer = %d, want 1", got)
	}
	if c := h.conversation(waKey(user)); !c.HasProcessed(wamid("complete", 1)) {
		t.Errorf("the event was not applied: %v", c.Processed)
	}
}

// TestSlackRefusesEscalation: Slack answers channel_not_found (the app was removed from the
// channel) after the customer was told an agent will answer. The escalation must end up in
// Slack or in the dead-letter queue (and its alarm), never vanish.
func TestSlackRefusesEscalation(t *testing.T) {
	t.Parallel()
	h := newHarness(t, func(o *options) { o.visibility = 1; o.maxReceive = 2 })
	user := customer(31)
	h.slack.FailNext("chat.postMessage", slacktest.Failure{Error: "channel_not_found"})
	if w := h.webhook(waText(user, wamid("nochannel", 1), textHuman, time.Now())); w.Code != http.StatusOK {
		t.Fatalf("webhook = %d", w.Code)
	}
	h.settle()
	escalated := false
	if c, err := h.store.GetConversation(context.Background(), waKey(user)); err == nil {
		escalated = c.Status == conversation.Escalated && c.ThreadTS != ""
	}
	if dl := h.deadLetters(); !escalated && len(dl) == 0 {
		t.Errorf("the escalation is neither in Slack nor in the dead-letter queue: lost (customer got %d messages)", len(h.out.delivered(user)))
	}
}

// TestBotReplyRefused: Meta refuses the bot's answer for good (131026, undeliverable). The
// failure is counted (DeliveriesFailed) and the event still applies to the conversation.
func TestBotReplyRefused(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	user := customer(32)
	h.graph.FailNext(graphUndeliverable)
	if w := h.webhook(waText(user, wamid("refused", 1), textAnswered, time.Now())); w.Code != http.StatusOK {
		t.Fatalf("webhook = %d", w.Code)
	}
	h.settle()
	if got := h.metrics.get(metrics.DeliveriesFailed); got != 1 {
		t.Errorf("DeliveriesFailed = %d, want 1", got)
	}
	if _, err := h.store.GetConversation(context.Background(), waKey(user)); err != nil {
		t.Errorf("conversation after a refused answer: %v, want it saved with the event applied", err)
	}
}

// TestMetricsCountRedeliveriesOnce: three customer messages, a failed save of the second and
// the worker's death before the third count three messages in and three answers, not one per
// attempt.
func TestMetricsCountRedeliveriesOnce(t *testing.T) {
	t.Parallel()
	h := newHarness(t, func(o *options) { o.manual = true; o.workers = 1 })
	users := []string{customer(33), customer(34), customer(35)}
	for i, u := range users {
		h.enqueue(inboundText(u, wamid("metrics", i), textAnswered, time.Now()), wamid("metrics", i))
	}
	h.tap.inject(&fault{op: "DynamoDB.PutItem", match: onItem("CONV#" + waKey(users[1]).String()), times: 3, err: throttling})
	crash := h.tap.inject(&fault{op: "DynamoDB.UpdateItem", match: onItem("CONV#" + waKey(users[2]).String()), times: 1,
		err: func() error { return errCrash }, onFire: kill})
	h.esm.start(1)
	h.settle()
	if got := h.tap.firedCount(crash); got != 1 {
		t.Fatalf("crash fired %d times, want 1", got)
	}
	for _, m := range []string{metrics.MessagesIn, metrics.Answered} {
		if got := h.metrics.get(m); got != 3 {
			t.Errorf("%s = %d, want 3", m, got)
		}
	}
}

// graphUndeliverable is WhatsApp's 131026 (message undeliverable), which graph maps to
// ErrUserUnavailable: a decision a retry cannot change.
var graphUndeliverable = graphtest.Failure{Status: 400, Code: 131026, Type: "OAuthException", Message: "(#131026) Message Undeliverable."}

// TestInvalidUTF8Webhook: a signed webhook whose body is not UTF-8 (RFC 8259 requires it; Meta
// sends \u escapes) gets 400 and queues nothing, instead of turning the bytes into U+FFFD.
func TestInvalidUTF8Webhook(t *testing.T) {
	t.Parallel()
	q := &countingQueue{}
	mux := lightStack(t, q)
	wa := waText(customer(36), wamid("utf8", 1), textAnswered, time.Now())
	body := bytes.Replace(wa, []byte(textAnswered), []byte("Wo ist \xff\xfe meine Bestellung?"), 1)
	w := httptest.NewRecorder()
	mux.ServeHTTP(w, signedMeta(body)())
	if w.Code != http.StatusBadRequest || q.count() != 0 {
		t.Errorf("status = %d, queued %d; want 400 and nothing queued", w.Code, q.count())
	}
}

// TestSignaturesRejected: a forged webhook is counted in SignaturesRejected.
func TestSignaturesRejected(t *testing.T) {
	t.Parallel()
	h := newHarness(t, func(o *options) { o.manual = true })
	body := waText(customer(37), wamid("forged", 1), textAnswered, time.Now())
	r := httptest.NewRequest(http.MethodPost, "/webhooks/meta", bytes.NewReader(body))
	r.Header.Set("Content-Type", "application/json")
	r.Header.Set("X-Hub-Signature-256", "sha256="+strings.Repeat("00", 32))
	if w := h.serve(r); w.Code != http.StatusUnauthorized {
		t.Fatalf("forged webhook = %d, want 401", w.Code)
	}
	if got := h.metrics.get(metrics.SignaturesRejected); got != 1 {
		t.Errorf("SignaturesRejected = %d, want 1", got)
	}
}
