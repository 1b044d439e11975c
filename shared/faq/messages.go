package faq

import (
	"strings"

	"github.com/frontdesk-app/frontdesk/shared/faq/nlp"
)

// Reasons for escalating to a person (Decision.Reason).
const (
	ReasonAskedForHuman   = "asked_for_human"
	ReasonNoMatch         = "no_match"
	ReasonHumanTopic      = "human_topic"
	ReasonUnreadableMedia = "unreadable_media"
)

// Texts are the bot's own messages in one language.
type Texts struct {
	Clarify  string // first miss: please rephrase
	AskBack  string // above the candidates when two are close
	Escalate string // handing over to a person
	Media    string // handing over because of media the bot cannot read
	Welcome  string // opening a conversation when the KB has no greeting entry
}

// texts holds the bot's messages per language.
var texts = map[string]Texts{
	German: {
		Clarify:  "Das habe ich leider nicht verstanden. Kannst du deine Frage anders formulieren?",
		AskBack:  "Meinst du eins davon?",
		Escalate: "Ich verbinde dich mit einem Mitarbeiter. Wir melden uns hier so schnell wie möglich.",
		Media:    "Bilder, Sprachnachrichten und Dateien kann ich leider nicht lesen. Ich verbinde dich mit einem Mitarbeiter.",
		Welcome:  "Hallo! Stell mir einfach deine Frage.",
	},
	English: {
		Clarify:  "Sorry, I did not understand that. Could you rephrase your question?",
		AskBack:  "Did you mean one of these?",
		Escalate: "I am connecting you with a member of our team. We will reply here as soon as possible.",
		Media:    "Sorry, I cannot read pictures, voice messages or files. I am connecting you with a member of our team.",
		Welcome:  "Hi! Just ask me your question.",
	},
}

// TextsFor returns the bot's messages in lang (German when lang is not supported).
func TextsFor(lang string) Texts {
	if t, ok := texts[lang]; ok {
		return t
	}
	return texts[Languages[0]]
}

// Words that ask for a person. Strong ones do on their own in a short message; weak ones only
// together with a verb of talking or calling ("mit der Rezeption sprechen", "talk to someone",
// "jemand soll mich anrufen"); phrases do anywhere.
var (
	strongHumanWords = nlp.WordSet(`mitarbeiter mitarbeiterin mitarbeitern mitarbeitende mensch menschen menschlichen
		kundenberater kundenberaterin berater beraterin sachbearbeiter sachbearbeiterin servicemitarbeiter
		human humans agent agents operator representative representatives rep`)
	weakHumanWords = nlp.WordSet(`person personen jemand jemandem jemanden someone somebody anyone support kundenservice kundendienst
		team teams echten echte echter real live staff employee rezeption empfang reception receptionist
		chef chefin inhaber inhaberin manager owner`)
	talkWords = nlp.WordSet(`sprechen reden telefonieren verbinden verbinde verbindet weiterleiten chatten schreiben
		anrufen zuruckrufen zurückrufen ruf ruft rufen melden meldet
		talk speak chat connect transfer call contact reach phone ring`)
	humanPhrases = []string{"kein bot", "keinen bot", "not a bot", "no bot", "no robot", "keine maschine",
		"jemand vom team", "jemand aus dem team", "jemanden vom team", "someone from the team", "someone from your team",
		"call me", "ruf mich an", "ruft mich an", "rufen sie mich an", "mich zuruckrufen", "mich zurückrufen", "ruft mich bitte zurück", "ruft mich zurück", "ruf mich zurück", "ruf mich bitte zurück", "ruft mich zuruck", "ruf mich zuruck", "ruft mich bitte an", "ruf mich bitte an",
		"echter mensch", "echten menschen", "real person", "real human", "front desk"}
)

// maxHumanRequestWords bounds the messages in which a strong word alone counts as a request:
// in a long message it is more likely part of a question ("… hat mir euer Mitarbeiter gesagt").
const maxHumanRequestWords = 14

// asksForHuman reports whether text asks to talk to a person, in German or English.
func asksForHuman(text string) bool {
	words := nlp.Tokens(text)
	norm := " " + strings.Join(words, " ") + " "
	for _, p := range humanPhrases {
		if strings.Contains(norm, " "+p+" ") {
			return true
		}
	}
	strong, weak, talk := false, false, false
	for _, w := range words {
		strong = strong || strongHumanWords[w]
		weak = weak || weakHumanWords[w]
		talk = talk || talkWords[w]
	}
	return (strong && (talk || len(words) <= maxHumanRequestWords)) || (weak && talk && !asksAboutContact(words))
}

// asksAboutContact tells a question about how to get in touch ("Can I call you?", "Wie kann
// ich euch erreichen?", "What is your phone number?") from a request for a person: the
// customer asks for a way, not for someone now.
func asksAboutContact(words []string) bool {
	for _, w := range words {
		switch w {
		case "you", "euch", "ihnen", "dich", "nummer", "number", "email", "mail", "adresse", "address", "wann", "when", "hours", "zeiten":
			return true
		}
	}
	return false
}

// ordinal returns the 1-based choice a short reply to an ask-back names ("2", "die zweite",
// "the first one"), or 0.
func ordinal(text string) int {
	words := nlp.Tokens(text)
	if len(words) == 0 || len(words) > 4 {
		return 0
	}
	for _, w := range words {
		switch w {
		case "1", "erste", "ersten", "erstes", "first", "eins":
			return 1
		case "2", "zweite", "zweiten", "zweites", "second", "zwei":
			return 2
		case "3", "dritte", "dritten", "drittes", "third", "drei":
			return 3
		}
	}
	return 0
}
