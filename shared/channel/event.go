package channel

import (
	"log/slog"
	"time"
)

// Event is what travels on the queue from the ingress functions to the bot: exactly one of
// Inbound (from a customer) or Agent (from Slack) is set.
type Event struct {
	Inbound *Inbound    `json:"inbound,omitempty"`
	Agent   *AgentEvent `json:"agent,omitempty"`
}

// ID is the event's deduplication id.
func (e Event) ID() string {
	switch {
	case e.Inbound != nil:
		return e.Inbound.ID
	case e.Agent != nil:
		return e.Agent.ID
	}
	return ""
}

// LogValue implements slog.LogValuer.
func (e Event) LogValue() slog.Value {
	switch {
	case e.Inbound != nil:
		return e.Inbound.LogValue()
	case e.Agent != nil:
		return e.Agent.LogValue()
	}
	return slog.StringValue("empty")
}

// AgentAction says what an agent did in Slack.
type AgentAction string

// Agent actions.
const (
	ActionReply      AgentAction = "reply"       // a message in the thread, for the customer
	ActionClaim      AgentAction = "claim"       // the Claim button
	ActionResolve    AgentAction = "resolve"     // the Resolve button
	ActionHandBack   AgentAction = "handback"    // the Back to bot button
	ActionSendAnswer AgentAction = "send_answer" // "send this answer" on a FAQ suggestion
	ActionLead       AgentAction = "lead"        // the agent marks the conversation a lead
	ActionTakeOver   AgentAction = "takeover"    // "Take over", offered when Claim was refused
	ActionEdit       AgentAction = "edit"        // the agent edited a thread reply (message_changed)
	ActionDelete     AgentAction = "delete"      // the agent deleted a thread reply (message_deleted)
	// "Add to FAQ": the customer's question as a new phrasing of the entry in Answer, or as a
	// new entry whose answer is the agent's reply in Text.
	ActionAddPhrasing AgentAction = "faq_phrasing"
	ActionNewEntry    AgentAction = "faq_new_entry"
)

// AgentEvent is one action of an agent in the Slack thread of an escalated conversation.
type AgentEvent struct {
	// ID is Slack's event_id (messages) or a deterministic id of the interaction.
	ID     string      `json:"id"`
	Action AgentAction `json:"action"`
	// Key is the conversation, looked up from the thread by the ingress.
	Key Key `json:"key"`
	// Channel and ThreadTS locate the escalation thread; MessageTS the agent's message.
	Channel   string `json:"channel"`
	ThreadTS  string `json:"threadTs"`
	MessageTS string `json:"messageTs,omitempty"`
	User      string `json:"user"`
	UserName  string `json:"userName,omitempty"`
	Text      string `json:"text,omitempty"`   // the reply; never logged
	Answer    string `json:"answer,omitempty"` // FAQ entry id for ActionSendAnswer, ActionAddPhrasing
	// Files are the files the agent shared with the reply (Slack's file_share), by reference.
	Files []FileRef `json:"files,omitempty"`
	At    time.Time `json:"at"`
	// ResponseURL is Slack's response_url of an interaction, to update the original message.
	ResponseURL string `json:"responseUrl,omitempty"`
}

// LogValue implements slog.LogValuer: no text.
func (a AgentEvent) LogValue() slog.Value {
	return slog.GroupValue(slog.String("id", a.ID), slog.String("action", string(a.Action)),
		slog.String("surface", string(a.Key.Surface)), slog.String("agent", a.User))
}
