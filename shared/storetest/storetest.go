package storetest

import (
	"sync"
	"testing"
	"time"

	"github.com/frontdesk-app/frontdesk/shared/apperr"
	"github.com/frontdesk-app/frontdesk/shared/conversation"
	"github.com/frontdesk-app/frontdesk/shared/dedup"
)

// Store is everything a store implementation must provide.
type Store interface {
	conversation.Store
	dedup.Store
}

// NewStore returns an empty store whose clock is now. It is called once per test; the store
// must not share state with stores returned by other calls.
type NewStore func(t *testing.T, now func() time.Time) Store

// Run runs the whole suite. Tests run in parallel, each on its own store and clock.
func Run(t *testing.T, newStore NewStore) {
	t.Helper()
	t.Run("Conversation", func(t *testing.T) {
		t.Parallel()
		testConversation(t, newStore)
	})
	t.Run("Dedup", func(t *testing.T) {
		t.Parallel()
		testDedup(t, newStore)
	})
	t.Run("Lease", func(t *testing.T) {
		t.Parallel()
		testLease(t, newStore)
	})
}

// testCase is one conformance case, run on a fresh store of type S and its clock.
type testCase[S any] struct {
	name string
	run  func(t *testing.T, s S, clk *Clock)
}

// runCases runs each case in parallel, on a store and a clock of its own.
func runCases[S any](t *testing.T, newStore func(*testing.T, func() time.Time) S, cases []testCase[S]) {
	t.Helper()
	for _, tt := range cases {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			clk := NewClock(start())
			tt.run(t, newStore(t, clk.Now), clk)
		})
	}
}

// Clock is a settable clock for expiry tests.
type Clock struct {
	mu  sync.Mutex
	now time.Time
}

// NewClock returns a clock at start.
func NewClock(start time.Time) *Clock { return &Clock{now: start} }

// Now returns the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// Advance moves the clock forward by d.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// Set sets the clock to t.
func (c *Clock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = t
}

// start is where each test's clock begins: a whole second near the real time, so that a
// server which does delete expired items (on real time) never touches a live test item.
func start() time.Time { return time.Now().Truncate(time.Second).UTC() }

// wantKind fails the test unless err has the kind.
func wantKind(t *testing.T, what string, err error, kind apperr.Kind) {
	t.Helper()
	if got := apperr.KindOf(err); err == nil || got != kind {
		t.Fatalf("%s: error = %v (kind %v), want kind %v", what, err, got, kind)
	}
}

// must fails the test on a non-nil error.
func must(t *testing.T, what string, err error) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

// race runs f in n goroutines released at once and returns their errors.
func race(n int, f func(i int) error) []error {
	errs := make([]error, n)
	var ready, done sync.WaitGroup
	gate := make(chan struct{})
	ready.Add(n)
	done.Add(n)
	for i := range n {
		go func() {
			defer done.Done()
			ready.Done()
			<-gate
			errs[i] = f(i)
		}()
	}
	ready.Wait()
	close(gate)
	done.Wait()
	return errs
}
