package bot

import (
	"context"
	"fmt"
	"time"

	"github.com/frontdesk-app/frontdesk/shared/channel"
	"github.com/frontdesk-app/frontdesk/shared/conversation"
	"github.com/frontdesk-app/frontdesk/shared/desk"
	"github.com/frontdesk-app/frontdesk/shared/faq"
	"github.com/frontdesk-app/frontdesk/shared/metrics"
	"github.com/frontdesk-app/frontdesk/shared/moderation"
	"github.com/frontdesk-app/frontdesk/shared/window"
)

// What the bot does with customer events that are not a plain question (docs/meta-traffic.md):
//
//   - a like, a sticker or a reaction is an acknowledgement: no answer, no miss, no escalation;
//   - a catalog order or a WhatsApp Flow reply goes to a person, its content summarised on the card;
//   - a story mention is a social signal for the team: a card (or a line in the open thread), no answer;
//   - a shared post, reel or product without words gets a question back, with words the words are answered;
//   - a picture, a voice message, a file or a location goes to a person;
//   - a tapped button is answered from its payload (its entry, or the welcome), never as free text;
//   - an opener (Messenger's Get Started, WhatsApp's request_welcome) gets the welcome;
//   - an abusive or spam comment gets no private reply;
//   - an edit or a deletion in an escalated conversation reaches the thread as such;
//   - a message delivered later than Freshness gets no bot answer (StaleAnswersDropped); if it
//     needs a person it still reaches the desk, silently.

// defaultFreshness is Freshness when unset.
const defaultFreshness = 4 * time.Hour

func (b *Bot) freshness() time.Duration {
	if b.Freshness > 0 {
		return b.Freshness
	}
	return defaultFreshness
}

// stale reports whether in reached the bot too late for a bot answer.
func (b *Bot) stale(in channel.Inbound) bool {
	return !in.At.IsZero() && b.now().Sub(in.At) > b.freshness()
}

// acknowledgements are the media that answer rather than ask.
var acknowledgements = map[string]bool{"like": true, "sticker": true}

// nonText handles the kinds of customer input that are no question for the FAQ, in a
// conversation the bot has. handled is false for everything the FAQ decides.
func (b *Bot) nonText(ctx context.Context, c *conversation.Conversation, in channel.Inbound) (handled bool, err error) {
	t := policyTextsFor(c.Locale, b.DefaultLocale)
	switch {
	case in.Kind == channel.KindComment:
		if v := moderation.Check(in.Text); v != moderation.OK {
			b.count(ctx, metrics.CommentsModerated, 1)
			b.log().InfoContext(ctx, "comment not answered", "event", in, "verdict", string(v))
			return true, nil
		}
	case acknowledgements[in.Media] && in.Text == "":
		b.count(ctx, metrics.Acknowledged, 1)
		b.log().InfoContext(ctx, "acknowledgement, not answered", "event", in)
		return true, nil
	case in.Media == "story_mention":
		return true, b.deskSignal(ctx, c, in, desk.ReasonStoryMention, desk.Note{Kind: desk.StoryMention})
	case in.Media == "order":
		return true, b.carryOut(ctx, c, in, faq.Decision{Action: faq.Escalate, Reason: desk.ReasonOrder, Text: t.Order, Misses: c.Misses})
	case in.Media == "flow":
		return true, b.carryOut(ctx, c, in, faq.Decision{Action: faq.Escalate, Reason: desk.ReasonFlowReply, Text: t.Flow, Misses: c.Misses})
	case (in.Media == "share" || in.Media == "product") && in.Text == "":
		if b.stale(in) {
			b.dropStale(ctx, in, "message delivered too late for a bot answer")
			return true, nil
		}
		return true, b.botReply(ctx, c, in.ID+"#reply", channel.Reply{Text: t.Share})
	}
	return false, nil
}

// faqInput is what the FAQ decides on for in.
func faqInput(c *conversation.Conversation, in channel.Inbound) faq.Input {
	fi := faq.Input{Text: in.Text, Payload: in.Payload, Media: in.Media, Locale: c.Locale, Misses: c.Misses, Pending: c.Pending, Opener: in.Opener}
	switch {
	case in.Kind == channel.KindPostback:
		// A tapped button (a template's quick reply, an ice breaker, a menu item) is answered
		// from its payload: the entry it names, or else the welcome with the entry buttons. Its
		// title ("No", "Ja") is no question.
		fi.Text, fi.Opener = "", true
	case in.Media == "share" || in.Media == "product":
		// Words with a shared post or product: the words are the question.
		fi.Media = ""
	}
	return fi
}

// deskSignal tells the team about in without answering the customer: a line in the
// conversation's thread if it has one, else a card of its own (the conversation stays the bot's).
func (b *Bot) deskSignal(ctx context.Context, c *conversation.Conversation, in channel.Inbound, reason string, note desk.Note) error {
	if b.Desk == nil {
		return nil
	}
	if t := desk.ThreadOf(c); !t.IsZero() {
		return b.note(ctx, c, t, in.ID, note)
	}
	card := desk.Card{Key: c.Key, Name: c.CustomerName, Locale: c.Locale, Reason: reason,
		Messages: messageLines(in), Status: c.Status, At: b.now()}
	id, err := b.once(ctx, c, in.ID+"#announce", func(ctx context.Context) (string, error) {
		t, err := b.Desk.Announce(ctx, card)
		if !t.IsZero() {
			return t.Channel + " " + t.TS, nil
		}
		return "", err
	})
	if err != nil {
		return fmt.Errorf("announce %s: %w", reason, err)
	}
	if _, err := fmt.Sscan(id, &c.SlackChannel, &c.ThreadTS); err != nil {
		return fmt.Errorf("announce %s: recorded thread %q: %w", reason, id, err)
	}
	return nil
}

// amend applies a customer's edit or deletion of an earlier message: in an escalated
// conversation the thread shows the new text as an edit, or that a message was deleted. The
// bot does not answer an edit: it answered the original.
func (b *Bot) amend(in channel.Inbound) func(context.Context, *conversation.Conversation) error {
	return func(ctx context.Context, c *conversation.Conversation) error {
		if !c.Escalated() || b.Desk == nil || c.ThreadTS == "" {
			b.log().DebugContext(ctx, "edit or deletion outside an escalation", "event", in)
			return nil
		}
		if in.Kind == channel.KindDeleted {
			return b.note(ctx, c, desk.ThreadOf(c), in.ID, desk.Note{Kind: desk.CustomerDeleted})
		}
		_, err := b.once(ctx, c, in.ID+"#mirror", func(ctx context.Context) (string, error) {
			text := in.Text
			if text == "" {
				text = messageLines(in)[0]
			}
			return "", b.Desk.Mirror(ctx, desk.ThreadOf(c), c.CustomerName, desk.EditedPrefix+text)
		})
		if err != nil {
			return fmt.Errorf("mirror edit into thread: %w", err)
		}
		return nil
	}
}

// botReply sends the bot's own reply under the same window policy as an agent's, for a bot:
// inside the window as is, on WhatsApp after it the configured template, else not at all
// (counted in StaleAnswersDropped).
func (b *Bot) botReply(ctx context.Context, c *conversation.Conversation, key string, r channel.Reply) error {
	wd := window.Decide(window.Input{Surface: c.Key.Surface, LastInbound: c.LastInboundAt, Now: b.now(), Template: b.Template})
	switch wd.Action {
	case window.Send:
	case window.SendTemplate:
		r = channel.Reply{Template: &channel.Template{Name: wd.Template, Language: b.TemplateLanguage}}
	default:
		b.count(ctx, metrics.StaleAnswersDropped, 1)
		b.log().InfoContext(ctx, "bot answer not sent", "conversation", c, "window", wd)
		return nil
	}
	return b.reply(ctx, c, key, r)
}

func (b *Bot) dropStale(ctx context.Context, in channel.Inbound, why string) {
	b.count(ctx, metrics.StaleAnswersDropped, 1)
	b.log().InfoContext(ctx, why, "event", in, "late", b.now().Sub(in.At).Round(time.Second).String())
}
