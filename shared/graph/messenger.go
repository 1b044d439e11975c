package graph

import (
	"context"
	"errors"
	"unicode/utf8"

	"github.com/frontdesk-app/frontdesk/shared/apperr"
	"github.com/frontdesk-app/frontdesk/shared/channel"
)

// Messenger and Instagram Send API limits.
// See https://developers.facebook.com/docs/messenger-platform/reference/send-api and
// https://developers.facebook.com/docs/messenger-platform/send-messages/quick-replies.
const (
	MessengerTextMax        = 2000
	InstagramTextMax        = 1000
	QuickRepliesMax         = 13
	QuickReplyTitleMax      = 20
	QuickReplyPayloadMax    = 1000
	MessagingTypeResponse   = "RESPONSE"
	MessagingTypeMessageTag = "MESSAGE_TAG"
)

type sendRequest struct {
	Recipient     recipient   `json:"recipient"`
	MessagingType string      `json:"messaging_type,omitempty"`
	Tag           string      `json:"tag,omitempty"`
	Message       sendMessage `json:"message"`
}

type recipient struct {
	ID        string `json:"id,omitempty"`
	CommentID string `json:"comment_id,omitempty"`
}

type sendMessage struct {
	Text         string       `json:"text"`
	QuickReplies []quickReply `json:"quick_replies,omitempty"`
}

type quickReply struct {
	ContentType string `json:"content_type"`
	Title       string `json:"title"`
	Payload     string `json:"payload"`
}

// sendAPIBody builds a Messenger or Instagram Send API body: RESPONSE inside the window,
// MESSAGE_TAG with r.Tag otherwise; options become quick replies.
func sendAPIBody(s channel.Surface, psid string, r channel.Reply) (*sendRequest, error) {
	const op apperr.Op = "graph.sendAPIBody"
	msg, err := sendAPIMessage(op, s, r)
	if err != nil {
		return nil, err
	}
	req := &sendRequest{Recipient: recipient{ID: psid}, MessagingType: MessagingTypeResponse, Message: msg}
	if r.Tag != "" {
		req.MessagingType, req.Tag = MessagingTypeMessageTag, r.Tag
	}
	return req, nil
}

func sendAPIMessage(op apperr.Op, s channel.Surface, r channel.Reply) (sendMessage, error) {
	if r.Template != nil {
		return sendMessage{}, apperr.E(op, apperr.Invalid, "templates are a WhatsApp feature")
	}
	if r.Text == "" {
		return sendMessage{}, apperr.E(op, apperr.Invalid, "the reply is empty")
	}
	max := MessengerTextMax
	if s == channel.Instagram {
		max = InstagramTextMax
	}
	if utf8.RuneCountInString(r.Text) > max {
		return sendMessage{}, apperr.E(op, apperr.Invalid, "the text is over the surface's limit")
	}
	if len(r.Options) > QuickRepliesMax {
		return sendMessage{}, apperr.E(op, apperr.Invalid, "at most 13 quick replies")
	}
	m := sendMessage{Text: r.Text}
	for _, o := range r.Options {
		if err := checkID(op, o.ID, QuickReplyPayloadMax); err != nil {
			return sendMessage{}, err
		}
		m.QuickReplies = append(m.QuickReplies, quickReply{ContentType: "text", Title: shorten(o.Title, QuickReplyTitleMax), Payload: o.ID})
	}
	return m, nil
}

// privateReply answers a comment in private: POST /{page-id|ig-id}/messages with
// recipient.comment_id. Meta allows one per comment, within 7 days of it (the caller checks
// the time with package window); this client refuses a second one it sent itself.
func (c *Client) privateReply(ctx context.Context, key channel.Key, r channel.Reply) (string, error) {
	const op apperr.Op = "graph.privateReply"
	commentID := r.CommentID
	if commentID == "" {
		return "", apperr.E(op, apperr.Invalid, "a private reply needs the comment id")
	}
	r.Options = nil // quick replies are not offered on a private reply
	surface := channel.Messenger
	base, token := c.base, c.cfg.Tokens.Page
	if key.Surface == channel.Instagram || c.igAccts[key.Account] {
		surface, base, token = channel.Instagram, c.igBase, c.instagramToken()
	}
	msg, err := sendAPIMessage(op, surface, r)
	if err != nil {
		return "", err
	}
	if err := c.claimComment(commentID); err != nil {
		return "", err
	}
	id, err := c.sendAPI(ctx, base, key.Account, token, &sendRequest{Recipient: recipient{CommentID: commentID}, Message: msg})
	if err != nil {
		if !errors.Is(err, ErrAlreadyReplied) {
			c.releaseComment(commentID)
		}
		return "", err
	}
	return id, nil
}

func (c *Client) claimComment(id string) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	now := c.cfg.Now()
	for k, at := range c.replied {
		if now.Sub(at) > PrivateReplyWindow {
			delete(c.replied, k)
		}
	}
	if _, ok := c.replied[id]; ok {
		return apperr.Wrap("graph.privateReply", apperr.Forbidden, ErrAlreadyReplied, "the comment's one private reply was already sent")
	}
	c.replied[id] = now
	return nil
}

func (c *Client) releaseComment(id string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.replied, id)
}
