// Package capi is the Conversions API client of package adsignals: the adapter that posts
// business messaging events to Meta (POST /{dataset}/events) through the Graph API's one
// transport (graph.Transport). Package adsignals decides what to send and never imports it.
package capi

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"

	"github.com/frontdesk-app/frontdesk/shared/adsignals"
	"github.com/frontdesk-app/frontdesk/shared/apperr"
	"github.com/frontdesk-app/frontdesk/shared/channel"
	"github.com/frontdesk-app/frontdesk/shared/graph"
)

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
func (c *Client) Send(ctx context.Context, surface channel.Surface, dataset string, events ...adsignals.Event) (*adsignals.Response, error) {
	const op = "adsignals.Send"
	token := c.Tokens[surface]
	switch {
	case token == "":
		return nil, apperr.E(op, apperr.Invalid, "no Conversions API token for "+string(surface))
	case !channel.IsID(dataset):
		return nil, apperr.E(op, apperr.Invalid, "dataset id is malformed")
	case len(events) == 0:
		return nil, apperr.E(op, apperr.Invalid, "no events")
	}
	body, err := json.Marshal(struct {
		Data         []adsignals.Event `json:"data"`
		PartnerAgent string            `json:"partner_agent,omitempty"`
	}{events, c.PartnerAgent})
	if err != nil {
		return nil, apperr.Wrap(op, apperr.Internal, err, "")
	}
	u := strings.TrimRight(c.BaseURL, "/") + "/" + c.Version + "/" + dataset + "/events"
	t := c.Transport
	if t == nil {
		t = &graph.Transport{}
	}
	var r adsignals.Response
	if err := t.PostJSON(ctx, u, token, body, &r); err != nil {
		return nil, apperr.Wrap(op, kind(err), err, "Conversions API request failed")
	}
	return &r, nil
}
