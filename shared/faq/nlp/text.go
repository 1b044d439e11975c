// Package nlp is the FAQ matcher's text processing, for German and English: normalisation,
// words, Snowball stems, function words and the language of a message. Pure functions, no I/O.
package nlp

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

// Normalize lower-cases s, folds accents (but keeps ä, ö, ü, ß for the German stemmer), drops
// apostrophes and turns every run of other non-letter, non-digit runes (punctuation, emoji,
// symbols) into one space.
func Normalize(s string) string {
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

// Tokens splits normalised text into words.
func Tokens(s string) []string { return strings.Fields(Normalize(s)) }

// Stem reduces a normalised word to its stem in lang. Words are folded the same way in both
// languages (ä → a, ß → ss) so a query in an undetected language still meets the KB's stems.
func Stem(word, lang string) string {
	if lang == German {
		return germanStem(word)
	}
	if isASCII(word) {
		return english.Stem(word, false)
	}
	return FoldUmlauts(word)
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
	germanWords  = WordSet(`aber alle allem allen aller alles als also am an andere anderen auch auf aus bei beim bin bis bist bitte da damit dann das dass dein deine deinem deinen deiner dem den denn der des dich die dies diese diesem diesen dieser dir doch dort du durch ein eine einem einen einer eines einfach er es etwas euch euer eure fur für gibt gerne geht gehen habe haben hallo hast hatte heute hier ich ihm ihn ihnen ihr ihre im immer ist ja jetzt kann kannst kein keine konnen können konnte könnte mache machen mein meine meinem meinen meiner mich mir mit mochte möchte muss mussen müssen nach nicht nichts noch nun nur ob oder ohne schon sein seine sich sie sind soll sollte ueber um und uns unser unsere unter vom von vor war waren warum was weil welche welcher welches wenn wer werde werden wie wieder wieso will wir wird wo woche wurde wäre zu zum zur zwischen danke guten tag morgen bestellung lieferung rücksendung zahlung konto`)
	englishWords = WordSet(`a about after all am an and any are as at be because been before but by can cancel could did do does dont for from get give has have hello hey hi how i if im is it its just know like me much my need no not now of on or order our please return send should so some than thanks that the their them then there they this to up us want was we what when where which who why will with would you your yours shipping delivery payment account`)
)

// WordSet makes a set of the space-separated words of s.
func WordSet(s string) map[string]bool {
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
	for _, w := range Tokens(text) {
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

// StemWord returns the stem of one word in lang, normalised first ("" unless word is one word).
func StemWord(word, lang string) string {
	ts := Tokens(word)
	if len(ts) != 1 {
		return ""
	}
	return Stem(ts[0], lang)
}

// functionWords are the German and English function words: the language cues without the
// content words among them, and more.
var functionWords = func() map[string]bool {
	m := map[string]bool{}
	content := WordSet(`bestellung lieferung rücksendung zahlung konto danke guten tag morgen hallo woche heute
		hello hey hi thanks shipping delivery payment account order return send cancel please bitte
		kein keine no not nicht nichts ohne`)
	extra := WordSet(`habt seid sei hat hatten hattet wird werdet wurden kannst könnt konnt koennt darf darfst dürfen durfen
		dürft durft mag magst möchtest mochtest möchten mochten sollt sollen euer eurem euren eurer ihr ihre ihrem ihren
		mal denn ja nein doch eben halt man sich es etwas irgendwie gerne gern wo wohin woher wann was wer wie welche
		in ins im an am auf bei mit nach seit von zu zum zur aus für fur über uber unter vor hinter neben
		the a an of to in on at by for with from into about does do did is are was were be been being have has had
		can could would will shall should may might must you your yours we our ours i me my mine it its this that these
		those there here what which who whom whose when where why how`)
	for _, set := range []map[string]bool{germanWords, englishWords, extra} {
		for w := range set {
			if !content[w] {
				m[w] = true
			}
		}
	}
	return m
}()

// IsFunctionWord reports whether the normalised word is a German or English function word
// ("habt", "ihr", "the", "how"): one that says nothing about a message's topic.
func IsFunctionWord(w string) bool { return functionWords[w] }
