package bot

import "strings"

// policyTexts are the bot's words for input that is no FAQ question, in one language.
type policyTexts struct {
	// Order confirms a catalog order and hands it to a person.
	Order string
	// Flow confirms a completed WhatsApp Flow and hands it to a person.
	Flow string
	// Share asks what the customer wants to know about a post, reel or product they shared.
	Share string
}

var policyText = map[string]policyTexts{
	"de": {
		Order: "Danke für deine Bestellung! Ein Mitarbeiter prüft sie und meldet sich hier so schnell wie möglich.",
		Flow:  "Danke, wir haben deine Angaben erhalten. Ein Mitarbeiter meldet sich hier so schnell wie möglich.",
		Share: "Danke fürs Teilen! Was möchtest du dazu wissen?",
	},
	"en": {
		Order: "Thank you for your order! A member of our team will check it and reply here as soon as possible.",
		Flow:  "Thank you, we have received your details. A member of our team will reply here as soon as possible.",
		Share: "Thanks for sharing! What would you like to know about it?",
	},
}

// policyTextsFor returns the texts in the conversation's language, else in def, else German.
func policyTextsFor(locale, def string) policyTexts {
	for _, l := range []string{locale, def} {
		if t, ok := policyText[strings.ToLower(l)]; ok {
			return t
		}
	}
	return policyText["de"]
}
