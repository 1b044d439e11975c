package meta

import (
	"cmp"
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/frontdesk-app/frontdesk/shared/channel"
)

// WhatsApp Cloud API webhook shapes, field "messages" and "user_preferences".
// See https://developers.facebook.com/documentation/business-messaging/whatsapp/webhooks/reference/messages

type waValue struct {
	Metadata struct {
		PhoneNumberID flexID `json:"phone_number_id"`
	} `json:"metadata"`
	Contacts        []waContact       `json:"contacts"`
	Messages        []json.RawMessage `json:"messages"`
	Statuses        []json.RawMessage `json:"statuses"`
	Errors          []waError         `json:"errors"`
	UserPreferences []json.RawMessage `json:"user_preferences"`
}

type waContact struct {
	Profile struct {
		Name string `json:"name"`
	} `json:"profile"`
	WaID   flexID `json:"wa_id"`
	UserID flexID `json:"user_id"` // business-scoped user id (BSUID)
}

type waError struct {
	Code  int    `json:"code"`
	Title string `json:"title"`
}

type waMedia struct {
	ID       string `json:"id"`
	MimeType string `json:"mime_type"`
	SHA256   string `json:"sha256"`
	Filename string `json:"filename"`
	Caption  string `json:"caption"`
	Voice    bool   `json:"voice"`
}

type waMessage struct {
	From       flexID  `json:"from"`
	FromUserID flexID  `json:"from_user_id"`
	GroupID    flexID  `json:"group_id"`
	ID         flexID  `json:"id"`
	Timestamp  flexInt `json:"timestamp"`
	Type       string  `json:"type"`
	waContent
	Context *struct {
		ID flexID `json:"id"`
		// ReferredProduct: the message was written from a product ("Message business").
		ReferredProduct *struct {
			CatalogID         flexID `json:"catalog_id"`
			ProductRetailerID flexID `json:"product_retailer_id"`
		} `json:"referred_product"`
	} `json:"context"`
	Referral *struct {
		SourceURL  string `json:"source_url"`
		SourceID   flexID `json:"source_id"`
		SourceType string `json:"source_type"`
		MediaType  string `json:"media_type"`
		CtwaClid   string `json:"ctwa_clid"`
	} `json:"referral"`
	Edit *struct {
		OriginalMessageID flexID `json:"original_message_id"`
		Message           struct {
			Type string `json:"type"`
			waContent
		} `json:"message"`
	} `json:"edit"`
	Revoke *struct {
		OriginalMessageID flexID `json:"original_message_id"`
	} `json:"revoke"`
}

// waContent is what a message says, by type: shared by messages and the new version of an
// edited one.
type waContent struct {
	Text struct {
		Body string `json:"body"`
	} `json:"text"`
	Interactive struct {
		Type        string `json:"type"`
		ButtonReply struct {
			ID    string `json:"id"`
			Title string `json:"title"`
		} `json:"button_reply"`
		ListReply struct {
			ID    string `json:"id"`
			Title string `json:"title"`
		} `json:"list_reply"`
		NfmReply struct {
			ResponseJSON string `json:"response_json"`
			Body         string `json:"body"`
			Name         string `json:"name"`
		} `json:"nfm_reply"`
	} `json:"interactive"`
	Order  *waOrder `json:"order"`
	Button struct {
		Payload string `json:"payload"`
		Text    string `json:"text"`
	} `json:"button"`
	Image    *waMedia `json:"image"`
	Audio    *waMedia `json:"audio"`
	Video    *waMedia `json:"video"`
	Document *waMedia `json:"document"`
	Sticker  *waMedia `json:"sticker"`
	Reaction struct {
		MessageID flexID `json:"message_id"`
		Emoji     string `json:"emoji"`
	} `json:"reaction"`
}

type waOrder struct {
	CatalogID    flexID `json:"catalog_id"`
	Text         string `json:"text"`
	ProductItems []struct {
		ProductRetailerID string     `json:"product_retailer_id"`
		Quantity          flexInt    `json:"quantity"`
		ItemPrice         flexNumber `json:"item_price"`
		Currency          string     `json:"currency"`
	} `json:"product_items"`
}

type waStatus struct {
	ID              flexID    `json:"id"`
	Status          string    `json:"status"`
	Timestamp       flexInt   `json:"timestamp"`
	RecipientID     flexID    `json:"recipient_id"`
	RecipientUserID flexID    `json:"recipient_user_id"`
	Errors          []waError `json:"errors"`
}

type waPreference struct {
	WaID      flexID  `json:"wa_id"`
	UserID    flexID  `json:"user_id"`
	Category  string  `json:"category"`
	Value     string  `json:"value"`
	Timestamp flexInt `json:"timestamp"`
}

func (p *parser) whatsApp(e entry) {
	if len(e.Changes) == 0 {
		p.skip("", "", "entry without changes")
	}
	for _, c := range e.Changes {
		switch c.Field {
		case "messages", "user_preferences":
		default:
			p.skip(c.Field, "", "unknown field")
			continue
		}
		var v waValue
		if err := json.Unmarshal(c.Value, &v); err != nil {
			p.skip(c.Field, "", "value does not decode")
			continue
		}
		account := string(v.Metadata.PhoneNumberID)
		if account == "" {
			p.skip(c.Field, "", "no metadata.phone_number_id")
			continue
		}
		for _, raw := range v.Messages {
			p.waMessage(c.Field, account, v.Contacts, raw)
		}
		for _, raw := range v.Statuses {
			p.waStatus(c.Field, account, raw)
		}
		for _, raw := range v.UserPreferences {
			p.waPreference(c.Field, account, raw)
		}
		for _, er := range v.Errors {
			p.batch.Skipped = append(p.batch.Skipped, Skip{Object: ObjectWhatsApp, Field: c.Field, Type: "error", Reason: "platform error", Code: er.Code})
		}
	}
}

func (p *parser) waMessage(field, account string, contacts []waContact, raw json.RawMessage) {
	var m waMessage
	if err := json.Unmarshal(raw, &m); err != nil {
		p.skip(field, "message", "message does not decode")
		return
	}
	user, name := waUser(string(m.From), string(m.FromUserID), contacts)
	if m.ID == "" || user == "" {
		p.skip(field, m.Type, "message without id or sender")
		return
	}
	in := channel.Inbound{
		ID:    string(m.ID),
		Key:   channel.Key{Surface: channel.WhatsApp, Account: account, User: user},
		Kind:  channel.KindMessage,
		At:    unixTime(m.Timestamp),
		Name:  name,
		Group: string(m.GroupID),
	}
	if m.Context != nil {
		in.ReplyTo = string(m.Context.ID)
		if rp := m.Context.ReferredProduct; rp != nil && rp.ProductRetailerID != "" {
			in.Product = &channel.Product{CatalogID: string(rp.CatalogID), RetailerID: string(rp.ProductRetailerID)}
		}
	}
	if r := m.Referral; r != nil {
		in.Referral = &channel.Referral{Source: r.SourceType, Type: r.MediaType, AdID: string(r.SourceID), CtwaClid: r.CtwaClid, SourceURL: r.SourceURL}
	}
	switch m.Type {
	case "edit":
		if m.Edit == nil || m.Edit.OriginalMessageID == "" {
			p.skip(field, m.Type, "edit without the original message")
			return
		}
		in.Kind, in.ReplyTo = channel.KindEdit, string(m.Edit.OriginalMessageID)
		in.Text, in.Media = m.Edit.Message.content(m.Edit.Message.Type)
		p.add(in)
		return
	case "revoke":
		if m.Revoke == nil || m.Revoke.OriginalMessageID == "" {
			p.skip(field, m.Type, "revoke without the original message")
			return
		}
		in.Kind, in.ReplyTo = channel.KindDeleted, string(m.Revoke.OriginalMessageID)
		p.add(in)
		return
	case "request_welcome":
		// The customer opened the chat for the first time and has not written yet.
		in.Opener = true
		p.add(in)
		return
	case "interactive":
		switch m.Interactive.Type {
		case "button_reply":
			in.Kind, in.Payload, in.Text = channel.KindPostback, m.Interactive.ButtonReply.ID, m.Interactive.ButtonReply.Title
		case "list_reply":
			in.Kind, in.Payload, in.Text = channel.KindPostback, m.Interactive.ListReply.ID, m.Interactive.ListReply.Title
		case "nfm_reply":
			in.Media, in.Text = "flow", flowSummary(m.Interactive.NfmReply.ResponseJSON)
		default:
			p.skip(field, "interactive/"+m.Interactive.Type, "unknown interactive type")
			return
		}
	case "button":
		// A tap on a template's quick-reply button; context.id is the template message.
		in.Kind, in.Payload, in.Text = channel.KindPostback, m.Button.Payload, m.Button.Text
	case "image", "video", "document", "sticker", "audio":
		md := m.media(m.Type)
		in.Media = m.Type
		if md != nil {
			in.Text = md.Caption
			if md.ID != "" {
				in.MediaRef = &channel.FileRef{ID: md.ID, MIME: md.MimeType, SHA256: md.SHA256, Name: md.Filename}
			}
			if m.Type == "audio" && md.Voice {
				in.Media = "voice"
			}
		}
	case "order":
		in.Media, in.Text = "order", orderSummary(m.Order)
	case "location", "contacts":
		in.Media = m.Type
	case "unsupported", "unknown":
		in.Media = "unsupported"
	case "text":
		in.Text = m.Text.Body
	case "reaction":
		// An empty emoji means the customer removed the reaction.
		in.Kind, in.Text, in.ReplyTo = channel.KindReaction, m.Reaction.Emoji, string(m.Reaction.MessageID)
	case "system":
		p.skip(field, m.Type, "system message (number or user id changed)")
		return
	default:
		p.skip(field, m.Type, "unknown message type")
		return
	}
	p.add(in)
}

// content reads the text (or caption) and media type of the new version of an edited message.
func (m *waContent) content(typ string) (text, media string) {
	switch typ {
	case "text", "":
		return m.Text.Body, ""
	}
	if md := m.media(typ); md != nil {
		return md.Caption, typ
	}
	return "", typ
}

// maxSummaryLines bounds the lines of an order or flow summary an agent reads.
const maxSummaryLines = 20

// orderSummary is a catalog order as an agent reads it: one line per item, then the note.
func orderSummary(o *waOrder) string {
	if o == nil {
		return ""
	}
	var lines []string
	for i, it := range o.ProductItems {
		if i == maxSummaryLines {
			lines = append(lines, "…")
			break
		}
		line := it.ProductRetailerID
		if it.Quantity > 0 {
			line = fmt.Sprintf("%d × %s", int64(it.Quantity), line)
		}
		if it.ItemPrice != "" {
			line += " à " + strings.TrimSpace(string(it.ItemPrice)+" "+it.Currency)
		}
		lines = append(lines, line)
	}
	if t := strings.TrimSpace(o.Text); t != "" {
		lines = append(lines, t)
	}
	return strings.Join(lines, "\n")
}

// flowSummary is a WhatsApp Flow's answers as an agent reads them, "field: value" per line in
// field order; the flow token (ours, not the customer's answer) is left out.
func flowSummary(responseJSON string) string {
	var answers map[string]any
	if err := json.Unmarshal([]byte(responseJSON), &answers); err != nil {
		return ""
	}
	keys := make([]string, 0, len(answers))
	for k := range answers {
		if k != "flow_token" {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	var lines []string
	for i, k := range keys {
		if i == maxSummaryLines {
			lines = append(lines, "…")
			break
		}
		v := answers[k]
		var s string
		switch v := v.(type) {
		case string:
			s = v
		default:
			b, _ := json.Marshal(v)
			s = string(b)
		}
		lines = append(lines, strings.ReplaceAll(k, "_", " ")+": "+s)
	}
	return strings.Join(lines, "\n")
}

func (m *waContent) media(typ string) *waMedia {
	switch typ {
	case "image":
		return m.Image
	case "video":
		return m.Video
	case "document":
		return m.Document
	case "sticker":
		return m.Sticker
	case "audio":
		return m.Audio
	}
	return nil
}

// waUser picks the customer's id: the phone-based wa_id when WhatsApp sends it, else the
// business-scoped user id (BSUID) of users who hide their number behind a username.
func waUser(from, fromUserID string, contacts []waContact) (user, name string) {
	user = from
	if user == "" {
		user = fromUserID
	}
	for _, c := range contacts {
		if (c.WaID != "" && string(c.WaID) == from) || (c.UserID != "" && string(c.UserID) == fromUserID) || len(contacts) == 1 {
			name = c.Profile.Name
			if user == "" {
				user = cmp.Or(string(c.WaID), string(c.UserID))
			}
			break
		}
	}
	return user, name
}

func (p *parser) waStatus(field, account string, raw json.RawMessage) {
	var s waStatus
	if err := json.Unmarshal(raw, &s); err != nil {
		p.skip(field, "status", "status does not decode")
		return
	}
	user := cmp.Or(string(s.RecipientID), string(s.RecipientUserID))
	if s.ID == "" || s.Status == "" || user == "" {
		p.skip(field, "status", "status without id, status or recipient")
		return
	}
	st := &channel.Status{MessageID: string(s.ID), Status: s.Status}
	if len(s.Errors) > 0 {
		st.ErrorCode = s.Errors[0].Code
	}
	p.add(channel.Inbound{
		ID:     string(s.ID) + ":" + s.Status,
		Key:    channel.Key{Surface: channel.WhatsApp, Account: account, User: user},
		Kind:   channel.KindStatus,
		At:     unixTime(s.Timestamp),
		Status: st,
	})
}

func (p *parser) waPreference(field, account string, raw json.RawMessage) {
	var u waPreference
	if err := json.Unmarshal(raw, &u); err != nil {
		p.skip(field, "user_preference", "preference does not decode")
		return
	}
	user := cmp.Or(string(u.WaID), string(u.UserID))
	value := strings.ToLower(u.Value)
	if user == "" || u.Category == "" || (value != "stop" && value != "resume") {
		p.skip(field, "user_preference", "preference without user, category or stop/resume value")
		return
	}
	p.add(channel.Inbound{
		ID:         syntheticID("pref", account, user, u.Category, value, strconv.FormatInt(int64(u.Timestamp), 10)),
		Key:        channel.Key{Surface: channel.WhatsApp, Account: account, User: user},
		Kind:       channel.KindPreference,
		At:         unixTime(u.Timestamp),
		Preference: &channel.Preference{Category: u.Category, Value: value},
	})
}
