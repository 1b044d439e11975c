// Package slackagent plays an agent in Slack: it builds the requests Slack sends frontdesk when
// an agent replies in an escalation thread (an Events API message event) or presses a button (a
// block_actions interaction), for `frontdesk slack` and the local console. Sign them with
// slackapi.SignedHeader.
package slackagent

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/url"
	"time"
)

// Content types of the two requests.
const (
	EventContentType       = "application/json"
	InteractionContentType = "application/x-www-form-urlencoded"
)

// TS is a Slack message ts at now ("1767225600.000100").
func TS(now time.Time) string {
	return fmt.Sprintf("%d.%06d", now.Unix(), now.Nanosecond()/1000)
}

// Workspace is the Slack workspace (team id) and app a request is sent for: the slack
// function obeys only its configured ones (SLACK_TEAM_IDS, SLACK_APP_ID).
type Workspace struct{ Team, App string }

// Local is the local stack's workspace and app: cmd/frontdesk's defaults for SLACK_TEAM_IDS and
// SLACK_APP_ID, and the workspace of every request in events/slack.
var Local = Workspace{Team: "T0FRONTDSK", App: "A0FRONTDSK"}

// Reply is Local.Reply.
func Reply(channel, threadTS, user, text, ts string, now time.Time) ([]byte, error) {
	return Local.Reply(channel, threadTS, user, text, ts, now)
}

// Reply is the Events API body of an agent's message in a thread of w, posted at ts
// (https://docs.slack.dev/reference/events/message).
func (w Workspace) Reply(channel, threadTS, user, text, ts string, now time.Time) ([]byte, error) {
	return json.Marshal(map[string]any{
		"token": "local", "team_id": w.Team, "api_app_id": w.App, "type": "event_callback",
		"event_id": "Ev" + randomHex(8), "event_time": now.Unix(),
		"event": map[string]any{"type": "message", "channel": channel, "user": user, "text": text, "ts": ts,
			"thread_ts": threadTS, "event_ts": ts, "channel_type": "channel", "user_team": w.Team},
	})
}

// FileShare is the Events API body of an agent's message with files in a thread of w (subtype
// file_share; text may be empty), files being Slack file objects as files.info or
// POST /_local/slack-files gives them (https://docs.slack.dev/reference/events/message/file_share).
func (w Workspace) FileShare(channel, threadTS, user, text, ts string, files []map[string]any, now time.Time) ([]byte, error) {
	return json.Marshal(map[string]any{
		"token": "local", "team_id": w.Team, "api_app_id": w.App, "type": "event_callback",
		"event_id": "Ev" + randomHex(8), "event_time": now.Unix(),
		"event": map[string]any{"type": "message", "subtype": "file_share", "channel": channel, "user": user, "text": text,
			"files": files, "upload": false, "ts": ts, "thread_ts": threadTS, "event_ts": ts, "channel_type": "channel",
			"user_team": w.Team},
	})
}

// Button is a press of a button on a message the bot posted.
type Button struct {
	Channel string
	// MessageTS is the message the button is on; ThreadTS its thread's parent when the
	// message is a thread reply (the details of an escalation), else empty.
	MessageTS string
	ThreadTS  string
	User      string
	ActionID  string
	// Value is the button's value (a suggested answer's entry id); ActionID when empty.
	Value   string
	BlockID string
	// Selected is the option chosen in the message's select (the "Add to FAQ" entry); Slack
	// sends it in the payload's state, under the select's block and action id.
	Selected                  string
	SelectBlock, SelectAction string
}

// Press is Local.Press.
func Press(b Button, now time.Time) ([]byte, error) { return Local.Press(b, now) }

// Press is the interactivity body of b pressed at now in w
// (https://docs.slack.dev/reference/interaction-payloads/block_actions-payload).
func (w Workspace) Press(b Button, now time.Time) ([]byte, error) {
	if b.Value == "" {
		b.Value = b.ActionID
	}
	container := map[string]any{"type": "message", "message_ts": b.MessageTS, "channel_id": b.Channel}
	message := map[string]any{"type": "message", "ts": b.MessageTS, "text": "Escalation"}
	if b.ThreadTS != "" && b.ThreadTS != b.MessageTS {
		container["thread_ts"] = b.ThreadTS
		message["thread_ts"] = b.ThreadTS
	}
	state := map[string]any{"values": map[string]any{}}
	if b.Selected != "" {
		state["values"] = map[string]any{b.SelectBlock: map[string]any{b.SelectAction: map[string]any{"type": "static_select",
			"selected_option": map[string]any{"text": map[string]any{"type": "plain_text", "text": b.Selected}, "value": b.Selected}}}}
	}
	payload, err := json.Marshal(map[string]any{
		"type": "block_actions", "user": map[string]string{"id": b.User, "username": "local-agent", "team_id": w.Team},
		"state":      state,
		"api_app_id": w.App, "container": container,
		"team": map[string]string{"id": w.Team}, "channel": map[string]string{"id": b.Channel},
		"message":      message,
		"response_url": "https://hooks.slack.com/actions/" + w.Team + "/1/local",
		"actions": []map[string]any{{"action_id": b.ActionID, "block_id": b.BlockID, "value": b.Value,
			"type": "button", "action_ts": TS(now)}},
	})
	if err != nil {
		return nil, err
	}
	return []byte(url.Values{"payload": {string(payload)}}.Encode()), nil
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
