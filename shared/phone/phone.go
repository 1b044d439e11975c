package phone

import (
	"errors"
	"log/slog"
	"regexp"
	"strings"
)

// E.164 bounds: the whole number, country code included, has at most 15 digits. Fewer than 8 is
// no subscriber number anywhere WhatsApp serves (the shortest real ones have 8: +500 51234).
const (
	MinDigits = 8
	MaxDigits = 15
)

// Errors of Parse. Each is a reason a customer can be told.
var (
	ErrNoNumber = errors.New("no phone number in the message")
	ErrTwo      = errors.New("more than one number in the message")
	ErrLength   = errors.New("a phone number has 8 to 15 digits with its country code")
	ErrCountry  = errors.New("a number without country code, and no default country code")
)

// Number is a phone number in E.164 form without the "+": the WhatsApp wa_id. Its String and
// LogValue mask it; Digits returns it.
type Number string

// Digits returns the number's digits ("491701234567").
func (n Number) Digits() string { return string(n) }

// E164 returns the number with its "+" ("+491701234567").
func (n Number) E164() string {
	if n == "" {
		return ""
	}
	return "+" + string(n)
}

// String masks all but the first and the last two digits: "+49******67".
func (n Number) String() string { return Mask(string(n)) }

// GoString masks like String.
func (n Number) GoString() string { return `"` + n.String() + `"` }

// LogValue implements slog.LogValuer: masked.
func (n Number) LogValue() slog.Value { return slog.StringValue(n.String()) }

// Mask shows a number (with or without "+") as "+49******67": the country code's first two
// digits and the last two, with a fixed number of stars so the length is not revealed.
func Mask(digits string) string {
	digits = strings.TrimPrefix(digits, "+")
	if len(digits) < MinDigits {
		return "+******"
	}
	return "+" + digits[:2] + "******" + digits[len(digits)-2:]
}

// candidateRE finds what may be a phone number in a message: a run that starts with "+", "(" or a
// digit, ends with a digit, and has only digits and the usual separators in between (spaces,
// no-break spaces, - . / and parentheses).
var candidateRE = regexp.MustCompile(`[+(]?\d[\d \t\x{00A0}\x{202F}\-./()]*\d`)

// maxMessage bounds the text Parse looks at: a number with a few words around it.
const maxMessage = 200

// Parse finds the one phone number in text and returns it in E.164 form. text may hold a few
// words around the number ("my number is +49 170 1234567"). It accepts
//
//   - international numbers: "+49 170 1234567", "+49 (0)170 1234567", "0049 170 1234567";
//   - national numbers with a trunk 0, completed with defaultCountry ("49"): "0170 1234567";
//   - bare digits that are already E.164 without the "+" ("491701234567", WhatsApp's own form).
//
// It returns ErrNoNumber when text has no run of at least 6 digits, ErrTwo when it has two,
// ErrLength when the result is not 8 to 15 digits, and ErrCountry for a national number without
// a default country code.
func Parse(text, defaultCountry string) (Number, error) {
	if len(text) > maxMessage {
		return "", ErrNoNumber
	}
	var found string
	for _, run := range candidateRE.FindAllString(text, -1) {
		if countDigits(run) < 6 {
			continue // a house number, an amount: not a phone number
		}
		if found != "" {
			return "", ErrTwo
		}
		found = run
	}
	if found == "" {
		return "", ErrNoNumber
	}
	return normalise(found, defaultCountry)
}

// normalise turns one candidate run into E.164 digits.
func normalise(run, defaultCountry string) (Number, error) {
	s := strings.TrimSpace(run)
	international := strings.HasPrefix(s, "+")
	s = strings.TrimPrefix(s, "+")
	// "+49 (0)170 …": the trunk 0 in parentheses is not dialled internationally.
	if international {
		s = strings.Replace(s, "(0)", "", 1)
	}
	digits := onlyDigits(s)
	switch {
	case international:
	case strings.HasPrefix(digits, "00"):
		digits = digits[2:]
	case strings.HasPrefix(digits, "0"):
		cc := onlyDigits(defaultCountry)
		if cc == "" || cc != strings.TrimPrefix(strings.TrimSpace(defaultCountry), "+") {
			return "", ErrCountry
		}
		digits = cc + strings.TrimLeft(digits, "0")
	}
	if len(digits) < MinDigits || len(digits) > MaxDigits || digits[0] == '0' {
		return "", ErrLength
	}
	return Number(digits), nil
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

func onlyDigits(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] >= '0' && s[i] <= '9' {
			b.WriteByte(s[i])
		}
	}
	return b.String()
}

// ParseDialled is Parse for a message that was not an answer to "what is your number?": it
// accepts only a number written the way one is dialled, with "+", "00" or a trunk "0" in front,
// so an order number or a bare amount of digits is never taken for a phone number.
func ParseDialled(text, defaultCountry string) (Number, error) {
	var dialled bool
	for _, run := range candidateRE.FindAllString(text, -1) {
		if countDigits(run) >= 6 && (run[0] == '+' || run[0] == '0' || strings.HasPrefix(run, "(0")) {
			dialled = true
		}
	}
	if !dialled {
		return "", ErrNoNumber
	}
	return Parse(text, defaultCountry)
}
