package adsignals

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
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

// Doer sends HTTP requests; *http.Client satisfies it.
type Doer interface {
	Do(*http.Request) (*http.Response, error)
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
	HTTP   Doer
	// PartnerAgent is sent as partner_agent when set.
	PartnerAgent string
	// MaxAttempts bounds the tries of a request answered 429 or 5xx; 0 means 3.
	MaxAttempts int
	// Sleep waits between tries; nil waits on a timer (and gives up when ctx ends).
	Sleep func(ctx context.Context, d time.Duration) error
}

// Response is the Conversions API's answer.
type Response struct {
	EventsReceived int      `json:"events_received"`
	Messages       []string `json:"messages"`
	FBTraceID      string   `json:"fbtrace_id"`
}

// APIError is an error answer of the Graph API. Its Error text leaves Meta's message out, as
// it may quote the request.
type APIError struct {
	Status    int    `json:"-"`
	Message   string `json:"message"`
	Type      string `json:"type"`
	Code      int    `json:"code"`
	Subcode   int    `json:"error_subcode"`
	FBTraceID string `json:"fbtrace_id"`
}

func (e *APIError) Error() string {
	return fmt.Sprintf("conversions api: status %d, %s code %d subcode %d (fbtrace_id %s)", e.Status, e.Type, e.Code, e.Subcode, e.FBTraceID)
}

// Retryable reports whether trying again may succeed: throttling (429, codes 4, 17, 32, 613,
// 80004) or a server error.
func (e *APIError) Retryable() bool {
	switch e.Code {
	case 4, 17, 32, 613, 80004:
		return true
	}
	return e.Status == http.StatusTooManyRequests || e.Status >= 500
}

func (e *APIError) kind() apperr.Kind {
	switch {
	case e.Retryable():
		return apperr.Transient
	case e.Status == http.StatusUnauthorized || e.Code == 190:
		return apperr.Unauthorized
	case e.Status == http.StatusForbidden || e.Code == 10 || (e.Code >= 200 && e.Code < 300):
		return apperr.Forbidden
	}
	return apperr.Invalid
}

// Send posts the events to the dataset with the surface's token. Errors are *apperr.Error
// wrapping an *APIError when Meta answered: Transient (429, 5xx; already retried MaxAttempts
// times), Unauthorized, Forbidden or Invalid. A retry after a 5xx may duplicate an event Meta
// did receive; Meta does not deduplicate business messaging events, so tries stay few.
func (c *Client) Send(ctx context.Context, surface channel.Surface, dataset string, events ...Event) (*Response, error) {
	const op = "adsignals.Send"
	token := c.Tokens[surface]
	switch {
	case token == "":
		return nil, apperr.E(op, apperr.Invalid, "no Conversions API token for "+string(surface))
	case dataset == "" || strings.ContainsAny(dataset, "/?#"):
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
	attempts := c.MaxAttempts
	if attempts <= 0 {
		attempts = 3
	}
	for attempt := 1; ; attempt++ {
		resp, err := c.post(ctx, u, token, body)
		var ae *APIError
		if err == nil || !errors.As(err, &ae) || !ae.Retryable() || attempt == attempts {
			if err != nil {
				kind := apperr.Transient
				if ae != nil {
					kind = ae.kind()
				}
				return nil, apperr.Wrap(op, kind, err, "Conversions API request failed")
			}
			return resp, nil
		}
		if err := c.sleep(ctx, backoff(attempt)); err != nil {
			return nil, apperr.Wrap(op, apperr.Transient, err, "Conversions API request cancelled")
		}
	}
}

// backoff is 250 ms, 500 ms, 1 s, ... capped at 2 s.
func backoff(attempt int) time.Duration {
	d := 250 * time.Millisecond << (attempt - 1)
	return min(d, 2*time.Second)
}

func (c *Client) sleep(ctx context.Context, d time.Duration) error {
	if c.Sleep != nil {
		return c.Sleep(ctx, d)
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// maxResponse bounds the answer read.
const maxResponse = 64 << 10

func (c *Client) post(ctx context.Context, u, token string, body []byte) (*Response, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u, bytes.NewReader(body))
	if err != nil {
		return nil, fmt.Errorf("build request: %w", err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+token)
	res, err := c.HTTP.Do(req)
	if err != nil {
		// Transport errors can quote the URL, never the token (it is in a header).
		return nil, fmt.Errorf("post events: %w", err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(io.LimitReader(res.Body, maxResponse))
	if err != nil {
		return nil, fmt.Errorf("read answer: %w", err)
	}
	if res.StatusCode/100 != 2 {
		var env struct {
			Error *APIError `json:"error"`
		}
		if json.Unmarshal(b, &env) != nil || env.Error == nil {
			env.Error = &APIError{Type: "HTTP", Message: http.StatusText(res.StatusCode)}
		}
		env.Error.Status = res.StatusCode
		if res.StatusCode == http.StatusTooManyRequests && env.Error.Code == 0 {
			env.Error.Code = 4
		}
		return nil, env.Error
	}
	var r Response
	if err := json.Unmarshal(b, &r); err != nil {
		return nil, fmt.Errorf("decode answer: %w", err)
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
