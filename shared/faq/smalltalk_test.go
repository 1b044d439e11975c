package faq

import (
	"os"
	"testing"

	"github.com/frontdesk-app/frontdesk/shared/channel"
	"github.com/frontdesk-app/frontdesk/shared/faq/decide"
	"github.com/google/go-cmp/cmp"
)

func coffeeBot(t *testing.T) *Bot {
	t.Helper()
	kb, err := LoadKB("testdata/coffee.yaml")
	if err != nil {
		t.Fatal(err)
	}
	b, err := New(kb)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestOwnKBKeepsSmallTalk(t *testing.T) {
	t.Parallel()
	b := coffeeBot(t)
	for _, tt := range []struct{ text, lang, id string }{
		{"Vielen Dank!", German, "thanks"},
		{"thank you so much", English, "thanks"},
		{"Tschüss, bis bald", German, "goodbye"},
		{"bye bye", English, "goodbye"},
		{"Bist du ein Bot?", German, "bot-identity"},
		{"am I chatting with a robot?", English, "bot-identity"},
	} {
		d := b.Decide(Input{Text: tt.text, Locale: tt.lang})
		if d.Action != Answer || d.EntryID != tt.id {
			t.Errorf("Decide(%q) = %s %q (%.2f), want answer %s", tt.text, d.Action, d.EntryID, d.Confidence, tt.id)
			continue
		}
		e, _ := b.KB().Entry(tt.id)
		if d.Text != e.Answer[tt.lang] || d.Text == "" {
			t.Errorf("Decide(%q) text = %q, want the module's %s answer", tt.text, d.Text, tt.lang)
		}
	}
	for _, text := range []string{"Kann ich bitte mit einem echten Menschen sprechen?", "I want to speak to someone"} {
		if d := b.Decide(Input{Text: text}); d.Action != Escalate || d.Reason != ReasonAskedForHuman {
			t.Errorf("Decide(%q) = %s %q, want escalate asked_for_human", text, d.Action, d.Reason)
		}
	}
}

func TestWelcome(t *testing.T) {
	t.Parallel()
	b := coffeeBot(t)
	want := Decision{
		Action: Answer, Locale: German, EntryID: GreetingID, Confidence: 1,
		Text:    "Hallo und willkommen bei der Rösterei Bohnenglück! Was möchtest du wissen?",
		Options: []channel.Option{{ID: "roast-date", Title: "Röstdatum"}, {ID: "opening-hours", Title: "Öffnungszeiten"}},
	}
	d := b.Decide(Input{Opener: true})
	if diff := cmp.Diff(want, d); diff != "" {
		t.Errorf("opener (-want +got):\n%s", diff)
	}
	for _, text := range []string{"Hallo", "Guten Morgen!"} {
		d := b.Decide(Input{Text: text, Misses: 1})
		if d.Action != Answer || d.EntryID != GreetingID || d.Text != want.Text || !cmp.Equal(d.Options, want.Options) || d.Misses != 0 {
			t.Errorf("Decide(%q) = %s %q %q %v misses %d, want the welcome", text, d.Action, d.EntryID, d.Text, d.Options, d.Misses)
		}
	}
	d = b.Decide(Input{Opener: true, Locale: English})
	if d.Text != "Hello and welcome to the Bohnenglück roastery! What would you like to know?" || d.Options[0].Title != "Roast date" {
		t.Errorf("English opener = %q %v", d.Text, d.Options)
	}

	// Without a greeting of its own a KB welcomes with the module's text and its first entries.
	kb, err := ParseKB([]byte(`
- id: a
  title: {de: Aa, en: Aa}
  phrasings: {de: [Frage a], en: [question a]}
  answer: {de: A., en: A.}
- id: b
  human: true
  phrasings: {de: [Frage b], en: [question b]}
- id: c
  title: {de: Cc, en: Cc}
  phrasings: {de: [Frage c], en: [question c]}
  answer: {de: C., en: C.}
`), "x.yaml")
	if err != nil {
		t.Fatal(err)
	}
	b2, err := New(kb, WithPolicy(decide.NewPolicy(0.5)))
	if err != nil {
		t.Fatal(err)
	}
	g, _ := kb.Entry(GreetingID)
	d = b2.Decide(Input{Opener: true, Locale: English})
	want = Decision{Action: Answer, Locale: English, EntryID: GreetingID, Confidence: 1, Text: g.Answer[English],
		Options: []channel.Option{{ID: "a", Title: "Aa"}, {ID: "c", Title: "Cc"}}}
	if diff := cmp.Diff(want, d); diff != "" {
		t.Errorf("default welcome (-want +got):\n%s", diff)
	}
}

func TestDecisionCarriesTheTopThree(t *testing.T) {
	t.Parallel()
	b := sampleBot(t)
	d := b.Decide(Input{Text: "Wie lange dauert die Lieferung?"})
	if len(d.Top) != 3 || d.Top[0].EntryID != d.EntryID || d.Top[0].Score != d.Confidence {
		t.Fatalf("Top = %+v, want three with the answered entry first at the decision's confidence", d.Top)
	}
	if !(d.Top[0].Score >= d.Top[1].Score && d.Top[1].Score >= d.Top[2].Score) {
		t.Errorf("Top not ranked: %+v", d.Top)
	}
}

func TestSmallTalkOptOutAndOverrideNeedsNoPhrasings(t *testing.T) {
	t.Parallel()
	kb, err := ParseKB([]byte("smalltalk: false\nentries:\n- id: a\n  phrasings: {en: [hi]}\n  answer: {en: Hello}\n"), "x.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if len(kb.Entries) != 1 {
		t.Errorf("smalltalk: false kept %d entries, want 1", len(kb.Entries))
	}
	kb, err = ParseKB([]byte("- id: a\n  phrasings: {en: [hi]}\n  answer: {en: Hello}\n- id: thanks\n  answer: {en: Any time!}\n"), "x.yaml")
	if err != nil {
		t.Fatal(err)
	}
	e, _ := kb.Entry("thanks")
	if e.Answer[English] != "Any time!" || e.Answer[German] == "" || len(e.Phrasings[German]) == 0 {
		t.Errorf("overridden thanks = %+v, want the own English answer on the module's phrasings", e)
	}
	if _, err := ParseKB([]byte("- id: a\n  answer: {en: Hello}\n"), "x.yaml"); err == nil {
		t.Error("an entry without phrasings that is no module entry was accepted")
	}
}

func FuzzParseTestCases(f *testing.F) {
	for _, p := range []string{"testdata/smallkb/tea/questions.yaml", "../../cmd/frontdesk/testdata/coffee-tests.yaml"} {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b, false)
	}
	b, err := os.ReadFile("../../cmd/frontdesk/testdata/coffee-tests-failing.jsonl")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(b, true)
	f.Fuzz(func(t *testing.T, b []byte, jsonl bool) {
		name := "fuzz.yaml"
		if jsonl {
			name = "fuzz.jsonl"
		}
		cs, err := ParseTestCases(b, name)
		if err != nil {
			return
		}
		for _, c := range cs {
			if c.Text == "" || c.Expect == "" {
				t.Errorf("ParseTestCases accepted %+v without text or expect", c)
			}
		}
	})
}
