package faq

import (
	"strings"
	"testing"
)

// A link in an answer is no word a customer asks with: "This is an example." (Meta's sample
// text) used to meet "schnittpunkt.example/termin" in a salon's booking answer and get it.
func TestAnswerLinksAreNoTrainingWords(t *testing.T) {
	t.Parallel()
	kb, err := ParseKB([]byte(`entries:
  - id: appointment
    title: {de: Termin, en: Appointment}
    phrasings:
      de:
        - Wie bekomme ich einen Termin?
      en:
        - How can I book an appointment?
    answer:
      de: "Buche online auf schnittpunkt.example/termin oder schreib an info@schnittpunkt.example."
      en: "Book at https://schnittpunkt.example/booking?ref=faq or call us."
`), "links.yaml")
	if err != nil {
		t.Fatal(err)
	}
	_, ps := phrasingsOf(kb, true)
	var answers []string
	for _, p := range ps {
		if p.Answer {
			answers = append(answers, p.Text)
		}
	}
	if len(answers) != 2 {
		t.Fatalf("answers as training text: %q, want the two answers", answers)
	}
	for _, a := range answers {
		if strings.Contains(a, "example") || strings.Contains(a, "schnittpunkt") {
			t.Errorf("training text %q keeps a link", a)
		}
	}
	if !strings.Contains(answers[0], "Buche online auf") || !strings.Contains(answers[1], "or call us") {
		t.Errorf("training texts %q lost the answers' words", answers)
	}

	b, err := New(kb)
	if err != nil {
		t.Fatal(err)
	}
	if d := b.Decide(Input{Text: "This is an example."}); d.Action == Answer {
		t.Errorf("%q answered with %s at %.2f", "This is an example.", d.EntryID, d.Confidence)
	}
}
