// Package queue moves events from the ingress functions to the bot: an SQS FIFO queue in AWS
// (package sqsqueue) and an in-process queue for the local run (package memqueue).
//
// Messages of one group (one conversation) are delivered in order, one at a time; groups run in
// parallel. A message whose deduplication id was sent in the last five minutes is dropped, as SQS
// FIFO does; longer-range duplicates are the consumer's to detect.
package queue

import "context"

// Message is one queued event.
type Message struct {
	// GroupID orders messages: the conversation key.
	GroupID string
	// DeduplicationID is the platform's event id.
	DeduplicationID string
	// Body is the JSON of a channel.Event.
	Body []byte
}

// Sender enqueues messages. An error means the message may not be queued: the ingress answers
// 5xx so the platform retries.
type Sender interface {
	Send(ctx context.Context, m Message) error
}

// SenderFunc adapts a function to Sender.
type SenderFunc func(ctx context.Context, m Message) error

// Send calls f.
func (f SenderFunc) Send(ctx context.Context, m Message) error { return f(ctx, m) }
