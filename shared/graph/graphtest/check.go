package graphtest

import (
	"encoding/json"
	"fmt"
)

type waBody struct {
	MessagingProduct string `json:"messaging_product"`
	RecipientType    string `json:"recipient_type"`
	To               string `json:"to"`
	Type             string `json:"type"`
	Context          *struct {
		MessageID string `json:"message_id"`
	} `json:"context"`
	BizOpaqueCallbackData string `json:"biz_opaque_callback_data"`
	Text                  *struct {
		Body       string `json:"body"`
		PreviewURL *bool  `json:"preview_url"`
	} `json:"text"`
	Interactive *struct {
		Type   string `json:"type"`
		Header *struct {
			Type string `json:"type"`
			Text string `json:"text"`
		} `json:"header"`
		Body *struct {
			Text string `json:"text"`
		} `json:"body"`
		Footer *struct {
			Text string `json:"text"`
		} `json:"footer"`
		Action *struct {
			Buttons []struct {
				Type  string `json:"type"`
				Reply struct {
					ID    string `json:"id"`
					Title string `json:"title"`
				} `json:"reply"`
			} `json:"buttons"`
			Button   string `json:"button"`
			Sections []struct {
				Title string `json:"title"`
				Rows  []struct {
					ID          string `json:"id"`
					Title       string `json:"title"`
					Description string `json:"description"`
				} `json:"rows"`
			} `json:"sections"`
		} `json:"action"`
	} `json:"interactive"`
	Image    *waMediaBody `json:"image"`
	Video    *waMediaBody `json:"video"`
	Audio    *waMediaBody `json:"audio"`
	Document *waMediaBody `json:"document"`
	Sticker  *waMediaBody `json:"sticker"`
	Template *struct {
		Name     string `json:"name"`
		Language struct {
			Code   string `json:"code"`
			Policy string `json:"policy"`
		} `json:"language"`
		Components []struct {
			Type       string `json:"type"`
			SubType    string `json:"sub_type"`
			Index      string `json:"index"`
			Parameters []struct {
				Type    string `json:"type"`
				Text    string `json:"text"`
				Payload string `json:"payload"`
			} `json:"parameters"`
		} `json:"components"`
	} `json:"template"`
}

// checkWhatsApp validates a Cloud API send body against the documented shape and limits.
func checkWhatsApp(body []byte) (p []string) {
	var b waBody
	if err := decodeStrict(body, &b); err != nil {
		return []string{"body does not decode: " + err.Error()}
	}
	if b.MessagingProduct != "whatsapp" {
		p = append(p, `messaging_product must be "whatsapp"`)
	}
	if b.RecipientType != "" && b.RecipientType != "individual" {
		p = append(p, "recipient_type must be individual")
	}
	if b.To == "" {
		p = append(p, "to is required")
	}
	if b.Context != nil && b.Context.MessageID == "" {
		p = append(p, "context.message_id is required")
	}
	set := 0
	for _, present := range []bool{b.Text != nil, b.Interactive != nil, b.Template != nil, b.Image != nil, b.Video != nil,
		b.Audio != nil, b.Document != nil, b.Sticker != nil} {
		if present {
			set++
		}
	}
	if set != 1 {
		p = append(p, "exactly one of text, interactive, template, image, video, audio, document, sticker must be set")
	}
	switch b.Type {
	case "text":
		switch {
		case b.Text == nil:
			p = append(p, "type text needs text")
		case b.Text.Body == "":
			p = append(p, "text.body is required")
		case runes(b.Text.Body) > 4096:
			p = append(p, "text.body is over 4096 characters")
		}
	case "interactive":
		p = append(p, checkInteractive(b)...)
	case "template":
		switch {
		case b.Template == nil:
			p = append(p, "type template needs template")
		case b.Template.Name == "":
			p = append(p, "template.name is required")
		case b.Template.Language.Code == "":
			p = append(p, "template.language.code is required")
		}
		if b.Context != nil {
			p = append(p, "templates cannot carry context")
		}
	case "image", "video", "audio", "document", "sticker":
		p = append(p, checkMedia(b)...)
	default:
		p = append(p, fmt.Sprintf("type %q is not supported by this fake", b.Type))
	}
	return p
}

// waMediaBody is the media object of a WhatsApp media message
// (https://developers.facebook.com/documentation/business-messaging/whatsapp/messages/image-messages and the
// document, video, audio and sticker pages).
type waMediaBody struct {
	ID       string `json:"id"`
	Link     string `json:"link"`
	Caption  string `json:"caption"`
	Filename string `json:"filename"`
}

func (b waBody) mediaOf() *waMediaBody {
	return map[string]*waMediaBody{"image": b.Image, "video": b.Video, "audio": b.Audio, "document": b.Document, "sticker": b.Sticker}[b.Type]
}

func checkMedia(b waBody) (p []string) {
	m := b.mediaOf()
	if m == nil {
		return []string{"type " + b.Type + " needs a " + b.Type + " object"}
	}
	if (m.ID == "") == (m.Link == "") {
		p = append(p, b.Type+" needs exactly one of id and link")
	}
	switch {
	case m.Caption != "" && (b.Type == "audio" || b.Type == "sticker"):
		p = append(p, b.Type+" takes no caption")
	case runes(m.Caption) > 1024:
		p = append(p, "caption is over 1024 characters")
	}
	if m.Filename != "" && b.Type != "document" {
		p = append(p, "only a document has a filename")
	}
	return p
}

// checkWhatsAppMedia checks that a media message sent by id names media uploaded to the same
// phone number, of the kind the message says.
func (s *Server) checkWhatsAppMedia(account string, body []byte) []string {
	var b waBody
	if json.Unmarshal(body, &b) != nil {
		return nil
	}
	m := b.mediaOf()
	if m == nil || m.ID == "" {
		return nil
	}
	media, ok := s.MediaByID(m.ID)
	switch {
	case !ok || media.Account != account:
		return []string{"media id " + m.ID + " was not uploaded to this phone number"}
	case waKindOf(media.MIME) != b.Type:
		return []string{fmt.Sprintf("media of type %s sent as %s", media.MIME, b.Type)}
	}
	return nil
}

func checkInteractive(b waBody) (p []string) {
	in := b.Interactive
	if in == nil {
		return []string{"type interactive needs interactive"}
	}
	if in.Body == nil || in.Body.Text == "" {
		p = append(p, "interactive.body.text is required")
	} else if runes(in.Body.Text) > 1024 {
		p = append(p, "interactive.body.text is over 1024 characters")
	}
	if in.Action == nil {
		return append(p, "interactive.action is required")
	}
	switch in.Type {
	case "button":
		n := len(in.Action.Buttons)
		if n < 1 || n > 3 {
			p = append(p, fmt.Sprintf("%d buttons, want 1-3", n))
		}
		seen := map[string]bool{}
		for _, bt := range in.Action.Buttons {
			switch {
			case bt.Type != "reply":
				p = append(p, "button type must be reply")
			case bt.Reply.ID == "" || runes(bt.Reply.ID) > 256:
				p = append(p, "button id must be 1-256 characters")
			case bt.Reply.Title == "" || runes(bt.Reply.Title) > 20:
				p = append(p, fmt.Sprintf("button title %q must be 1-20 characters", bt.Reply.Title))
			case seen[bt.Reply.ID] || seen["t:"+bt.Reply.Title]:
				p = append(p, "button ids and titles must be unique")
			}
			seen[bt.Reply.ID], seen["t:"+bt.Reply.Title] = true, true
		}
	case "list":
		if in.Action.Button == "" || runes(in.Action.Button) > 20 {
			p = append(p, "action.button must be 1-20 characters")
		}
		if n := len(in.Action.Sections); n < 1 || n > 10 {
			p = append(p, "1-10 sections")
		}
		rows := 0
		seen := map[string]bool{}
		for _, sec := range in.Action.Sections {
			if len(in.Action.Sections) > 1 && sec.Title == "" {
				p = append(p, "section titles are required with several sections")
			}
			if runes(sec.Title) > 24 {
				p = append(p, "section title over 24 characters")
			}
			for _, r := range sec.Rows {
				rows++
				switch {
				case r.ID == "" || runes(r.ID) > 200:
					p = append(p, "row id must be 1-200 characters")
				case r.Title == "" || runes(r.Title) > 24:
					p = append(p, fmt.Sprintf("row title %q must be 1-24 characters", r.Title))
				case runes(r.Description) > 72:
					p = append(p, "row description over 72 characters")
				case seen[r.ID]:
					p = append(p, "row ids must be unique")
				}
				seen[r.ID] = true
			}
		}
		if rows < 1 || rows > 10 {
			p = append(p, fmt.Sprintf("%d rows, want 1-10", rows))
		}
	default:
		p = append(p, fmt.Sprintf("interactive.type %q is not supported by this fake", in.Type))
	}
	return p
}

type sendBody struct {
	Recipient struct {
		ID        string `json:"id"`
		CommentID string `json:"comment_id"`
		PostID    string `json:"post_id"`
	} `json:"recipient"`
	MessagingType string `json:"messaging_type"`
	Tag           string `json:"tag"`
	PersonaID     string `json:"persona_id"`
	Message       *struct {
		Text         string `json:"text"`
		QuickReplies []struct {
			ContentType string `json:"content_type"`
			Title       string `json:"title"`
			Payload     string `json:"payload"`
			ImageURL    string `json:"image_url"`
		} `json:"quick_replies"`
	} `json:"message"`
}

// checkSendAPI validates a Messenger/Instagram Send API body.
func checkSendAPI(surface string, body []byte) (p []string) {
	var b sendBody
	if err := decodeStrict(body, &b); err != nil {
		return []string{"body does not decode: " + err.Error()}
	}
	r := b.Recipient
	n := 0
	for _, s := range []string{r.ID, r.CommentID, r.PostID} {
		if s != "" {
			n++
		}
	}
	if n != 1 {
		p = append(p, "recipient needs exactly one of id, comment_id, post_id")
	}
	private := r.CommentID != "" || r.PostID != ""
	switch b.MessagingType {
	case "RESPONSE", "UPDATE":
		if b.Tag != "" {
			p = append(p, "tag is only allowed with messaging_type MESSAGE_TAG")
		}
	case "MESSAGE_TAG":
		if b.Tag == "" {
			p = append(p, "messaging_type MESSAGE_TAG needs a tag")
		}
		if b.Tag != "" && b.Tag != "HUMAN_AGENT" && b.Tag != "CUSTOMER_FEEDBACK" {
			p = append(p, fmt.Sprintf("tag %q is not accepted", b.Tag))
		}
	case "":
		if !private {
			p = append(p, "messaging_type is required")
		}
	default:
		p = append(p, fmt.Sprintf("messaging_type %q is not valid", b.MessagingType))
	}
	if b.Message == nil {
		return append(p, "message is required")
	}
	max := 2000
	if surface == "instagram" {
		max = 1000
	}
	if b.Message.Text == "" || runes(b.Message.Text) > max {
		p = append(p, fmt.Sprintf("message.text must be 1-%d characters", max))
	}
	if len(b.Message.QuickReplies) > 13 {
		p = append(p, "at most 13 quick_replies")
	}
	if private && len(b.Message.QuickReplies) > 0 {
		p = append(p, "this fake does not accept quick_replies on private replies")
	}
	for _, q := range b.Message.QuickReplies {
		switch {
		case q.ContentType != "text":
			p = append(p, "quick reply content_type must be text")
		case q.Title == "" || runes(q.Title) > 20:
			p = append(p, fmt.Sprintf("quick reply title %q must be 1-20 characters", q.Title))
		case q.Payload == "" || runes(q.Payload) > 1000:
			p = append(p, "quick reply payload must be 1-1000 characters")
		}
	}
	return p
}
