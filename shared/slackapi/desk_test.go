package slackapi

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/slack-go/slack"

	"github.com/frontdesk-app/frontdesk/shared/apperr"
	"github.com/frontdesk-app/frontdesk/shared/channel"
	"github.com/frontdesk-app/frontdesk/shared/conversation"
	"github.com/frontdesk-app/frontdesk/shared/desk"
	"github.com/frontdesk-app/frontdesk/shared/slackapi/slacktest"
)

const (
	testToken   = "xoxb-1111-2222-test"
	testChannel = "C0DESK"
)

// sleeps records the waits the client asked for instead of sleeping.
type sleeps struct {
	mu sync.Mutex
	d  []time.Duration
}

func (s *sleeps) sleep(ctx context.Context, d time.Duration) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.d = append(s.d, d)
	return ctx.Err()
}

func (s *sleeps) waits() []time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]time.Duration(nil), s.d...)
}

func newTestClient(t *testing.T, fake *slacktest.Server, token string, sl *sleeps) *Client {
	t.Helper()
	c, err := NewClient(ClientConfig{Token: token, APIURL: fake.URL(), HTTP: fake.Client(), Sleep: sl.sleep})
	if err != nil {
		t.Fatalf("NewClient: %v", err)
	}
	return c
}

func newTestDesk(t *testing.T) (*Desk, *slacktest.Server, *sleeps) {
	t.Helper()
	fake := slacktest.New(t, testToken, testChannel)
	sl := &sleeps{}
	return NewDesk(newTestClient(t, fake, testToken, sl), Routes{Default: testChannel}.Channel), fake, sl
}

var testKey = channel.Key{Surface: channel.WhatsApp, Account: "1098765", User: "4917112345667"}

func testAnnouncement() desk.Card {
	return desk.Card{
		Key:    testKey,
		Name:   "Anna Schmidt",
		Locale: "de",
		Reason: desk.ReasonAskedForHuman,
		Messages: []string{
			"Hallo, meine Nummer ist 0171 1234567",
			"<!channel> bitte an anna@example.org antworten",
			"Ich möchte mit einem Menschen sprechen",
		},
		Suggestions: []desk.Suggestion{
			{EntryID: "shipping-times", Title: "Lieferzeiten", Answer: "Wir liefern in 2–3 Werktagen.", Score: 0.82},
			{EntryID: "returns", Title: "Rücksendung", Answer: "Rücksendungen sind 30 Tage kostenlos.", Score: 0.41},
		},
		At: testNow,
	}
}

// rendered is what a test reads back from posted blocks.
type rendered struct {
	text    string            // all text of all blocks, joined
	actions []string          // action ids in order
	values  map[string]string // action id -> value (last wins)
}

func render(t *testing.T, raw json.RawMessage) rendered {
	t.Helper()
	var blocks slack.Blocks
	if err := json.Unmarshal(raw, &blocks); err != nil {
		t.Fatalf("blocks do not parse: %v", err)
	}
	r := rendered{values: map[string]string{}}
	var sb strings.Builder
	addText := func(o *slack.TextBlockObject) {
		if o != nil {
			sb.WriteString(o.Text)
			sb.WriteString("\n")
		}
	}
	addButton := func(b *slack.ButtonBlockElement) {
		r.actions = append(r.actions, b.ActionID)
		r.values[b.ActionID] = b.Value
		addText(b.Text)
	}
	for _, b := range blocks.BlockSet {
		switch b := b.(type) {
		case *slack.HeaderBlock:
			addText(b.Text)
		case *slack.SectionBlock:
			addText(b.Text)
			for _, f := range b.Fields {
				addText(f)
			}
			if b.Accessory != nil && b.Accessory.ButtonElement != nil {
				addButton(b.Accessory.ButtonElement)
			}
		case *slack.ActionBlock:
			for _, e := range b.Elements.ElementSet {
				if btn, ok := e.(*slack.ButtonBlockElement); ok {
					addButton(btn)
				}
			}
		case *slack.ContextBlock:
			for _, e := range b.ContextElements.Elements {
				if o, ok := e.(*slack.TextBlockObject); ok {
					addText(o)
				}
			}
		}
	}
	r.text = sb.String()
	return r
}

func TestDeskAnnounce(t *testing.T) {
	t.Parallel()
	dk, fake, _ := newTestDesk(t)
	thr, err := dk.Announce(t.Context(), testAnnouncement())
	ch, ts := thr.Channel, thr.TS
	if err != nil {
		t.Fatalf("Announce: %v", err)
	}
	if ch != testChannel || ts == "" {
		t.Fatalf("Announce = %q, %q, want %q and a ts", ch, ts, testChannel)
	}
	posts := fake.CallsTo("chat.postMessage")
	if len(posts) != 2 {
		t.Fatalf("chat.postMessage calls = %d, want 2 (card, details)", len(posts))
	}
	for _, c := range fake.Calls() {
		if c.TokenIn != "header" {
			t.Errorf("%s token sent in %q, want the Authorization header", c.Method, c.TokenIn)
		}
	}

	card, details := posts[0], posts[1]
	if card.TS != ts || card.ThreadTS != "" {
		t.Errorf("card ts = %q thread_ts = %q, want %q and top level", card.TS, card.ThreadTS, ts)
	}
	if details.ThreadTS != ts || details.Orphan {
		t.Errorf("details thread_ts = %q (orphan %v), want %q", details.ThreadTS, details.Orphan, ts)
	}
	if card.Text == "" || details.Text == "" {
		t.Errorf("fallback texts %q, %q: want both set (notifications show them)", card.Text, details.Text)
	}

	cr := render(t, card.Blocks)
	for _, want := range []string{"WhatsApp", "Anna Schmidt", "49******67", "German", "asked for a person", "Waiting for an agent",
		"stays internal", "`note:`", "`Notiz:`", "mention of a colleague"} {
		if !strings.Contains(cr.text, want) {
			t.Errorf("card does not show %q:\n%s", want, cr.text)
		}
	}
	if diff := cmp.Diff([]string{"claim", "resolve", "handback", "lead"}, cr.actions); diff != "" {
		t.Errorf("card buttons (-want +got):\n%s", diff)
	}

	dr := render(t, details.Blocks)
	for _, want := range []string{"Recent messages", "[phone]", "[email]", "&lt;!channel&gt;", "Ich möchte mit einem Menschen sprechen", "Lieferzeiten", "Rücksendung", "Send this answer"} {
		if !strings.Contains(dr.text, want) {
			t.Errorf("details do not show %q:\n%s", want, dr.text)
		}
	}
	for _, internal := range []string{"0.82", "0.41", "score"} {
		if strings.Contains(dr.text, internal) {
			t.Errorf("details show the bot's score %q:\n%s", internal, dr.text)
		}
	}
	if diff := cmp.Diff([]string{"send_answer", "send_answer"}, dr.actions); diff != "" {
		t.Errorf("details buttons (-want +got):\n%s", diff)
	}
	var values []string
	var blocks slack.Blocks
	_ = json.Unmarshal(details.Blocks, &blocks)
	for _, b := range blocks.BlockSet {
		if s, ok := b.(*slack.SectionBlock); ok && s.Accessory != nil && s.Accessory.ButtonElement != nil {
			values = append(values, s.Accessory.ButtonElement.Value)
		}
	}
	if diff := cmp.Diff([]string{"shipping-times", "returns"}, values); diff != "" {
		t.Errorf("send_answer values (-want +got):\n%s", diff)
	}

	// Nothing personal or dangerous reaches Slack in clear.
	for _, c := range fake.Calls() {
		all := c.Text + string(c.Blocks)
		for _, leak := range []string{"4917112345667", "0171 1234567", "anna@example.org", "<!channel>"} {
			if strings.Contains(all, leak) {
				t.Errorf("%s sent %q to Slack", c.Method, leak)
			}
		}
	}
}

func TestDeskAnnounceWithoutDetails(t *testing.T) {
	t.Parallel()
	dk, fake, _ := newTestDesk(t)
	a := testAnnouncement()
	a.Messages, a.Suggestions, a.Name = nil, nil, ""
	if _, err := dk.Announce(t.Context(), a); err != nil {
		t.Fatalf("Announce: %v", err)
	}
	posts := fake.CallsTo("chat.postMessage")
	if len(posts) != 1 {
		t.Fatalf("chat.postMessage calls = %d, want 1 (no details to post)", len(posts))
	}
	if r := render(t, posts[0].Blocks); !strings.Contains(r.text, "WhatsApp · 49******67") {
		t.Errorf("card without a name should name the masked id:\n%s", r.text)
	}
}

func TestDeskAnnounceDetailsFail(t *testing.T) {
	t.Parallel()
	dk, fake, _ := newTestDesk(t)
	fake.FailNext("chat.postMessage", slacktest.Failure{After: 1, Error: "msg_too_long"})
	thr, err := dk.Announce(t.Context(), testAnnouncement())
	ch, ts := thr.Channel, thr.TS
	if !apperr.Is(err, apperr.Invalid) {
		t.Fatalf("Announce error = %v, want the details' invalid error", err)
	}
	if _, ok := fake.Message(ch, ts); !ok || ts == "" {
		t.Errorf("Announce = %q, %q with the error; want the posted card's channel and ts so the thread is stored", ch, ts)
	}
}

func TestDeskAnnounceFails(t *testing.T) {
	t.Parallel()
	dk, fake, _ := newTestDesk(t)
	fake.FailNext("chat.postMessage", slacktest.Failure{Error: "channel_not_found"})
	thr, err := dk.Announce(t.Context(), testAnnouncement())
	ch, ts := thr.Channel, thr.TS
	if !apperr.Is(err, apperr.Invalid) || ch != "" || ts != "" {
		t.Fatalf("Announce = %q, %q, %v; want no thread and an invalid error", ch, ts, err)
	}
	noRoute := NewDesk(dk.c, func(channel.Key, string) string { return "" })
	if _, err := noRoute.Announce(t.Context(), testAnnouncement()); !apperr.Is(err, apperr.Invalid) {
		t.Errorf("Announce without a channel = %v, want invalid", err)
	}
}

func TestDeskUpdate(t *testing.T) {
	t.Parallel()
	tests := []struct {
		status      conversation.Status
		agent       string
		leadBy      string
		wantActions []string
		wantText    string
	}{
		{conversation.Escalated, "", "", []string{"claim", "resolve", "handback", "lead"}, "Waiting for an agent"},
		{conversation.Claimed, "U0AGENT1", "", []string{"resolve", "handback", "lead"}, "Claimed by <@U0AGENT1>"},
		{conversation.Claimed, "U0AGENT1", "U0AGENT2", []string{"resolve", "handback"}, "Claimed by <@U0AGENT1>"},
		{conversation.Closed, "U0AGENT1", "", nil, "Resolved by <@U0AGENT1>"},
		{conversation.Closed, "", "", nil, "Closed."},
		{conversation.Bot, "U0AGENT2", "", nil, "Handed back to the bot by <@U0AGENT2>"},
	}
	for _, tt := range tests {
		t.Run(string(tt.status)+"/"+tt.agent+"/"+tt.leadBy, func(t *testing.T) {
			t.Parallel()
			dk, fake, _ := newTestDesk(t)
			a := testAnnouncement()
			thr, err := dk.Announce(t.Context(), a)
			ch, ts := thr.Channel, thr.TS
			if err != nil {
				t.Fatalf("Announce: %v", err)
			}
			// The bot updates from stored metadata (desk.CardOf): the name, no messages.
			upd := desk.Card{Key: a.Key, Name: a.Name, Locale: a.Locale, Reason: a.Reason, Status: tt.status, Agent: tt.agent, LeadBy: tt.leadBy, At: a.At}
			if err := dk.Update(t.Context(), thr, upd); err != nil {
				t.Fatalf("Update: %v", err)
			}
			m, ok := fake.Message(ch, ts)
			if !ok || m.Edits != 1 {
				t.Fatalf("card edits = %d (found %v), want 1", m.Edits, ok)
			}
			r := render(t, m.Blocks)
			if diff := cmp.Diff(tt.wantActions, r.actions); diff != "" {
				t.Errorf("buttons after update (-want +got):\n%s", diff)
			}
			if !strings.Contains(r.text, tt.wantText) || !strings.Contains(m.Text, tt.wantText) {
				t.Errorf("card text %q / blocks %q, want %q in both", m.Text, r.text, tt.wantText)
			}
			if !strings.Contains(r.text, "Anna Schmidt") || !strings.Contains(r.text, "German") {
				t.Errorf("redrawn card %q lost the customer's name or language", r.text)
			}
			if tt.leadBy != "" && !strings.Contains(r.text, "marked by <@"+tt.leadBy+">") {
				t.Errorf("card %q does not say who marked the lead", r.text)
			}
			// The details, with the send_answer buttons, stay in the thread.
			if th := fake.Thread(ch, ts); len(th) != 1 || !strings.Contains(string(th[0].Blocks), "send_answer") {
				t.Errorf("thread after update = %d messages, want the details reply kept", len(th))
			}
		})
	}
}

func TestDeskMirrorAndNote(t *testing.T) {
	t.Parallel()
	dk, fake, _ := newTestDesk(t)
	thr, err := dk.Announce(t.Context(), testAnnouncement())
	ch, ts := thr.Channel, thr.TS
	if err != nil {
		t.Fatalf("Announce: %v", err)
	}
	if err := dk.Mirror(t.Context(), thr, "Anna <@U0BOSS>", "Meine neue Nummer: +49 171 7654321 & <!here>"); err != nil {
		t.Fatalf("Mirror: %v", err)
	}
	if err := dk.Note(t.Context(), thr, desk.Note{Kind: desk.Claimed, Agent: "U0AGENT1"}); err != nil {
		t.Fatalf("Note: %v", err)
	}
	if err := dk.Reannounce(t.Context(), thr, desk.Note{Kind: desk.Unclaimed, Duration: 35 * time.Minute}); err != nil {
		t.Fatalf("Reannounce: %v", err)
	}
	th := fake.Thread(ch, ts)
	if len(th) != 4 {
		t.Fatalf("thread = %d messages, want details, mirror, note, re-announcement", len(th))
	}
	want := []string{
		":speech_balloon: *Anna &lt;@U0BOSS&gt;:* Meine neue Nummer: [phone] &amp; &lt;!here&gt;",
		":raising_hand: Claimed by <@U0AGENT1>.",
		"<!here> :sos: Still unclaimed after 35 min. Claim it above.",
	}
	got := []string{th[1].Text, th[2].Text, th[3].Text}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("thread texts (-want +got):\n%s", diff)
	}
	if th[2].ReplyBroadcast || !th[3].ReplyBroadcast {
		t.Errorf("broadcast = %v, %v; want only the re-announcement also sent to the channel", th[2].ReplyBroadcast, th[3].ReplyBroadcast)
	}
}

func TestClientRateLimit(t *testing.T) {
	t.Parallel()
	t.Run("honours Retry-After then succeeds", func(t *testing.T) {
		t.Parallel()
		fake := slacktest.New(t, testToken, testChannel)
		sl := &sleeps{}
		c := newTestClient(t, fake, testToken, sl)
		fake.RateLimitNext("chat.postMessage", 7)
		fake.RateLimitNext("chat.postMessage", 2)
		ts, err := c.PostMessage(t.Context(), testChannel, "", "hello", nil)
		if err != nil || ts == "" {
			t.Fatalf("PostMessage = %q, %v; want a ts after the rate limits", ts, err)
		}
		if diff := cmp.Diff([]time.Duration{7 * time.Second, 2 * time.Second}, sl.waits()); diff != "" {
			t.Errorf("waits (-want +got):\n%s", diff)
		}
		calls := fake.Calls()
		if len(calls) != 3 || calls[0].Status != 429 || calls[1].Status != 429 || calls[2].Error != "" {
			t.Errorf("calls = %+v, want 429, 429, ok", calls)
		}
	})
	t.Run("gives up after MaxRetries", func(t *testing.T) {
		t.Parallel()
		fake := slacktest.New(t, testToken, testChannel)
		sl := &sleeps{}
		c := newTestClient(t, fake, testToken, sl)
		for range 4 {
			fake.RateLimitNext("chat.update", 1)
		}
		err := c.UpdateMessage(t.Context(), testChannel, "1767225600.000100", "x", nil)
		if !apperr.Is(err, apperr.Transient) || SlackError(err) != "ratelimited" {
			t.Fatalf("UpdateMessage = %v, want a transient ratelimited error", err)
		}
		if got := len(sl.waits()); got != 3 {
			t.Errorf("waits = %d, want 3 (MaxRetries)", got)
		}
		if got := len(fake.Calls()); got != 4 {
			t.Errorf("calls = %d, want 4", got)
		}
	})
	t.Run("does not wait longer than MaxWait", func(t *testing.T) {
		t.Parallel()
		fake := slacktest.New(t, testToken, testChannel)
		sl := &sleeps{}
		c := newTestClient(t, fake, testToken, sl)
		fake.RateLimitNext("chat.postMessage", 120)
		_, err := c.PostMessage(t.Context(), testChannel, "", "hello", nil)
		if !apperr.Is(err, apperr.Transient) {
			t.Fatalf("PostMessage = %v, want transient", err)
		}
		if len(sl.waits()) != 0 {
			t.Errorf("waited %v for a Retry-After beyond MaxWait", sl.waits())
		}
	})
	t.Run("stops when the context ends", func(t *testing.T) {
		t.Parallel()
		fake := slacktest.New(t, testToken, testChannel)
		ctx, cancel := context.WithCancel(t.Context())
		c, err := NewClient(ClientConfig{Token: testToken, APIURL: fake.URL(), HTTP: fake.Client(),
			Sleep: func(context.Context, time.Duration) error { cancel(); return context.Canceled }})
		if err != nil {
			t.Fatal(err)
		}
		fake.RateLimitNext("chat.postMessage", 1)
		_, err = c.PostMessage(ctx, testChannel, "", "hello", nil)
		if !errors.Is(err, context.Canceled) || !apperr.Is(err, apperr.Transient) {
			t.Fatalf("PostMessage = %v, want canceled and transient", err)
		}
		if got := len(fake.Calls()); got != 1 {
			t.Errorf("calls = %d, want 1", got)
		}
	})
}

func TestClientErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		token     string
		channel   string
		threadTS  string
		fail      *slacktest.Failure
		update    string // ts to update instead of posting
		wantKind  apperr.Kind
		wantSlack string
	}{
		{name: "wrong token", token: "xoxb-wrong", channel: testChannel, wantKind: apperr.Internal, wantSlack: "invalid_auth"},
		{name: "unknown channel", channel: "C0NOWHERE", wantKind: apperr.Invalid, wantSlack: "channel_not_found"},
		{name: "bad thread ts", channel: testChannel, threadTS: "0", wantKind: apperr.Invalid, wantSlack: "invalid_thread_ts"},
		{name: "not in channel", channel: testChannel, fail: &slacktest.Failure{Error: "not_in_channel"}, wantKind: apperr.Invalid, wantSlack: "not_in_channel"},
		{name: "missing scope", channel: testChannel, fail: &slacktest.Failure{Error: "missing_scope"}, wantKind: apperr.Internal, wantSlack: "missing_scope"},
		{name: "internal error", channel: testChannel, fail: &slacktest.Failure{Error: "internal_error"}, wantKind: apperr.Transient, wantSlack: "internal_error"},
		{name: "unknown error", channel: testChannel, fail: &slacktest.Failure{Error: "something_new"}, wantKind: apperr.Internal, wantSlack: "something_new"},
		{name: "http 503", channel: testChannel, fail: &slacktest.Failure{Status: 503}, wantKind: apperr.Transient},
		{name: "update unknown message", channel: testChannel, update: "1767225699.000100", wantKind: apperr.NotFound, wantSlack: "message_not_found"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			fake := slacktest.New(t, testToken, testChannel)
			token := tt.token
			if token == "" {
				token = testToken
			}
			c := newTestClient(t, fake, token, &sleeps{})
			method := "chat.postMessage"
			if tt.update != "" {
				method = "chat.update"
			}
			if tt.fail != nil {
				fake.FailNext(method, *tt.fail)
			}
			var err error
			if tt.update != "" {
				err = c.UpdateMessage(t.Context(), tt.channel, tt.update, "x", nil)
			} else {
				_, err = c.PostMessage(t.Context(), tt.channel, tt.threadTS, "x", nil)
			}
			if got := apperr.KindOf(err); err == nil || got != tt.wantKind {
				t.Fatalf("err = %v (kind %v), want kind %v", err, got, tt.wantKind)
			}
			if got := SlackError(err); got != tt.wantSlack {
				t.Errorf("SlackError = %q, want %q", got, tt.wantSlack)
			}
			if strings.Contains(apperr.Message(err), token) || strings.Contains(err.Error(), token) {
				t.Errorf("error %q leaks the token", err)
			}
		})
	}
}

func TestNewClientNeedsToken(t *testing.T) {
	t.Parallel()
	if _, err := NewClient(ClientConfig{}); !apperr.Is(err, apperr.Internal) {
		t.Fatalf("NewClient without token = %v, want an internal config error", err)
	}
}

func TestRoutes(t *testing.T) {
	t.Parallel()
	r, err := ParseRoutes("C0ALL, de=C0DE , instagram=C0SOCIAL")
	if err != nil {
		t.Fatalf("ParseRoutes: %v", err)
	}
	tests := []struct {
		surface channel.Surface
		locale  string
		want    string
	}{
		{channel.WhatsApp, "de", "C0DE"},
		{channel.Instagram, "DE", "C0DE"},
		{channel.Instagram, "en", "C0SOCIAL"},
		{channel.Messenger, "en", "C0ALL"},
		{channel.WhatsApp, "", "C0ALL"},
	}
	for _, tt := range tests {
		if got := r.Channel(channel.Key{Surface: tt.surface}, tt.locale); got != tt.want {
			t.Errorf("Channel(%s, %q) = %q, want %q", tt.surface, tt.locale, got, tt.want)
		}
	}
	for _, bad := range []string{"", "de=C0DE", "C0A,C0B", "C0A,=C0B", "C0A,de="} {
		if _, err := ParseRoutes(bad); !apperr.Is(err, apperr.Invalid) {
			t.Errorf("ParseRoutes(%q) = %v, want invalid", bad, err)
		}
	}
}

func TestDeskRefusedClaimOffersTakeOver(t *testing.T) {
	t.Parallel()
	dk, fake, _ := newTestDesk(t)
	thr, err := dk.Announce(t.Context(), testAnnouncement())
	if err != nil {
		t.Fatalf("Announce: %v", err)
	}
	if err := dk.Note(t.Context(), thr, desk.Note{Kind: desk.ClaimRefused, Agent: "U0AGENT2", Other: "U0AGENT1"}); err != nil {
		t.Fatalf("Note: %v", err)
	}
	th := fake.Thread(thr.Channel, thr.TS)
	last := th[len(th)-1]
	if want := ":no_entry_sign: Not claimed: <@U0AGENT1> has this conversation. <@U0AGENT2>, take it over only if you agreed to."; last.Text != want {
		t.Errorf("status line = %q, want %q", last.Text, want)
	}
	if r := render(t, last.Blocks); !slices.Equal(r.actions, []string{"takeover"}) || !strings.Contains(r.text, "Take over") {
		t.Errorf("refused claim's buttons = %v (%q), want one Take over", r.actions, r.text)
	}
}

// TestEveryNoteHasAnIcon: agents scan a thread by its icons.
func TestEveryNoteHasAnIcon(t *testing.T) {
	t.Parallel()
	for _, k := range desk.NoteKinds {
		if noteEmoji[k] == "" {
			t.Errorf("status line %s has no emoji in noteEmoji", k)
		}
	}
}
