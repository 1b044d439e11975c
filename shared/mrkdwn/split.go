package mrkdwn

import (
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/frontdesk-app/frontdesk/shared/channel"
)

// MaxParts is how many messages one agent reply may become; a longer reply is refused, since a
// customer would rather get a short answer than a wall of messages.
const MaxParts = 3

// Split cuts text into parts of at most max characters (runes, as Meta counts them), at a
// paragraph break if there is one in the second half of a part, else a line break, a sentence
// end or a space, and only as a last resort inside a word. Parts are trimmed; empty text gives
// no parts.
func Split(text string, max int) []string {
	text = strings.TrimSpace(text)
	if max <= 0 {
		return nil
	}
	var parts []string
	for text != "" {
		if utf8.RuneCountInString(text) <= max {
			parts = append(parts, text)
			break
		}
		cut := cutAt(text, max)
		if p := strings.TrimSpace(text[:cut]); p != "" {
			parts = append(parts, p)
		}
		text = strings.TrimSpace(text[cut:])
	}
	return parts
}

// cutAt returns the byte index to end the first part of text at (text has more than max runes).
func cutAt(text string, max int) int {
	// limit: the byte offset just past max runes.
	limit := 0
	for i := 0; i < max; i++ {
		_, n := utf8.DecodeRuneInString(text[limit:])
		limit += n
	}
	if r, _ := utf8.DecodeRuneInString(text[limit:]); unicode.IsSpace(r) {
		return limit
	}
	head := text[:limit]
	half := len(head) / 2
	for _, sep := range []string{"\n\n", "\n", ". ", "! ", "? ", " "} {
		if i := strings.LastIndex(head, sep); i >= half {
			return i + len(sep)
		}
	}
	if i := strings.LastIndex(head, " "); i > 0 {
		return i + 1
	}
	return limit
}

// Plan is how a reply of some length goes out on a surface.
type Plan struct {
	// Parts are the messages to send, in order; none when the reply is refused.
	Parts []string
	// Refused says why nothing is sent ("" when Parts is not empty).
	Refused string
}

// PlanReply splits text for surface s. A private reply to a comment is one message (Meta allows
// one per comment), so a longer one is refused; elsewhere a reply becomes at most MaxParts
// messages.
func PlanReply(text string, s channel.Surface) Plan {
	max := channel.TextMax(s)
	parts := Split(text, max)
	switch {
	case len(parts) == 0:
		return Plan{Refused: "the reply has no text a customer can read"}
	case len(parts) > 1 && s == channel.Comment:
		return Plan{Refused: "a private reply to a comment is one message of at most " + itoa(max) + " characters; this one has " + itoa(utf8.RuneCountInString(text))}
	case len(parts) > MaxParts:
		return Plan{Refused: "the reply has " + itoa(utf8.RuneCountInString(text)) + " characters; at most " + itoa(MaxParts) + " messages of " + itoa(max) + " go to one customer"}
	}
	return Plan{Parts: parts}
}

func itoa(n int) string { return strconv.Itoa(n) }
