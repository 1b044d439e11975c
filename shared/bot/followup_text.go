package bot

import "strings"

// followUpTexts are the bot's words about the WhatsApp follow-up in one language.
type followUpTexts struct {
	// Offer asks whether to tell the customer on WhatsApp; Yes and No are its quick replies
	// (Messenger allows 20 characters per title).
	Offer, Yes, No string
	// CommentOffer rides in the private reply to a comment, which allows no quick replies.
	CommentOffer string
	AskNumber    string
	// BadNumber asks again after something that is not a phone number.
	BadNumber string
	// Granted confirms; %s is the number as the customer will recognise it (+491701234567).
	Granted   string
	Declined  string
	GaveUp    string
	Withdrawn string
}

var followUpText = map[string]followUpTexts{
	"de": {
		Offer:        "Sollen wir dir zusätzlich auf WhatsApp Bescheid geben, sobald wir geantwortet haben?",
		Yes:          "Ja, per WhatsApp",
		No:           "Nein, danke",
		CommentOffer: "Sollen wir dir auf WhatsApp Bescheid geben, sobald wir geantwortet haben? Dann antworte hier mit deiner WhatsApp-Nummer.",
		AskNumber:    "Gern! Wie lautet deine WhatsApp-Nummer? Zum Beispiel +49 170 1234567.",
		BadNumber:    "Das sieht nicht nach einer Telefonnummer aus. Schick mir bitte deine WhatsApp-Nummer mit Vorwahl, zum Beispiel +49 170 1234567, oder „nein“, dann antworten wir dir nur hier.",
		Granted:      "Danke! Sobald wir geantwortet haben, schreiben wir dir auf WhatsApp an %s. Mit „kein WhatsApp“ kannst du das jederzeit zurücknehmen.",
		Declined:     "Alles klar, wir antworten dir hier.",
		GaveUp:       "Ich konnte leider keine Nummer erkennen. Wir antworten dir hier.",
		Withdrawn:    "Alles klar, wir schreiben dir nicht auf WhatsApp. Wir antworten dir hier.",
	},
	"en": {
		Offer:        "Would you also like us to let you know on WhatsApp once we have answered?",
		Yes:          "Yes, on WhatsApp",
		No:           "No, thanks",
		CommentOffer: "Would you like us to let you know on WhatsApp once we have answered? Then reply here with your WhatsApp number.",
		AskNumber:    "Sure! What is your WhatsApp number? For example +44 7911 123456.",
		BadNumber:    "That does not look like a phone number. Please send your WhatsApp number with the country code, for example +44 7911 123456, or “no” and we will only answer here.",
		Granted:      "Thanks! Once we have answered, we will message you on WhatsApp at %s. Send “no WhatsApp” to take this back at any time.",
		Declined:     "All right, we will answer you here.",
		GaveUp:       "Sorry, I could not find a number in that. We will answer you here.",
		Withdrawn:    "All right, we will not message you on WhatsApp. We will answer you here.",
	},
}

// followUpTextsFor returns the texts in the locale's language, else in fallback's, else English.
func followUpTextsFor(locale, fallback string) followUpTexts {
	for _, l := range []string{locale, fallback} {
		if len(l) > 2 {
			l = l[:2]
		}
		if t, ok := followUpText[strings.ToLower(l)]; ok {
			return t
		}
	}
	return followUpText["en"]
}

// Words that answer the offer, normalised (consent.Normalize). A message is an answer only when
// it is one of these as a whole, so "nein, meine Bestellung fehlt noch" is not a "no".
var (
	yesWords = wordSet("ja", "ja gerne", "ja gern", "gerne", "gern", "ja bitte", "jo", "jep", "ok", "okay",
		"klar", "yes", "yes please", "yeah", "yep", "sure", "ja per whatsapp", "yes on whatsapp", "whatsapp", "per whatsapp")
	noWords = wordSet("nein", "nein danke", "ne", "nee", "no", "no thanks", "no thank you", "nope", "lieber hier",
		"hier", "here", "abbrechen", "cancel")
	withdrawWords = wordSet("kein whatsapp", "keine whatsapp", "nicht per whatsapp", "whatsapp stoppen", "stop whatsapp",
		"no whatsapp", "not on whatsapp", "whatsapp stop")
)

func wordSet(words ...string) map[string]bool {
	m := make(map[string]bool, len(words))
	for _, w := range words {
		m[w] = true
	}
	return m
}
