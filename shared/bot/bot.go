package bot

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/frontdesk-app/frontdesk/shared/apperr"
	"github.com/frontdesk-app/frontdesk/shared/channel"
	"github.com/frontdesk-app/frontdesk/shared/conversation"
	"github.com/frontdesk-app/frontdesk/shared/dedup"
	"github.com/frontdesk-app/frontdesk/shared/desk"
	"github.com/frontdesk-app/frontdesk/shared/faq"
	"github.com/frontdesk-app/frontdesk/shared/learn"
	"github.com/frontdesk-app/frontdesk/shared/metrics"
	"github.com/frontdesk-app/frontdesk/shared/observe"
	"github.com/frontdesk-app/frontdesk/shared/window"
)

// Sender delivers a reply to a customer on the conversation's surface (graph.Client).
type Sender interface {
	Send(ctx context.Context, key channel.Key, r channel.Reply) (messageID string, err error)
}

// Brain decides what to do with a customer message (faq.Bot).
type Brain interface {
	Decide(in faq.Input) faq.Decision
}

// Bot applies queued events. Conversations, Dedup, Sender and Brain are required; without Desk
// nothing escalates to Slack (the customer is told, the record says escalated), without Consent
// there are no consent commands, without Signals no Conversions API events.
type Bot struct {
	Conversations conversation.Store
	Dedup         dedup.Store
	Sender        Sender
	Brain         Brain
	Desk          desk.Desk
	Consent       Consent
	Signals       Signals
	Answers       Answers
	Directory     Directory
	// AgentFiles and CustomerMedia carry files between the thread and the customer; without
	// them an agent's file is refused with a status line and a customer's media is mirrored as
	// a line naming its kind.
	AgentFiles    AgentFiles
	CustomerMedia CustomerMedia
	// Threads, when set, records every message the bot posts about a conversation in Slack, so
	// an erasure of the customer finds them after the conversation expired.
	Threads Threads
	// Learn, when set, stores knowledge-base suggestions and counts escalation reasons and the
	// entries agents choose, for the weekly digest.
	Learn learn.Store
	// Offers, Catalog, Subject and Mask, with Learn, make the thread offer "Add to FAQ" after
	// an agent answered (learn.go). Subject names a conversation's customer
	// (consent.Subjects.Key); Mask masks personal data in a text as the desk shows it
	// (slackapi.Mask), for what is kept of the customer's question and the agent's reply.
	Offers  FAQOffers
	Catalog Catalog
	Subject func(channel.Key) string
	Mask    func(string) string
	// Eraser, when set, erases a customer who asks for it in the chat ("Lösche meine Daten",
	// "delete my data"): everything frontdesk holds and the bot's messages in Slack.
	Eraser Eraser
	// FollowUp, when set, offers customers outside WhatsApp to be told there (followup.go).
	FollowUp *FollowUp
	// Observer, when set, receives a record of each decision (the local console); nil in Lambda.
	Observer observe.Sink

	// Retention is how long a conversation outlives its last activity.
	Retention time.Duration
	// Freshness is how late a customer message may reach the bot and still get a bot answer
	// (default 4 hours): an outage's backlog must not flood customers with stale answers.
	Freshness time.Duration
	// DefaultLocale is the language of a conversation before the bot has detected one.
	DefaultLocale string
	// Lease is how long a worker's claim on a conversation blocks other workers (default 2
	// minutes): longer than the bot may run on one event, shorter than the queue's visibility
	// timeout, so a dead worker's event is taken over when the queue redelivers it.
	Lease time.Duration

	// Reserve is the time HandleSQS keeps back before the invocation's deadline (its context's):
	// it takes no record with less than twice Reserve left, ends each record's work Reserve
	// before the deadline, and spends the reserve recording what a cut-off record did and
	// reporting the records left as failures, so the invocation returns instead of timing out.
	// Default DefaultReserve.
	Reserve time.Duration

	// Template is the approved WhatsApp template sent for an agent's reply after the 24-hour
	// window closed, in TemplateLanguage; empty means such replies are refused.
	Template         string
	TemplateLanguage string

	Metrics metrics.Recorder
	Logger  *slog.Logger
	Now     func() time.Time
}

const (
	op = apperr.Op("bot")
	// defaultLease is how long a worker's lease on a conversation blocks other workers: longer than
	// one invocation of the bot may run.
	defaultLease = 2 * time.Minute
	// keepSends is how long an idempotency record lives: Meta retries for up to 7 days.
	keepSends = 7 * 24 * time.Hour
	// attempts bounds retries of an optimistic-locking conflict inside one invocation.
	attempts = 5
	// DefaultReserve is Bot.Reserve's default: a DynamoDB write or two and the answer to Lambda.
	DefaultReserve = 2 * time.Second
)

func (b *Bot) now() time.Time {
	if b.Now != nil {
		return b.Now()
	}
	return time.Now()
}

func (b *Bot) lease() time.Duration {
	if b.Lease > 0 {
		return b.Lease
	}
	return defaultLease
}

func (b *Bot) metrics() metrics.Recorder {
	if b.Metrics != nil {
		return b.Metrics
	}
	return metrics.Discard{}
}

func (b *Bot) log() *slog.Logger {
	if b.Logger != nil {
		return b.Logger
	}
	return slog.Default()
}

func (b *Bot) reserve() time.Duration {
	if b.Reserve > 0 {
		return b.Reserve
	}
	return DefaultReserve
}

// HandleSQS is the Lambda entry point for the SQS FIFO event source with partial batch
// responses. Records of a FIFO batch are processed in order; after the first failure the rest of
// the batch is reported failed too, so no later message of a conversation overtakes an earlier one.
//
// It keeps to the invocation's deadline (see Reserve): a record is taken only while there is
// time for it, its work (every call it makes) ends Reserve before the deadline, and the records
// left are reported as failures. The queue brings them back after its visibility timeout; the
// invocation does not time out, which would return the whole batch, done records included.
func (b *Bot) HandleSQS(ctx context.Context, ev events.SQSEvent) (events.SQSEventResponse, error) {
	var resp events.SQSEventResponse
	work, cancel := b.budget(ctx)
	defer cancel()
	failed := false
	for i, rec := range ev.Records {
		if !failed && !b.timeFor(ctx) {
			failed = true
			b.log().WarnContext(ctx, "time budget spent; records left for the next invocation", "left", len(ev.Records)-i)
		}
		if failed {
			resp.BatchItemFailures = append(resp.BatchItemFailures, events.SQSBatchItemFailure{ItemIdentifier: rec.MessageId})
			continue
		}
		if err := b.handleRecord(work, rec); err != nil {
			failed = true
			b.log().ErrorContext(ctx, "event failed; will be retried", "messageId", rec.MessageId,
				"receiveCount", rec.Attributes["ApproximateReceiveCount"], "kind", apperr.KindOf(err).String(), "err", err)
			resp.BatchItemFailures = append(resp.BatchItemFailures, events.SQSBatchItemFailure{ItemIdentifier: rec.MessageId})
		}
	}
	return resp, nil
}

// invocationKey holds the invocation's context inside a record's work context: the work ends
// Reserve before the deadline, the clean-up of a cut-off record runs in the reserve.
type invocationKey struct{}

// budget returns the context of the records' work: ctx ending Reserve before its deadline, with
// ctx itself kept for the clean-up. Without a deadline the work has none either.
func (b *Bot) budget(ctx context.Context) (context.Context, context.CancelFunc) {
	dl, ok := ctx.Deadline()
	ctx = context.WithValue(ctx, invocationKey{}, ctx)
	if !ok {
		return context.WithCancel(ctx)
	}
	return context.WithDeadline(ctx, dl.Add(-b.reserve()))
}

// timeFor reports whether a record may still be taken: twice the reserve is left before the
// invocation's deadline (the reserve itself, and as much for the record's work).
func (b *Bot) timeFor(ctx context.Context) bool {
	dl, ok := ctx.Deadline()
	return !ok || time.Until(dl) >= 2*b.reserve()
}

// cleanup is the context for recording a failed record's calls and releasing its lease: the
// invocation's, which outlives the work's by the reserve.
func cleanup(ctx context.Context) context.Context {
	if inv, ok := ctx.Value(invocationKey{}).(context.Context); ok {
		return inv
	}
	return ctx
}

func (b *Bot) handleRecord(ctx context.Context, rec events.SQSMessage) error {
	var e channel.Event
	if err := json.Unmarshal([]byte(rec.Body), &e); err != nil {
		// Only our own ingress writes to the queue: a body we cannot read is a bug. Failing it
		// sends it to the dead-letter queue (and its alarm) after the retries: nothing disappears.
		return apperr.Wrap(op, apperr.Internal, err, "queued body is not an event")
	}
	return b.Handle(ctx, e)
}

// Handle applies one event. It returns an error only when a retry can help; events that can
// never succeed (a reply the platform refuses for good) are logged and dropped.
func (b *Bot) Handle(ctx context.Context, e channel.Event) error {
	// One holder for this attempt at the event: it may take the conversation's lease again
	// after losing a race to save, while another worker with the same event must wait.
	holder := newHolder()
	var err error
	for range attempts {
		switch {
		case e.Inbound != nil:
			err = b.handleInbound(ctx, holder, *e.Inbound)
		case e.Agent != nil:
			err = b.handleAgent(ctx, holder, *e.Agent)
		default:
			return apperr.E(op, apperr.Internal, "event has neither inbound nor agent part")
		}
		if !apperr.Is(err, apperr.Conflict) || ctx.Err() != nil {
			break
		}
	}
	if err == nil {
		return nil
	}
	if retryable(err) {
		return err
	}
	b.log().WarnContext(ctx, "event dropped: a retry cannot help", "event", e, "kind", apperr.KindOf(err).String(), "err", err)
	return nil
}

func retryable(err error) bool {
	switch apperr.KindOf(err) {
	case apperr.Transient, apperr.Conflict, apperr.Internal, apperr.Other:
		return true
	}
	return errors.Is(err, context.DeadlineExceeded)
}

// begin leases the conversation of key for processing eventID and returns it: the live one, or
// a new one for the bot (fresh). The lease is the read an event needs anyway, so it costs no
// extra request; it makes the event's outbound calls idempotent (see once).
func (b *Bot) begin(ctx context.Context, key channel.Key, eventID, holder string) (c *conversation.Conversation, fresh bool, err error) {
	now := b.now()
	c, err = b.Conversations.BeginEvent(ctx, key, eventID, holder, now, now.Add(-b.lease()))
	if apperr.Is(err, apperr.Conflict) {
		// Another event of the conversation is being processed (or its worker died less than
		// the lease ago): the queue brings this one back later.
		return nil, false, apperr.Wrap(op, apperr.Transient, err, "conversation busy")
	}
	if err != nil {
		return nil, false, fmt.Errorf("lease conversation: %w", err)
	}
	if fresh = c.New(); fresh {
		c.Status, c.Locale, c.CreatedAt = conversation.Bot, b.DefaultLocale, now
	}
	return c, fresh, nil
}

// recording returns ctx in which every desk post about c is noted, and flush, which records the
// event's posts in the erasure index of c's customer, one write per thread. Call flush when the
// event ends, whatever its outcome: a post made is a post to erase. A record that fails is
// logged and the posts stand; the erasure also finds the bot's messages in the thread itself
// (consent.SlackEraser).
func (b *Bot) recording(ctx context.Context, c *conversation.Conversation) (context.Context, func()) {
	if b.Threads == nil {
		return ctx, func() {}
	}
	posted := map[desk.Thread][]string{}
	var order []desk.Thread
	ctx = desk.WithPosted(ctx, func(_ context.Context, t desk.Thread, ts string) {
		if _, ok := posted[t]; !ok {
			order = append(order, t)
		}
		posted[t] = append(posted[t], ts)
	})
	return ctx, func() {
		for _, t := range order {
			if err := b.Threads.Record(ctx, c.Key, c.Linked, t.Channel, t.TS, posted[t]...); err != nil {
				b.log().ErrorContext(ctx, "desk posts not indexed for erasure", "conversation", c, "err", err)
			}
		}
	}
}

// load returns the live conversation for key, or a new one, without leasing it: for a
// conversation an event touches besides its own.
func (b *Bot) load(ctx context.Context, key channel.Key) (*conversation.Conversation, error) {
	c, err := b.Conversations.GetConversation(ctx, key)
	if apperr.Is(err, apperr.NotFound) {
		now := b.now()
		return &conversation.Conversation{Key: key, Status: conversation.Bot, Locale: b.DefaultLocale, CreatedAt: now}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("load conversation: %w", err)
	}
	return c, nil
}

// save stamps c and writes it under optimistic locking, releasing the event's lease. A new
// conversation, and the first save of each day, also refresh the link from the customer's
// consent subject to the conversation (with a day's slack on its expiry), so an erasure finds
// every conversation that still exists without a write per message.
func (b *Bot) save(ctx context.Context, c *conversation.Conversation) error {
	now := b.now()
	prev := c.UpdatedAt
	c.UpdatedAt = now
	c.ExpiresAt = now.Add(b.Retention)
	if b.Consent != nil && (prev.IsZero() || prev.UTC().YearDay() != now.UTC().YearDay() || prev.Year() != now.Year()) {
		link := *c
		link.ExpiresAt = c.ExpiresAt.Add(24 * time.Hour)
		if err := b.Consent.Track(ctx, &link); err != nil {
			return fmt.Errorf("link conversation to its subject: %w", err)
		}
	}
	return b.release(ctx, c)
}

// release writes c without its lease. When the write fails, the calls made so far are recorded
// under the lease first, so the retry does not make them again.
func (b *Bot) release(ctx context.Context, c *conversation.Conversation) error {
	lease := c.Lease
	c.Lease = nil
	err := b.Conversations.PutConversation(ctx, c)
	if err == nil {
		return nil
	}
	c.Lease = lease
	if ferr := b.flush(ctx, c); ferr != nil {
		err = errors.Join(err, ferr)
	}
	return fmt.Errorf("save conversation: %w", err)
}

// once makes the outbound call fn at most once for key, an idempotency key derived from the
// event (<event id>#reply, #announce, ...). With c leased, a call in c.Lease.Done is not made
// again, and a new call is noted there and recorded in the store before the next one (see
// conversation.Lease). Without a leased conversation the key is reserved in the dedup store.
func (b *Bot) once(ctx context.Context, c *conversation.Conversation, key string, fn func(context.Context) (string, error)) (string, error) {
	if c == nil || c.Lease == nil {
		return b.onceStored(ctx, key, fn)
	}
	if id, ok := c.Lease.Done[key]; ok {
		return id, nil
	}
	if err := b.flush(ctx, c); err != nil {
		return "", err
	}
	id, err := fn(ctx)
	if err != nil {
		return "", err
	}
	if c.Lease.Done == nil {
		c.Lease.Done = map[string]string{}
	}
	c.Lease.Done[key] = id
	c.Lease.Unrecorded = append(c.Lease.Unrecorded, key)
	return id, nil
}

// newHolder returns a random lease holder id.
func newHolder() string {
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// recordOnFailure, when the event fails (*err set), records the calls made under c's lease and
// gives the lease up, so the event's redelivery takes it at once and does not make them again.
func (b *Bot) recordOnFailure(ctx context.Context, c *conversation.Conversation, err *error) {
	if *err == nil || c.Lease == nil {
		return
	}
	ctx = cleanup(ctx)
	if ferr := b.flush(ctx, c); ferr != nil {
		*err = errors.Join(*err, ferr)
		return // keep the lease: the calls not recorded must not be made again before it is stale
	}
	if rerr := b.Conversations.ReleaseLease(ctx, c.Key, c.Lease.Event, c.Lease.Holder); rerr != nil {
		*err = errors.Join(*err, fmt.Errorf("release lease: %w", rerr))
	}
}

// flush records the calls made under c's lease that the store does not know yet.
func (b *Bot) flush(ctx context.Context, c *conversation.Conversation) error {
	if c.Lease == nil {
		return nil
	}
	for len(c.Lease.Unrecorded) > 0 {
		k := c.Lease.Unrecorded[0]
		if err := b.Conversations.RecordDone(ctx, c.Key, c.Lease.Event, c.Lease.Holder, k, c.Lease.Done[k]); err != nil {
			return fmt.Errorf("record call %s: %w", k, err)
		}
		c.Lease.Unrecorded = c.Lease.Unrecorded[1:]
	}
	return nil
}

// onceStored is once for a call outside a leased conversation: the key is reserved in the dedup
// store, the call made, and the platform's id recorded.
func (b *Bot) onceStored(ctx context.Context, key string, fn func(context.Context) (string, error)) (string, error) {
	now := b.now()
	existing, ok, err := b.Dedup.ClaimSend(ctx, dedup.Send{Key: key, ReservedAt: now, ExpiresAt: now.Add(keepSends)}, now.Add(-b.lease()))
	if err != nil {
		return "", fmt.Errorf("reserve send: %w", err)
	}
	if !ok {
		if existing != nil && existing.State == dedup.Sent {
			return existing.MessageID, nil
		}
		return "", apperr.E(op, apperr.Transient, "another worker is sending this message")
	}
	id, err := fn(ctx)
	if err != nil {
		if rerr := b.Dedup.ReleaseSend(ctx, key); rerr != nil {
			err = errors.Join(err, fmt.Errorf("release send: %w", rerr))
		}
		return "", err
	}
	if err := b.Dedup.CompleteSend(ctx, key, id); err != nil {
		return id, fmt.Errorf("record send: %w", err)
	}
	return id, nil
}

// reply sends r to the customer once per key. A reply the platform refuses for good (the
// customer is unreachable, the window closed, the comment's private reply is spent) is counted
// and logged, and the event still applies: retrying cannot change the platform's answer.
func (b *Bot) reply(ctx context.Context, c *conversation.Conversation, key string, r channel.Reply) error {
	if r.Template == nil && !r.Human {
		// The bot's own words (a confirmation, the follow-up's questions) only inside the
		// window: the platform would refuse them after it (see botReply for answers).
		wd := window.Decide(window.Input{Surface: c.Key.Surface, LastInbound: c.LastInboundAt, Now: b.now()})
		if wd.Action != window.Send {
			b.count(ctx, metrics.StaleAnswersDropped, 1)
			b.log().InfoContext(ctx, "bot reply not sent", "conversation", c, "window", wd)
			return nil
		}
	}
	if r.CommentID != "" && r.CommentID == c.PrivateReplied {
		b.count(ctx, metrics.DeliveriesFailed, 1)
		b.log().WarnContext(ctx, "reply not sent: the comment's private reply is spent", "conversation", c)
		return nil
	}
	_, err := b.once(ctx, c, key, func(ctx context.Context) (string, error) {
		return b.Sender.Send(ctx, c.Key, r)
	})
	notePrivateReply(c, r, err)
	switch {
	case err == nil:
		return nil
	case !retryable(err):
		b.count(ctx, metrics.DeliveriesFailed, 1)
		b.log().WarnContext(ctx, "reply refused by the platform", "conversation", c, "kind", apperr.KindOf(err).String(), "err", err)
		return nil
	}
	return fmt.Errorf("send reply: %w", err)
}

// notePrivateReply records on c that the private reply of r's comment is spent: sent, or
// refused because it was sent before.
func notePrivateReply(c *conversation.Conversation, r channel.Reply, err error) {
	if r.CommentID != "" && (err == nil || errors.Is(err, channel.ErrAlreadyReplied)) {
		c.PrivateReplied = r.CommentID
	}
}
