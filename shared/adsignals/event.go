package adsignals

import (
	"log/slog"
	"strconv"
	"strings"
	"time"

	"github.com/frontdesk-app/frontdesk/shared/apperr"
	"github.com/frontdesk-app/frontdesk/shared/channel"
)

// ActionSource is the action_source of every business messaging event.
const ActionSource = "business_messaging"

// MaxEventAge is the oldest event_time Meta accepts; an older one fails the whole request.
const MaxEventAge = 7 * 24 * time.Hour

// Event is one Conversions API event for business messaging.
type Event struct {
	EventName        string `json:"event_name"`
	EventTime        int64  `json:"event_time"`
	ActionSource     string `json:"action_source"`
	MessagingChannel string `json:"messaging_channel"`
	// UserData holds the channel's keys (see package doc). It identifies the customer: never log.
	UserData   map[string]string `json:"user_data"`
	CustomData map[string]any    `json:"custom_data,omitempty"`
}

// LogValue implements slog.LogValuer: no user data.
func (e Event) LogValue() slog.Value {
	return slog.GroupValue(slog.String("event", e.EventName), slog.String("channel", e.MessagingChannel))
}

// MessagingChannel returns the messaging_channel of a surface, or "" for surfaces the
// Conversions API for business messaging does not cover (comments).
func MessagingChannel(s channel.Surface) string {
	switch s {
	case channel.WhatsApp:
		return "whatsapp"
	case channel.Messenger:
		return "messenger"
	case channel.Instagram:
		return "instagram"
	}
	return ""
}

// Response is the Conversions API's answer.
type Response struct {
	EventsReceived int      `json:"events_received"`
	Messages       []string `json:"messages"`
	FBTraceID      string   `json:"fbtrace_id"`
}

// Account is the Conversions API setup of one business account (Key.Account: the WhatsApp
// phone number id, the Page id or the Instagram account id).
type Account struct {
	// Dataset is the dataset id (GET /{WABA | PAGE | IG}/dataset).
	Dataset string
	// BusinessID is the WhatsApp Business Account id for WhatsApp (the phone number id is not
	// it); for Messenger and Instagram it defaults to Key.Account.
	BusinessID string
}

// ParseAccounts parses "<account>=<dataset>[/<business id>],..." as an environment variable
// (CAPI_DATASETS) holds it, e.g. "106540352242922=987654321/102290129340398,1029384756=555".
func ParseAccounts(s string) (map[string]Account, error) {
	const op = "adsignals.ParseAccounts"
	out := map[string]Account{}
	for item := range strings.SplitSeq(s, ",") {
		item = strings.TrimSpace(item)
		if item == "" {
			continue
		}
		acct, rest, ok := strings.Cut(item, "=")
		ds, biz, _ := strings.Cut(rest, "/")
		acct, ds, biz = strings.TrimSpace(acct), strings.TrimSpace(ds), strings.TrimSpace(biz)
		if !ok || !channel.IsID(acct) || !channel.IsID(ds) || (biz != "" && !channel.IsID(biz)) {
			return nil, apperr.E(op, apperr.Invalid, "want <account>=<dataset>[/<business id>] with numeric ids, got "+strconv.Quote(item))
		}
		out[acct] = Account{Dataset: ds, BusinessID: biz}
	}
	return out, nil
}
