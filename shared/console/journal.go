package console

import (
	"context"
	"encoding/json"
	"strings"
	"sync"
	"time"

	"github.com/frontdesk-app/frontdesk/shared/channel"
	"github.com/frontdesk-app/frontdesk/shared/observe"
	"github.com/frontdesk-app/frontdesk/shared/outbox"
)

// Item types.
const (
	TypeCustomer = "customer" // a customer's message, posted by the console as Meta would
	TypeCall     = "call"     // an outbound call the outbox recorded (a reply, a Slack post)
	TypeDecision = "decision" // the bot's reasoning (observe.Decision)
	TypeAgent    = "agent"    // an agent's reply or button press, posted by the console as Slack would
	TypeClock    = "clock"    // the local clock moved
	TypeSweep    = "sweep"    // the sweeper ran
)

// Item is one thing that happened in the local stack, in the order it happened.
type Item struct {
	Seq  int64     `json:"seq"`
	Type string    `json:"type"`
	At   time.Time `json:"at"`
	// Conv is the conversation the item belongs to (channel.Key.String()), when known.
	Conv     string            `json:"conv,omitempty"`
	Customer *CustomerMessage  `json:"customer,omitempty"`
	Call     *outbox.Entry     `json:"call,omitempty"`
	Decision *observe.Decision `json:"decision,omitempty"`
	Agent    *AgentAction      `json:"agent,omitempty"`
	// Text describes a clock or sweeper item, or why a posted message was refused.
	Text string `json:"text,omitempty"`
	// Status is the HTTP status frontdesk answered a posted webhook or Slack request with.
	Status int `json:"status,omitempty"`
}

// CustomerMessage is what a customer sent.
type CustomerMessage struct {
	Surface channel.Surface `json:"surface"`
	User    string          `json:"user"`
	Name    string          `json:"name"`
	Text    string          `json:"text"`
	// Payload is the id of a tapped button or quick reply.
	Payload string `json:"payload,omitempty"`
	ID      string `json:"id"`
}

// AgentAction is what an agent did in Slack.
type AgentAction struct {
	Kind     string `json:"kind"` // "reply" or "press"
	Channel  string `json:"channel"`
	ThreadTS string `json:"thread_ts"`
	TS       string `json:"ts,omitempty"`
	User     string `json:"user"`
	Text     string `json:"text,omitempty"`
	ActionID string `json:"action_id,omitempty"`
	Value    string `json:"value,omitempty"`
}

// Journal keeps the items in memory and tells subscribers when one is added. It holds message
// text: it is the local console's, never logged, gone when the process ends.
type Journal struct {
	// Max bounds the items kept (the oldest go first); 0 keeps all. Set it before use.
	Max int

	mu       sync.Mutex
	items    []Item
	seq      int64
	comments map[string]string // comment id -> conversation, for private replies
	subs     map[chan struct{}]struct{}
	now      func() time.Time
}

// NewJournal returns an empty journal stamping items with now.
func NewJournal(now func() time.Time) *Journal {
	return &Journal{comments: map[string]string{}, subs: map[chan struct{}]struct{}{}, now: now}
}

func (j *Journal) add(it Item) int64 {
	j.mu.Lock()
	j.seq++
	it.Seq = j.seq
	if it.At.IsZero() {
		it.At = j.now().UTC()
	}
	j.items = append(j.items, it)
	if j.Max > 0 && len(j.items) > j.Max {
		j.items = append(j.items[:0:0], j.items[len(j.items)-j.Max:]...)
	}
	for ch := range j.subs {
		select {
		case ch <- struct{}{}:
		default:
		}
	}
	j.mu.Unlock()
	return it.Seq
}

// setStatus records the HTTP status of the posted item seq.
func (j *Journal) setStatus(seq int64, status int, text string) {
	j.mu.Lock()
	defer j.mu.Unlock()
	for i := len(j.items) - 1; i >= 0; i-- {
		if j.items[i].Seq == seq {
			j.items[i].Status, j.items[i].Text = status, text
			break
		}
	}
	for ch := range j.subs {
		select {
		case ch <- struct{}{}:
		default:
		}
	}
}

// Items returns a copy of the items in order.
func (j *Journal) Items() []Item {
	j.mu.Lock()
	defer j.mu.Unlock()
	return append([]Item{}, j.items...)
}

// subscribe returns a channel that receives a value after items change, and its cancel.
func (j *Journal) subscribe() (<-chan struct{}, func()) {
	ch := make(chan struct{}, 1)
	j.mu.Lock()
	j.subs[ch] = struct{}{}
	j.mu.Unlock()
	return ch, func() {
		j.mu.Lock()
		delete(j.subs, ch)
		j.mu.Unlock()
	}
}

// Decided implements observe.Sink.
func (j *Journal) Decided(_ context.Context, d observe.Decision) {
	j.add(Item{Type: TypeDecision, At: d.At.UTC(), Conv: d.Key.String(), Decision: &d})
}

// Recorded takes an outbox entry (outbox.Outbox.OnRecord).
func (j *Journal) Recorded(e outbox.Entry) {
	j.mu.Lock()
	conv := j.convOf(e)
	j.mu.Unlock()
	j.add(Item{Type: TypeCall, At: e.At, Conv: conv, Call: &e})
}

// customer records a customer's message of the conversation key.
func (j *Journal) customer(key channel.Key, m CustomerMessage) int64 {
	if key.Surface == channel.Comment {
		j.mu.Lock()
		j.comments[m.ID] = key.String()
		j.mu.Unlock()
	}
	return j.add(Item{Type: TypeCustomer, Conv: key.String(), Customer: &m})
}

// convOf finds the conversation a send to a customer belongs to: the account in the path and
// the recipient in the body (a comment's private reply names the comment). j.mu is held.
func (j *Journal) convOf(e outbox.Entry) string {
	var surface channel.Surface
	switch e.Service {
	case outbox.WhatsApp:
		surface = channel.WhatsApp
	case outbox.Messenger:
		surface = channel.Messenger
	case outbox.Instagram:
		surface = channel.Instagram
	default:
		return ""
	}
	parts := strings.Split(strings.Trim(e.Path, "/"), "/")
	if len(parts) < 2 || parts[len(parts)-1] != "messages" {
		return ""
	}
	account := parts[len(parts)-2]
	var b struct {
		To        string `json:"to"`
		Recipient struct {
			ID        string `json:"id"`
			CommentID string `json:"comment_id"`
		} `json:"recipient"`
	}
	if json.Unmarshal(e.Body, &b) != nil {
		return ""
	}
	switch {
	case b.To != "":
		return channel.Key{Surface: surface, Account: account, User: b.To}.String()
	case b.Recipient.CommentID != "":
		return j.comments[b.Recipient.CommentID]
	case b.Recipient.ID != "":
		return channel.Key{Surface: surface, Account: account, User: b.Recipient.ID}.String()
	}
	return ""
}
