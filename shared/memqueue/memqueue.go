package memqueue

import (
	"context"
	"crypto/md5"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"strconv"
	"sync"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/frontdesk-app/frontdesk/shared/apperr"
	"github.com/frontdesk-app/frontdesk/shared/queue"
)

// Consumer processes a batch of messages, like a Lambda handler of an SQS event source with
// ReportBatchItemFailures.
type Consumer func(ctx context.Context, ev events.SQSEvent) (events.SQSEventResponse, error)

// Defaults.
const (
	DefaultMaxReceives = 5
	DefaultBatchSize   = 10 // the SQS event source's default for FIFO queues
	DefaultBackoff     = 200 * time.Millisecond
	// DedupWindow is SQS FIFO's deduplication interval.
	DedupWindow = 5 * time.Minute
	// QueueARN is the event source ARN the records carry.
	QueueARN = "arn:aws:sqs:us-east-1:000000000000:frontdesk-local.fifo"
)

// DeadLetter is a message that was delivered MaxReceives times without success.
type DeadLetter struct {
	MessageID string
	Message   queue.Message
	Receives  int
}

// Option configures a Queue.
type Option func(*Queue)

// WithClock sets the clock of the deduplication window and the record timestamps.
func WithClock(now func() time.Time) Option { return func(q *Queue) { q.now = now } }

// WithMaxReceives sets how often a message is delivered before it is dead-lettered.
func WithMaxReceives(n int) Option { return func(q *Queue) { q.maxReceives = max(n, 1) } }

// WithBatchSize sets the most messages of one group per batch.
func WithBatchSize(n int) Option { return func(q *Queue) { q.batchSize = max(n, 1) } }

// WithBackoff sets how long a group waits before a failed message is delivered again.
func WithBackoff(d time.Duration) Option { return func(q *Queue) { q.backoff = d } }

// WithLogger sets the logger of failed deliveries (ids and receive counts, no bodies).
func WithLogger(l *slog.Logger) Option { return func(q *Queue) { q.log = l } }

// Queue is the in-process FIFO queue. It is safe for concurrent use.
type Queue struct {
	consumer    Consumer
	now         func() time.Time
	maxReceives int
	batchSize   int
	backoff     time.Duration
	log         *slog.Logger

	ctx    context.Context // canceled by Close
	cancel context.CancelFunc
	wg     sync.WaitGroup

	mu     sync.Mutex
	closed bool
	groups map[string]*group    // groups with queued messages or a running worker
	seen   map[string]time.Time // deduplication id -> when it was accepted
	dead   []DeadLetter
	busy   int           // messages queued or in flight
	idle   chan struct{} // closed while busy == 0
	seq    int64
}

type group struct {
	msgs    []*message
	running bool
}

type message struct {
	id       string
	msg      queue.Message
	seq      int64
	sentAt   time.Time
	firstAt  time.Time
	receives int
}

var _ queue.Sender = (*Queue)(nil)

// New returns a queue that delivers to consumer until Close.
func New(consumer Consumer, opts ...Option) *Queue {
	ctx, cancel := context.WithCancel(context.Background())
	q := &Queue{
		consumer:    consumer,
		now:         time.Now,
		maxReceives: DefaultMaxReceives,
		batchSize:   DefaultBatchSize,
		backoff:     DefaultBackoff,
		log:         slog.New(slog.DiscardHandler),
		ctx:         ctx,
		cancel:      cancel,
		groups:      make(map[string]*group),
		seen:        make(map[string]time.Time),
		idle:        make(chan struct{}),
	}
	close(q.idle)
	for _, o := range opts {
		o(q)
	}
	return q
}

// Send accepts m for delivery, or drops it if its deduplication id was sent within the last
// DedupWindow. It returns Invalid for a message without group or deduplication id and
// Transient after Close.
func (q *Queue) Send(_ context.Context, m queue.Message) error {
	const op apperr.Op = "memqueue.Send"
	if m.GroupID == "" || m.DeduplicationID == "" {
		return apperr.E(op, apperr.Invalid, "message needs a group id and a deduplication id")
	}
	id := newID()
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.closed {
		return apperr.E(op, apperr.Transient, "queue is closed")
	}
	now := q.now()
	for dedupID, at := range q.seen {
		if now.Sub(at) >= DedupWindow {
			delete(q.seen, dedupID)
		}
	}
	if _, dup := q.seen[m.DeduplicationID]; dup {
		return nil
	}
	q.seen[m.DeduplicationID] = now

	m.Body = append([]byte(nil), m.Body...)
	q.seq++
	g := q.groups[m.GroupID]
	if g == nil {
		g = &group{}
		q.groups[m.GroupID] = g
	}
	g.msgs = append(g.msgs, &message{id: id, msg: m, seq: q.seq, sentAt: now})
	if q.busy == 0 {
		q.idle = make(chan struct{})
	}
	q.busy++
	if !g.running {
		g.running = true
		q.wg.Add(1)
		go q.run(m.GroupID, g)
	}
	return nil
}

// Wait blocks until every accepted message has been consumed or dead-lettered. It returns
// ctx's error if ctx ends first, and an error if the queue is closed with messages left.
func (q *Queue) Wait(ctx context.Context) error {
	q.mu.Lock()
	idle := q.idle
	q.mu.Unlock()
	select {
	case <-idle:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	case <-q.ctx.Done():
		q.mu.Lock()
		defer q.mu.Unlock()
		if q.busy == 0 {
			return nil
		}
		return apperr.E("memqueue.Wait", apperr.Transient, fmt.Sprintf("queue closed with %d messages undelivered", q.busy))
	}
}

// DeadLetters returns the messages that failed MaxReceives times, oldest first.
func (q *Queue) DeadLetters() []DeadLetter {
	q.mu.Lock()
	defer q.mu.Unlock()
	out := make([]DeadLetter, len(q.dead))
	for i, d := range q.dead {
		d.Message.Body = append([]byte(nil), d.Message.Body...)
		out[i] = d
	}
	return out
}

// Close stops delivery: it cancels the context of batches in flight, waits for them, and drops
// the messages not yet delivered. Send fails after Close. Close is idempotent.
func (q *Queue) Close() error {
	q.mu.Lock()
	q.closed = true
	q.mu.Unlock()
	q.cancel()
	q.wg.Wait()
	return nil
}

// run delivers the group's messages, one batch at a time, until the group is empty.
func (q *Queue) run(groupID string, g *group) {
	defer q.wg.Done()
	for {
		q.mu.Lock()
		if q.closed || len(g.msgs) == 0 {
			g.running = false
			if len(g.msgs) == 0 {
				delete(q.groups, groupID)
			}
			q.mu.Unlock()
			return
		}
		batch := append([]*message(nil), g.msgs[:min(q.batchSize, len(g.msgs))]...)
		now := q.now()
		records := make([]events.SQSMessage, len(batch))
		for i, m := range batch {
			m.receives++
			if m.receives == 1 {
				m.firstAt = now
			}
			records[i] = record(m)
		}
		q.mu.Unlock()

		failed := q.deliver(events.SQSEvent{Records: records})

		q.mu.Lock()
		g.msgs = g.msgs[len(batch):]
		var retry []*message
		for _, m := range batch {
			switch {
			case !failed[m.id]:
				q.busy--
			case m.receives >= q.maxReceives:
				q.dead = append(q.dead, DeadLetter{MessageID: m.id, Message: m.msg, Receives: m.receives})
				q.log.Warn("memqueue: message dead-lettered", "messageId", m.id, "receives", m.receives)
				q.busy--
			default:
				retry = append(retry, m)
			}
		}
		g.msgs = append(retry, g.msgs...)
		if q.busy == 0 {
			close(q.idle)
		}
		q.mu.Unlock()

		if len(retry) > 0 {
			select {
			case <-time.After(q.backoff):
			case <-q.ctx.Done():
			}
		}
	}
}

// deliver calls the consumer and returns the ids of the messages to deliver again.
func (q *Queue) deliver(ev events.SQSEvent) (failed map[string]bool) {
	all := func() map[string]bool {
		ids := make(map[string]bool, len(ev.Records))
		for _, r := range ev.Records {
			ids[r.MessageId] = true
		}
		return ids
	}
	defer func() {
		if p := recover(); p != nil {
			q.log.Error("memqueue: consumer panicked", "panic", fmt.Sprint(p), "messages", len(ev.Records))
			failed = all()
		}
	}()
	resp, err := q.consumer(q.ctx, ev)
	if err != nil {
		q.log.Warn("memqueue: batch failed", "error", err, "messages", len(ev.Records))
		return all()
	}
	inBatch := all()
	failed = make(map[string]bool, len(resp.BatchItemFailures))
	for _, f := range resp.BatchItemFailures {
		if !inBatch[f.ItemIdentifier] {
			// Lambda fails the whole batch when an item identifier is empty or unknown.
			q.log.Warn("memqueue: unknown item in BatchItemFailures; the whole batch failed", "messages", len(ev.Records))
			return inBatch
		}
		failed[f.ItemIdentifier] = true
	}
	if len(failed) > 0 {
		q.log.Warn("memqueue: items failed", "failed", len(failed), "messages", len(ev.Records))
	}
	return failed
}

// record is m as Lambda's SQS event source presents it.
func record(m *message) events.SQSMessage {
	sum := md5.Sum(m.msg.Body)
	return events.SQSMessage{
		MessageId:     m.id,
		ReceiptHandle: m.id + "#" + strconv.Itoa(m.receives),
		Body:          string(m.msg.Body),
		Md5OfBody:     hex.EncodeToString(sum[:]),
		Attributes: map[string]string{
			"ApproximateReceiveCount":          strconv.Itoa(m.receives),
			"SentTimestamp":                    strconv.FormatInt(m.sentAt.UnixMilli(), 10),
			"ApproximateFirstReceiveTimestamp": strconv.FormatInt(m.firstAt.UnixMilli(), 10),
			"SenderId":                         "frontdesk-local",
			"MessageGroupId":                   m.msg.GroupID,
			"MessageDeduplicationId":           m.msg.DeduplicationID,
			"SequenceNumber":                   fmt.Sprintf("%020d", m.seq),
		},
		EventSource:    "aws:sqs",
		EventSourceARN: QueueARN,
		AWSRegion:      "us-east-1",
	}
}

// newID returns a random UUID, the form of SQS message ids.
func newID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])  // never fails (crypto/rand)
	b[6] = b[6]&0x0f | 0x40 // version 4
	b[8] = b[8]&0x3f | 0x80 // RFC 4122 variant
	h := hex.EncodeToString(b[:])
	return h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}
