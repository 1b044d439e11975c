package storetest

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/frontdesk-app/frontdesk/shared/apperr"
	"github.com/frontdesk-app/frontdesk/shared/channel"
	"github.com/frontdesk-app/frontdesk/shared/conversation"
)

const lease = 2 * time.Minute

func testLease(t *testing.T, newStore NewStore) {
	runCases(t, newStore, []testCase[Store]{
		{"NewConversation", leaseNew},
		{"ExistingConversation", leaseExisting},
		{"HeldByAnotherEvent", leaseHeld},
		{"HeldByAnotherWorkerOfTheSameEvent", leaseSameEventOtherWorker},
		{"SameWorkerTakesItAgain", leaseSameWorker},
		{"ReleasedLeaseTakenAtOnce", leaseReleased},
		{"StaleLeaseTakenOver", leaseStale},
		{"RedeliveryKeepsDone", leaseRedelivery},
		{"SaveClearsLease", leaseSaveClears},
		{"ExpiredConversationStartsClean", leaseExpired},
		{"PlaceholderExpires", leasePlaceholderExpires},
		{"RecordWithoutLeaseConflicts", leaseRecordWithout},
		{"RacingEvents", leaseRacing},
	})
}

// begin takes the lease for ev as worker w.
func begin(t *testing.T, s Store, k channel.Key, ev, w string, clk *Clock) *conversation.Conversation {
	t.Helper()
	now := clk.Now()
	c, err := s.BeginEvent(context.Background(), k, ev, w, now, now.Add(-lease))
	must(t, "BeginEvent "+ev, err)
	if c.Lease == nil || c.Lease.Event != ev || c.Lease.Holder != w || !c.Lease.At.Equal(now) {
		t.Fatalf("BeginEvent %s lease = %+v, want the event's lease at %v", ev, c.Lease, now)
	}
	return c
}

// save stamps and saves c as the bot does at the end of an event.
func save(t *testing.T, s Store, c *conversation.Conversation, clk *Clock) {
	t.Helper()
	if c.New() {
		c.Status, c.CreatedAt = conversation.Bot, clk.Now()
	}
	c.Lease = nil
	c.UpdatedAt, c.ExpiresAt = clk.Now(), clk.Now().Add(30*24*time.Hour)
	put(t, s, c)
}

func leaseNew(t *testing.T, s Store, clk *Clock) {
	c := begin(t, s, key("4901"), "wamid.1", "w1", clk)
	if !c.New() || len(c.Lease.Done) != 0 || c.Version == 0 {
		t.Errorf("first event: %+v, want a new conversation with a version and no calls done", c)
	}
	// The placeholder is no conversation to anyone else.
	if _, err := s.GetConversation(context.Background(), key("4901")); !apperr.Is(err, apperr.NotFound) {
		t.Errorf("GetConversation of a placeholder: err = %v, want NotFound", err)
	}
	save(t, s, c, clk)
	if got := get(t, s, key("4901")); got.Status != conversation.Bot || got.Lease != nil {
		t.Errorf("after save: status %s lease %+v", got.Status, got.Lease)
	}
}

func leaseExisting(t *testing.T, s Store, clk *Clock) {
	want := newConversation(key("4902"), clk.Now())
	put(t, s, want)
	c := begin(t, s, want.Key, "wamid.2", "w1", clk)
	got := *c
	got.Lease, got.Version = nil, want.Version
	wantConversation(t, "leased conversation", &got, want)
	if c.Version <= want.Version {
		t.Errorf("version = %d, want above %d: the lease is a write", c.Version, want.Version)
	}
	// A writer holding the version from before the lease conflicts.
	stale := *want
	if err := s.PutConversation(context.Background(), &stale); !apperr.Is(err, apperr.Conflict) {
		t.Errorf("put of the pre-lease version: err = %v, want Conflict", err)
	}
	save(t, s, c, clk)
}

func leaseHeld(t *testing.T, s Store, clk *Clock) {
	begin(t, s, key("4903"), "wamid.A", "w1", clk)
	clk.Advance(lease - time.Second)
	now := clk.Now()
	_, err := s.BeginEvent(context.Background(), key("4903"), "wamid.B", "w2", now, now.Add(-lease))
	if !apperr.Is(err, apperr.Conflict) {
		t.Errorf("second event while the first holds the lease: err = %v, want Conflict", err)
	}
}

func leaseStale(t *testing.T, s Store, clk *Clock) {
	begin(t, s, key("4904"), "wamid.A", "w1", clk)
	must(t, "RecordDone", s.RecordDone(context.Background(), key("4904"), "wamid.A", "w1", "wamid.A#reply", "wamid.OUT1"))
	clk.Advance(lease + time.Second)
	c := begin(t, s, key("4904"), "wamid.B", "w2", clk)
	if len(c.Lease.Done) != 0 {
		t.Errorf("taken-over lease shows calls of another event: %v", c.Lease.Done)
	}
	if err := s.RecordDone(context.Background(), key("4904"), "wamid.A", "w1", "wamid.A#x", "1"); !apperr.Is(err, apperr.Conflict) {
		t.Errorf("RecordDone by the event that lost the lease: err = %v, want Conflict", err)
	}
}

func leaseRedelivery(t *testing.T, s Store, clk *Clock) {
	ctx := context.Background()
	put(t, s, newConversation(key("4905"), clk.Now()))
	begin(t, s, key("4905"), "wamid.5", "w1", clk)
	must(t, "RecordDone", s.RecordDone(ctx, key("4905"), "wamid.5", "w1", "wamid.5#reply", "wamid.OUT"))
	must(t, "RecordDone", s.RecordDone(ctx, key("4905"), "wamid.5", "w1", "wamid.5#announce", "C0DESK 1700000000.000100"))
	// The worker dies; the queue brings the event back to another worker after the lease
	// went stale, which finds the calls made.
	clk.Advance(lease + time.Second)
	c := begin(t, s, key("4905"), "wamid.5", "w2", clk)
	want := map[string]string{"wamid.5#reply": "wamid.OUT", "wamid.5#announce": "C0DESK 1700000000.000100"}
	if diff := cmp.Diff(want, c.Lease.Done); diff != "" {
		t.Errorf("redelivered event's calls (-want +got):\n%s", diff)
	}
	if err := s.RecordDone(ctx, key("4905"), "wamid.5", "w1", "wamid.5#note", "x"); !apperr.Is(err, apperr.Conflict) {
		t.Errorf("RecordDone by the worker that lost the lease: err = %v, want Conflict", err)
	}
}

func leaseSameEventOtherWorker(t *testing.T, s Store, clk *Clock) {
	begin(t, s, key("4912"), "wamid.12", "w1", clk)
	now := clk.Now()
	_, err := s.BeginEvent(context.Background(), key("4912"), "wamid.12", "w2", now, now.Add(-lease))
	if !apperr.Is(err, apperr.Conflict) {
		t.Errorf("the same event in a second worker while the first holds it: err = %v, want Conflict", err)
	}
}

func leaseSameWorker(t *testing.T, s Store, clk *Clock) {
	put(t, s, newConversation(key("4913"), clk.Now()))
	first := begin(t, s, key("4913"), "wamid.13", "w1", clk)
	must(t, "RecordDone", s.RecordDone(context.Background(), key("4913"), "wamid.13", "w1", "wamid.13#reply", "id1"))
	// Its save lost a race: the same worker takes the lease again at once.
	clk.Advance(time.Second)
	again := begin(t, s, key("4913"), "wamid.13", "w1", clk)
	if again.Version <= first.Version || again.Lease.Done["wamid.13#reply"] != "id1" {
		t.Errorf("again = version %d done %v, want a newer version with the call recorded", again.Version, again.Lease.Done)
	}
}

func leaseReleased(t *testing.T, s Store, clk *Clock) {
	ctx := context.Background()
	put(t, s, newConversation(key("4914"), clk.Now()))
	begin(t, s, key("4914"), "wamid.14", "w1", clk)
	must(t, "RecordDone", s.RecordDone(ctx, key("4914"), "wamid.14", "w1", "wamid.14#reply", "id1"))
	must(t, "ReleaseLease", s.ReleaseLease(ctx, key("4914"), "wamid.14", "w1"))
	must(t, "ReleaseLease again", s.ReleaseLease(ctx, key("4914"), "wamid.14", "w1"))
	// The failed event comes back at once to another worker, with its call recorded.
	c := begin(t, s, key("4914"), "wamid.14", "w2", clk)
	if c.Lease.Done["wamid.14#reply"] != "id1" {
		t.Errorf("after release: done = %v, want the recorded call", c.Lease.Done)
	}
	// A release by a worker that does not hold the lease changes nothing.
	must(t, "ReleaseLease by w1", s.ReleaseLease(ctx, key("4914"), "wamid.14", "w1"))
	now := clk.Now()
	if _, err := s.BeginEvent(ctx, key("4914"), "wamid.15", "w3", now, now.Add(-lease)); !apperr.Is(err, apperr.Conflict) {
		t.Errorf("w2's lease after w1's stray release: err = %v, want Conflict", err)
	}
}

func leaseSaveClears(t *testing.T, s Store, clk *Clock) {
	c := begin(t, s, key("4906"), "wamid.6", "w1", clk)
	must(t, "RecordDone", s.RecordDone(context.Background(), key("4906"), "wamid.6", "w1", "wamid.6#reply", "x"))
	save(t, s, c, clk)
	// The next event is not blocked, and sees no calls.
	next := begin(t, s, key("4906"), "wamid.7", "w1", clk)
	if len(next.Lease.Done) != 0 || next.New() {
		t.Errorf("next event: new=%v done=%v", next.New(), next.Lease.Done)
	}
}

func leaseExpired(t *testing.T, s Store, clk *Clock) {
	old := newConversation(key("4907"), clk.Now())
	old.ExpiresAt = clk.Now().Add(time.Hour)
	put(t, s, old)
	clk.Advance(2 * time.Hour)
	c := begin(t, s, old.Key, "wamid.8", "w1", clk)
	if !c.New() || c.Referral != nil || c.Locale != "" {
		t.Errorf("event after expiry: %+v, want a clean new conversation", c)
	}
	save(t, s, c, clk)
	if got := get(t, s, old.Key); got.Referral != nil || got.Locale != "" || got.Status != conversation.Bot {
		t.Errorf("saved after expiry: %+v, want nothing of the expired conversation", got)
	}
}

func leasePlaceholderExpires(t *testing.T, s Store, clk *Clock) {
	begin(t, s, key("4909"), "wamid.lost", "w1", clk)
	clk.Advance(conversation.PlaceholderLife + time.Second)
	// The event was never saved: after a day its placeholder neither blocks nor shows.
	c := begin(t, s, key("4909"), "wamid.next", "w2", clk)
	if !c.New() {
		t.Errorf("after the placeholder's life: %+v, want new", c)
	}
}

func leaseRecordWithout(t *testing.T, s Store, clk *Clock) {
	put(t, s, newConversation(key("4910"), clk.Now()))
	if err := s.RecordDone(context.Background(), key("4910"), "wamid.none", "w1", "k", "v"); !apperr.Is(err, apperr.Conflict) {
		t.Errorf("RecordDone without a lease: err = %v, want Conflict", err)
	}
}

func leaseRacing(t *testing.T, s Store, clk *Clock) {
	put(t, s, newConversation(key("4911"), clk.Now()))
	const n = 8
	var (
		wg   sync.WaitGroup
		mu   sync.Mutex
		wins int
	)
	now := clk.Now()
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := s.BeginEvent(context.Background(), key("4911"), "wamid.race", "w"+string(rune('a'+i)), now, now.Add(-lease))
			switch {
			case err == nil:
				mu.Lock()
				wins++
				mu.Unlock()
			case !apperr.Is(err, apperr.Conflict):
				t.Errorf("BeginEvent: %v", err)
			}
		}()
	}
	wg.Wait()
	if wins != 1 {
		t.Errorf("%d of %d workers racing with the same event got the lease, want 1", wins, n)
	}
}
