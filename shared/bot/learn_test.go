package bot

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/frontdesk-app/frontdesk/shared/channel"
	"github.com/frontdesk-app/frontdesk/shared/desk"
	"github.com/frontdesk-app/frontdesk/shared/learn"
)

// offers records the "Add to FAQ" offers.
type offers []desk.FAQOffer

func (o *offers) OfferFAQ(_ context.Context, _ desk.Thread, f desk.FAQOffer) error {
	*o = append(*o, f)
	return nil
}

type catalog struct{}

func (catalog) Entries(string) []desk.Entry {
	return []desk.Entry{{ID: "delivery-time", Title: "Lieferzeit"}, {ID: "contact", Title: "Kontakt"}}
}

type answers struct{}

func (answers) Answer(id, _ string) (string, string, bool) {
	switch id {
	case "delivery-time":
		return "Lieferzeit", "1–3 Werktage.", true
	case "contact":
		return "Kontakt", "Schreib uns.", true
	}
	return "", "", false
}

func TestAddToFAQ(t *testing.T) {
	t.Parallel()
	r := newRig(t, answerAll("unused"))
	d := r.withDesk()
	var o offers
	r.bot.Learn, r.bot.Offers, r.bot.Catalog, r.bot.Answers = r.store, &o, catalog{}, answers{}
	r.bot.Subject = func(k channel.Key) string { return "sub_" + k.User }
	r.bot.Mask = func(s string) string { return strings.ReplaceAll(s, "0171 2345678", "[phone]") }
	wa := channel.Key{Surface: channel.WhatsApp, Account: phoneID, User: "491701234567"}
	c := r.escalatedConversation(t, wa, r.now.Add(-time.Hour))
	c.EscalationReason = desk.ReasonNoMatch
	if err := r.store.PutConversation(context.Background(), c); err != nil {
		t.Fatal(err)
	}
	cand := &learn.Candidate{Subject: "sub_" + wa.User, Channel: c.SlackChannel, ThreadTS: c.ThreadTS,
		Question: "Wann kommt mein Paket? [phone]", Lang: "de", Entry: "contact", ExpiresAt: r.now.Add(learn.CandidateLife)}
	if err := r.store.PutCandidate(context.Background(), cand); err != nil {
		t.Fatal(err)
	}
	agent := func(id string, action channel.AgentAction, answer, text string) {
		t.Helper()
		err := r.bot.Handle(context.Background(), channel.Event{Agent: &channel.AgentEvent{ID: id, Action: action, Key: wa,
			Channel: c.SlackChannel, ThreadTS: c.ThreadTS, User: "U1", Answer: answer, Text: text, At: r.now}})
		if err != nil {
			t.Fatal(err)
		}
	}

	// An answer from the knowledge base: the offer preselects the sent entry, with no "new entry".
	agent("ia:1", channel.ActionSendAnswer, "delivery-time", "")
	if len(o) != 1 || o[0].Selected != "delivery-time" || o[0].Reply != "" || o[0].Question != cand.Question || len(o[0].Entries) != 2 {
		t.Fatalf("offer after Send this answer = %+v", o)
	}
	// Own replies: the first offers the reply as a new entry (masked), the next ones do not repeat it.
	agent("Ev2", channel.ActionReply, "", "Ruf uns an: 0171 2345678")
	agent("Ev3", channel.ActionReply, "", "Noch etwas?")
	if len(o) != 2 || o[1].Selected != "contact" || o[1].Reply != "Ruf uns an: [phone]" {
		t.Fatalf("offers after two own replies = %+v, want one more with the first reply", o)
	}

	agent("ia:4", channel.ActionAddPhrasing, "delivery-time", "")
	agent("ia:4", channel.ActionAddPhrasing, "delivery-time", "") // a redelivery
	agent("ia:5", channel.ActionAddPhrasing, "no-such-entry", "")
	agent("ia:6", channel.ActionNewEntry, "", "Ruf uns an: [phone]")
	ss, err := r.store.Suggestions(context.Background())
	if err != nil || len(ss) != 2 {
		t.Fatalf("suggestions = %+v, %v; want 2", ss, err)
	}
	if ss[0].Entry != "delivery-time" || ss[0].Question != cand.Question || ss[0].Agent != "U1" || ss[0].Subject != cand.Subject {
		t.Errorf("phrasing suggestion = %+v", ss[0])
	}
	if ss[1].Entry != "" || ss[1].NewAnswer != "Ruf uns an: [phone]" {
		t.Errorf("new-entry suggestion = %+v", ss[1])
	}
	lines := strings.Join(d.Lines(), "\n")
	for _, want := range []string{"U1 suggested the question as a new phrasing of “Lieferzeit”", "Nothing added to the FAQ: choose an entry",
		"U1 suggested a new FAQ entry with their reply"} {
		if !strings.Contains(lines, want) {
			t.Errorf("desk lines lack %q:\n%s", want, lines)
		}
	}
	counts, _ := r.store.Counts(context.Background(), learn.Week(r.now))
	if counts[learn.CounterSuggestions] != 2 || counts["entry:delivery-time"] != 2 { // sent once, phrasing once
		t.Errorf("weekly counts = %v", counts)
	}

	// After the candidate's 7 days, a press stores nothing and says why.
	r.now = r.now.Add(learn.CandidateLife)
	agent("ia:7", channel.ActionAddPhrasing, "contact", "")
	if ss, _ := r.store.Suggestions(context.Background()); len(ss) != 2 {
		t.Errorf("a press after the candidate expired stored a suggestion: %+v", ss)
	}
	if !strings.Contains(strings.Join(d.Lines(), "\n"), "kept only 7 days") {
		t.Errorf("no line says the question is gone:\n%s", strings.Join(d.Lines(), "\n"))
	}
}
