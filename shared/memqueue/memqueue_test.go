package memqueue_test

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/google/go-cmp/cmp"

	"github.com/frontdesk-app/frontdesk/shared/apperr"
	"github.com/frontdesk-app/frontdesk/shared/memqueue"
	"github.com/frontdesk-app/frontdesk/shared/queue"
	"github.com/frontdesk-app/frontdesk/shared/storetest"
)

// recorder is a consumer that records every delivery and answers with decide.
type recorder struct {
	mu         sync.Mutex
	deliveries [][]events.SQSMessage
	inFlight   map[string]int // per group
	overlap    bool           // two batches of one group were in flight at once
	decide     func(ev events.SQSEvent, n int) (events.SQSEventResponse, error)

	// A message with body "gate" is held until open is closed, so that the messages sent
	// meanwhile queue up behind it and form the next batch.
	held chan struct{}
	open chan struct{}
}

func newRecorder(decide func(ev events.SQSEvent, n int) (events.SQSEventResponse, error)) *recorder {
	return &recorder{inFlight: map[string]int{}, decide: decide, held: make(chan struct{}), open: make(chan struct{})}
}

// gate sends a "gate" message to the group and returns once the consumer holds it; closing
// r.open releases it.
func (r *recorder) gate(t *testing.T, q *memqueue.Queue, group string) {
	t.Helper()
	send(t, q, group, "gate", "gate")
	<-r.held
}

func (r *recorder) consume(_ context.Context, ev events.SQSEvent) (events.SQSEventResponse, error) {
	g := ev.Records[0].Attributes["MessageGroupId"]
	r.mu.Lock()
	r.inFlight[g]++
	if r.inFlight[g] > 1 {
		r.overlap = true
	}
	r.deliveries = append(r.deliveries, ev.Records)
	n := len(r.deliveries)
	r.mu.Unlock()
	defer func() {
		r.mu.Lock()
		r.inFlight[g]--
		r.mu.Unlock()
	}()
	if ev.Records[0].Body == "gate" {
		close(r.held)
		<-r.open
		return events.SQSEventResponse{}, nil
	}
	if r.decide == nil {
		return events.SQSEventResponse{}, nil
	}
	return r.decide(ev, n)
}

// bodies returns the bodies of every delivery, in delivery order.
func (r *recorder) bodies() [][]string {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := [][]string{}
	for _, d := range r.deliveries {
		var b []string
		for _, m := range d {
			b = append(b, m.Body)
		}
		out = append(out, b)
	}
	return out
}

func newQueue(t *testing.T, c memqueue.Consumer, opts ...memqueue.Option) *memqueue.Queue {
	t.Helper()
	q := memqueue.New(c, append([]memqueue.Option{memqueue.WithBackoff(time.Millisecond)}, opts...)...)
	t.Cleanup(func() { _ = q.Close() })
	return q
}

func send(t *testing.T, q *memqueue.Queue, group, dedupID, body string) {
	t.Helper()
	if err := q.Send(context.Background(), queue.Message{GroupID: group, DeduplicationID: dedupID, Body: []byte(body)}); err != nil {
		t.Fatalf("Send: %v", err)
	}
}

// wait waits for the queue to be idle; the deadline only turns a hang into a failure.
func wait(t *testing.T, q *memqueue.Queue) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	if err := q.Wait(ctx); err != nil {
		t.Fatalf("Wait: %v", err)
	}
}

func fail(ids ...string) events.SQSEventResponse {
	var r events.SQSEventResponse
	for _, id := range ids {
		r.BatchItemFailures = append(r.BatchItemFailures, events.SQSBatchItemFailure{ItemIdentifier: id})
	}
	return r
}

func TestOrderPerGroup(t *testing.T) {
	t.Parallel()
	r := newRecorder(func(events.SQSEvent, int) (events.SQSEventResponse, error) {
		time.Sleep(time.Millisecond) // widen the window in which a second batch could start
		return events.SQSEventResponse{}, nil
	})
	q := newQueue(t, r.consume, memqueue.WithBatchSize(3))
	groups := []string{"whatsapp#1#a", "messenger#2#b", "instagram#3#c"}
	for i := range 20 {
		for _, g := range groups {
			send(t, q, g, g+"/"+strconv.Itoa(i), strconv.Itoa(i))
		}
	}
	wait(t, q)

	got := map[string][]string{}
	r.mu.Lock()
	for _, d := range r.deliveries {
		if len(d) > 3 {
			t.Errorf("batch of %d, want at most 3", len(d))
		}
		for _, m := range d {
			g := m.Attributes["MessageGroupId"]
			if other := d[0].Attributes["MessageGroupId"]; g != other {
				t.Errorf("batch mixes groups %q and %q", g, other)
			}
			got[g] = append(got[g], m.Body)
		}
	}
	overlap := r.overlap
	r.mu.Unlock()
	if overlap {
		t.Error("two batches of one group were in flight at once")
	}
	var want []string
	for i := range 20 {
		want = append(want, strconv.Itoa(i))
	}
	for _, g := range groups {
		if diff := cmp.Diff(want, got[g]); diff != "" {
			t.Errorf("group %s order (-want +got):\n%s", g, diff)
		}
	}
}

func TestGroupsInParallel(t *testing.T) {
	t.Parallel()
	bDelivered := make(chan struct{})
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	q := newQueue(t, func(_ context.Context, ev events.SQSEvent) (events.SQSEventResponse, error) {
		switch ev.Records[0].Body {
		case "a":
			// Group a's batch stays in flight until group b's is delivered.
			select {
			case <-bDelivered:
			case <-ctx.Done():
				return events.SQSEventResponse{}, errors.New("group b was not delivered while group a was in flight")
			}
		case "b":
			close(bDelivered)
		}
		return events.SQSEventResponse{}, nil
	}, memqueue.WithMaxReceives(1))
	send(t, q, "group-a", "1", "a")
	send(t, q, "group-b", "2", "b")
	wait(t, q)
	if dead := q.DeadLetters(); len(dead) != 0 {
		t.Errorf("dead letters = %+v, want none", dead)
	}
}

func TestDeduplicationWindow(t *testing.T) {
	t.Parallel()
	clk := storetest.NewClock(time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC))
	r := newRecorder(nil)
	q := newQueue(t, r.consume, memqueue.WithClock(clk.Now))
	steps := []struct {
		advance time.Duration
		dedupID string
		body    string
	}{
		{0, "wamid.1", "first"},
		{time.Second, "wamid.1", "retry within a second"},
		{0, "wamid.2", "other id"},
		{5*time.Minute - 2*time.Second, "wamid.1", "retry just inside the window"},
		{time.Second, "wamid.1", "retry at the window's end"},
		{0, "wamid.1", "retry of the retry"},
	}
	for _, s := range steps {
		clk.Advance(s.advance)
		send(t, q, "whatsapp#1#a", s.dedupID, s.body)
		wait(t, q)
	}
	want := [][]string{{"first"}, {"other id"}, {"retry at the window's end"}}
	if diff := cmp.Diff(want, r.bodies()); diff != "" {
		t.Errorf("deliveries (-want +got):\n%s", diff)
	}
}

func TestItemFailuresRedelivered(t *testing.T) {
	t.Parallel()
	r := newRecorder(func(ev events.SQSEvent, _ int) (events.SQSEventResponse, error) {
		// "b" fails on its first two receives; as FIFO consumers must, the items after a
		// failure are reported failed too.
		for i, m := range ev.Records {
			if m.Body == "b" && m.Attributes["ApproximateReceiveCount"] != "3" {
				var ids []string
				for _, rest := range ev.Records[i:] {
					ids = append(ids, rest.MessageId)
				}
				return fail(ids...), nil
			}
		}
		return events.SQSEventResponse{}, nil
	})
	q := newQueue(t, r.consume)
	r.gate(t, q, "whatsapp#1#a")
	for _, b := range []string{"a", "b", "c"} {
		send(t, q, "whatsapp#1#a", b, b)
	}
	close(r.open)
	wait(t, q)

	want := [][]string{{"gate"}, {"a", "b", "c"}, {"b", "c"}, {"b", "c"}}
	if diff := cmp.Diff(want, r.bodies()); diff != "" {
		t.Errorf("deliveries (-want +got):\n%s", diff)
	}
	var counts []string
	r.mu.Lock()
	for _, d := range r.deliveries[1:] {
		counts = append(counts, d[len(d)-1].Attributes["ApproximateReceiveCount"])
	}
	r.mu.Unlock()
	if diff := cmp.Diff([]string{"1", "2", "3"}, counts); diff != "" {
		t.Errorf("receive counts of c (-want +got):\n%s", diff)
	}
	if dead := q.DeadLetters(); len(dead) != 0 {
		t.Errorf("dead letters = %+v, want none", dead)
	}
}

func TestWholeBatchFailures(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		answer func(ev events.SQSEvent) (events.SQSEventResponse, error)
	}{
		{"error", func(events.SQSEvent) (events.SQSEventResponse, error) {
			return events.SQSEventResponse{}, errors.New("table unavailable")
		}},
		{"unknown item", func(events.SQSEvent) (events.SQSEventResponse, error) { return fail("not-a-message-id"), nil }},
		{"empty item", func(events.SQSEvent) (events.SQSEventResponse, error) { return fail(""), nil }},
		{"panic", func(events.SQSEvent) (events.SQSEventResponse, error) { panic("nil map") }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := newRecorder(func(ev events.SQSEvent, n int) (events.SQSEventResponse, error) {
				if n == 2 { // the first batch after the gate
					return tt.answer(ev)
				}
				return events.SQSEventResponse{}, nil
			})
			q := newQueue(t, r.consume)
			r.gate(t, q, "g")
			send(t, q, "g", "1", "one")
			send(t, q, "g", "2", "two")
			close(r.open)
			wait(t, q)
			want := [][]string{{"gate"}, {"one", "two"}, {"one", "two"}}
			if diff := cmp.Diff(want, r.bodies()); diff != "" {
				t.Errorf("deliveries (-want +got):\n%s", diff)
			}
		})
	}
}

func TestDeadLetter(t *testing.T) {
	t.Parallel()
	r := newRecorder(func(ev events.SQSEvent, _ int) (events.SQSEventResponse, error) {
		if ev.Records[0].Body == "poison" {
			return fail(ev.Records[0].MessageId), nil
		}
		return events.SQSEventResponse{}, nil
	})
	q := newQueue(t, r.consume, memqueue.WithMaxReceives(3), memqueue.WithBatchSize(1))
	send(t, q, "whatsapp#1#a", "wamid.poison", "poison")
	send(t, q, "whatsapp#1#a", "wamid.next", "next")
	wait(t, q)

	want := [][]string{{"poison"}, {"poison"}, {"poison"}, {"next"}}
	if diff := cmp.Diff(want, r.bodies()); diff != "" {
		t.Errorf("deliveries (-want +got):\n%s", diff)
	}
	dead := q.DeadLetters()
	if len(dead) != 1 {
		t.Fatalf("dead letters = %d, want 1", len(dead))
	}
	wantDead := memqueue.DeadLetter{
		MessageID: dead[0].MessageID,
		Message:   queue.Message{GroupID: "whatsapp#1#a", DeduplicationID: "wamid.poison", Body: []byte("poison")},
		Receives:  3,
	}
	if diff := cmp.Diff(wantDead, dead[0]); diff != "" || dead[0].MessageID == "" {
		t.Errorf("dead letter (-want +got):\n%s", diff)
	}
	dead[0].Message.Body[0] = 'X'
	if got := string(q.DeadLetters()[0].Message.Body); got != "poison" {
		t.Errorf("dead letter body after changing a copy = %q, want %q", got, "poison")
	}
}

func TestRecord(t *testing.T) {
	t.Parallel()
	sent := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	got := make(chan events.SQSMessage, 1)
	q := newQueue(t, func(_ context.Context, ev events.SQSEvent) (events.SQSEventResponse, error) {
		got <- ev.Records[0]
		return events.SQSEventResponse{}, nil
	}, memqueue.WithClock(func() time.Time { return sent }))
	body := []byte(`{"inbound":{"id":"wamid.1"}}`)
	if err := q.Send(context.Background(), queue.Message{GroupID: "whatsapp#1#a", DeduplicationID: "wamid.1", Body: body}); err != nil {
		t.Fatalf("Send: %v", err)
	}
	body[0] = 'X' // the queue keeps its own copy
	wait(t, q)
	m := <-got
	want := events.SQSMessage{
		MessageId:     m.MessageId,
		ReceiptHandle: m.ReceiptHandle,
		Body:          `{"inbound":{"id":"wamid.1"}}`,
		Md5OfBody:     "a8550b532fbf10c50a1116f577463019",
		Attributes: map[string]string{
			"ApproximateReceiveCount":          "1",
			"SentTimestamp":                    strconv.FormatInt(sent.UnixMilli(), 10),
			"ApproximateFirstReceiveTimestamp": strconv.FormatInt(sent.UnixMilli(), 10),
			"SenderId":                         "frontdesk-local",
			"MessageGroupId":                   "whatsapp#1#a",
			"MessageDeduplicationId":           "wamid.1",
			"SequenceNumber":                   fmt.Sprintf("%020d", 1),
		},
		EventSource:    "aws:sqs",
		EventSourceARN: memqueue.QueueARN,
		AWSRegion:      "us-east-1",
	}
	if diff := cmp.Diff(want, m); diff != "" {
		t.Errorf("record (-want +got):\n%s", diff)
	}
	if len(m.MessageId) != 36 || m.ReceiptHandle == "" {
		t.Errorf("MessageId = %q, ReceiptHandle = %q: want a UUID and a handle", m.MessageId, m.ReceiptHandle)
	}
}

func TestSendInvalid(t *testing.T) {
	t.Parallel()
	q := newQueue(t, newRecorder(nil).consume)
	for _, m := range []queue.Message{
		{DeduplicationID: "d", Body: []byte("{}")},
		{GroupID: "g", Body: []byte("{}")},
	} {
		if err := q.Send(context.Background(), m); !apperr.Is(err, apperr.Invalid) {
			t.Errorf("Send(%+v) error = %v, want invalid", m, err)
		}
	}
}

func TestWaitHonoursContext(t *testing.T) {
	t.Parallel()
	release := make(chan struct{})
	q := newQueue(t, func(ctx context.Context, _ events.SQSEvent) (events.SQSEventResponse, error) {
		<-release
		return events.SQSEventResponse{}, nil
	})
	send(t, q, "g", "1", "x")
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if err := q.Wait(ctx); !errors.Is(err, context.Canceled) {
		t.Errorf("Wait with a canceled context = %v, want context.Canceled", err)
	}
	close(release)
	wait(t, q)
}

func TestClose(t *testing.T) {
	t.Parallel()
	started := make(chan struct{})
	q := memqueue.New(func(ctx context.Context, _ events.SQSEvent) (events.SQSEventResponse, error) {
		close(started)
		<-ctx.Done() // Close cancels the batch in flight
		return events.SQSEventResponse{}, ctx.Err()
	})
	send(t, q, "g", "1", "in flight")
	send(t, q, "g", "2", "never delivered")
	<-started
	if err := q.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if err := q.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
	if err := q.Send(context.Background(), queue.Message{GroupID: "g", DeduplicationID: "3", Body: []byte("x")}); !apperr.Is(err, apperr.Transient) {
		t.Errorf("Send after Close error = %v, want transient", err)
	}
	if err := q.Wait(t.Context()); err == nil {
		t.Error("Wait after Close with messages left = nil, want an error")
	}
}
