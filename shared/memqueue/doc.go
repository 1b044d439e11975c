// Package memqueue is the in-process queue of the local run: a queue.Sender that delivers to a
// consumer with the signature of an SQS-triggered Lambda handler, with the semantics of an SQS
// FIFO queue behind a Lambda event source mapping with ReportBatchItemFailures
// (https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-errorhandling.html):
//
//   - messages of one group are delivered in order, with one batch of a group in flight at a
//     time; different groups are delivered in parallel;
//   - a message whose deduplication id was sent in the last five minutes (by the queue's clock)
//     is accepted and dropped;
//   - the items a consumer reports in BatchItemFailures, or the whole batch when it returns an
//     error, panics or reports an unknown item, are delivered again after a short backoff,
//     during which their group waits; after MaxReceives deliveries a message moves to the
//     dead-letter list (DeadLetters) and its group goes on.
//
// Wait blocks until every accepted message has been consumed or dead-lettered, which lets a
// test or `frontdesk say` wait for the effects of what it sent.
package memqueue
