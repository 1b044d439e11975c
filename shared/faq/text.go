package faq

import (
	"strings"
	"unicode"

	"github.com/kljensen/snowball/english"
)

// Languages the bot speaks. The first is the default.
const (
	German  = "de"
	English = "en"
)

// Languages lists the supported languages, the default first.
var Languages = []string{German, English}

// normalize lower-cases s, folds accents (but keeps ä, ö, ü, ß for the German stemmer), drops
// apostrophes and turns every run of other non-letter, non-digit runes (punctuation, emoji,
// symbols) into one space.
func normalize(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	space := true
	for _, r := range s {
		switch {
		case r == '\'' || r == '’' || r == '`' || r == '´':
			continue
		case r == '\u0308': // a combining diaeresis: keep it on the letter before as an umlaut
			continue
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			r = unicode.ToLower(r)
			if f, ok := accentFold[r]; ok {
				r = f
			}
			b.WriteRune(r)
			space = false
		case unicode.Is(unicode.Mn, r):
			continue
		default:
			if !space {
				b.WriteByte(' ')
				space = true
			}
		}
	}
	return strings.TrimSpace(b.String())
}

// accentFold maps accented Latin letters other than the German umlauts to their base letter.
var accentFold = func() map[rune]rune {
	m := make(map[rune]rune)
	for base, accented := range map[rune]string{
		'a': "àáâãåāą", 'c': "çćč", 'e': "èéêëēėęě", 'i': "ìíîïī", 'n': "ñńň", 'o': "òóôõøō",
		'u': "ùúûūůű", 'y': "ýÿ", 's': "śšş", 'z': "źżž", 'l': "ł", 'r': "ř", 'd': "ď", 't': "ť",
	} {
		for _, r := range accented {
			m[r] = base
		}
	}
	m['ẞ'] = 'ß'
	return m
}()

// tokens splits normalised text into words.
func tokens(s string) []string { return strings.Fields(normalize(s)) }

// stem reduces a normalised word to its stem in lang. Words are folded the same way in both
// languages (ä → a, ß → ss) so a query in an undetected language still meets the KB's stems.
func stem(word, lang string) string {
	if lang == German {
		return germanStem(word)
	}
	if isASCII(word) {
		return english.Stem(word, false)
	}
	return foldUmlauts(word)
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

// Function words that tell German from English. Words both languages share ("in", "was",
// "so", "man", "hat"...) are in neither list, or only in the one where they are far more common.
var (
	germanWords  = wordSet(`aber alle allem allen aller alles als also am an andere anderen auch auf aus bei beim bin bis bist bitte da damit dann das dass dein deine deinem deinen deiner dem den denn der des dich die dies diese diesem diesen dieser dir doch dort du durch ein eine einem einen einer eines einfach er es etwas euch euer eure fur für gibt gerne geht gehen habe haben hallo hast hatte heute hier ich ihm ihn ihnen ihr ihre im immer ist ja jetzt kann kannst kein keine konnen können konnte könnte mache machen mein meine meinem meinen meiner mich mir mit mochte möchte muss mussen müssen nach nicht nichts noch nun nur ob oder ohne schon sein seine sich sie sind soll sollte ueber um und uns unser unsere unter vom von vor war waren warum was weil welche welcher welches wenn wer werde werden wie wieder wieso will wir wird wo woche wurde wäre zu zum zur zwischen danke guten tag morgen bestellung lieferung rücksendung zahlung konto`)
	englishWords = wordSet(`a about after all am an and any are as at be because been before but by can cancel could did do does dont for from get give has have hello hey hi how i if im is it its just know like me much my need no not now of on or order our please return send should so some than thanks that the their them then there they this to up us want was we what when where which who why will with would you your yours shipping delivery payment account`)
)

func wordSet(s string) map[string]bool {
	m := make(map[string]bool)
	for _, w := range strings.Fields(s) {
		m[w] = true
	}
	return m
}

// DetectLanguage returns German or English for text, or "" when it cannot tell (no function
// word of either language, no umlaut). Short texts often cannot be told.
func DetectLanguage(text string) string {
	de, en := 0.0, 0.0
	for _, w := range tokens(text) {
		if germanWords[w] {
			de++
		}
		if englishWords[w] {
			en++
		}
		if strings.ContainsAny(w, "äöüß") {
			de += 0.5
		}
		switch {
		case strings.HasSuffix(w, "ung"), strings.HasSuffix(w, "keit"), strings.HasSuffix(w, "lich"), strings.HasPrefix(w, "sch"):
			de += 0.25
		case strings.HasSuffix(w, "ing"), strings.HasSuffix(w, "tion"), strings.HasPrefix(w, "th"), strings.HasSuffix(w, "ly"):
			en += 0.25
		}
	}
	switch {
	case de > en:
		return German
	case en > de:
		return English
	}
	return ""
}

// StemWord returns the matcher's stem of one word in lang (normalised first): what the
// matcher compares, exported for the lexicon generator.
func StemWord(word, lang string) string {
	ts := tokens(word)
	if len(ts) != 1 {
		return ""
	}
	return stem(ts[0], lang)
}
