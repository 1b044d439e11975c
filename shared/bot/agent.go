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
	"github.com/frontdesk-app/frontdesk/shared/files"
	"github.com/frontdesk-app/frontdesk/shared/graph"
	"github.com/frontdesk-app/frontdesk/shared/metrics"
	"github.com/frontdesk-app/frontdesk/shared/mrkdwn"
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
	if c.HasProcessed(a.ID) {
		b.log().InfoContext(ctx, "duplicate agent event skipped", "event", a)
		return b.release(ctx, c)
	}
	ctx, t := withTally(ctx)
	now := b.now()
	var note string
	switch a.Action {
	case channel.ActionReply:
		if mrkdwn.IsNote(a.Text) {
			// The ingress keeps notes in Slack; an event queued by an older ingress, or by hand,
			// is held to the same rule here.
			b.log().InfoContext(ctx, "internal note not sent", "event", a)
			c.MarkProcessed(a.ID)
			return b.release(ctx, c)
		}
		b.claim(ctx, c, a.User, now)
		if note, err = b.deliverToThread(ctx, c, a, channel.Reply{Text: a.Text, Human: true}); err != nil {
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
		if note, err = b.deliverToThread(ctx, c, a, channel.Reply{Text: text, Human: true}); err != nil {
			return err
		}
		if note == "" {
			note = slackapi.NoteAnswerSent(a.User, title)
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
	if a.Action != channel.ActionReply && a.Action != channel.ActionSendAnswer && a.Action != channel.ActionLead {
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
	var parts []string
	var fileNotes []string
	var sendFiles []channel.FileRef
	if r.Template == nil {
		if a.Action == channel.ActionReply {
			r.Text = b.customerText(ctx, c.Key.Surface, a.Text)
		}
		sendFiles, fileNotes = b.acceptFiles(c.Key.Surface, a.Files)
		caption := ""
		if len(sendFiles) == 1 && len(a.Files) == 1 && captioned(c.Key.Surface, sendFiles[0], r.Text) {
			caption, r.Text = r.Text, ""
		}
		if r.Text != "" || len(a.Files) == 0 {
			plan := mrkdwn.PlanReply(r.Text, c.Key.Surface)
			if plan.Refused != "" {
				return joinNotes(append([]string{slackapi.NoteNotSent(plan.Refused)}, fileNotes...)...), nil
			}
			parts = plan.Parts
			if len(parts) > 1 {
				note = joinNotes(slackapi.NoteSplit(len(parts), slackapi.SurfaceName(c.Key.Surface), channel.TextMax(c.Key.Surface)), note)
			}
		}
		if len(parts) > 0 || len(a.Files) == 0 {
			if err := b.sendParts(ctx, c, a.ID+"#reply", r, parts); err != nil {
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
				if retryable(err) && !errors.Is(err, graph.ErrWindowClosed) {
					return "", fmt.Errorf("deliver agent file: %w", err)
				}
				b.count(ctx, metrics.DeliveriesFailed, 1)
				fileNotes = append(fileNotes, slackapi.NoteNotSent(fileLabel(ref)+": "+apperr.Message(err)))
			}
		}
		return joinNotes(append([]string{note}, fileNotes...)...), nil
	}
	err := b.sendParts(ctx, c, a.ID+"#reply", r, parts)
	if err != nil {
		return b.deliveryFailed(ctx, err)
	}
	b.count(ctx, metrics.AgentReplies, 1)
	return note, nil
}

// deliveryFailed turns a failed send of an agent's reply into the thread's status line, or into
// the event's error when a retry may still deliver it.
func (b *Bot) deliveryFailed(ctx context.Context, err error) (string, error) {
	switch {
	case errors.Is(err, graph.ErrWindowClosed):
		b.count(ctx, metrics.DeliveriesFailed, 1)
		return slackapi.NoteCustomerMustWrite(), nil
	case !retryable(err):
		b.count(ctx, metrics.DeliveriesFailed, 1)
		return slackapi.NoteNotSent(apperr.Message(err)), nil
	}
	return "", fmt.Errorf("deliver agent reply: %w", err)
}

// acceptFiles splits an agent's files into those the surface takes and the status lines of
// those it does not (type and size as Slack announced them; the bytes are checked again when
// they are sent).
func (b *Bot) acceptFiles(s channel.Surface, refs []channel.FileRef) (ok []channel.FileRef, notes []string) {
	for _, ref := range refs {
		if _, err := files.ForCustomer(s, ref.MIME, ref.Size); err != nil {
			notes = append(notes, slackapi.NoteNotSent(fileLabel(ref)+": "+err.Error()))
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
		return "the file “" + slackapi.Escape(ref.Name) + "”"
	}
	return "the file"
}

// sendParts sends r, or r with each of parts as its text in turn; each message is sent once
// (key, key#2, key#3, ...), so a retry of the event sends only what is missing.
func (b *Bot) sendParts(ctx context.Context, c *conversation.Conversation, key string, r channel.Reply, parts []string) error {
	if len(parts) == 0 {
		_, err := b.once(ctx, c, key, func(ctx context.Context) (string, error) { return b.Sender.Send(ctx, c.Key, r) })
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
		if _, err := b.once(ctx, c, k, func(ctx context.Context) (string, error) { return b.Sender.Send(ctx, c.Key, part) }); err != nil {
			return err
		}
	}
	return nil
}

// customerText renders an agent's Slack text for the customer on surface s, with the names of
// the colleagues and channels it mentions.
func (b *Bot) customerText(ctx context.Context, s channel.Surface, text string) string {
	users, chans := mrkdwn.Mentions(text)
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
