package adsignals

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/frontdesk-app/frontdesk/shared/apperr"
	"github.com/frontdesk-app/frontdesk/shared/channel"
	"github.com/frontdesk-app/frontdesk/shared/graph"
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

// Client posts events to the Conversions API.
type Client struct {
	// BaseURL is the Graph API base (GRAPH_API_BASE_URL), e.g. https://graph.facebook.com.
	BaseURL string
	// Version is the Graph API version (GRAPH_API_VERSION), e.g. v25.0.
	Version string
	// Tokens are the access tokens by surface: the WhatsApp system-user token needs
	// whatsapp_business_manage_events, the Page token page_events, the Instagram token
	// instagram_manage_events.
	Tokens map[channel.Surface]string
	// Transport carries the requests: the Graph API's one transport, shared with the reply
	// senders (retries, Retry-After, rate-limit codes, private error texts). nil means a zero
	// graph.Transport.
	Transport *graph.Transport
	// PartnerAgent is sent as partner_agent when set.
	PartnerAgent string
}

// Response is the Conversions API's answer.
type Response struct {
	EventsReceived int      `json:"events_received"`
	Messages       []string `json:"messages"`
	FBTraceID      string   `json:"fbtrace_id"`
}

// kind maps a final transport error to the kind the signaler acts on: Transient for what a
// later retry may fix, Unauthorized for a token Meta refuses, Forbidden for a missing
// permission, Invalid for the rest of Meta's rejections. A Conversions API failure must not
// hold up a conversation, so none of them is Internal.
func kind(err error) apperr.Kind {
	ae, ok := errors.AsType[*graph.APIError](err)
	switch {
	case !ok || ae.Retryable():
		return apperr.Transient
	case ae.Status == http.StatusUnauthorized || ae.Is(graph.ErrTokenInvalid):
		return apperr.Unauthorized
	case ae.Status == http.StatusForbidden || ae.Code == graph.CodePermission || (ae.Code >= 200 && ae.Code < 300):
		return apperr.Forbidden
	}
	return apperr.Invalid
}

// Send posts the events to the dataset with the surface's token. Errors are *apperr.Error
// wrapping a *graph.APIError when Meta answered: Transient (429, 5xx, rate limits; retried by
// the transport), Unauthorized, Forbidden or Invalid. A retry after a 5xx may duplicate an
// event Meta did receive; Meta does not deduplicate business messaging events, so tries stay
// few.
func (c *Client) Send(ctx context.Context, surface channel.Surface, dataset string, events ...Event) (*Response, error) {
	const op = "adsignals.Send"
	token := c.Tokens[surface]
	switch {
	case token == "":
		return nil, apperr.E(op, apperr.Invalid, "no Conversions API token for "+string(surface))
	case !digits(dataset):
		return nil, apperr.E(op, apperr.Invalid, "dataset id is malformed")
	case len(events) == 0:
		return nil, apperr.E(op, apperr.Invalid, "no events")
	}
	body, err := json.Marshal(struct {
		Data         []Event `json:"data"`
		PartnerAgent string  `json:"partner_agent,omitempty"`
	}{events, c.PartnerAgent})
	if err != nil {
		return nil, apperr.Wrap(op, apperr.Internal, err, "")
	}
	u := strings.TrimRight(c.BaseURL, "/") + "/" + c.Version + "/" + dataset + "/events"
	t := c.Transport
	if t == nil {
		t = &graph.Transport{}
	}
	var r Response
	if err := t.PostJSON(ctx, u, token, body, &r); err != nil {
		return nil, apperr.Wrap(op, kind(err), err, "Conversions API request failed")
	}
	return &r, nil
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
		if !ok || !digits(acct) || !digits(ds) || (biz != "" && !digits(biz)) {
			return nil, apperr.E(op, apperr.Invalid, "want <account>=<dataset>[/<business id>] with numeric ids, got "+strconv.Quote(item))
		}
		out[acct] = Account{Dataset: ds, BusinessID: biz}
	}
	return out, nil
}

func digits(s string) bool {
	if s == "" {
		return false
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}
