package faq

import "github.com/frontdesk-app/frontdesk/shared/faq/nlp"

// Languages the bot speaks. The first is the default.
const (
	German  = nlp.German
	English = nlp.English
)

// Languages lists the supported languages, the default first.
var Languages = nlp.Languages

// DetectLanguage returns German or English for text, or "" when it cannot tell (see
// nlp.DetectLanguage).
func DetectLanguage(text string) string { return nlp.DetectLanguage(text) }
