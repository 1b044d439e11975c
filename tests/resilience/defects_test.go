//go:build resilience_defects

package resilience_test

// Known defects, each a test of what issue #8 asks that fails on the current code. They are
// behind the build tag resilience_defects so the suite stays green until they are fixed:
//
//	go test -tags resilience_defects -run Defect ./tests/resilience/
//
// Move a test out of this file (drop "Defect" from its name) with the fix that makes it pass.

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

// TestDefectWorkerDiesAfterSend: the worker dies after the Graph API accepted the answer and
// before the call was recorded (the conversation's save, which would record it, is the call
// that dies). Its lease on the conversation goes stale after bot.Lease (2 minutes), the queue
// redelivers after its visibility timeout (180 s in template.yaml), the redelivery takes the
// stale lease over without a record of the send, and the customer gets the answer twice.
// Issue #8: exactly one message, or the event in the dead-letter queue.
func TestDefectWorkerDiesAfterSend(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	user := customer(30)
	h.tap.inject(&fault{
		op: "DynamoDB.PutItem", match: onItem("CONV#" + waKey(user).String()), times: 1,
		err: func() error { return errCrash },
		onFire: func(ctx context.Context) {
			kill(ctx)
			h.clock.advance(templateVisibility)
		},
	})
	if w := h.webhook(waText(user, wamid("diesaftersend", 1), textAnswered, time.Now())); w.Code != http.StatusOK {
		t.Fatalf("webhook = %d", w.Code)
	}
	h.settle()
	if got := len(h.out.delivered(user)); got != 1 {
		t.Errorf("messages to the customer = %d, want 1", got)
	}
}

// TestDefectSlackRefusesEscalation: Slack answers channel_not_found (the app was removed from
// the channel). The bot has already told the customer an agent will answer; the card is never
// posted, the event is dropped as "a retry cannot help", the conversation is not even saved,
// and no metric or alarm says so. Issue #8: escalated exactly once, or in the DLQ with an alarm.
func TestDefectSlackRefusesEscalation(t *testing.T) {
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

// TestDefectBotReplyRefused: Meta refuses the bot's answer for good (131026, undeliverable).
// The event is dropped with a log line: DeliveriesFailed is not counted (only agent replies
// count it) and the conversation is not saved.
func TestDefectBotReplyRefused(t *testing.T) {
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

// TestDefectMetricsCountRedeliveries: MessagesIn and Answered are counted on every attempt,
// before the event is known to be new and before the answer is sent, so redeliveries and
// optimistic-locking retries inflate them. Three customer messages, one worker death.
func TestDefectMetricsCountRedeliveries(t *testing.T) {
	t.Parallel()
	h := newHarness(t, func(o *options) { o.manual = true; o.workers = 1 })
	users := []string{customer(33), customer(34), customer(35)}
	for i, u := range users {
		h.enqueue(inboundText(u, wamid("metrics", i), textAnswered, time.Now()), wamid("metrics", i))
	}
	h.tap.inject(&fault{op: "DynamoDB.PutItem", match: onItem("CONV#" + waKey(users[1]).String()), times: 1,
		err: func() error { return errCrash }, onFire: kill})
	h.esm.start(1)
	h.settle()
	for _, m := range []string{metrics.MessagesIn, metrics.Answered} {
		if got := h.metrics.get(m); got != 3 {
			t.Errorf("%s = %d, want 3", m, got)
		}
	}
}

// graphUndeliverable is WhatsApp's 131026 (message undeliverable), which graph maps to
// ErrUserUnavailable: a decision a retry cannot change.
var graphUndeliverable = graphtest.Failure{Status: 400, Code: 131026, Type: "OAuthException", Message: "(#131026) Message Undeliverable."}

// TestDefectInvalidUTF8Webhook: a signed webhook whose body is not UTF-8 (RFC 8259 requires
// it; Meta sends \u escapes) is accepted, the invalid bytes silently become U+FFFD, and the
// event is queued. Issue #8 item 4 wants a 400 and nothing queued (meta: check utf8.Valid on
// the raw body after the signature).
func TestDefectInvalidUTF8Webhook(t *testing.T) {
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

// TestDefectSignaturesRejected: metrics.SignaturesRejected is declared (issue #8 item 7 lists
// it) but nothing records it: meta.WebhookConfig and slackapi.HandlerConfig take no
// metrics.Recorder, and app.MetaWebhook/app.Slack pass none.
func TestDefectSignaturesRejected(t *testing.T) {
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
