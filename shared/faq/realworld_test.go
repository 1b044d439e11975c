package faq

import "testing"

// The messages that went wrong when a new user first tried the bot: a five-entry coffee shop
// KB, Meta's sample texts and an insult on the sample KB. None may get an answer or a
// human-topic hand-over.
func TestRealWorldMessagesAreNotAnswered(t *testing.T) {
	t.Parallel()
	coffee := coffeeBot(t)
	sample := sampleBot(t)
	for _, tt := range []struct {
		bot  *Bot
		text string
	}{
		{coffee, "Wie lange dauert die Lieferung?"},
		{coffee, "Gutscheine?"},
		{coffee, "Versendet ihr auch nach Österreich?"},
		{sample, "this is a text message"},
		{sample, "This is an example."},
		{sample, "Ihr seid so dumm, echt jetzt"},
		{sample, "you people are idiots"},
	} {
		d := tt.bot.Decide(Input{Text: tt.text})
		if d.Action == Answer || d.Reason == ReasonHumanTopic {
			t.Errorf("Decide(%q) = %s %q %s (%.2f), want no answer and no topic hand-over", tt.text, d.Action, d.EntryID, d.Reason, d.Confidence)
		}
	}
}
