package consent

import (
	"context"
	"strings"

	"github.com/frontdesk-app/frontdesk/shared/apperr"
	"github.com/frontdesk-app/frontdesk/shared/channel"
)

// erasePhrases are the chat messages that ask for the customer's data to be deleted, normalised
// (see Normalize) and stripped of courtesy words, with their language. Like the consent
// commands they match exactly, so a sentence that mentions deleting ("how do I delete my
// account?") is not one.
var erasePhrases = map[string]string{
	"meine daten loeschen":       "de",
	"loesche meine daten":        "de",
	"loescht meine daten":        "de",
	"alle meine daten loeschen":  "de",
	"loescht alle meine daten":   "de",
	"meine daten entfernen":      "de",
	"delete my data":             "en",
	"erase my data":              "en",
	"delete all my data":         "en",
	"please delete all my data":  "en",
	"remove my data":             "en",
	"delete everything about me": "en",
}

// DetectErase reports whether text asks for the customer's data to be deleted, and in which
// language. A question ("Löscht ihr meine Daten?") is not a request.
func DetectErase(text string) (locale string, ok bool) {
	if len(text) > 4*maxCommandLen {
		return "", false
	}
	t := strings.TrimSpace(text)
	if strings.HasSuffix(t, "?") || strings.HasSuffix(t, "？") {
		return "", false
	}
	n := Normalize(t)
	if n == "" || len(n) > maxCommandLen {
		return "", false
	}
	locale, ok = erasePhrases[strip(n)]
	return locale, ok
}

// ErasedConfirmation is the reply to a deletion request in the chat.
func ErasedConfirmation(locale string) string {
	if locale == "de" {
		return "Erledigt: Wir haben die Daten dieses Chats gelöscht, auch die Kopie bei unserem Team. Wenn du uns wieder schreibst, fangen wir neu an."
	}
	return "Done: we have deleted the data of this chat, including our team's copy. If you write to us again, we start afresh."
}

// EraseKey erases the customer of a conversation at their own request in the chat: like Erase,
// with source "chat" and actor "customer".
func (l *Ledger) EraseKey(ctx context.Context, key channel.Key) error {
	if key.IsZero() {
		return apperr.E("consent.EraseKey", apperr.Invalid, "no conversation key")
	}
	return l.EraseAs(ctx, SourceChat, ActorCustomer, l.Subjects.Key(key))
}
