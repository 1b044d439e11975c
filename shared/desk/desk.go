package desk

import (
	"context"
	"strings"
	"time"

	"github.com/frontdesk-app/frontdesk/shared/channel"
	"github.com/frontdesk-app/frontdesk/shared/conversation"
	"github.com/frontdesk-app/frontdesk/shared/phone"
)

// Desk is where agents see escalated conversations. Every method may fail with the adapter's
// errors (classified with package apperr).
type Desk interface {
	// Announce posts the card of a new escalation (and its details: the recent messages and
	// the suggestions) and returns the thread it opens. When the card was posted but its details
	// were not, it returns the thread together with the error: keep the thread, do not announce
	// again.
	Announce(ctx context.Context, c Card) (Thread, error)
	// Update redraws the card of t from c: status, agent, follow-up. c's Messages and
	// Suggestions are not used (the card is redrawn from stored metadata, which holds no text).
	Update(ctx context.Context, t Thread, c Card) error
	// Mirror posts a customer's message into the thread; name is the customer's display name
	// ("" if unknown), text as the customer wrote it (the desk masks and escapes it).
	Mirror(ctx context.Context, t Thread, name, text string) error
	// MirrorFile posts a customer's file into the thread (the bytes, from memory) with its
	// caption as the customer wrote it (the desk masks and escapes it).
	MirrorFile(ctx context.Context, t Thread, name string, f channel.File, caption string) error
	// Note posts status lines into the thread, as one post.
	Note(ctx context.Context, t Thread, notes ...Note) error
	// Reannounce posts n into the thread and brings it back into the desk's view (Slack: "also
	// send to channel" with an @here).
	Reannounce(ctx context.Context, t Thread, n Note) error
}

// Thread is an escalation's place on the desk: the card's channel and its message id, which
// is also the id of the thread under it (Slack: channel id and ts).
type Thread struct {
	Channel string
	TS      string
}

// IsZero reports whether t names no thread.
func (t Thread) IsZero() bool { return t.Channel == "" || t.TS == "" }

// ThreadOf returns the thread stored on c (zero if it was never announced).
func ThreadOf(c *conversation.Conversation) Thread {
	return Thread{Channel: c.SlackChannel, TS: c.ThreadTS}
}

// Card is what the desk shows about an escalated conversation.
type Card struct {
	Key channel.Key
	// Name is the customer's display name ("" if unknown).
	Name string
	// Locale is the conversation's language tag ("de", "en-GB").
	Locale string
	// Reason is why the bot escalated: one of the Reason constants or free text.
	Reason string
	// Messages are the customer's recent messages, oldest first, as the customer wrote them
	// (the desk masks and escapes them). Announce only.
	Messages []string
	// Suggestions are answers the agent may send with one click. Announce only.
	Suggestions []Suggestion
	Status      conversation.Status
	// Agent is the desk's user id of the agent who claimed, resolved or handed back.
	Agent string
	// FollowUp is a plain-text line about the WhatsApp follow-up ("" for none).
	FollowUp string
	// LeadBy is the agent who marked the conversation a lead ("" if nobody has): a card
	// marked once offers no "Mark as lead" again.
	LeadBy string
	// At is when the conversation escalated.
	At time.Time
}

// CardOf is the card of a stored conversation: everything the card shows comes from the
// record, so a redraw (claim, resolve, a sweep) shows the same customer, language and reason
// as the announcement. Messages and Suggestions stay empty: the record holds no text.
func CardOf(c *conversation.Conversation) Card {
	card := Card{
		Key: c.Key, Name: c.CustomerName, Locale: c.Locale, Reason: c.EscalationReason,
		Status: c.Status, Agent: c.Agent, FollowUp: FollowUpLine(c.FollowUp), At: c.EscalatedAt,
	}
	if c.Lead != nil {
		card.LeadBy = c.Lead.Agent
		if card.LeadBy == "" {
			card.LeadBy = "someone"
		}
	}
	return card
}

// FollowUpLine is the card's plain-text line about the WhatsApp follow-up ("" for none).
func FollowUpLine(f *conversation.FollowUp) string {
	switch {
	case f == nil:
		return ""
	case f.Granted() && !f.NotifiedAt.IsZero():
		return "Continued on WhatsApp (" + phone.Mask(f.Number) + ")"
	case f.Granted():
		return "WhatsApp follow-up allowed (" + phone.Mask(f.Number) + ")"
	case f.Open():
		return "WhatsApp follow-up offered, no answer yet"
	case f.State == conversation.FollowUpDeclined:
		return "WhatsApp follow-up declined"
	case f.State == conversation.FollowUpWithdrawn:
		return "WhatsApp follow-up withdrawn"
	}
	return ""
}

// Suggestion is one knowledge-base answer the bot would give, offered to the agent.
type Suggestion struct {
	EntryID string
	Title   string
	Answer  string
	// Score is the bot's confidence, for ordering; desks do not show it to agents.
	Score float64
}

// Escalation reasons (Card.Reason); the first four are package faq's decisions.
const (
	ReasonAskedForHuman   = "asked_for_human"
	ReasonNoMatch         = "no_match"
	ReasonHumanTopic      = "human_topic"
	ReasonUnreadableMedia = "unreadable_media"
	// ReasonFollowUp: a WhatsApp conversation that joined a thread through the follow-up.
	ReasonFollowUp = "whatsapp_follow_up"
	// ReasonOrder: the customer sent a catalog order.
	ReasonOrder = "order"
	// ReasonFlowReply: the customer completed a WhatsApp Flow.
	ReasonFlowReply = "flow_reply"
	// ReasonStoryMention: the customer mentioned the business in their Instagram story (a
	// social signal for the team, not a question).
	ReasonStoryMention = "story_mention"
)

var reasonText = map[string]string{
	ReasonAskedForHuman:   "asked for a person",
	ReasonNoMatch:         "the bot found no answer",
	ReasonHumanTopic:      "a topic for a person",
	ReasonUnreadableMedia: "sent media the bot cannot read",
	ReasonFollowUp:        "continued on WhatsApp",
	ReasonOrder:           "sent an order",
	ReasonFlowReply:       "completed a form (WhatsApp Flow)",
	ReasonStoryMention:    "mentioned us in their story (no question)",
}

// EditedPrefix leads a customer's edited message mirrored into the thread.
const EditedPrefix = "(edited) "

// ReasonText is how a desk words an escalation reason.
func ReasonText(reason string) string {
	if t, ok := reasonText[reason]; ok {
		return t
	}
	if reason == "" {
		return "not given"
	}
	return reason
}

var surfaceText = map[channel.Surface]string{
	channel.WhatsApp:  "WhatsApp",
	channel.Messenger: "Messenger",
	channel.Instagram: "Instagram",
	channel.Comment:   "Comment",
}

// SurfaceName is how a desk names a surface: "WhatsApp".
func SurfaceName(s channel.Surface) string {
	if t, ok := surfaceText[s]; ok {
		return t
	}
	return string(s)
}

// languageNames names the languages a locale's primary subtag may carry, in English (the
// desk's language). The bot speaks German and English; customers write in more.
var languageNames = map[string]string{
	"de": "German", "en": "English", "fr": "French", "es": "Spanish", "it": "Italian",
	"nl": "Dutch", "pt": "Portuguese", "pl": "Polish", "cs": "Czech", "da": "Danish",
	"sv": "Swedish", "nb": "Norwegian", "no": "Norwegian", "fi": "Finnish", "tr": "Turkish",
	"ru": "Russian", "uk": "Ukrainian", "el": "Greek", "hu": "Hungarian", "ro": "Romanian",
	"ar": "Arabic", "zh": "Chinese", "ja": "Japanese", "ko": "Korean",
}

// LanguageName is how a desk names a locale's language: "German" for "de" or "de-AT"; a
// language it does not know stays as the tag; "" for none.
func LanguageName(locale string) string {
	primary, _, _ := strings.Cut(strings.ReplaceAll(locale, "_", "-"), "-")
	if n, ok := languageNames[strings.ToLower(primary)]; ok {
		return n
	}
	return locale
}

// PostedFunc is told of each message a desk posted: the thread it is in (for a card, the
// thread it opens) and the message's own id.
type PostedFunc func(ctx context.Context, t Thread, id string)

type postedKey struct{}

// WithPosted returns a context in which the desk reports every message it posts to f, so the
// caller can keep the erasure index of the conversation it posts about (package consent)
// without every post having to return its id.
func WithPosted(ctx context.Context, f PostedFunc) context.Context {
	return context.WithValue(ctx, postedKey{}, f)
}

// Posted reports a posted message to the context's PostedFunc, if any; desks call it.
func Posted(ctx context.Context, t Thread, id string) {
	if f, ok := ctx.Value(postedKey{}).(PostedFunc); ok && f != nil {
		f(ctx, t, id)
	}
}
