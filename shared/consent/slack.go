package consent

import (
	"context"
	"log/slog"
	"slices"
	"strings"
	"time"

	"github.com/frontdesk-app/frontdesk/shared/apperr"
	"github.com/frontdesk-app/frontdesk/shared/channel"
)

// DefaultSlackIndexRetention is how long the erasure index of a Slack thread lives after the
// bot's last message in it: as long as the thread can exist. Slack keeps messages until the
// workspace's retention policy deletes them (by default never), so the index cannot match
// "forever"; frontdesk keeps it a year and docs/privacy.md asks the workspace to set the
// escalation channel's message retention to a year too, so thread and index end together.
const DefaultSlackIndexRetention = 365 * 24 * time.Hour

// SlackThread is the erasure index of one Slack thread about a subject: where the thread is
// and the ts of each message the bot posted in it. No text, no name, no user id.
type SlackThread struct {
	Subject  string `json:"subject"`
	Channel  string `json:"channel"`
	ThreadTS string `json:"threadTs"`
	// Messages are the ts of the bot's own messages (the card's ts is ThreadTS).
	Messages []string `json:"messages"`
	// Line is the ts of the erasure line once it was posted (an erasure that is retried does
	// not post it again nor delete it).
	Line string `json:"line,omitempty"`
	// AdminsTold is set once the agents' own messages were listed to the channel's admins.
	AdminsTold bool      `json:"adminsTold,omitempty"`
	ExpiresAt  time.Time `json:"expiresAt"`
}

// ThreadStore is the part of Store that keeps the erasure index.
type ThreadStore interface {
	// RecordSlackMessages adds the bot's messages' ts (at least one) to the subject's index of
	// the thread, creating it, and sets its expiry, in one write.
	RecordSlackMessages(ctx context.Context, subject, channel, threadTS string, ts []string, expiresAt time.Time) error
	// SlackThreads returns the subject's live thread indexes, ordered by channel and thread ts.
	SlackThreads(ctx context.Context, subject string) ([]SlackThread, error)
	// MarkSlackThread records the progress of an erasure of the thread: the erasure line's ts
	// (when not empty) and whether the admins were told. An absent index is NotFound.
	MarkSlackThread(ctx context.Context, subject, channel, threadTS, line string, adminsTold bool) error
}

// ValidateSlackMessages checks RecordSlackMessages's input; errors are apperr.Invalid under op.
func ValidateSlackMessages(op apperr.Op, subject, channel, threadTS string, ts []string, expiresAt time.Time) error {
	switch {
	case channel == "" || strings.ContainsAny(channel, "#/ "):
		return apperr.E(op, apperr.Invalid, "slack channel id is malformed")
	case !ValidTS(threadTS) || len(ts) == 0 || slices.ContainsFunc(ts, func(s string) bool { return !ValidTS(s) }):
		return apperr.E(op, apperr.Invalid, "slack ts is malformed")
	case expiresAt.IsZero():
		return apperr.E(op, apperr.Invalid, "index expiry is required")
	}
	return ValidateSubject(op, subject)
}

// ValidTS reports whether s looks like a Slack message ts ("1767225600.000100").
func ValidTS(s string) bool {
	sec, frac, ok := strings.Cut(s, ".")
	return ok && sec != "" && frac != "" && len(s) <= 32 && !strings.ContainsFunc(sec+frac, func(r rune) bool { return r < '0' || r > '9' })
}

// SlackMessage is a message of a thread as Slack lists it.
type SlackMessage struct {
	TS string
	// Bot is set for a message posted by an app or bot (not necessarily this one).
	Bot bool
	// Files are the ids of the files shared with the message (a customer's photo the bot
	// uploaded into the thread).
	Files []string
}

// Slack is what erasing a thread needs of Slack's Web API (slackapi.ErasureAPI, which words
// and renders the messages).
type Slack interface {
	// PostErased posts the one line an erasure leaves in the thread ("Conversation erased at
	// the customer's request") and returns its ts.
	PostErased(ctx context.Context, channel, threadTS string) (ts string, err error)
	// ListLeftovers tells the channel's admins, outside the thread, which messages the bot
	// could not delete (their links).
	ListLeftovers(ctx context.Context, channel string, links []string) error
	// DeleteMessage deletes a message the bot posted (chat.delete). A message already gone is
	// NotFound; one the bot did not post is Forbidden (cant_delete_message).
	DeleteMessage(ctx context.Context, channel, ts string) error
	// DeleteFile deletes a file the bot uploaded (files.delete): deleting the message that
	// shared it leaves the file. A file already gone is NotFound; one the bot did not upload is
	// Forbidden.
	DeleteFile(ctx context.Context, id string) error
	// ThreadMessages lists the thread's messages, the parent first (conversations.replies).
	ThreadMessages(ctx context.Context, channel, threadTS string) ([]SlackMessage, error)
	// Permalink returns a message's link (chat.getPermalink).
	Permalink(ctx context.Context, channel, ts string) (string, error)
}

// SlackEraser removes the bot's messages about a subject from Slack, using the erasure index.
type SlackEraser struct {
	Store  ThreadStore
	Slack  Slack
	Logger *slog.Logger
}

// Erase erases every indexed thread of the subject: it posts the erasure line into the thread
// (once), deletes every message of the bot's in it (the card last, so the line keeps the thread),
// and lists the messages agents wrote themselves, which the bot token cannot delete, to the
// channel by link. Run again after a failure it carries on where it stopped: a message already
// deleted is done, the line and the admins' list are not posted twice. The index itself goes
// with the subject's other items (Store.EraseSubject).
func (e *SlackEraser) Erase(ctx context.Context, subject string) error {
	const op apperr.Op = "consent.SlackEraser.Erase"
	threads, err := e.Store.SlackThreads(ctx, subject)
	if err != nil {
		return apperr.Wrap(op, apperr.Other, err, "")
	}
	for _, t := range threads {
		if err := e.eraseThread(ctx, t); err != nil {
			if apperr.Is(err, apperr.Transient) {
				return apperr.Wrap(op, apperr.Transient, err, "slack erasure interrupted")
			}
			// The channel is gone or the app left it: nothing the bot can delete any more.
			e.log().ErrorContext(ctx, "slack thread not erased", "subject", subject, "channel", t.Channel,
				"kind", apperr.KindOf(err).String(), "err", err)
		}
	}
	return nil
}

func (e *SlackEraser) log() *slog.Logger {
	if e.Logger != nil {
		return e.Logger
	}
	return slog.Default()
}

func (e *SlackEraser) eraseThread(ctx context.Context, t SlackThread) error {
	if t.Line == "" {
		ts, err := e.Slack.PostErased(ctx, t.Channel, t.ThreadTS)
		if err != nil {
			return err
		}
		t.Line = ts
		if err := e.Store.MarkSlackThread(ctx, t.Subject, t.Channel, t.ThreadTS, ts, t.AdminsTold); err != nil {
			return err
		}
	}
	ours := map[string]bool{}
	for _, ts := range t.Messages {
		ours[ts] = true
	}
	// What else is in the thread: messages the index missed (a post whose record failed) are
	// tried too; Slack refuses the ones another app posted, and they are listed with the
	// agents' own.
	msgs, err := e.Slack.ThreadMessages(ctx, t.Channel, t.ThreadTS)
	if err != nil && !apperr.Is(err, apperr.NotFound) {
		return err
	}
	var others []string
	for _, m := range msgs {
		switch {
		case m.TS == t.Line || ours[m.TS]:
		case m.Bot:
			ours[m.TS] = true
		default:
			others = append(others, m.TS)
		}
		if !ours[m.TS] {
			continue
		}
		// A customer's file the bot brought into the thread goes first: deleting its message
		// would leave the file in Slack.
		for _, id := range m.Files {
			if err := e.Slack.DeleteFile(ctx, id); err != nil && !apperr.Is(err, apperr.NotFound) && !apperr.Is(err, apperr.Forbidden) {
				return err
			}
		}
	}
	del := make([]string, 0, len(ours))
	for ts := range ours {
		if ts != t.Line && ts != t.ThreadTS {
			del = append(del, ts)
		}
	}
	slices.Sort(del)
	if ours[t.ThreadTS] || slices.Contains(t.Messages, t.ThreadTS) {
		del = append(del, t.ThreadTS) // the card last: the line keeps the thread
	}
	for _, ts := range del {
		err := e.Slack.DeleteMessage(ctx, t.Channel, ts)
		switch {
		case err == nil, apperr.Is(err, apperr.NotFound):
		case apperr.Is(err, apperr.Forbidden):
			others = append(others, ts)
		default:
			return err
		}
	}
	if len(others) == 0 || t.AdminsTold {
		return nil
	}
	slices.Sort(others)
	links := make([]string, 0, len(others))
	for _, ts := range others {
		link, err := e.Slack.Permalink(ctx, t.Channel, ts)
		if err != nil {
			if apperr.Is(err, apperr.NotFound) {
				continue
			}
			return err
		}
		links = append(links, link)
	}
	if len(links) > 0 {
		if err := e.Slack.ListLeftovers(ctx, t.Channel, links); err != nil {
			return err
		}
	}
	return e.Store.MarkSlackThread(ctx, t.Subject, t.Channel, t.ThreadTS, t.Line, true)
}

// SlackRecorder records the bot's messages in the threads of conversations into the erasure
// index: under the customer's subject, and under the subject of a linked conversation (a
// WhatsApp follow-up shares its thread).
type SlackRecorder struct {
	Store     ThreadStore
	Subjects  Subjects
	Retention time.Duration
	Now       func() time.Time
}

// Record adds ts, posted in the thread threadTS of channel about the conversation key (and
// linked, when set), to the index: one write per subject.
func (r *SlackRecorder) Record(ctx context.Context, key channel.Key, linked *channel.Key, ch, threadTS string, ts ...string) error {
	now := time.Now
	if r.Now != nil {
		now = r.Now
	}
	keep := r.Retention
	if keep <= 0 {
		keep = DefaultSlackIndexRetention
	}
	keys := []channel.Key{key}
	if linked != nil && !linked.IsZero() {
		keys = append(keys, *linked)
	}
	for _, k := range keys {
		if err := r.Store.RecordSlackMessages(ctx, r.Subjects.Key(k), ch, threadTS, ts, now().Add(keep)); err != nil {
			return apperr.Wrap("consent.SlackRecorder", apperr.Other, err, "")
		}
	}
	return nil
}
