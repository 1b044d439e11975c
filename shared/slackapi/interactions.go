package slackapi

import (
	"net/http"

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

// interactions serves block_actions from frontdesk's buttons. It only dispatches: the bot applies
// the action and redraws the card with chat.update, so the 200 goes back at once (Slack shows
// the agent an error after 3 s).
func (h *handler) interactions(w http.ResponseWriter, r *http.Request, body []byte) {
	const op apperr.Op = "slackapi.interactions"
	ctx := r.Context()
	in, err := ParseInteraction(body)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if err := h.ours(ctx, in.Origin); err != nil {
		h.fail(w, r, err)
		return
	}
	if !h.ourUser(in.Origin) {
		// A Slack Connect partner pressing a button in a shared channel: not one of our agents.
		h.fail(w, r, apperr.E(op, apperr.Unauthorized, "user of another Slack workspace"))
		return
	}
	if len(in.Agents) == 0 {
		h.log.DebugContext(ctx, "slack interaction ignored", "reason", in.Ignored)
		writeOK(w)
		return
	}
	h.dispatch(w, r, in.Agents...)
}
