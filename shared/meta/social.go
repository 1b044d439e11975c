package meta

import (
	"encoding/json"
	"strconv"
	"strings"

	"github.com/frontdesk-app/frontdesk/shared/channel"
)

// Messenger Platform and Instagram Messaging webhook shapes (entry[].messaging[] and
// entry[].standby[]), Instagram comments and Page feed changes (entry[].changes[]).
// See https://developers.facebook.com/documentation/business-messaging/messenger-platform/webhooks,
// https://developers.facebook.com/docs/instagram-platform/webhooks and
// https://developers.facebook.com/docs/graph-api/webhooks/reference/page/#feed

// PageInboxAppID is the app id of Meta Business Suite / the Page inbox: an echo from it (or
// from no app at all) was written by a person.
const PageInboxAppID = "263902037430900"

type idField struct {
	ID string `json:"id"`
}

type msgReferral struct {
	Ref        string `json:"ref"`
	Source     string `json:"source"`
	Type       string `json:"type"`
	AdID       string `json:"ad_id"`
	RefererURI string `json:"referer_uri"`
}

type messagingEvent struct {
	Sender    idField `json:"sender"`
	Recipient idField `json:"recipient"`
	Timestamp flexInt `json:"timestamp"`
	Message   *struct {
		Mid           string  `json:"mid"`
		Text          string  `json:"text"`
		IsEcho        bool    `json:"is_echo"`
		AppID         flexInt `json:"app_id"`
		IsDeleted     bool    `json:"is_deleted"`
		IsUnsupported bool    `json:"is_unsupported"`
		QuickReply    *struct {
			Payload string `json:"payload"`
		} `json:"quick_reply"`
		ReplyTo *struct {
			Mid   string   `json:"mid"`
			Story *idField `json:"story"`
		} `json:"reply_to"`
		Attachments []struct {
			Type    string `json:"type"`
			Payload struct {
				StickerID flexInt `json:"sticker_id"`
				URL       string  `json:"url"`
			} `json:"payload"`
		} `json:"attachments"`
		Referral *msgReferral `json:"referral"`
	} `json:"message"`
	Postback *struct {
		Mid      string       `json:"mid"`
		Title    string       `json:"title"`
		Payload  string       `json:"payload"`
		Referral *msgReferral `json:"referral"`
	} `json:"postback"`
	Referral *msgReferral `json:"referral"`
	Delivery *struct {
		Mids      []string `json:"mids"`
		Watermark flexInt  `json:"watermark"`
	} `json:"delivery"`
	Read *struct {
		Watermark flexInt `json:"watermark"`
		Mid       string  `json:"mid"`
	} `json:"read"`
	Reaction *struct {
		Mid      string `json:"mid"`
		Action   string `json:"action"`
		Emoji    string `json:"emoji"`
		Reaction string `json:"reaction"`
	} `json:"reaction"`
	Optin *struct {
		Type               string `json:"type"`
		Ref                string `json:"ref"`
		Payload            string `json:"payload"`
		NotificationStatus string `json:"notification_messages_status"`
	} `json:"optin"`
	PassThreadControl    json.RawMessage `json:"pass_thread_control"`
	TakeThreadControl    json.RawMessage `json:"take_thread_control"`
	RequestThreadControl json.RawMessage `json:"request_thread_control"`
	MessageEdit          json.RawMessage `json:"message_edit"`
	PolicyEnforcement    json.RawMessage `json:"policy_enforcement"`
}

// messagingFields are the webhook fields whose change value is a messaging event.
var messagingFields = map[string]bool{
	"messages": true, "message_echoes": true, "messaging_postbacks": true, "messaging_referral": true,
	"messaging_referrals": true, "messaging_seen": true, "message_reads": true, "message_deliveries": true,
	"message_reactions": true, "messaging_optins": true, "messaging_handover": true, "messaging_handovers": true,
	"standby": true,
}

func (p *parser) social(object string, e entry) {
	surface := channel.Messenger
	if object == ObjectInstagram {
		surface = channel.Instagram
	}
	if len(e.Messaging) == 0 && len(e.Standby) == 0 && len(e.Changes) == 0 {
		p.skip("", "", "entry without messaging, standby or changes")
	}
	for _, raw := range e.Messaging {
		p.messaging(surface, e.ID, raw, false)
	}
	for _, raw := range e.Standby {
		p.messaging(surface, e.ID, raw, true)
	}
	for _, c := range e.Changes {
		switch {
		case object == ObjectPage && c.Field == "feed":
			p.feed(e, c)
		case object == ObjectInstagram && c.Field == "comments":
			p.igComment(e, c)
		case messagingFields[c.Field]:
			// The App Dashboard's "Test" button (and some Instagram Login subscriptions) send
			// messaging events as changes whose value is the messaging event itself.
			p.messaging(surface, e.ID, c.Value, c.Field == "standby")
		default:
			p.skip(c.Field, "", "unknown field")
		}
	}
}

func (p *parser) messaging(surface channel.Surface, entryID string, raw json.RawMessage, standby bool) {
	field := "messaging"
	if standby {
		field = "standby"
	}
	var ev messagingEvent
	if err := json.Unmarshal(raw, &ev); err != nil {
		p.skip(field, "", "messaging event does not decode")
		return
	}
	account := firstNonEmpty(entryID, ev.Recipient.ID)
	in := channel.Inbound{
		Key:     channel.Key{Surface: surface, Account: account, User: ev.Sender.ID},
		At:      unixTime(ev.Timestamp),
		Standby: standby,
	}
	ts := strconv.FormatInt(int64(ev.Timestamp), 10)
	switch {
	case ev.Message != nil:
		m := ev.Message
		in.ID, in.Kind, in.Text = m.Mid, channel.KindMessage, m.Text
		if m.ReplyTo != nil {
			in.ReplyTo = m.ReplyTo.Mid
			if m.ReplyTo.Story != nil {
				in.ReplyTo = m.ReplyTo.Story.ID
			}
		}
		in.Referral = referral(m.Referral)
		switch {
		case m.IsEcho:
			// The business sent it: the customer is the recipient.
			in.Kind = channel.KindEcho
			in.Key.User = ev.Recipient.ID
			in.Key.Account = firstNonEmpty(entryID, ev.Sender.ID)
			in.Human = m.AppID == 0 || strconv.FormatInt(int64(m.AppID), 10) == PageInboxAppID
		case m.IsDeleted:
			in.Kind, in.ID, in.Text = channel.KindDeleted, m.Mid+":deleted", ""
		case m.IsUnsupported:
			in.Media = "unsupported"
		case m.QuickReply != nil:
			in.Kind, in.Payload = channel.KindPostback, m.QuickReply.Payload
		}
		if len(m.Attachments) > 0 && in.Kind != channel.KindDeleted {
			in.Media = attachmentMedia(m.Attachments[0].Type, m.Attachments[0].Payload.StickerID != 0)
			if u := m.Attachments[0].Payload.URL; u != "" && u != "null" {
				in.MediaRef = &channel.FileRef{URL: u}
			}
		}
	case ev.Postback != nil:
		pb := ev.Postback
		in.Kind, in.Payload, in.Text = channel.KindPostback, pb.Payload, pb.Title
		in.ID = firstNonEmpty(pb.Mid, syntheticID("postback", account, ev.Sender.ID, ts, pb.Payload))
		in.Referral = referral(pb.Referral)
	case ev.Referral != nil:
		in.Kind, in.Referral = channel.KindReferral, referral(ev.Referral)
		in.ID = syntheticID("referral", account, ev.Sender.ID, ts, ev.Referral.Ref, ev.Referral.AdID)
	case ev.Reaction != nil:
		r := ev.Reaction
		in.Kind, in.ReplyTo, in.Text = channel.KindReaction, r.Mid, r.Emoji
		if r.Action == "unreact" {
			in.Text = ""
		}
		in.ID = syntheticID("reaction", account, ev.Sender.ID, ts, r.Mid, r.Action, r.Reaction)
	case ev.Delivery != nil:
		in.Kind = channel.KindDelivery
		in.ID = syntheticID("delivery", account, ev.Sender.ID, strconv.FormatInt(int64(ev.Delivery.Watermark), 10), strings.Join(ev.Delivery.Mids, ","))
	case ev.Read != nil:
		in.Kind = channel.KindRead
		in.ReplyTo = ev.Read.Mid
		in.ID = syntheticID("read", account, ev.Sender.ID, strconv.FormatInt(int64(ev.Read.Watermark), 10), ev.Read.Mid)
	case ev.Optin != nil:
		o := ev.Optin
		in.Kind = channel.KindOptIn
		in.Payload = firstNonEmpty(o.Payload, o.Ref)
		switch strings.ToUpper(o.NotificationStatus) {
		case "STOP NOTIFICATIONS":
			in.Kind, in.Preference = channel.KindPreference, &channel.Preference{Category: "notification_messages", Value: "stop"}
		case "RESUME NOTIFICATIONS":
			in.Kind, in.Preference = channel.KindPreference, &channel.Preference{Category: "notification_messages", Value: "resume"}
		}
		in.ID = syntheticID("optin", account, ev.Sender.ID, ts, o.Type, o.NotificationStatus)
	case ev.PassThreadControl != nil || ev.TakeThreadControl != nil || ev.RequestThreadControl != nil:
		in.Kind = channel.KindHandover
		in.ID = syntheticID("handover", account, ev.Sender.ID, ts)
	case ev.MessageEdit != nil:
		p.skip(field, "message_edit", "edits are not acted on")
		return
	case ev.PolicyEnforcement != nil:
		p.skip(field, "policy_enforcement", "policy enforcement notice")
		return
	default:
		p.skip(field, "", "unknown messaging event")
		return
	}
	if in.ID == "" || in.Key.User == "" || in.Key.Account == "" {
		p.skip(field, string(in.Kind), "event without id, sender or recipient")
		return
	}
	p.add(in)
}

func referral(r *msgReferral) *channel.Referral {
	if r == nil {
		return nil
	}
	return &channel.Referral{Source: r.Source, Type: r.Type, AdID: r.AdID, Ref: r.Ref, SourceURL: r.RefererURI}
}

// attachmentMedia names an attachment in the terms of Inbound.Media.
func attachmentMedia(t string, sticker bool) string {
	switch {
	case sticker:
		return "sticker"
	case t == "file":
		return "document"
	case t == "":
		return "unsupported"
	}
	return t
}

type feedValue struct {
	Item        string  `json:"item"`
	Verb        string  `json:"verb"`
	CommentID   string  `json:"comment_id"`
	PostID      string  `json:"post_id"`
	ParentID    string  `json:"parent_id"`
	Message     string  `json:"message"`
	CreatedTime flexInt `json:"created_time"`
	From        struct {
		ID   string `json:"id"`
		Name string `json:"name"`
	} `json:"from"`
}

// feed turns a new comment under a Page post (or ad) into a KindComment. The Page's own
// comments (its replies) and every other feed change are skipped.
func (p *parser) feed(e entry, c change) {
	var v feedValue
	if err := json.Unmarshal(c.Value, &v); err != nil {
		p.skip(c.Field, "", "value does not decode")
		return
	}
	typ := v.Item + "/" + v.Verb
	switch {
	case v.Item != "comment" || v.Verb != "add":
		p.skip(c.Field, typ, "only new comments are acted on")
		return
	case v.From.ID == e.ID:
		p.skip(c.Field, typ, "the Page's own comment")
		return
	case v.CommentID == "" || v.From.ID == "" || e.ID == "":
		p.skip(c.Field, typ, "comment without id or author")
		return
	}
	in := channel.Inbound{
		ID:        v.CommentID,
		Key:       channel.Key{Surface: channel.Comment, Account: e.ID, User: v.From.ID},
		Kind:      channel.KindComment,
		At:        unixTime(v.CreatedTime),
		Text:      v.Message,
		Name:      v.From.Name,
		CommentID: v.CommentID,
	}
	if v.ParentID != "" && v.ParentID != v.PostID {
		in.ReplyTo = v.ParentID // a reply to another comment
	}
	if in.At.IsZero() {
		in.At = unixTime(e.Time)
	}
	p.add(in)
}

type igCommentValue struct {
	ID       string `json:"id"`
	Text     string `json:"text"`
	ParentID string `json:"parent_id"`
	From     struct {
		ID       string `json:"id"`
		Username string `json:"username"`
	} `json:"from"`
}

// igComment turns an Instagram comments change into a KindComment; the account's own comments
// are skipped.
func (p *parser) igComment(e entry, c change) {
	var v igCommentValue
	if err := json.Unmarshal(c.Value, &v); err != nil {
		p.skip(c.Field, "", "value does not decode")
		return
	}
	switch {
	case v.From.ID == e.ID:
		p.skip(c.Field, "comment", "the account's own comment")
		return
	case v.ID == "" || v.From.ID == "" || e.ID == "":
		p.skip(c.Field, "comment", "comment without id or author")
		return
	}
	p.add(channel.Inbound{
		ID:        v.ID,
		Key:       channel.Key{Surface: channel.Comment, Account: e.ID, User: v.From.ID},
		Kind:      channel.KindComment,
		At:        unixTime(e.Time),
		Text:      v.Text,
		Name:      v.From.Username,
		CommentID: v.ID,
		ReplyTo:   v.ParentID,
	})
}
