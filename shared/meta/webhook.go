package meta

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"slices"
	"time"
	"unicode/utf8"

	"github.com/frontdesk-app/frontdesk/shared/apperr"
	"github.com/frontdesk-app/frontdesk/shared/channel"
	"github.com/frontdesk-app/frontdesk/shared/ingress"
	"github.com/frontdesk-app/frontdesk/shared/metrics"
	"github.com/frontdesk-app/frontdesk/shared/queue"
)

// Path is the route the webhook handler serves.
const Path = "/webhooks/meta"

// MaxBodyBytes bounds a webhook body. WhatsApp documents payloads of up to 3 MB; a larger body is
// answered 413.
const MaxBodyBytes = 4 << 20

// maxChallenge bounds hub.challenge (Meta sends an integer).
const maxChallenge = 256

// WebhookConfig configures NewWebhook.
type WebhookConfig struct {
	// AppSecret keys X-Hub-Signature-256. Required: without it every POST is refused.
	AppSecret []byte
	// VerifyToken is the token set in the App Dashboard for the GET handshake. Required:
	// without it every handshake is refused.
	VerifyToken string
	// Queue receives one message per event the bot acts on.
	Queue queue.Sender
	// Logger defaults to a discarding logger.
	Logger *slog.Logger
	// Now stamps events Meta sent without a timestamp. Defaults to time.Now.
	Now func() time.Time
	// Metrics counts rejected signatures; nil discards.
	Metrics metrics.Recorder
	// Enqueue decides which events are queued. Defaults to Enqueue.
	Enqueue func(channel.Inbound) bool
	// Accounts are the business accounts served: an event for any other is acknowledged (Meta
	// must not retry it), dropped with a log line and counted (metrics.UnknownAccounts), and
	// nothing is queued or sent for it. nil serves every account: for tests only.
	Accounts *Accounts
}

// Accounts are the business accounts a deployment serves, by id (digits only).
type Accounts struct {
	WhatsApp  []string // phone number ids
	Pages     []string // Page ids: Messenger and Page comments
	Instagram []string // Instagram professional account ids: messages and comments
}

// Serves reports whether k's account is one of a's for k's surface. An id that is not all
// digits is never served (it ends up in a Graph API path).
func (a *Accounts) Serves(k channel.Key) bool {
	if a == nil {
		return true
	}
	if !channel.IsID(k.Account) {
		return false
	}
	switch k.Surface {
	case channel.WhatsApp:
		return slices.Contains(a.WhatsApp, k.Account)
	case channel.Messenger:
		return slices.Contains(a.Pages, k.Account)
	case channel.Instagram:
		return slices.Contains(a.Instagram, k.Account)
	case channel.Comment:
		return slices.Contains(a.Pages, k.Account) || slices.Contains(a.Instagram, k.Account)
	}
	return false
}

// Enqueue reports whether the bot acts on in, so the webhook queues it: everything except
// delivery and read receipts, statuses other than "failed", standby events (another app owns
// the thread) and messages in WhatsApp groups. A business's support desk answers customers one
// to one: the bot never speaks in a group, and a group message must not open or feed the
// participant's private conversation (its window, its referral, its thread). So nothing of a
// group reaches the queue; the webhook logs that it skipped one, without content.
func Enqueue(in channel.Inbound) bool {
	if in.Standby || in.Group != "" {
		return false
	}
	switch in.Kind {
	case channel.KindDelivery, channel.KindRead:
		return false
	case channel.KindStatus:
		return in.Status != nil && in.Status.Status == "failed"
	}
	return true
}

// NewWebhook returns the handler for GET and POST /webhooks/meta.
//
// GET answers Meta's verification handshake: 200 with hub.challenge as text/plain when
// hub.mode is "subscribe" and hub.verify_token matches, 403 on a wrong token, 400 on missing
// parameters.
//
// POST bounds the body (413), requires JSON (415), verifies X-Hub-Signature-256 on the raw bytes
// (401), parses (400 on a body that is not JSON) and enqueues each event the bot acts on with
// the conversation key as group id and the event id as deduplication id, then answers 200.
// When enqueueing fails it answers 503 so Meta retries the whole batch; events already queued
// are deduplicated by the queue and the bot. Unknown objects, fields and types are logged
// without content and acknowledged.
func NewWebhook(cfg WebhookConfig) http.Handler {
	w := &webhook{cfg: cfg}
	if w.cfg.Logger == nil {
		w.cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if w.cfg.Now == nil {
		w.cfg.Now = time.Now
	}
	if w.cfg.Enqueue == nil {
		w.cfg.Enqueue = Enqueue
	}
	if w.cfg.Metrics == nil {
		w.cfg.Metrics = metrics.Discard{}
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET "+Path, w.verify)
	mux.HandleFunc("POST "+Path, w.receive)
	return ingress.Guard(w.cfg.Logger, mux)
}

type webhook struct {
	cfg WebhookConfig
}

func (h *webhook) verify(w http.ResponseWriter, r *http.Request) {
	const op apperr.Op = "meta.Webhook.verify"
	q := r.URL.Query()
	mode, token, challenge := q.Get("hub.mode"), q.Get("hub.verify_token"), q.Get("hub.challenge")
	var err error
	switch {
	case mode == "" || token == "" || challenge == "":
		err = apperr.E(op, apperr.Invalid, "hub.mode, hub.verify_token and hub.challenge are required")
	case mode != "subscribe":
		err = apperr.E(op, apperr.Invalid, `hub.mode must be "subscribe"`)
	case len(challenge) > maxChallenge:
		err = apperr.E(op, apperr.Invalid, "hub.challenge is too long")
	case h.cfg.VerifyToken == "" || subtle.ConstantTimeCompare([]byte(token), []byte(h.cfg.VerifyToken)) != 1:
		err = apperr.E(op, apperr.Forbidden, "hub.verify_token does not match")
	}
	if err != nil {
		ingress.Fail(w, r, h.cfg.Logger, err)
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(http.StatusOK)
	_, _ = io.WriteString(w, challenge)
}

func (h *webhook) receive(w http.ResponseWriter, r *http.Request) {
	if err := h.handle(w, r); err != nil {
		ingress.Fail(w, r, h.cfg.Logger, err)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusOK)
	_, _ = io.WriteString(w, `{"ok":true}`+"\n")
}

func (h *webhook) handle(w http.ResponseWriter, r *http.Request) error {
	const op apperr.Op = "meta.Webhook.receive"
	ctx := r.Context()
	body, err := ingress.Body(w, r, MaxBodyBytes, "application/json")
	if err != nil {
		return err
	}
	if err := VerifySignature(r.Header.Get(SignatureHeader), body, h.cfg.AppSecret); err != nil {
		h.cfg.Metrics.Count(metrics.SignaturesRejected, 1)
		return err
	}
	if !utf8.Valid(body) {
		// JSON is UTF-8 (RFC 8259) and Meta escapes non-ASCII text; decoding would silently turn
		// invalid bytes into U+FFFD.
		return apperr.E(op, apperr.Invalid, "body is not valid UTF-8")
	}
	if h.cfg.Queue == nil {
		return apperr.E(op, apperr.Internal, "no queue configured")
	}
	batch, err := ParseBatch(body)
	if err != nil {
		return err
	}
	for _, s := range batch.Skipped {
		h.cfg.Logger.InfoContext(ctx, "meta webhook item skipped", "object", s.Object, "field", s.Field, "type", s.Type, "reason", s.Reason, "code", s.Code)
	}
	queued, foreign := 0, 0
	for _, in := range batch.Events {
		if !h.cfg.Accounts.Serves(in.Key) {
			foreign++
			h.cfg.Metrics.Count(metrics.UnknownAccounts, 1)
			h.cfg.Logger.WarnContext(ctx, "meta webhook event for an account this deployment does not serve; dropped (configure WHATSAPP_PHONE_NUMBER_IDS, PAGE_IDS or INSTAGRAM_ACCOUNT_IDS if it is yours)",
				"surface", in.Key.Surface, "account", loggableID(in.Key.Account))
			continue
		}
		if !h.cfg.Enqueue(in) {
			if in.Group != "" {
				h.cfg.Logger.InfoContext(ctx, "meta webhook group message not queued: the bot answers customers one to one", "event", in)
			}
			continue
		}
		if in.At.IsZero() {
			in.At = h.cfg.Now().UTC()
		}
		b, err := json.Marshal(channel.Event{Inbound: &in})
		if err != nil {
			// Not an event the bot could read either: skipped like any unusable item, never a
			// 500 that Meta would retry for a week.
			h.cfg.Logger.WarnContext(ctx, "meta webhook event not encodable; skipped", "event", in, "err", err)
			continue
		}
		m := queue.Message{GroupID: in.Key.String(), DeduplicationID: dedupID(in.ID), Body: b}
		if err := h.cfg.Queue.Send(ctx, m); err != nil {
			return apperr.Wrap(op, apperr.Transient, err, "enqueue event")
		}
		queued++
	}
	attrs := []any{"object", batch.Object, "events", len(batch.Events), "queued", queued, "skipped", len(batch.Skipped)}
	if foreign > 0 {
		attrs = append(attrs, "foreign", foreign)
	}
	h.cfg.Logger.InfoContext(ctx, "meta webhook received", attrs...)
	return nil
}

// loggableID is a business account id as it may be logged: the id when it is digits (a
// business's id, not a customer's), else a note that it is malformed.
func loggableID(id string) string {
	if channel.IsID(id) {
		return id
	}
	return "(malformed)"
}

// dedupID keeps an event id within SQS's 128-character deduplication id limit.
func dedupID(id string) string {
	if len(id) <= 128 {
		return id
	}
	sum := sha256.Sum256([]byte(id))
	return "h." + hex.EncodeToString(sum[:])
}
