package resilience_test

import (
	"context"
	"net/http"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/frontdesk-app/frontdesk/internal/iamcheck"
	"github.com/frontdesk-app/frontdesk/shared/channel"
	"github.com/frontdesk-app/frontdesk/shared/conversation"
)

// Every redelivery path produces exactly one message to the customer, by the
// bot's idempotency records on DynamoDB, not by the queue's deduplication window.

func TestAnsweredOnce(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	user := customer(1)
	if w := h.webhook(waText(user, wamid("once", 1), textAnswered, time.Now())); w.Code != http.StatusOK {
		t.Fatalf("webhook = %d %s, want 200", w.Code, w.Body)
	}
	h.settle()
	if got := len(h.out.delivered(user)); got != 1 {
		t.Errorf("messages to the customer = %d, want 1", got)
	}
	c := h.conversation(waKey(user))
	if !c.HasProcessed(wamid("once", 1)) {
		t.Errorf("conversation did not record the event: %v", c.Processed)
	}
}

// TestWebhookTenTimesConcurrently delivers one webhook ten times at once. Whatever SQS
// deduplicates (moto only against messages still queued), the customer gets one answer.
func TestWebhookTenTimesConcurrently(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	user := customer(2)
	body := waText(user, wamid("ten", 1), textAnswered, time.Now())
	var wg sync.WaitGroup
	codes := make([]int, 10)
	for i := range codes {
		wg.Go(func() { codes[i] = h.webhook(body).Code })
	}
	wg.Wait()
	for i, c := range codes {
		if c != http.StatusOK {
			t.Errorf("delivery %d answered %d, want 200", i, c)
		}
	}
	h.settle()
	if got := len(h.out.delivered(user)); got != 1 {
		t.Errorf("messages to the customer = %d, want 1", got)
	}
	if got := h.tap.snapshot()["SQS.SendMessage"]; got != 10 {
		t.Errorf("SendMessage requests = %d, want 10 (one per delivery)", got)
	}
}

// TestWebhookRetriedAfterDedupWindow delivers one webhook ten times as Meta retries over hours:
// beyond SQS's five-minute deduplication interval, every copy is a new queue message (here
// with a fresh deduplication id each), and only the bot's records keep the answer single.
func TestWebhookRetriedAfterDedupWindow(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	user := customer(3)
	ev := inboundText(user, wamid("late", 1), textAnswered, time.Now())
	for i := range 10 {
		h.enqueue(ev, ev.ID()+"#retry"+string(rune('a'+i)))
	}
	h.settle()
	if got := len(h.out.delivered(user)); got != 1 {
		t.Errorf("messages to the customer = %d, want 1", got)
	}
}

// TestSameEventTenWorkersAtOnce runs the same event in ten bot invocations at once, as when a
// message's visibility timeout ran out while a slow worker still held it. The outbound
// reservation (dedup.ClaimSend) lets one send; the others back off with a retryable error
// and, redelivered, find the event done.
func TestSameEventTenWorkersAtOnce(t *testing.T) {
	t.Parallel()
	h := newHarness(t, func(o *options) { o.manual = true })
	user := customer(4)
	ev := inboundText(user, wamid("workers", 1), textAnswered, time.Now())
	batch := sqsBatch(t, ev)
	var wg sync.WaitGroup
	for range 10 {
		wg.Go(func() {
			// Each worker retries its failed record, as redelivery would, until it succeeds.
			waitFor(t, 20*time.Second, "a worker to handle the event", func() bool {
				resp, err := h.stack.Bot.HandleSQS(iamcheck.WithFunction(context.Background(), "bot"), batch)
				return err == nil && len(resp.BatchItemFailures) == 0
			})
		})
	}
	wg.Wait()
	if got := len(h.out.delivered(user)); got != 1 {
		t.Errorf("messages to the customer = %d, want 1", got)
	}
}

// TestRedeliveredAfterWorkerDiedMidBatch kills the worker in the middle of a batch of three
// customers' messages: after the first two were answered and saved, as it reaches for the
// third customer's conversation. The dead worker makes no further call and deletes nothing;
// SQS delivers the whole batch again after the visibility timeout, and every customer has
// exactly one answer. (A worker that dies between a send and its record is
// TestDefectWorkerDiesAfterSend.)
func TestRedeliveredAfterWorkerDiedMidBatch(t *testing.T) {
	t.Parallel()
	h := newHarness(t, func(o *options) { o.manual = true; o.workers = 1 })
	users := []string{customer(5), customer(6), customer(7)}
	now := time.Now()
	for i, u := range users {
		h.enqueue(inboundText(u, wamid("died", i), textAnswered, now), wamid("died", i))
	}
	crash := h.tap.inject(&fault{
		op: "DynamoDB.UpdateItem", match: onItem("CONV#" + waKey(users[2]).String()), times: 1,
		err: func() error { return errCrash }, onFire: kill,
	})
	h.esm.start(1)
	h.settle()

	if got := h.tap.firedCount(crash); got != 1 {
		t.Fatalf("crash fired %d times, want 1", got)
	}
	if got := h.esm.died.Load(); got != 1 {
		t.Errorf("invocations that died = %d, want 1", got)
	}
	if got := h.esm.invocations.Load(); got < 2 {
		t.Errorf("invocations = %d, want the batch delivered again", got)
	}
	for _, u := range users {
		if got := len(h.out.delivered(u)); got != 1 {
			t.Errorf("messages to customer %s = %d, want 1", u, got)
		}
		if c := h.conversation(waKey(u)); len(c.Processed) != 1 {
			t.Errorf("customer %s: processed events = %v, want one", u, c.Processed)
		}
	}
	if dl := h.deadLetters(); len(dl) != 0 {
		t.Errorf("dead letters = %d, want none", len(dl))
	}
}

// sqsBatch is an SQS event of the events, as the event source mapping delivers it.
func sqsBatch(t *testing.T, evs ...channel.Event) events.SQSEvent {
	t.Helper()
	var b events.SQSEvent
	for i, e := range evs {
		body := mustJSON(t, e)
		var group string
		if e.Inbound != nil {
			group = e.Inbound.Key.String()
		} else {
			group = e.Agent.Key.String()
		}
		b.Records = append(b.Records, events.SQSMessage{
			MessageId: "msg-" + e.ID() + "-" + string(rune('0'+i)), Body: body, EventSource: "aws:sqs",
			Attributes: map[string]string{"MessageGroupId": group, "MessageDeduplicationId": e.ID(), "ApproximateReceiveCount": "1"},
		})
	}
	return b
}

// escalate has the customer ask for a person and returns the escalated conversation.
func (h *harness) escalate(user, id string) *conversation.Conversation {
	h.t.Helper()
	if w := h.webhook(waText(user, id, textHuman, time.Now())); w.Code != http.StatusOK {
		h.t.Fatalf("webhook = %d %s", w.Code, w.Body)
	}
	h.settle()
	c := h.conversation(waKey(user))
	if c.Status != conversation.Escalated || c.ThreadTS == "" {
		h.t.Fatalf("conversation not escalated: status %s thread %q", c.Status, c.ThreadTS)
	}
	return c
}

// TestSlackEventRetriedThreeTimes posts an agent's thread reply and Slack's three retries of
// it (X-Slack-Retry-Num 1-3) at once: the customer gets the reply once.
func TestSlackEventRetriedThreeTimes(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	user := customer(8)
	c := h.escalate(user, wamid("slackretry", 1))
	body := threadReplyEvent("Ev0RETRY0001", c.ThreadTS, "Hallo, ich schaue mir das an.", time.Now())
	var wg sync.WaitGroup
	codes := make([]int, 4)
	for i := range codes {
		wg.Go(func() {
			r := h.slackRequest("/slack/events", "application/json", body)
			if i > 0 {
				r.Header.Set("X-Slack-Retry-Num", strconv.Itoa(i))
				r.Header.Set("X-Slack-Retry-Reason", "http_timeout")
			}
			codes[i] = h.serve(r).Code
		})
	}
	wg.Wait()
	for i, code := range codes {
		if code != http.StatusOK {
			t.Errorf("delivery %d answered %d, want 200", i, code)
		}
	}
	h.settle()
	if got := len(h.out.delivered(user)); got != 2 {
		t.Errorf("messages to the customer = %d, want 2 (hand-over note and the agent's reply)", got)
	}
	if c := h.conversation(waKey(user)); !c.HasProcessed("Ev0RETRY0001") || c.Status != conversation.Claimed {
		t.Errorf("conversation %s processed %v, want claimed with the reply applied", c.Status, c.Processed)
	}
}

// TestSlackEnqueueFails answers Slack 503 while the queue refuses the agent's reply; the
// event id is forgotten, so Slack's retry is queued and delivered once.
func TestSlackEnqueueFails(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	user := customer(9)
	c := h.escalate(user, wamid("slackenq", 1))
	body := threadReplyEvent("Ev0ENQFAIL01", c.ThreadTS, "Ich kümmere mich.", time.Now())
	h.tap.inject(&fault{op: "SQS.SendMessage", times: 1, err: sqsUnavailable})
	if w := h.serve(h.slackRequest("/slack/events", "application/json", body)); w.Code != http.StatusServiceUnavailable {
		t.Fatalf("event with a failing queue = %d %s, want 503", w.Code, w.Body)
	}
	r := h.slackRequest("/slack/events", "application/json", body)
	r.Header.Set("X-Slack-Retry-Num", "1")
	r.Header.Set("X-Slack-Retry-Reason", "http_error")
	if w := h.serve(r); w.Code != http.StatusOK {
		t.Fatalf("Slack's retry = %d %s, want 200", w.Code, w.Body)
	}
	h.settle()
	if got := len(h.out.delivered(user)); got != 2 {
		t.Errorf("messages to the customer = %d, want 2 (hand-over note and the agent's reply)", got)
	}
}
