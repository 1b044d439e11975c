package slackapi

import (
	"bytes"
	"cmp"
	"encoding/json"
	"net/url"
	"strings"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"

	"github.com/frontdesk-app/frontdesk/shared/apperr"
	"github.com/frontdesk-app/frontdesk/shared/channel"
)

// The parsers turn the raw bodies of Slack's three kinds of request into what they ask of
// frontdesk, with no I/O and no clock: what is an agent event, what is to be ignored and why,
// and whom the request is for (Origin). The handler then checks the origin and dispatches.

// Origin is whom a request is for: the workspace (team id), its Enterprise Grid org, the app,
// and the workspace of the person who acted when Slack says (Slack Connect).
type Origin struct {
	Team, Enterprise, App string
	UserTeam              string
}

// Event is an Events API request.
type Event struct {
	Origin Origin
	// Challenge is set on url_verification (which names no workspace): answer it.
	Challenge string
	// Agent is an agent's action in a thread, a reply or the edit or deletion of one; nil when
	// there is nothing for the bot. Its Key is the dispatcher's to set (the thread's
	// conversation); At is zero when the ts was unreadable.
	Agent *channel.AgentEvent
	// Ignored says why there is nothing to do ("" when Agent or Challenge is set).
	Ignored string
	// RateLimited is set on app_rate_limited: Slack is dropping events for the app.
	RateLimited bool
}

// ParseEvent reads an Events API body (https://docs.slack.dev/apis/events-api/). It fails with
// apperr.Invalid only for a body that is not a JSON object or a url_verification without a
// challenge; a JSON object it cannot use is an Event with Ignored set, so Slack is not asked to
// retry what would never parse.
func ParseEvent(body []byte) (Event, error) {
	const op apperr.Op = "slackapi.ParseEvent"
	if !isJSONObject(body) {
		return Event{}, apperr.E(op, apperr.Invalid, "malformed event: want a JSON object")
	}
	// Whom it is for, read on its own: also an event slack-go cannot parse names its workspace.
	var outer struct {
		Team       string `json:"team_id"`
		Enterprise string `json:"enterprise_id"`
		App        string `json:"api_app_id"`
	}
	_ = json.Unmarshal(body, &outer) // a JSON object: fields of another type stay empty
	origin := Origin{Team: outer.Team, Enterprise: outer.Enterprise, App: outer.App}
	ev, err := slackevents.ParseEvent(json.RawMessage(body), slackevents.OptionNoVerifyToken())
	if err != nil {
		// A signed event slack-go cannot parse (an inner type it does not know, a null event).
		return Event{Origin: origin, Ignored: "unparsed event type"}, nil
	}
	switch ev.Type {
	case slackevents.URLVerification:
		uv, ok := ev.Data.(*slackevents.EventsAPIURLVerificationEvent)
		if !ok || uv.Challenge == "" {
			return Event{}, apperr.E(op, apperr.Invalid, "url_verification without a challenge")
		}
		return Event{Challenge: uv.Challenge}, nil
	case slackevents.AppRateLimited:
		return Event{Origin: origin, RateLimited: true, Ignored: "app_rate_limited"}, nil
	case slackevents.CallbackEvent:
	default:
		return Event{Origin: origin, Ignored: "outer type " + ev.Type}, nil
	}
	cb, ok := ev.Data.(*slackevents.EventsAPICallbackEvent)
	if !ok {
		return Event{Origin: origin, Ignored: "no callback"}, nil
	}
	e := Event{Origin: origin}
	msg, ok := ev.InnerEvent.Data.(*slackevents.MessageEvent)
	if !ok {
		e.Ignored = "inner type " + ev.InnerEvent.Type // subscribed to more than messages
		return e, nil
	}
	e.Origin.UserTeam = msg.UserTeam
	agent, skip := messageAction(msg)
	if skip == "" && agent.Channel == "" {
		skip = "no channel" // no thread to look up: nothing Slack sends, but a signed body can say it
	}
	if skip != "" {
		e.Ignored = skip
		return e, nil
	}
	at := agent.MessageTS
	if agent.Action != channel.ActionReply {
		at = msg.EventTimeStamp // an edit's or deletion's own time, not the reply's
	}
	agent.ID = cb.EventID
	if agent.ID == "" { // Slack always sends one; keep replays of a hand-made event idempotent anyway
		agent.ID = "msg:" + agent.Channel + ":" + agent.MessageTS
		if agent.Action != channel.ActionReply {
			agent.ID = "msg:" + string(agent.Action) + ":" + agent.Channel + ":" + agent.MessageTS + ":" + at
		}
	}
	agent.At = slackTime(at)
	e.Agent = agent
	return e, nil
}

// Interaction is an interactivity request: the buttons an agent pressed.
type Interaction struct {
	Origin Origin
	// Agents are the presses of frontdesk's buttons, all in one thread (Key unset, At zero when
	// the action_ts was unreadable).
	Agents []channel.AgentEvent
	// Ignored says why there is nothing to do.
	Ignored string
}

// ParseInteraction reads an interactivity body: a form whose payload field is the JSON of
// the interaction (https://docs.slack.dev/interactivity/handling-user-interaction/). It fails
// with apperr.Invalid for a body that is not such a form.
func ParseInteraction(body []byte) (Interaction, error) {
	const op apperr.Op = "slackapi.ParseInteraction"
	form, err := url.ParseQuery(string(body))
	if err != nil {
		return Interaction{}, apperr.Wrap(op, apperr.Invalid, err, "malformed form body")
	}
	payload := form.Get("payload")
	if payload == "" {
		return Interaction{}, apperr.E(op, apperr.Invalid, "missing payload field")
	}
	var ic slack.InteractionCallback
	if err := json.Unmarshal([]byte(payload), &ic); err != nil {
		return Interaction{}, apperr.Wrap(op, apperr.Invalid, err, "malformed interaction payload")
	}
	in := Interaction{Origin: Origin{Team: ic.Team.ID, Enterprise: ic.Enterprise.ID, App: ic.APIAppID, UserTeam: ic.User.TeamID}}
	if ic.Type != slack.InteractionTypeBlockActions {
		in.Ignored = "interaction type " + string(ic.Type)
		return in, nil
	}
	ch := cmp.Or(ic.Container.ChannelID, ic.Channel.ID)
	// The card is the thread's parent (message_ts = thread ts); the details reply's buttons
	// and a status line's carry the parent in thread_ts.
	threadTS := cmp.Or(ic.Container.ThreadTs, ic.Message.ThreadTimestamp, ic.Container.MessageTs, ic.Message.Timestamp)
	messageTS := cmp.Or(ic.Container.MessageTs, ic.Message.Timestamp)
	for _, a := range ic.ActionCallback.BlockActions {
		if a == nil {
			continue
		}
		action, ok := buttonActions[a.ActionID]
		if !ok || (action == channel.ActionSendAnswer && a.Value == "") {
			continue
		}
		actionTS := cmp.Or(a.ActionTs, ic.ActionTs)
		ev := channel.AgentEvent{
			ID:          InteractionID(actionTS, ic.User.ID, a.ActionID),
			Action:      action,
			Channel:     ch,
			ThreadTS:    threadTS,
			MessageTS:   messageTS,
			User:        ic.User.ID,
			UserName:    ic.User.Name,
			At:          slackTime(actionTS),
			ResponseURL: ic.ResponseURL,
		}
		switch action {
		case channel.ActionSendAnswer:
			ev.Answer = a.Value
		case channel.ActionAddPhrasing:
			// "Add to FAQ": the entry chosen in the offer's select comes in the message's state.
			ev.Answer = SelectedEntry(ic.BlockActionState)
		case channel.ActionNewEntry:
			ev.Text = a.Value // the agent's reply, masked, as the offer carried it
		}
		in.Agents = append(in.Agents, ev)
	}
	switch {
	case len(in.Agents) == 0:
		in.Ignored = "no button of frontdesk's"
	case ch == "" || threadTS == "":
		in.Agents, in.Ignored = nil, "no thread"
	case ic.User.ID == "":
		in.Agents, in.Ignored = nil, "no user"
	}
	return in, nil
}

// Command is a slash command: /frontdesk and what follows it.
type Command struct {
	Origin Origin
	// Name is the command as the agent typed it ("/frontdesk").
	Name string
	// Sub is the first word, lower case: "open" (also "list", "queue"), "help", or anything.
	Sub string
	// TeamDomain is the workspace's subdomain, for links to threads.
	TeamDomain string
}

// ParseCommand reads a slash command's form body
// (https://docs.slack.dev/interactivity/implementing-slash-commands/). It fails with
// apperr.Invalid for a body that is not a form.
func ParseCommand(body []byte) (Command, error) {
	const op apperr.Op = "slackapi.ParseCommand"
	form, err := url.ParseQuery(string(body))
	if err != nil {
		return Command{}, apperr.Wrap(op, apperr.Invalid, err, "malformed command form")
	}
	c := Command{
		Origin:     Origin{Team: form.Get("team_id"), Enterprise: form.Get("enterprise_id"), App: form.Get("api_app_id")},
		Name:       form.Get("command"),
		TeamDomain: form.Get("team_domain"),
	}
	if args := strings.Fields(strings.ToLower(form.Get("text"))); len(args) > 0 {
		c.Sub = args[0]
	}
	switch c.Sub {
	case "list", "queue":
		c.Sub = "open"
	}
	return c, nil
}

func isJSONObject(b []byte) bool {
	b = bytes.TrimSpace(b)
	return len(b) > 0 && b[0] == '{' && json.Valid(b)
}
