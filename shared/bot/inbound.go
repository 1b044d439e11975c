package bot

import (
	"context"

	"github.com/frontdesk-app/frontdesk/shared/channel"
	"github.com/frontdesk-app/frontdesk/shared/conversation"
	"github.com/frontdesk-app/frontdesk/shared/faq"
)

// handleInbound applies one customer event.
func (b *Bot) handleInbound(ctx context.Context, in channel.Inbound) error {
	if !in.Kind.Answerable() {
		b.log().DebugContext(ctx, "event not answered", "event", in)
		return nil
	}
	c, err := b.load(ctx, in.Key)
	if err != nil {
		return err
	}
	if c.HasProcessed(in.ID) {
		b.log().InfoContext(ctx, "duplicate event skipped", "event", in)
		return nil
	}
	if in.At.After(c.LastInboundAt) {
		c.LastInboundAt = in.At
	}
	if in.Referral != nil && c.Referral == nil {
		c.Referral = in.Referral
	}
	if c.Status == conversation.Closed {
		c.Status = conversation.Bot
		c.Misses = 0
	}

	if err := b.answer(ctx, c, in); err != nil {
		return err
	}
	c.MarkProcessed(in.ID)
	return b.save(ctx, c)
}

// answer lets the FAQ bot decide and carries the decision out.
func (b *Bot) answer(ctx context.Context, c *conversation.Conversation, in channel.Inbound) error {
	d := b.Brain.Decide(faq.Input{
		Text: in.Text, Payload: in.Payload, Media: in.Media,
		Locale: c.Locale, Misses: c.Misses, Pending: c.Pending,
	})
	if d.Locale != "" {
		c.Locale = d.Locale
	}
	c.Misses = d.Misses
	c.Pending = nil
	r := channel.Reply{Text: d.Text, Options: d.Options, CommentID: in.CommentID}
	switch d.Action {
	case faq.AskBack:
		for _, o := range d.Options {
			c.Pending = append(c.Pending, o.ID)
		}
	case faq.Escalate:
		c.Status = conversation.Escalated
		c.EscalationReason = d.Reason
		c.EscalatedAt = b.now()
	}
	b.log().InfoContext(ctx, "decided", "event", in, "action", string(d.Action), "entry", d.EntryID,
		"confidence", d.Confidence, "reason", d.Reason)
	if r.Text == "" && len(r.Options) == 0 {
		return nil
	}
	return b.reply(ctx, c, in.ID+"#reply", r)
}
