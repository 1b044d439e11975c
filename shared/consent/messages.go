package consent

// Confirmations are the replies to a consent command, by locale and command. Meta's name is
// spelled out because the customer opts out of sharing with Meta, not of every advertising.
var Confirmations = map[string]map[Command]string{
	"de": {
		CommandOptOut: "Alles klar: Wir geben ab sofort keine Daten mehr an Meta für Werbung weiter. Mit „Werbung erlauben“ kannst du das jederzeit ändern.",
		CommandOptIn:  "Danke! Wir dürfen ab sofort wieder Daten zu diesem Chat an Meta für Werbung weitergeben. Mit „Werbung stoppen“ kannst du das jederzeit beenden.",
	},
	"en": {
		CommandOptOut: "Done: from now on we no longer share any data with Meta for advertising. Send “allow ads” to change this at any time.",
		CommandOptIn:  "Thanks! From now on we may share data about this chat with Meta for advertising again. Send “stop ads” to end this at any time.",
	},
}

// Confirmation returns the reply to cmd in the locale, falling back to fallback and then to
// English. Locales are matched on their language ("de-AT" is "de").
func Confirmation(cmd Command, locale, fallback string) string {
	for _, l := range []string{locale, fallback, "en"} {
		if len(l) > 2 {
			l = l[:2]
		}
		if m, ok := Confirmations[l]; ok {
			if s, ok := m[cmd]; ok {
				return s
			}
		}
	}
	return ""
}
