package resilience_test

import (
	"encoding/json"
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/frontdesk-app/frontdesk/shared/channel"
	"github.com/frontdesk-app/frontdesk/shared/consent"
	"github.com/frontdesk-app/frontdesk/shared/conversation"
	"github.com/frontdesk-app/frontdesk/shared/graph/graphtest"
)

// Under faults of every dependency, each customer message is answered or
// escalated exactly once in the end, or lands in the dead-letter queue; nothing disappears.

func TestGraphFaults(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		failures []graphtest.Failure
		// minAttempts is the fewest Graph calls the answer takes.
		minAttempts int
	}{
		// The Graph client retries 5xx itself (3 retries with backoff).
		{"5xx retried by the client", []graphtest.Failure{graphtest.ServerError, graphtest.Unavailable}, 3},
		// Four 5xx exhaust the client's retries: the record fails and SQS redelivers it.
		{"5xx beyond the client's retries", []graphtest.Failure{graphtest.ServerError, graphtest.ServerError, graphtest.Unavailable, graphtest.ServerError}, 5},
		// 429 with a short Retry-After: the client waits and sends again.
		{"429 Retry-After 1s", []graphtest.Failure{graphtest.RateLimited("1")}, 2},
		// 429 with a Retry-After beyond the client's patience: SQS redelivers later.
		{"429 Retry-After 60s", []graphtest.Failure{graphtest.RateLimited("60")}, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t, func(o *options) { o.visibility = 5 })
			user := customer(10)
			h.graph.FailNext(tt.failures...)
			if w := h.webhook(waText(user, wamid("graph", 1), textAnswered, time.Now())); w.Code != http.StatusOK {
				t.Fatalf("webhook = %d %s", w.Code, w.Body)
			}
			h.settle()
			if got := len(h.out.delivered(user)); got != 1 {
				t.Errorf("messages to the customer = %d, want 1", got)
			}
			if got := len(h.out.attempts(user)); got < tt.minAttempts {
				t.Errorf("Graph calls = %d, want at least %d (the failures were not all injected)", got, tt.minAttempts)
			}
			if dl := h.deadLetters(); len(dl) != 0 {
				t.Errorf("dead letters = %d, want none", len(dl))
			}
		})
	}
}

func TestSlackRateLimitedEscalation(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		retryAfter int
	}{
		{"Retry-After 1s: the client waits", 1},
		{"Retry-After 60s: SQS redelivers", 60},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t)
			user := customer(11)
			h.slack.RateLimitNext("chat.postMessage", tt.retryAfter)
			if w := h.webhook(waText(user, wamid("slack429", 1), textHuman, time.Now())); w.Code != http.StatusOK {
				t.Fatalf("webhook = %d %s", w.Code, w.Body)
			}
			h.settle()
			if got := len(h.out.delivered(user)); got != 1 {
				t.Errorf("messages to the customer = %d, want 1 (the hand-over note)", got)
			}
			if got := len(h.slack.CallsTo("chat.postMessage")); got != 2 {
				t.Errorf("accepted chat.postMessage calls = %d, want 2 (card and its details)", got)
			}
			if n := len(h.slack.Calls()) - len(h.slack.CallsTo("chat.postMessage")); n != 1 {
				t.Errorf("rejected Slack calls = %d, want the 1 injected", n)
			}
			c := h.conversation(waKey(user))
			if c.Status != conversation.Escalated || c.ThreadTS == "" {
				t.Errorf("conversation status %s thread %q, want escalated with a thread", c.Status, c.ThreadTS)
			}
		})
	}
}

// TestDynamoDBFaults fails each DynamoDB request of an answer, once within the SDK's retries
// and then beyond them (three attempts in a row).
func TestDynamoDBFaults(t *testing.T) {
	t.Parallel()
	conv := "CONV#"
	tests := []struct {
		name  string
		fault fault
	}{
		// The conversation's read and its processing lease are one UpdateItem (BeginEvent).
		{"conversation lease throttled, retried by the SDK", fault{op: "DynamoDB.UpdateItem", match: onItem(conv), times: 2, err: throttling}},
		{"conversation lease throttled beyond the SDK's retries", fault{op: "DynamoDB.UpdateItem", match: onItem(conv), times: 3, err: throughputExceeded}},
		{"conversation save throttled beyond the SDK's retries", fault{op: "DynamoDB.PutItem", match: onItem(conv), times: 3, err: throughputExceeded}},
		{"conversation save loses a conditional write", fault{op: "DynamoDB.PutItem", match: onItem(conv), times: 1, err: conditionalCheckFailed}},
		{"conversation lease refused twice (another worker holds it)", fault{op: "DynamoDB.UpdateItem", match: onItem(conv), times: 2, err: conditionalCheckFailed}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t)
			user := customer(12)
			f := h.tap.inject(&tt.fault)
			if w := h.webhook(waText(user, wamid("ddb", 1), textAnswered, time.Now())); w.Code != http.StatusOK {
				t.Fatalf("webhook = %d %s", w.Code, w.Body)
			}
			h.settle()
			if got, want := h.tap.firedCount(f), tt.fault.times; got != want {
				t.Fatalf("fault fired %d times, want %d", got, want)
			}
			if got := len(h.out.delivered(user)); got != 1 {
				t.Errorf("messages to the customer = %d, want 1", got)
			}
			if c := h.conversation(waKey(user)); !c.HasProcessed(wamid("ddb", 1)) {
				t.Errorf("the event was not recorded: %v", c.Processed)
			}
			if dl := h.deadLetters(); len(dl) != 0 {
				t.Errorf("dead letters = %d, want none", len(dl))
			}
		})
	}
}

// TestEnqueueFails answers 5xx while the queue refuses a message, so Meta retries; the retry
// is answered once. The second case fails the second of two messages of one webhook: the
// first is queued again by the retry and still answered once.
func TestEnqueueFails(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		fault fault
		msgs  int
	}{
		{"SQS internal error", fault{op: "SQS.SendMessage", times: 1, err: sqsUnavailable}, 1},
		{"SQS throttling beyond the SDK's retries", fault{op: "SQS.SendMessage", times: 3, err: throttling}, 1},
		{"second message of a webhook", fault{op: "SQS.SendMessage", skip: 1, times: 1, err: sqsUnavailable}, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t, func(o *options) { o.manual = true })
			user := customer(13)
			msgs := [][2]string{{wamid("enq", 1), textAnswered}, {wamid("enq", 2), textAnswered2}}[:tt.msgs]
			body := waTexts(user, time.Now(), msgs...)
			h.tap.inject(&tt.fault)

			w := h.webhook(body)
			if w.Code != http.StatusServiceUnavailable {
				t.Fatalf("webhook with a failing queue = %d %s, want 503", w.Code, w.Body)
			}
			var e struct{ Error, Kind string }
			if err := json.Unmarshal(w.Body.Bytes(), &e); err != nil || e.Error == "" {
				t.Errorf("503 body = %s, want a JSON error", w.Body)
			}
			if got, want := h.queued(h.queueURL), tt.msgs-1; got != want {
				t.Errorf("queued after the failed delivery = %d, want %d", got, want)
			}

			if w := h.webhook(body); w.Code != http.StatusOK {
				t.Fatalf("Meta's retry = %d %s, want 200", w.Code, w.Body)
			}
			h.esm.start(2)
			h.settle()
			if got := len(h.out.delivered(user)); got != tt.msgs {
				t.Errorf("messages to the customer = %d, want %d (one per message)", got, tt.msgs)
			}
		})
	}
}

// TestPartialBatchFailure fails one conversation's record in a batch of two conversations:
// that record and every later one are reported failed (FIFO order), redelivered, and each
// message is answered once, in order.
func TestPartialBatchFailure(t *testing.T) {
	t.Parallel()
	h := newHarness(t, func(o *options) { o.manual = true; o.workers = 1 })
	a, b := customer(14), customer(15)
	now := time.Now()
	h.enqueue(inboundText(a, wamid("a", 1), textAnswered, now), wamid("a", 1))
	h.enqueue(inboundText(b, wamid("b", 1), textAnswered, now), wamid("b", 1))
	h.enqueue(inboundText(a, wamid("a", 2), textAnswered2, now.Add(time.Second)), wamid("a", 2))
	f := h.tap.inject(&fault{op: "DynamoDB.UpdateItem", match: onItem("CONV#" + waKey(b).String()), times: 3, err: throttling})
	h.esm.start(1)
	h.settle()

	if got := h.tap.firedCount(f); got != 3 {
		t.Fatalf("fault fired %d times, want 3", got)
	}
	if got := len(h.out.delivered(a)); got != 2 {
		t.Errorf("messages to customer a = %d, want 2", got)
	}
	if got := len(h.out.delivered(b)); got != 1 {
		t.Errorf("messages to customer b = %d, want 1", got)
	}
	var inOrder conversation.Conversation // Processed holds hashed ids, in the order applied
	inOrder.MarkProcessed(wamid("a", 1))
	inOrder.MarkProcessed(wamid("a", 2))
	if got, want := h.conversation(waKey(a)).Processed, inOrder.Processed; !slices.Equal(got, want) {
		t.Errorf("customer a's events applied in order %v, want %v", got, want)
	}
	if h.esm.invocations.Load() < 2 {
		t.Errorf("invocations = %d, want the failed records redelivered", h.esm.invocations.Load())
	}
}

// TestDeadLetter: an event that can never succeed lands in the dead-letter queue after
// maxReceiveCount deliveries, where the DeadLetterAlarm of template.yaml fires
// (TestTemplateAlarms); nothing is sent, nothing is lost.
func TestDeadLetter(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		setup func(h *harness)
		ev    func(user string) channel.Event
	}{
		{
			// A revoked token is a configuration error: retried until someone fixes it.
			name:  "Graph token revoked",
			setup: func(h *harness) { h.graph.FailNext(slices.Repeat([]graphtest.Failure{graphtest.TokenInvalid}, 20)...) },
			ev:    func(user string) channel.Event { return inboundText(user, wamid("dlq", 1), textAnswered, time.Now()) },
		},
		{
			name:  "DynamoDB unavailable",
			setup: func(h *harness) { h.tap.inject(&fault{op: "DynamoDB.UpdateItem", times: -1, err: throttling}) },
			ev:    func(user string) channel.Event { return inboundText(user, wamid("dlq", 2), textAnswered, time.Now()) },
		},
		{
			name:  "event with neither part",
			setup: func(*harness) {},
			ev:    func(string) channel.Event { return channel.Event{} },
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t, func(o *options) { o.visibility = 1; o.maxReceive = 3 })
			user := customer(16)
			tt.setup(h)
			ev := tt.ev(user)
			if ev.Inbound != nil {
				h.enqueue(ev, ev.ID())
			} else {
				h.enqueueRaw(waKey(user).String(), "empty-event", `{}`)
			}
			h.settle()
			dl := h.deadLetters()
			if len(dl) != 1 || dl[0].ID() != ev.ID() {
				t.Fatalf("dead letters = %+v, want the one event", dl)
			}
			if got := len(h.out.delivered(user)); got != 0 {
				t.Errorf("messages to the customer = %d, want 0", got)
			}
		})
	}
}

// TestAgentReplyRetried delivers one agent reply three times (Slack retries an event it did not
// get a 200 for within 3 s): the customer gets it once.
func TestAgentReplyRetried(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	user := customer(17)
	if w := h.webhook(waText(user, wamid("agent", 1), textHuman, time.Now())); w.Code != http.StatusOK {
		t.Fatalf("webhook = %d %s", w.Code, w.Body)
	}
	h.settle()
	c := h.conversation(waKey(user))
	if c.ThreadTS == "" {
		t.Fatalf("conversation not escalated: %+v", c)
	}
	reply := channel.Event{Agent: &channel.AgentEvent{
		ID: "Ev0RETRIED01", Action: channel.ActionReply, Key: c.Key, Channel: c.SlackChannel, ThreadTS: c.ThreadTS,
		MessageTS: "1767225700.000100", User: "U0AGENT01", Text: "Hallo, ich kümmere mich darum.", At: time.Now().UTC(),
	}}
	for i := range 3 {
		// Distinct deduplication ids: the retries come after SQS's deduplication interval.
		h.enqueue(reply, reply.ID()+"#"+string(rune('0'+i)))
	}
	h.settle()
	if got := len(h.out.delivered(user)); got != 2 {
		t.Errorf("messages to the customer = %d, want 2 (hand-over note and the agent's reply)", got)
	}
	// Card and details, and once the line that the reply claimed it (with the card redrawn once):
	// the retries post nothing more.
	if got := len(h.slack.CallsTo("chat.postMessage")); got != 3 {
		t.Errorf("Slack posts = %d, want 3 (card, details, one claim line)", got)
	}
	if got := len(h.slack.CallsTo("chat.update")); got != 1 {
		t.Errorf("card redraws = %d, want 1", got)
	}
	if c := h.conversation(waKey(user)); c.Status != conversation.Claimed || !c.HasProcessed(reply.ID()) {
		t.Errorf("conversation = %s processed %v, want claimed with the reply applied", c.Status, c.Processed)
	}
}

// TestConsentTransactionFaults fails the consent ledger's TransactWriteItems (record and
// history in one transaction) while a customer opts out by keyword: the opt-out is recorded
// once and the customer gets one confirmation.
func TestConsentTransactionFaults(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		fault fault
	}{
		{"transaction conflict", fault{op: "DynamoDB.TransactWriteItems", times: 1, err: transactionCanceled("None", "TransactionConflict")}},
		{"transaction throttled", fault{op: "DynamoDB.TransactWriteItems", times: 1, err: transactionCanceled("ThrottlingError", "None")}},
		{"transaction throttled beyond the SDK's retries", fault{op: "DynamoDB.TransactWriteItems", times: 3, err: throttling}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t)
			user := customer(18)
			f := h.tap.inject(&tt.fault)
			h.mustWebhook(waText(user, wamid("optout", 1), textOptOut, time.Now()))
			h.settle()
			if got := h.tap.firedCount(f); got != tt.fault.times {
				t.Fatalf("fault fired %d times, want %d", got, tt.fault.times)
			}
			if got := len(h.out.delivered(user)); got != 1 {
				t.Errorf("messages to the customer = %d, want 1 (the confirmation)", got)
			}
			subjects, err := consent.NewSubjects([]byte(pepper))
			if err != nil {
				t.Fatal(err)
			}
			subject := subjects.ID(channel.WhatsApp, user)
			rec, err := h.store.GetConsent(t.Context(), subject)
			if err != nil || rec.State != consent.Denied {
				t.Errorf("consent record = %+v, %v; want denied", rec, err)
			}
			if hist, err := h.store.ConsentHistory(t.Context(), subject); err != nil || len(hist) != 1 {
				t.Errorf("consent history = %d entries, %v; want 1", len(hist), err)
			}
		})
	}
}
