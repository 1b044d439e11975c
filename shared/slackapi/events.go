package slackapi

import (
	"bytes"
	"encoding/json"
	"net/http"
	"slices"
	"strings"

	"github.com/slack-go/slack/slackevents"

	"github.com/frontdesk-app/frontdesk/shared/apperr"
	"github.com/frontdesk-app/frontdesk/shared/channel"
)

// NotePrefix starts an agent's thread reply that stays internal (case does not matter).
const NotePrefix = "note:"

// IsNote reports whether an agent's thread reply is an internal note.
func IsNote(text string) bool {
	t := strings.TrimSpace(text)
	return len(t) >= len(NotePrefix) && strings.EqualFold(t[:len(NotePrefix)], NotePrefix)
}

// events serves the Events API: url_verification and agent replies in escalation threads.
//
// Slack retries an event it got no 2xx for (after about 0 s, 1 min and 5 min); every delivery
// carries the same event_id, which is remembered for SeenFor, so each reply is enqueued once.
func (h *handler) events(w http.ResponseWriter, r *http.Request, body []byte) {
	const op apperr.Op = "slackapi.events"
	ctx := r.Context()
	ev, err := slackevents.ParseEvent(json.RawMessage(body), slackevents.OptionNoVerifyToken())
	if err != nil {
		if !isJSONObject(body) {
			apperr.WriteJSON(w, apperr.Wrap(op, apperr.Invalid, err, "malformed event: want a JSON object"))
			return
		}
		// A signed event slack-go cannot parse (an inner type it does not know, a null event):
		// nothing for frontdesk, and a retry would not parse either.
		h.log.InfoContext(ctx, "slack event ignored", "reason", "unparsed event type")
		writeOK(w)
		return
	}
	switch ev.Type {
	case slackevents.URLVerification:
		uv, ok := ev.Data.(*slackevents.EventsAPIURLVerificationEvent)
		if !ok || uv.Challenge == "" {
			apperr.WriteJSON(w, apperr.E(op, apperr.Invalid, "url_verification without a challenge"))
			return
		}
		w.Header().Set("Content-Type", "text/plain")
		_, _ = w.Write([]byte(uv.Challenge))
		return
	case slackevents.CallbackEvent:
	case slackevents.AppRateLimited:
		h.log.WarnContext(ctx, "slack app_rate_limited: Slack is dropping events for this app")
		writeOK(w)
		return
	default:
		writeOK(w)
		return
	}

	cb, _ := ev.Data.(*slackevents.EventsAPICallbackEvent)
	if cb == nil {
		writeOK(w)
		return
	}
	if err := h.ours(ctx, cb.TeamID, cb.EnterpriseID, cb.APIAppID); err != nil {
		apperr.WriteJSON(w, err)
		return
	}
	msg, ok := ev.InnerEvent.Data.(*slackevents.MessageEvent)
	if !ok {
		writeOK(w) // subscribed to more than messages: nothing for frontdesk
		return
	}
	log := h.log.With("event_id", cb.EventID, "retry", r.Header.Get("X-Slack-Retry-Num"))
	if msg.UserTeam != "" && !slices.Contains(h.cfg.TeamIDs, msg.UserTeam) && !slices.Contains(h.cfg.TeamIDs, cb.EnterpriseID) {
		// A Slack Connect partner writing in a shared channel: the event is ours (200, or Slack
		// retries and eventually disables the subscription), the writer is not one of our agents.
		log.WarnContext(ctx, "slack message ignored", "reason", "writer from another workspace", "user_team", msg.UserTeam)
		writeOK(w)
		return
	}
	agent, skip := messageAction(msg)
	if skip != "" {
		log.DebugContext(ctx, "slack message ignored", "reason", skip)
		writeOK(w)
		return
	}
	conv, err := h.lookup(ctx, agent.Channel, agent.ThreadTS)
	if err != nil {
		log.ErrorContext(ctx, "slack thread lookup failed", "err", err)
		apperr.WriteJSON(w, err)
		return
	}
	if conv == nil {
		log.InfoContext(ctx, "slack reply ignored", "reason", "thread is not an open escalation", "channel", agent.Channel)
		writeOK(w)
		return
	}
	id := cb.EventID
	at := agent.MessageTS
	if agent.Action != channel.ActionReply {
		at = msg.EventTimeStamp // an edit's or deletion's own time, not the reply's
	}
	if id == "" { // Slack always sends one; keep replays of a hand-made event idempotent anyway
		id = "msg:" + agent.Channel + ":" + agent.MessageTS
		if agent.Action != channel.ActionReply {
			id = "msg:" + string(agent.Action) + ":" + agent.Channel + ":" + agent.MessageTS + ":" + at
		}
	}
	seenID := "slack:" + id
	first, err := h.cfg.Dedup.MarkSeen(ctx, seenID, h.now().Add(h.cfg.SeenFor))
	if err != nil {
		log.ErrorContext(ctx, "slack dedup failed", "err", err)
		apperr.WriteJSON(w, apperr.Wrap(op, apperr.Transient, err, "cannot record event"))
		return
	}
	if !first {
		log.InfoContext(ctx, "slack event ignored", "reason", "already seen")
		writeOK(w)
		return
	}
	agent.ID, agent.Key, agent.At = id, conv.Key, h.at(at)
	if err := h.enqueue(ctx, conv.Key, agent); err != nil {
		// Forget the event id, so Slack's retry of this event is not taken for a replay.
		if ferr := h.cfg.Dedup.ForgetSeen(ctx, seenID); ferr != nil {
			log.ErrorContext(ctx, "slack dedup release failed: Slack's retry will be dropped", "err", ferr)
		}
		log.ErrorContext(ctx, "slack enqueue failed", "err", err)
		apperr.WriteJSON(w, err)
		return
	}
	log.InfoContext(ctx, "slack agent message queued", "action", string(agent.Action), "surface", string(conv.Key.Surface))
	writeOK(w)
}

// Message subtypes that are still an agent writing to the customer. thread_broadcast is a
// thread reply also sent to the channel. message_changed and message_deleted of such a reply
// become edit and delete actions (the bot says in the thread that they do not reach the
// customer: WhatsApp and Messenger offer businesses no way to edit or unsend). Everything else
// (bot_message, channel_join, ...) is ignored.
var replySubtypes = map[string]bool{"": true, "thread_broadcast": true}

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
			MessageTS: firstNonEmpty(m.DeletedTimeStamp, prev.Timestamp), User: prev.User}, ""
	}
	if skip := skipReason(m); skip != "" {
		return nil, skip
	}
	return &channel.AgentEvent{Action: channel.ActionReply, Channel: m.Channel, ThreadTS: m.ThreadTimeStamp,
		MessageTS: m.TimeStamp, User: m.User, Text: m.Text}, ""
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
	case strings.TrimSpace(m.Text) == "":
		return "no text"
	}
	return ""
}

func isJSONObject(b []byte) bool {
	b = bytes.TrimSpace(b)
	return len(b) > 0 && b[0] == '{' && json.Valid(b)
}
