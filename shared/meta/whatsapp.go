package meta

import (
	"encoding/json"
	"strconv"
	"strings"

	"github.com/frontdesk-app/frontdesk/shared/channel"
)

// WhatsApp Cloud API webhook shapes, field "messages" and "user_preferences".
// See https://developers.facebook.com/documentation/business-messaging/whatsapp/webhooks/reference/messages

type waValue struct {
	Metadata struct {
		PhoneNumberID string `json:"phone_number_id"`
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
	WaID   string `json:"wa_id"`
	UserID string `json:"user_id"` // business-scoped user id (BSUID)
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
	From       string  `json:"from"`
	FromUserID string  `json:"from_user_id"`
	ID         string  `json:"id"`
	Timestamp  flexInt `json:"timestamp"`
	Type       string  `json:"type"`
	Text       struct {
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
	} `json:"interactive"`
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
		MessageID string `json:"message_id"`
		Emoji     string `json:"emoji"`
	} `json:"reaction"`
	Context *struct {
		ID string `json:"id"`
	} `json:"context"`
	Referral *struct {
		SourceURL  string `json:"source_url"`
		SourceID   string `json:"source_id"`
		SourceType string `json:"source_type"`
		MediaType  string `json:"media_type"`
		CtwaClid   string `json:"ctwa_clid"`
	} `json:"referral"`
}

type waStatus struct {
	ID              string    `json:"id"`
	Status          string    `json:"status"`
	Timestamp       flexInt   `json:"timestamp"`
	RecipientID     string    `json:"recipient_id"`
	RecipientUserID string    `json:"recipient_user_id"`
	Errors          []waError `json:"errors"`
}

type waPreference struct {
	WaID      string  `json:"wa_id"`
	UserID    string  `json:"user_id"`
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
		account := v.Metadata.PhoneNumberID
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
	user, name := waUser(m.From, m.FromUserID, contacts)
	if m.ID == "" || user == "" {
		p.skip(field, m.Type, "message without id or sender")
		return
	}
	in := channel.Inbound{
		ID:   m.ID,
		Key:  channel.Key{Surface: channel.WhatsApp, Account: account, User: user},
		Kind: channel.KindMessage,
		At:   unixTime(m.Timestamp),
		Name: name,
	}
	if m.Context != nil {
		in.ReplyTo = m.Context.ID
	}
	if r := m.Referral; r != nil {
		in.Referral = &channel.Referral{Source: r.SourceType, Type: r.MediaType, AdID: r.SourceID, CtwaClid: r.CtwaClid, SourceURL: r.SourceURL}
	}
	switch m.Type {
	case "text":
		in.Text = m.Text.Body
	case "interactive":
		switch m.Interactive.Type {
		case "button_reply":
			in.Kind, in.Payload, in.Text = channel.KindPostback, m.Interactive.ButtonReply.ID, m.Interactive.ButtonReply.Title
		case "list_reply":
			in.Kind, in.Payload, in.Text = channel.KindPostback, m.Interactive.ListReply.ID, m.Interactive.ListReply.Title
		case "nfm_reply":
			in.Media = "flow"
		default:
			p.skip(field, "interactive/"+m.Interactive.Type, "unknown interactive type")
			return
		}
	case "button":
		// A tap on a template's quick-reply button; context.id is the template message.
		in.Kind, in.Payload, in.Text = channel.KindPostback, m.Button.Payload, m.Button.Text
	case "image", "video", "document", "sticker", "audio":
		md := m.media()
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
	case "location", "contacts", "order":
		in.Media = m.Type
	case "unsupported", "unknown":
		in.Media = "unsupported"
	case "reaction":
		// An empty emoji means the customer removed the reaction.
		in.Kind, in.Text, in.ReplyTo = channel.KindReaction, m.Reaction.Emoji, m.Reaction.MessageID
	case "system":
		p.skip(field, m.Type, "system message (number or user id changed)")
		return
	default:
		p.skip(field, m.Type, "unknown message type")
		return
	}
	p.add(in)
}

func (m *waMessage) media() *waMedia {
	switch m.Type {
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
		if (c.WaID != "" && c.WaID == from) || (c.UserID != "" && c.UserID == fromUserID) || len(contacts) == 1 {
			name = c.Profile.Name
			if user == "" {
				user = firstNonEmpty(c.WaID, c.UserID)
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
	user := firstNonEmpty(s.RecipientID, s.RecipientUserID)
	if s.ID == "" || s.Status == "" || user == "" {
		p.skip(field, "status", "status without id, status or recipient")
		return
	}
	st := &channel.Status{MessageID: s.ID, Status: s.Status}
	if len(s.Errors) > 0 {
		st.ErrorCode = s.Errors[0].Code
	}
	p.add(channel.Inbound{
		ID:     s.ID + ":" + s.Status,
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
	user := firstNonEmpty(u.WaID, u.UserID)
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

func firstNonEmpty(ss ...string) string {
	for _, s := range ss {
		if s != "" {
			return s
		}
	}
	return ""
}
