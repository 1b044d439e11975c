package bot

import (
	"context"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/frontdesk-app/frontdesk/shared/apperr"
	"github.com/frontdesk-app/frontdesk/shared/channel"
	"github.com/frontdesk-app/frontdesk/shared/consent"
	"github.com/frontdesk-app/frontdesk/shared/conversation"
	"github.com/frontdesk-app/frontdesk/shared/faq"
	"github.com/frontdesk-app/frontdesk/shared/graph"
	"github.com/frontdesk-app/frontdesk/shared/graph/graphtest"
	"github.com/frontdesk-app/frontdesk/shared/memstore"
	"github.com/frontdesk-app/frontdesk/shared/retry"
	"github.com/frontdesk-app/frontdesk/shared/slackapi"
	"github.com/frontdesk-app/frontdesk/shared/slackapi/slacktest"
)

const (
	pageID     = "112233445566778"
	pageToken  = "page-test-token"
	igID       = "17841400000000001"
	igToken    = "ig-test-token"
	slackToken = "xoxb-test-token"
	deskID     = "C0DESK"
	template   = "agent_reply_waiting"
	number     = "491701234567"
	agent      = "U0AGENT1"
)

// escalating hands every message that asks for a person to the agents and answers the rest.
var escalating = brainFunc(func(in faq.Input) faq.Decision {
	if strings.Contains(strings.ToLower(in.Text), "mitarbeiter") {
		return faq.Decision{Action: faq.Escalate, Locale: "de", Reason: faq.ReasonAskedForHuman,
			Text: "Ich verbinde dich mit einem Mitarbeiter. Wir melden uns hier so schnell wie möglich."}
	}
	return faq.Decision{Action: faq.Answer, Locale: "de", Text: "Hallo!", EntryID: "greeting"}
})

// followRig is a bot with every part of the follow-up: Graph fake with WhatsApp, Page and
// Instagram accounts, the Slack fake behind the real desk, the consent ledger on the embedded
// store, and a clock the test moves.
type followRig struct {
	t      *testing.T
	bot    *Bot
	store  *memstore.Store
	ledger *consent.Ledger
	graph  *graphtest.Server
	slack  *slacktest.Server
	now    time.Time
	seq    int
}

func newFollowRig(t *testing.T) *followRig {
	t.Helper()
	r := &followRig{t: t, now: t0}
	clock := func() time.Time { return r.now }
	r.store = memstore.New()
	r.store.Now = clock
	r.graph = graphtest.New(t, graphtest.Accounts{
		WhatsApp:  map[string]string{phoneID: waToken},
		Pages:     map[string]string{pageID: pageToken},
		Instagram: map[string]string{igID: igToken},
	})
	g, err := graph.New(graph.Config{
		BaseURL: r.graph.URL(), Transport: &graph.Transport{HTTP: r.graph.Client(), Retry: retry.Policy{Sleep: func(context.Context, time.Duration) error { return nil }}}, InstagramAccounts: []string{igID},
		Tokens: graph.Tokens{WhatsApp: waToken, Page: pageToken, Instagram: igToken},
	})
	if err != nil {
		t.Fatal(err)
	}
	r.slack = slacktest.New(t, slackToken, deskID)
	sc, err := slackapi.NewClient(slackapi.ClientConfig{Token: slackToken, APIURL: r.slack.URL(), HTTP: r.slack.Client()})
	if err != nil {
		t.Fatal(err)
	}
	subjects, err := consent.NewSubjects([]byte("follow-up-test-pepper"))
	if err != nil {
		t.Fatal(err)
	}
	r.ledger = &consent.Ledger{Store: r.store, Subjects: subjects, Conversations: r.store, Now: clock}
	r.bot = &Bot{
		Conversations: r.store, Dedup: r.store, Sender: g, Brain: escalating, Consent: r.ledger,
		Desk:      slackapi.NewDesk(sc, func(channel.Key, string) string { return deskID }),
		FollowUp:  &FollowUp{Ledger: r.ledger, PhoneNumberID: phoneID, DefaultCountryCode: "49"},
		Retention: 30 * 24 * time.Hour, DefaultLocale: "de", Template: template, TemplateLanguage: "de",
		Logger: slog.New(slog.DiscardHandler), Now: clock,
	}
	return r
}

func (r *followRig) advance(d time.Duration) { r.now = r.now.Add(d) }

// say delivers a customer's message on key now.
func (r *followRig) say(key channel.Key, text, payload string) channel.Inbound {
	r.t.Helper()
	r.seq++
	in := channel.Inbound{ID: key.User + "-m" + string(rune('a'+r.seq)), Key: key, Kind: channel.KindMessage, At: r.now,
		Text: text, Payload: payload, Name: "Erika Mustermann"}
	if key.Surface == channel.Comment {
		in.Kind, in.CommentID = channel.KindComment, "900000000000001_"+in.ID
	}
	if err := r.bot.Handle(context.Background(), channel.Event{Inbound: &in}); err != nil {
		r.t.Fatalf("customer message %q: %v", text, err)
	}
	return in
}

// agent posts an agent action into the thread of the conversation key, as the Slack ingress
// does: the event carries the conversation the thread resolves to.
func (r *followRig) agent(key channel.Key, action channel.AgentAction, text string) {
	r.t.Helper()
	c := r.conv(key)
	owner, err := r.store.ConversationByThread(context.Background(), c.SlackChannel, c.ThreadTS)
	if err != nil {
		r.t.Fatalf("thread lookup: %v", err)
	}
	r.seq++
	a := channel.AgentEvent{ID: "Ev" + string(rune('A'+r.seq)), Action: action, Key: owner.Key, Channel: c.SlackChannel,
		ThreadTS: c.ThreadTS, User: agent, Text: text, At: r.now}
	if err := r.bot.Handle(context.Background(), channel.Event{Agent: &a}); err != nil {
		r.t.Fatalf("agent %s: %v", action, err)
	}
}

func (r *followRig) conv(key channel.Key) *conversation.Conversation {
	r.t.Helper()
	c, err := r.store.GetConversation(context.Background(), key)
	if err != nil {
		r.t.Fatalf("conversation %s: %v", key.Surface, err)
	}
	return c
}

// sends returns the Graph sends to recipient (wa_id, PSID or comment id).
func (r *followRig) sends(recipient string) []graphtest.Request {
	var out []graphtest.Request
	for _, q := range r.graph.Requests() {
		rc, _ := q.JSON["recipient"].(map[string]any)
		if q.JSON["to"] == recipient || (rc != nil && (rc["id"] == recipient || rc["comment_id"] == recipient)) {
			out = append(out, q)
		}
	}
	return out
}

// thread returns the texts posted in the conversation's Slack thread.
func (r *followRig) thread(key channel.Key) string {
	c := r.conv(key)
	var b strings.Builder
	for _, m := range r.slack.Thread(c.SlackChannel, c.ThreadTS) {
		b.WriteString(m.Text + "\n")
	}
	return b.String()
}

func messageText(q graphtest.Request) string {
	if m, ok := q.JSON["message"].(map[string]any); ok {
		s, _ := m["text"].(string)
		return s
	}
	if t, ok := q.JSON["text"].(map[string]any); ok {
		s, _ := t["body"].(string)
		return s
	}
	return ""
}

var messengerKey = channel.Key{Surface: channel.Messenger, Account: pageID, User: "6254170001234567"}

// escalateAndGrant runs the first half of the story: the question escalates, the customer
// accepts with the quick reply and gives a national number.
func escalateAndGrant(t *testing.T, r *followRig, key channel.Key) {
	t.Helper()
	r.say(key, "Wo ist mein Paket? Ich möchte mit einem Mitarbeiter sprechen", "")
	r.advance(time.Minute)
	r.say(key, "Ja, per WhatsApp", PayloadFollowUpYes)
	r.advance(time.Minute)
	r.say(key, "0170 1234567", "")
}

// The story: a Messenger question escalates, the customer accepts and gives a number,
// the agent answers 30 hours later, the template goes to WhatsApp, both conversations share the
// thread, and the customer's WhatsApp answer appears in it.
func TestFollowUpMessengerToWhatsApp(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	r := newFollowRig(t)
	escalateAndGrant(t, r, messengerKey)

	got := r.sends(messengerKey.User)
	if len(got) != 4 {
		t.Fatalf("messages to the customer on Messenger = %d, want 4 (notice, offer, ask number, confirmation)", len(got))
	}
	offer := got[1].JSON["message"].(map[string]any)
	qr, _ := offer["quick_replies"].([]any)
	if messageText(got[1]) != followUpText["de"].Offer || len(qr) != 2 || qr[0].(map[string]any)["payload"] != PayloadFollowUpYes {
		t.Errorf("offer = %s", got[1].Body)
	}
	if txt := messageText(got[3]); !strings.Contains(txt, "+491701234567") {
		t.Errorf("confirmation = %q, want the number as the customer can check it", txt)
	}
	c := r.conv(messengerKey)
	if !c.FollowUp.Granted() || c.FollowUp.Number != number || c.Status != conversation.Escalated {
		t.Fatalf("conversation after the number: status %s follow-up %+v", c.Status, c.FollowUp)
	}
	if ok, err := r.ledger.FollowUpAllowed(ctx, messengerKey, number); err != nil || !ok {
		t.Fatalf("ledger FollowUpAllowed = %v, %v; want true", ok, err)
	}
	hist, err := r.ledger.History(ctx, r.ledger.Subjects.FollowUpSubject(r.ledger.Subjects.Key(messengerKey)))
	if err != nil || len(hist) != 1 || hist[0].Source != consent.SourceChat || hist[0].Actor != consent.ActorCustomer ||
		!hist[0].At.Equal(r.now) || hist[0].Target != r.ledger.Subjects.ID(channel.WhatsApp, number) {
		t.Errorf("ledger history = %+v, %v; want one chat grant by the customer, now, for the number", hist, err)
	}
	card, _ := r.slack.Message(deskID, c.ThreadTS)
	if !strings.Contains(string(card.Blocks), "WhatsApp follow-up allowed (+49******67)") {
		t.Errorf("card blocks lack the follow-up line: %s", card.Blocks)
	}
	if th := r.thread(messengerKey); !strings.Contains(th, "WhatsApp follow-up allowed (+49******67)") || strings.Contains(th, "1234567") {
		t.Errorf("thread = %q, want the masked note and never the number", th)
	}

	// 30 hours later the agent answers in the thread.
	r.advance(30 * time.Hour)
	r.agent(messengerKey, channel.ActionReply, "Dein Paket ist heute rausgegangen.")
	wa := r.sends(number)
	if len(wa) != 1 {
		t.Fatalf("WhatsApp sends = %d, want 1 (the template)", len(wa))
	}
	tmpl, _ := wa[0].JSON["template"].(map[string]any)
	if wa[0].Account != phoneID || wa[0].JSON["type"] != "template" || tmpl["name"] != template {
		t.Errorf("WhatsApp send = %s %s", wa[0].Path, wa[0].Body)
	}
	ms := r.sends(messengerKey.User)
	if last := ms[len(ms)-1]; messageText(last) != "Dein Paket ist heute rausgegangen." || last.JSON["tag"] != channel.TagHumanAgent {
		t.Errorf("agent's answer on Messenger = %s, want it with the HUMAN_AGENT tag", last.Body)
	}
	waKey := channel.Key{Surface: channel.WhatsApp, Account: phoneID, User: number}
	w := r.conv(waKey)
	c = r.conv(messengerKey)
	if w.SlackChannel != c.SlackChannel || w.ThreadTS != c.ThreadTS || w.Status != conversation.Claimed || w.Agent != agent ||
		w.Linked == nil || *w.Linked != messengerKey || c.Linked == nil || *c.Linked != waKey || c.FollowUp.NotifiedAt.IsZero() {
		t.Fatalf("after the template: whatsapp %+v, messenger linked %v follow-up %+v", w, c.Linked, c.FollowUp)
	}
	if owner, err := r.store.ConversationByThread(ctx, c.SlackChannel, c.ThreadTS); err != nil || owner.Key != messengerKey {
		t.Errorf("thread owner = %v, %v; want the Messenger conversation", owner, err)
	}
	if th := r.thread(messengerKey); !strings.Contains(th, "WhatsApp template sent to +49******67; replies on WhatsApp continue here.") {
		t.Errorf("thread = %q, want the template note", th)
	}

	// The customer answers on WhatsApp: it appears in the same thread.
	r.advance(2 * time.Hour)
	r.say(waKey, "Super, danke! Kommt es bis Freitag?", "")
	if th := r.thread(messengerKey); !strings.Contains(th, "Kommt es bis Freitag?") {
		t.Errorf("thread = %q, want the customer's WhatsApp message mirrored", th)
	}
	if n := len(r.sends(number)); n != 1 {
		t.Errorf("WhatsApp sends after the customer's answer = %d, want still 1 (the bot stays silent)", n)
	}

	// The agent's next reply goes where the customer wrote last: WhatsApp, inside its window.
	r.advance(10 * time.Minute)
	r.agent(messengerKey, channel.ActionReply, "Ja, spätestens Donnerstag.")
	wa = r.sends(number)
	if len(wa) != 2 || messageText(wa[1]) != "Ja, spätestens Donnerstag." {
		t.Fatalf("WhatsApp sends = %d (last %s), want the agent's text", len(wa), wa[len(wa)-1].Body)
	}
	if n := len(r.sends(messengerKey.User)); n != len(ms) {
		t.Errorf("Messenger sends = %d, want %d: the reply went to WhatsApp only", n, len(ms))
	}

	// Resolving closes both.
	r.agent(messengerKey, channel.ActionResolve, "")
	if c, w := r.conv(messengerKey), r.conv(waKey); c.Status != conversation.Closed || w.Status != conversation.Closed {
		t.Errorf("after resolve: messenger %s, whatsapp %s; want both closed", c.Status, w.Status)
	}
	if n := len(r.sends(number)); n != 2 {
		t.Errorf("WhatsApp sends after resolve = %d, want 2 (no second template)", n)
	}
}

// Nothing goes to WhatsApp without the customer's consent, nor after it was taken back.
func TestFollowUpWithoutConsent(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		// answer runs after the escalation, before the agent answers 30 hours later.
		answer    func(r *followRig)
		wantState conversation.FollowUpState
		wantNote  string
	}{
		{"silence", func(r *followRig) {}, conversation.FollowUpOffered, ""},
		{"no", func(r *followRig) { r.say(messengerKey, "Nein, danke", PayloadFollowUpNo) }, conversation.FollowUpDeclined, ""},
		{"yes but no number", func(r *followRig) { r.say(messengerKey, "ja", "") }, conversation.FollowUpAwaitingNumber, ""},
		{"three unreadable numbers", func(r *followRig) {
			r.say(messengerKey, "ja", "")
			r.say(messengerKey, "0170", "")
			r.say(messengerKey, "12 34", "")
			r.say(messengerKey, "+49 170 1234567 1234567", "")
		}, conversation.FollowUpDeclined, ""},
		{"withdrawn in the chat", func(r *followRig) {
			r.say(messengerKey, "+49 170 1234567", "")
			r.say(messengerKey, "kein WhatsApp", "")
		}, conversation.FollowUpWithdrawn, "withdrew the WhatsApp follow-up"},
		{"ad opt-out in the chat", func(r *followRig) {
			r.say(messengerKey, "+49 170 1234567", "")
			r.say(messengerKey, "Werbung stoppen", "")
		}, conversation.FollowUpWithdrawn, "opted out"},
		{"opt-out on the privacy page", func(r *followRig) {
			r.say(messengerKey, "+49 170 1234567", "")
			r.advance(time.Minute)
			if _, _, err := r.ledger.Decide(context.Background(), consent.Decision{Subject: r.ledger.Subjects.Key(messengerKey),
				State: consent.Denied, Source: consent.SourceAPI, Actor: "privacy-page"}); err != nil {
				r.t.Fatal(err)
			}
		}, conversation.FollowUpWithdrawn, "withdrawn the WhatsApp follow-up (opt-out): nothing sent"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := newFollowRig(t)
			r.say(messengerKey, "Ich möchte mit einem Mitarbeiter sprechen", "")
			tt.answer(r)
			r.advance(30 * time.Hour)
			r.agent(messengerKey, channel.ActionReply, "Hier ist die Antwort.")
			r.agent(messengerKey, channel.ActionResolve, "")
			if n := len(r.sends(number)); n != 0 {
				t.Errorf("WhatsApp sends = %d, want 0", n)
			}
			if _, err := r.store.GetConversation(context.Background(), channel.Key{Surface: channel.WhatsApp, Account: phoneID, User: number}); !apperr.Is(err, apperr.NotFound) {
				t.Errorf("WhatsApp conversation: %v, want none", err)
			}
			c := r.conv(messengerKey)
			if c.FollowUp == nil || c.FollowUp.State != tt.wantState || c.FollowUp.Number != "" || c.Linked != nil {
				t.Errorf("follow-up = %+v linked %v, want state %s and no number", c.FollowUp, c.Linked, tt.wantState)
			}
			if th := r.thread(messengerKey); !strings.Contains(th, tt.wantNote) {
				t.Errorf("thread = %q, want %q", th, tt.wantNote)
			}
		})
	}
}

// Re-asking: something that is not a number gets a localised re-ask, a sentence without a
// number goes to the agents, and a number written as one is accepted without "yes" first.
func TestFollowUpNumberDialogue(t *testing.T) {
	t.Parallel()
	r := newFollowRig(t)
	enKey := channel.Key{Surface: channel.Instagram, Account: igID, User: "1789000000000042"}
	r.bot.Brain = brainFunc(func(in faq.Input) faq.Decision {
		return faq.Decision{Action: faq.Escalate, Locale: "en", Reason: faq.ReasonAskedForHuman, Text: "Connecting you with our team."}
	})
	r.say(enKey, "I want to talk to a human", "")
	r.say(enKey, "yes please", "")
	r.say(enKey, "abc", "")
	r.say(enKey, "My order 4711 is late and nobody answers", "")
	r.say(enKey, "+44 7911 123456", "")
	var texts []string
	for _, q := range r.sends(enKey.User) {
		texts = append(texts, messageText(q))
	}
	want := []string{"Connecting you with our team.", followUpText["en"].Offer, followUpText["en"].AskNumber,
		followUpText["en"].BadNumber, strings.Replace(followUpText["en"].Granted, "%s", "+447911123456", 1)}
	if strings.Join(texts, "|") != strings.Join(want, "|") {
		t.Errorf("messages to the customer:\n got %q\nwant %q", texts, want)
	}
	if th := r.thread(enKey); !strings.Contains(th, "My order 4711 is late") || strings.Contains(th, "abc") {
		t.Errorf("thread = %q: want the sentence mirrored, not the unreadable number", th)
	}
	if c := r.conv(enKey); c.FollowUp.Number != "447911123456" {
		t.Errorf("number = %q", c.FollowUp.Number)
	}
}

// Resolving after the window also sends the template, and the WhatsApp conversation joins the
// thread claimed by the agent, ready for the customer's answer.
func TestFollowUpOnResolve(t *testing.T) {
	t.Parallel()
	r := newFollowRig(t)
	escalateAndGrant(t, r, messengerKey)
	r.advance(30 * time.Hour)
	r.agent(messengerKey, channel.ActionResolve, "")
	if n := len(r.sends(number)); n != 1 {
		t.Fatalf("WhatsApp sends = %d, want the template", n)
	}
	waKey := channel.Key{Surface: channel.WhatsApp, Account: phoneID, User: number}
	if w := r.conv(waKey); w.Status != conversation.Claimed || w.Agent != agent {
		t.Errorf("WhatsApp conversation = %s by %s, want claimed by the agent", w.Status, w.Agent)
	}
	if c := r.conv(messengerKey); c.Status != conversation.Closed {
		t.Errorf("Messenger conversation = %s, want closed", c.Status)
	}
	r.say(waKey, "Danke!", "")
	if th := r.thread(messengerKey); !strings.Contains(th, "Danke!") {
		t.Errorf("thread = %q, want the WhatsApp answer", th)
	}
}

// Inside the window nothing goes to WhatsApp: the answer reaches the customer where they wrote.
func TestFollowUpNotDueInsideWindow(t *testing.T) {
	t.Parallel()
	r := newFollowRig(t)
	escalateAndGrant(t, r, messengerKey)
	r.advance(23 * time.Hour)
	r.agent(messengerKey, channel.ActionReply, "Hier ist die Antwort.")
	r.agent(messengerKey, channel.ActionResolve, "")
	if n := len(r.sends(number)); n != 0 {
		t.Errorf("WhatsApp sends = %d, want 0", n)
	}
}

// Redelivered events send the template once and link once.
func TestFollowUpIdempotent(t *testing.T) {
	t.Parallel()
	r := newFollowRig(t)
	escalateAndGrant(t, r, messengerKey)
	r.advance(30 * time.Hour)
	c := r.conv(messengerKey)
	a := channel.AgentEvent{ID: "EvSame", Action: channel.ActionReply, Key: messengerKey, Channel: c.SlackChannel,
		ThreadTS: c.ThreadTS, User: agent, Text: "Antwort", At: r.now}
	for range 3 {
		if err := r.bot.Handle(context.Background(), channel.Event{Agent: &a}); err != nil {
			t.Fatal(err)
		}
	}
	if n := len(r.sends(number)); n != 1 {
		t.Errorf("WhatsApp sends after 3 deliveries = %d, want 1", n)
	}
	notes := strings.Count(r.thread(messengerKey), "WhatsApp template sent")
	if notes != 1 {
		t.Errorf("template notes = %d, want 1", notes)
	}
}

// A comment's private reply carries the offer (no quick replies are allowed on it).
func TestFollowUpOfferedInPrivateReply(t *testing.T) {
	t.Parallel()
	r := newFollowRig(t)
	key := channel.Key{Surface: channel.Comment, Account: pageID, User: "5310000000000099"}
	in := r.say(key, "Ich brauche einen Mitarbeiter, meine Bestellung ist kaputt", "")
	got := r.sends(in.CommentID)
	if len(got) != 1 {
		t.Fatalf("private replies = %d, want exactly 1", len(got))
	}
	if txt := messageText(got[0]); !strings.HasPrefix(txt, "Ich verbinde dich") || !strings.HasSuffix(txt, followUpText["de"].CommentOffer) {
		t.Errorf("private reply = %q, want the notice and the offer", txt)
	}
	if c := r.conv(key); c.FollowUp == nil || c.FollowUp.State != conversation.FollowUpOffered {
		t.Errorf("follow-up = %+v, want offered", c.FollowUp)
	}
}

// The data deletion callback's erasure removes the link: both conversations and the permission.
func TestFollowUpErasedWithTheCustomer(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	r := newFollowRig(t)
	escalateAndGrant(t, r, messengerKey)
	r.advance(30 * time.Hour)
	r.agent(messengerKey, channel.ActionReply, "Antwort")
	if err := r.ledger.Erase(ctx, consent.SourceDataDeletion, r.ledger.Subjects.Key(messengerKey)); err != nil {
		t.Fatal(err)
	}
	for _, k := range []channel.Key{messengerKey, {Surface: channel.WhatsApp, Account: phoneID, User: number}} {
		if _, err := r.store.GetConversation(ctx, k); !apperr.Is(err, apperr.NotFound) {
			t.Errorf("%s conversation after erasure: %v, want NotFound", k.Surface, err)
		}
	}
	if ok, err := r.ledger.FollowUpAllowed(ctx, messengerKey, number); err != nil || ok {
		t.Errorf("FollowUpAllowed after erasure = %v, %v; want false", ok, err)
	}
}

// A second escalation of the same conversation opens a new thread: the permission stands, and
// the WhatsApp conversation follows into the new thread when the agent answers late again.
func TestFollowUpAgainAfterReescalation(t *testing.T) {
	t.Parallel()
	r := newFollowRig(t)
	escalateAndGrant(t, r, messengerKey)
	r.advance(30 * time.Hour)
	r.agent(messengerKey, channel.ActionReply, "Erste Antwort")
	r.agent(messengerKey, channel.ActionResolve, "")
	first := r.conv(messengerKey).ThreadTS

	r.advance(24 * time.Hour)
	r.say(messengerKey, "Ich möchte nochmal mit einem Mitarbeiter sprechen", "")
	second := r.conv(messengerKey).ThreadTS
	if second == first {
		t.Fatalf("second escalation reused thread %s", first)
	}
	r.advance(30 * time.Hour)
	r.agent(messengerKey, channel.ActionReply, "Zweite Antwort")
	if n := len(r.sends(number)); n != 2 {
		t.Errorf("templates = %d, want 2 (one per escalation)", n)
	}
	w := r.conv(channel.Key{Surface: channel.WhatsApp, Account: phoneID, User: number})
	if w.ThreadTS != second || !w.Escalated() {
		t.Errorf("WhatsApp conversation in thread %s (%s), want the new thread %s", w.ThreadTS, w.Status, second)
	}
	if c := r.conv(messengerKey); c.Linked == nil || c.FollowUp.NotifiedAt.IsZero() {
		t.Errorf("Messenger conversation linked %v follow-up %+v, want linked again", c.Linked, c.FollowUp)
	}
}
