package bot

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/frontdesk-app/frontdesk/shared/apperr"
	"github.com/frontdesk-app/frontdesk/shared/channel"
	"github.com/frontdesk-app/frontdesk/shared/conversation"
	"github.com/frontdesk-app/frontdesk/shared/faq"
	"github.com/frontdesk-app/frontdesk/shared/graph"
	"github.com/frontdesk-app/frontdesk/shared/graph/graphtest"
	"github.com/frontdesk-app/frontdesk/shared/memstore"
	"github.com/frontdesk-app/frontdesk/shared/retry"
)

const (
	phoneID = "106540352242922"
	waToken = "wa-test-token"
)

var t0 = time.Date(2026, 11, 28, 10, 0, 0, 0, time.UTC)

type brainFunc func(faq.Input) faq.Decision

func (f brainFunc) Decide(in faq.Input) faq.Decision { return f(in) }

func answerAll(text string) Brain {
	return brainFunc(func(faq.Input) faq.Decision {
		return faq.Decision{Action: faq.Answer, Locale: "en", Text: text, EntryID: "greeting"}
	})
}

// flakyStore fails the first n PutConversation calls, as a worker that dies after sending.
type flakyStore struct {
	*memstore.Store
	fail atomic.Int32
}

func (s *flakyStore) PutConversation(ctx context.Context, c *conversation.Conversation) error {
	if s.fail.Add(-1) >= 0 {
		return apperr.E("test", apperr.Transient, "throttled")
	}
	return s.Store.PutConversation(ctx, c)
}

type rig struct {
	bot   *Bot
	store *flakyStore
	graph *graphtest.Server
	now   time.Time
}

func newRig(t *testing.T, brain Brain) *rig {
	t.Helper()
	r := &rig{now: t0, graph: graphtest.New(t, graphtest.Accounts{WhatsApp: map[string]string{phoneID: waToken}})}
	ms := memstore.New()
	ms.Now = func() time.Time { return r.now }
	r.store = &flakyStore{Store: ms}
	g, err := graph.New(graph.Config{
		BaseURL: r.graph.URL(), Transport: &graph.Transport{HTTP: r.graph.Client(), Retry: retry.Policy{Sleep: func(context.Context, time.Duration) error { return nil }}}, Tokens: graph.Tokens{WhatsApp: waToken},
	})
	if err != nil {
		t.Fatal(err)
	}
	r.bot = &Bot{
		Conversations: r.store, Dedup: r.store, Sender: g, Brain: brain,
		Retention: 30 * 24 * time.Hour, DefaultLocale: "de",
		Logger: slog.New(slog.DiscardHandler), Now: func() time.Time { return r.now },
	}
	return r
}

func whatsappText(id, text string) channel.Inbound {
	return channel.Inbound{ID: id, Kind: channel.KindMessage, At: t0.Add(-time.Second), Text: text,
		Key: channel.Key{Surface: channel.WhatsApp, Account: phoneID, User: "491701234567"}}
}

func sqsEvent(t *testing.T, ins ...channel.Inbound) events.SQSEvent {
	t.Helper()
	var ev events.SQSEvent
	for i, in := range ins {
		body, err := json.Marshal(channel.Event{Inbound: &in})
		if err != nil {
			t.Fatal(err)
		}
		ev.Records = append(ev.Records, events.SQSMessage{MessageId: fmt.Sprintf("msg-%d", i), Body: string(body),
			Attributes: map[string]string{"MessageGroupId": in.Key.String(), "MessageDeduplicationId": in.ID}})
	}
	return ev
}

func failures(resp events.SQSEventResponse) []string {
	var ids []string
	for _, f := range resp.BatchItemFailures {
		ids = append(ids, f.ItemIdentifier)
	}
	return ids
}

func TestAnswersWhatsAppText(t *testing.T) {
	t.Parallel()
	r := newRig(t, answerAll("Hallo! Wie kann ich helfen?"))
	in := whatsappText("wamid.A1", "hallo")
	resp, err := r.bot.HandleSQS(context.Background(), sqsEvent(t, in))
	if err != nil || len(resp.BatchItemFailures) != 0 {
		t.Fatalf("HandleSQS = %v, %v; want no failures", failures(resp), err)
	}
	reqs := r.graph.Requests()
	if len(reqs) != 1 {
		t.Fatalf("graph requests = %d, want 1", len(reqs))
	}
	got := reqs[0]
	if got.Path != "/v25.0/"+phoneID+"/messages" || got.Token != waToken || got.JSON["to"] != "491701234567" {
		t.Errorf("send = %s %s token %q to %v", got.Method, got.Path, got.Token, got.JSON["to"])
	}
	if body := got.JSON["text"].(map[string]any)["body"]; body != "Hallo! Wie kann ich helfen?" {
		t.Errorf("text body = %v", body)
	}
	c, err := r.store.GetConversation(context.Background(), in.Key)
	if err != nil {
		t.Fatal(err)
	}
	if !c.LastInboundAt.Equal(in.At) || c.Locale != "en" || !c.HasProcessed(in.ID) || c.ExpiresAt.Unix() != t0.Add(30*24*time.Hour).Unix() {
		t.Errorf("conversation = %+v", c)
	}
}

func TestRedeliveryRepliesOnce(t *testing.T) {
	t.Parallel()
	r := newRig(t, answerAll("hi"))
	in := whatsappText("wamid.A2", "hello")
	for i := range 3 {
		if resp, _ := r.bot.HandleSQS(context.Background(), sqsEvent(t, in)); len(resp.BatchItemFailures) != 0 {
			t.Fatalf("delivery %d failed: %v", i, failures(resp))
		}
	}
	if n := len(r.graph.Requests()); n != 1 {
		t.Errorf("sends after 3 deliveries = %d, want 1", n)
	}
}

func TestCrashAfterSendRepliesOnce(t *testing.T) {
	t.Parallel()
	r := newRig(t, answerAll("hi"))
	r.store.fail.Store(1) // the first delivery's save fails, after the send
	in := whatsappText("wamid.A3", "hello")
	resp, _ := r.bot.HandleSQS(context.Background(), sqsEvent(t, in))
	if len(resp.BatchItemFailures) != 1 {
		t.Fatalf("first delivery failures = %v, want the message back on the queue", failures(resp))
	}
	resp, _ = r.bot.HandleSQS(context.Background(), sqsEvent(t, in))
	if len(resp.BatchItemFailures) != 0 {
		t.Fatalf("redelivery failures = %v, want none", failures(resp))
	}
	if n := len(r.graph.Requests()); n != 1 {
		t.Errorf("sends = %d, want exactly 1 across the crash", n)
	}
	if c, err := r.store.GetConversation(context.Background(), in.Key); err != nil || !c.HasProcessed(in.ID) {
		t.Errorf("conversation after redelivery = %+v, %v; want it saved with the event", c, err)
	}
}

func TestFIFOBatchStopsAtFirstFailure(t *testing.T) {
	t.Parallel()
	r := newRig(t, answerAll("hi"))
	ev := sqsEvent(t, whatsappText("wamid.B1", "one"), whatsappText("wamid.B2", "two"), whatsappText("wamid.B3", "three"))
	ev.Records[1].Body = "{not json"
	resp, err := r.bot.HandleSQS(context.Background(), ev)
	if err != nil {
		t.Fatal(err)
	}
	if got := failures(resp); len(got) != 2 || got[0] != "msg-1" || got[1] != "msg-2" {
		t.Errorf("failures = %v, want [msg-1 msg-2] (the bad record and everything after it)", got)
	}
	if n := len(r.graph.Requests()); n != 1 {
		t.Errorf("sends = %d, want 1 (only the record before the failure)", n)
	}
}

func TestGraphErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name         string
		fail         []graphtest.Failure
		wantFailures int
		wantRequests int
	}{
		{"5xx then success is retried by the client", []graphtest.Failure{graphtest.ServerError}, 0, 2},
		{"429 with Retry-After then success", []graphtest.Failure{graphtest.RateLimited("1")}, 0, 2},
		{"policy error is dropped, not retried", []graphtest.Failure{graphtest.WindowClosed}, 0, 1},
		{"persistent 5xx goes back to the queue", []graphtest.Failure{graphtest.ServerError, graphtest.ServerError, graphtest.ServerError, graphtest.ServerError}, 1, 4},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := newRig(t, answerAll("hi"))
			r.graph.FailNext(tt.fail...)
			resp, _ := r.bot.HandleSQS(context.Background(), sqsEvent(t, whatsappText("wamid.E", "hello")))
			if got := len(resp.BatchItemFailures); got != tt.wantFailures {
				t.Errorf("batch failures = %d, want %d", got, tt.wantFailures)
			}
			if got := len(r.graph.Requests()); got != tt.wantRequests {
				t.Errorf("graph requests = %d, want %d", got, tt.wantRequests)
			}
		})
	}
}
