// Package dynamo is the DynamoDB implementation of conversation.Store and dedup.Store, on one
// table (the single-table design of DESIGN.md) through the AWS SDK for Go v2.
//
// Conversations use optimistic locking: every write is a conditional put on the stored version
// (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/WorkingWithItems.html#WorkingWithItems.ConditionalUpdate).
// Idempotency records are conditional puts too, so exactly one concurrent writer wins.
//
// DynamoDB deletes items whose TTL attribute (expiresAt, epoch seconds) has passed only lazily,
// often days later (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/howitworks-ttl.html),
// so every read here treats an expired item as absent and every conditional write lets an
// expired item be replaced. The conformance suite in package storetest holds this package and
// the embedded store (package memstore) to the same behaviour.
//
// Errors are *apperr.Error: Conflict for a lost condition, Transient for throttling, 5xx and
// network failures (after the SDK's own retries), Internal otherwise.
package dynamo
