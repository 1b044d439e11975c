package channel

import "log/slog"

// Reply is a message to a customer, before a platform sender turns it into the platform's body.
type Reply struct {
	// Text is the message body (WhatsApp ≤ 4096 characters, Messenger ≤ 2000).
	Text string `json:"text,omitempty"`
	// Options are answers to choose from: WhatsApp reply buttons (≤ 3) or a list (≤ 10 rows),
	// Messenger/Instagram quick replies (≤ 13).
	Options []Option `json:"options,omitempty"`
	// Template is a pre-approved WhatsApp template, the only thing allowed outside the 24-hour
	// window on WhatsApp.
	Template *Template `json:"template,omitempty"`
	// Tag is a Messenger/Instagram message tag; HUMAN_AGENT is the only one frontdesk uses.
	Tag string `json:"tag,omitempty"`
	// Human marks a reply written by an agent (HUMAN_AGENT may only carry those).
	Human bool `json:"human,omitempty"`
	// CommentID makes the reply a private reply to that comment.
	CommentID string `json:"commentId,omitempty"`
	// ReplyTo quotes the message with that id, where the surface supports it.
	ReplyTo string `json:"replyTo,omitempty"`
	// File is a file to send (Text, if any, becomes its caption where the surface has one). It
	// is never encoded: a Reply with a file is built and sent in one go.
	File *File `json:"-"`
	// Menu labels the button that opens a WhatsApp list (more than 3 options, ≤ 20
	// characters); empty means the sender's default.
	Menu string `json:"menu,omitempty"`
}

// TagHumanAgent is the Messenger/Instagram tag that lets a human reply up to 7 days after the
// customer's last message.
const TagHumanAgent = "HUMAN_AGENT"

// LogValue implements slog.LogValuer: no text.
func (r Reply) LogValue() slog.Value {
	attrs := []slog.Attr{slog.Int("options", len(r.Options)), slog.Bool("human", r.Human)}
	if r.Template != nil {
		attrs = append(attrs, slog.String("template", r.Template.Name))
	}
	if r.Tag != "" {
		attrs = append(attrs, slog.String("tag", r.Tag))
	}
	return slog.GroupValue(attrs...)
}

// Option is one choice offered to the customer. ID comes back as Inbound.Payload when tapped.
type Option struct {
	ID          string `json:"id"`
	Title       string `json:"title"`
	Description string `json:"description,omitempty"`
}

// Template is a WhatsApp message template reference.
type Template struct {
	Name     string   `json:"name"`
	Language string   `json:"language"`
	Params   []string `json:"params,omitempty"`
}

// The longest text one message may carry, in characters, per surface: WhatsApp text.body 4096,
// Messenger 2000, Instagram 1000 (Send API reference). A private reply to a comment goes through
// the Send API of a Page or of an Instagram account, so it is held to the smaller one.
const (
	WhatsAppTextMax  = 4096
	MessengerTextMax = 2000
	InstagramTextMax = 1000
)

// TextMax is the longest text one message to surface s may carry.
func TextMax(s Surface) int {
	switch s {
	case WhatsApp:
		return WhatsAppTextMax
	case Messenger:
		return MessengerTextMax
	}
	return InstagramTextMax
}
