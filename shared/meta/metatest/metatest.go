// Package metatest plays Meta's side of the webhooks: it builds the bodies Meta posts for a
// customer's message on each surface and signs them, for tests and for `frontdesk say`.
package metatest

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"time"

	"github.com/frontdesk-app/frontdesk/shared/channel"
)

// The accounts of the local stack: the ids of Meta's documentation samples.
const (
	WABA          = "102290129340398"
	PhoneNumberID = "106540352242922"
	PageID        = "112233445566778"
	InstagramID   = "17841400000000001"
)

// DefaultUsers are the customers used when a Message names none.
var DefaultUsers = map[channel.Surface]string{
	channel.WhatsApp:  "491701234567",
	channel.Messenger: "6254170001234567",
	channel.Instagram: "1789000000000042",
	channel.Comment:   "5310000000000099",
}

// Message is a customer's message as Meta would deliver it.
type Message struct {
	Surface channel.Surface
	// From is the customer's id (wa_id, PSID, IGSID, commenter id); DefaultUsers when empty.
	From string
	Name string
	Text string
	// Payload makes the message a tapped reply button (WhatsApp) or quick reply (Messenger,
	// Instagram) with this id.
	Payload string
	// Postback makes a Messenger or Instagram Payload a postback (a button, a menu item, the
	// "Get Started" button) instead of a quick reply; Text is the button's title.
	Postback bool
	// CtwaClid makes a WhatsApp message arrive from a click-to-WhatsApp ad.
	CtwaClid string
	// ID is the message id (wamid, mid, comment id); random when empty.
	ID string
	At time.Time
	// Media makes the message a media message (Text is then its caption on WhatsApp).
	Media *Media
}

// Media is what a media message carries: on WhatsApp a media id (with its type and sha256), on
// Messenger and Instagram an attachment URL.
type Media struct {
	Type   string // image, video, audio, document, sticker
	ID     string
	MIME   string
	SHA256 string
	URL    string
}

// Built is a webhook body and what identifies the reply to it.
type Built struct {
	Body []byte
	// ID is the message's id (the event id).
	ID string
	// Key is the conversation the message belongs to.
	Key channel.Key
	// Recipient is what the reply is addressed to: the wa_id, PSID or IGSID, or for a comment
	// the comment id (a private reply).
	Recipient string
}

func randomID(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// Payload builds the webhook body Meta would post for m.
func Payload(m Message) (Built, error) {
	if m.At.IsZero() {
		m.At = time.Now()
	}
	if m.From == "" {
		m.From = DefaultUsers[m.Surface]
	}
	if m.Name == "" {
		m.Name = "Erika Mustermann"
	}
	ms := m.At.UnixMilli()
	var (
		b   Built
		err error
	)
	switch m.Surface {
	case channel.WhatsApp:
		b.ID = orRandom(m.ID, "wamid.LOCAL")
		msg := map[string]any{"from": m.From, "id": b.ID, "timestamp": fmt.Sprint(m.At.Unix()), "type": "text", "text": map[string]string{"body": m.Text}}
		if m.Payload != "" {
			msg["type"] = "interactive"
			delete(msg, "text")
			msg["interactive"] = map[string]any{"type": "button_reply", "button_reply": map[string]string{"id": m.Payload, "title": m.Text}}
		}
		if m.Media != nil {
			msg["type"] = m.Media.Type
			delete(msg, "text")
			obj := map[string]any{"id": m.Media.ID, "mime_type": m.Media.MIME, "sha256": m.Media.SHA256}
			if m.Text != "" && m.Media.Type != "audio" && m.Media.Type != "sticker" {
				obj["caption"] = m.Text
			}
			msg[m.Media.Type] = obj
		}
		if m.CtwaClid != "" {
			msg["referral"] = map[string]any{"source_url": "https://fb.me/local-ad", "source_id": "120210000000000001", "source_type": "ad",
				"headline": "Spring sale", "body": "Ask us anything", "media_type": "image", "ctwa_clid": m.CtwaClid}
		}
		b.Body, err = json.Marshal(map[string]any{"object": "whatsapp_business_account", "entry": []any{map[string]any{
			"id": WABA, "changes": []any{map[string]any{"field": "messages", "value": map[string]any{
				"messaging_product": "whatsapp",
				"metadata":          map[string]string{"display_phone_number": "15550101234", "phone_number_id": PhoneNumberID},
				"contacts":          []any{map[string]any{"profile": map[string]string{"name": m.Name}, "wa_id": m.From}},
				"messages":          []any{msg},
			}}}}}})
		b.Key, b.Recipient = channel.Key{Surface: channel.WhatsApp, Account: PhoneNumberID, User: m.From}, m.From
	case channel.Messenger, channel.Instagram:
		object, account := "page", PageID
		if m.Surface == channel.Instagram {
			object, account = "instagram", InstagramID
		}
		b.ID = orRandom(m.ID, "m_LOCAL")
		message := map[string]any{"mid": b.ID, "text": m.Text}
		if m.Media != nil {
			if m.Text == "" {
				delete(message, "text")
			}
			message["attachments"] = []any{map[string]any{"type": m.Media.Type, "payload": map[string]string{"url": m.Media.URL}}}
		}
		if m.Payload != "" {
			message["quick_reply"] = map[string]string{"payload": m.Payload}
		}
		event := map[string]any{"sender": map[string]string{"id": m.From}, "recipient": map[string]string{"id": account}, "timestamp": ms,
			"message": message}
		if m.Postback {
			delete(event, "message")
			event["postback"] = map[string]string{"mid": b.ID, "title": m.Text, "payload": m.Payload}
		}
		b.Body, err = json.Marshal(map[string]any{"object": object, "entry": []any{map[string]any{
			"id": account, "time": ms, "messaging": []any{event}}}})
		b.Key, b.Recipient = channel.Key{Surface: m.Surface, Account: account, User: m.From}, m.From
	case channel.Comment:
		post := PageID + "_900000000000001"
		b.ID = orRandom(m.ID, "900000000000001_")
		b.Body, err = json.Marshal(map[string]any{"object": "page", "entry": []any{map[string]any{
			"id": PageID, "time": m.At.Unix(), "changes": []any{map[string]any{"field": "feed", "value": map[string]any{
				"from": map[string]string{"id": m.From, "name": m.Name}, "message": m.Text, "post_id": post, "comment_id": b.ID,
				"created_time": m.At.Unix(), "item": "comment", "parent_id": post, "verb": "add",
			}}}}}})
		b.Key, b.Recipient = channel.Key{Surface: channel.Comment, Account: PageID, User: m.From}, b.ID
	default:
		return Built{}, fmt.Errorf("unknown surface %q: want whatsapp, messenger, instagram or comment", m.Surface)
	}
	return b, err
}

func orRandom(id, prefix string) string {
	if id != "" {
		return id
	}
	return prefix + randomID(12)
}
