package bot

import (
	"context"
	"errors"
	"fmt"
	"time"
	"unicode/utf8"

	"github.com/frontdesk-app/frontdesk/shared/adsignals"
	"github.com/frontdesk-app/frontdesk/shared/apperr"
	"github.com/frontdesk-app/frontdesk/shared/channel"
	"github.com/frontdesk-app/frontdesk/shared/conversation"
	"github.com/frontdesk-app/frontdesk/shared/desk"
	"github.com/frontdesk-app/frontdesk/shared/files"
	"github.com/frontdesk-app/frontdesk/shared/learn"
	"github.com/frontdesk-app/frontdesk/shared/metrics"
	"github.com/frontdesk-app/frontdesk/shared/mrkdwn"
	"github.com/frontdesk-app/frontdesk/shared/window"
)

// maxLookups bounds the names of users, and of channels, one reply has looked up.
const maxLookups = 10

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
		return b.note(ctx, nil, desk.Thread{Channel: a.Channel, TS: a.ThreadTS}, a.ID, desk.Note{Kind: desk.Gone})
	}
	defer b.recordOnFailure(ctx, c, &err)
	ctx, indexPosts := b.recording(ctx, c)
	defer indexPosts()
	if c.HasProcessed(a.ID) {
		b.log().InfoContext(ctx, "duplicate agent event skipped", "event", a)
		return b.release(ctx, c)
	}
	ctx, t := withTally(ctx)
	now := b.now()
	// Every change of what the card shows redraws it and posts one status line; an action
	// that changes nothing (a second Claim, a stale button) posts nothing.
	var notes []desk.Note
	changed := false
	if a.Action == channel.ActionReply && mrkdwn.IsNote(a.Text) {
		// The ingress keeps notes in Slack; an event queued by an older ingress, or by hand, is
		// held to the same rule here.
		b.log().InfoContext(ctx, "internal note not sent", "event", a)
		c.MarkProcessed(a.ID)
		return b.release(ctx, c)
	}
	switch a.Action {
	case channel.ActionReply, channel.ActionSendAnswer:
		r := channel.Reply{Text: a.Text, Human: true}
		title := ""
		if a.Action == channel.ActionSendAnswer {
			text, ok := "", false
			if b.Answers != nil {
				title, text, ok = b.Answers.Answer(a.Answer, c.Locale)
			}
			if !ok {
				notes = []desk.Note{{Kind: desk.NotSent, Text: "the suggested answer " + a.Answer + " is not in the knowledge base"}}
				break
			}
			r.Text = text
		}
		notes = b.claimByReply(ctx, c, a.User, now)
		changed = len(notes) > 0
		sent, err := b.deliverToThread(ctx, c, a, r)
		if err != nil {
			return err
		}
		if a.Action == channel.ActionSendAnswer && len(sent) == 0 {
			sent = []desk.Note{{Kind: desk.AnswerSent, Agent: a.User, Text: title}}
		}
		if a.Action == channel.ActionSendAnswer {
			b.countWeekly(ctx, learn.EntryCounter(a.Answer))
		}
		notes = append(notes, sent...)
		if err := b.offerFAQ(ctx, c, a, now); err != nil {
			return err
		}
	case channel.ActionClaim:
		switch {
		case c.Status == conversation.Claimed && c.Agent == a.User:
			// Pressed twice, or after replying: it is already theirs.
		case c.Status == conversation.Claimed && c.Agent != "":
			// Another agent has it: say so and offer to take it over, instead of a line that
			// claims what the record does not hold.
			notes = []desk.Note{{Kind: desk.ClaimRefused, Agent: a.User, Other: c.Agent}}
		case c.Escalated():
			b.claim(ctx, c, a.User, now)
			notes, changed = []desk.Note{{Kind: desk.Claimed, Agent: a.User}}, true
		default:
			b.log().InfoContext(ctx, "claim of a conversation that is not escalated ignored", "event", a, "conversation", c)
		}
	case channel.ActionTakeOver:
		switch {
		case c.Status == conversation.Claimed && c.Agent != "" && c.Agent != a.User:
			prev := c.Agent
			c.Agent, c.ClaimedAt = a.User, now
			notes, changed = []desk.Note{{Kind: desk.TakenOver, Agent: a.User, Other: prev}}, true
		case c.Status == conversation.Escalated || (c.Status == conversation.Claimed && c.Agent == ""):
			b.claim(ctx, c, a.User, now)
			notes, changed = []desk.Note{{Kind: desk.Claimed, Agent: a.User}}, true
		}
	case channel.ActionResolve:
		if !c.Escalated() {
			break // resolved or handed back already: a stale button
		}
		c.Status = conversation.Closed
		c.Agent = a.User
		notes, changed = []desk.Note{{Kind: desk.Resolved, Agent: a.User}}, true
		if err := b.signal(ctx, adsignals.Resolved, c, a); err != nil {
			return err
		}
		// Resolved after the window with a WhatsApp follow-up: the template goes out, and the
		// WhatsApp conversation joins the thread, claimed, to receive the customer's reply
		// (syncLinked below leaves it: it has already applied this event).
		fnotes, _, err := b.followUpNotify(ctx, c, a)
		if err != nil {
			return err
		}
		notes = append(notes, fnotes...)
	case channel.ActionHandBack:
		if !c.Escalated() {
			break
		}
		c.Status = conversation.Bot
		c.Misses = 0
		c.Agent = a.User
		notes, changed = []desk.Note{{Kind: desk.HandedBack, Agent: a.User}}, true
	case channel.ActionAddPhrasing, channel.ActionNewEntry:
		n, err := b.suggest(ctx, c, a, now)
		if err != nil {
			return err
		}
		notes = n
	case channel.ActionLead:
		if c.Lead != nil {
			// One QualifiedLead per conversation and ad click: a second click (the button was
			// still on screen) changes nothing and sends nothing.
			b.log().InfoContext(ctx, "lead already marked", "event", a)
			break
		}
		c.Lead = &conversation.Lead{Agent: a.User, At: now}
		notes, changed = []desk.Note{{Kind: desk.Lead, Agent: a.User}}, true
		if err := b.signal(ctx, adsignals.Lead, c, a); err != nil {
			return err
		}
	case channel.ActionEdit, channel.ActionDelete:
		// Only a reply the customer has: editing a note, or a reply the window refused, changes
		// nothing anyone needs to hear about.
		if !c.HasProcessed(sentID(a.Channel, a.MessageTS)) {
			break
		}
		kind := desk.ReplyEdited
		if a.Action == channel.ActionDelete {
			kind = desk.ReplyDeleted
		}
		notes = []desk.Note{{Kind: kind, Agent: a.User}}
	default:
		b.log().WarnContext(ctx, "unknown agent action ignored", "event", a)
		c.MarkProcessed(a.ID)
		return b.release(ctx, c)
	}
	if changed {
		if err := b.redrawCard(ctx, c, a.ID); err != nil {
			return err
		}
		if err := b.syncLinked(ctx, c, a); err != nil {
			return err
		}
	}
	if err := b.note(ctx, c, desk.ThreadOf(c), a.ID, notes...); err != nil {
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

// claimByReply gives the conversation to the agent who answers in its thread when nobody holds
// it, and returns the status line that says so (none when it was claimed already: by this
// agent, or by a colleague who lets them answer).
//
// A reply after "Back to bot" or after Resolve re-claims the conversation, visibly (the card is
// redrawn, the line says the bot is silent again), rather than being refused: the agent wrote to
// the customer on purpose, the card of a handed-back conversation has no Claim button left to
// take it back with, and refusing would make them copy their text into a second try. The bot
// then stays silent until the agent resolves or hands back again, as the card says.
func (b *Bot) claimByReply(ctx context.Context, c *conversation.Conversation, agent string, now time.Time) []desk.Note {
	var kind desk.NoteKind
	switch {
	case c.Status == conversation.Escalated, c.Status == conversation.Claimed && c.Agent == "":
		kind = desk.ClaimedByReply
	case c.Status == conversation.Bot:
		kind = desk.Reclaimed
		c.Pending, c.Misses = nil, 0
	case c.Status == conversation.Closed:
		kind = desk.Reopened
	default:
		return nil
	}
	b.claim(ctx, c, agent, now)
	return []desk.Note{{Kind: kind, Agent: agent}}
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

// sentID is how a conversation remembers, among its processed event ids, that the agent's
// message ts in channel reached the customer: an edit or deletion of it is then worth a line.
// Like the event ids, the last MaxProcessed are remembered.
func sentID(channel, messageTS string) string { return "sent:" + channel + ":" + messageTS }

// deliver sends an agent's reply to the customer under the window policy and returns the status
// lines for the thread (none when there is nothing to say).
func (b *Bot) deliver(ctx context.Context, c *conversation.Conversation, a channel.AgentEvent, r channel.Reply) ([]desk.Note, error) {
	now := b.now()
	if c.Key.Surface == channel.Comment {
		r.CommentID = c.CommentID
		if c.PrivateReplySpent() {
			// Meta would refuse it for good: the agent hears it now, nothing is sent or retried.
			b.count(ctx, metrics.DeliveriesFailed, 1)
			return []desk.Note{{Kind: desk.PrivateReplySpent}}, nil
		}
	}
	wd := window.Decide(window.Input{Surface: c.Key.Surface, LastInbound: c.LastInboundAt, Now: now, Human: true, Template: b.Template})
	b.observeDelivery(ctx, c, a, wd)
	var notes []desk.Note
	switch wd.Action {
	case window.Send:
		if left := wd.ClosesAt.Sub(now); left < warnWithin {
			notes = []desk.Note{{Kind: desk.WindowCloses, Duration: left}}
		}
	case window.SendTagged:
		r.Tag = wd.Tag
		notes = []desk.Note{{Kind: desk.HumanAgentTag}}
	case window.SendTemplate:
		r = channel.Reply{Template: &channel.Template{Name: wd.Template, Language: b.TemplateLanguage}, Human: true}
		notes = []desk.Note{{Kind: desk.TemplateSent}}
	case window.Refuse:
		if c.Key.Surface == channel.WhatsApp || c.LastInboundAt.IsZero() {
			return []desk.Note{{Kind: desk.CustomerMustWrite}}, nil
		}
		return []desk.Note{{Kind: desk.NotSent, Text: wd.Reason}}, nil
	}
	if r.Template != nil {
		if err := b.sendParts(ctx, c, a.ID+"#reply", r, nil); err != nil {
			return b.deliveryFailed(ctx, err)
		}
		b.count(ctx, metrics.AgentReplies, 1)
		if len(a.Files) > 0 {
			notes = append(notes, desk.Note{Kind: desk.NotSent, Text: "the files: after the window only the template may be sent"})
		}
		return notes, nil
	}
	if a.Action == channel.ActionReply {
		r.Text = b.customerText(ctx, c.Key.Surface, a.Text)
	}
	sendFiles, fileNotes := b.acceptFiles(c.Key.Surface, a.Files)
	caption := ""
	if len(sendFiles) == 1 && len(a.Files) == 1 && captioned(c.Key.Surface, sendFiles[0], r.Text) {
		caption, r.Text = r.Text, ""
	}
	if r.Text != "" || len(a.Files) == 0 {
		plan := mrkdwn.PlanReply(r.Text, c.Key.Surface)
		if plan.Refused != "" {
			return append([]desk.Note{{Kind: desk.NotSent, Text: plan.Refused}}, fileNotes...), nil
		}
		if len(plan.Parts) > 1 {
			notes = append([]desk.Note{{Kind: desk.Split, Text: fmt.Sprintf("%d messages: %s takes at most %d characters per message",
				len(plan.Parts), desk.SurfaceName(c.Key.Surface), channel.TextMax(c.Key.Surface))}}, notes...)
		}
		if err := b.sendParts(ctx, c, a.ID+"#reply", r, plan.Parts); err != nil {
			return b.deliveryFailed(ctx, err)
		}
		b.count(ctx, metrics.AgentReplies, 1)
	}
	for i, ref := range sendFiles {
		fr := channel.Reply{Human: true, Tag: r.Tag, Text: caption}
		_, err := b.once(ctx, c, fmt.Sprintf("%s#file%d", a.ID, i+1), func(ctx context.Context) (string, error) {
			if b.AgentFiles == nil {
				return "", apperr.E("bot.deliver", apperr.Invalid, "files are not configured")
			}
			f, err := b.AgentFiles.DownloadFile(ctx, ref)
			if err != nil {
				return "", err
			}
			fr.File = &f
			return b.Sender.Send(ctx, c.Key, fr)
		})
		if err != nil {
			if retryable(err) && !errors.Is(err, channel.ErrWindowClosed) {
				return nil, fmt.Errorf("deliver agent file: %w", err)
			}
			b.count(ctx, metrics.DeliveriesFailed, 1)
			fileNotes = append(fileNotes, desk.Note{Kind: desk.NotSent, Text: fileLabel(ref) + ": " + apperr.Message(err)})
			continue
		}
		b.count(ctx, metrics.AgentReplies, 1)
	}
	return append(notes, fileNotes...), nil
}

// deliveryFailed turns a failed send of an agent's reply into the thread's status line, or into
// the event's error when a retry may still deliver it.
func (b *Bot) deliveryFailed(ctx context.Context, err error) ([]desk.Note, error) {
	switch {
	case errors.Is(err, channel.ErrAlreadyReplied):
		b.count(ctx, metrics.DeliveriesFailed, 1)
		return []desk.Note{{Kind: desk.PrivateReplySpent}}, nil
	case errors.Is(err, channel.ErrWindowClosed):
		b.count(ctx, metrics.DeliveriesFailed, 1)
		return []desk.Note{{Kind: desk.CustomerMustWrite}}, nil
	case !retryable(err):
		b.count(ctx, metrics.DeliveriesFailed, 1)
		return []desk.Note{{Kind: desk.NotSent, Text: apperr.Message(err)}}, nil
	}
	return nil, fmt.Errorf("deliver agent reply: %w", err)
}

// acceptFiles splits an agent's files into those the surface takes and the status lines of
// those it does not (type and size as Slack announced them; the bytes are checked again when
// they are sent).
func (b *Bot) acceptFiles(s channel.Surface, refs []channel.FileRef) (ok []channel.FileRef, notes []desk.Note) {
	for _, ref := range refs {
		if ref.URL == "" {
			notes = append(notes, desk.Note{Kind: desk.NotSent, Text: fileLabel(ref) + ": Slack does not let frontdesk read it (shared from another organisation, or hidden by the workspace's plan)"})
			continue
		}
		if _, err := files.ForCustomer(s, ref.MIME, ref.Size); err != nil {
			notes = append(notes, desk.Note{Kind: desk.NotSent, Text: fileLabel(ref) + ": " + err.Error()})
			continue
		}
		ok = append(ok, ref)
	}
	return ok, notes
}

// captioned reports whether text can go as the caption of the one file: on WhatsApp, under an
// image, a video or a document, up to 1024 characters. Elsewhere the text is its own message.
func captioned(s channel.Surface, ref channel.FileRef, text string) bool {
	if s != channel.WhatsApp || text == "" || utf8.RuneCountInString(text) > 1024 {
		return false
	}
	kind, err := files.ForCustomer(s, ref.MIME, ref.Size)
	return err == nil && (kind == files.Image || kind == files.Video || kind == files.Document)
}

// fileLabel names a file in a status line.
func fileLabel(ref channel.FileRef) string {
	if ref.Name != "" {
		return "the file “" + ref.Name + "”"
	}
	return "the file"
}

// sendParts sends r, or r with each of parts as its text in turn; each message is sent once
// (key, key#2, key#3, ...), so a retry of the event sends only what is missing.
func (b *Bot) sendParts(ctx context.Context, c *conversation.Conversation, key string, r channel.Reply, parts []string) error {
	if len(parts) == 0 {
		_, err := b.once(ctx, c, key, func(ctx context.Context) (string, error) { return b.Sender.Send(ctx, c.Key, r) })
		notePrivateReply(c, r, err)
		return err
	}
	for i, p := range parts {
		k := key
		if i > 0 {
			k = fmt.Sprintf("%s#%d", key, i+1)
		}
		part := r
		part.Text = p
		if i > 0 {
			part.ReplyTo = ""
		}
		_, err := b.once(ctx, c, k, func(ctx context.Context) (string, error) { return b.Sender.Send(ctx, c.Key, part) })
		notePrivateReply(c, part, err)
		if err != nil {
			return err
		}
	}
	return nil
}

// customerText renders an agent's Slack text for the customer on surface s, with the names of
// the colleagues and channels it mentions.
func (b *Bot) customerText(ctx context.Context, s channel.Surface, text string) string {
	users, chans := mrkdwn.Mentions(text)
	// A handful of names is what a reply mentions; more are left out rather than each costing a
	// Web API call.
	users, chans = users[:min(len(users), maxLookups)], chans[:min(len(chans), maxLookups)]
	names := mrkdwn.Names{Users: map[string]string{}, Channels: map[string]string{}}
	if b.Directory != nil {
		for _, id := range users {
			if n, err := b.Directory.UserName(ctx, id); err == nil {
				names.Users[id] = n
			} else {
				b.log().WarnContext(ctx, "mention left out: user name not found", "user", id, "err", err)
			}
		}
		for _, id := range chans {
			if n, err := b.Directory.ChannelName(ctx, id); err == nil {
				names.Channels[id] = n
			} else {
				b.log().WarnContext(ctx, "mention left out: channel name not found", "channel", id, "err", err)
			}
		}
	}
	return mrkdwn.ToCustomer(text, s, names)
}

// note posts status lines into the thread, as one post, once per event (c is the leased
// conversation, or nil when there is none).
func (b *Bot) note(ctx context.Context, c *conversation.Conversation, t desk.Thread, eventID string, notes ...desk.Note) error {
	if b.Desk == nil || len(notes) == 0 || t.IsZero() {
		return nil
	}
	_, err := b.once(ctx, c, eventID+"#note", func(ctx context.Context) (string, error) {
		return "", b.Desk.Note(ctx, t, notes...)
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

// delivered reports whether deliver's status lines leave the reply sent (none, or a warning
// that came with a send).
func delivered(notes []desk.Note) bool {
	for _, n := range notes {
		switch n.Kind {
		case desk.NotSent, desk.CustomerMustWrite, desk.TemplateSent:
			return false
		}
	}
	return true
}
