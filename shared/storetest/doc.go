// Package storetest is the one conformance suite for frontdesk's stores: the same table-driven
// tests run against the embedded store (package memstore) and against DynamoDB through the real
// SDK (package dynamo, tested against a local moto server), so the two cannot drift.
//
// Each store's test file is a few lines:
//
//	func TestConformance(t *testing.T) {
//		storetest.Run(t, func(t *testing.T, now func() time.Time) storetest.Store {
//			return &memstore.Store{Now: now}
//		})
//	}
//
// The suite is modelled on go-cloud's docstore/drivertest
// (https://pkg.go.dev/gocloud.dev/docstore/drivertest). Each domain store has its own file here
// (conversation.go, dedup.go); a new one adds its interface to Store and its tests to Run.
package storetest
