package bot

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/frontdesk-app/frontdesk/shared/adsignals"
	"github.com/frontdesk-app/frontdesk/shared/apperr"
	"github.com/frontdesk-app/frontdesk/shared/channel"
	"github.com/frontdesk-app/frontdesk/shared/conversation"
	"github.com/frontdesk-app/frontdesk/shared/graph"
	"github.com/frontdesk-app/frontdesk/shared/learn"
	"github.com/frontdesk-app/frontdesk/shared/metrics"
	"github.com/frontdesk-app/frontdesk/shared/slackapi"
	"github.com/frontdesk-app/frontdesk/shared/window"
)

// warnWithin is how close to the end of a window a delivered agent reply warns the thread.
const warnWithin = time.Hour

// handleAgent applies one agent action from Slack.
func (b *Bot) handleAgent(ctx context.Context, holder string, a channel.AgentEvent) (err error) {
	c, gone, err := b.begin(ctx, a.Key, a.ID, holder)
	if err != nil {
		return err
	}
	if gone {
		// Expired or erased: drop the placeholder the lease left, say so in the thread, once,
		// and let the event go.
		if err := b.Conversations.DeleteConversation(ctx, a.Key); err != nil {
			return fmt.Errorf("drop placeholder: %w", err)
		}
		return b.note(ctx, nil, a.Channel, a.ThreadTS, a.ID, ":no_entry: This conversation no longer exists (it expired or its data was erased). Nothing was sent.")
	}
	defer b.recordOnFailure(ctx, c, &err)
	ctx = b.recording(ctx, c)
	if c.HasProcessed(a.ID) {
		b.log().InfoContext(ctx, "duplicate agent event skipped", "event", a)
		return b.release(ctx, c)
	}
	ctx, t := withTally(ctx)
	now := b.now()
	var note string
	switch a.Action {
	case channel.ActionReply:
		b.claim(ctx, c, a.User, now)
		if note, err = b.deliverToThread(ctx, c, a, channel.Reply{Text: a.Text, Human: true}); err != nil {
			return err
		}
		if err := b.offerFAQ(ctx, c, a, now); err != nil {
			return err
		}
	case channel.ActionSendAnswer:
		title, text, ok := "", "", false
		if b.Answers != nil {
			title, text, ok = b.Answers.Answer(a.Answer, c.Locale)
		}
		if !ok {
			note = slackapi.NoteNotSent("the suggested answer " + a.Answer + " is not in the knowledge base")
			break
		}
		b.claim(ctx, c, a.User, now)
		b.countWeekly(ctx, learn.EntryCounter(a.Answer))
		if note, err = b.deliverToThread(ctx, c, a, channel.Reply{Text: text, Human: true}); err != nil {
			return err
		}
		if note == "" {
			note = slackapi.NoteAnswerSent(a.User, title)
		}
		if err := b.offerFAQ(ctx, c, a, now); err != nil {
			return err
		}
	case channel.ActionClaim:
		b.claim(ctx, c, a.User, now)
		note = slackapi.NoteClaimed(a.User)
	case channel.ActionResolve:
		c.Status = conversation.Closed
		c.Agent = a.User
		note = slackapi.NoteResolved(a.User)
		if err := b.signal(ctx, adsignals.Resolved, c, a); err != nil {
			return err
		}
		// Resolved after the window with a WhatsApp follow-up: the template goes out, and the
		// WhatsApp conversation joins the thread, claimed, to receive the customer's reply
		// (syncLinked below leaves it: it has already applied this event).
		fnote, _, err := b.followUpNotify(ctx, c, a)
		if err != nil {
			return err
		}
		note = joinNotes(note, fnote)
	case channel.ActionHandBack:
		c.Status = conversation.Bot
		c.Misses = 0
		c.Agent = a.User
		note = slackapi.NoteHandedBack(a.User)
	case channel.ActionAddPhrasing, channel.ActionNewEntry:
		if note, err = b.suggest(ctx, c, a, now); err != nil {
			return err
		}
	case channel.ActionLead:
		note = slackapi.NoteLead(a.User)
		if err := b.signal(ctx, adsignals.Lead, c, a); err != nil {
			return err
		}
	default:
		b.log().WarnContext(ctx, "unknown agent action ignored", "event", a)
		c.MarkProcessed(a.ID)
		return b.release(ctx, c)
	}
	switch a.Action {
	case channel.ActionReply, channel.ActionSendAnswer, channel.ActionLead, channel.ActionAddPhrasing, channel.ActionNewEntry:
	default:
		if err := b.redrawCard(ctx, c, a.ID); err != nil {
			return err
		}
		if err := b.syncLinked(ctx, c, a); err != nil {
			return err
		}
	}
	if err := b.note(ctx, c, c.SlackChannel, c.ThreadTS, a.ID, note); err != nil {
		return err
	}
	c.MarkProcessed(a.ID)
	// An agent action is activity: the record lives on from now, but LastInboundAt (the
	// customer's window) does not move.
	if err := b.save(ctx, c); err != nil {
		return err
	}
	t.emit(b.metrics())
	b.emitWeekly(ctx, t)
	return nil
}

// claim gives the conversation to agent unless another agent has it.
func (b *Bot) claim(ctx context.Context, c *conversation.Conversation, agent string, now time.Time) {
	if c.Status == conversation.Claimed && c.Agent != "" {
		return
	}
	if c.Status == conversation.Escalated && !c.EscalatedAt.IsZero() {
		b.duration(ctx, metrics.TimeToClaim, now.Sub(c.EscalatedAt))
	}
	c.Status = conversation.Claimed
	c.Agent = agent
	c.ClaimedAt = now
}

// deliver sends an agent's reply to the customer under the window policy and returns the status
// line for the thread ("" when there is nothing to say).
func (b *Bot) deliver(ctx context.Context, c *conversation.Conversation, a channel.AgentEvent, r channel.Reply) (string, error) {
	now := b.now()
	if c.Key.Surface == channel.Comment {
		r.CommentID = c.CommentID
	}
	wd := window.Decide(window.Input{Surface: c.Key.Surface, LastInbound: c.LastInboundAt, Now: now, Human: true, Template: b.Template})
	var note string
	switch wd.Action {
	case window.Send:
		if left := wd.ClosesAt.Sub(now); left < warnWithin {
			note = slackapi.NoteWindowCloses(left)
		}
	case window.SendTagged:
		r.Tag = wd.Tag
		note = slackapi.NoteHumanAgentTag()
	case window.SendTemplate:
		r = channel.Reply{Template: &channel.Template{Name: wd.Template, Language: b.TemplateLanguage}, Human: true}
		note = slackapi.NoteTemplateSent()
	case window.Refuse:
		if c.Key.Surface == channel.WhatsApp || c.LastInboundAt.IsZero() {
			return slackapi.NoteCustomerMustWrite(), nil
		}
		return slackapi.NoteNotSent(wd.Reason), nil
	}
	_, err := b.once(ctx, c, a.ID+"#reply", func(ctx context.Context) (string, error) {
		return b.Sender.Send(ctx, c.Key, r)
	})
	switch {
	case err == nil:
		b.count(ctx, metrics.AgentReplies, 1)
		return note, nil
	case errors.Is(err, graph.ErrWindowClosed):
		b.count(ctx, metrics.DeliveriesFailed, 1)
		return slackapi.NoteCustomerMustWrite(), nil
	case !retryable(err):
		b.count(ctx, metrics.DeliveriesFailed, 1)
		return slackapi.NoteNotSent(apperr.Message(err)), nil
	}
	return "", fmt.Errorf("deliver agent reply: %w", err)
}

// note posts a status line into the thread once per event (c is the leased conversation, or
// nil when there is none).
func (b *Bot) note(ctx context.Context, c *conversation.Conversation, ch, threadTS, eventID, text string) error {
	if b.Desk == nil || text == "" || threadTS == "" {
		return nil
	}
	_, err := b.once(ctx, c, eventID+"#note", func(ctx context.Context) (string, error) {
		return "", b.Desk.Note(ctx, ch, threadTS, text)
	})
	if err != nil {
		return fmt.Errorf("post status line: %w", err)
	}
	return nil
}

func (b *Bot) signal(ctx context.Context, m adsignals.Moment, c *conversation.Conversation, a channel.AgentEvent) error {
	if b.Signals == nil {
		return nil
	}
	if _, err := b.Signals.Signal(ctx, m, c, a.ID, a.At); err != nil {
		return fmt.Errorf("ad signal %s: %w", m, err)
	}
	return nil
}
