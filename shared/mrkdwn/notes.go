package mrkdwn

import (
	"regexp"
	"strings"
)

// NoteRule is how the desk explains which thread replies stay internal (card help and
// /frontdesk help). It is Slack mrkdwn.
const NoteRule = "Your replies in this thread go to the customer. A reply stays internal when it starts with " +
	"`note:` (also `*note:*`, `_note_:`, `Note -`, `Notiz:`, `intern:`) or with a mention of a colleague " +
	"(`@Anna can you…`, `@here`)."

// noteRE matches the start of an internal note: formatting markers, one of the note words, the
// markers closing it, then a colon or a dash. "Note that …" (no colon or dash) goes to the
// customer.
var noteRE = regexp.MustCompile(`(?i)^[*_~\s]*(?:note|notes|notiz|notizen|intern|internal)[*_~]*\s*(?::|-|–|—)`)

// IsNote reports whether an agent's thread reply is internal: it starts with a note word and a
// colon or dash (in any case, in any formatting: "note:", "*note:*", "_note_:", "Note -",
// "Notiz:", "intern:") or with a mention (<@U…>, <!here>, <!subteam^…>, or an "@name" Slack did
// not turn into a mention), which is how agents talk to each other. Slack's wire text is
// expected: a mention is "<@U123>" there.
func IsNote(text string) bool {
	t := strings.TrimLeft(text, " \t\n*_~")
	switch {
	case strings.HasPrefix(t, "<@"), strings.HasPrefix(t, "<!"):
		return true
	case strings.HasPrefix(t, "@") && len(t) > 1 && t[1] != ' ':
		return true
	}
	return noteRE.MatchString(text)
}
