package graph

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/frontdesk-app/frontdesk/shared/apperr"
	"github.com/frontdesk-app/frontdesk/shared/channel"
)

// Defaults of Config.
const (
	DefaultBaseURL = "https://graph.facebook.com"
	DefaultVersion = "v25.0"
	// PrivateReplyWindow is how long after a comment a private reply may be sent.
	PrivateReplyWindow = 7 * 24 * time.Hour
)

// Tokens are the access tokens per surface. They are secrets: Tokens logs redacted.
type Tokens struct {
	// WhatsApp is a system-user token with whatsapp_business_messaging.
	WhatsApp string
	// Page is the Page access token (pages_messaging) for Messenger and Page comments. It also
	// serves Instagram when Instagram is empty (Instagram API with Facebook Login).
	Page string
	// Instagram is an Instagram user access token (Instagram API with Instagram Login) for
	// Instagram messages and for comments of the accounts in Config.InstagramAccounts.
	Instagram string
}

// LogValue implements slog.LogValuer: only whether each token is set.
func (t Tokens) LogValue() slog.Value {
	return slog.GroupValue(slog.Bool("whatsapp", t.WhatsApp != ""), slog.Bool("page", t.Page != ""),
		slog.Bool("instagram", t.Instagram != ""))
}

// Config configures a Client. Zero values take the defaults.
type Config struct {
	// BaseURL is the Graph API host, default https://graph.facebook.com. It may carry a path
	// prefix (fakes and proxies).
	BaseURL string
	// InstagramBaseURL is the host for Instagram sends, default BaseURL. Set it to
	// https://graph.instagram.com for the Instagram API with Instagram Login.
	InstagramBaseURL string
	// Version is the Graph API version, default v25.0.
	Version string
	// Transport carries the requests, with their retries; nil means a zero Transport.
	Transport *Transport
	Tokens    Tokens
	// InstagramAccounts are the Instagram professional account ids among the comment accounts:
	// their comments are answered through the Instagram token and host.
	InstagramAccounts []string
	// Now defaults to time.Now.
	Now func() time.Time
}

// Client sends replies through the Graph API. It is safe for concurrent use.
type Client struct {
	cfg     Config
	base    string
	igBase  string
	igAccts map[string]bool

	mu      sync.Mutex
	replied map[string]time.Time // comment id -> private reply sent at
}

// New returns a Client. It returns an error when a base URL does not parse.
func New(cfg Config) (*Client, error) {
	const op apperr.Op = "graph.New"
	if cfg.BaseURL == "" {
		cfg.BaseURL = DefaultBaseURL
	}
	if cfg.InstagramBaseURL == "" {
		cfg.InstagramBaseURL = cfg.BaseURL
	}
	if cfg.Version == "" {
		cfg.Version = DefaultVersion
	}
	if cfg.Transport == nil {
		cfg.Transport = &Transport{}
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	c := &Client{cfg: cfg, igAccts: map[string]bool{}, replied: map[string]time.Time{}}
	for _, s := range []struct {
		dst *string
		raw string
	}{{&c.base, cfg.BaseURL}, {&c.igBase, cfg.InstagramBaseURL}} {
		u, err := url.Parse(s.raw)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return nil, apperr.E(op, apperr.Invalid, "graph base URL must be an absolute http(s) URL")
		}
		*s.dst = strings.TrimRight(s.raw, "/") + "/" + strings.Trim(cfg.Version, "/")
	}
	for _, id := range cfg.InstagramAccounts {
		c.igAccts[id] = true
	}
	return c, nil
}

// Send delivers r to the customer of key and returns the platform's message id (a wamid or a
// Messenger mid). Private replies go out when r.CommentID is set or key.Surface is Comment.
//
// Errors are *apperr.Error (see Classify): Invalid when r breaks a platform limit (nothing is
// sent), Transient after retries of 5xx/429/network failures ran out, Forbidden for Meta's
// refusals for good, among them a second private reply to one comment (ErrAlreadyReplied). The
// Graph answer, if any, is an *APIError in the chain; match the sentinels with errors.Is
// (ErrWindowClosed, ...).
func (c *Client) Send(ctx context.Context, key channel.Key, r channel.Reply) (string, error) {
	const op apperr.Op = "graph.Send"
	if key.Account == "" || (key.User == "" && r.CommentID == "") {
		return "", apperr.E(op, apperr.Invalid, "the conversation key needs an account and a user")
	}
	if !digits(key.Account) {
		return "", apperr.E(op, apperr.Invalid, "the account id must be digits")
	}
	if r.File != nil {
		return c.sendFile(ctx, key, r)
	}
	if r.CommentID != "" || key.Surface == channel.Comment {
		return c.privateReply(ctx, key, r)
	}
	switch key.Surface {
	case channel.WhatsApp:
		body, err := whatsAppBody(key.User, r)
		if err != nil {
			return "", err
		}
		var out waResponse
		if err := c.post(ctx, c.base, key.Account, c.cfg.Tokens.WhatsApp, body, &out); err != nil {
			return "", err
		}
		if len(out.Messages) == 0 || out.Messages[0].ID == "" {
			return "", apperr.E(op, apperr.Internal, "whatsapp answered without a message id")
		}
		return out.Messages[0].ID, nil
	case channel.Messenger, channel.Instagram:
		body, err := sendAPIBody(key.Surface, key.User, r)
		if err != nil {
			return "", err
		}
		base, token := c.base, c.cfg.Tokens.Page
		if key.Surface == channel.Instagram {
			base, token = c.igBase, c.instagramToken()
		}
		return c.sendAPI(ctx, base, key.Account, token, body)
	}
	return "", apperr.E(op, apperr.Invalid, "unknown surface "+string(key.Surface))
}

func (c *Client) instagramToken() string {
	if c.cfg.Tokens.Instagram != "" {
		return c.cfg.Tokens.Instagram
	}
	return c.cfg.Tokens.Page
}

func (c *Client) sendAPI(ctx context.Context, base, account, token string, body any) (string, error) {
	var out struct {
		RecipientID string `json:"recipient_id"`
		MessageID   string `json:"message_id"`
	}
	if err := c.post(ctx, base, account, token, body, &out); err != nil {
		return "", err
	}
	if out.MessageID == "" {
		return "", apperr.E("graph.Send", apperr.Internal, "the Send API answered without a message id")
	}
	return out.MessageID, nil
}

// post sends body to {base}/{account}/messages through the transport and decodes a 2xx answer
// into out.
func (c *Client) post(ctx context.Context, base, account, token string, body, out any) error {
	const op apperr.Op = "graph.post"
	if token == "" {
		return apperr.E(op, apperr.Internal, "no access token configured for this surface")
	}
	b, err := json.Marshal(body)
	if err != nil {
		return apperr.Wrap(op, apperr.Internal, err, "encode the request")
	}
	endpoint := base + "/" + url.PathEscape(account) + "/messages"
	if err := c.cfg.Transport.PostJSON(ctx, endpoint, token, b, out); err != nil {
		return Classify(op, err)
	}
	return nil
}

// Classify wraps a final error of a Transport in an *apperr.Error of the kind a sender acts
// on: Internal for an invalid token (a configuration error: the events wait in the dead-letter
// queue for the fix), Forbidden for Meta's refusals for good (ErrWindowClosed, ...,
// ErrAlreadyReplied), Transient for what a later retry may fix (5xx, rate limits, the network,
// the context's end), Invalid for the rest of Meta's rejections.
func Classify(op apperr.Op, err error) error {
	ae, ok := errors.AsType[*APIError](err)
	if !ok {
		return apperr.Wrap(op, apperr.Transient, err, "graph api unreachable")
	}
	switch {
	case ae.Is(ErrTokenInvalid):
		return apperr.Wrap(op, apperr.Internal, err, "graph access token invalid")
	case ae.Is(ErrAlreadyReplied):
		return apperr.Wrap(op, apperr.Forbidden, err, "the comment's one private reply was already sent")
	case ae.policy():
		return apperr.Wrap(op, apperr.Forbidden, err, "meta refused the message")
	case ae.Retryable():
		return apperr.Wrap(op, apperr.Transient, err, "graph api unavailable")
	}
	return apperr.Wrap(op, apperr.Invalid, err, "graph api rejected the message")
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
