package slackapi

import (
	"encoding/json"
	"net/http"
	"net/url"
	"slices"

	"github.com/slack-go/slack"

	"github.com/frontdesk-app/frontdesk/shared/apperr"
	"github.com/frontdesk-app/frontdesk/shared/channel"
)

// buttonActions maps the escalation buttons' action ids to agent actions.
var buttonActions = map[string]channel.AgentAction{
	ActionIDClaim:      channel.ActionClaim,
	ActionIDResolve:    channel.ActionResolve,
	ActionIDHandBack:   channel.ActionHandBack,
	ActionIDSendAnswer: channel.ActionSendAnswer,
	ActionIDLead:       channel.ActionLead,
	ActionIDTakeOver:   channel.ActionTakeOver,
	// "Add to FAQ" (learn.go): the select's choice comes with the press, in the state.
	ActionIDAddPhrasing: channel.ActionAddPhrasing,
	ActionIDNewEntry:    channel.ActionNewEntry,
}

// InteractionID is the deterministic id of one button press: Slack sends no event id with
// interactions, and a press is identified by its action_ts, the agent and the button.
func InteractionID(actionTS, user, actionID string) string {
	return "ia:" + actionTS + ":" + user + ":" + actionID
}

// interactions serves block_actions from the escalation buttons. It only enqueues: the bot
// applies the action and updates the card with chat.update, so the 200 goes back at once (Slack
// shows the agent an error after 3 s).
func (h *handler) interactions(w http.ResponseWriter, r *http.Request, body []byte) {
	const op apperr.Op = "slackapi.interactions"
	ctx := r.Context()
	form, err := url.ParseQuery(string(body))
	if err != nil {
		apperr.WriteJSON(w, apperr.Wrap(op, apperr.Invalid, err, "malformed form body"))
		return
	}
	payload := form.Get("payload")
	if payload == "" {
		apperr.WriteJSON(w, apperr.E(op, apperr.Invalid, "missing payload field"))
		return
	}
	var ic slack.InteractionCallback
	if err := json.Unmarshal([]byte(payload), &ic); err != nil {
		apperr.WriteJSON(w, apperr.Wrap(op, apperr.Invalid, err, "malformed interaction payload"))
		return
	}
	if err := h.ours(ctx, ic.Team.ID, ic.Enterprise.ID, ic.APIAppID); err != nil {
		apperr.WriteJSON(w, err)
		return
	}
	if ic.User.TeamID != "" && !slices.Contains(h.cfg.TeamIDs, ic.User.TeamID) && !slices.Contains(h.cfg.TeamIDs, ic.Enterprise.ID) {
		// A Slack Connect partner pressing a button in a shared channel: not one of our agents.
		h.log.WarnContext(ctx, "slack button refused", "reason", "user from another workspace", "user_team", ic.User.TeamID)
		apperr.WriteJSON(w, apperr.E(op, apperr.Unauthorized, "user of another Slack workspace"))
		return
	}
	if ic.Type != slack.InteractionTypeBlockActions {
		writeOK(w)
		return
	}
	ch := ic.Container.ChannelID
	if ch == "" {
		ch = ic.Channel.ID
	}
	// The card is the thread's parent (message_ts = thread ts); the details reply's buttons
	// carry the parent in thread_ts.
	threadTS := firstNonEmpty(ic.Container.ThreadTs, ic.Message.ThreadTimestamp, ic.Container.MessageTs, ic.Message.Timestamp)
	messageTS := firstNonEmpty(ic.Container.MessageTs, ic.Message.Timestamp)

	var events []*channel.AgentEvent
	for _, a := range ic.ActionCallback.BlockActions {
		if a == nil {
			continue
		}
		action, ok := buttonActions[a.ActionID]
		if !ok {
			continue
		}
		ev := &channel.AgentEvent{
			ID:          InteractionID(firstNonEmpty(a.ActionTs, ic.ActionTs), ic.User.ID, a.ActionID),
			Action:      action,
			Channel:     ch,
			ThreadTS:    threadTS,
			MessageTS:   messageTS,
			User:        ic.User.ID,
			UserName:    ic.User.Name,
			At:          h.at(firstNonEmpty(a.ActionTs, ic.ActionTs)),
			ResponseURL: ic.ResponseURL,
		}
		switch action {
		case channel.ActionSendAnswer:
			if a.Value == "" {
				continue
			}
			ev.Answer = a.Value
		case channel.ActionAddPhrasing:
			ev.Answer = SelectedEntry(ic.BlockActionState)
		case channel.ActionNewEntry:
			ev.Text = a.Value // the agent's reply, masked, as the offer carried it
		}
		events = append(events, ev)
	}
	if len(events) == 0 {
		writeOK(w)
		return
	}
	conv, err := h.lookup(ctx, ch, threadTS)
	if err != nil {
		h.log.ErrorContext(ctx, "slack thread lookup failed", "err", err)
		apperr.WriteJSON(w, err)
		return
	}
	if conv == nil {
		h.log.InfoContext(ctx, "slack button ignored", "reason", "thread is not an open escalation", "channel", ch)
		writeOK(w)
		return
	}
	for _, ev := range events {
		ev.Key = conv.Key
		if err := h.enqueue(ctx, conv.Key, ev); err != nil {
			h.log.ErrorContext(ctx, "slack enqueue failed", "err", err, "action", string(ev.Action))
			apperr.WriteJSON(w, err)
			return
		}
		h.log.InfoContext(ctx, "slack button queued", "action", string(ev.Action), "surface", string(conv.Key.Surface))
	}
	writeOK(w)
}

func firstNonEmpty(s ...string) string {
	for _, v := range s {
		if v != "" {
			return v
		}
	}
	return ""
}
