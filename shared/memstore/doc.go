// Package memstore is the embedded store of the local run and the unit tests: an in-memory
// conversation.Store and dedup.Store with exactly the observable behaviour of the DynamoDB store
// (package dynamo), which the shared conformance suite (package storetest) proves.
//
// Like DynamoDB with TTL (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/TTL.html),
// it keeps expiry times to the second, treats an item whose expiresAt has passed as absent and
// lets a write replace it as if it were absent. Values are copied in and out, so a caller never
// aliases stored state. A Store is safe for concurrent use.
package memstore
