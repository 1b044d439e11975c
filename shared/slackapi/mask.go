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
	MaskedNumber = "[number]" // 16 or more digits: account numbers, long ids
	MaskedIBAN   = "[iban]"
	MaskedCard   = "[card]" // 13 to 19 digits that pass the Luhn check: payment card numbers
)

var (
	emailRE = regexp.MustCompile(`[\p{L}\p{N}._%+\-]+@[\p{L}\p{N}\-]+(?:\.[\p{L}\p{N}\-]+)*\.\p{L}{2,}`)
	// A run that starts with a digit (or "+" / "(" before one), ends with a digit and has only
	// digits and phone separators in between: spaces, no-break spaces, - . / ( ).
	numberRE = regexp.MustCompile(`\+?\(?\d[\d \t\x{00A0}\x{202F}\-./()]*\d`)
	// Dates look like phone numbers to numberRE; a run that starts with one keeps it.
	// An IBAN candidate: country code, check digits, then letters and digits in groups. Where it
	// ends is decided by the country's length (ibanLength) or the checksum.
	ibanRE = regexp.MustCompile(`(?i)\b[a-z]{2}\d{2}(?:[ \-\x{00A0}]?[a-z0-9]){11,32}`)
	dateRE = regexp.MustCompile(`^(?:\d{4}-\d{1,2}-\d{1,2}|\d{1,2}\.\d{1,2}\.(?:\d{4}|\d{2})|\d{1,2}/\d{1,2}/(?:\d{4}|\d{2}))`)
)

// Mask replaces personal data in customer text before it is shown in Slack:
//
//   - e-mail addresses become [email];
//   - IBANs become [iban]: a known country's length, or any that passes the mod-97 check, with or
//     without spaces between the groups;
//   - payment card numbers, 13 to 19 digits passing the Luhn check, become [card];
//   - other numbers of 7 to 15 digits, written with the usual separators (E.164 "+4917112345678",
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
	text = maskIBANs(text)
	return maskNumbers(text)
}

// ibanLength is the length of an IBAN per country (SWIFT's IBAN Registry, release 99).
var ibanLength = map[string]int{
	"AD": 24, "AE": 23, "AL": 28, "AT": 20, "AZ": 28, "BA": 20, "BE": 16, "BG": 22, "BH": 22, "BI": 27,
	"BR": 29, "BY": 28, "CH": 21, "CR": 22, "CY": 28, "CZ": 24, "DE": 22, "DJ": 27, "DK": 18, "DO": 28,
	"EE": 20, "EG": 29, "ES": 24, "FI": 18, "FK": 18, "FO": 18, "FR": 27, "GB": 22, "GE": 22, "GI": 23,
	"GL": 18, "GR": 27, "GT": 28, "HR": 21, "HU": 28, "IE": 22, "IL": 23, "IQ": 23, "IS": 26, "IT": 27,
	"JO": 30, "KW": 30, "KZ": 20, "LB": 28, "LC": 32, "LI": 21, "LT": 20, "LU": 20, "LV": 21, "LY": 25,
	"MC": 27, "MD": 24, "ME": 22, "MK": 19, "MN": 20, "MR": 27, "MT": 31, "MU": 30, "NI": 28, "NL": 18,
	"NO": 15, "OM": 23, "PK": 24, "PL": 28, "PS": 29, "PT": 25, "QA": 29, "RO": 24, "RS": 22, "RU": 33,
	"SA": 24, "SC": 31, "SD": 18, "SE": 24, "SI": 19, "SK": 24, "SM": 27, "SO": 23, "ST": 25, "SV": 28,
	"TL": 23, "TN": 24, "TR": 26, "UA": 29, "VA": 22, "VG": 24, "XK": 20, "YE": 30,
}

// maskIBANs replaces IBANs with [iban]: a known country's IBAN of the right length (a typo in
// the check digits does not make it less personal), or any other that passes the mod-97 check.
// Spaces, dashes and no-break spaces between groups are allowed; lower case too.
func maskIBANs(s string) string {
	var b strings.Builder
	last := 0
	for _, loc := range ibanRE.FindAllStringIndex(s, -1) {
		if loc[0] < last {
			continue
		}
		end := ibanEnd(s[loc[0]:loc[1]])
		if end == 0 {
			continue
		}
		end += loc[0]
		if next, _ := utf8.DecodeRuneInString(s[end:]); isWordRune(next) {
			continue // glued to more letters or digits: a code of some other kind
		}
		b.WriteString(s[last:loc[0]])
		b.WriteString(MaskedIBAN)
		last = end
	}
	b.WriteString(s[last:])
	return b.String()
}

// ibanEnd returns the byte length of the IBAN that cand starts with, or 0.
func ibanEnd(cand string) int {
	var compact []byte
	ends := []int{} // ends[i]: byte offset in cand just past compact character i
	for i := 0; i < len(cand); i++ {
		c := cand[i]
		switch {
		case c >= 'a' && c <= 'z':
			c -= 'a' - 'A'
		case c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
		default:
			continue
		}
		compact = append(compact, c)
		ends = append(ends, i+1)
	}
	if n, ok := ibanLength[string(compact[:2])]; ok {
		if len(compact) < n || countDigits(string(compact[4:n])) < 6 {
			return 0
		}
		return ends[n-1]
	}
	for n := min(len(compact), 34); n >= 15; n-- {
		if mod97(compact[:n]) == 1 {
			return ends[n-1]
		}
	}
	return 0
}

// mod97 is the IBAN checksum (ISO 13616): the IBAN with its first four characters moved to the
// end, letters as 10..35, modulo 97; 1 for a valid IBAN.
func mod97(iban []byte) int {
	r := 0
	for _, c := range append(append([]byte{}, iban[4:]...), iban[:4]...) {
		if c >= 'A' {
			r = (r*100 + int(c-'A'+10)) % 97
		} else {
			r = (r*10 + int(c-'0')) % 97
		}
	}
	return r
}

// luhn reports whether the digits of s pass the Luhn check, as every payment card number does.
func luhn(s string) bool {
	sum, double := 0, false
	for i := len(s) - 1; i >= 0; i-- {
		c := s[i]
		if c < '0' || c > '9' {
			continue
		}
		d := int(c - '0')
		if double {
			if d *= 2; d > 9 {
				d -= 9
			}
		}
		sum += d
		double = !double
	}
	return sum%10 == 0
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
		case n >= 13 && n <= 19 && run[0] != '+' && luhn(run):
			b.WriteString(MaskedCard)
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

// Escape makes text safe to embed in a Slack message: &, < and > as entities.
func Escape(text string) string { return escape(text) }

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
