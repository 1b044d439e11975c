package graph

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/frontdesk-app/frontdesk/shared/apperr"
	"github.com/frontdesk-app/frontdesk/shared/channel"
)

// Defaults of Config.
const (
	DefaultBaseURL     = "https://graph.facebook.com"
	DefaultVersion     = "v25.0"
	DefaultMaxRetries  = 3
	DefaultBaseBackoff = 500 * time.Millisecond
	DefaultMaxBackoff  = 10 * time.Second
	DefaultTimeout     = 10 * time.Second
	// PrivateReplyWindow is how long after a comment a private reply may be sent.
	PrivateReplyWindow = 7 * 24 * time.Hour
)

// maxResponseBytes bounds what is read of a Graph answer.
const maxResponseBytes = 1 << 20

// Doer sends HTTP requests; *http.Client satisfies it.
type Doer interface {
	Do(*http.Request) (*http.Response, error)
}

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
	// HTTP sends the requests, default an *http.Client with Timeout.
	HTTP   Doer
	Tokens Tokens
	// InstagramAccounts are the Instagram professional account ids among the comment accounts:
	// their comments are answered through the Instagram token and host.
	InstagramAccounts []string
	// Now defaults to time.Now.
	Now func() time.Time
	// MaxRetries is how many times a retryable failure is retried, default 3; negative disables.
	MaxRetries int
	// BaseBackoff is the first backoff, doubled per retry with full jitter; MaxBackoff caps each
	// wait including Retry-After (a longer Retry-After ends the retries).
	BaseBackoff, MaxBackoff time.Duration
	// Timeout bounds each attempt, default 10 s.
	Timeout time.Duration
	// Sleep waits between attempts, default a timer that stops when ctx is done.
	Sleep func(ctx context.Context, d time.Duration) error
	// Jitter returns a number in [0,1), default math/rand/v2.
	Jitter func() float64
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
	if cfg.Timeout <= 0 {
		cfg.Timeout = DefaultTimeout
	}
	if cfg.HTTP == nil {
		cfg.HTTP = &http.Client{Timeout: cfg.Timeout}
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.MaxRetries == 0 {
		cfg.MaxRetries = DefaultMaxRetries
	}
	if cfg.BaseBackoff <= 0 {
		cfg.BaseBackoff = DefaultBaseBackoff
	}
	if cfg.MaxBackoff <= 0 {
		cfg.MaxBackoff = DefaultMaxBackoff
	}
	if cfg.Sleep == nil {
		cfg.Sleep = sleep
	}
	if cfg.Jitter == nil {
		cfg.Jitter = rand.Float64
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
// Errors are *apperr.Error: Invalid when r breaks a platform limit (nothing is sent), Conflict
// for a second private reply to one comment, Transient after retries of 5xx/429/network
// failures ran out, Forbidden for policy refusals. The Graph answer, if any, is an *APIError
// in the chain; match the sentinels with errors.Is (ErrWindowClosed, ...).
func (c *Client) Send(ctx context.Context, key channel.Key, r channel.Reply) (string, error) {
	const op apperr.Op = "graph.Send"
	if key.Account == "" || (key.User == "" && r.CommentID == "") {
		return "", apperr.E(op, apperr.Invalid, "the conversation key needs an account and a user")
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

// post sends body to {base}/{account}/messages with retries and decodes a 2xx answer into out.
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
	for attempt := 0; ; attempt++ {
		err := c.attempt(ctx, endpoint, token, b, out)
		if err == nil {
			return nil
		}
		wait, retry := c.backoff(attempt, err)
		if !retry || attempt >= c.cfg.MaxRetries || c.cfg.MaxRetries < 0 {
			return classify(op, err)
		}
		if serr := c.cfg.Sleep(ctx, wait); serr != nil {
			return apperr.Wrap(op, apperr.Transient, errors.Join(err, serr), "gave up waiting to retry")
		}
	}
}

func (c *Client) attempt(ctx context.Context, endpoint, token string, body []byte, out any) error {
	ctx, cancel := context.WithTimeout(ctx, c.cfg.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, endpoint, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	resp, err := c.cfg.HTTP.Do(req)
	if err != nil {
		return &netError{err: err}
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxResponseBytes))
	if err != nil {
		return &netError{err: err, sent: true}
	}
	if resp.StatusCode/100 != 2 {
		return apiError(resp, data, c.cfg.Now)
	}
	if err := json.Unmarshal(data, out); err != nil {
		return &APIError{Status: resp.StatusCode, Message: "answer is not JSON"}
	}
	return nil
}

func apiError(resp *http.Response, data []byte, now func() time.Time) *APIError {
	var env struct {
		Error *APIError `json:"error"`
	}
	e := &APIError{}
	if json.Unmarshal(data, &env) == nil && env.Error != nil {
		e = env.Error
	}
	e.Status = resp.StatusCode
	if e.Message == "" {
		e.Message = http.StatusText(resp.StatusCode)
	}
	e.RetryAfter = retryAfter(resp.Header.Get("Retry-After"), now)
	return e
}

// retryAfter parses Retry-After: delay seconds or an HTTP date.
func retryAfter(v string, now func() time.Time) time.Duration {
	if v == "" {
		return 0
	}
	if s, err := strconv.Atoi(strings.TrimSpace(v)); err == nil && s >= 0 {
		return time.Duration(s) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil {
		if d := t.Sub(now()); d > 0 {
			return d
		}
	}
	return 0
}

// netError is a transport failure. sent reports whether the request may have reached Meta.
type netError struct {
	err  error
	sent bool
}

func (e *netError) Error() string { return "graph api: " + e.err.Error() }
func (e *netError) Unwrap() error { return e.err }

// backoff says whether err is worth retrying and how long to wait first: exponential with
// full jitter, or Retry-After when Meta sent one. A Retry-After beyond MaxBackoff ends retries.
func (c *Client) backoff(attempt int, err error) (time.Duration, bool) {
	var ne *netError
	if errors.As(err, &ne) {
		// Retry only when the request surely did not reach Meta (no connection): a send that
		// timed out may have been delivered, and the Send API has no idempotency key.
		var oe *net.OpError
		if ne.sent || !errors.As(ne.err, &oe) || oe.Op != "dial" {
			return 0, false
		}
	}
	var ae *APIError
	if errors.As(err, &ae) {
		if !ae.retryable() {
			return 0, false
		}
		if ae.RetryAfter > 0 {
			return ae.RetryAfter, ae.RetryAfter <= c.cfg.MaxBackoff
		}
	}
	d := c.cfg.BaseBackoff << attempt
	if d <= 0 || d > c.cfg.MaxBackoff {
		d = c.cfg.MaxBackoff
	}
	return time.Duration(c.cfg.Jitter() * float64(d)), true
}

// classify wraps a final send error in an *apperr.Error of the kind the caller acts on.
func classify(op apperr.Op, err error) error {
	var ae *APIError
	if !errors.As(err, &ae) {
		return apperr.Wrap(op, apperr.Transient, err, "graph api unreachable")
	}
	switch {
	case ae.Is(ErrTokenInvalid):
		return apperr.Wrap(op, apperr.Internal, ae, "graph access token invalid")
	case ae.policy():
		return apperr.Wrap(op, apperr.Forbidden, ae, "meta refused the message")
	case ae.retryable():
		return apperr.Wrap(op, apperr.Transient, ae, "graph api unavailable")
	}
	return apperr.Wrap(op, apperr.Invalid, ae, "graph api rejected the message")
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
