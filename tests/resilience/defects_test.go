//go:build resilience_defects

package resilience_test

// Known defects, each a test of what issue #8 asks that fails on the current code. They are
// behind the build tag resilience_defects so the suite stays green until they are fixed:
//
//	go test -tags resilience_defects -run Defect ./tests/resilience/
//
// Move a test to guarantees_test.go (drop "Defect" from its name) with the fix that makes it
// pass.

import (
	"context"
	"net/http"
	"testing"
	"time"
)

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
