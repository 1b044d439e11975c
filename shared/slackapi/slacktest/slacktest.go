// Package slacktest is a strict fake of the Slack Web API methods frontdesk calls
// (chat.postMessage, chat.update, chat.delete, conversations.replies, chat.getPermalink,
// users.info, conversations.info and the external file upload flow), on httptest.
//
// Unlike slack-go's slacktest, which answers ok:true to anything, it checks every request the way
// Slack does and answers the way Slack does: HTTP 200 with {"ok":false,"error":"..."} for
// not_authed, invalid_auth, channel_not_found, no_text, invalid_blocks, invalid_thread_ts,
// msg_too_long, message_not_found, thread_not_found, unknown_method, and cant_delete_message
// when the bot deletes a message it did not post (a bot token deletes only its own); HTTP 429 with Retry-After when a rate limit is
// injected. It serves under a non-empty base path ("/api/") so a client that ignores its
// configured base URL fails loudly, and it records every call for assertions.
//
// Sources: https://docs.slack.dev/reference/methods/chat.postMessage,
// https://docs.slack.dev/reference/methods/chat.update,
// https://docs.slack.dev/reference/methods/chat.delete,
// https://docs.slack.dev/reference/methods/conversations.replies,
// https://docs.slack.dev/reference/methods/chat.getPermalink,
// https://docs.slack.dev/reference/block-kit/blocks, https://docs.slack.dev/apis/web-api/rate-limits.
package slacktest

import (
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"unicode/utf8"

	"github.com/slack-go/slack"
)

// BasePath is where the fake serves the Web API; URL ends with it.
const BasePath = "/api/"

// BotID and BotUserID are the ids of the fake's bot, as they appear on messages it posts.
const (
	BotID     = "B0FAKEBOT"
	BotUserID = "U0FAKEBOT"
)

// Slack truncates text over 40,000 characters and rejects it with msg_too_long.
const maxText = 40000

// Call is one recorded request.
type Call struct {
	Method string // "chat.postMessage"
	// Status is the HTTP status answered; Error the Slack error code ("" when ok).
	Status int
	Error  string
	// Errors are Slack's details of invalid_blocks, as in its "errors" array.
	Errors []string

	Channel        string
	TS             string // chat.update: the message updated; chat.postMessage: the new message
	ThreadTS       string
	Text           string
	Blocks         json.RawMessage // the blocks as sent, "" when none
	ReplyBroadcast bool
	// Orphan is set when thread_ts named no message in the channel: Slack then posts the reply
	// unthreaded, where nobody sees it in the thread.
	Orphan bool
	// TokenIn says how the token came: "header" (Authorization: Bearer) or "form".
	TokenIn string
}

// Message is a message the fake holds, as posted and updated.
type Message struct {
	Channel, TS, ThreadTS, Text string
	Blocks                      json.RawMessage
	ReplyBroadcast              bool
	Edits                       int // number of chat.update calls applied
	// Files are the files shared with the message (files.completeUploadExternal).
	Files []File
	// User is the author: BotUserID for what the bot posted through the API, the user of
	// PostAs otherwise. BotID is set for the bot's messages.
	User, BotID string
	// Deleted is set by chat.delete: the message is gone (a thread's parent with replies
	// stays as Slack's tombstone, so the thread can still be read and replied to).
	Deleted bool
}

// Failure is an answer to inject for the next call of a method.
type Failure struct {
	// Error is the Slack error code of an HTTP 200 ok:false answer, e.g. "channel_not_found",
	// "internal_error". With RetryAfter set it defaults to "ratelimited".
	Error string
	// RetryAfter, in seconds, makes the answer HTTP 429 with a Retry-After header.
	RetryAfter int
	// Status overrides the HTTP status (e.g. 500, 503: Slack sends HTML then).
	Status int
	// After lets that many calls of the method through before this failure applies.
	After int
}

// Server is the fake. Its methods are safe for concurrent use.
type Server struct {
	t        testing.TB
	srv      *httptest.Server
	token    string
	channels map[string]bool

	users        map[string]User
	channelNames map[string]string
	files        map[string]*File

	mu       sync.Mutex
	calls    []Call
	fail     map[string][]Failure
	messages map[string]*Message // channel + "/" + ts
	order    []string
	seq      int
}

// New starts a fake that accepts token and knows the channels; it is closed when the test ends.
func New(t testing.TB, token string, channels ...string) *Server {
	t.Helper()
	s := &Server{
		t:        t,
		token:    token,
		channels: map[string]bool{},
		fail:     map[string][]Failure{},
		messages: map[string]*Message{},
	}
	for _, c := range channels {
		s.channels[c] = true
	}
	mux := http.NewServeMux()
	mux.HandleFunc(BasePath, s.serve)
	mux.HandleFunc("/upload/", s.serveUpload)
	mux.HandleFunc("/files-pri/", s.serveDownload)
	s.srv = httptest.NewServer(mux)
	t.Cleanup(s.srv.Close)
	return s
}

// URL is the API base URL to configure in the client, ending with "/api/".
func (s *Server) URL() string { return s.srv.URL + BasePath }

// Client is an HTTP client for the server.
func (s *Server) Client() *http.Client { return s.srv.Client() }

// User is a workspace member as users.info describes them.
type User struct {
	ID, Name, RealName, FirstName, DisplayName string
}

// AddUser makes users.info know u.
func (s *Server) AddUser(u User) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.users == nil {
		s.users = map[string]User{}
	}
	s.users[u.ID] = u
}

// NameChannel sets the name conversations.info gives a known channel (default: the id in
// lower case).
func (s *Server) NameChannel(id, name string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.channelNames == nil {
		s.channelNames = map[string]string{}
	}
	s.channelNames[id] = name
}

// FailNext makes the next call of method answer f instead of being served. Several failures
// for one method are used in order.
func (s *Server) FailNext(method string, f Failure) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.fail[method] = append(s.fail[method], f)
}

// RateLimitNext makes the next call of method answer HTTP 429 with Retry-After: seconds.
func (s *Server) RateLimitNext(method string, seconds int) {
	s.FailNext(method, Failure{RetryAfter: seconds})
}

// Calls returns every recorded call, in order.
func (s *Server) Calls() []Call {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.calls)
}

// CallsTo returns the recorded calls of one method that Slack accepted (ok:true).
func (s *Server) CallsTo(method string) []Call {
	var out []Call
	for _, c := range s.Calls() {
		if c.Method == method && c.Status == http.StatusOK && c.Error == "" {
			out = append(out, c)
		}
	}
	return out
}

// Message returns the message with ts in channel, as last updated; a deleted message is not
// found.
func (s *Server) Message(channel, ts string) (Message, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	m, ok := s.messages[channel+"/"+ts]
	if !ok || m.Deleted {
		return Message{}, false
	}
	return *m, true
}

// Thread returns the replies in the thread of the message ts that are not deleted, oldest
// first.
func (s *Server) Thread(channel, ts string) []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Message
	for _, k := range s.order {
		if m := s.messages[k]; m.Channel == channel && m.ThreadTS == ts && m.TS != ts && !m.Deleted {
			out = append(out, *m)
		}
	}
	return out
}

// Post adds a message as if someone posted it in Slack (for instance the parent of a thread
// a test replies to) and returns its ts.
func (s *Server) Post(channel, text string) string {
	return s.PostAs(channel, "", "U0SOMEONE", text)
}

// PostAs adds a message by user (an agent writing in the thread threadTS, or in the channel
// when threadTS is empty), as Slack would when a person posts, and returns its ts.
func (s *Server) PostAs(channel, threadTS, user, text string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	ts := s.nextTS()
	m := &Message{Channel: channel, TS: ts, Text: text, User: user}
	if parent, ok := s.messages[channel+"/"+threadTS]; ok {
		m.ThreadTS = threadTS
		parent.ThreadTS = parent.TS
	}
	s.store(m)
	return ts
}

func (s *Server) nextTS() string {
	s.seq++
	return fmt.Sprintf("%d.%06d", 1767225600+s.seq/10000, (s.seq%10000)*100)
}

func (s *Server) store(m *Message) {
	k := m.Channel + "/" + m.TS
	s.messages[k] = m
	s.order = append(s.order, k)
}

// request is a Web API call's arguments, from a form or a JSON body.
type request struct {
	fields  map[string]string
	tokenIn string
	token   string
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	res := s.handle(r)
	// Record before answering, so a client never sees an answer whose call is not recorded.
	s.mu.Lock()
	s.calls = append(s.calls, res.call)
	s.mu.Unlock()
	for k, v := range res.header {
		w.Header()[k] = v
	}
	w.WriteHeader(res.call.Status)
	_, _ = w.Write(res.body)
}

type result struct {
	call   Call
	header http.Header
	body   []byte
}

func (s *Server) handle(r *http.Request) (res result) {
	method := strings.TrimPrefix(r.URL.Path, BasePath)
	res.call = Call{Method: method}
	res.header = http.Header{}
	call := &res.call
	answer := func(status int, body map[string]any) result {
		call.Status = status
		if ok, _ := body["ok"].(bool); !ok {
			call.Error, _ = body["error"].(string)
			if errs, ok := body["errors"].([]string); ok {
				call.Errors = errs
			}
		}
		res.header.Set("Content-Type", "application/json; charset=utf-8")
		res.body, _ = json.Marshal(body)
		return res
	}
	fail := func(code string) result { return answer(http.StatusOK, map[string]any{"ok": false, "error": code}) }

	if !methods[method] {
		return answer(http.StatusNotFound, map[string]any{"ok": false, "error": "unknown_method", "req_method": method})
	}
	// Read methods also take GET with query arguments (slack-go sends chat.getPermalink so).
	if r.Method != http.MethodPost && (r.Method != http.MethodGet || !readMethods[method]) {
		return fail("invalid_post_type")
	}
	req, code := parseRequest(r)
	if code != "" {
		return fail(code)
	}
	call.TokenIn = req.tokenIn
	switch {
	case req.token == "":
		return fail("not_authed")
	case req.token != s.token:
		return fail("invalid_auth")
	}
	if f, ok := s.popFailure(method); ok {
		if f.RetryAfter > 0 {
			res.header.Set("Retry-After", strconv.Itoa(f.RetryAfter))
			if f.Error == "" {
				f.Error = "ratelimited"
			}
			if f.Status == 0 {
				f.Status = http.StatusTooManyRequests
			}
		}
		if f.Status == 0 {
			f.Status = http.StatusOK
		}
		if f.Status >= 500 {
			call.Status, call.Error = f.Status, f.Error
			res.header.Set("Content-Type", "text/html")
			res.body = []byte("<html><body>Service Unavailable</body></html>")
			return res
		}
		return answer(f.Status, map[string]any{"ok": false, "error": f.Error})
	}

	switch method {
	case "files.getUploadURLExternal":
		return s.getUploadURL(req.fields, answer, fail)
	case "files.completeUploadExternal":
		return s.completeUpload(call, req.fields, answer, fail)
	case "files.delete":
		return s.deleteFile(req.fields, answer, fail)
	case "users.info":
		return s.userInfo(req.fields, answer, fail)
	case "conversations.info":
		return s.conversationInfo(req.fields, answer, fail)
	}

	f := req.fields
	call.Channel, call.TS, call.ThreadTS, call.Text = f["channel"], f["ts"], f["thread_ts"], f["text"]
	switch method {
	case "chat.delete", "conversations.replies", "chat.getPermalink":
		if method == "chat.getPermalink" {
			call.TS = f["message_ts"]
		}
		if !s.channels[call.Channel] {
			return fail("channel_not_found")
		}
		s.mu.Lock()
		defer s.mu.Unlock()
		return s.serveMessage(method, call, answer, fail)
	}
	call.ReplyBroadcast = f["reply_broadcast"] == "true"
	if b := f["blocks"]; b != "" {
		call.Blocks = json.RawMessage(b)
	}
	if !s.channels[call.Channel] {
		return fail("channel_not_found")
	}
	if call.Text == "" && f["blocks"] == "" && f["attachments"] == "" {
		return fail("no_text")
	}
	if utf8.RuneCountInString(call.Text) > maxText {
		return fail("msg_too_long")
	}
	if b := f["blocks"]; b != "" {
		if errs := validateBlocks(b); len(errs) > 0 {
			return answer(http.StatusOK, map[string]any{"ok": false, "error": "invalid_blocks", "errors": errs})
		}
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	switch method {
	case "chat.update":
		m, ok := s.messages[call.Channel+"/"+call.TS]
		if !tsRE.MatchString(call.TS) || !ok {
			return fail("message_not_found")
		}
		m.Text, m.Blocks = call.Text, call.Blocks
		m.Edits++
		return answer(http.StatusOK, map[string]any{"ok": true, "channel": m.Channel, "ts": m.TS, "text": m.Text, "message": wire(m)})
	default: // chat.postMessage
		if _, ok := f["thread_ts"]; ok && !tsRE.MatchString(call.ThreadTS) {
			return fail("invalid_thread_ts")
		}
		m := &Message{Channel: call.Channel, TS: s.nextTS(), Text: call.Text, Blocks: call.Blocks, ReplyBroadcast: call.ReplyBroadcast,
			User: BotUserID, BotID: BotID}
		if call.ThreadTS != "" {
			parent, ok := s.messages[call.Channel+"/"+call.ThreadTS]
			switch {
			case !ok:
				call.Orphan = true // Slack posts it, outside any visible thread
			case parent.ThreadTS != "" && parent.ThreadTS != parent.TS:
				m.ThreadTS = parent.ThreadTS // a reply's ts: Slack threads under its parent
			default:
				m.ThreadTS = call.ThreadTS
				parent.ThreadTS = parent.TS
			}
		}
		call.TS = m.TS
		s.store(m)
		return answer(http.StatusOK, map[string]any{"ok": true, "channel": m.Channel, "ts": m.TS, "message": wire(m)})
	}
}

// methods are the Web API methods the fake serves; readMethods also accept GET.
var (
	methods = map[string]bool{"chat.postMessage": true, "chat.update": true, "chat.delete": true,
		"conversations.replies": true, "chat.getPermalink": true, "users.info": true, "conversations.info": true,
		"files.getUploadURLExternal": true, "files.completeUploadExternal": true, "files.delete": true}
	readMethods = map[string]bool{"conversations.replies": true, "chat.getPermalink": true}
)

// serveMessage serves the methods about one existing message or thread; s.mu is held.
func (s *Server) serveMessage(method string, call *Call, answer func(int, map[string]any) result, fail func(string) result) result {
	m, ok := s.messages[call.Channel+"/"+call.TS]
	switch method {
	case "chat.delete":
		if !tsRE.MatchString(call.TS) || !ok || m.Deleted {
			return fail("message_not_found")
		}
		if m.BotID != BotID {
			// A bot token deletes only its own messages: an agent's, or another app's, stays.
			return fail("cant_delete_message")
		}
		m.Deleted = true
		return answer(http.StatusOK, map[string]any{"ok": true, "channel": m.Channel, "ts": m.TS})
	case "chat.getPermalink":
		if !ok || m.Deleted {
			return fail("message_not_found")
		}
		link := "https://frontdesk-test.slack.com/archives/" + m.Channel + "/p" + strings.ReplaceAll(m.TS, ".", "")
		if m.ThreadTS != "" && m.ThreadTS != m.TS {
			link += "?thread_ts=" + m.ThreadTS + "&cid=" + m.Channel
		}
		return answer(http.StatusOK, map[string]any{"ok": true, "channel": m.Channel, "permalink": link})
	default: // conversations.replies
		if !tsRE.MatchString(call.TS) || !ok || (m.Deleted && m.ThreadTS == "") {
			return fail("thread_not_found")
		}
		parent := m
		if m.ThreadTS != "" && m.ThreadTS != m.TS {
			parent = s.messages[call.Channel+"/"+m.ThreadTS] // a reply's ts lists its thread
		}
		var msgs []map[string]any
		for _, k := range s.order {
			r := s.messages[k]
			if r.Channel != call.Channel || (r.TS != parent.TS && r.ThreadTS != parent.TS) {
				continue
			}
			if r.Deleted {
				if r.TS == parent.TS {
					msgs = append(msgs, map[string]any{"type": "message", "subtype": "tombstone", "ts": r.TS,
						"thread_ts": r.TS, "text": "This message was deleted.", "user": "USLACKBOT"})
				}
				continue
			}
			msgs = append(msgs, wire(r))
		}
		return answer(http.StatusOK, map[string]any{"ok": true, "messages": msgs, "has_more": false})
	}
}

// userInfo answers users.info (https://docs.slack.dev/reference/methods/users.info).
func (s *Server) userInfo(f map[string]string, answer func(int, map[string]any) result, fail func(string) result) result {
	id := f["user"]
	if id == "" {
		return fail("invalid_arguments")
	}
	s.mu.Lock()
	u, ok := s.users[id]
	s.mu.Unlock()
	if !ok {
		return fail("user_not_found")
	}
	return answer(http.StatusOK, map[string]any{"ok": true, "user": map[string]any{
		"id": u.ID, "name": u.Name, "real_name": u.RealName, "deleted": false, "is_bot": false,
		"profile": map[string]any{"first_name": u.FirstName, "display_name": u.DisplayName, "real_name": u.RealName},
	}})
}

// conversationInfo answers conversations.info
// (https://docs.slack.dev/reference/methods/conversations.info).
func (s *Server) conversationInfo(f map[string]string, answer func(int, map[string]any) result, fail func(string) result) result {
	id := f["channel"]
	if !s.channels[id] {
		return fail("channel_not_found")
	}
	s.mu.Lock()
	name, ok := s.channelNames[id]
	s.mu.Unlock()
	if !ok {
		name = strings.ToLower(id)
	}
	return answer(http.StatusOK, map[string]any{"ok": true, "channel": map[string]any{
		"id": id, "name": name, "is_channel": true, "is_member": true,
	}})
}

func wire(m *Message) map[string]any {
	out := map[string]any{"type": "message", "text": m.Text, "ts": m.TS, "user": m.User}
	if m.BotID != "" {
		out["subtype"], out["bot_id"] = "bot_message", m.BotID
	}
	if m.ThreadTS != "" {
		out["thread_ts"] = m.ThreadTS
	}
	if len(m.Blocks) > 0 {
		out["blocks"] = m.Blocks
	}
	if len(m.Files) > 0 {
		var files []map[string]any
		for _, f := range m.Files {
			files = append(files, map[string]any{"id": f.ID, "name": f.Name, "title": f.Title, "mimetype": f.MIME, "size": len(f.Data)})
		}
		out["files"] = files
	}
	return out
}

func (s *Server) popFailure(method string) (Failure, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	q := s.fail[method]
	if len(q) == 0 {
		return Failure{}, false
	}
	if q[0].After > 0 {
		q[0].After--
		return Failure{}, false
	}
	s.fail[method] = q[1:]
	return q[0], true
}

var tsRE = regexp.MustCompile(`^\d{10}\.\d{6}$`)

// parseRequest reads the arguments and the token from a form or JSON body, answering Slack's
// error code for a bad content type or body.
func parseRequest(r *http.Request) (request, string) {
	req := request{fields: map[string]string{}}
	if auth := r.Header.Get("Authorization"); auth != "" {
		tok, ok := strings.CutPrefix(auth, "Bearer ")
		if !ok {
			return req, "invalid_auth"
		}
		req.token, req.tokenIn = tok, "header"
	}
	if r.Method == http.MethodGet {
		for k := range r.URL.Query() {
			req.fields[k] = r.URL.Query().Get(k)
		}
		if tok, ok := req.fields["token"]; ok && req.token == "" {
			req.token, req.tokenIn = tok, "query"
		}
		delete(req.fields, "token")
		return req, ""
	}
	ct := r.Header.Get("Content-Type")
	if ct == "" {
		return req, "missing_post_type"
	}
	mt, params, err := mime.ParseMediaType(ct)
	if err != nil {
		return req, "invalid_post_type"
	}
	if cs := params["charset"]; cs != "" && !strings.EqualFold(cs, "utf-8") && !strings.EqualFold(cs, "iso-8859-1") {
		return req, "invalid_charset"
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, 4<<20))
	if err != nil {
		return req, "request_timeout"
	}
	switch mt {
	case "application/x-www-form-urlencoded":
		vals, err := url.ParseQuery(string(body))
		if err != nil {
			return req, "invalid_form_data"
		}
		for k := range vals {
			req.fields[k] = vals.Get(k)
		}
	case "application/json":
		var m map[string]json.RawMessage
		if err := json.Unmarshal(body, &m); err != nil {
			return req, "invalid_json"
		}
		for k, v := range m {
			var str string
			if json.Unmarshal(v, &str) == nil {
				req.fields[k] = str
			} else {
				req.fields[k] = string(v) // blocks, booleans: keep the JSON
			}
		}
	default:
		return req, "invalid_post_type"
	}
	if tok, ok := req.fields["token"]; ok {
		delete(req.fields, "token")
		switch {
		case req.token == "":
			req.token, req.tokenIn = tok, "form"
		case req.token != tok:
			return req, "invalid_auth" // two different tokens
		}
	}
	return req, ""
}

// Block Kit limits (https://docs.slack.dev/reference/block-kit/blocks).
const (
	maxBlocks         = 50
	maxSectionText    = 3000
	maxFieldText      = 2000
	maxFields         = 10
	maxHeaderText     = 150
	maxButtonText     = 75
	maxButtonValue    = 2000
	maxID             = 255
	maxActionElements = 25
	maxContext        = 10
)

// validateBlocks checks what Slack checks of the blocks frontdesk sends, answering Slack-like
// error strings with a JSON pointer.
func validateBlocks(raw string) []string {
	var blocks slack.Blocks
	if err := json.Unmarshal([]byte(raw), &blocks); err != nil {
		return []string{"invalid JSON: " + err.Error()}
	}
	var errs []string
	add := func(i int, where, msg string) {
		errs = append(errs, fmt.Sprintf("%s [json-pointer:/blocks/%d%s]", msg, i, where))
	}
	if n := len(blocks.BlockSet); n == 0 || n > maxBlocks {
		return []string{fmt.Sprintf("must have 1 to %d blocks, has %d", maxBlocks, n)}
	}
	ids := map[string]bool{}
	for i, b := range blocks.BlockSet {
		if id := b.ID(); id != "" {
			if ids[id] {
				add(i, "/block_id", "block_id must be unique in a message")
			}
			ids[id] = true
			if len(id) > maxID {
				add(i, "/block_id", "must be at most 255 characters")
			}
		}
		switch b := b.(type) {
		case *slack.SectionBlock:
			if b.Text == nil && len(b.Fields) == 0 {
				add(i, "", "section needs text or fields")
			}
			if b.Text != nil {
				textErr(add, i, "/text", b.Text, maxSectionText)
			}
			if len(b.Fields) > maxFields {
				add(i, "/fields", "must have at most 10 fields")
			}
			for j, f := range b.Fields {
				textErr(add, i, fmt.Sprintf("/fields/%d", j), f, maxFieldText)
			}
			if b.Accessory != nil && b.Accessory.ButtonElement != nil {
				buttonErr(add, i, "/accessory", b.Accessory.ButtonElement)
			}
		case *slack.HeaderBlock:
			if b.Text == nil || b.Text.Type != slack.PlainTextType {
				add(i, "/text", "header text must be plain_text")
			} else {
				textErr(add, i, "/text", b.Text, maxHeaderText)
			}
		case *slack.ActionBlock:
			if b.Elements == nil || len(b.Elements.ElementSet) == 0 || len(b.Elements.ElementSet) > maxActionElements {
				add(i, "/elements", "actions must have 1 to 25 elements")
				continue
			}
			actionIDs := map[string]bool{}
			for j, e := range b.Elements.ElementSet {
				where := fmt.Sprintf("/elements/%d", j)
				if sel, ok := e.(*slack.SelectBlockElement); ok {
					selectErr(add, i, where, sel)
					continue
				}
				btn, ok := e.(*slack.ButtonBlockElement)
				if !ok {
					continue
				}
				buttonErr(add, i, where, btn)
				if btn.ActionID != "" {
					if actionIDs[btn.ActionID] {
						add(i, where+"/action_id", "action_id must be unique in the block")
					}
					actionIDs[btn.ActionID] = true
				}
			}
		case *slack.ContextBlock:
			if n := len(b.ContextElements.Elements); n == 0 || n > maxContext {
				add(i, "/elements", "context must have 1 to 10 elements")
			}
			for j, e := range b.ContextElements.Elements {
				if t, ok := e.(*slack.TextBlockObject); ok {
					textErr(add, i, fmt.Sprintf("/elements/%d", j), t, maxSectionText)
				}
			}
		case *slack.DividerBlock, *slack.RichTextBlock, *slack.ImageBlock:
		default:
			add(i, "/type", fmt.Sprintf("unsupported block type %q", b.BlockType()))
		}
	}
	return errs
}

func textErr(add func(int, string, string), i int, where string, t *slack.TextBlockObject, max int) {
	switch {
	case t.Type != slack.PlainTextType && t.Type != slack.MarkdownType:
		add(i, where+"/type", "text type must be plain_text or mrkdwn")
	case t.Text == "":
		add(i, where+"/text", "must be more than 0 characters")
	case utf8.RuneCountInString(t.Text) > max:
		add(i, where+"/text", fmt.Sprintf("must be less than %d characters", max+1))
	}
}

// selectErr checks a static_select: 1 to 100 options with plain_text of at most 75 characters
// and values of at most 150, an initial_option that is one of them
// (https://docs.slack.dev/reference/block-kit/block-elements/select-menu-element).
func selectErr(add func(int, string, string), i int, where string, s *slack.SelectBlockElement) {
	if s.Type != slack.OptTypeStatic {
		add(i, where+"/type", fmt.Sprintf("unsupported element type %q", s.Type))
		return
	}
	if len(s.ActionID) > maxID {
		add(i, where+"/action_id", "must be at most 255 characters")
	}
	if n := len(s.Options); n == 0 || n > 100 {
		add(i, where+"/options", "must have 1 to 100 options")
	}
	found := s.InitialOption == nil
	for k, o := range s.Options {
		if o.Text == nil || o.Text.Type != slack.PlainTextType {
			add(i, fmt.Sprintf("%s/options/%d/text", where, k), "option text must be plain_text")
		} else {
			textErr(add, i, fmt.Sprintf("%s/options/%d/text", where, k), o.Text, 75)
		}
		if o.Value == "" || utf8.RuneCountInString(o.Value) > 150 {
			add(i, fmt.Sprintf("%s/options/%d/value", where, k), "option value must be 1 to 150 characters")
		}
		if s.InitialOption != nil && o.Value == s.InitialOption.Value {
			found = true
		}
	}
	if !found {
		add(i, where+"/initial_option", "initial_option must be one of the options")
	}
}

func buttonErr(add func(int, string, string), i int, where string, b *slack.ButtonBlockElement) {
	if b.Text == nil || b.Text.Type != slack.PlainTextType {
		add(i, where+"/text", "button text must be plain_text")
	} else {
		textErr(add, i, where+"/text", b.Text, maxButtonText)
	}
	if len(b.ActionID) > maxID {
		add(i, where+"/action_id", "must be at most 255 characters")
	}
	if utf8.RuneCountInString(b.Value) > maxButtonValue {
		add(i, where+"/value", "must be at most 2000 characters")
	}
	if b.Style != "" && b.Style != slack.StylePrimary && b.Style != slack.StyleDanger {
		add(i, where+"/style", "style must be primary or danger")
	}
}
