package conversation

import (
	"log/slog"
	"time"
)

// FollowUpState is where the offer to continue a conversation on WhatsApp stands.
type FollowUpState string

// Follow-up states. A conversation outside WhatsApp that escalates is offered a WhatsApp
// follow-up (Offered); "yes" asks for the number (AwaitingNumber); a valid number grants it
// (Granted, recorded in the consent ledger too). "No" declines (Declined); an opt-out from any
// source withdraws it (Withdrawn). Silence leaves it Offered, which changes nothing.
const (
	FollowUpOffered        FollowUpState = "offered"
	FollowUpAwaitingNumber FollowUpState = "awaiting_number"
	FollowUpGranted        FollowUpState = "granted"
	FollowUpDeclined       FollowUpState = "declined"
	FollowUpWithdrawn      FollowUpState = "withdrawn"
)

// FollowUp is a customer's answer to the offer to be told on WhatsApp when an agent answers.
type FollowUp struct {
	State FollowUpState `json:"state" dynamodbav:"state"`
	// Number is the WhatsApp number the customer gave, E.164 digits without "+" (the wa_id).
	// Personal data: set only while State is Granted, never logged, masked in Slack.
	Number string `json:"number,omitempty" dynamodbav:"number,omitempty"`
	// At is when State was last set.
	At time.Time `json:"at" dynamodbav:"at"`
	// Tries counts the invalid numbers given in a row (AwaitingNumber).
	Tries int `json:"tries,omitempty" dynamodbav:"tries,omitempty"`
	// NotifiedAt is when the WhatsApp template went to Number; from then on the WhatsApp
	// conversation is Conversation.Linked.
	NotifiedAt time.Time `json:"notifiedAt,omitzero" dynamodbav:"notifiedAt,omitempty"`
}

// LogValue implements slog.LogValuer: the state, never the number.
func (f *FollowUp) LogValue() slog.Value {
	if f == nil {
		return slog.StringValue("none")
	}
	return slog.GroupValue(slog.String("state", string(f.State)), slog.Bool("notified", !f.NotifiedAt.IsZero()))
}

// Granted reports whether the customer allowed a WhatsApp follow-up and gave a number.
func (f *FollowUp) Granted() bool { return f != nil && f.State == FollowUpGranted && f.Number != "" }

// Open reports whether the bot is waiting for an answer to the offer (yes/no or the number).
func (f *FollowUp) Open() bool {
	return f != nil && (f.State == FollowUpOffered || f.State == FollowUpAwaitingNumber)
}
