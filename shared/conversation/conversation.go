// Package conversation holds the conversation record (metadata only: no message text) and the
// Store interface the bot, the Slack function and the sweeper use.
//
// A conversation expires: ExpiresAt (epoch seconds in DynamoDB's TTL attribute) is last activity
// plus the retention period, and every Store treats an expired record as absent even before
// DynamoDB deletes it (which it does lazily, often days later).
package conversation

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"log/slog"
	"slices"
	"strings"
	"time"

	"github.com/frontdesk-app/frontdesk/shared/channel"
)

// Status is where a conversation stands.
type Status string

// Statuses.
const (
	Bot       Status = "bot"       // the FAQ bot answers
	Escalated Status = "escalated" // waiting for an agent; the bot is silent
	Claimed   Status = "claimed"   // an agent has it
	Closed    Status = "closed"    // resolved; the next customer message reopens it with the bot
)

// Conversation is the metadata of one customer conversation. It holds no message text.
type Conversation struct {
	Key    channel.Key `json:"key"`
	Status Status      `json:"status"`
	// Locale is the language the bot answers in ("de", "en").
	Locale string `json:"locale,omitempty"`
	// LastInboundAt is when the customer last wrote: the 24-hour window runs from it.
	LastInboundAt time.Time `json:"lastInboundAt"`
	// Misses counts the bot's consecutive failures to find an answer.
	Misses int `json:"misses,omitempty"`
	// Pending holds the FAQ entry ids offered when the bot asked back.
	Pending []string `json:"pending,omitempty"`

	// SlackChannel and ThreadTS locate the escalation thread (indexed for lookup by thread).
	SlackChannel     string    `json:"slackChannel,omitempty"`
	ThreadTS         string    `json:"threadTs,omitempty"`
	Agent            string    `json:"agent,omitempty"`
	EscalationReason string    `json:"escalationReason,omitempty"`
	EscalatedAt      time.Time `json:"escalatedAt,omitzero"`
	ClaimedAt        time.Time `json:"claimedAt,omitzero"`
	// AnnouncedAt is when the escalation was last posted or re-announced in Slack.
	AnnouncedAt time.Time `json:"announcedAt,omitzero"`
	// WarnedAt is when the thread was last warned that the window is closing.
	WarnedAt time.Time `json:"warnedAt,omitzero"`
	// FAQOfferedAt is when the thread last offered "Add to FAQ" after an agent's own reply.
	FAQOfferedAt time.Time `json:"faqOfferedAt,omitzero"`

	// CommentID is the customer's latest comment (Surface comment): an agent's answer goes to it
	// as a private reply.
	CommentID string `json:"commentId,omitempty"`
	// PrivateReplied is the comment whose one private reply is spent (Meta allows one per
	// comment): when it is CommentID, nothing more can reach the customer through the comment,
	// and an agent is told so at once instead of Meta refusing the send.
	PrivateReplied string `json:"privateReplied,omitempty"`

	// Referral is the ad that started the conversation (ctwa_clid): erased on opt-out.
	Referral *channel.Referral `json:"referral,omitempty"`
	// Lead is set once an agent marked the conversation a lead: the mark is made at most once
	// per conversation and ad click (a new referral clears it).
	Lead *Lead `json:"lead,omitempty"`

	// CustomerName is the display name the platform last sent for the customer (WhatsApp
	// profile name, commenter's name), at most MaxNameRunes, so the agents' card names the
	// customer for the conversation's whole life. Metadata like the rest: it expires with the
	// record and is erased with the customer's subject.
	CustomerName string `json:"customerName,omitempty"`

	// FollowUp is the customer's answer to the offer of a WhatsApp follow-up (conversations
	// outside WhatsApp); nil when it was never offered.
	FollowUp *FollowUp `json:"followUp,omitempty"`
	// Linked is the other conversation in the same Slack thread: on a conversation that was
	// followed up on WhatsApp, the WhatsApp conversation; on that one, the conversation it
	// follows up. nil for an ordinary conversation.
	Linked *channel.Key `json:"linked,omitempty"`

	// Processed holds hashes of the ids of the last events applied to this record, so a
	// redelivered event is recognised and not applied twice (HasProcessed, MarkProcessed).
	Processed []string `json:"processed,omitempty"`

	// Lease is held while a worker processes an event of this conversation (BeginEvent); the
	// next save clears it.
	Lease *Lease `json:"lease,omitempty"`

	CreatedAt time.Time `json:"createdAt"`
	UpdatedAt time.Time `json:"updatedAt"`
	// ExpiresAt is when the record stops existing (DynamoDB TTL).
	ExpiresAt time.Time `json:"expiresAt"`
	// Version is the optimistic-locking counter: 0 for a record not yet stored.
	Version int64 `json:"version"`
}

// Lease is a worker's claim on a conversation while it processes one event, and the record of
// the outbound calls it made for that event. Outbound calls are keyed by the event
// (<event id>#reply, #announce, ...): after a crash, the redelivered event finds the calls already
// made in Done and does not make them again.
type Lease struct {
	Event string `json:"event"`
	// Holder identifies the worker (one attempt at the event): only it may take the lease
	// again while it is fresh.
	Holder string    `json:"holder"`
	At     time.Time `json:"at"`
	// Done maps the idempotency key of each call made for Event to the platform's id.
	Done map[string]string `json:"done,omitempty"`
	// Unrecorded lists the calls in Done that the store does not know yet. The worker records
	// them (RecordDone) only before its next call or when the event fails: the event's save
	// makes them moot, so an event with one reply costs no extra write. Never stored.
	Unrecorded []string `json:"-"`
}

// Lead is an agent's mark that the conversation is a lead (the Conversions API's QualifiedLead).
type Lead struct {
	// Agent is the desk's user id of the agent who marked it.
	Agent string    `json:"agent" dynamodbav:"agent"`
	At    time.Time `json:"at" dynamodbav:"at"`
}

// MaxNameRunes bounds CustomerName.
const MaxNameRunes = 100

// SetCustomerName records the name the platform sent ("" keeps the one known), cut to
// MaxNameRunes, and reports whether it changed.
func (c *Conversation) SetCustomerName(name string) bool {
	name = strings.TrimSpace(name)
	if r := []rune(name); len(r) > MaxNameRunes {
		name = string(r[:MaxNameRunes])
	}
	if name == "" || name == c.CustomerName {
		return false
	}
	c.CustomerName = name
	return true
}

// New reports whether the conversation has never been saved: BeginEvent returns such a record
// (Status empty) for a customer without a live conversation.
func (c *Conversation) New() bool { return c.Status == "" }

// processedID is how Processed remembers an event id: 96 bits of its SHA-256, base64url. A
// wamid is about 60 characters; 32 of them made every conversation write cost 3 more write
// units.
func processedID(id string) string {
	sum := sha256.Sum256([]byte(id))
	return base64.RawURLEncoding.EncodeToString(sum[:12])
}

// MaxProcessed bounds Processed.
const MaxProcessed = 32

// HasProcessed reports whether the event id was already applied.
func (c *Conversation) HasProcessed(id string) bool {
	return id != "" && slices.Contains(c.Processed, processedID(id))
}

// MarkProcessed records id, keeping only the newest MaxProcessed ids.
func (c *Conversation) MarkProcessed(id string) {
	if id == "" || c.HasProcessed(id) {
		return
	}
	c.Processed = append(c.Processed, processedID(id))
	if n := len(c.Processed); n > MaxProcessed {
		c.Processed = slices.Clone(c.Processed[n-MaxProcessed:])
	}
}

// PrivateReplySpent reports whether the latest comment's one private reply was sent.
func (c *Conversation) PrivateReplySpent() bool {
	return c.CommentID != "" && c.PrivateReplied == c.CommentID
}

// Escalated reports whether an agent owns or is about to own the conversation.
func (c *Conversation) Escalated() bool { return c.Status == Escalated || c.Status == Claimed }

// LogValue implements slog.LogValuer: no user id.
func (c *Conversation) LogValue() slog.Value {
	return slog.GroupValue(slog.Any("key", c.Key), slog.String("status", string(c.Status)), slog.Int64("version", c.Version))
}

// Store persists conversations.
//
// Errors are *apperr.Error: NotFound when a record does not exist or has expired, Conflict when
// a conditional write loses (someone else wrote first), Transient when the backend throttles
// or is unavailable.
type Store interface {
	// GetConversation returns the conversation, or NotFound.
	GetConversation(ctx context.Context, key channel.Key) (*Conversation, error)
	// PutConversation writes c if c.Version still matches the stored version (0: must not
	// exist yet), and on success increments c.Version. Otherwise it returns Conflict and
	// leaves c unchanged. An expired record counts as absent.
	PutConversation(ctx context.Context, c *Conversation) error
	// ConversationByThread finds the conversation escalated into a Slack thread, or NotFound.
	// When several share the thread (a conversation and its WhatsApp follow-up, see Linked),
	// it returns the one with the smallest key (Key.String() order, the thread index's order):
	// the conversation that was escalated first, because follow-ups are on WhatsApp and
	// "whatsapp" sorts after "comment", "instagram" and "messenger".
	ConversationByThread(ctx context.Context, slackChannel, threadTS string) (*Conversation, error)
	// ConversationsByStatus lists up to limit live conversations with the status, least
	// recently updated first.
	ConversationsByStatus(ctx context.Context, status Status, limit int) ([]*Conversation, error)
	// DeleteConversation removes the conversation; deleting an absent one is not an error.
	DeleteConversation(ctx context.Context, key channel.Key) error

	// BeginEvent reads the conversation and leases it to holder for processing eventID, in
	// one request (the read an event needs anyway). It returns the live conversation with
	// Lease set to {eventID, holder, now, Done}, where Done holds the calls already recorded
	// for eventID (by an earlier holder that failed or died); with no live conversation it
	// returns a new record (New, only Key, Lease and Version set) and stores a placeholder that
	// expires within a day unless saved. It returns Conflict while another holder's lease is
	// younger than staleBefore, whatever its event.
	BeginEvent(ctx context.Context, key channel.Key, eventID, holder string, now, staleBefore time.Time) (*Conversation, error)
	// RecordDone records under holder's lease for eventID that the call callKey was made, with
	// the platform's id, so a later holder does not make it again. It returns Conflict when the
	// lease is no longer holder's.
	RecordDone(ctx context.Context, key channel.Key, eventID, holder, callKey, id string) error
	// ReleaseLease gives up holder's lease for eventID without saving (the event failed), so
	// the event's next delivery can take it at once; the calls recorded stay with the event.
	// Releasing a lease holder no longer holds is not an error.
	ReleaseLease(ctx context.Context, key channel.Key, eventID, holder string) error
}

// PlaceholderLife is how long the placeholder of a new conversation lives if its first event is
// never saved.
const PlaceholderLife = 24 * time.Hour
