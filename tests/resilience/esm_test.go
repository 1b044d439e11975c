package resilience_test

import (
	"context"
	"errors"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"
)

// esm emulates Lambda's SQS event source mapping with partial batch responses
// (https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-errorhandling.html): workers
// receive up to batchSize messages with their system attributes, invoke the handler with an
// events.SQSEvent, and delete the messages the handler did not report failed. A failed message,
// an invocation that returned an error, and an invocation whose worker died are not deleted:
// they reappear after the queue's visibility timeout, and the queue's redrive policy moves a
// message received maxReceiveCount times to the dead-letter queue. An invocation that runs past
// the function's timeout is a timeout: Lambda drops its answer, and every message of the batch
// comes back, done ones included.
type esm struct {
	api       *sqs.Client
	url, arn  string
	batchSize int32
	timeout   time.Duration // the function's timeout
	handler   func(context.Context, events.SQSEvent) (events.SQSEventResponse, error)

	invocations atomic.Int64
	died        atomic.Int64
	// timedOut counts invocations that ran past the function's timeout.
	timedOut atomic.Int64
	// busy counts batches received and not yet finished.
	busy atomic.Int64
	// batches counts non-empty receives, deletes the DeleteMessageBatch calls: what the event
	// source bills per message, without its idle long polls.
	batches, deletes atomic.Int64

	cancel context.CancelFunc
	wg     sync.WaitGroup
}

// invocation is the state of one handler call, reachable from its context.
type invocation struct{ dead atomic.Bool }

type invocationKey struct{}

// kill marks the invocation of ctx dead: the emulated Lambda drops its result, as when the
// process crashed, and deletes nothing.
func kill(ctx context.Context) {
	if inv, ok := ctx.Value(invocationKey{}).(*invocation); ok {
		inv.dead.Store(true)
	}
}

// start runs n pollers until stop.
func (p *esm) start(n int) {
	ctx, cancel := context.WithCancel(context.Background())
	p.cancel = cancel
	for range n {
		p.wg.Add(1)
		go func() {
			defer p.wg.Done()
			for ctx.Err() == nil {
				p.poll(ctx)
			}
		}()
	}
}

// stop ends the pollers and waits for them.
func (p *esm) stop() {
	if p.cancel != nil {
		p.cancel()
		p.wg.Wait()
	}
}

// poll receives one batch and invokes the handler with it.
func (p *esm) poll(ctx context.Context) {
	out, err := p.api.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{
		QueueUrl:                    aws.String(p.url),
		MaxNumberOfMessages:         p.batchSize,
		WaitTimeSeconds:             1,
		MessageSystemAttributeNames: []sqstypes.MessageSystemAttributeName{sqstypes.MessageSystemAttributeNameAll},
		MessageAttributeNames:       []string{"All"},
	})
	if err == nil && len(out.Messages) > 0 {
		p.batches.Add(1)
		p.busy.Add(1)
		defer p.busy.Add(-1)
	}
	if err != nil || len(out.Messages) == 0 {
		if err != nil && ctx.Err() == nil {
			// moto is busy or restarting: poll again, as the event source mapping does.
			select {
			case <-ctx.Done():
			case <-time.After(50 * time.Millisecond):
			}
		}
		return
	}
	ev := events.SQSEvent{}
	receipts := map[string]string{}
	for _, m := range out.Messages {
		id := aws.ToString(m.MessageId)
		receipts[id] = aws.ToString(m.ReceiptHandle)
		ev.Records = append(ev.Records, events.SQSMessage{
			MessageId:      id,
			ReceiptHandle:  aws.ToString(m.ReceiptHandle),
			Body:           aws.ToString(m.Body),
			Md5OfBody:      aws.ToString(m.MD5OfBody),
			Attributes:     m.Attributes,
			EventSource:    "aws:sqs",
			EventSourceARN: p.arn,
			AWSRegion:      "us-east-1",
		})
	}
	inv := &invocation{}
	ictx, cancel := context.WithTimeout(context.WithValue(ctx, invocationKey{}, inv), p.timeout)
	resp, err := p.handler(ictx, ev)
	late := ictx.Err() == context.DeadlineExceeded
	cancel()
	p.invocations.Add(1)
	if late {
		p.timedOut.Add(1)
		return
	}
	if inv.dead.Load() {
		p.died.Add(1)
		return
	}
	if err != nil {
		return
	}
	failed := map[string]bool{}
	for _, f := range resp.BatchItemFailures {
		if _, ok := receipts[f.ItemIdentifier]; !ok {
			// Lambda treats an unknown or empty identifier as a failure of the whole batch.
			return
		}
		failed[f.ItemIdentifier] = true
	}
	var entries []sqstypes.DeleteMessageBatchRequestEntry
	for i, r := range ev.Records {
		if !failed[r.MessageId] {
			entries = append(entries, sqstypes.DeleteMessageBatchRequestEntry{Id: aws.String(strconv.Itoa(i)), ReceiptHandle: aws.String(receipts[r.MessageId])})
		}
	}
	if len(entries) == 0 {
		return
	}
	// The deletion must not be lost to a test's stop: it uses its own context.
	dctx, dcancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer dcancel()
	p.deletes.Add(1)
	if _, err := p.api.DeleteMessageBatch(dctx, &sqs.DeleteMessageBatchInput{QueueUrl: aws.String(p.url), Entries: entries}); err != nil && !errors.Is(err, context.Canceled) {
		// Undeleted messages reappear: at-least-once, as with the real event source.
		return
	}
}
