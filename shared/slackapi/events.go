package slackapi

import (
	"cmp"
	"net/http"
	"strings"

	"github.com/slack-go/slack/slackevents"

	"github.com/frontdesk-app/frontdesk/shared/channel"
	"github.com/frontdesk-app/frontdesk/shared/mrkdwn"
)

// NotePrefix starts an agent's thread reply that stays internal (case does not matter); IsNote
// knows the other forms agents type.
const NotePrefix = "note:"

// IsNote reports whether an agent's thread reply is an internal note (mrkdwn.IsNote: "note:",
// "*note:*", "Note -", "Notiz:", a leading mention of a colleague, ...).
func IsNote(text string) bool { return mrkdwn.IsNote(text) }

// events serves the Events API: url_verification, and agents' messages in escalation threads.
//
// Slack retries an event it got no 2xx for (after about 0 s, 1 min and 5 min); every delivery
// carries the same event_id, which dispatch remembers for SeenFor, so each reply is enqueued once.
func (h *handler) events(w http.ResponseWriter, r *http.Request, body []byte) {
	ctx := r.Context()
	ev, err := ParseEvent(body)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if ev.Challenge != "" {
		w.Header().Set("Content-Type", "text/plain")
		_, _ = w.Write([]byte(ev.Challenge))
		return
	}
	if err := h.ours(ctx, ev.Origin); err != nil {
		h.fail(w, r, err)
		return
	}
	log := h.log.With("retry", r.Header.Get("X-Slack-Retry-Num"))
	switch {
	case ev.RateLimited:
		log.WarnContext(ctx, "slack app_rate_limited: Slack is dropping events for this app")
	case ev.Agent == nil:
		log.DebugContext(ctx, "slack event ignored", "reason", ev.Ignored)
	case !h.ourUser(ev.Origin):
		// A Slack Connect partner writing in a shared channel: the event is ours (200, or Slack
		// retries and eventually disables the subscription), the writer is not one of our agents.
		log.WarnContext(ctx, "slack message ignored", "reason", "writer from another workspace", "user_team", ev.Origin.UserTeam)
	default:
		h.dispatch(w, r, *ev.Agent)
		return
	}
	writeOK(w)
}

// Message subtypes that are still an agent writing to the customer. thread_broadcast is a
// thread reply also sent to the channel; file_share is a reply with files (and text or not),
// which go to the customer by reference: the bot downloads them when it sends. message_changed and message_deleted of such a reply
// become edit and delete actions (the bot says in the thread that they do not reach the
// customer: WhatsApp and Messenger offer businesses no way to edit or unsend). Everything else
// (bot_message, channel_join, ...) is ignored.
var replySubtypes = map[string]bool{"": true, "thread_broadcast": true, "file_share": true}

// messageAction reads a message event as an agent's action in an escalation thread: a reply,
// or the edit or deletion of one. It returns why the message is none of these otherwise. The
// returned event has no ID, Key and At yet.
func messageAction(m *slackevents.MessageEvent) (*channel.AgentEvent, string) {
	switch m.SubType {
	case "message_changed":
		cur, prev := m.Message, m.PreviousMessage
		switch {
		case cur == nil || prev == nil:
			return nil, "edit without the message"
		case cur.BotID != "" || prev.BotID != "":
			return nil, "bot message edited" // our card's chat.update among them
		case cur.ThreadTimestamp == "" || cur.ThreadTimestamp == cur.Timestamp:
			return nil, "not a thread reply"
		case cur.User == "":
			return nil, "no user"
		case IsNote(prev.Text):
			return nil, "internal note edited"
		case cur.Text == prev.Text:
			return nil, "text unchanged" // an unfurl, a reaction count: not an edit by the agent
		}
		return &channel.AgentEvent{Action: channel.ActionEdit, Channel: m.Channel, ThreadTS: cur.ThreadTimestamp,
			MessageTS: cur.Timestamp, User: cur.User}, ""
	case "message_deleted":
		prev := m.PreviousMessage
		switch {
		case prev == nil:
			return nil, "deletion without the message"
		case prev.BotID != "":
			return nil, "bot message deleted"
		case prev.ThreadTimestamp == "" || prev.ThreadTimestamp == prev.Timestamp:
			return nil, "not a thread reply"
		case prev.User == "":
			return nil, "no user"
		case IsNote(prev.Text):
			return nil, "internal note deleted"
		}
		return &channel.AgentEvent{Action: channel.ActionDelete, Channel: m.Channel, ThreadTS: prev.ThreadTimestamp,
			MessageTS: cmp.Or(m.DeletedTimeStamp, prev.Timestamp), User: prev.User}, ""
	}
	if skip := skipReason(m); skip != "" {
		return nil, skip
	}
	return &channel.AgentEvent{Action: channel.ActionReply, Channel: m.Channel, ThreadTS: m.ThreadTimeStamp,
		MessageTS: m.TimeStamp, User: m.User, Text: m.Text, Files: fileRefs(m)}, ""
}

// fileRefs are the files shared with a message, by reference (https://docs.slack.dev/reference/objects/file-object).
// A file Slack does not let the app read (a tombstone, a file hidden by the plan's limit) comes
// without a download URL; the bot then says it could not be sent.
func fileRefs(m *slackevents.MessageEvent) []channel.FileRef {
	if m.Message == nil {
		return nil
	}
	var refs []channel.FileRef
	for _, f := range m.Message.Files {
		refs = append(refs, channel.FileRef{ID: f.ID, URL: f.URLPrivateDownload, Name: f.Name, MIME: f.Mimetype, Size: int64(f.Size)})
	}
	return refs
}

// skipReason says why a message event is not an agent reply for the customer, or "".
func skipReason(m *slackevents.MessageEvent) string {
	switch {
	case m.BotID != "" || (m.Message != nil && m.Message.BotID != ""):
		return "bot message" // ours included: no echo loops
	case !replySubtypes[m.SubType]:
		return "subtype " + m.SubType
	case m.ThreadTimeStamp == "" || m.ThreadTimeStamp == m.TimeStamp:
		return "not a thread reply"
	case m.User == "":
		return "no user"
	case IsNote(m.Text):
		return "internal note"
	case strings.TrimSpace(m.Text) == "" && (m.Message == nil || len(m.Message.Files) == 0):
		return "no text"
	}
	return ""
}
