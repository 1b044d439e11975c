package meta

import (
	"cmp"
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

// likeStickers are the sticker ids of Messenger's thumbs-up ("like") button, in its three sizes.
var likeStickers = map[int64]bool{369239263222822: true, 369239343222814: true, 369239383222810: true}

type idField struct {
	ID flexID `json:"id"`
}

type msgReferral struct {
	Ref        string `json:"ref"`
	Source     string `json:"source"`
	Type       string `json:"type"`
	AdID       flexID `json:"ad_id"`
	RefererURI string `json:"referer_uri"`
}

type attachment struct {
	Type    string `json:"type"`
	Payload struct {
		StickerID flexInt `json:"sticker_id"`
		URL       string  `json:"url"`
		Title     string  `json:"title"`
		Product   *struct {
			Elements []struct {
				RetailerID string `json:"retailer_id"`
				Title      string `json:"title"`
			} `json:"elements"`
		} `json:"product"`
	} `json:"payload"`
}

type messagingEvent struct {
	Sender    idField `json:"sender"`
	Recipient idField `json:"recipient"`
	Timestamp flexInt `json:"timestamp"`
	Message   *struct {
		Mid           flexID  `json:"mid"`
		Text          string  `json:"text"`
		IsEcho        bool    `json:"is_echo"`
		AppID         flexInt `json:"app_id"`
		IsDeleted     bool    `json:"is_deleted"`
		IsUnsupported bool    `json:"is_unsupported"`
		StickerID     flexInt `json:"sticker_id"`
		QuickReply    *struct {
			Payload string `json:"payload"`
		} `json:"quick_reply"`
		ReplyTo *struct {
			Mid   flexID   `json:"mid"`
			Story *idField `json:"story"`
		} `json:"reply_to"`
		Attachments []attachment `json:"attachments"`
		Referral    *msgReferral `json:"referral"`
	} `json:"message"`
	Postback *struct {
		Mid      flexID       `json:"mid"`
		Title    string       `json:"title"`
		Payload  string       `json:"payload"`
		Referral *msgReferral `json:"referral"`
	} `json:"postback"`
	Referral *msgReferral `json:"referral"`
	Delivery *struct {
		Mids      []flexID `json:"mids"`
		Watermark flexInt  `json:"watermark"`
	} `json:"delivery"`
	Read *struct {
		Watermark flexInt `json:"watermark"`
		Mid       flexID  `json:"mid"`
	} `json:"read"`
	Reaction *struct {
		Mid      flexID `json:"mid"`
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
	MessageEdit          *struct {
		Mid     flexID  `json:"mid"`
		Text    string  `json:"text"`
		NumEdit flexInt `json:"num_edit"`
	} `json:"message_edit"`
	PolicyEnforcement json.RawMessage `json:"policy_enforcement"`
}

// messagingFields are the webhook fields whose change value is a messaging event.
var messagingFields = map[string]bool{
	"messages": true, "message_echoes": true, "messaging_postbacks": true, "messaging_referral": true,
	"messaging_referrals": true, "messaging_seen": true, "message_reads": true, "message_deliveries": true,
	"message_reactions": true, "messaging_optins": true, "messaging_handover": true, "messaging_handovers": true,
	"standby": true, "message_edits": true,
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

func (p *parser) messaging(surface channel.Surface, entryID flexID, raw json.RawMessage, standby bool) {
	field := "messaging"
	if standby {
		field = "standby"
	}
	var ev messagingEvent
	if err := json.Unmarshal(raw, &ev); err != nil {
		p.skip(field, "", "messaging event does not decode")
		return
	}
	account := cmp.Or(string(entryID), string(ev.Recipient.ID))
	sender := string(ev.Sender.ID)
	in := channel.Inbound{
		Key:     channel.Key{Surface: surface, Account: account, User: sender},
		At:      unixTime(ev.Timestamp),
		Standby: standby,
	}
	ts := strconv.FormatInt(int64(ev.Timestamp), 10)
	switch {
	case ev.Message != nil:
		m := ev.Message
		in.ID, in.Kind, in.Text = string(m.Mid), channel.KindMessage, m.Text
		if m.ReplyTo != nil {
			in.ReplyTo = string(m.ReplyTo.Mid)
			if m.ReplyTo.Story != nil {
				in.ReplyTo = string(m.ReplyTo.Story.ID)
			}
		}
		in.Referral = referral(m.Referral)
		switch {
		case m.IsEcho || (sender != "" && sender == string(entryID)):
			// The business sent it: the customer is the recipient. Instagram sends echoes in
			// the messages field, and not every sender sets is_echo: a message whose sender is
			// the account itself is an echo all the same, never a customer's question.
			in.Kind = channel.KindEcho
			in.Key.User = string(ev.Recipient.ID)
			in.Key.Account = cmp.Or(string(entryID), sender)
			in.Human = humanEcho(surface, int64(m.AppID))
		case m.IsDeleted:
			in.Kind, in.ID, in.Text, in.ReplyTo = channel.KindDeleted, string(m.Mid)+":deleted", "", string(m.Mid)
		case m.IsUnsupported:
			in.Media = "unsupported"
		case m.QuickReply != nil:
			in.Kind, in.Payload = channel.KindPostback, m.QuickReply.Payload
		}
		if in.Kind != channel.KindDeleted {
			if md := messageMedia(m.Attachments, int64(m.StickerID)); md != "" {
				in.Media = md
			}
			in.MediaRef = mediaRef(m.Attachments)
			if in.Media == "product" && in.Text == "" {
				in.Text = productSummary(m.Attachments)
			}
		}
	case ev.Postback != nil:
		pb := ev.Postback
		in.Kind, in.Payload, in.Text = channel.KindPostback, pb.Payload, pb.Title
		in.ID = cmp.Or(string(pb.Mid), syntheticID("postback", account, sender, ts, pb.Payload))
		in.Referral = referral(pb.Referral)
		in.Opener = getStarted(pb.Payload, pb.Title)
	case ev.Referral != nil:
		in.Kind, in.Referral = channel.KindReferral, referral(ev.Referral)
		in.ID = syntheticID("referral", account, sender, ts, ev.Referral.Ref, string(ev.Referral.AdID))
	case ev.Reaction != nil:
		r := ev.Reaction
		in.Kind, in.ReplyTo, in.Text = channel.KindReaction, string(r.Mid), r.Emoji
		if r.Action == "unreact" {
			in.Text = ""
		}
		in.ID = syntheticID("reaction", account, sender, ts, string(r.Mid), r.Action, r.Reaction)
	case ev.Delivery != nil:
		in.Kind = channel.KindDelivery
		mids := make([]string, 0, len(ev.Delivery.Mids))
		for _, m := range ev.Delivery.Mids {
			mids = append(mids, string(m))
		}
		in.ID = syntheticID("delivery", account, sender, strconv.FormatInt(int64(ev.Delivery.Watermark), 10), strings.Join(mids, ","))
	case ev.Read != nil:
		in.Kind = channel.KindRead
		in.ReplyTo = string(ev.Read.Mid)
		in.ID = syntheticID("read", account, sender, strconv.FormatInt(int64(ev.Read.Watermark), 10), string(ev.Read.Mid))
	case ev.Optin != nil:
		o := ev.Optin
		in.Kind = channel.KindOptIn
		in.Payload = cmp.Or(o.Payload, o.Ref)
		// Meta documents "STOP NOTIFICATIONS"; third-party tools report "STOP_NOTIFICATIONS".
		switch strings.ToUpper(strings.ReplaceAll(strings.TrimSpace(o.NotificationStatus), "_", " ")) {
		case "STOP NOTIFICATIONS":
			in.Kind, in.Preference = channel.KindPreference, &channel.Preference{Category: "notification_messages", Value: "stop"}
		case "RESUME NOTIFICATIONS":
			in.Kind, in.Preference = channel.KindPreference, &channel.Preference{Category: "notification_messages", Value: "resume"}
		}
		in.ID = syntheticID("optin", account, sender, ts, o.Type, o.NotificationStatus)
	case ev.PassThreadControl != nil || ev.TakeThreadControl != nil || ev.RequestThreadControl != nil:
		in.Kind = channel.KindHandover
		in.ID = syntheticID("handover", account, sender, ts)
	case ev.MessageEdit != nil:
		e := ev.MessageEdit
		in.Kind, in.ReplyTo, in.Text = channel.KindEdit, string(e.Mid), e.Text
		if e.Mid != "" {
			in.ID = string(e.Mid) + ":edit:" + strconv.FormatInt(int64(e.NumEdit), 10)
		}
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

// humanEcho reports whether an echo was written by a person. On Messenger an echo names the
// app that sent it: none, or the Page inbox's, means a person. Instagram echoes carry no app_id
// at all, whoever sent them, so only the inbox's id tells a person there.
func humanEcho(surface channel.Surface, appID int64) bool {
	inbox := strconv.FormatInt(appID, 10) == PageInboxAppID
	if surface == channel.Instagram {
		return inbox
	}
	return appID == 0 || inbox
}

// getStarted reports whether a postback is a conversation opener: Messenger's "Get Started"
// button, whose payload the Page sets itself ("GET_STARTED", "GET_STARTED_PAYLOAD",
// "<postback_payload>"), or whose title is the button's.
func getStarted(payload, title string) bool {
	norm := func(s string) string {
		return strings.Map(func(r rune) rune {
			switch {
			case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
				return r
			case r >= 'A' && r <= 'Z':
				return r + 'a' - 'A'
			}
			return -1
		}, s)
	}
	p, t := norm(payload), norm(title)
	return strings.HasPrefix(p, "getstarted") || p == "getstart" || p == "start" ||
		t == "getstarted" || t == "losgehts" || t == "loslegen" || t == "jetztstarten"
}

// messageMedia names a message's attachments in the terms of Inbound.Media: the most specific
// one wins (during Meta's sticker transition a sticker comes as a sticker and an image).
func messageMedia(atts []attachment, stickerID int64) string {
	media := ""
	if stickerID != 0 {
		media = stickerMedia(stickerID)
	}
	for _, a := range atts {
		if a.Payload.StickerID != 0 {
			return stickerMedia(int64(a.Payload.StickerID))
		}
		if media == "" {
			media = attachmentMedia(a)
		}
	}
	return media
}

func stickerMedia(id int64) string {
	if likeStickers[id] {
		return "like"
	}
	return "sticker"
}

// mediaRef locates the first attachment with a file to fetch (its CDN URL), or nil.
func mediaRef(atts []attachment) *channel.FileRef {
	for _, a := range atts {
		switch a.Type {
		case "image", "video", "audio", "file":
			if u := a.Payload.URL; u != "" && u != "null" {
				return &channel.FileRef{URL: u}
			}
		}
	}
	return nil
}

// attachmentMedia names one attachment in the terms of Inbound.Media.
func attachmentMedia(a attachment) string {
	switch a.Type {
	case "file":
		return "document"
	case "":
		return "unsupported"
	case "like_heart":
		return "like"
	case "share", "reel", "ig_reel", "post", "ig_post", "fallback":
		return "share"
	case "appointment_booking":
		return "appointment"
	case "template":
		if a.Payload.Product != nil {
			return "product"
		}
		return "share"
	}
	return a.Type
}

// productSummary names the shared products for an agent.
func productSummary(atts []attachment) string {
	var lines []string
	for _, a := range atts {
		if a.Payload.Product == nil {
			continue
		}
		for _, e := range a.Payload.Product.Elements {
			line := e.Title
			if e.RetailerID != "" {
				line = strings.TrimSpace(line + " (" + e.RetailerID + ")")
			}
			lines = append(lines, line)
		}
	}
	return strings.Join(lines, "\n")
}

func referral(r *msgReferral) *channel.Referral {
	if r == nil {
		return nil
	}
	return &channel.Referral{Source: r.Source, Type: r.Type, AdID: string(r.AdID), Ref: r.Ref, SourceURL: r.RefererURI}
}

type feedValue struct {
	Item        string  `json:"item"`
	Verb        string  `json:"verb"`
	CommentID   flexID  `json:"comment_id"`
	PostID      flexID  `json:"post_id"`
	ParentID    flexID  `json:"parent_id"`
	Message     string  `json:"message"`
	CreatedTime flexInt `json:"created_time"`
	From        struct {
		ID   flexID `json:"id"`
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
		ID:        string(v.CommentID),
		Key:       channel.Key{Surface: channel.Comment, Account: string(e.ID), User: string(v.From.ID)},
		Kind:      channel.KindComment,
		At:        unixTime(v.CreatedTime),
		Text:      v.Message,
		Name:      v.From.Name,
		CommentID: string(v.CommentID),
	}
	if v.ParentID != "" && v.ParentID != v.PostID {
		in.ReplyTo = string(v.ParentID) // a reply to another comment
	}
	if in.At.IsZero() {
		in.At = unixTime(e.Time)
	}
	p.add(in)
}

type igCommentValue struct {
	ID       flexID `json:"id"`
	Text     string `json:"text"`
	ParentID flexID `json:"parent_id"`
	From     struct {
		ID       flexID `json:"id"`
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
		ID:        string(v.ID),
		Key:       channel.Key{Surface: channel.Comment, Account: string(e.ID), User: string(v.From.ID)},
		Kind:      channel.KindComment,
		At:        unixTime(e.Time),
		Text:      v.Text,
		Name:      v.From.Username,
		CommentID: string(v.ID),
		ReplyTo:   string(v.ParentID),
	})
}
