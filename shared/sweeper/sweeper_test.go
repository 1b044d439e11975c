package sweeper

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/frontdesk-app/frontdesk/shared/apperr"
	"github.com/frontdesk-app/frontdesk/shared/channel"
	"github.com/frontdesk-app/frontdesk/shared/conversation"
	"github.com/frontdesk-app/frontdesk/shared/desk"
	"github.com/frontdesk-app/frontdesk/shared/desk/desktest"
	"github.com/frontdesk-app/frontdesk/shared/memstore"
	"github.com/frontdesk-app/frontdesk/shared/slackapi"
	"github.com/frontdesk-app/frontdesk/shared/slackapi/slacktest"
)

var now = time.Date(2026, 3, 2, 15, 0, 0, 0, time.UTC)

// newStore returns the embedded store on the test clock, holding cs (stored as version 1).
func newStore(t *testing.T, cs ...conversation.Conversation) *memstore.Store {
	t.Helper()
	s := &memstore.Store{Now: func() time.Time { return now }}
	for _, c := range cs {
		c.Version, c.ExpiresAt = 0, now.Add(30*24*time.Hour)
		if err := s.PutConversation(t.Context(), &c); err != nil {
			t.Fatalf("seed %v: %v", c.Key, err)
		}
	}
	return s
}

func get(t *testing.T, s conversation.Store, k channel.Key) conversation.Conversation {
	t.Helper()
	c, err := s.GetConversation(t.Context(), k)
	if err != nil {
		t.Fatalf("conversation %v: %v", k, err)
	}
	return *c
}

// racing lets race change the store (as the bot would) right before the sweeper's next write.
type racing struct {
	*memstore.Store
	race func(ctx context.Context)
}

func (r *racing) PutConversation(ctx context.Context, c *conversation.Conversation) error {
	if f := r.race; f != nil {
		r.race = nil
		f(ctx)
	}
	return r.Store.PutConversation(ctx, c)
}

// failing answers the next write with err.
type failing struct {
	*memstore.Store
	err error
}

func (f *failing) PutConversation(ctx context.Context, c *conversation.Conversation) error {
	if err := f.err; err != nil {
		f.err = nil
		return err
	}
	return f.Store.PutConversation(ctx, c)
}

func conv(user string, st conversation.Status, thread string, mod func(*conversation.Conversation)) conversation.Conversation {
	c := conversation.Conversation{
		Key:    channel.Key{Surface: channel.WhatsApp, Account: "1098765", User: user},
		Status: st, Locale: "de", SlackChannel: "C0DESK", ThreadTS: thread,
		LastInboundAt: now.Add(-2 * time.Hour), EscalatedAt: now.Add(-2 * time.Hour), AnnouncedAt: now.Add(-2 * time.Hour),
		UpdatedAt: now.Add(-2 * time.Hour),
	}
	if mod != nil {
		mod(&c)
	}
	return c
}

func newSweeper(s conversation.Store, d *desktest.Desk) *Sweeper {
	return &Sweeper{
		Conversations: s, Desk: d, Now: func() time.Time { return now },
		ReannounceAfter: 30 * time.Minute, WarnBefore: time.Hour, CloseIdleAfter: 48 * time.Hour,
	}
}

func TestReannounce(t *testing.T) {
	t.Parallel()
	due := conv("491700000001", conversation.Escalated, "1772460000.000100", func(c *conversation.Conversation) {
		c.EscalatedAt, c.AnnouncedAt = now.Add(-95*time.Minute), now.Add(-35*time.Minute)
	})
	fresh := conv("491700000002", conversation.Escalated, "1772460000.000200", func(c *conversation.Conversation) {
		c.AnnouncedAt = now.Add(-10 * time.Minute)
	})
	never := conv("491700000003", conversation.Escalated, "1772460000.000300", func(c *conversation.Conversation) {
		c.AnnouncedAt, c.EscalatedAt = time.Time{}, now.Add(-31*time.Minute)
	})
	noThread := conv("491700000004", conversation.Escalated, "", nil)
	s, d := newStore(t, due, fresh, never, noThread), &desktest.Desk{}
	sw := newSweeper(s, d)

	r, err := sw.Run(t.Context())
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	if diff := cmp.Diff(Report{Reannounced: 2}, r); diff != "" {
		t.Errorf("report (-want +got):\n%s", diff)
	}
	want := []string{
		"reannounce 1772460000.000300: Still unclaimed after 31 min. Claim it above.",
		"reannounce 1772460000.000100: Still unclaimed after 1 h 35 min. Claim it above.",
	}
	if diff := cmp.Diff(want, d.Lines(), cmpSorted); diff != "" {
		t.Errorf("posts (-want +got):\n%s", diff)
	}
	got := get(t, s, due.Key)
	if !got.AnnouncedAt.Equal(now) || got.Version != 2 || got.Status != conversation.Escalated {
		t.Errorf("after re-announcement: announcedAt %v version %d status %s, want %v, 2, escalated", got.AnnouncedAt, got.Version, got.Status, now)
	}
	if got := get(t, s, fresh.Key); got.Version != 1 {
		t.Errorf("fresh escalation written (version %d)", got.Version)
	}

	// The next run, right after, posts nothing again.
	r, err = sw.Run(t.Context())
	if err != nil || r != (Report{}) {
		t.Errorf("second run = %+v, %v; want nothing to do", r, err)
	}
}

var cmpSorted = cmp.Transformer("sort", func(in []string) []string {
	out := slices.Clone(in)
	slices.Sort(out)
	return out
})

func TestReannounceLosesRace(t *testing.T) {
	t.Parallel()
	c := conv("491700000001", conversation.Escalated, "1772460000.000100", nil)
	mem := newStore(t, c)
	s, d := &racing{Store: mem}, &desktest.Desk{}
	s.race = func(ctx context.Context) { // the bot claims it between the sweeper's read and write
		cur := get(t, mem, c.Key)
		cur.Status, cur.Agent = conversation.Claimed, "U0AGENT1"
		if err := mem.PutConversation(ctx, &cur); err != nil {
			t.Errorf("bot's claim: %v", err)
		}
	}
	r, err := newSweeper(s, d).Run(t.Context())
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	if r.Conflicts != 1 || r.Reannounced != 0 || len(d.Lines()) != 0 {
		t.Errorf("report %+v, posts %v; want a conflict and no post", r, d.Lines())
	}
	if got := get(t, mem, c.Key); got.Status != conversation.Claimed || !got.AnnouncedAt.Equal(c.AnnouncedAt) {
		t.Errorf("after the race: status %s announcedAt %v, want the bot's claim kept", got.Status, got.AnnouncedAt)
	}
}

func TestWindowWarning(t *testing.T) {
	t.Parallel()
	inbound := func(ago time.Duration, warned time.Time) func(*conversation.Conversation) {
		return func(c *conversation.Conversation) {
			c.LastInboundAt, c.WarnedAt = now.Add(-ago), warned
			c.AnnouncedAt, c.UpdatedAt = now, now // nothing else due
		}
	}
	tests := []struct {
		name    string
		c       conversation.Conversation
		surface channel.Surface
		want    []string
	}{
		{"whatsapp 50 min left", conv("1", conversation.Claimed, "1772460000.000100", inbound(23*time.Hour+10*time.Minute, time.Time{})), channel.WhatsApp,
			[]string{"note 1772460000.000100: Window closes in 50 min. After that only the approved template can be sent until the customer writes again."}},
		{"messenger 1 h left", conv("2", conversation.Escalated, "1772460000.000200", inbound(23*time.Hour, time.Time{})), channel.Messenger,
			[]string{"note 1772460000.000200: Window closes in 1 h. After that your replies go out with the HUMAN_AGENT tag, up to 7 days after the customer's last message."}},
		{"warned before the customer wrote again", conv("3", conversation.Claimed, "1772460000.000300", inbound(23*time.Hour+30*time.Minute, now.Add(-30*time.Hour))), channel.WhatsApp,
			[]string{"note 1772460000.000300: Window closes in 30 min. After that only the approved template can be sent until the customer writes again."}},
		{"already warned in this window", conv("4", conversation.Claimed, "1772460000.000400", inbound(23*time.Hour+30*time.Minute, now.Add(-20*time.Minute))), channel.WhatsApp, nil},
		{"too early", conv("5", conversation.Claimed, "1772460000.000500", inbound(20*time.Hour, time.Time{})), channel.WhatsApp, nil},
		{"window closed", conv("6", conversation.Claimed, "1772460000.000600", inbound(25*time.Hour, time.Time{})), channel.WhatsApp, nil},
		{"comment", conv("7", conversation.Claimed, "1772460000.000700", inbound(23*time.Hour+30*time.Minute, time.Time{})), channel.Comment, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			tt.c.Key.Surface = tt.surface
			s, d := newStore(t, tt.c), &desktest.Desk{}
			r, err := newSweeper(s, d).Run(t.Context())
			if err != nil {
				t.Fatalf("Run: %v", err)
			}
			if diff := cmp.Diff(tt.want, d.Lines()); diff != "" {
				t.Errorf("posts (-want +got):\n%s", diff)
			}
			if r.Warned != len(tt.want) {
				t.Errorf("Warned = %d, want %d", r.Warned, len(tt.want))
			}
			if len(tt.want) > 0 {
				if got := get(t, s, tt.c.Key); !got.WarnedAt.Equal(now) {
					t.Errorf("WarnedAt = %v, want %v", got.WarnedAt, now)
				}
				// Once per window.
				if r, _ := newSweeper(s, d).Run(t.Context()); r.Warned != 0 {
					t.Errorf("second run warned again")
				}
			}
		})
	}
}

func TestCloseIdle(t *testing.T) {
	t.Parallel()
	idle := conv("491700000001", conversation.Claimed, "1772460000.000100", func(c *conversation.Conversation) {
		c.Agent, c.ClaimedAt = "U0AGENT1", now.Add(-80*time.Hour)
		c.UpdatedAt, c.LastInboundAt = now.Add(-50*time.Hour), now.Add(-60*time.Hour)
	})
	busy := conv("491700000002", conversation.Claimed, "1772460000.000200", func(c *conversation.Conversation) {
		c.UpdatedAt, c.LastInboundAt = now.Add(-50*time.Hour), now.Add(-3*time.Hour)
	})
	s, d := newStore(t, idle, busy), &desktest.Desk{}
	r, err := newSweeper(s, d).Run(t.Context())
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	if r.Closed != 1 {
		t.Errorf("Closed = %d, want 1", r.Closed)
	}
	want := []string{
		"note 1772460000.000100: Closed after 2 d 2 h without activity. The customer's next message goes to the bot.",
		"update 1772460000.000100: closed",
	}
	if diff := cmp.Diff(want, d.Lines()); diff != "" {
		t.Errorf("posts (-want +got):\n%s", diff)
	}
	if got := get(t, s, idle.Key); got.Status != conversation.Closed || !got.UpdatedAt.Equal(now) {
		t.Errorf("idle conversation: status %s updatedAt %v, want closed at %v", got.Status, got.UpdatedAt, now)
	}
	if got := get(t, s, busy.Key); got.Status != conversation.Claimed {
		t.Errorf("busy conversation status = %s, want claimed", got.Status)
	}
}

func TestCloseIdleFollowUpQuietly(t *testing.T) {
	t.Parallel()
	const thread = "1772460000.000300"
	messenger := channel.Key{Surface: channel.Messenger, Account: "1122", User: "6254"}
	followUp := conv("491700000003", conversation.Claimed, thread, func(c *conversation.Conversation) {
		c.Agent, c.ClaimedAt = "U0AGENT1", now.Add(-80*time.Hour)
		c.UpdatedAt, c.LastInboundAt = now.Add(-50*time.Hour), now.Add(-60*time.Hour)
		c.Linked = &messenger
	})
	s, d := newStore(t, followUp), &desktest.Desk{}
	r, err := newSweeper(s, d).Run(t.Context())
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	if r.Closed != 1 || get(t, s, followUp.Key).Status != conversation.Closed {
		t.Errorf("Closed = %d, status %s; want the follow-up closed", r.Closed, get(t, s, followUp.Key).Status)
	}
	if got := d.Lines(); len(got) != 0 {
		t.Errorf("posts = %q, want none: the card and the thread belong to the Messenger conversation", got)
	}
}

func TestRunFailures(t *testing.T) {
	t.Parallel()
	t.Run("desk down: counted, others still swept", func(t *testing.T) {
		t.Parallel()
		a := conv("491700000001", conversation.Escalated, "1772460000.000100", nil)
		b := conv("491700000002", conversation.Escalated, "1772460000.000200", nil)
		s, d := newStore(t, a, b), &desktest.Desk{Err: apperr.E("slack", apperr.Transient, "down")}
		r, err := newSweeper(s, d).Run(t.Context())
		if !apperr.Is(err, apperr.Transient) {
			t.Fatalf("Run error = %v, want the desk's transient error", err)
		}
		if r.Failed != 2 || len(d.Lines()) != 2 {
			t.Errorf("report %+v posts %d, want 2 failures after trying both", r, len(d.Lines()))
		}
	})
	t.Run("store write fails", func(t *testing.T) {
		t.Parallel()
		s := &failing{Store: newStore(t, conv("1", conversation.Escalated, "1772460000.000100", nil)), err: apperr.E("store.Put", apperr.Transient, "throttled")}
		d := &desktest.Desk{}
		r, err := newSweeper(s, d).Run(t.Context())
		if !apperr.Is(err, apperr.Transient) || r.Failed != 1 || len(d.Lines()) != 0 {
			t.Errorf("Run = %+v, %v, posts %v; want a transient failure and no post", r, err, d.Lines())
		}
	})
	t.Run("not configured", func(t *testing.T) {
		t.Parallel()
		if _, err := (&Sweeper{}).Run(t.Context()); !apperr.Is(err, apperr.Internal) {
			t.Errorf("Run = %v, want internal", err)
		}
	})
	t.Run("disabled tasks", func(t *testing.T) {
		t.Parallel()
		s, d := newStore(t, conv("1", conversation.Escalated, "1772460000.000100", func(c *conversation.Conversation) {
			c.LastInboundAt = now.Add(-23*time.Hour - 30*time.Minute)
		})), &desktest.Desk{}
		r, err := (&Sweeper{Conversations: s, Desk: d, Now: func() time.Time { return now }}).Run(t.Context())
		if err != nil || r != (Report{}) || len(d.Lines()) != 0 {
			t.Errorf("Run with zero durations = %+v, %v, %v; want nothing done", r, err, d.Lines())
		}
	})
	t.Run("limit reached", func(t *testing.T) {
		t.Parallel()
		s := newStore(t, conv("1", conversation.Escalated, "1772460000.000100", nil), conv("2", conversation.Escalated, "1772460000.000200", nil))
		sw := newSweeper(s, &desktest.Desk{})
		sw.Limit = 1
		if r, _ := sw.Run(t.Context()); !r.Truncated || r.Reannounced != 1 {
			t.Errorf("report %+v, want truncated after 1", r)
		}
	})
}

// TestSweeperWithSlackDesk runs the sweeper against the real desk and the strict fake Slack API.
func TestSweeperWithSlackDesk(t *testing.T) {
	t.Parallel()
	fake := slacktest.New(t, "xoxb-sweeper", "C0DESK")
	client, err := slackapi.NewClient(slackapi.ClientConfig{Token: "xoxb-sweeper", APIURL: fake.URL(), HTTP: fake.Client()})
	if err != nil {
		t.Fatal(err)
	}
	d := slackapi.NewDesk(client, slackapi.Routes{Default: "C0DESK"}.Channel)
	key := channel.Key{Surface: channel.Messenger, Account: "1234567890", User: "24681357902468"}
	thr, err := d.Announce(t.Context(), desk.Card{Key: key, Reason: desk.ReasonNoMatch, Messages: []string{"hi"}, At: now.Add(-2 * time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	ch, ts := thr.Channel, thr.TS
	c := conv("x", conversation.Claimed, ts, func(c *conversation.Conversation) {
		c.Key, c.SlackChannel = key, ch
		c.UpdatedAt, c.LastInboundAt, c.ClaimedAt = now.Add(-72*time.Hour), now.Add(-72*time.Hour), now.Add(-72*time.Hour)
	})
	sw := newSweeper(newStore(t, c), nil)
	sw.Desk = d
	r, err := sw.Run(t.Context())
	if err != nil || r.Closed != 1 {
		t.Fatalf("Run = %+v, %v; want one closed", r, err)
	}
	card, _ := fake.Message(ch, ts)
	if card.Edits != 1 || !strings.Contains(card.Text, "Closed.") || strings.Contains(string(card.Blocks), `"claim"`) {
		t.Errorf("card after close: edits %d text %q; want updated to closed without buttons", card.Edits, card.Text)
	}
	th := fake.Thread(ch, ts)
	if last := th[len(th)-1]; !strings.Contains(last.Text, "Closed after 3 d") {
		t.Errorf("last thread message %q, want the idle note", last.Text)
	}
}
