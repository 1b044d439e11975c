package bot

import (
	"context"
	"fmt"
	"strconv"

	"github.com/frontdesk-app/frontdesk/shared/adsignals"
	"github.com/frontdesk-app/frontdesk/shared/apperr"
	"github.com/frontdesk-app/frontdesk/shared/channel"
	"github.com/frontdesk-app/frontdesk/shared/consent"
	"github.com/frontdesk-app/frontdesk/shared/conversation"
	"github.com/frontdesk-app/frontdesk/shared/desk"
	"github.com/frontdesk-app/frontdesk/shared/faq"
	"github.com/frontdesk-app/frontdesk/shared/files"
	"github.com/frontdesk-app/frontdesk/shared/learn"
	"github.com/frontdesk-app/frontdesk/shared/metrics"
)

// handleInbound applies one customer event.
func (b *Bot) handleInbound(ctx context.Context, holder string, in channel.Inbound) error {
	if in.Group != "" {
		// The webhook does not queue group messages; should one arrive all the same, it must
		// not touch the participant's one-to-one conversation.
		b.log().InfoContext(ctx, "group message not answered", "event", in)
		return nil
	}
	switch {
	case in.Kind == channel.KindPreference:
		if b.Consent == nil || in.Preference == nil {
			return nil
		}
		if _, err := b.Consent.HandlePreference(ctx, in.Key, in.Preference, in.At); err != nil {
			return fmt.Errorf("apply preference: %w", err)
		}
		return nil
	case in.Kind == channel.KindStatus:
		if in.Status != nil && in.Status.Status == "failed" {
			b.count(ctx, metrics.DeliveriesFailed, 1)
			b.log().WarnContext(ctx, "delivery failed", "event", in, "code", in.Status.ErrorCode)
		}
		return nil
	case in.Kind == channel.KindReferral:
		return b.update(ctx, holder, in, func(context.Context, *conversation.Conversation) error { return nil })
	case in.Kind == channel.KindEdit || in.Kind == channel.KindDeleted:
		return b.update(ctx, holder, in, b.amend(in))
	case !in.Kind.Answerable():
		b.log().DebugContext(ctx, "event not answered", "event", in)
		return nil
	}
	if b.Eraser != nil && in.Text != "" {
		if locale, ok := consent.DetectErase(in.Text); ok {
			return b.eraseOnRequest(ctx, in, locale)
		}
	}
	return b.update(ctx, holder, in, func(ctx context.Context, c *conversation.Conversation) error {
		b.count(ctx, metrics.MessagesIn, 1)
		if in.At.After(c.LastInboundAt) {
			c.LastInboundAt = in.At
		}
		if in.CommentID != "" {
			c.CommentID = in.CommentID
		}
		c.SetCustomerName(in.Name)
		if c.Status == conversation.Closed {
			c.Status = conversation.Bot
			c.Misses = 0
		}
		if b.Consent != nil && in.Text != "" {
			handled, reply, err := b.Consent.HandleChat(ctx, c, in.Text, in.At)
			if err != nil {
				return fmt.Errorf("consent command: %w", err)
			}
			if handled {
				if err := b.followUpOptedOut(ctx, c, in); err != nil {
					return err
				}
				b.observeConsent(ctx, c, in)
				return b.reply(ctx, c, in.ID+"#reply", channel.Reply{Text: reply, CommentID: in.CommentID})
			}
		}
		if handled, err := b.followUpAnswer(ctx, c, in); handled || err != nil {
			return err
		}
		if c.Escalated() {
			return b.mirror(ctx, c, in)
		}
		return b.answer(ctx, c, in)
	})
}

// update loads the conversation of in, skips an event it already applied, runs apply, sends the
// first-ad-message signal with the customer's first message after the ad (the message that
// carries the referral, or the first one after a referral that came alone), and saves.
func (b *Bot) update(ctx context.Context, holder string, in channel.Inbound, apply func(context.Context, *conversation.Conversation) error) (err error) {
	c, _, err := b.begin(ctx, in.Key, in.ID, holder)
	if err != nil {
		return err
	}
	defer b.recordOnFailure(ctx, c, &err)
	ctx, indexPosts := b.recording(ctx, c)
	defer indexPosts()
	ctx, t := withTally(ctx)
	if c.HasProcessed(in.ID) {
		b.log().InfoContext(ctx, "duplicate event skipped", "event", in)
		return b.release(ctx, c)
	}
	fromAd := in.Referral.FromAd() && c.Referral == nil
	if fromAd && b.Consent != nil {
		// A customer who refused ad-data sharing (or, opt-in, never agreed) has no click ids
		// kept at all: they could only ever serve an event that must not be sent.
		ok, _, err := b.Consent.AllowedKey(ctx, in.Key)
		if err != nil {
			return fmt.Errorf("ad consent: %w", err)
		}
		if !ok {
			fromAd = false
			b.count(ctx, metrics.ConsentSuppressions, 1)
		}
	}
	if fromAd {
		r := *in.Referral
		// An ad click without a message: the signal belongs to the message that follows.
		r.Pending = !in.Kind.Answerable()
		c.Referral = &r
		c.Lead = nil // a new ad click may be marked a lead again
	}
	signal := in.Kind.Answerable() && c.Referral != nil && (fromAd || c.Referral.Pending)
	if err := apply(ctx, c); err != nil {
		return err
	}
	if signal && c.Referral != nil && b.Signals != nil {
		// Before the save: a failure retries the whole event, and the signal is idempotent per
		// event id. The consent check happens inside, at send time.
		if _, err := b.Signals.Signal(ctx, adsignals.FirstAdMessage, c, in.ID, in.At); err != nil {
			return fmt.Errorf("ad signal: %w", err)
		}
	}
	if signal && c.Referral != nil {
		c.Referral.Pending = false
	}
	c.MarkProcessed(in.ID)
	if err := b.save(ctx, c); err != nil {
		return err
	}
	t.emit(b.metrics())
	b.emitWeekly(ctx, t)
	return nil
}

// answer lets the FAQ bot decide and carries the decision out; input that is no question for
// the FAQ takes its own way first (policy.go).
func (b *Bot) answer(ctx context.Context, c *conversation.Conversation, in channel.Inbound) error {
	if handled, err := b.nonText(ctx, c, in); handled || err != nil {
		return err
	}
	return b.carryOut(ctx, c, in, b.Brain.Decide(faqInput(c, in)))
}

// carryOut applies the decision d on in. A message that reached the bot later than Freshness
// gets no answer; when it needs a person it still reaches the desk, without a notice to the
// customer.
func (b *Bot) carryOut(ctx context.Context, c *conversation.Conversation, in channel.Inbound, d faq.Decision) error {
	if d.Locale != "" {
		c.Locale = d.Locale
	}
	b.log().InfoContext(ctx, "decided", "event", in, "action", d.Action.String(), "entry", d.EntryID,
		"confidence", strconv.FormatFloat(d.Confidence, 'f', 3, 64), "reason", d.Reason)
	b.observeDecision(ctx, c, in, d)
	if b.stale(in) {
		b.dropStale(ctx, in, "message delivered too late for a bot answer")
		if d.Action != faq.Escalate {
			return nil
		}
		c.Pending = nil
		b.count(ctx, metrics.Escalated, 1)
		return b.escalate(ctx, c, in, d)
	}
	c.Misses = d.Misses
	c.Pending = nil
	r := channel.Reply{Text: d.Text, Options: d.Options, CommentID: in.CommentID}
	switch d.Action {
	case faq.Answer:
		b.count(ctx, metrics.Answered, 1)
	case faq.AskBack, faq.Clarify:
		b.count(ctx, metrics.AskedBack, 1)
		for _, o := range d.Options {
			c.Pending = append(c.Pending, o.ID)
		}
	case faq.Escalate:
		b.count(ctx, metrics.Escalated, 1)
		b.countWeekly(ctx, learn.ReasonCounter(d.Reason))
		var offered bool
		r, offered = b.withFollowUpOffer(c, r, in.At)
		if r.Text != "" {
			if err := b.botReply(ctx, c, in.ID+"#reply", r); err != nil {
				return err
			}
		}
		if err := b.escalate(ctx, c, in, d); err != nil || !offered {
			return err
		}
		return b.offerFollowUp(ctx, c, in)
	}
	if r.Text == "" && len(r.Options) == 0 {
		return nil
	}
	return b.botReply(ctx, c, in.ID+"#reply", r)
}

// escalate hands the conversation to the agents: a card in Slack whose thread becomes the
// conversation's workspace.
func (b *Bot) escalate(ctx context.Context, c *conversation.Conversation, in channel.Inbound, d faq.Decision) error {
	now := b.now()
	c.Status = conversation.Escalated
	c.EscalationReason = d.Reason
	c.EscalatedAt = now
	c.Agent = ""
	if b.Desk == nil {
		return nil
	}
	a := desk.Card{
		Key: c.Key, Name: c.CustomerName, Locale: c.Locale, Reason: d.Reason,
		Messages: messageLines(in), Status: conversation.Escalated, At: now, FollowUp: desk.FollowUpLine(c.FollowUp),
	}
	for _, s := range d.Suggestions {
		a.Suggestions = append(a.Suggestions, desk.Suggestion{EntryID: s.EntryID, Title: s.Title, Answer: s.Answer, Score: s.Score})
	}
	id, err := b.once(ctx, c, in.ID+"#announce", func(ctx context.Context) (string, error) {
		t, err := b.Desk.Announce(ctx, a)
		if !t.IsZero() {
			// The card exists even if its details failed: keep the thread, never announce twice.
			if err != nil {
				b.log().WarnContext(ctx, "escalation posted without details", "err", err)
			}
			return t.Channel + " " + t.TS, nil
		}
		return "", err
	})
	if err != nil {
		// Whatever Slack said (a channel the app left, a revoked token), the customer was told
		// an agent would answer: retry, and if it never works the event ends in the dead-letter
		// queue and its alarm rather than vanishing.
		if !retryable(err) {
			err = apperr.Wrap(op, apperr.Internal, err, "escalation not posted to Slack")
		}
		return fmt.Errorf("announce escalation: %w", err)
	}
	if _, err := fmt.Sscan(id, &c.SlackChannel, &c.ThreadTS); err != nil {
		return fmt.Errorf("announce escalation: recorded thread %q: %w", id, err)
	}
	c.AnnouncedAt = now
	return b.keepCandidate(ctx, c, in, d)
}

// mirror copies a customer's message into the escalation thread; the bot stays silent.
func (b *Bot) mirror(ctx context.Context, c *conversation.Conversation, in channel.Inbound) error {
	if b.Desk == nil || c.ThreadTS == "" {
		return nil
	}
	_, err := b.once(ctx, c, in.ID+"#mirror", func(ctx context.Context) (string, error) {
		if in.MediaRef != nil && mirroredMedia[in.Media] && b.CustomerMedia != nil {
			return "", b.mirrorFile(ctx, c, in)
		}
		lines := messageLines(in)
		text := lines[0]
		return "", b.Desk.Mirror(ctx, desk.ThreadOf(c), c.CustomerName, text)
	})
	if err != nil {
		return fmt.Errorf("mirror into thread: %w", err)
	}
	return nil
}

// mirroredMedia are the kinds of customer media brought into the thread as files.
var mirroredMedia = map[string]bool{"image": true, "video": true, "audio": true, "voice": true, "document": true, "sticker": true, "file": true}

// mirrorFile fetches a customer's media and posts it into the thread with its caption. A file
// over the limit, or one Meta no longer has, is named in a line instead; a failure that may pass
// (Meta or Slack unavailable) fails the event, which the queue retries.
func (b *Bot) mirrorFile(ctx context.Context, c *conversation.Conversation, in channel.Inbound) error {
	f, err := b.CustomerMedia.FetchMedia(ctx, c.Key, *in.MediaRef)
	if err == nil {
		if f.Name == "" {
			f.Name = files.Name(in.MediaRef.Name, f.MIME, in.Media)
		}
		err = b.Desk.MirrorFile(ctx, desk.ThreadOf(c), c.CustomerName, f, in.Text)
	}
	if err == nil {
		return nil
	}
	if retryable(err) {
		return err
	}
	b.log().WarnContext(ctx, "customer media not brought into the thread", "event", in, "ref", *in.MediaRef, "err", err)
	line := "[" + in.Media + ": not shown here, " + apperr.Message(err) + "]"
	if in.Text != "" {
		line += " " + in.Text
	}
	return b.Desk.Mirror(ctx, desk.ThreadOf(c), c.CustomerName, line)
}

// messageLines is what agents see of a customer message: its text, or what kind of media it
// was, after the catalog product it was written from, if any.
func messageLines(in channel.Inbound) []string {
	lines := messageContent(in)
	if p := in.Product; p != nil {
		lines[0] = "[product " + p.RetailerID + "] " + lines[0]
	}
	return lines
}

func messageContent(in channel.Inbound) []string {
	switch {
	case in.Text != "" && in.Media != "":
		return []string{"[" + in.Media + "] " + in.Text}
	case in.Text != "":
		return []string{in.Text}
	case in.Media != "":
		return []string{"[" + in.Media + "]"}
	case in.Payload != "":
		return []string{"[tapped " + in.Payload + "]"}
	}
	return []string{"[empty message]"}
}

// eraseOnRequest carries out a customer's request in the chat to delete their data: the
// confirmation goes first (once per event, while the conversation still exists to answer on),
// then everything is erased, the Slack thread included (consent.Ledger.Erase). No conversation
// is saved afterwards: the next message starts afresh. A retried event replies no second time
// and finds nothing left to erase.
func (b *Bot) eraseOnRequest(ctx context.Context, in channel.Inbound, locale string) error {
	_, err := b.onceStored(ctx, in.ID+"#reply", func(ctx context.Context) (string, error) {
		return b.Sender.Send(ctx, in.Key, channel.Reply{Text: consent.ErasedConfirmation(locale), CommentID: in.CommentID})
	})
	if err != nil && retryable(err) {
		return fmt.Errorf("confirm the erasure: %w", err)
	}
	if err := b.Eraser.EraseKey(ctx, in.Key); err != nil {
		return fmt.Errorf("erase at the customer's request: %w", err)
	}
	b.log().InfoContext(ctx, "customer erased at their request", "event", in)
	return nil
}
