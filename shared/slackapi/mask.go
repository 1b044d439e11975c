package slackapi

import (
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/slack-go/slack/slackutilsx"
)

// Replacements Mask puts in place of personal data.
const (
	MaskedPhone  = "[phone]"
	MaskedEmail  = "[email]"
	MaskedNumber = "[number]" // 16 or more digits: card numbers, account numbers
)

var (
	emailRE = regexp.MustCompile(`[\p{L}\p{N}._%+\-]+@[\p{L}\p{N}\-]+(?:\.[\p{L}\p{N}\-]+)*\.\p{L}{2,}`)
	// A run that starts with a digit (or "+" / "(" before one), ends with a digit and has only
	// digits and phone separators in between: spaces, no-break spaces, - . / ( ).
	numberRE = regexp.MustCompile(`\+?\(?\d[\d \t\x{00A0}\x{202F}\-./()]*\d`)
	// Dates look like phone numbers to numberRE; a run that starts with one keeps it.
	dateRE = regexp.MustCompile(`^(?:\d{4}-\d{1,2}-\d{1,2}|\d{1,2}\.\d{1,2}\.(?:\d{4}|\d{2})|\d{1,2}/\d{1,2}/(?:\d{4}|\d{2}))`)
)

// Mask replaces personal data in customer text before it is shown in Slack:
//
//   - e-mail addresses become [email];
//   - numbers of 7 to 15 digits, written with the usual separators (E.164 "+4917112345678",
//     "+49 (0)171 123 45 67", "0171/1234567", "030-1234567", "(555) 123-4567", "555.123.4567"),
//     become [phone]; 16 digits or more (card or account numbers) become [number].
//
// Decisions, so the rule is predictable: a number written right after "#" is a reference the
// agent needs ("order #1234567") and is kept; so is a number glued to letters ("A1234567B",
// a product code); dates ("12.03.2024", "2024-03-12", "03/12/2024") are kept; 6 digits or fewer
// are never masked (postcodes, amounts, "#12345"). Everything else that looks like a phone
// number is masked, even an order number written without "#": Mask errs on the side of masking.
// Obfuscated addresses ("max at example dot com") are not recognised.
func Mask(text string) string {
	text = emailRE.ReplaceAllString(text, MaskedEmail)
	return maskNumbers(text)
}

func maskNumbers(s string) string {
	var b strings.Builder
	last := 0
	for _, loc := range numberRE.FindAllStringIndex(s, -1) {
		start, end := loc[0], loc[1]
		run := s[start:end]
		b.WriteString(s[last:start])
		last = end
		if d := dateRE.FindString(run); d != "" && isDateEnd(run[len(d):]) {
			// A date, alone or followed by a time, a range or another number: keep it. A
			// date-shaped prefix that goes on with the same separators ("06.12.34.56.78") is a
			// phone number.
			b.WriteString(d)
			b.WriteString(maskNumbers(run[len(d):]))
			continue
		}
		prev, _ := utf8.DecodeLastRuneInString(s[:start])
		next, _ := utf8.DecodeRuneInString(s[end:])
		if prev == '#' || isWordRune(next) {
			b.WriteString(run)
			continue
		}
		if isWordRune(prev) {
			// The first group is glued to letters ("A1234567", "DE89 3704 ..."): keep that
			// group, look at the rest on its own.
			i := strings.IndexFunc(run, func(r rune) bool { return r < '0' || r > '9' })
			if i < 0 {
				b.WriteString(run)
				continue
			}
			b.WriteString(run[:i])
			b.WriteString(maskNumbers(run[i:]))
			continue
		}
		switch n := countDigits(run); {
		case n >= 16:
			b.WriteString(MaskedNumber)
		case n >= 7:
			b.WriteString(MaskedPhone)
		default:
			b.WriteString(run)
		}
	}
	b.WriteString(s[last:])
	return b.String()
}

// isDateEnd reports whether rest, what follows a date-shaped prefix, ends the date: nothing, a
// space, or a dash before another date.
func isDateEnd(rest string) bool {
	r, n := utf8.DecodeRuneInString(rest)
	switch {
	case rest == "" || unicode.IsSpace(r) || r == '\u202F':
		return true
	case r == '-':
		return dateRE.MatchString(rest[n:])
	}
	return false
}

func isWordRune(r rune) bool {
	return r != utf8.RuneError && (unicode.IsLetter(r) || unicode.IsDigit(r) || r == '_')
}

func countDigits(s string) int {
	n := 0
	for i := 0; i < len(s); i++ {
		if s[i] >= '0' && s[i] <= '9' {
			n++
		}
	}
	return n
}

// MaskID shortens a customer id (phone number, PSID, IGSID) to its first and last two
// characters, "49******67", so agents can tell customers apart without seeing the id. The number
// of stars is fixed so the id's length is not revealed; ids shorter than 8 characters are fully
// masked.
func MaskID(id string) string {
	r := []rune(id)
	if len(r) < 8 {
		return "******"
	}
	return string(r[:2]) + "******" + string(r[len(r)-2:])
}

// escape makes text safe to embed in Slack mrkdwn or plain text: &, < and > are the three
// characters Slack's formatting reserves (<!channel>, <@U123>, <http://...|x>).
func escape(text string) string { return slackutilsx.EscapeMessage(text) }

// customerText is what Slack shows of a customer's words: masked, escaped, bounded.
func customerText(text string, max int) string {
	return truncate(escape(Mask(text)), max)
}

// truncate cuts s to at most max runes, marking the cut with "…".
func truncate(s string, max int) string {
	if utf8.RuneCountInString(s) <= max {
		return s
	}
	r := []rune(s)
	cut := string(r[:max-1])
	// Do not leave half an escape sequence behind.
	if i := strings.LastIndexByte(cut, '&'); i >= 0 && !strings.Contains(cut[i:], ";") {
		cut = cut[:i]
	}
	return cut + "…"
}
