package resilience_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/frontdesk-app/frontdesk/shared/metrics"
)

// The stack records the business metrics of shared/metrics for what happens
// to customers' messages, once per event.
func TestMetricsRecorded(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	user := customer(50)
	now := time.Now()
	steps := []struct {
		name string
		do   func()
		want map[string]int
	}{
		{"answered", func() { h.mustWebhook(waText(user, wamid("metrics", 1), textAnswered, now)) },
			map[string]int{metrics.MessagesIn: 1, metrics.Answered: 1}},
		{"asked back", func() { h.mustWebhook(waText(user, wamid("metrics", 2), "asdf qwer zxcv", now.Add(time.Second))) },
			map[string]int{metrics.MessagesIn: 1, metrics.AskedBack: 1}},
		{"escalated", func() { h.mustWebhook(waText(user, wamid("metrics", 3), textHuman, now.Add(2*time.Second))) },
			map[string]int{metrics.MessagesIn: 1, metrics.Escalated: 1}},
		{"claimed by an agent's reply", func() {
			c := h.conversation(waKey(user))
			if w := h.serve(h.slackRequest("/slack/events", "application/json", threadReplyEvent("Ev0METRICS01", c.ThreadTS, "Hallo!", time.Now()))); w.Code != http.StatusOK {
				t.Fatalf("slack event = %d %s", w.Code, w.Body)
			}
		}, map[string]int{metrics.TimeToClaim: 1, metrics.AgentReplies: 1}},
		{"delivery failed", func() { h.mustWebhook(metaFixture(t, "whatsapp_status_failed.json")) },
			map[string]int{metrics.DeliveriesFailed: 1}},
	}
	names := []string{metrics.MessagesIn, metrics.Answered, metrics.AskedBack, metrics.Escalated, metrics.TimeToClaim,
		metrics.AgentReplies, metrics.DeliveriesFailed}
	for _, s := range steps {
		before := map[string]int{}
		for _, n := range names {
			before[n] = h.metrics.get(n)
		}
		s.do()
		h.settle()
		for _, n := range names {
			if got := h.metrics.get(n) - before[n]; got != s.want[n] {
				t.Errorf("%s: %s recorded %d times, want %d", s.name, n, got, s.want[n])
			}
		}
	}
}

// mustWebhook posts a signed webhook and fails the test unless it is answered 200.
func (h *harness) mustWebhook(body []byte) {
	h.t.Helper()
	if w := h.webhook(body); w.Code != http.StatusOK {
		h.t.Fatalf("webhook = %d %s", w.Code, w.Body)
	}
}
