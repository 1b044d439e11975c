package graph

import (
	"unicode/utf8"

	"github.com/frontdesk-app/frontdesk/shared/apperr"
	"github.com/frontdesk-app/frontdesk/shared/channel"
)

// WhatsApp Cloud API limits.
// See https://developers.facebook.com/documentation/business-messaging/whatsapp/messages/interactive-reply-buttons-messages
// and .../interactive-list-messages.
const (
	WhatsAppTextMax        = 4096 // text.body
	WhatsAppBodyMax        = 1024 // interactive body.text
	WhatsAppButtonsMax     = 3    // reply buttons
	WhatsAppButtonTitleMax = 20
	WhatsAppButtonIDMax    = 256
	WhatsAppListRowsMax    = 10
	WhatsAppListLabelMax   = 20 // action.button
	WhatsAppRowTitleMax    = 24
	WhatsAppRowDescMax     = 72
	WhatsAppRowIDMax       = 200
)

// DefaultListLabel is the label of a WhatsApp list's menu button when Reply.Menu is empty.
const DefaultListLabel = "Options"

type waMessage struct {
	MessagingProduct string         `json:"messaging_product"`
	RecipientType    string         `json:"recipient_type"`
	To               string         `json:"to"`
	Type             string         `json:"type"`
	Context          *waContext     `json:"context,omitempty"`
	Text             *waText        `json:"text,omitempty"`
	Interactive      *waInteractive `json:"interactive,omitempty"`
	Template         *waTemplate    `json:"template,omitempty"`
	Image            *waMedia       `json:"image,omitempty"`
	Video            *waMedia       `json:"video,omitempty"`
	Audio            *waMedia       `json:"audio,omitempty"`
	Document         *waMedia       `json:"document,omitempty"`
}

type waContext struct {
	MessageID string `json:"message_id"`
}

type waText struct {
	Body       string `json:"body"`
	PreviewURL bool   `json:"preview_url"`
}

type waInteractive struct {
	Type   string   `json:"type"` // button | list
	Body   waBody   `json:"body"`
	Action waAction `json:"action"`
}

type waBody struct {
	Text string `json:"text"`
}

type waAction struct {
	Buttons  []waButton  `json:"buttons,omitempty"`
	Button   string      `json:"button,omitempty"`
	Sections []waSection `json:"sections,omitempty"`
}

type waButton struct {
	Type  string  `json:"type"` // reply
	Reply waReply `json:"reply"`
}

type waReply struct {
	ID    string `json:"id"`
	Title string `json:"title"`
}

type waSection struct {
	Title string  `json:"title,omitempty"`
	Rows  []waRow `json:"rows"`
}

type waRow struct {
	ID          string `json:"id"`
	Title       string `json:"title"`
	Description string `json:"description,omitempty"`
}

type waTemplate struct {
	Name       string        `json:"name"`
	Language   waLanguage    `json:"language"`
	Components []waComponent `json:"components,omitempty"`
}

type waLanguage struct {
	Code   string `json:"code"`
	Policy string `json:"policy,omitempty"`
}

type waComponent struct {
	Type       string        `json:"type"`
	Parameters []waParameter `json:"parameters"`
}

type waParameter struct {
	Type string `json:"type"`
	Text string `json:"text"`
}

type waResponse struct {
	MessagingProduct string `json:"messaging_product"`
	Messages         []struct {
		ID string `json:"id"`
	} `json:"messages"`
}

// whatsAppBody builds the Cloud API body: a template when r.Template is set, reply buttons for
// 1-3 options, a list for 4-10 options, else text. Titles over the limits are shortened with
// "…"; a text over its limit or more than 10 options is an Invalid error.
func whatsAppBody(to string, r channel.Reply) (*waMessage, error) {
	const op apperr.Op = "graph.whatsAppBody"
	m := &waMessage{MessagingProduct: "whatsapp", RecipientType: "individual", To: to}
	if r.ReplyTo != "" {
		m.Context = &waContext{MessageID: r.ReplyTo}
	}
	switch {
	case r.Template != nil:
		if r.Template.Name == "" {
			return nil, apperr.E(op, apperr.Invalid, "a template needs a name")
		}
		lang := r.Template.Language
		if lang == "" {
			lang = "en"
		}
		m.Type = "template"
		m.Template = &waTemplate{Name: r.Template.Name, Language: waLanguage{Code: lang}}
		if len(r.Template.Params) > 0 {
			c := waComponent{Type: "body"}
			for _, p := range r.Template.Params {
				c.Parameters = append(c.Parameters, waParameter{Type: "text", Text: p})
			}
			m.Template.Components = []waComponent{c}
		}
		m.Context = nil // templates cannot quote
		return m, nil
	case len(r.Options) > 0:
		if r.Text == "" {
			return nil, apperr.E(op, apperr.Invalid, "buttons and lists need a text")
		}
		if utf8.RuneCountInString(r.Text) > WhatsAppBodyMax {
			return nil, apperr.E(op, apperr.Invalid, "the text of a message with options is over 1024 characters")
		}
		if len(r.Options) > WhatsAppListRowsMax {
			return nil, apperr.E(op, apperr.Invalid, "WhatsApp offers at most 10 options")
		}
		m.Type = "interactive"
		in := &waInteractive{Body: waBody{Text: r.Text}}
		if len(r.Options) <= WhatsAppButtonsMax {
			in.Type = "button"
			for _, o := range r.Options {
				if err := checkID(op, o.ID, WhatsAppButtonIDMax); err != nil {
					return nil, err
				}
				in.Action.Buttons = append(in.Action.Buttons, waButton{Type: "reply", Reply: waReply{ID: o.ID, Title: shorten(o.Title, WhatsAppButtonTitleMax)}})
			}
		} else {
			in.Type = "list"
			label := r.Menu
			if label == "" {
				label = DefaultListLabel
			}
			in.Action.Button = shorten(label, WhatsAppListLabelMax)
			sec := waSection{}
			for _, o := range r.Options {
				if err := checkID(op, o.ID, WhatsAppRowIDMax); err != nil {
					return nil, err
				}
				sec.Rows = append(sec.Rows, waRow{ID: o.ID, Title: shorten(o.Title, WhatsAppRowTitleMax), Description: shorten(o.Description, WhatsAppRowDescMax)})
			}
			in.Action.Sections = []waSection{sec}
		}
		m.Interactive = in
		return m, nil
	}
	if r.Text == "" {
		return nil, apperr.E(op, apperr.Invalid, "the reply is empty")
	}
	if utf8.RuneCountInString(r.Text) > WhatsAppTextMax {
		return nil, apperr.E(op, apperr.Invalid, "the text is over 4096 characters")
	}
	m.Type = "text"
	m.Text = &waText{Body: r.Text}
	return m, nil
}

func checkID(op apperr.Op, id string, max int) error {
	if id == "" || utf8.RuneCountInString(id) > max {
		return apperr.E(op, apperr.Invalid, "an option id is empty or too long")
	}
	return nil
}

// shorten cuts s to max characters, ending in "…" when it cut.
func shorten(s string, max int) string {
	if utf8.RuneCountInString(s) <= max {
		return s
	}
	r := []rune(s)
	return string(r[:max-1]) + "…"
}
