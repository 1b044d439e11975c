package slackapi

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/slack-go/slack"

	"github.com/frontdesk-app/frontdesk/shared/apperr"
	"github.com/frontdesk-app/frontdesk/shared/desk"
	"github.com/frontdesk-app/frontdesk/shared/retry"
)

// DefaultAPIURL is Slack's Web API base URL (SLACK_API_URL overrides it).
const DefaultAPIURL = "https://slack.com/api/"

// Doer sends HTTP requests; *http.Client is one.
type Doer interface {
	Do(*http.Request) (*http.Response, error)
}

// ClientConfig configures a Client.
type ClientConfig struct {
	// Token is the bot token (xoxb-...).
	Token string
	// APIURL is the Web API base URL, ending with "/"; DefaultAPIURL when empty.
	APIURL string
	// HTTP sends the requests; an *http.Client with a 10-second timeout when nil.
	HTTP Doer
	// MaxRetries bounds the retries after HTTP 429; 3 when zero, none when negative.
	MaxRetries int
	// MaxWait is the longest Retry-After the client waits for; a longer one fails at once as
	// Transient, so the caller's queue redelivers later instead of a Lambda sleeping. 30 s when
	// zero.
	MaxWait time.Duration
	// Sleep waits d or until ctx is done; the retry loop's timer when nil. Tests record the
	// waits instead.
	Sleep func(ctx context.Context, d time.Duration) error
}

// Client posts and updates messages through Slack's Web API. It is a thin wrapper over
// slack-go's *slack.Client that retries 429 answers after their Retry-After (package retry, the
// loop every remote API shares) and maps Slack's ok:false errors to apperr kinds.
type Client struct {
	api    *slack.Client
	policy retry.Policy
	names  nameCache
}

// NewClient returns a client, or an Internal error when the token is missing.
func NewClient(cfg ClientConfig) (*Client, error) {
	if cfg.Token == "" {
		return nil, apperr.E("slackapi.NewClient", apperr.Internal, "no Slack bot token configured")
	}
	if cfg.APIURL == "" {
		cfg.APIURL = DefaultAPIURL
	}
	if !strings.HasSuffix(cfg.APIURL, "/") {
		cfg.APIURL += "/"
	}
	if cfg.HTTP == nil {
		cfg.HTTP = &http.Client{Timeout: 10 * time.Second}
	}
	if cfg.MaxWait == 0 {
		cfg.MaxWait = 30 * time.Second
	}
	api := slack.New(cfg.Token,
		slack.OptionAPIURL(cfg.APIURL),
		// slack-go sends chat.* tokens as a form field; Slack prefers the Authorization header.
		slack.OptionHTTPClient(bearer{token: cfg.Token, next: cfg.HTTP}),
	)
	// A 429 without Retry-After waits a second, as Slack's docs suggest, then backs off.
	policy := retry.Policy{MaxRetries: cfg.MaxRetries, BaseBackoff: time.Second, MaxBackoff: cfg.MaxWait, Sleep: cfg.Sleep}
	return &Client{api: api, policy: policy, names: nameCache{now: time.Now}}, nil
}

// bearer adds "Authorization: Bearer <token>" to every request.
type bearer struct {
	token string
	next  Doer
}

func (b bearer) Do(r *http.Request) (*http.Response, error) {
	r.Header.Set("Authorization", "Bearer "+b.token)
	return b.next.Do(r)
}

// LogValue implements slog.LogValuer: the token never reaches a log.
func (b bearer) LogValue() slog.Value { return slog.StringValue("REDACTED_TOKEN") }

// PostMessage posts text (the notification fallback, required) and optional blocks to channel,
// in the thread of threadTS when it is not empty, and returns the new message's ts. Link and
// media unfurling is off: customer text must not make Slack fetch URLs.
func (c *Client) PostMessage(ctx context.Context, channel, threadTS, text string, blocks []slack.Block) (string, error) {
	return c.post(ctx, "slackapi.PostMessage", channel, threadTS, text, blocks, false)
}

// Broadcast posts a thread reply that is also shown in the channel ("Also send to channel").
func (c *Client) Broadcast(ctx context.Context, channel, threadTS, text string, blocks []slack.Block) (string, error) {
	return c.post(ctx, "slackapi.Broadcast", channel, threadTS, text, blocks, true)
}

func (c *Client) post(ctx context.Context, op apperr.Op, channel, threadTS, text string, blocks []slack.Block, broadcast bool) (string, error) {
	opts := []slack.MsgOption{slack.MsgOptionText(text, false), slack.MsgOptionDisableLinkUnfurl(), slack.MsgOptionDisableMediaUnfurl()}
	if len(blocks) > 0 {
		opts = append(opts, slack.MsgOptionBlocks(blocks...))
	}
	if threadTS != "" {
		opts = append(opts, slack.MsgOptionTS(threadTS))
		if broadcast {
			opts = append(opts, slack.MsgOptionBroadcast())
		}
	}
	var ts string
	err := c.retry(ctx, func() error {
		var err error
		_, ts, err = c.api.PostMessageContext(ctx, channel, opts...)
		return err
	})
	if err != nil {
		return "", mapError(op, err)
	}
	thread := threadTS
	if thread == "" {
		thread = ts // a thread's parent: the card
	}
	// Whoever posts about a conversation keeps its erasure index (desk.WithPosted).
	desk.Posted(ctx, desk.Thread{Channel: channel, TS: thread}, ts)
	return ts, nil
}

// DeleteMessage deletes the message ts in channel (chat.delete). With a bot token Slack deletes
// only the bot's own messages: another's is Forbidden (cant_delete_message); a message already
// deleted is NotFound.
func (c *Client) DeleteMessage(ctx context.Context, channel, ts string) error {
	err := c.retry(ctx, func() error {
		_, _, err := c.api.DeleteMessageContext(ctx, channel, ts)
		return err
	})
	if err != nil {
		return mapError("slackapi.DeleteMessage", err)
	}
	return nil
}

// DeleteFile deletes a file the bot uploaded (files.delete).
func (c *Client) DeleteFile(ctx context.Context, id string) error {
	err := c.retry(ctx, func() error { return c.api.DeleteFileContext(ctx, id) })
	if err != nil {
		return mapError("slackapi.DeleteFile", err)
	}
	return nil
}

// ThreadMessage is a message of a thread as conversations.replies lists it.
type ThreadMessage struct {
	TS string
	// User is the author's user id; BotID is set when an app or bot posted it.
	User  string
	BotID string
	// SubType is Slack's message subtype: "tombstone" for a deleted parent that has replies.
	SubType string
	// Files are the ids of the files shared with the message.
	Files []string
}

// ThreadMessages lists the messages of the thread threadTS in channel, the parent first
// (conversations.replies, every page).
func (c *Client) ThreadMessages(ctx context.Context, channel, threadTS string) ([]ThreadMessage, error) {
	var out []ThreadMessage
	cursor := ""
	for {
		var msgs []slack.Message
		var more bool
		var next string
		err := c.retry(ctx, func() error {
			var err error
			msgs, more, next, err = c.api.GetConversationRepliesContext(ctx, &slack.GetConversationRepliesParameters{
				ChannelID: channel, Timestamp: threadTS, Cursor: cursor, Limit: 200,
			})
			return err
		})
		if err != nil {
			return nil, mapError("slackapi.ThreadMessages", err)
		}
		for _, m := range msgs {
			tm := ThreadMessage{TS: m.Timestamp, User: m.User, BotID: m.BotID, SubType: m.SubType}
			for _, f := range m.Files {
				tm.Files = append(tm.Files, f.ID)
			}
			out = append(out, tm)
		}
		if !more || next == "" {
			return out, nil
		}
		cursor = next
	}
}

// Permalink returns the link to the message ts in channel (chat.getPermalink).
func (c *Client) Permalink(ctx context.Context, channel, ts string) (string, error) {
	var link string
	err := c.retry(ctx, func() error {
		var err error
		link, err = c.api.GetPermalinkContext(ctx, &slack.PermalinkParameters{Channel: channel, Ts: ts})
		return err
	})
	if err != nil {
		return "", mapError("slackapi.Permalink", err)
	}
	return link, nil
}

// UpdateMessage replaces the text and blocks of the message ts in channel (chat.update).
func (c *Client) UpdateMessage(ctx context.Context, channel, ts, text string, blocks []slack.Block) error {
	opts := []slack.MsgOption{slack.MsgOptionText(text, false)}
	if len(blocks) > 0 {
		opts = append(opts, slack.MsgOptionBlocks(blocks...))
	}
	err := c.retry(ctx, func() error {
		_, _, _, err := c.api.UpdateMessageContext(ctx, channel, ts, opts...)
		return err
	})
	if err != nil {
		return mapError("slackapi.UpdateMessage", err)
	}
	return nil
}

// retry calls f again after a 429 for as long as Slack's Retry-After says, up to MaxRetries
// times and only while the wait is at most MaxWait and ends before ctx's deadline.
func (c *Client) retry(ctx context.Context, f func() error) error {
	_, err := retry.Do(ctx, c.policy, verdict, func(context.Context) (struct{}, error) { return struct{}{}, f() })
	return err
}

// verdict is Slack's retry classification: only a 429 is retried; Slack's ok:false errors are
// answers, not failures of the moment (ratelimited in the body included: Slack answers it
// with a 429 too).
func verdict(err error) retry.Verdict {
	if rl, ok := errors.AsType[*slack.RateLimitedError](err); ok {
		return retry.Verdict{Retry: true, After: rl.RetryAfter}
	}
	return retry.Verdict{}
}

// Kinds of Slack's ok:false errors (https://docs.slack.dev/reference/methods/chat.postMessage
// and chat.update list them). Unlisted errors are Internal.
var errorKinds = map[string]apperr.Kind{
	// The token or the app's installation is wrong: a configuration error, not retryable.
	"not_authed": apperr.Internal, "invalid_auth": apperr.Internal, "account_inactive": apperr.Internal,
	"token_revoked": apperr.Internal, "token_expired": apperr.Internal, "missing_scope": apperr.Internal,
	"no_permission": apperr.Internal, "not_allowed_token_type": apperr.Internal, "ekm_access_denied": apperr.Internal,
	// The request is wrong for this channel or message: retrying the same call cannot help.
	"channel_not_found": apperr.Invalid, "not_in_channel": apperr.Invalid, "is_archived": apperr.Invalid,
	"is_inactive": apperr.Invalid, "no_text": apperr.Invalid, "msg_too_long": apperr.Invalid,
	"invalid_blocks": apperr.Invalid, "invalid_blocks_format": apperr.Invalid, "invalid_thread_ts": apperr.Invalid,
	"invalid_arguments": apperr.Invalid, "too_many_attachments": apperr.Invalid, "restricted_action": apperr.Invalid,
	"restricted_action_read_only_channel":      apperr.Invalid,
	"restricted_action_thread_only_channel":    apperr.Invalid,
	"restricted_action_non_threadable_channel": apperr.Invalid,
	"cant_update_message":                      apperr.Forbidden, "edit_window_closed": apperr.Forbidden,
	"message_not_found": apperr.NotFound, "thread_not_found": apperr.NotFound, "user_not_found": apperr.NotFound, "user_not_visible": apperr.NotFound,
	// chat.delete of a message the bot did not post.
	"cant_delete_message": apperr.Forbidden, "compliance_exports_prevent_deletion": apperr.Forbidden,
	"cant_delete_file": apperr.Forbidden, "file_not_found": apperr.NotFound, "file_deleted": apperr.NotFound,
	// Slack is busy or failing: a later retry may work.
	"ratelimited": apperr.Transient, "rate_limited": apperr.Transient, "internal_error": apperr.Transient,
	"fatal_error": apperr.Transient, "service_unavailable": apperr.Transient, "request_timeout": apperr.Transient,
	"team_added_to_org": apperr.Transient, "org_login_required": apperr.Transient,
	"external_channel_migrating": apperr.Transient,
}

// SlackError returns Slack's error code ("channel_not_found") in err's chain, or "".
func SlackError(err error) string {
	var se slack.SlackErrorResponse
	if errors.As(err, &se) {
		return se.Err
	}
	var rl *slack.RateLimitedError
	if errors.As(err, &rl) {
		return "ratelimited"
	}
	return ""
}

func mapError(op apperr.Op, err error) error {
	var (
		se  slack.SlackErrorResponse
		rl  *slack.RateLimitedError
		sc  slack.StatusCodeError
		ne  net.Error
		msg = "slack: "
	)
	switch {
	case errors.As(err, &se):
		kind, ok := errorKinds[se.Err]
		if !ok {
			kind = apperr.Internal
		}
		if kind == apperr.Internal {
			msg = "slack rejected the bot's credentials or scopes: "
		}
		return apperr.Wrap(op, kind, err, msg+se.Err)
	case errors.As(err, &rl):
		return apperr.Wrap(op, apperr.Transient, err, "slack rate limit: retry after "+rl.RetryAfter.String())
	case errors.As(err, &sc):
		if sc.Code >= 500 {
			return apperr.Wrap(op, apperr.Transient, err, "slack unavailable")
		}
		return apperr.Wrap(op, apperr.Internal, err, "slack answered HTTP "+sc.Status)
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded), errors.As(err, &ne):
		return apperr.Wrap(op, apperr.Transient, err, "slack unreachable")
	}
	return apperr.Wrap(op, apperr.Internal, err, "slack call failed")
}
