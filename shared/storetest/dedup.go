package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/frontdesk-app/frontdesk/shared/apperr"
	"github.com/frontdesk-app/frontdesk/shared/dedup"
)

func testDedup(t *testing.T, newStore NewStore) {
	runCases(t, newStore, []testCase[Store]{
		{"MarkSeen", dedupMarkSeen},
		{"MarkSeenAfterExpiry", dedupMarkSeenExpired},
		{"ForgetSeenLetsRetry", dedupForgetSeen},
		{"ClaimCompleteClaim", dedupClaimComplete},
		{"FreshPendingClaimRefused", dedupFreshPending},
		{"StalePendingClaimTakenOver", dedupStalePending},
		{"ReleaseLetsRetryClaim", dedupRelease},
		{"ReleaseKeepsSent", dedupReleaseKeepsSent},
		{"ClaimStoresPending", dedupClaimStoresPending},
		{"ExpiredSendReadsAsAbsent", dedupExpired},
		{"CompleteWithoutClaim", dedupCompleteAbsent},
		{"InvalidInput", dedupInvalid},
		{"RacingMarkSeen", dedupRacingMarkSeen},
		{"RacingClaims", dedupRacingClaims},
	})
}

const sendKey = "reply#wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQTRBNjU5OUFFRTAzODEwMTQ0RgA="

func newSend(now time.Time) dedup.Send {
	return dedup.Send{Key: sendKey, ReservedAt: now.Add(123456789), ExpiresAt: now.Add(7 * 24 * time.Hour)}
}

// claim calls ClaimSend and checks ok against want.
func claim(t *testing.T, s Store, send dedup.Send, staleBefore time.Time, want bool) *dedup.Send {
	t.Helper()
	existing, ok, err := s.ClaimSend(context.Background(), send, staleBefore)
	must(t, "ClaimSend", err)
	if ok != want {
		t.Fatalf("ClaimSend ok = %v, want %v", ok, want)
	}
	if ok && existing != nil {
		t.Errorf("ClaimSend won but returned an existing record %+v", existing)
	}
	if !ok && existing == nil {
		t.Fatal("ClaimSend refused without the existing record")
	}
	return existing
}

func wantSend(t *testing.T, got *dedup.Send, want dedup.Send) {
	t.Helper()
	if diff := cmp.Diff(&want, got); diff != "" {
		t.Errorf("existing send mismatch (-want +got):\n%s", diff)
	}
}

func markSeen(t *testing.T, s Store, id string, expiresAt time.Time, want bool) {
	t.Helper()
	first, err := s.MarkSeen(context.Background(), id, expiresAt)
	must(t, "MarkSeen", err)
	if first != want {
		t.Errorf("MarkSeen(%q) first = %v, want %v", id, first, want)
	}
}

func dedupMarkSeen(t *testing.T, s Store, clk *Clock) {
	exp := clk.Now().Add(7 * 24 * time.Hour)
	tests := []struct {
		id   string
		want bool
	}{
		{"wamid.one", true},
		{"wamid.one", false},
		{"wamid.two", true},
		{"wamid.one", false},
		{"m_DbHEf5ex-oT9-two", true},
	}
	for _, tt := range tests {
		markSeen(t, s, tt.id, exp, tt.want)
	}
}

func dedupForgetSeen(t *testing.T, s Store, clk *Clock) {
	ctx := context.Background()
	exp := clk.Now().Add(7 * 24 * time.Hour)
	markSeen(t, s, "slack:Ev01", exp, true)
	markSeen(t, s, "slack:Ev02", exp, true)
	if err := s.ForgetSeen(ctx, "slack:Ev01"); err != nil {
		t.Fatalf("ForgetSeen: %v", err)
	}
	if err := s.ForgetSeen(ctx, "slack:never-seen"); err != nil {
		t.Fatalf("ForgetSeen of an unknown id: %v", err)
	}
	markSeen(t, s, "slack:Ev01", exp, true)  // forgotten: first again
	markSeen(t, s, "slack:Ev02", exp, false) // the other one is still remembered
}

func dedupMarkSeenExpired(t *testing.T, s Store, clk *Clock) {
	markSeen(t, s, "wamid.one", clk.Now().Add(time.Hour), true)
	clk.Advance(time.Hour - time.Second)
	markSeen(t, s, "wamid.one", clk.Now().Add(time.Hour), false)
	clk.Advance(time.Second)
	markSeen(t, s, "wamid.one", clk.Now().Add(time.Hour), true)
	markSeen(t, s, "wamid.one", clk.Now().Add(time.Hour), false)
}

func dedupClaimComplete(t *testing.T, s Store, clk *Clock) {
	send := newSend(clk.Now())
	claim(t, s, send, clk.Now().Add(-5*time.Minute), true)
	must(t, "CompleteSend", s.CompleteSend(context.Background(), sendKey, "wamid.sent"))

	// A Sent record is never taken over, however old its reservation.
	existing := claim(t, s, newSend(clk.Now()), clk.Now().Add(time.Hour), false)
	wantSend(t, existing, dedup.Send{Key: sendKey, State: dedup.Sent, MessageID: "wamid.sent",
		ReservedAt: send.ReservedAt, ExpiresAt: send.ExpiresAt})

	// Completing again (a redelivered event after a crash) is harmless.
	must(t, "second CompleteSend", s.CompleteSend(context.Background(), sendKey, "wamid.sent"))
}

func dedupFreshPending(t *testing.T, s Store, clk *Clock) {
	send := newSend(clk.Now())
	claim(t, s, send, clk.Now().Add(-5*time.Minute), true)
	// staleBefore equal to the reservation time: not stale.
	existing := claim(t, s, newSend(clk.Now()), send.ReservedAt, false)
	wantSend(t, existing, dedup.Send{Key: sendKey, State: dedup.Pending, ReservedAt: send.ReservedAt, ExpiresAt: send.ExpiresAt})
}

func dedupStalePending(t *testing.T, s Store, clk *Clock) {
	first := newSend(clk.Now())
	claim(t, s, first, clk.Now().Add(-5*time.Minute), true)

	clk.Advance(10 * time.Minute)
	second := newSend(clk.Now())
	claim(t, s, second, clk.Now().Add(-5*time.Minute), true)

	// The takeover is itself a fresh reservation.
	existing := claim(t, s, newSend(clk.Now()), clk.Now().Add(-5*time.Minute), false)
	wantSend(t, existing, dedup.Send{Key: sendKey, State: dedup.Pending, ReservedAt: second.ReservedAt, ExpiresAt: second.ExpiresAt})
}

func dedupRelease(t *testing.T, s Store, clk *Clock) {
	ctx := context.Background()
	claim(t, s, newSend(clk.Now()), clk.Now().Add(-5*time.Minute), true)
	must(t, "ReleaseSend", s.ReleaseSend(ctx, sendKey))
	claim(t, s, newSend(clk.Now()), clk.Now().Add(-5*time.Minute), true)
	must(t, "ReleaseSend", s.ReleaseSend(ctx, sendKey))
	must(t, "ReleaseSend of a released key", s.ReleaseSend(ctx, sendKey))
	must(t, "ReleaseSend of a never claimed key", s.ReleaseSend(ctx, "reply#never"))
}

func dedupReleaseKeepsSent(t *testing.T, s Store, clk *Clock) {
	ctx := context.Background()
	send := newSend(clk.Now())
	claim(t, s, send, clk.Now().Add(-5*time.Minute), true)
	must(t, "CompleteSend", s.CompleteSend(ctx, sendKey, "m_sent"))
	must(t, "ReleaseSend of a sent record", s.ReleaseSend(ctx, sendKey))
	existing := claim(t, s, newSend(clk.Now()), clk.Now().Add(-5*time.Minute), false)
	wantSend(t, existing, dedup.Send{Key: sendKey, State: dedup.Sent, MessageID: "m_sent", ReservedAt: send.ReservedAt, ExpiresAt: send.ExpiresAt})
}

func dedupClaimStoresPending(t *testing.T, s Store, clk *Clock) {
	// State and MessageID of the claim are ignored; a zero ReservedAt is the store's now.
	send := dedup.Send{Key: sendKey, State: dedup.Sent, MessageID: "wamid.bogus", ExpiresAt: clk.Now().Add(time.Hour + 500*time.Millisecond)}
	claim(t, s, send, clk.Now().Add(-5*time.Minute), true)
	existing := claim(t, s, newSend(clk.Now()), clk.Now().Add(-5*time.Minute), false)
	wantSend(t, existing, dedup.Send{Key: sendKey, State: dedup.Pending, ReservedAt: clk.Now(), ExpiresAt: clk.Now().Add(time.Hour)})
}

func dedupExpired(t *testing.T, s Store, clk *Clock) {
	ctx := context.Background()
	send := newSend(clk.Now())
	send.ExpiresAt = clk.Now().Add(time.Hour)
	claim(t, s, send, clk.Now().Add(-5*time.Minute), true)
	must(t, "CompleteSend", s.CompleteSend(ctx, sendKey, "wamid.sent"))

	clk.Advance(time.Hour)
	wantKind(t, "CompleteSend of an expired record", s.CompleteSend(ctx, sendKey, "wamid.late"), apperr.NotFound)
	again := newSend(clk.Now())
	claim(t, s, again, clk.Now().Add(-5*time.Minute), true)
	existing := claim(t, s, newSend(clk.Now()), clk.Now().Add(-5*time.Minute), false)
	wantSend(t, existing, dedup.Send{Key: sendKey, State: dedup.Pending, ReservedAt: again.ReservedAt, ExpiresAt: again.ExpiresAt})
}

func dedupCompleteAbsent(t *testing.T, s Store, _ *Clock) {
	wantKind(t, "CompleteSend without a claim", s.CompleteSend(context.Background(), sendKey, "wamid.x"), apperr.NotFound)
}

func dedupInvalid(t *testing.T, s Store, clk *Clock) {
	ctx := context.Background()
	exp := clk.Now().Add(time.Hour)
	tests := []struct {
		name string
		call func() error
	}{
		{"mark seen without id", func() error { _, err := s.MarkSeen(ctx, "", exp); return err }},
		{"mark seen without expiry", func() error { _, err := s.MarkSeen(ctx, "wamid.x", time.Time{}); return err }},
		{"claim without key", func() error { _, _, err := s.ClaimSend(ctx, dedup.Send{ExpiresAt: exp}, exp); return err }},
		{"claim without expiry", func() error { _, _, err := s.ClaimSend(ctx, dedup.Send{Key: sendKey}, exp); return err }},
		{"complete without key", func() error { return s.CompleteSend(ctx, "", "wamid.x") }},
		{"release without key", func() error { return s.ReleaseSend(ctx, "") }},
	}
	for _, tt := range tests {
		wantKind(t, tt.name, tt.call(), apperr.Invalid)
	}
}

func dedupRacingMarkSeen(t *testing.T, s Store, clk *Clock) {
	firsts := make([]bool, 10)
	errs := race(len(firsts), func(i int) error {
		var err error
		firsts[i], err = s.MarkSeen(context.Background(), "wamid.raced", clk.Now().Add(time.Hour))
		return err
	})
	wins := 0
	for i := range firsts {
		must(t, "MarkSeen", errs[i])
		if firsts[i] {
			wins++
		}
	}
	if wins != 1 {
		t.Errorf("%d racers saw the event first, want exactly 1", wins)
	}
}

func dedupRacingClaims(t *testing.T, s Store, clk *Clock) {
	type result struct {
		existing *dedup.Send
		ok       bool
	}
	results := make([]result, 10)
	errs := race(len(results), func(i int) error {
		send := newSend(clk.Now())
		send.ReservedAt = send.ReservedAt.Add(time.Duration(i))
		var err error
		results[i].existing, results[i].ok, err = s.ClaimSend(context.Background(), send, clk.Now().Add(-5*time.Minute))
		return err
	})
	winner, wins := -1, 0
	for i, r := range results {
		must(t, "ClaimSend", errs[i])
		if r.ok {
			winner = i
			wins++
		}
	}
	if wins != 1 {
		t.Fatalf("%d racers claimed the send, want exactly 1", wins)
	}
	want := newSend(clk.Now())
	want.ReservedAt = want.ReservedAt.Add(time.Duration(winner))
	for i, r := range results {
		if i == winner {
			continue
		}
		if r.existing == nil || r.existing.State != dedup.Pending || !r.existing.ReservedAt.Equal(want.ReservedAt) {
			t.Errorf("racer %d: existing = %+v, want the winner's pending reservation at %v", i, r.existing, want.ReservedAt)
		}
	}
}
