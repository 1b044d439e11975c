package moderation

import (
	"regexp"
	"strings"
	"unicode"
)

// Verdict is what a comment is, for the bot.
type Verdict string

// Verdicts.
const (
	OK      Verdict = ""
	Abusive Verdict = "abusive" // insults, slurs, threats
	Spam    Verdict = "spam"    // links, follow-for-follow, crypto and "DM me" offers
)

// Insults in German and English, as whole words (lower case, after folding umlauts and
// repeated letters). Deliberately short: a word that is also harmless in a shop's questions
// ("dumm" in "dumme Frage"?) is not on it.
var insults = wordSet(`idiot idioten idiotin vollidiot arschloch arschlöcher arsch wichser hurensohn
	hure bastard spast spasti missgeburt drecksladen dreckladen scheissladen scheißladen betrüger
	betrügerbande abzocker abzockerbande verarsche verarscht penner fotze schlampe
	fuck fucking fucker motherfucker shit shitty bullshit asshole assholes bitch bastards scammer scammers
	scam moron morons retard retarded cunt dickhead wanker twat crap crappy`)

// insultPhrases are insults of more than one word.
var insultPhrases = []string{"fick dich", "verpiss dich", "halt die fresse", "halts maul", "go to hell",
	"screw you", "piece of shit", "shut up", "scheiß laden", "scheiss laden", "fuck off", "fuck you"}

// spamPhrases are what spam comments say.
var spamPhrases = []string{"follow me", "follow back", "check my profile", "check out my profile", "dm me", "dm for",
	"message me on", "whatsapp me", "folgt mir", "folg mir", "schau auf meinem profil", "link in bio", "link in my bio",
	"earn money", "make money", "passive income", "geld verdienen", "bitcoin", "crypto", "krypto", "forex",
	"investment opportunity", "free followers", "gratis follower", "click here", "klick hier", "promo code"}

var (
	link    = regexp.MustCompile(`(?i)(https?://|www\.|\b[a-z0-9-]+\.(com|net|org|io|xyz|ru|top|info|biz|ly|me)\b)`)
	handles = regexp.MustCompile(`@[A-Za-z0-9_.]{3,}`)
)

// Check tells whether a comment is abusive or spam, or OK for the bot to answer.
func Check(text string) Verdict {
	norm := " " + strings.Join(words(text), " ") + " "
	for _, p := range insultPhrases {
		if strings.Contains(norm, " "+p+" ") {
			return Abusive
		}
	}
	for _, w := range words(text) {
		if insults[w] || insults[squeeze(w)] {
			return Abusive
		}
	}
	for _, p := range spamPhrases {
		if strings.Contains(norm, " "+p+" ") {
			return Spam
		}
	}
	// A link is spam unless the comment asks something ("I ordered on www.shop.de, where is it?").
	if (link.MatchString(text) && !strings.Contains(text, "?")) || len(handles.FindAllString(text, -1)) >= 3 {
		return Spam
	}
	return OK
}

// words splits text into lower-case words of letters and digits.
func words(text string) []string {
	return strings.FieldsFunc(strings.ToLower(text), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r)
	})
}

// squeeze folds letters repeated for emphasis: "idiooot" → "idiot".
func squeeze(w string) string {
	var b strings.Builder
	var last rune
	for _, r := range w {
		if r != last {
			b.WriteRune(r)
		}
		last = r
	}
	return b.String()
}

func wordSet(s string) map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(s) {
		m[w] = true
	}
	return m
}
