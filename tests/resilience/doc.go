// Package resilience tests frontdesk as deployed under duplicates, faults and hostile input:
// the whole stack of app.NewStack on a DynamoDB table and an SQS FIFO
// queue with a dead-letter queue on moto, through the real AWS SDK, with the strict Graph and
// Slack fakes as the outbound targets and an emulation of Lambda's SQS event source mapping
// (batches, partial batch failures, visibility timeouts, redrive to the dead-letter queue)
// driving the bot. See
// https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-errorhandling.html.
//
// SDK middleware on the functions' clients counts every AWS request per operation and injects
// the errors AWS answers (throttling, conditional-check and transaction failures, SQS errors)
// by operation, item and attempt, after the SDK's retry middleware, so the SDK retries an
// injected throttle as it retries a real one. Tests assert what customers and agents receive:
// the Graph and Slack calls accepted, per customer, and what is left in the dead-letter queue.
//
//   - exactlyonce_test.go: one reply per customer message whatever is redelivered or retried.
//   - faults_test.go: Graph, Slack, DynamoDB and SQS faults; partial batches; dead letters.
//   - budget_test.go: a Graph API that answers after 10 s; the bot keeps to its timeout.
//   - hostile_test.go: hostile requests to every route of template.yaml.
//   - metrics_test.go, alarms_test.go: business metrics and the template's alarms.
//   - bench_test.go: benchmarks of ingress and the bot (go test -bench . -run '^$').
//   - cost_test.go: AWS requests per kind of event; writes docs/cost.md with -update.
//   - guarantees_test.go: defects this suite found, fixed, kept as tests.
//
// Where moto differs from AWS the harness compensates, and says so: moto evaluates a
// condition and writes an item without a lock, so the tap serialises DynamoDB writes as
// DynamoDB serialises writes to an item; moto deduplicates FIFO messages only against messages
// still queued, so some tests see more duplicates than SQS would deliver (which the bot must
// absorb anyway); moto counts visible and in-flight messages at two instants, so a drained
// queue must read empty three times in a row.
//
// Run with `make test`, or `go test ./tests/resilience/` with FRONTDESK_MOTO_ENDPOINT set or
// moto installed by `make tools`. RESILIENCE_LOG=1 writes the functions' logs to the test log.
package resilience
