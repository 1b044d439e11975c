package bot

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/frontdesk-app/frontdesk/shared/adsignals"
	"github.com/frontdesk-app/frontdesk/shared/channel"
	"github.com/frontdesk-app/frontdesk/shared/conversation"
	"github.com/frontdesk-app/frontdesk/shared/desk"
	"github.com/frontdesk-app/frontdesk/shared/faq"
	"github.com/frontdesk-app/frontdesk/shared/metrics"
)

// counter records metrics.
type counter struct {
	mu sync.Mutex
	n  map[string]int
}

func (c *counter) Count(name string, n int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.n == nil {
		c.n = map[string]int{}
	}
	c.n[name] += n
}

func (c *counter) Milliseconds(string, time.Duration) {}

func (c *counter) get(name string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.n[name]
}

// inputs is a brain that records what it was asked: it welcomes openers, answers a payload
// that names an entry ("faq:…"), escalates "mitarbeiter" and answers everything else.
type inputs struct {
	mu  sync.Mutex
	got []faq.Input
}

func (b *inputs) Decide(in faq.Input) faq.Decision {
	b.mu.Lock()
	b.got = append(b.got, in)
	b.mu.Unlock()
	switch {
	case strings.HasPrefix(in.Payload, "faq:"):
		return faq.Decision{Action: faq.Answer, Locale: "de", Text: "Antwort " + in.Payload, EntryID: in.Payload}
	case in.Opener:
		return faq.Decision{Action: faq.Answer, Locale: "de", Text: "Willkommen!", Options: []channel.Option{{ID: "faq:shipping", Title: "Versand"}}}
	case in.Media != "":
		return faq.Decision{Action: faq.Escalate, Locale: "de", Reason: faq.ReasonUnreadableMedia, Text: "Bilder kann ich nicht lesen."}
	case strings.Contains(strings.ToLower(in.Text), "mitarbeiter"):
		return faq.Decision{Action: faq.Escalate, Locale: "de", Reason: faq.ReasonAskedForHuman, Text: "Ich verbinde dich."}
	}
	return faq.Decision{Action: faq.Answer, Locale: "de", Text: "Hallo!", EntryID: "greeting"}
}

func (b *inputs) last(t *testing.T) faq.Input {
	t.Helper()
	b.mu.Lock()
	defer b.mu.Unlock()
	if len(b.got) == 0 {
		t.Fatal("the brain was not asked")
	}
	return b.got[len(b.got)-1]
}

func (b *inputs) asked() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return len(b.got)
}

func newPolicyRig(t *testing.T) (*followRig, *inputs, *counter) {
	t.Helper()
	r := newFollowRig(t)
	brain, m := &inputs{}, &counter{}
	r.bot.Brain, r.bot.Metrics, r.bot.FollowUp = brain, m, nil
	return r, brain, m
}

// deliver hands in to the bot.
func (r *followRig) deliver(in channel.Inbound) {
	r.t.Helper()
	if in.At.IsZero() {
		in.At = r.now
	}
	if err := r.bot.Handle(context.Background(), channel.Event{Inbound: &in}); err != nil {
		r.t.Fatalf("event %s: %v", in.ID, err)
	}
}

func TestGetStartedGetsTheWelcome(t *testing.T) {
	t.Parallel()
	r, brain, _ := newPolicyRig(t)
	r.deliver(channel.Inbound{ID: "pb1", Key: messengerKey, Kind: channel.KindPostback, Payload: "GET_STARTED", Text: "Get Started", Opener: true})
	if in := brain.last(t); !in.Opener || in.Text != "" {
		t.Errorf("the brain was asked %+v, want an opener without text", in)
	}
	got := r.sends(messengerKey.User)
	if len(got) != 1 || messageText(got[0]) != "Willkommen!" {
		t.Fatalf("sends = %+v, want the welcome", got)
	}
	if qr, _ := got[0].JSON["message"].(map[string]any)["quick_replies"].([]any); len(qr) != 1 {
		t.Errorf("quick replies = %v, want the entry button", qr)
	}
	if c := r.conv(messengerKey); c.Misses != 0 {
		t.Errorf("misses = %d, want 0", c.Misses)
	}
}

// A template's quick-reply tap is answered from its payload: the title ("Nein") is never
// matched as a question.
func TestButtonTapsAreAnsweredFromTheirPayload(t *testing.T) {
	t.Parallel()
	r, brain, _ := newPolicyRig(t)
	key := channel.Key{Surface: channel.WhatsApp, Account: phoneID, User: number}
	r.deliver(channel.Inbound{ID: "wamid.b1", Key: key, Kind: channel.KindPostback, Payload: "no_thanks", Text: "Nein"})
	if in := brain.last(t); in.Text != "" || in.Payload != "no_thanks" || !in.Opener {
		t.Errorf("the brain was asked %+v, want the payload alone (welcome unless it names an entry)", in)
	}
	r.deliver(channel.Inbound{ID: "wamid.b2", Key: key, Kind: channel.KindPostback, Payload: "faq:shipping", Text: "Versand"})
	if got := r.sends(number); len(got) != 2 || messageText(got[1]) != "Antwort faq:shipping" {
		t.Errorf("sends = %d, want the welcome then the entry's answer", len(got))
	}
}

func TestLikesAndStickersAreAcknowledgements(t *testing.T) {
	t.Parallel()
	r, brain, m := newPolicyRig(t)
	r.deliver(channel.Inbound{ID: "m1", Key: messengerKey, Kind: channel.KindMessage, Media: "like"})
	r.deliver(channel.Inbound{ID: "m2", Key: messengerKey, Kind: channel.KindMessage, Media: "sticker"})
	if n := brain.asked(); n != 0 {
		t.Errorf("the brain was asked %d times, want never", n)
	}
	if got := r.sends(messengerKey.User); len(got) != 0 {
		t.Errorf("sends = %d, want none", len(got))
	}
	c := r.conv(messengerKey)
	if c.Misses != 0 || c.Status != conversation.Bot || len(r.slack.Calls()) != 0 {
		t.Errorf("misses %d, status %s, slack calls %d; want 0, bot, none", c.Misses, c.Status, len(r.slack.Calls()))
	}
	if m.get(metrics.Acknowledged) != 2 {
		t.Errorf("Acknowledged = %d, want 2", m.get(metrics.Acknowledged))
	}
}

func TestOrderGoesToAPersonWithItsSummary(t *testing.T) {
	t.Parallel()
	r, _, _ := newPolicyRig(t)
	key := channel.Key{Surface: channel.WhatsApp, Account: phoneID, User: number}
	r.deliver(channel.Inbound{ID: "wamid.o1", Key: key, Kind: channel.KindMessage, Media: "order", Text: "3 × HAMBURGER à 30 ILS\n2 × SODA à 10 ILS"})
	c := r.conv(key)
	if c.Status != conversation.Escalated || c.EscalationReason != desk.ReasonOrder {
		t.Fatalf("status %s, reason %q; want escalated for the order", c.Status, c.EscalationReason)
	}
	card, _ := r.slack.Message(c.SlackChannel, c.ThreadTS)
	if !strings.Contains(card.Text, "sent an order") {
		t.Errorf("card does not name the reason: %s", card.Text)
	}
	var details strings.Builder
	for _, m := range r.slack.Thread(c.SlackChannel, c.ThreadTS) {
		details.WriteString(m.Text + string(m.Blocks))
	}
	if !strings.Contains(details.String(), "3 × HAMBURGER à 30 ILS") || !strings.Contains(details.String(), "2 × SODA") {
		t.Errorf("the thread does not show the order's items: %s", details.String())
	}
	if got := r.sends(number); len(got) != 1 || !strings.Contains(messageText(got[0]), "Bestellung") {
		t.Errorf("sends = %+v, want the German order confirmation", got)
	}
}

// A question written from a catalog product ("Message business" on the product) reaches the
// bot as the customer's words alone, and the team as words and product: "Do you have this in
// M?" means nothing to an agent without the item.
func TestProductInquiryNamesTheProductForAgents(t *testing.T) {
	t.Parallel()
	r, brain, _ := newPolicyRig(t)
	key := channel.Key{Surface: channel.WhatsApp, Account: phoneID, User: number}
	product := &channel.Product{CatalogID: "194836987003835", RetailerID: "di9ozbzfi4"}
	r.deliver(channel.Inbound{ID: "wamid.p1", Key: key, Kind: channel.KindMessage, Text: "Gibt es den in M? Sonst bitte einen Mitarbeiter", Product: product})
	if in := brain.last(t); in.Text != "Gibt es den in M? Sonst bitte einen Mitarbeiter" {
		t.Errorf("the bot was asked %q, want the customer's words alone", in.Text)
	}
	c := r.conv(key)
	if c.Status != conversation.Escalated {
		t.Fatalf("status %s, want escalated", c.Status)
	}
	var thread strings.Builder
	for _, m := range r.slack.Thread(c.SlackChannel, c.ThreadTS) {
		thread.WriteString(m.Text + string(m.Blocks))
	}
	if !strings.Contains(thread.String(), "[product di9ozbzfi4] Gibt es den in M?") {
		t.Errorf("the thread does not name the product with the question: %s", thread.String())
	}
	r.deliver(channel.Inbound{ID: "wamid.p2", Key: key, Kind: channel.KindMessage, Text: "Und in L?", Product: product})
	thread.Reset()
	for _, m := range r.slack.Thread(c.SlackChannel, c.ThreadTS) {
		thread.WriteString(m.Text + string(m.Blocks))
	}
	if !strings.Contains(thread.String(), "[product di9ozbzfi4] Und in L?") {
		t.Errorf("the mirrored follow-up does not name the product: %s", thread.String())
	}
}

func TestStoryMentionIsADeskSignal(t *testing.T) {
	t.Parallel()
	r, brain, _ := newPolicyRig(t)
	key := channel.Key{Surface: channel.Instagram, Account: igID, User: "1284392018834727"}
	r.deliver(channel.Inbound{ID: "ig1", Key: key, Kind: channel.KindMessage, Media: "story_mention"})
	if brain.asked() != 0 || len(r.sends(key.User)) != 0 {
		t.Errorf("the customer got an answer to a story mention")
	}
	c := r.conv(key)
	if c.Status != conversation.Bot || c.ThreadTS == "" {
		t.Fatalf("status %s, thread %q; want the bot's conversation with a card for the team", c.Status, c.ThreadTS)
	}
	card, _ := r.slack.Message(c.SlackChannel, c.ThreadTS)
	if !strings.Contains(card.Text, "mentioned us in their story") || strings.Contains(card.Text, "Handed back") {
		t.Errorf("card = %q, want the story mention, not a hand-back", card.Text)
	}
}

// The clock story: a message delivered 3 days late gets no stale bot answer (counted),
// one 2 hours late is answered.
func TestLateMessagesGetNoStaleAnswer(t *testing.T) {
	t.Parallel()
	r, _, m := newPolicyRig(t)
	late := channel.Key{Surface: channel.WhatsApp, Account: phoneID, User: "491700000003"}
	r.deliver(channel.Inbound{ID: "wamid.late3d", Key: late, Kind: channel.KindMessage, Text: "Wann liefert ihr?", At: r.now.Add(-72 * time.Hour)})
	if got := r.sends(late.User); len(got) != 0 {
		t.Errorf("3 days late: %d sends, want none", len(got))
	}
	if n := m.get(metrics.StaleAnswersDropped); n != 1 {
		t.Errorf("StaleAnswersDropped = %d, want 1", n)
	}
	fresh := channel.Key{Surface: channel.WhatsApp, Account: phoneID, User: "491700000002"}
	r.deliver(channel.Inbound{ID: "wamid.late2h", Key: fresh, Kind: channel.KindMessage, Text: "Wann liefert ihr?", At: r.now.Add(-2 * time.Hour)})
	if got := r.sends(fresh.User); len(got) != 1 || messageText(got[0]) != "Hallo!" {
		t.Errorf("2 hours late: sends %+v, want the answer", got)
	}
	if n := m.get(metrics.StaleAnswersDropped); n != 1 {
		t.Errorf("StaleAnswersDropped = %d after the fresh one, want still 1", n)
	}
}

// A late message that needs a person still reaches the desk, without a stale notice.
func TestLateEscalationReachesTheDeskSilently(t *testing.T) {
	t.Parallel()
	r, _, _ := newPolicyRig(t)
	key := channel.Key{Surface: channel.WhatsApp, Account: phoneID, User: number}
	r.deliver(channel.Inbound{ID: "wamid.l", Key: key, Kind: channel.KindMessage, Text: "Ich will einen Mitarbeiter", At: r.now.Add(-30 * time.Hour)})
	if got := r.sends(number); len(got) != 0 {
		t.Errorf("sends = %d, want none", len(got))
	}
	if c := r.conv(key); c.Status != conversation.Escalated || c.ThreadTS == "" {
		t.Errorf("status %s, thread %q; want escalated with a card", c.Status, c.ThreadTS)
	}
}

// The bot's own replies pass the window policy: with a freshness limit beyond the window, a
// Messenger answer after 24 hours is not sent (a bot may not use HUMAN_AGENT).
func TestBotRepliesPassTheWindowPolicy(t *testing.T) {
	t.Parallel()
	r, _, m := newPolicyRig(t)
	r.bot.Freshness = 3 * 24 * time.Hour
	r.deliver(channel.Inbound{ID: "m-old", Key: messengerKey, Kind: channel.KindMessage, Text: "Hallo", At: r.now.Add(-25 * time.Hour)})
	if got := r.sends(messengerKey.User); len(got) != 0 {
		t.Errorf("sends = %d, want none after the window", len(got))
	}
	if n := m.get(metrics.StaleAnswersDropped); n != 1 {
		t.Errorf("StaleAnswersDropped = %d, want 1", n)
	}
}

func TestEditsAndDeletesReachTheThread(t *testing.T) {
	t.Parallel()
	r, _, _ := newPolicyRig(t)
	in := r.say(messengerKey, "Ich möchte mit einem Mitarbeiter sprechen", "")
	r.deliver(channel.Inbound{ID: in.ID + ":edit:1", Key: messengerKey, Kind: channel.KindEdit, ReplyTo: in.ID, Text: "Ich möchte mit einem Mitarbeiter sprechen, Bestellung 4711"})
	r.deliver(channel.Inbound{ID: "x:deleted", Key: messengerKey, Kind: channel.KindDeleted, ReplyTo: "x"})
	thread := r.thread(messengerKey)
	if !strings.Contains(thread, "(edited)") || !strings.Contains(thread, "Bestellung 4711") {
		t.Errorf("thread does not show the edit:\n%s", thread)
	}
	if !strings.Contains(thread, "deleted a message") {
		t.Errorf("thread does not show the deletion:\n%s", thread)
	}
	if got := r.sends(messengerKey.User); len(got) != 1 {
		t.Errorf("sends = %d, want only the escalation notice", len(got))
	}
}

func TestAbusiveCommentsGetNoPrivateReply(t *testing.T) {
	t.Parallel()
	r, brain, m := newPolicyRig(t)
	key := channel.Key{Surface: channel.Comment, Account: pageID, User: "5310000000000099"}
	r.deliver(channel.Inbound{ID: "c1", Key: key, Kind: channel.KindComment, CommentID: "c1", Text: "You scammers, delete this account!"})
	r.deliver(channel.Inbound{ID: "c2", Key: key, Kind: channel.KindComment, CommentID: "c2", Text: "Follow me for free followers www.spam.xyz"})
	if brain.asked() != 0 || len(r.sends("c1"))+len(r.sends("c2")) != 0 {
		t.Errorf("an abusive or spam comment got a reply")
	}
	if n := m.get(metrics.CommentsModerated); n != 2 {
		t.Errorf("CommentsModerated = %d, want 2", n)
	}
	r.deliver(channel.Inbound{ID: "c3", Key: key, Kind: channel.KindComment, CommentID: "c3", Text: "How do I delete my account?"})
	if len(r.sends("c3")) != 1 {
		t.Errorf("an honest question under a post got no private reply")
	}
}

func TestSharedPostWithoutWordsIsAskedAbout(t *testing.T) {
	t.Parallel()
	r, brain, _ := newPolicyRig(t)
	key := channel.Key{Surface: channel.Instagram, Account: igID, User: "1284392018834727"}
	r.deliver(channel.Inbound{ID: "s1", Key: key, Kind: channel.KindMessage, Media: "share"})
	if got := r.sends(key.User); len(got) != 1 || !strings.Contains(messageText(got[0]), "Was möchtest du dazu wissen") {
		t.Errorf("sends = %+v, want the question back", got)
	}
	r.deliver(channel.Inbound{ID: "s2", Key: key, Kind: channel.KindMessage, Media: "share", Text: "Gibt es das in Blau?"})
	if in := brain.last(t); in.Media != "" || in.Text != "Gibt es das in Blau?" {
		t.Errorf("the brain was asked %+v, want the words without the media", in)
	}
}

func TestGroupMessagesNeverTouchTheOneToOne(t *testing.T) {
	t.Parallel()
	r, brain, _ := newPolicyRig(t)
	key := channel.Key{Surface: channel.WhatsApp, Account: phoneID, User: number}
	r.deliver(channel.Inbound{ID: "wamid.g", Key: key, Kind: channel.KindMessage, Text: "Hallo zusammen", Group: "Y2FwaV9ncm91cA"})
	if brain.asked() != 0 || len(r.sends(number)) != 0 {
		t.Errorf("a group message was answered")
	}
	if _, err := r.store.GetConversation(context.Background(), key); err == nil {
		t.Errorf("a group message created the participant's conversation")
	}
}

// recordedSignals records the ad signals sent.
type recordedSignals struct {
	mu     sync.Mutex
	events []string
}

func (s *recordedSignals) Signal(_ context.Context, m adsignals.Moment, _ *conversation.Conversation, eventID string, _ time.Time) (adsignals.Outcome, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.events = append(s.events, string(m)+" "+eventID)
	return adsignals.Outcome(""), nil
}

// An ad click without a message: the lead signal goes with the customer's first message after
// it, once.
func TestAdReferralSignalsWithTheFirstMessage(t *testing.T) {
	t.Parallel()
	r, _, _ := newPolicyRig(t)
	r.bot.Consent = nil
	sig := &recordedSignals{}
	r.bot.Signals = sig
	ad := &channel.Referral{Source: "ADS", Type: "OPEN_THREAD", AdID: "6045246247433"}
	r.deliver(channel.Inbound{ID: "ref1", Key: messengerKey, Kind: channel.KindReferral, Referral: ad})
	if len(sig.events) != 0 {
		t.Fatalf("signals after the referral alone = %q, want none", sig.events)
	}
	r.deliver(channel.Inbound{ID: "m1", Key: messengerKey, Kind: channel.KindMessage, Text: "Hallo"})
	r.deliver(channel.Inbound{ID: "m2", Key: messengerKey, Kind: channel.KindMessage, Text: "Noch was"})
	if want := []string{string(adsignals.FirstAdMessage) + " m1"}; strings.Join(sig.events, ",") != strings.Join(want, ",") {
		t.Errorf("signals = %q, want %q", sig.events, want)
	}
}

// On WhatsApp, a bot answer after the 24-hour window goes as the configured template, as an
// agent's would.
func TestBotRepliesAfterTheWindowSendTheTemplateOnWhatsApp(t *testing.T) {
	t.Parallel()
	r, _, _ := newPolicyRig(t)
	r.bot.Freshness = 3 * 24 * time.Hour
	key := channel.Key{Surface: channel.WhatsApp, Account: phoneID, User: number}
	r.deliver(channel.Inbound{ID: "wamid.old", Key: key, Kind: channel.KindMessage, Text: "Hallo", At: r.now.Add(-30 * time.Hour)})
	got := r.sends(number)
	if len(got) != 1 || got[0].JSON["type"] != "template" {
		t.Fatalf("sends = %+v, want the template", got)
	}
	if tmpl, _ := got[0].JSON["template"].(map[string]any); tmpl["name"] != template {
		t.Errorf("template = %v, want %s", tmpl, template)
	}
}
