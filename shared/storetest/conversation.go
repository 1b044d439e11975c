package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/frontdesk-app/frontdesk/shared/apperr"
	"github.com/frontdesk-app/frontdesk/shared/channel"
	"github.com/frontdesk-app/frontdesk/shared/conversation"
)

func testConversation(t *testing.T, newStore NewStore) {
	runCases(t, newStore, []testCase[Store]{
		{"CreateAndGet", convCreateAndGet},
		{"EmptyListsReadAsNil", convEmptyLists},
		{"GetAbsent", convGetAbsent},
		{"DoubleCreateConflicts", convDoubleCreate},
		{"StaleVersionConflicts", convStaleVersion},
		{"UpdateOfAbsentConflicts", convUpdateAbsent},
		{"VersionIncrements", convVersionIncrements},
		{"ExpiredReadsAsAbsent", convExpired},
		{"ExpiryKeptToTheSecond", convExpirySecond},
		{"ThreadLookup", convThreadLookup},
		{"ThreadLookupAfterExpiry", convThreadExpired},
		{"ThreadSharedByFollowUp", convThreadShared},
		{"ListByStatus", convListByStatus},
		{"DeleteIsIdempotent", convDelete},
		{"CopiesInAndOut", convCopies},
		{"InvalidInput", convInvalid},
		{"RacingCreates", convRacingCreates},
		{"RacingUpdates", convRacingUpdates},
	})
}

func key(user string) channel.Key {
	return channel.Key{Surface: channel.WhatsApp, Account: "106540352242922", User: user}
}

// newConversation returns a conversation with every field set, created at now.
func newConversation(k channel.Key, now time.Time) *conversation.Conversation {
	return &conversation.Conversation{
		Key:            k,
		Status:         conversation.Bot,
		Locale:         "de",
		LastInboundAt:  now.Add(-time.Minute + 123456789),
		Misses:         1,
		Pending:        []string{"opening-hours", "returns"},
		CommentID:      "900000000000001_42",
		PrivateReplied: "900000000000001_41",
		Referral:       &channel.Referral{Source: "ad", Type: "image", AdID: "120208", CtwaClid: "ARAkLkA8", SourceURL: "https://fb.me/x"},
		Processed:      []string{"wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQTRBNjU5OUFFRTAzODEwMTQ0RgA="},
		FollowUp: &conversation.FollowUp{State: conversation.FollowUpGranted, Number: "491701234567",
			At: now.Add(-30*time.Second + 42), Tries: 2, NotifiedAt: now.Add(-time.Second + 7)},
		Linked: &channel.Key{Surface: channel.Messenger, Account: "112233445566778", User: "6254170001234567"},
		Lead:   &conversation.Lead{Agent: "U0AGENT1", At: now.Add(-20*time.Second + 314159)},
		// Non-ASCII on purpose: a display name is whatever the customer typed.
		CustomerName: "Zoë Müller-Łukasiewicz 🌻",
		FAQOfferedAt: now.Add(-2*time.Minute + 31),
		CreatedAt:    now.Add(-time.Hour),
		UpdatedAt:    now.Add(987654321),
		ExpiresAt:    now.Add(30 * 24 * time.Hour),
	}
}

func escalate(c *conversation.Conversation, slackChannel, ts string, at time.Time) {
	c.Status = conversation.Escalated
	c.SlackChannel = slackChannel
	c.ThreadTS = ts
	c.EscalationReason = "asked for a person"
	c.EscalatedAt = at
	c.AnnouncedAt = at
	c.UpdatedAt = at
}

func put(t *testing.T, s Store, c *conversation.Conversation) {
	t.Helper()
	must(t, "PutConversation", s.PutConversation(context.Background(), c))
}

func get(t *testing.T, s Store, k channel.Key) *conversation.Conversation {
	t.Helper()
	c, err := s.GetConversation(context.Background(), k)
	must(t, "GetConversation", err)
	return c
}

func wantConversation(t *testing.T, what string, got, want *conversation.Conversation) {
	t.Helper()
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("%s mismatch (-want +got):\n%s", what, diff)
	}
}

func convCreateAndGet(t *testing.T, s Store, clk *Clock) {
	c := newConversation(key("4915112345678"), clk.Now())
	put(t, s, c)
	if c.Version != 1 {
		t.Errorf("Version after create = %d, want 1", c.Version)
	}
	wantConversation(t, "GetConversation", get(t, s, c.Key), c)
}

func convEmptyLists(t *testing.T, s Store, clk *Clock) {
	c := newConversation(key("4915112345678"), clk.Now())
	c.Pending, c.Processed, c.Referral = []string{}, []string{}, &channel.Referral{}
	put(t, s, c)
	want := *c
	want.Pending, want.Processed = nil, nil
	wantConversation(t, "GetConversation", get(t, s, c.Key), &want)
}

func convGetAbsent(t *testing.T, s Store, _ *Clock) {
	_, err := s.GetConversation(context.Background(), key("4915100000000"))
	wantKind(t, "GetConversation", err, apperr.NotFound)
}

func convDoubleCreate(t *testing.T, s Store, clk *Clock) {
	first := newConversation(key("4915112345678"), clk.Now())
	put(t, s, first)
	second := newConversation(first.Key, clk.Now())
	second.Locale = "en"
	wantKind(t, "second create", s.PutConversation(context.Background(), second), apperr.Conflict)
	if second.Version != 0 {
		t.Errorf("Version after a lost create = %d, want 0 (unchanged)", second.Version)
	}
	wantConversation(t, "stored", get(t, s, first.Key), first)
}

func convStaleVersion(t *testing.T, s Store, clk *Clock) {
	c := newConversation(key("4915112345678"), clk.Now())
	put(t, s, c)
	a, b := get(t, s, c.Key), get(t, s, c.Key)
	a.Misses = 2
	put(t, s, a)
	b.Misses = 3
	wantKind(t, "put from a stale version", s.PutConversation(context.Background(), b), apperr.Conflict)
	if b.Version != 1 {
		t.Errorf("Version after a lost update = %d, want 1 (unchanged)", b.Version)
	}
	wantConversation(t, "stored", get(t, s, c.Key), a)
}

func convUpdateAbsent(t *testing.T, s Store, clk *Clock) {
	c := newConversation(key("4915112345678"), clk.Now())
	c.Version = 4
	wantKind(t, "update of an absent conversation", s.PutConversation(context.Background(), c), apperr.Conflict)
	_, err := s.GetConversation(context.Background(), c.Key)
	wantKind(t, "GetConversation", err, apperr.NotFound)
}

func convVersionIncrements(t *testing.T, s Store, clk *Clock) {
	c := newConversation(key("4915112345678"), clk.Now())
	for want := int64(1); want <= 3; want++ {
		c.Misses = int(want)
		put(t, s, c)
		if c.Version != want {
			t.Fatalf("Version after put %d = %d, want %d", want, c.Version, want)
		}
		if got := get(t, s, c.Key); got.Version != want || got.Misses != int(want) {
			t.Fatalf("stored version, misses = %d, %d, want %d, %d", got.Version, got.Misses, want, want)
		}
	}
}

func convExpired(t *testing.T, s Store, clk *Clock) {
	ctx := context.Background()
	c := newConversation(key("4915112345678"), clk.Now())
	c.ExpiresAt = clk.Now().Add(time.Hour)
	put(t, s, c)

	clk.Advance(time.Hour - time.Second)
	get(t, s, c.Key) // still live a second before

	clk.Advance(time.Second)
	_, err := s.GetConversation(ctx, c.Key)
	wantKind(t, "GetConversation at expiry", err, apperr.NotFound)
	list, err := s.ConversationsByStatus(ctx, conversation.Bot, 10)
	must(t, "ConversationsByStatus", err)
	if len(list) != 0 {
		t.Errorf("ConversationsByStatus lists %d expired conversations, want 0", len(list))
	}
	stale := *c
	wantKind(t, "update of an expired conversation", s.PutConversation(ctx, &stale), apperr.Conflict)

	fresh := newConversation(c.Key, clk.Now())
	fresh.Locale = "en"
	put(t, s, fresh)
	if fresh.Version != 1 {
		t.Errorf("Version after recreate = %d, want 1", fresh.Version)
	}
	wantConversation(t, "recreated", get(t, s, c.Key), fresh)
}

func convExpirySecond(t *testing.T, s Store, clk *Clock) {
	c := newConversation(key("4915112345678"), clk.Now())
	c.ExpiresAt = clk.Now().Add(time.Hour + 999*time.Millisecond)
	put(t, s, c)
	if got, want := get(t, s, c.Key).ExpiresAt, clk.Now().Add(time.Hour); !got.Equal(want) {
		t.Errorf("ExpiresAt = %v, want %v (whole seconds, as the TTL attribute keeps it)", got, want)
	}
	clk.Advance(time.Hour)
	_, err := s.GetConversation(context.Background(), c.Key)
	wantKind(t, "GetConversation in the expiry second", err, apperr.NotFound)
}

func convThreadLookup(t *testing.T, s Store, clk *Clock) {
	ctx := context.Background()
	c := newConversation(key("4915112345678"), clk.Now())
	escalate(c, "C0FRONTDESK", "1733000000.000100", clk.Now())
	put(t, s, c)
	other := newConversation(key("4915187654321"), clk.Now())
	escalate(other, "C0FRONTDESK", "1733000000.000200", clk.Now())
	put(t, s, other)

	got, err := s.ConversationByThread(ctx, "C0FRONTDESK", "1733000000.000100")
	must(t, "ConversationByThread", err)
	wantConversation(t, "ConversationByThread", got, c)

	for _, miss := range []struct{ channel, ts string }{
		{"C0FRONTDESK", "1733000000.000300"},
		{"C0OTHER", "1733000000.000100"},
	} {
		_, err := s.ConversationByThread(ctx, miss.channel, miss.ts)
		wantKind(t, "ConversationByThread("+miss.channel+", "+miss.ts+")", err, apperr.NotFound)
	}

	// Re-escalated into a new thread: only the new one finds it.
	escalate(c, "C0FRONTDESK", "1733000999.000100", clk.Now())
	put(t, s, c)
	_, err = s.ConversationByThread(ctx, "C0FRONTDESK", "1733000000.000100")
	wantKind(t, "old thread", err, apperr.NotFound)
	got, err = s.ConversationByThread(ctx, "C0FRONTDESK", "1733000999.000100")
	must(t, "new thread", err)
	wantConversation(t, "new thread", got, c)

	// Back to the bot: the thread is cleared and no longer finds it.
	c.Status, c.SlackChannel, c.ThreadTS = conversation.Bot, "", ""
	put(t, s, c)
	_, err = s.ConversationByThread(ctx, "C0FRONTDESK", "1733000999.000100")
	wantKind(t, "cleared thread", err, apperr.NotFound)
}

func convThreadExpired(t *testing.T, s Store, clk *Clock) {
	c := newConversation(key("4915112345678"), clk.Now())
	escalate(c, "C0FRONTDESK", "1733000000.000100", clk.Now())
	c.ExpiresAt = clk.Now().Add(time.Hour)
	put(t, s, c)
	clk.Advance(time.Hour)
	_, err := s.ConversationByThread(context.Background(), "C0FRONTDESK", "1733000000.000100")
	wantKind(t, "ConversationByThread after expiry", err, apperr.NotFound)
}

// convThreadShared: a conversation and its WhatsApp follow-up share one thread; the lookup
// returns the one with the smallest key (the Messenger conversation, escalated first), and the
// follow-up once the other is gone.
func convThreadShared(t *testing.T, s Store, clk *Clock) {
	ctx := context.Background()
	const ch, ts = "C0FRONTDESK", "1733000000.000100"
	wa := newConversation(key("491701234567"), clk.Now())
	escalate(wa, ch, ts, clk.Now())
	origin := newConversation(channel.Key{Surface: channel.Messenger, Account: "112233445566778", User: "6254170001234567"}, clk.Now())
	escalate(origin, ch, ts, clk.Now())
	wa.Linked, origin.Linked = &origin.Key, &wa.Key
	put(t, s, wa) // written first: the order of writing must not matter
	put(t, s, origin)

	got, err := s.ConversationByThread(ctx, ch, ts)
	must(t, "ConversationByThread", err)
	wantConversation(t, "ConversationByThread with two conversations", got, origin)

	must(t, "DeleteConversation", s.DeleteConversation(ctx, origin.Key))
	got, err = s.ConversationByThread(ctx, ch, ts)
	must(t, "ConversationByThread", err)
	wantConversation(t, "ConversationByThread after the first is gone", got, wa)
}

func convListByStatus(t *testing.T, s Store, clk *Clock) {
	ctx := context.Background()
	t0 := clk.Now()
	add := func(user string, status conversation.Status, updated time.Duration, expires time.Duration) *conversation.Conversation {
		c := newConversation(key(user), t0)
		c.Status, c.UpdatedAt, c.ExpiresAt = status, t0.Add(updated), t0.Add(expires)
		put(t, s, c)
		return c
	}
	// Written out of order; u0 is the oldest but expires before the listing.
	add("u3", conversation.Escalated, 3*time.Second, time.Hour)
	u1 := add("u1", conversation.Escalated, time.Second, time.Hour)
	add("u4", conversation.Escalated, 4*time.Second+1, time.Hour)
	add("u6", conversation.Escalated, 2*time.Second, time.Hour) // ties with u2: key order
	add("u2", conversation.Escalated, 2*time.Second, time.Hour)
	add("u0", conversation.Escalated, 0, 10*time.Minute)
	add("u5", conversation.Bot, 0, time.Hour)
	clk.Advance(10 * time.Minute)

	users := func(status conversation.Status, limit int) []string {
		t.Helper()
		list, err := s.ConversationsByStatus(ctx, status, limit)
		must(t, "ConversationsByStatus", err)
		out := []string{}
		for _, c := range list {
			if c.Status != status {
				t.Errorf("ConversationsByStatus(%s) returned status %s", status, c.Status)
			}
			out = append(out, c.Key.User)
		}
		return out
	}
	tests := []struct {
		status conversation.Status
		limit  int
		want   []string
	}{
		{conversation.Escalated, 10, []string{"u1", "u2", "u6", "u3", "u4"}},
		{conversation.Escalated, 2, []string{"u1", "u2"}},
		{conversation.Escalated, 1, []string{"u1"}},
		{conversation.Bot, 10, []string{"u5"}},
		{conversation.Closed, 10, []string{}},
	}
	for _, tt := range tests {
		if diff := cmp.Diff(tt.want, users(tt.status, tt.limit)); diff != "" {
			t.Errorf("ConversationsByStatus(%s, %d) (-want +got):\n%s", tt.status, tt.limit, diff)
		}
	}

	list, err := s.ConversationsByStatus(ctx, conversation.Escalated, 1)
	must(t, "ConversationsByStatus", err)
	if len(list) == 1 {
		wantConversation(t, "listed conversation", list[0], u1)
	}

	// A status change moves the conversation between the lists.
	u1.Status = conversation.Claimed
	put(t, s, u1)
	if diff := cmp.Diff([]string{"u2", "u6", "u3", "u4"}, users(conversation.Escalated, 10)); diff != "" {
		t.Errorf("escalated after claim (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"u1"}, users(conversation.Claimed, 10)); diff != "" {
		t.Errorf("claimed after claim (-want +got):\n%s", diff)
	}
}

func convDelete(t *testing.T, s Store, clk *Clock) {
	ctx := context.Background()
	c := newConversation(key("4915112345678"), clk.Now())
	escalate(c, "C0FRONTDESK", "1733000000.000100", clk.Now())
	put(t, s, c)

	must(t, "DeleteConversation", s.DeleteConversation(ctx, c.Key))
	_, err := s.GetConversation(ctx, c.Key)
	wantKind(t, "GetConversation after delete", err, apperr.NotFound)
	_, err = s.ConversationByThread(ctx, "C0FRONTDESK", "1733000000.000100")
	wantKind(t, "ConversationByThread after delete", err, apperr.NotFound)
	list, err := s.ConversationsByStatus(ctx, conversation.Escalated, 10)
	must(t, "ConversationsByStatus", err)
	if len(list) != 0 {
		t.Errorf("ConversationsByStatus after delete lists %d, want 0", len(list))
	}

	must(t, "second DeleteConversation", s.DeleteConversation(ctx, c.Key))
	must(t, "DeleteConversation of a never stored key", s.DeleteConversation(ctx, key("4915100000000")))

	again := newConversation(c.Key, clk.Now())
	put(t, s, again)
	if again.Version != 1 {
		t.Errorf("Version after create following delete = %d, want 1", again.Version)
	}
}

func convCopies(t *testing.T, s Store, clk *Clock) {
	ctx := context.Background()
	c := newConversation(key("4915112345678"), clk.Now())
	escalate(c, "C0FRONTDESK", "1733000000.000100", clk.Now())
	put(t, s, c)
	want := get(t, s, c.Key)

	// Changing what was put, or what was read, does not change what is stored.
	c.Pending[0], c.Referral.CtwaClid, c.Processed[0] = "changed", "changed", "changed"
	c.FollowUp.Number, c.Linked.User, c.Lead.Agent = "changed", "changed", "changed"
	got := get(t, s, c.Key)
	got.Pending[0], got.Referral.AdID = "changed", "changed"
	got.FollowUp.State, got.Linked.Account, got.Lead.Agent = "changed", "changed", "changed"
	byThread, err := s.ConversationByThread(ctx, "C0FRONTDESK", "1733000000.000100")
	must(t, "ConversationByThread", err)
	byThread.Pending[1], byThread.Processed[0] = "changed", "changed"
	list, err := s.ConversationsByStatus(ctx, conversation.Escalated, 1)
	must(t, "ConversationsByStatus", err)
	list[0].Referral.Source = "changed"

	wantConversation(t, "stored after changing copies", get(t, s, c.Key), want)
}

func convInvalid(t *testing.T, s Store, clk *Clock) {
	ctx := context.Background()
	valid := newConversation(key("4915112345678"), clk.Now())
	with := func(f func(c *conversation.Conversation)) *conversation.Conversation {
		c := *valid
		f(&c)
		return &c
	}
	tests := []struct {
		name string
		call func() error
	}{
		{"get zero key", func() error { _, err := s.GetConversation(ctx, channel.Key{}); return err }},
		{"get unknown surface", func() error {
			_, err := s.GetConversation(ctx, channel.Key{Surface: "sms", Account: "a", User: "u"})
			return err
		}},
		{"get no user", func() error {
			_, err := s.GetConversation(ctx, channel.Key{Surface: channel.Messenger, Account: "a"})
			return err
		}},
		{"put nil", func() error { return s.PutConversation(ctx, nil) }},
		{"put zero key", func() error {
			return s.PutConversation(ctx, with(func(c *conversation.Conversation) { c.Key = channel.Key{} }))
		}},
		{"put no status", func() error {
			return s.PutConversation(ctx, with(func(c *conversation.Conversation) { c.Status = "" }))
		}},
		{"put no expiry", func() error {
			return s.PutConversation(ctx, with(func(c *conversation.Conversation) { c.ExpiresAt = time.Time{} }))
		}},
		{"put negative version", func() error {
			return s.PutConversation(ctx, with(func(c *conversation.Conversation) { c.Version = -1 }))
		}},
		{"thread without channel", func() error { _, err := s.ConversationByThread(ctx, "", "1733000000.000100"); return err }},
		{"thread without ts", func() error { _, err := s.ConversationByThread(ctx, "C0FRONTDESK", ""); return err }},
		{"list without status", func() error { _, err := s.ConversationsByStatus(ctx, "", 10); return err }},
		{"list with zero limit", func() error { _, err := s.ConversationsByStatus(ctx, conversation.Bot, 0); return err }},
		{"delete zero key", func() error { return s.DeleteConversation(ctx, channel.Key{}) }},
	}
	for _, tt := range tests {
		wantKind(t, tt.name, tt.call(), apperr.Invalid)
	}
}

func convRacingCreates(t *testing.T, s Store, clk *Clock) {
	k := key("4915112345678")
	errs := race(10, func(i int) error {
		c := newConversation(k, clk.Now())
		c.Misses = i
		return s.PutConversation(context.Background(), c)
	})
	winner := wantOneWinner(t, errs)
	if got := get(t, s, k); got.Version != 1 || got.Misses != winner {
		t.Errorf("stored version, misses = %d, %d, want 1, %d (the winner's)", got.Version, got.Misses, winner)
	}
}

func convRacingUpdates(t *testing.T, s Store, clk *Clock) {
	c := newConversation(key("4915112345678"), clk.Now())
	put(t, s, c)
	errs := race(10, func(i int) error {
		u := *c
		u.Misses = 100 + i
		return s.PutConversation(context.Background(), &u)
	})
	winner := wantOneWinner(t, errs)
	if got := get(t, s, c.Key); got.Version != 2 || got.Misses != 100+winner {
		t.Errorf("stored version, misses = %d, %d, want 2, %d (the winner's)", got.Version, got.Misses, 100+winner)
	}
}

// wantOneWinner checks that exactly one error is nil and all others are Conflict, and returns
// the winner's index.
func wantOneWinner(t *testing.T, errs []error) int {
	t.Helper()
	winner, wins := -1, 0
	for i, err := range errs {
		switch {
		case err == nil:
			winner = i
			wins++
		case !apperr.Is(err, apperr.Conflict):
			t.Errorf("racer %d: error = %v, want nil or a conflict", i, err)
		}
	}
	if wins != 1 {
		t.Fatalf("%d racers won, want exactly 1", wins)
	}
	return winner
}
