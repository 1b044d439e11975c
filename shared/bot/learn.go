package bot

import (
	"context"
	"fmt"
	"time"
	"unicode/utf8"

	"github.com/frontdesk-app/frontdesk/shared/apperr"
	"github.com/frontdesk-app/frontdesk/shared/channel"
	"github.com/frontdesk-app/frontdesk/shared/conversation"
	"github.com/frontdesk-app/frontdesk/shared/desk"
	"github.com/frontdesk-app/frontdesk/shared/faq"
	"github.com/frontdesk-app/frontdesk/shared/learn"
	"github.com/frontdesk-app/frontdesk/shared/metrics"
	"github.com/frontdesk-app/frontdesk/shared/mrkdwn"
)

// learning reports whether the bot learns from escalations (package learn).
func (b *Bot) learning() bool { return b.Learn != nil && b.Subject != nil && b.Mask != nil }

func cut(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n])
}

// keepCandidate keeps the masked question that escalated because the bot found no answer, for
// "Add to FAQ" (learn.Candidate).
func (b *Bot) keepCandidate(ctx context.Context, c *conversation.Conversation, in channel.Inbound, d faq.Decision) error {
	// Only what the bot missed teaches it something: a request for a person, a topic that
	// always goes to one, or a photo is no question for the knowledge base.
	if !b.learning() || in.Text == "" || c.ThreadTS == "" || d.Reason != desk.ReasonNoMatch {
		return nil
	}
	cand := &learn.Candidate{Subject: b.Subject(c.Key), Channel: c.SlackChannel, ThreadTS: c.ThreadTS,
		Question: cut(b.Mask(in.Text), learn.MaxQuestion), Lang: c.Locale, ExpiresAt: b.now().Add(learn.CandidateLife)}
	if cand.Lang == "" {
		cand.Lang = b.DefaultLocale
	}
	if len(d.Suggestions) > 0 && learn.ValidEntryID(d.Suggestions[0].EntryID) {
		cand.Entry = d.Suggestions[0].EntryID
	}
	if err := b.Learn.PutCandidate(ctx, cand); err != nil {
		return fmt.Errorf("keep the question for Add to FAQ: %w", err)
	}
	return nil
}

// offerFAQ posts the "Add to FAQ" offer after an agent answered: after every answer sent from
// the knowledge base (that entry preselected), and after the first reply in the agent's own
// words of an escalation (the bot's best guess preselected, the reply offered as a new entry).
func (b *Bot) offerFAQ(ctx context.Context, c *conversation.Conversation, a channel.AgentEvent, now time.Time) error {
	// Only an escalation the bot found no answer for keeps a candidate: the others need no read.
	if !b.learning() || b.Offers == nil || c.ThreadTS == "" || c.EscalationReason != desk.ReasonNoMatch {
		return nil
	}
	if a.Action == channel.ActionReply && !c.FAQOfferedAt.IsZero() && !c.FAQOfferedAt.Before(c.EscalatedAt) {
		return nil
	}
	cand, err := b.Learn.GetCandidate(ctx, b.Subject(c.Key), c.SlackChannel, c.ThreadTS)
	if apperr.Is(err, apperr.NotFound) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("read the question for Add to FAQ: %w", err)
	}
	o := desk.FAQOffer{Question: cand.Question, Selected: cand.Entry}
	if b.Catalog != nil {
		o.Entries = b.Catalog.Entries(cand.Lang)
	}
	if a.Action == channel.ActionSendAnswer {
		o.Selected = a.Answer
	} else {
		// The reply as a customer read it, without Slack's markup: plain text, the way the
		// knowledge base keeps answers.
		o.Reply = cut(b.Mask(mrkdwn.ToCustomer(a.Text, channel.Messenger, mrkdwn.Names{})), learn.MaxAnswer)
	}
	if _, err := b.once(ctx, c, a.ID+"#faq", func(ctx context.Context) (string, error) {
		return "", b.Offers.OfferFAQ(ctx, desk.ThreadOf(c), o)
	}); err != nil {
		return fmt.Errorf("offer Add to FAQ: %w", err)
	}
	if a.Action == channel.ActionReply {
		c.FAQOfferedAt = now
	}
	return nil
}

// suggest stores the agent's "Add to FAQ" as a knowledge-base suggestion and returns the status
// line for the thread.
func (b *Bot) suggest(ctx context.Context, c *conversation.Conversation, a channel.AgentEvent, now time.Time) ([]desk.Note, error) {
	if !b.learning() {
		return nil, nil
	}
	subject := b.Subject(c.Key)
	cand, err := b.Learn.GetCandidate(ctx, subject, c.SlackChannel, c.ThreadTS)
	if apperr.Is(err, apperr.NotFound) {
		return refused("the customer's question is kept only 7 days after the escalation"), nil
	}
	if err != nil {
		return nil, fmt.Errorf("read the question for Add to FAQ: %w", err)
	}
	s := &learn.Suggestion{ID: learn.ID(a.ID), Question: cand.Question, Lang: cand.Lang, Agent: a.User, Subject: subject,
		At: now, ExpiresAt: now.Add(learn.DefaultRetention)}
	title := ""
	switch a.Action {
	case channel.ActionAddPhrasing:
		var ok bool
		if b.Answers != nil {
			title, _, ok = b.Answers.Answer(a.Answer, cand.Lang)
		}
		if !ok || !learn.ValidEntryID(a.Answer) {
			return refused("choose an entry of the knowledge base first"), nil
		}
		s.Entry = a.Answer
	default:
		s.NewAnswer = cut(b.Mask(a.Text), learn.MaxAnswer)
		if s.NewAnswer == "" {
			return refused("there is no reply to make an entry of"), nil
		}
	}
	created, err := b.Learn.PutSuggestion(ctx, s)
	if err != nil {
		return nil, fmt.Errorf("store the suggestion: %w", err)
	}
	if created {
		b.count(ctx, metrics.SuggestionsMade, 1)
		b.countWeekly(ctx, learn.CounterSuggestions)
		b.countWeekly(ctx, learn.EntryCounter(s.Entry))
		b.log().InfoContext(ctx, "knowledge-base suggestion", "suggestion", s)
	}
	return []desk.Note{{Kind: desk.Suggested, Agent: a.User, Text: title}}, nil
}

func refused(why string) []desk.Note {
	return []desk.Note{{Kind: desk.SuggestionRefused, Text: why}}
}
