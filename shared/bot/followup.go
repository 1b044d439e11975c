package bot

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/frontdesk-app/frontdesk/shared/apperr"
	"github.com/frontdesk-app/frontdesk/shared/channel"
	"github.com/frontdesk-app/frontdesk/shared/consent"
	"github.com/frontdesk-app/frontdesk/shared/conversation"
	"github.com/frontdesk-app/frontdesk/shared/desk"
	"github.com/frontdesk-app/frontdesk/shared/phone"
	"github.com/frontdesk-app/frontdesk/shared/window"
)

// FollowUp configures the cross-channel follow-up (docs/followup.md): a customer who escalates
// on Messenger, Instagram or under a post is offered to be told on WhatsApp; when an agent
// answers after the customer can no longer be reached where they wrote, the WhatsApp template
// goes to the number they gave, and the WhatsApp conversation joins the same Slack thread.
type FollowUp struct {
	// Ledger records the customer's permission and is asked right before sending.
	Ledger FollowUpLedger
	// PhoneNumberID is the business's WhatsApp phone number id, the sender of the template and
	// the account of the WhatsApp conversation (WHATSAPP_PHONE_NUMBER_ID).
	PhoneNumberID string
	// DefaultCountryCode completes national numbers: "49" makes "0170 1234567" +49 170 1234567
	// (DEFAULT_COUNTRY_CODE).
	DefaultCountryCode string
	// Template is the approved template to send; empty means Bot.Template.
	Template string
}

// FollowUpLedger is the WhatsApp follow-up purpose of the consent ledger (*consent.Ledger).
type FollowUpLedger interface {
	GrantFollowUp(ctx context.Context, key channel.Key, number string, at time.Time) error
	WithdrawFollowUp(ctx context.Context, key channel.Key, source string, at time.Time) error
	FollowUpAllowed(ctx context.Context, key channel.Key, number string) (bool, error)
}

// Quick-reply payloads of the offer.
const (
	PayloadFollowUpYes = "followup:yes"
	PayloadFollowUpNo  = "followup:no"
)

// ReasonFollowUp is the escalation reason of a WhatsApp conversation created by a follow-up.
const ReasonFollowUp = desk.ReasonFollowUp

// maxNumberTries is how many unreadable numbers end the offer.
const maxNumberTries = 3

// followUpOn reports whether the follow-up can be offered for conversations on surface s.
func (b *Bot) followUpOn(s channel.Surface) bool {
	f := b.FollowUp
	return f != nil && f.Ledger != nil && f.PhoneNumberID != "" && b.followUpTemplate() != "" &&
		(s == channel.Messenger || s == channel.Instagram || s == channel.Comment)
}

func (b *Bot) followUpTemplate() string {
	if b.FollowUp != nil && b.FollowUp.Template != "" {
		return b.FollowUp.Template
	}
	return b.Template
}

func (b *Bot) texts(c *conversation.Conversation) followUpTexts {
	return followUpTextsFor(c.Locale, b.DefaultLocale)
}

// withFollowUpOffer makes the offer when c escalates and was not asked in this conversation,
// and reports whether it did. On a comment the offer rides in r, the private reply (the only
// message allowed until the customer writes back, and without quick replies); elsewhere
// offerFollowUp asks after the escalation notice.
func (b *Bot) withFollowUpOffer(c *conversation.Conversation, r channel.Reply, at time.Time) (channel.Reply, bool) {
	if !b.followUpOn(c.Key.Surface) {
		return r, false
	}
	if c.FollowUp.Granted() {
		// A new escalation opens a new thread: the permission stands, the follow-up is due
		// again there.
		c.FollowUp.NotifiedAt, c.Linked = time.Time{}, nil
	}
	if c.FollowUp != nil {
		return r, false
	}
	c.FollowUp = &conversation.FollowUp{State: conversation.FollowUpOffered, At: at}
	if c.Key.Surface == channel.Comment {
		r.Text = strings.TrimSpace(r.Text + "\n\n" + b.texts(c).CommentOffer)
	}
	return r, true
}

// offerFollowUp asks the offer's question with Yes/No quick replies (Messenger, Instagram).
func (b *Bot) offerFollowUp(ctx context.Context, c *conversation.Conversation, in channel.Inbound) error {
	if c.Key.Surface == channel.Comment {
		return nil // asked in the private reply
	}
	t := b.texts(c)
	return b.reply(ctx, c, in.ID+"#followup", channel.Reply{Text: t.Offer, Options: []channel.Option{
		{ID: PayloadFollowUpYes, Title: t.Yes}, {ID: PayloadFollowUpNo, Title: t.No},
	}})
}

// followUpAnswer handles a customer message that answers the offer or takes the permission
// back. handled is false for every other message, which then takes its usual way (mirrored into
// the thread, or answered by the bot).
func (b *Bot) followUpAnswer(ctx context.Context, c *conversation.Conversation, in channel.Inbound) (handled bool, err error) {
	f := c.FollowUp
	if !b.followUpOn(c.Key.Surface) || f == nil {
		return false, nil
	}
	t := b.texts(c)
	words := consent.Normalize(in.Text)
	switch {
	case f.Granted() && withdrawWords[words]:
		if err := b.FollowUp.Ledger.WithdrawFollowUp(ctx, c.Key, consent.SourceChat, in.At); err != nil {
			return true, fmt.Errorf("withdraw follow-up: %w", err)
		}
		c.FollowUp = &conversation.FollowUp{State: conversation.FollowUpWithdrawn, At: in.At}
		if err := b.reply(ctx, c, in.ID+"#reply", channel.Reply{Text: t.Withdrawn, CommentID: in.CommentID}); err != nil {
			return true, err
		}
		return true, b.followUpChanged(ctx, c, in.ID, desk.Note{Kind: desk.FollowUpWithdrawn})
	case !f.Open():
		return false, nil
	}
	yes := in.Payload == PayloadFollowUpYes || yesWords[words]
	no := in.Payload == PayloadFollowUpNo || noWords[words]
	parse := phone.ParseDialled // unasked, only a number written as one: "+49 …", "0170 …"
	if f.State == conversation.FollowUpAwaitingNumber {
		parse = phone.Parse
	}
	number, perr := parse(in.Text, b.FollowUp.DefaultCountryCode)
	switch {
	case no:
		c.FollowUp = &conversation.FollowUp{State: conversation.FollowUpDeclined, At: in.At}
		if err := b.reply(ctx, c, in.ID+"#reply", channel.Reply{Text: t.Declined, CommentID: in.CommentID}); err != nil {
			return true, err
		}
		return true, b.followUpChanged(ctx, c, in.ID)
	case perr == nil:
		// A number in answer to the offer (or to "what is your number?") is the customer's
		// explicit opt-in: the question said what it is for.
		return true, b.grantFollowUp(ctx, c, in, number)
	case yes:
		c.FollowUp = &conversation.FollowUp{State: conversation.FollowUpAwaitingNumber, At: in.At}
		return true, b.reply(ctx, c, in.ID+"#reply", channel.Reply{Text: t.AskNumber, CommentID: in.CommentID})
	case f.State != conversation.FollowUpAwaitingNumber:
		return false, nil // silence about the offer: it stays open, the message goes its way
	case errors.Is(perr, phone.ErrNoNumber) && len(strings.Fields(words)) > 3:
		return false, nil // a sentence without a number: the customer talks about something else
	}
	f.Tries++
	f.At = in.At
	if f.Tries >= maxNumberTries {
		c.FollowUp = &conversation.FollowUp{State: conversation.FollowUpDeclined, At: in.At}
		if err := b.reply(ctx, c, in.ID+"#reply", channel.Reply{Text: t.GaveUp, CommentID: in.CommentID}); err != nil {
			return true, err
		}
		return true, b.followUpChanged(ctx, c, in.ID)
	}
	return true, b.reply(ctx, c, in.ID+"#reply", channel.Reply{Text: t.BadNumber, CommentID: in.CommentID})
}

// grantFollowUp records the permission in the ledger and on the conversation, confirms it to
// the customer and tells the thread.
func (b *Bot) grantFollowUp(ctx context.Context, c *conversation.Conversation, in channel.Inbound, n phone.Number) error {
	if err := b.FollowUp.Ledger.GrantFollowUp(ctx, c.Key, n.Digits(), in.At); err != nil {
		return fmt.Errorf("grant follow-up: %w", err)
	}
	c.FollowUp = &conversation.FollowUp{State: conversation.FollowUpGranted, Number: n.Digits(), At: in.At}
	t := b.texts(c)
	if err := b.reply(ctx, c, in.ID+"#reply", channel.Reply{Text: fmt.Sprintf(t.Granted, n.E164()), CommentID: in.CommentID}); err != nil {
		return err
	}
	b.log().InfoContext(ctx, "whatsapp follow-up granted", "conversation", c, "followUp", c.FollowUp)
	return b.followUpChanged(ctx, c, in.ID, desk.Note{Kind: desk.FollowUpAllowed, Number: phone.Mask(n.Digits())})
}

// followUpChanged redraws the escalation card with the follow-up line and posts notes.
func (b *Bot) followUpChanged(ctx context.Context, c *conversation.Conversation, eventID string, notes ...desk.Note) error {
	if b.Desk == nil || c.ThreadTS == "" {
		return nil
	}
	if c.Escalated() {
		if err := b.redrawCard(ctx, c, eventID); err != nil {
			return err
		}
	}
	return b.note(ctx, c, desk.ThreadOf(c), eventID, notes...)
}

// redrawCard rewrites c's escalation card from its record, once per event: every change of
// what the card shows (status, agent, follow-up, lead) calls it, so the card never lies.
func (b *Bot) redrawCard(ctx context.Context, c *conversation.Conversation, eventID string) error {
	if b.Desk == nil || c.ThreadTS == "" {
		return nil
	}
	card := desk.CardOf(c)
	_, err := b.once(ctx, c, eventID+"#update", func(ctx context.Context) (string, error) {
		return "", b.Desk.Update(ctx, desk.ThreadOf(c), card)
	})
	if err != nil {
		return fmt.Errorf("update escalation card: %w", err)
	}
	return nil
}

// linked returns the conversation linked to c that shares c's Slack thread, or nil.
func (b *Bot) linked(ctx context.Context, c *conversation.Conversation) (*conversation.Conversation, error) {
	if c.Linked == nil || c.Linked.IsZero() || c.ThreadTS == "" {
		return nil, nil
	}
	p, err := b.Conversations.GetConversation(ctx, *c.Linked)
	switch {
	case apperr.Is(err, apperr.NotFound):
		return nil, nil
	case err != nil:
		return nil, fmt.Errorf("load linked conversation: %w", err)
	}
	if p.SlackChannel != c.SlackChannel || p.ThreadTS != c.ThreadTS {
		return nil, nil // escalated again into a thread of its own
	}
	return p, nil
}

// deliverToThread sends an agent's reply to whichever conversation of the thread the customer
// wrote in last (the origin, or its WhatsApp follow-up once the customer answered there), then
// sends the WhatsApp follow-up if it is due. It returns the thread's status lines.
func (b *Bot) deliverToThread(ctx context.Context, c *conversation.Conversation, a channel.AgentEvent, r channel.Reply) ([]desk.Note, error) {
	p, err := b.linked(ctx, c)
	if err != nil {
		return nil, err
	}
	target := c
	if p != nil && p.LastInboundAt.After(c.LastInboundAt) {
		target = p
	}
	notes, err := b.deliver(ctx, target, a, r)
	if err != nil {
		return nil, err
	}
	if a.Action == channel.ActionReply && a.MessageTS != "" && delivered(notes) {
		c.MarkProcessed(sentID(a.Channel, a.MessageTS))
	}
	if target == p {
		b.claim(ctx, p, a.User, b.now())
		if err := b.saveLinked(ctx, p, a.ID); err != nil {
			return nil, err
		}
	}
	fnotes, _, err := b.followUpNotify(ctx, c, a)
	if err != nil {
		return nil, err
	}
	return append(notes, fnotes...), nil
}

// syncLinked gives the linked conversation of the thread c's new status (claim, resolve, back
// to the bot), so the customer's WhatsApp messages follow the thread's state.
func (b *Bot) syncLinked(ctx context.Context, c *conversation.Conversation, a channel.AgentEvent) error {
	p, err := b.linked(ctx, c)
	if err != nil || p == nil || p.HasProcessed(a.ID) {
		return err
	}
	p.Status, p.Agent = c.Status, c.Agent
	if c.Status == conversation.Claimed && p.ClaimedAt.IsZero() {
		p.ClaimedAt = b.now()
	}
	if c.Status == conversation.Bot {
		p.Misses = 0
	}
	return b.saveLinked(ctx, p, a.ID)
}

func (b *Bot) saveLinked(ctx context.Context, p *conversation.Conversation, eventID string) error {
	p.MarkProcessed(eventID)
	if err := b.save(ctx, p); err != nil {
		return fmt.Errorf("linked conversation: %w", err)
	}
	return nil
}

// followUpDue reports whether an agent's answer can no longer reach the customer where they
// wrote, inside the standard window: on Messenger and Instagram 24 hours after their last
// message; under a post at once, because the one private reply went out with the escalation
// notice.
func followUpDue(c *conversation.Conversation, now time.Time) bool {
	if c.Key.Surface == channel.Comment {
		return true
	}
	d := window.Decide(window.Input{Surface: c.Key.Surface, LastInbound: c.LastInboundAt, Now: now, Human: false})
	return d.Action != window.Send
}

// followUpNotify sends the WhatsApp template to the number the customer of c gave, once, when
// the follow-up is granted and due, and links the WhatsApp conversation into c's thread. The
// ledger is asked right before sending: a withdrawn permission sends nothing. created reports
// whether the WhatsApp conversation joined the thread now.
func (b *Bot) followUpNotify(ctx context.Context, c *conversation.Conversation, a channel.AgentEvent) (notes []desk.Note, created bool, err error) {
	f := c.FollowUp
	now := b.now()
	if !b.followUpOn(c.Key.Surface) || !f.Granted() || !f.NotifiedAt.IsZero() || c.ThreadTS == "" || !followUpDue(c, now) {
		return nil, false, nil
	}
	ok, err := b.FollowUp.Ledger.FollowUpAllowed(ctx, c.Key, f.Number)
	if err != nil {
		return nil, false, fmt.Errorf("follow-up permission: %w", err)
	}
	masked := phone.Mask(f.Number)
	if !ok {
		c.FollowUp = &conversation.FollowUp{State: conversation.FollowUpWithdrawn, At: now}
		return []desk.Note{{Kind: desk.FollowUpRevoked}}, false, nil
	}
	key := channel.Key{Surface: channel.WhatsApp, Account: b.FollowUp.PhoneNumberID, User: f.Number}
	tmpl := channel.Reply{Template: &channel.Template{Name: b.followUpTemplate(), Language: b.TemplateLanguage}, Human: true}
	_, err = b.once(ctx, c, a.ID+"#followup", func(ctx context.Context) (string, error) {
		return b.Sender.Send(ctx, key, tmpl)
	})
	switch {
	case err == nil:
	case !retryable(err):
		b.log().WarnContext(ctx, "whatsapp follow-up not sent", "conversation", c, "kind", apperr.KindOf(err).String(), "err", err)
		return []desk.Note{{Kind: desk.NotSent, Text: "WhatsApp template to " + masked + ": " + apperr.Message(err)}}, false, nil
	default:
		return nil, false, fmt.Errorf("send whatsapp follow-up: %w", err)
	}
	joined, err := b.joinThread(ctx, c, key, a)
	if err != nil {
		return nil, false, err
	}
	f.NotifiedAt = now
	b.log().InfoContext(ctx, "whatsapp follow-up sent", "conversation", c, "joined", joined)
	if !joined {
		return []desk.Note{{Kind: desk.FollowUpElsewhere, Number: masked}}, false, nil
	}
	c.Linked = &key
	if a.Action == channel.ActionReply || a.Action == channel.ActionSendAnswer {
		// The card is not redrawn for replies otherwise; its follow-up line changes now.
		if err := b.redrawCard(ctx, c, a.ID); err != nil {
			return nil, false, err
		}
	}
	return []desk.Note{{Kind: desk.FollowUpSent, Number: masked}}, true, nil
}

// joinThread makes the WhatsApp conversation of key part of c's thread: created, or taken over
// from the bot, with c's thread, owned by the agent who answered. A WhatsApp conversation that
// is already escalated into another thread stays there (joined is false).
func (b *Bot) joinThread(ctx context.Context, c *conversation.Conversation, key channel.Key, a channel.AgentEvent) (joined bool, err error) {
	w, err := b.load(ctx, key)
	if err != nil {
		return false, err
	}
	if w.HasProcessed(a.ID) {
		return w.ThreadTS == c.ThreadTS, nil
	}
	if w.Escalated() && w.ThreadTS != "" && (w.SlackChannel != c.SlackChannel || w.ThreadTS != c.ThreadTS) {
		return false, nil
	}
	now := b.now()
	w.Status, w.Agent, w.ClaimedAt = conversation.Claimed, a.User, now
	if a.User == "" {
		w.Status = conversation.Escalated
	}
	w.SlackChannel, w.ThreadTS = c.SlackChannel, c.ThreadTS
	w.EscalationReason, w.EscalatedAt, w.AnnouncedAt = ReasonFollowUp, now, now
	w.Linked = &c.Key
	if w.Locale == "" || w.Version == 0 {
		w.Locale = c.Locale
	}
	w.Misses, w.Pending = 0, nil
	if err := b.saveLinked(ctx, w, a.ID); err != nil {
		return false, err
	}
	return true, nil
}

// followUpOptedOut withdraws a granted follow-up on the conversation when the customer's consent
// command was an opt-out (the ledger has withdrawn it already, consent.Ledger.Decide), and tells
// the thread.
func (b *Bot) followUpOptedOut(ctx context.Context, c *conversation.Conversation, in channel.Inbound) error {
	if !c.FollowUp.Granted() && !c.FollowUp.Open() {
		return nil
	}
	if cmd, _, ok := consent.Detect(in.Text); !ok || cmd.State() != consent.Denied {
		return nil
	}
	c.FollowUp = &conversation.FollowUp{State: conversation.FollowUpWithdrawn, At: in.At}
	return b.followUpChanged(ctx, c, in.ID, desk.Note{Kind: desk.FollowUpOptedOut})
}
