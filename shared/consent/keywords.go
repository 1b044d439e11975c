package consent

import (
	"strings"
	"unicode"
)

// Command is a consent command a customer can send in the chat.
type Command int

// Commands.
const (
	NoCommand Command = iota
	CommandOptOut
	CommandOptIn
)

func (c Command) String() string {
	switch c {
	case CommandOptOut:
		return "opt-out"
	case CommandOptIn:
		return "opt-in"
	}
	return "none"
}

// State returns the consent state the command asks for.
func (c Command) State() State {
	if c == CommandOptIn {
		return Granted
	}
	return Denied
}

// Keyword is one phrase that is a command, in its normalised form (see Normalize).
type Keyword struct {
	Phrase string
	Cmd    Command
	// Locale is "de" or "en"; empty for phrases used in both ("opt out").
	Locale string
}

// Keywords is the phrase list. A message is a command when, normalised and stripped of
// courtesy words ("bitte", "please", "danke", "hallo", "ich möchte", "I want to", "mehr",
// "anymore", ...), it is exactly one of these phrases. Questions (a message ending in "?") are
// never commands: "Werbung stoppen?" asks how, and the FAQ answers it.
var Keywords = []Keyword{
	// German: stop.
	{"werbung stoppen", CommandOptOut, "de"},
	{"werbung stopp", CommandOptOut, "de"},
	{"werbung stop", CommandOptOut, "de"},
	{"stopp werbung", CommandOptOut, "de"},
	{"stop werbung", CommandOptOut, "de"},
	{"werbung beenden", CommandOptOut, "de"},
	{"keine werbung", CommandOptOut, "de"},
	{"keine datenweitergabe", CommandOptOut, "de"},
	{"datenweitergabe stoppen", CommandOptOut, "de"},
	{"datenweitergabe beenden", CommandOptOut, "de"},
	{"datenweitergabe widersprechen", CommandOptOut, "de"},
	{"keine daten weitergeben", CommandOptOut, "de"},
	{"meine daten nicht weitergeben", CommandOptOut, "de"},
	// German: allow.
	{"werbung erlauben", CommandOptIn, "de"},
	{"werbung wieder erlauben", CommandOptIn, "de"},
	{"werbung zulassen", CommandOptIn, "de"},
	{"datenweitergabe erlauben", CommandOptIn, "de"},
	{"datenweitergabe wieder erlauben", CommandOptIn, "de"},
	{"datenweitergabe zulassen", CommandOptIn, "de"},
	// English: stop.
	{"stop ads", CommandOptOut, "en"},
	{"stop ad", CommandOptOut, "en"},
	{"no ads", CommandOptOut, "en"},
	{"stop sharing my data", CommandOptOut, "en"},
	{"stop sharing data", CommandOptOut, "en"},
	{"stop sharing", CommandOptOut, "en"},
	{"dont share my data", CommandOptOut, "en"},
	{"do not share my data", CommandOptOut, "en"},
	// English: allow.
	{"allow ads", CommandOptIn, "en"},
	{"allow sharing", CommandOptIn, "en"},
	{"allow sharing my data", CommandOptIn, "en"},
	{"start sharing", CommandOptIn, "en"},
	// Both languages.
	{"opt out", CommandOptOut, ""},
	{"optout", CommandOptOut, ""},
	{"opt in", CommandOptIn, ""},
	{"optin", CommandOptIn, ""},
}

// courtesy words stripped from the start and the end of a message before matching.
var (
	leadingFillers = []string{
		"bitte", "please", "pls", "plz", "hallo", "hello", "hi", "hey", "moin", "servus", "ok", "okay",
		"ich moechte", "ich mochte", "ich will", "ich wuerde gerne", "wir moechten",
		"i want to", "i wanna", "i would like to", "id like to", "i d like to",
	}
	trailingFillers = []string{
		"bitte", "please", "pls", "plz", "danke", "danke schoen", "vielen dank", "thanks", "thank you",
		"thx", "mehr", "jetzt", "sofort", "ab sofort", "now", "anymore", "any more", "from now on",
	}
)

// maxCommandLen bounds a message that can be a command: longer ones are sentences.
const maxCommandLen = 80

var phrases = func() map[string]Keyword {
	m := make(map[string]Keyword, len(Keywords))
	for _, k := range Keywords {
		m[k.Phrase] = k
	}
	return m
}()

// Detect reports whether text is a consent command, and in which language it was written
// ("de", "en", or "" for phrases used in both). Ordinary sentences are not commands:
// "Ich möchte die Bestellung stoppen" and "stop my order" are not, nor is "I want to opt out of
// the newsletter?" (a question about something else).
func Detect(text string) (cmd Command, locale string, ok bool) {
	if len(text) > 4*maxCommandLen {
		return NoCommand, "", false
	}
	t := strings.TrimSpace(text)
	if strings.HasSuffix(t, "?") || strings.HasSuffix(t, "？") {
		return NoCommand, "", false
	}
	n := Normalize(t)
	if n == "" || len(n) > maxCommandLen {
		return NoCommand, "", false
	}
	n = strip(n)
	k, found := phrases[n]
	if !found {
		return NoCommand, "", false
	}
	return k.Cmd, k.Locale, true
}

// strip removes courtesy words at both ends, repeatedly.
func strip(n string) string {
	for changed := true; changed; {
		changed = false
		for _, f := range leadingFillers {
			if rest, ok := strings.CutPrefix(n, f+" "); ok {
				n, changed = rest, true
			}
		}
		for _, f := range trailingFillers {
			if rest, ok := strings.CutSuffix(n, " "+f); ok {
				n, changed = rest, true
			}
		}
	}
	return n
}

// Normalize lower-cases text, spells umlauts out (ä → ae, ß → ss), drops apostrophes, turns every
// other character that is not a letter or digit into a space and collapses spaces.
func Normalize(text string) string {
	var b strings.Builder
	b.Grow(len(text))
	space := true // suppress leading spaces
	put := func(s string) {
		b.WriteString(s)
		space = false
	}
	for _, r := range strings.ToLower(text) {
		switch r {
		case 'ä':
			put("ae")
		case 'ö':
			put("oe")
		case 'ü':
			put("ue")
		case 'ß':
			put("ss")
		case '\u0308': // combining diaeresis: "u\u0308" is ü
			if !space {
				put("e")
			}
		case '\'', '’', '`', '´':
			// don't → dont
		default:
			switch {
			case unicode.IsLetter(r) || unicode.IsDigit(r):
				put(string(r))
			case !space:
				b.WriteByte(' ')
				space = true
			}
		}
	}
	return strings.TrimSuffix(b.String(), " ")
}
