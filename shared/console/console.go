// Package console is the local stack's console at /_local/console: one page where a developer
// plays the customers (a chat per surface, sent through the real signed webhook path), reads
// the bot's reasoning beside each of its messages, works the agents' desk rendered from the
// Block Kit the bot sent (buttons and thread replies are posted as signed Slack requests), and
// moves the local clock forward. Updates arrive as server-sent events.
//
// The page, its script and its style are embedded (no build step, nothing fetched from the
// network). The console is for the local stack only: no Lambda routes it; it answers only
// requests whose Host names the loopback listener it was mounted on, and state-changing
// requests only from its own page (JSON, same origin).
package console

import (
	"bytes"
	"context"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"time"

	"github.com/frontdesk-app/frontdesk/shared/channel"
	"github.com/frontdesk-app/frontdesk/shared/hostguard"
	"github.com/frontdesk-app/frontdesk/shared/meta"
	"github.com/frontdesk-app/frontdesk/shared/meta/metatest"
	"github.com/frontdesk-app/frontdesk/shared/slackapi"
	"github.com/frontdesk-app/frontdesk/shared/slackapi/slackagent"
)

// Path is where the console is served.
const Path = "/_local/console"

//go:embed static
var static embed.FS

// Customer is a customer the console can play.
type Customer struct {
	Surface channel.Surface `json:"surface"`
	User    string          `json:"user"`
	Name    string          `json:"name"`
	// Key is the conversation a message of this customer belongs to.
	Key string `json:"key"`
}

// Customers are the customers the console offers, two per surface.
var Customers = []Customer{
	{Surface: channel.WhatsApp, User: metatest.DefaultUsers[channel.WhatsApp], Name: "Erika Mustermann"},
	{Surface: channel.WhatsApp, User: "447700900123", Name: "Oliver Smith"},
	{Surface: channel.Messenger, User: metatest.DefaultUsers[channel.Messenger], Name: "Jonas Weber"},
	{Surface: channel.Messenger, User: "6254170009876543", Name: "Sam Carter"},
	{Surface: channel.Instagram, User: metatest.DefaultUsers[channel.Instagram], Name: "Lea Hoffmann"},
	{Surface: channel.Instagram, User: "1789000000000077", Name: "Mia Brown"},
	{Surface: channel.Comment, User: metatest.DefaultUsers[channel.Comment], Name: "Tom Becker"},
	{Surface: channel.Comment, User: "5310000000000123", Name: "Anna Schmidt"},
}

// ConsentView is a customer's ad-data consent as the console shows it.
type ConsentView struct {
	State string `json:"state"`
	// Explicit is false when no decision is recorded and the regime's default applies.
	Explicit bool            `json:"explicit"`
	Source   string          `json:"source,omitempty"`
	At       time.Time       `json:"at,omitzero"`
	History  []ConsentChange `json:"history"`
}

// ConsentChange is one entry of a customer's consent history.
type ConsentChange struct {
	State   string    `json:"state"`
	Source  string    `json:"source"`
	Actor   string    `json:"actor"`
	Surface string    `json:"surface,omitempty"`
	At      time.Time `json:"at"`
}

// Config holds the console's dependencies.
type Config struct {
	// Stack serves the local stack's routes: the console posts webhooks and Slack requests to
	// it, signed, as Meta and Slack would.
	Stack http.Handler
	// MetaAppSecret and SlackSigningSecret sign those requests.
	MetaAppSecret      []byte
	SlackSigningSecret []byte
	Clock              *Clock
	Journal            *Journal
	// Consent reads a customer's consent; nil hides the consent panel.
	Consent func(ctx context.Context, key channel.Key) (ConsentView, error)
	// Thread finds the conversation escalated into a Slack thread, so the desk can open the
	// customer's chat from a card; nil leaves that out.
	Thread func(ctx context.Context, channel, ts string) (channel.Key, bool)
	// Sweep runs the sweeper once and describes what it did; nil hides the button.
	Sweep func(ctx context.Context) (string, error)
	// Hosts are the Host header values the console answers (the loopback listener's
	// "127.0.0.1:3000", "localhost:3000"); any other is refused (DNS rebinding).
	Hosts []string
	// Agent is the Slack user id the console's agent acts as.
	Agent string
	// Disabled, when not empty, is why the console is off: every request gets it as a 403.
	Disabled string
	Logger   *slog.Logger
}

// Console serves the console. Close ends its event streams.
type Console struct {
	cfg     Config
	mux     *http.ServeMux
	guarded http.Handler // serve behind the Host check
	done    chan struct{}
	closing sync.Once
}

// New returns the console.
func New(cfg Config) (*Console, error) {
	if cfg.Disabled == "" && (cfg.Stack == nil || cfg.Clock == nil || cfg.Journal == nil || len(cfg.Hosts) == 0) {
		return nil, errors.New("console: Stack, Clock, Journal and Hosts are required")
	}
	if cfg.Agent == "" {
		cfg.Agent = "U0LOCALAGENT"
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	c := &Console{cfg: cfg, mux: http.NewServeMux(), done: make(chan struct{})}
	c.guarded = hostguard.Middleware(cfg.Hosts)(http.HandlerFunc(c.serve))
	files, err := fs.Sub(static, "static")
	if err != nil {
		return nil, err
	}
	c.mux.HandleFunc("GET "+Path, c.page)
	c.mux.HandleFunc("GET "+Path+"/{$}", c.page)
	c.mux.Handle("GET "+Path+"/static/", http.StripPrefix(Path+"/static/", http.FileServerFS(files)))
	c.mux.HandleFunc("GET "+Path+"/api/state", c.state)
	c.mux.HandleFunc("GET "+Path+"/api/events", c.events)
	c.mux.HandleFunc("POST "+Path+"/api/say", c.say)
	c.mux.HandleFunc("POST "+Path+"/api/slack/reply", c.reply)
	c.mux.HandleFunc("POST "+Path+"/api/slack/press", c.press)
	c.mux.HandleFunc("POST "+Path+"/api/clock", c.clock)
	c.mux.HandleFunc("POST "+Path+"/api/sweep", c.sweep)
	return c, nil
}

// Close ends the open event streams (call it before shutting the server down; again is a no-op).
func (c *Console) Close() { c.closing.Do(func() { close(c.done) }) }

// ServeHTTP checks where the request comes from and serves it.
func (c *Console) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'; form-action 'none'")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("Cache-Control", "no-store")
	if c.cfg.Disabled != "" {
		c.serve(w, r)
		return
	}
	c.guarded.ServeHTTP(w, r)
}

// serve serves a request whose Host is the console's own.
func (c *Console) serve(w http.ResponseWriter, r *http.Request) {
	if c.cfg.Disabled != "" {
		http.Error(w, "the local console is off: "+c.cfg.Disabled, http.StatusForbidden)
		return
	}
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		// Only the console's own page may change anything: a cross-site form cannot send JSON
		// without a preflight, and a browser names the page's origin.
		if o := r.Header.Get("Origin"); o != "" && o != "http://"+r.Host {
			http.Error(w, "cross-origin request refused", http.StatusForbidden)
			return
		}
		if site := r.Header.Get("Sec-Fetch-Site"); site != "" && site != "same-origin" && site != "none" {
			http.Error(w, "cross-site request refused", http.StatusForbidden)
			return
		}
		if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
			http.Error(w, "want Content-Type: application/json", http.StatusUnsupportedMediaType)
			return
		}
	}
	c.mux.ServeHTTP(w, r)
}

// LoopbackHosts are the Host values naming the loopback listener addr (127.0.0.1, localhost
// and [::1] with its port), or an error when addr is not a loopback address: the console is
// never served to a network, whatever other names the server answers to.
func LoopbackHosts(addr net.Addr) ([]string, error) {
	tcp, ok := addr.(*net.TCPAddr)
	if !ok || !tcp.IP.IsLoopback() {
		return nil, fmt.Errorf("console: %s is not a loopback address", addr)
	}
	return hostguard.Loopback(fmt.Sprint(tcp.Port)), nil
}

func (c *Console) page(w http.ResponseWriter, r *http.Request) {
	b, err := static.ReadFile("static/index.html")
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	_, _ = w.Write(b)
}

// State is everything the page shows.
type State struct {
	Now       time.Time              `json:"now"`
	Offset    string                 `json:"offset"`
	OffsetSec int64                  `json:"offsetSeconds"`
	Customers []Customer             `json:"customers"`
	Items     []Item                 `json:"items"`
	Consent   map[string]ConsentView `json:"consent,omitempty"`
	// Threads maps a desk message's ts to the conversation escalated into its thread.
	Threads map[string]string `json:"threads"`
	Sweeper bool              `json:"sweeper"`
	Agent   string            `json:"agent"`
}

func (c *Console) snapshot(ctx context.Context) State {
	off := c.cfg.Clock.Offset()
	s := State{Now: c.cfg.Clock.Now().UTC(), Offset: formatOffset(off), OffsetSec: int64(off / time.Second),
		Items: c.cfg.Journal.Items(), Sweeper: c.cfg.Sweep != nil, Agent: c.cfg.Agent}
	for _, cu := range Customers {
		cu.Key = keyOf(cu).String()
		s.Customers = append(s.Customers, cu)
	}
	s.Threads = c.threads(ctx, s.Items)
	if c.cfg.Consent != nil {
		s.Consent = map[string]ConsentView{}
		for _, cu := range Customers {
			v, err := c.cfg.Consent(ctx, keyOf(cu))
			if err != nil {
				c.cfg.Logger.WarnContext(ctx, "console: consent not read", "err", err)
				continue
			}
			s.Consent[keyOf(cu).String()] = v
		}
	}
	return s
}

// threads finds the conversation of each card (a Slack post that starts a thread).
func (c *Console) threads(ctx context.Context, items []Item) map[string]string {
	out := map[string]string{}
	if c.cfg.Thread == nil {
		return out
	}
	for _, it := range items {
		if it.Call == nil || it.Call.Service != "slack" || !strings.HasSuffix(it.Call.Path, "chat.postMessage") {
			continue
		}
		var body struct {
			Channel  string `json:"channel"`
			ThreadTS string `json:"thread_ts"`
		}
		var resp struct {
			TS string `json:"ts"`
		}
		if json.Unmarshal(it.Call.Body, &body) != nil || json.Unmarshal(it.Call.Response, &resp) != nil || body.ThreadTS != "" || resp.TS == "" {
			continue
		}
		if key, ok := c.cfg.Thread(ctx, body.Channel, resp.TS); ok {
			out[resp.TS] = key.String()
		}
	}
	return out
}

func keyOf(cu Customer) channel.Key {
	b, err := metatest.Payload(metatest.Message{Surface: cu.Surface, From: cu.User, Name: cu.Name, Text: "-", ID: "key"})
	if err != nil {
		return channel.Key{}
	}
	return b.Key
}

func formatOffset(d time.Duration) string {
	if d == 0 {
		return "real time"
	}
	return "+" + hoursMinutes(d)
}

// hoursMinutes renders d in hours and minutes, the unit of the windows: "25 h", "25 h 45 min".
func hoursMinutes(d time.Duration) string {
	d = d.Round(time.Minute)
	h, m := int(d/time.Hour), int(d%time.Hour/time.Minute)
	switch {
	case h == 0:
		return fmt.Sprintf("%d min", m)
	case m == 0:
		return fmt.Sprintf("%d h", h)
	}
	return fmt.Sprintf("%d h %d min", h, m)
}

func (c *Console) state(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, c.snapshot(r.Context()))
}

// events streams the state as server-sent events: the whole state on connect and after every
// change (changes within 50 ms are sent once).
func (c *Console) events(w http.ResponseWriter, r *http.Request) {
	rc := http.NewResponseController(w)
	// A stream outlives the server's read and write timeouts (an expired read deadline would
	// end it: the server reads in the background to notice a client that went away).
	_ = rc.SetReadDeadline(time.Time{})
	_ = rc.SetWriteDeadline(time.Time{})
	w.Header().Set("Content-Type", "text/event-stream")
	changed, cancel := c.cfg.Journal.subscribe()
	defer cancel()
	send := func() error {
		b, err := json.Marshal(c.snapshot(r.Context()))
		if err != nil {
			return err
		}
		if _, err := fmt.Fprintf(w, "event: state\ndata: %s\n\n", b); err != nil {
			return err
		}
		return rc.Flush()
	}
	if err := send(); err != nil {
		return
	}
	keepAlive := time.NewTicker(15 * time.Second)
	defer keepAlive.Stop()
	for {
		select {
		case <-r.Context().Done():
			return
		case <-c.done:
			return
		case <-keepAlive.C:
			if _, err := io.WriteString(w, ": keep-alive\n\n"); err != nil || rc.Flush() != nil {
				return
			}
		case <-changed:
			time.Sleep(50 * time.Millisecond)
			select {
			case <-changed:
			default:
			}
			if err := send(); err != nil {
				return
			}
		}
	}
}

// notify wakes the event streams (the clock moved; nothing was added to the journal).
func (c *Console) notify(text string) { c.cfg.Journal.add(Item{Type: TypeClock, Text: text}) }

func decode(w http.ResponseWriter, r *http.Request, v any) bool {
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, 64<<10))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "malformed request: " + err.Error()})
		return false
	}
	return true
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func fail(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, map[string]string{"error": msg})
}

// post sends a request to the local stack in process and returns its status and body.
func (c *Console) post(ctx context.Context, path, contentType string, body []byte, header http.Header) (int, string) {
	req := httptest.NewRequestWithContext(ctx, http.MethodPost, path, bytes.NewReader(body))
	for k, v := range header {
		req.Header[k] = v
	}
	req.Header.Set("Content-Type", contentType)
	rec := httptest.NewRecorder()
	c.cfg.Stack.ServeHTTP(rec, req)
	return rec.Code, strings.TrimSpace(rec.Body.String())
}

type sayRequest struct {
	Surface channel.Surface `json:"surface"`
	User    string          `json:"user"`
	Name    string          `json:"name"`
	Text    string          `json:"text"`
	Payload string          `json:"payload"`
}

// say posts a customer's message to /webhooks/meta, signed as Meta signs it.
func (c *Console) say(w http.ResponseWriter, r *http.Request) {
	var in sayRequest
	if !decode(w, r, &in) {
		return
	}
	if !in.Surface.Valid() {
		fail(w, http.StatusBadRequest, fmt.Sprintf("unknown surface %q: want whatsapp, messenger, instagram or comment", in.Surface))
		return
	}
	if strings.TrimSpace(in.Text) == "" {
		fail(w, http.StatusBadRequest, "the message is empty")
		return
	}
	if in.Payload != "" && in.Surface == channel.Comment {
		in.Payload = "" // a comment has no buttons: a tapped option arrives as text
	}
	built, err := metatest.Payload(metatest.Message{Surface: in.Surface, From: in.User, Name: in.Name, Text: in.Text,
		Payload: in.Payload, At: c.cfg.Clock.Now()})
	if err != nil {
		fail(w, http.StatusBadRequest, err.Error())
		return
	}
	seq := c.cfg.Journal.customer(built.Key, CustomerMessage{Surface: in.Surface, User: built.Key.User, Name: in.Name,
		Text: in.Text, Payload: in.Payload, ID: built.ID})
	h := http.Header{}
	h.Set("X-Hub-Signature-256", meta.Sign(built.Body, c.cfg.MetaAppSecret))
	status, body := c.post(r.Context(), "/webhooks/meta", "application/json", built.Body, h)
	if status != http.StatusOK {
		c.cfg.Journal.setStatus(seq, status, body)
		fail(w, http.StatusBadGateway, fmt.Sprintf("the webhook answered %d: %s", status, body))
		return
	}
	c.cfg.Journal.setStatus(seq, status, "")
	writeJSON(w, http.StatusOK, map[string]string{"id": built.ID, "conv": built.Key.String()})
}

type replyRequest struct {
	Channel  string `json:"channel"`
	ThreadTS string `json:"thread_ts"`
	Text     string `json:"text"`
}

// reply posts an agent's thread reply to /slack/events, signed as Slack signs it.
func (c *Console) reply(w http.ResponseWriter, r *http.Request) {
	var in replyRequest
	if !decode(w, r, &in) {
		return
	}
	if in.Channel == "" || in.ThreadTS == "" || strings.TrimSpace(in.Text) == "" {
		fail(w, http.StatusBadRequest, "channel, thread_ts and text are required")
		return
	}
	now := c.cfg.Clock.Now()
	ts := slackagent.TS(now)
	body, err := slackagent.Reply(in.Channel, in.ThreadTS, c.cfg.Agent, in.Text, ts, now)
	if err != nil {
		fail(w, http.StatusInternalServerError, err.Error())
		return
	}
	seq := c.cfg.Journal.add(Item{Type: TypeAgent, Agent: &AgentAction{Kind: "reply", Channel: in.Channel, ThreadTS: in.ThreadTS,
		TS: ts, User: c.cfg.Agent, Text: in.Text}})
	c.slack(w, r, seq, "/slack/events", slackagent.EventContentType, body, now)
}

type pressRequest struct {
	Channel   string `json:"channel"`
	MessageTS string `json:"message_ts"`
	ThreadTS  string `json:"thread_ts"`
	ActionID  string `json:"action_id"`
	Value     string `json:"value"`
	BlockID   string `json:"block_id"`
	// Selected is the option chosen in the message's select, sent in the press's state as
	// Slack does, under SelectBlock and SelectAction.
	Selected     string `json:"selected"`
	SelectBlock  string `json:"select_block"`
	SelectAction string `json:"select_action"`
}

// press posts a button press to /slack/interactions, signed as Slack signs it.
func (c *Console) press(w http.ResponseWriter, r *http.Request) {
	var in pressRequest
	if !decode(w, r, &in) {
		return
	}
	if in.Channel == "" || in.MessageTS == "" || in.ActionID == "" {
		fail(w, http.StatusBadRequest, "channel, message_ts and action_id are required")
		return
	}
	if in.Selected != "" && (in.SelectBlock == "" || in.SelectAction == "") {
		fail(w, http.StatusBadRequest, "a selected option needs select_block and select_action")
		return
	}
	now := c.cfg.Clock.Now()
	body, err := slackagent.Press(slackagent.Button{Channel: in.Channel, MessageTS: in.MessageTS, ThreadTS: in.ThreadTS,
		User: c.cfg.Agent, ActionID: in.ActionID, Value: in.Value, BlockID: in.BlockID,
		Selected: in.Selected, SelectBlock: in.SelectBlock, SelectAction: in.SelectAction}, now)
	if err != nil {
		fail(w, http.StatusInternalServerError, err.Error())
		return
	}
	seq := c.cfg.Journal.add(Item{Type: TypeAgent, Agent: &AgentAction{Kind: "press", Channel: in.Channel, ThreadTS: in.ThreadTS,
		TS: in.MessageTS, User: c.cfg.Agent, ActionID: in.ActionID, Value: in.Value}})
	c.slack(w, r, seq, "/slack/interactions", slackagent.InteractionContentType, body, now)
}

func (c *Console) slack(w http.ResponseWriter, r *http.Request, seq int64, path, contentType string, body []byte, now time.Time) {
	status, resp := c.post(r.Context(), path, contentType, body, slackapi.SignedHeader(c.cfg.SlackSigningSecret, now, body))
	if status != http.StatusOK {
		c.cfg.Journal.setStatus(seq, status, resp)
		fail(w, http.StatusBadGateway, fmt.Sprintf("%s answered %d: %s", path, status, resp))
		return
	}
	c.cfg.Journal.setStatus(seq, status, "")
	writeJSON(w, http.StatusOK, map[string]string{})
}

type clockRequest struct {
	// Advance is a Go duration ("25h", "30m").
	Advance string `json:"advance"`
}

// maxAdvance bounds one step of the clock: beyond the longest window and retention that matter.
const maxAdvance = 90 * 24 * time.Hour

func (c *Console) clock(w http.ResponseWriter, r *http.Request) {
	var in clockRequest
	if !decode(w, r, &in) {
		return
	}
	d, err := time.ParseDuration(in.Advance)
	if err != nil || d <= 0 || d > maxAdvance {
		fail(w, http.StatusBadRequest, fmt.Sprintf("advance %q: want a positive duration up to 90 days, such as 25h or 30m", in.Advance))
		return
	}
	c.cfg.Clock.Advance(d)
	c.notify("The clock moved forward " + hoursMinutes(d) + ".")
	writeJSON(w, http.StatusOK, map[string]any{"now": c.cfg.Clock.Now().UTC(), "offset": formatOffset(c.cfg.Clock.Offset())})
}

func (c *Console) sweep(w http.ResponseWriter, r *http.Request) {
	if c.cfg.Sweep == nil {
		fail(w, http.StatusNotFound, "no sweeper in this stack")
		return
	}
	var in struct{}
	if !decode(w, r, &in) {
		return
	}
	report, err := c.cfg.Sweep(r.Context())
	if err != nil {
		c.cfg.Journal.add(Item{Type: TypeSweep, Text: "The sweeper failed: " + err.Error()})
		fail(w, http.StatusBadGateway, err.Error())
		return
	}
	c.cfg.Journal.add(Item{Type: TypeSweep, Text: "The sweeper ran: " + report})
	writeJSON(w, http.StatusOK, map[string]string{"report": report})
}
