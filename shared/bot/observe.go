package bot

import (
	"context"

	"github.com/frontdesk-app/frontdesk/shared/channel"
	"github.com/frontdesk-app/frontdesk/shared/conversation"
	"github.com/frontdesk-app/frontdesk/shared/faq"
	"github.com/frontdesk-app/frontdesk/shared/observe"
	"github.com/frontdesk-app/frontdesk/shared/window"
)

// maxTop is how many candidates a decision record lists.
const maxTop = 3

// observeDecision hands the FAQ decision on in to the Observer, if any. The window rule is the
// one the bot's reply goes out under: the customer has just written.
func (b *Bot) observeDecision(ctx context.Context, c *conversation.Conversation, in channel.Inbound, d faq.Decision) {
	if b.Observer == nil {
		return
	}
	now := b.now()
	wd := window.Decide(window.Input{Surface: c.Key.Surface, LastInbound: c.LastInboundAt, Now: now, Template: b.Template})
	rec := observe.Decision{
		Kind: observe.Bot, Key: c.Key, Event: in.ID, Locale: d.Locale, Action: d.Action.String(),
		Entry: d.EntryID, Confidence: d.Confidence, Reason: d.Reason, Window: wd.Reason, At: now,
	}
	for _, s := range d.Top {
		if len(rec.Top) == maxTop {
			break
		}
		rec.Top = append(rec.Top, observe.Candidate{Entry: s.EntryID, Title: s.Title, Score: s.Score})
	}
	b.Observer.Decided(ctx, rec)
}

// observeConsent tells the Observer, if any, that the consent ledger answered in.
func (b *Bot) observeConsent(ctx context.Context, c *conversation.Conversation, in channel.Inbound) {
	if b.Observer == nil {
		return
	}
	now := b.now()
	wd := window.Decide(window.Input{Surface: c.Key.Surface, LastInbound: c.LastInboundAt, Now: now, Template: b.Template})
	b.Observer.Decided(ctx, observe.Decision{Kind: observe.Consent, Key: c.Key, Event: in.ID, Locale: c.Locale,
		Action: "consent_command", Window: wd.Reason, At: now})
}

// observeDelivery hands the window decision on an agent's reply to the Observer, if any.
func (b *Bot) observeDelivery(ctx context.Context, c *conversation.Conversation, a channel.AgentEvent, wd window.Decision) {
	if b.Observer == nil {
		return
	}
	b.Observer.Decided(ctx, observe.Decision{
		Kind: observe.Agent, Key: c.Key, Event: a.ID, Locale: c.Locale, Action: string(wd.Action),
		Window: wd.Reason, At: b.now(),
	})
}
