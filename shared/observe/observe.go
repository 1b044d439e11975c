// Package observe is the local stack's window on the bot's reasoning: the bot hands a Decision
// record to a Sink each time it decides what to do with a customer message or an agent's reply,
// and the local console shows it beside the message. In Lambda no sink is set and nothing
// happens.
//
// A Decision carries no message text, phone number or token: only what the bot concluded
// (language, action, entry ids and titles from the knowledge base, scores, the window rule), so
// it may be shown locally; logged (LogValue), it leaves out the customer's id too.
package observe

import (
	"context"
	"log/slog"
	"strconv"
	"time"

	"github.com/frontdesk-app/frontdesk/shared/channel"
)

// Kinds of decisions.
const (
	// Bot: the FAQ bot decided on a customer message (answer, ask back, clarify, escalate).
	Bot = "bot"
	// Agent: an agent's reply from the desk met the window policy.
	Agent = "agent"
	// Consent: the consent ledger answered a consent command (Action "consent_command").
	Consent = "consent"
)

// Candidate is one of the best knowledge-base entries for a message.
type Candidate struct {
	Entry string  `json:"entry"`
	Title string  `json:"title,omitempty"`
	Score float64 `json:"score"`
}

// Decision is one decision of the bot.
type Decision struct {
	Kind string `json:"kind"`
	// Key is the conversation; Event the id of the event decided on.
	Key   channel.Key `json:"key"`
	Event string      `json:"event"`
	// Locale is the language the bot answers in.
	Locale string `json:"locale,omitempty"`
	// Action is the FAQ decision (answer, ask_back, clarify, escalate) or, for an agent's reply,
	// the window action (send, send_tagged, send_template, refuse).
	Action string `json:"action"`
	// Entry is the answered (or human-topic) knowledge-base entry.
	Entry string `json:"entry,omitempty"`
	// Confidence is the best entry's calibrated probability (0 when nothing matched).
	Confidence float64 `json:"confidence"`
	// Top are the best entries, best first (at most three).
	Top []Candidate `json:"top,omitempty"`
	// Reason says why the bot escalated (faq.Reason* constants).
	Reason string `json:"reason,omitempty"`
	// Window is the window rule the reply was sent under, in the words an agent reads.
	Window string    `json:"window,omitempty"`
	At     time.Time `json:"at"`
}

// Sink receives decisions. It is called on the bot's path: it must return quickly and must not
// fail the event.
type Sink interface {
	Decided(ctx context.Context, d Decision)
}

// SinkFunc adapts a function to a Sink.
type SinkFunc func(ctx context.Context, d Decision)

// Decided calls f.
func (f SinkFunc) Decided(ctx context.Context, d Decision) { f(ctx, d) }

// LogValue implements slog.LogValuer: the conversation without its user id, the event id
// hashed (channel.LogID), the rest as it is.
func (d Decision) LogValue() slog.Value {
	top := make([]string, len(d.Top))
	for i, c := range d.Top {
		top[i] = c.Entry
	}
	return slog.GroupValue(
		slog.String("kind", d.Kind), slog.Any("key", d.Key), slog.String("event", channel.LogID(d.Event)),
		slog.String("locale", d.Locale), slog.String("action", d.Action), slog.String("entry", d.Entry),
		slog.String("confidence", strconv.FormatFloat(d.Confidence, 'f', 3, 64)), slog.Any("top", top),
		slog.String("reason", d.Reason), slog.String("window", d.Window))
}
