package channel

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"log/slog"
	"strings"
	"time"
)

// Surface is where a customer talks to the business.
type Surface string

// The surfaces frontdesk serves.
const (
	WhatsApp  Surface = "whatsapp"
	Messenger Surface = "messenger"
	Instagram Surface = "instagram"
	// Comment is a comment under a Facebook Page or Instagram post (or ad). The first answer to
	// a comment is a private reply; Key.Account tells the Page or Instagram account.
	Comment Surface = "comment"
)

// Surfaces lists every surface in a stable order.
var Surfaces = []Surface{WhatsApp, Messenger, Instagram, Comment}

// Valid reports whether s is a known surface.
func (s Surface) Valid() bool {
	for _, k := range Surfaces {
		if s == k {
			return true
		}
	}
	return false
}

// Key identifies one conversation: a customer (User) talking to one business account (Account:
// the WhatsApp phone number id, the Page id or the Instagram account id) on one surface.
type Key struct {
	Surface Surface `json:"surface" dynamodbav:"surface"`
	Account string  `json:"account" dynamodbav:"account"`
	User    string  `json:"user" dynamodbav:"user"`
}

// String is the key's canonical form, "<surface>#<account>#<user>". It is used as the SQS
// message group id and in the store's partition key. It contains a raw user id: never log it.
func (k Key) String() string {
	return string(k.Surface) + "#" + k.Account + "#" + k.User
}

// ParseKey parses the canonical form produced by String.
func ParseKey(s string) (Key, error) {
	parts := strings.SplitN(s, "#", 3)
	if len(parts) != 3 || parts[1] == "" || parts[2] == "" || !Surface(parts[0]).Valid() {
		return Key{}, fmt.Errorf("conversation key %q: want <surface>#<account>#<user>", redact(s))
	}
	return Key{Surface: Surface(parts[0]), Account: parts[1], User: parts[2]}, nil
}

// IsZero reports whether k is the zero key.
func (k Key) IsZero() bool { return k == Key{} }

// LogValue implements slog.LogValuer: the user id is personal data and is left out.
func (k Key) LogValue() slog.Value {
	return slog.GroupValue(slog.String("surface", string(k.Surface)), slog.String("account", k.Account))
}

// LogID is how an event id appears in logs: a short hash. Platform ids are not opaque — a
// WhatsApp message id is base64 of a record that contains the customer's phone number — so the
// id itself never reaches a log, while the same event still shows the same LogID everywhere.
func LogID(id string) string {
	if id == "" {
		return ""
	}
	sum := sha256.Sum256([]byte(id))
	return "ev_" + hex.EncodeToString(sum[:6])
}

func redact(s string) string {
	if len(s) <= 4 {
		return "****"
	}
	return s[:2] + strings.Repeat("*", len(s)-4) + s[len(s)-2:]
}

// Kind says what an Inbound is.
type Kind string

// Inbound kinds. Only KindMessage, KindPostback and KindComment are customer input the bot
// answers; the others update state (statuses, preferences, referrals) or are ignored.
const (
	KindMessage    Kind = "message"    // text or media from the customer
	KindPostback   Kind = "postback"   // a tapped button, list row or quick reply (Payload set)
	KindComment    Kind = "comment"    // a new comment under a post or ad
	KindReferral   Kind = "referral"   // an ad or link referral without a message
	KindStatus     Kind = "status"     // delivery status of a message we sent
	KindPreference Kind = "preference" // marketing / notification stop or resume
	KindReaction   Kind = "reaction"   // an emoji reaction to a message
	KindEcho       Kind = "echo"       // a message the business sent (Human: from a person)
	KindRead       Kind = "read"       // read receipt
	KindDelivery   Kind = "delivery"   // delivery receipt
	KindDeleted    Kind = "deleted"    // the customer deleted a message (ReplyTo: which one)
	KindEdit       Kind = "edit"       // the customer edited a message (ReplyTo: which one; Text: the new text)
	KindOptIn      Kind = "optin"      // an opt-in that is not a preference change
	KindHandover   Kind = "handover"   // thread control changed between apps
)

// Answerable reports whether the bot should answer this kind.
func (k Kind) Answerable() bool {
	return k == KindMessage || k == KindPostback || k == KindComment
}

// Inbound is one normalised event from a customer's surface.
type Inbound struct {
	// ID is the platform's event id (wamid, mid, comment id, status id + status): the
	// deduplication id through the queue and the outbound idempotency key of the reply.
	ID   string    `json:"id"`
	Key  Key       `json:"key"`
	Kind Kind      `json:"kind"`
	At   time.Time `json:"at"`

	// Text is what the customer wrote (or the caption of media). Never stored, never logged.
	Text string `json:"text,omitempty"`
	// Payload is the id of a tapped button, list row, quick reply or postback.
	Payload string `json:"payload,omitempty"`
	// Media is the type of non-text content: image, audio, voice, video, document, sticker,
	// like (Messenger's thumbs-up sticker), location, contacts, order, flow, story_mention,
	// share (a shared post, reel or link), product, unsupported, ... Empty for plain text. For
	// an order or a flow reply, Text holds its content summarised for an agent.
	Media string `json:"media,omitempty"`
	// MediaRef locates the media of a KindMessage with Media set (image, video, audio, voice,
	// document, sticker), to fetch it when it must be shown to an agent.
	MediaRef *FileRef `json:"mediaRef,omitempty"`
	// Name is the customer's display name as the platform sent it, if any.
	Name string `json:"name,omitempty"`
	// CommentID is the comment to answer with a private reply (Kind == KindComment).
	CommentID string `json:"commentId,omitempty"`
	// ReplyTo is the id of the message this one quotes or replies to.
	ReplyTo string `json:"replyTo,omitempty"`
	// Human is set on echoes sent by a person (Page inbox) rather than an app.
	Human bool `json:"human,omitempty"`
	// Opener marks a message that opens a conversation without a question: Messenger's "Get
	// Started" tap, WhatsApp's request_welcome.
	Opener bool `json:"opener,omitempty"`
	// Group is the WhatsApp group the message was written in; empty for a 1:1 conversation.
	// Key.User is then the participant, but the message is not theirs to answer privately.
	Group string `json:"group,omitempty"`
	// Standby is set on Messenger/Instagram events delivered on the standby channel: another app
	// owns the thread, so the bot must not answer.
	Standby bool `json:"standby,omitempty"`

	// Product is the catalog product a WhatsApp message asks about: the customer tapped
	// "Message business" on a product, so "Do you have this in M?" means that product.
	Product *Product `json:"product,omitempty"`

	Referral   *Referral   `json:"referral,omitempty"`
	Preference *Preference `json:"preference,omitempty"`
	Status     *Status     `json:"status,omitempty"`
}

// LogValue implements slog.LogValuer: no text, no user id.
func (in Inbound) LogValue() slog.Value {
	attrs := []slog.Attr{
		slog.String("id", LogID(in.ID)),
		slog.String("surface", string(in.Key.Surface)),
		slog.String("kind", string(in.Kind)),
	}
	if in.Media != "" {
		attrs = append(attrs, slog.String("media", in.Media))
	}
	if in.Referral != nil {
		attrs = append(attrs, slog.Bool("referral", true))
	}
	if in.Opener {
		attrs = append(attrs, slog.Bool("opener", true))
	}
	if in.Group != "" {
		attrs = append(attrs, slog.Bool("group", true))
	}
	return slog.GroupValue(attrs...)
}

// Product is an item of the business's catalog, as Meta names it: the catalog's id and the
// business's own id of the item (its SKU, product_retailer_id).
type Product struct {
	CatalogID  string `json:"catalogId,omitempty"`
	RetailerID string `json:"retailerId"`
}

// Referral is the ad or link that brought the customer (click-to-WhatsApp / click-to-Messenger
// ads, m.me links). CtwaClid is the attribution key of the Conversions API.
type Referral struct {
	Source    string `json:"source,omitempty" dynamodbav:"source,omitempty"` // "ad", "ADS", "SHORTLINK", ...
	Type      string `json:"type,omitempty" dynamodbav:"type,omitempty"`
	AdID      string `json:"adId,omitempty" dynamodbav:"adId,omitempty"`
	CtwaClid  string `json:"ctwaClid,omitempty" dynamodbav:"ctwaClid,omitempty"`
	Ref       string `json:"ref,omitempty" dynamodbav:"ref,omitempty"`
	SourceURL string `json:"sourceUrl,omitempty" dynamodbav:"sourceUrl,omitempty"`
	// Pending marks a stored referral that came without a message (an ad click, an m.me link):
	// its first-message signal is owed to the customer's first message after it.
	Pending bool `json:"pending,omitempty" dynamodbav:"pending,omitempty"`
}

// FromAd reports whether the referral came from an ad.
func (r *Referral) FromAd() bool {
	return r != nil && (strings.EqualFold(r.Source, "ad") || strings.EqualFold(r.Source, "ads") || r.CtwaClid != "" || r.AdID != "")
}

// Preference is a customer's marketing preference change: WhatsApp user_preferences or a
// Messenger notification-messages opt-in change.
type Preference struct {
	Category string `json:"category"` // "marketing_messages", "notification_messages"
	Value    string `json:"value"`    // "stop" or "resume"
}

// Status is the delivery status of a message the business sent.
type Status struct {
	MessageID string `json:"messageId"`
	Status    string `json:"status"` // sent, delivered, read, failed, played
	ErrorCode int    `json:"errorCode,omitempty"`
}
