package resilience_test

import (
	"context"
	"net/http"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/frontdesk-app/frontdesk/shared/bot"
	"github.com/frontdesk-app/frontdesk/shared/channel"
	"github.com/frontdesk-app/frontdesk/shared/graph/graphtest"
)

// slowGraph makes the Graph fake answer each request after 10 s once after sends went through
// (a Graph API that slows down in the middle of a batch).
type slowGraph struct {
	bot.Sender
	graph *graphtest.Server
	after atomic.Int32
	sends atomic.Int32
}

func (s *slowGraph) Send(ctx context.Context, key channel.Key, r channel.Reply) (string, error) {
	if s.sends.Add(1) > s.after.Load() {
		s.graph.SetDelay(10 * time.Second)
	}
	return s.Sender.Send(ctx, key, r)
}

// With a Graph API that answers after 10 s, the bot keeps to its function's timeout: the
// record whose send hangs is cut off before the deadline, the batch returns it and the records
// after it as failures in time, and the records before it are done and deleted. Nothing lands
// in the dead-letter queue early: once Graph answers again, every customer is answered once.
// (The function's timeout is 3 s here, its reserve 0.75 s, so the test takes seconds, not the
// 10 s the fake would wait: it stops waiting when the client gives up.)
func TestSlowGraphWithinTheTimeout(t *testing.T) {
	t.Parallel()
	const timeout = 3 * time.Second
	h := newHarness(t, func(o *options) { o.manual = true; o.timeout = timeout })
	h.stack.Bot.Reserve = 750 * time.Millisecond
	slow := &slowGraph{Sender: h.stack.Bot.Sender, graph: h.graph}
	slow.after.Store(1)
	h.stack.Bot.Sender = slow

	users := []string{customer(40), customer(41), customer(42)}
	for i, u := range users {
		if w := h.webhook(waText(u, wamid("budget", i), textAnswered, time.Now())); w.Code != http.StatusOK {
			t.Fatalf("webhook = %d %s", w.Code, w.Body)
		}
	}

	type invocation struct {
		records, failed []string // customers, in batch order
		took            time.Duration
	}
	var (
		mu   sync.Mutex
		invs []invocation
	)
	userOf := func(r events.SQSMessage) string {
		for _, u := range users {
			if strings.Contains(r.Body, u) {
				return u
			}
		}
		return r.MessageId
	}
	h.esm.handler = func(ctx context.Context, ev events.SQSEvent) (events.SQSEventResponse, error) {
		start := time.Now()
		resp, err := h.stack.Bot.HandleSQS(ctx, ev)
		inv := invocation{took: time.Since(start)}
		ids := map[string]string{}
		for _, r := range ev.Records {
			inv.records = append(inv.records, userOf(r))
			ids[r.MessageId] = userOf(r)
		}
		for _, f := range resp.BatchItemFailures {
			inv.failed = append(inv.failed, ids[f.ItemIdentifier])
		}
		mu.Lock()
		invs = append(invs, inv)
		mu.Unlock()
		return resp, err
	}

	// Invocations by hand until one meets the slow Graph API.
	for range 3 {
		h.esm.poll(t.Context())
		mu.Lock()
		n := len(invs)
		hit := n > 0 && len(invs[n-1].failed) > 0
		mu.Unlock()
		if hit {
			break
		}
	}
	mu.Lock()
	slowInv := invs[len(invs)-1]
	mu.Unlock()
	if len(slowInv.failed) == 0 {
		t.Fatalf("no invocation met the slow Graph API: %+v", invs)
	}
	t.Logf("the invocation with the slow send returned after %v of its %v timeout: batch %v, failed %v",
		slowInv.took.Round(time.Millisecond), timeout, slowInv.records, slowInv.failed)
	if slowInv.took >= timeout || h.esm.timedOut.Load() != 0 {
		t.Errorf("the invocation took %v (%d timed out), want it back before the %v timeout", slowInv.took, h.esm.timedOut.Load(), timeout)
	}
	// The failures are the record cut off and every record after it; the ones before are done.
	done := slowInv.records[:len(slowInv.records)-len(slowInv.failed)]
	if !slices.Equal(slowInv.failed, slowInv.records[len(done):]) {
		t.Errorf("failed %v, want a suffix of the batch %v", slowInv.failed, slowInv.records)
	}
	for _, u := range done {
		if got := len(h.out.delivered(u)); got != 1 {
			t.Errorf("customer %s before the slow send: %d answers, want 1", u, got)
		}
	}
	if dl := h.deadLetters(); len(dl) != 0 {
		t.Fatalf("dead letters after the slow invocation = %d, want none", len(dl))
	}

	// Graph answers again: the event source brings the records back and each customer is
	// answered once.
	h.graph.SetDelay(0)
	slow.after.Store(1 << 30)
	h.esm.start(h.opts.workers)
	h.settle()
	for _, u := range users {
		if got := len(h.out.delivered(u)); got != 1 {
			t.Errorf("customer %s: %d answers, want 1", u, got)
		}
	}
	if dl := h.deadLetters(); len(dl) != 0 {
		t.Errorf("dead letters = %d, want none", len(dl))
	}
	if n := h.esm.timedOut.Load(); n != 0 {
		t.Errorf("%d invocations timed out, want none", n)
	}
}
