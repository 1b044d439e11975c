package slackapi

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/frontdesk-app/frontdesk/shared/apperr"
	"github.com/frontdesk-app/frontdesk/shared/channel"
	"github.com/frontdesk-app/frontdesk/shared/conversation"
	"github.com/frontdesk-app/frontdesk/shared/dedup"
	"github.com/frontdesk-app/frontdesk/shared/ingress"
	"github.com/frontdesk-app/frontdesk/shared/metrics"
	"github.com/frontdesk-app/frontdesk/shared/queue"
)

// MaxBodyBytes bounds a Slack request body. Events and interaction payloads are a few KB;
// anything near this is not from Slack.
const MaxBodyBytes = 1 << 20

// DefaultSeenFor is how long event ids are remembered. Slack retries for minutes, not days, but
// a week also catches replays of captured requests long after the signature window.
const DefaultSeenFor = 7 * 24 * time.Hour

// HandlerConfig holds the handler's dependencies.
type HandlerConfig struct {
	// SigningSecret is the Slack app's signing secret.
	SigningSecret []byte
	// TeamIDs are the workspaces (team ids, or an Enterprise Grid org id) whose requests are
	// obeyed, and AppID is our Slack app's id: a request signed with our secret but sent for
	// another workspace or app (a second installation, a Slack Connect partner) gets 401.
	TeamIDs []string
	AppID   string
	// Conversations finds the conversation of a thread (ConversationByThread) and lists open
	// escalations (ConversationsByStatus).
	Conversations conversation.Store
	// Dedup remembers Slack event ids, so a retried or replayed event is enqueued once; a failed
	// enqueue forgets the id, so Slack's retry gets through.
	Dedup dedup.Store
	// Queue takes the AgentEvents for the bot.
	Queue queue.Sender
	// Now is the clock of the signature check and of event times; time.Now when nil. Stored
	// fixtures (events/slack) are checked with a fixed clock.
	Now func() time.Time
	// Logger logs ignored and failed requests, never message text or Slack user ids.
	Logger *slog.Logger
	// SeenFor is how long event ids are remembered; DefaultSeenFor when zero.
	SeenFor time.Duration
	// Metrics counts rejected signatures; nil discards.
	Metrics metrics.Recorder
	// OpenLimit bounds the /frontdesk open list; 20 when zero.
	OpenLimit int
}

// Validate reports a missing dependency as an Internal error, for main to fail fast.
func (cfg HandlerConfig) Validate() error {
	const op apperr.Op = "slackapi.HandlerConfig"
	switch {
	case len(cfg.SigningSecret) == 0:
		return apperr.E(op, apperr.Internal, "SLACK_SIGNING_SECRET is not set")
	case len(cfg.TeamIDs) == 0:
		return apperr.E(op, apperr.Internal, "SLACK_TEAM_IDS is not set")
	case cfg.AppID == "":
		return apperr.E(op, apperr.Internal, "SLACK_APP_ID is not set")
	case cfg.Conversations == nil:
		return apperr.E(op, apperr.Internal, "no conversation store")
	case cfg.Dedup == nil:
		return apperr.E(op, apperr.Internal, "no dedup store")
	case cfg.Queue == nil:
		return apperr.E(op, apperr.Internal, "no queue")
	}
	return nil
}

type handler struct {
	cfg HandlerConfig
	log *slog.Logger
	now func() time.Time
}

// NewHandler returns the Slack endpoints: POST /slack/events, POST /slack/interactions and
// POST /slack/commands. Each bounds the body (413, ingress.Body) and checks its media type (415),
// verifies the signature on the
// raw bytes (401), parses with the pure ParseEvent, ParseInteraction or ParseCommand (400 when
// malformed), refuses a request for another workspace or app (401), and answers within Slack's
// 3 seconds: agent events go through one dispatch (look up the thread's conversation, mark
// seen, enqueue a channel.AgentEvent for the bot, forget the mark on failure). When enqueueing
// fails it answers 503, so Slack retries events. Errors are answered and logged once
// (ingress.Fail); a panic is a logged 500 (ingress.Guard).
//
// A configuration missing a dependency (see Validate) answers 500 to every request.
func NewHandler(cfg HandlerConfig) http.Handler {
	h := &handler{cfg: cfg, log: cfg.Logger, now: cfg.Now}
	if h.log == nil {
		h.log = slog.Default()
	}
	if h.now == nil {
		h.now = time.Now
	}
	if h.cfg.SeenFor == 0 {
		h.cfg.SeenFor = DefaultSeenFor
	}
	if h.cfg.OpenLimit == 0 {
		h.cfg.OpenLimit = 20
	}
	mux := http.NewServeMux()
	mux.Handle("POST /slack/events", h.verified(jsonBody, h.events))
	mux.Handle("POST /slack/interactions", h.verified(formBody, h.interactions))
	mux.Handle("POST /slack/commands", h.verified(formBody, h.commands))
	return ingress.Guard(h.log, mux)
}

// fail answers err and logs it, once.
func (h *handler) fail(w http.ResponseWriter, r *http.Request, err error) {
	ingress.Fail(w, r, h.log, err)
}

// The media types Slack sends: JSON for the Events API, a form (payload=… or the command's
// fields) for interactions and slash commands.
const (
	jsonBody = "application/json"
	formBody = "application/x-www-form-urlencoded"
)

// verified reads the bounded raw body of the route's media type (415 for another) and checks
// Slack's signature before next sees it.
func (h *handler) verified(mediaType string, next func(http.ResponseWriter, *http.Request, []byte)) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := h.cfg.Validate(); err != nil {
			h.fail(w, r, err)
			return
		}
		body, err := ingress.Body(w, r, MaxBodyBytes, mediaType)
		if err != nil {
			h.fail(w, r, err)
			return
		}
		if err := Verify(r.Header, body, h.cfg.SigningSecret, h.now()); err != nil {
			if h.cfg.Metrics != nil {
				h.cfg.Metrics.Count(metrics.SignaturesRejected, 1)
			}
			h.fail(w, r, err)
			return
		}
		next(w, r, body)
	})
}

// ours checks that a verified request was sent for an allowed workspace and for our app; a
// request naming no workspace or app is refused too (every Slack request but url_verification
// names both). Allowing an Enterprise Grid org allows its workspaces.
func (h *handler) ours(ctx context.Context, o Origin) error {
	if (slices.Contains(h.cfg.TeamIDs, o.Team) || (o.Enterprise != "" && slices.Contains(h.cfg.TeamIDs, o.Enterprise))) && o.App == h.cfg.AppID {
		return nil
	}
	if h.cfg.Metrics != nil {
		h.cfg.Metrics.Count(metrics.SignaturesRejected, 1)
	}
	// Team and app ids name workspaces and apps, not people: safe to log, and what an operator
	// needs to add a workspace on purpose.
	h.log.InfoContext(ctx, "slack request for another workspace or app", "team", o.Team, "enterprise", o.Enterprise, "app", o.App)
	return apperr.E("slackapi.Handler", apperr.Unauthorized, "request for another Slack workspace or app")
}

// ourUser reports whether the person who acted belongs to an allowed workspace, when Slack
// says (in a Slack Connect channel people of other organisations write and click too).
func (h *handler) ourUser(o Origin) bool {
	return o.UserTeam == "" || slices.Contains(h.cfg.TeamIDs, o.UserTeam) || (o.Enterprise != "" && slices.Contains(h.cfg.TeamIDs, o.Enterprise))
}

// lookup finds the conversation escalated into the thread; a nil conversation with a nil error
// means the thread is not (or no longer) an escalation.
func (h *handler) lookup(ctx context.Context, ch, threadTS string) (*conversation.Conversation, error) {
	if ch == "" || threadTS == "" {
		return nil, nil
	}
	c, err := h.cfg.Conversations.ConversationByThread(ctx, ch, threadTS)
	if apperr.Is(err, apperr.NotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, apperr.Wrap("slackapi.lookup", apperr.Other, err, "cannot look up the thread's conversation")
	}
	return c, nil
}

// enqueue sends ev to the bot in the conversation's FIFO group, so agent replies keep their
// order with the customer's messages.
func (h *handler) enqueue(ctx context.Context, key channel.Key, ev *channel.AgentEvent) error {
	const op apperr.Op = "slackapi.enqueue"
	body, err := json.Marshal(channel.Event{Agent: ev})
	if err != nil {
		return apperr.Wrap(op, apperr.Internal, err, "cannot encode agent event")
	}
	m := queue.Message{GroupID: key.String(), DeduplicationID: ev.ID, Body: body}
	if err := h.cfg.Queue.Send(ctx, m); err != nil {
		return apperr.Wrap(op, apperr.Transient, err, "cannot enqueue agent event")
	}
	return nil
}

// maxSlackSeconds is the last second of the year 9999.
const maxSlackSeconds = 253402300799

// slackTime turns a Slack ts ("1767225600.000100") into a time, or zero.
func slackTime(ts string) time.Time {
	sec, frac, _ := strings.Cut(ts, ".")
	s, err := strconv.ParseInt(sec, 10, 64)
	// Past year 9999 a time cannot be encoded into the queued event (RFC 3339): such a ts is
	// not Slack's, and the dispatcher's clock stands in.
	if err != nil || s <= 0 || s > maxSlackSeconds {
		return time.Time{}
	}
	var us int64
	if len(frac) == 6 {
		us, _ = strconv.ParseInt(frac, 10, 64)
	}
	return time.Unix(s, us*1000).UTC()
}

func writeOK(w http.ResponseWriter) { w.WriteHeader(http.StatusOK) }
