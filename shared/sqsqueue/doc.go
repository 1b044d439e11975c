// Package sqsqueue is the queue.Sender on an SQS FIFO queue
// (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/FIFO-queues.html):
// MessageGroupId is the conversation key, so one conversation's events are processed in order
// and different conversations in parallel, and MessageDeduplicationId is the platform's event
// id, so a webhook retried within SQS's five-minute deduplication interval is enqueued once.
//
// SQS accepts ids of at most 128 characters drawn from the printable ASCII characters without
// space; an id outside that is replaced by the hex SHA-256 of it, which keeps equal ids equal.
package sqsqueue
