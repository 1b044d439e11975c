// Package outbox is the local stand-in for every outbound API: an http.RoundTripper that records
// each Graph API send, Conversions API event and Slack Web API call and answers it the way the
// real API answers (a WhatsApp message id, Slack's ok with a ts, ...), so that flows behave
// locally as they do in production.
//
// GET /_local/outbox lists the recorded calls in order as
// [{"at", "service", "method", "path", "body", "response"}], where service is one of whatsapp,
// messenger, instagram, slack, capi, body is the JSON body the real API would have received (form
// bodies, as slack-go sends them, are shown as a JSON object) and response what the outbox
// answered for it; DELETE /_local/outbox empties it. It keeps the newest Max calls (DefaultMax
// unless set): older ones are dropped, so a stack left running does not grow without bound.
package outbox

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"
)

// Entry is one recorded outbound call.
type Entry struct {
	At      time.Time       `json:"at"`
	Service string          `json:"service"`
	Method  string          `json:"method"`
	Path    string          `json:"path"`
	Body    json.RawMessage `json:"body"`
	// Response is what the outbox answered in the real API's place (a Slack message's ts, a
	// WhatsApp message id).
	Response json.RawMessage `json:"response,omitempty"`
}

// Services.
const (
	WhatsApp  = "whatsapp"
	Messenger = "messenger"
	Instagram = "instagram"
	Slack     = "slack"
	CAPI      = "capi"
	Other     = "other"
)

// What the outbox's users.info and conversations.info answer for any user and channel.
const (
	LocalAgentName   = "Alex"
	LocalChannelName = "support"
)

// DefaultMax is how many calls New's outbox keeps.
const DefaultMax = 1000

// Outbox records outbound calls. The zero value is not usable; call New.
type Outbox struct {
	// Max is how many calls are kept, the newest; 0 keeps all.
	Max int
	// Now is the clock for Entry.At.
	Now func() time.Time
	// InstagramAccounts are the account ids whose /messages sends are Instagram sends.
	InstagramAccounts []string
	// Real, when set, receives the calls of the services Pass reports true for (real
	// credentials configured), instead of recording them.
	Real http.RoundTripper
	Pass func(service string) bool
	// OnRecord, when set, is called with each entry after it is recorded (the local console).
	OnRecord func(Entry)

	mu      sync.Mutex
	entries []Entry
	seq     int
	stored  map[string]*localFile
	order   []string // stored ids, oldest first
}

// New returns an empty outbox.
func New() *Outbox { return &Outbox{Now: time.Now, Max: DefaultMax} }

// Entries returns a copy of the recorded calls in order.
func (o *Outbox) Entries() []Entry {
	o.mu.Lock()
	defer o.mu.Unlock()
	return slices.Clone(o.entries)
}

// record keeps e, the newest Max entries, and tells OnRecord.
func (o *Outbox) record(e Entry) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.recordLocked(e)
}

func (o *Outbox) recordLocked(e Entry) {
	o.entries = append(o.entries, e)
	if o.OnRecord != nil {
		// Under the lock, so observers see the entries in the order they were recorded.
		o.OnRecord(e)
	}
	if o.Max > 0 && len(o.entries) > o.Max {
		o.entries = slices.Clone(o.entries[len(o.entries)-o.Max:])
	}
}

// Reset empties the outbox.
func (o *Outbox) Reset() {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.entries = nil
}

// RoundTrip implements http.RoundTripper.
func (o *Outbox) RoundTrip(req *http.Request) (*http.Response, error) {
	var body []byte
	if req.Body != nil {
		b, err := io.ReadAll(req.Body)
		req.Body.Close()
		if err != nil {
			return nil, fmt.Errorf("outbox: read body: %w", err)
		}
		body = b
	}
	service := o.classify(req, body)
	if o.Real != nil && o.Pass != nil && o.Pass(service) {
		r2 := req.Clone(req.Context())
		r2.Body = io.NopCloser(bytes.NewReader(body))
		return o.Real.RoundTrip(r2)
	}
	if resp, ok := o.download(req); ok {
		o.record(Entry{At: o.Now().UTC(), Service: service, Method: req.Method, Path: req.URL.Path, Body: json.RawMessage("null"),
			Response: json.RawMessage(fmt.Sprintf(`{"bytes":%d}`, resp.ContentLength))})
		return resp, nil
	}
	var jsonBody json.RawMessage
	var err error
	if ct := req.Header.Get("Content-Type"); strings.HasPrefix(ct, "multipart/form-data") {
		jsonBody, err = multipartSummary(ct, body)
	} else {
		jsonBody, err = asJSON(ct, body)
	}
	if err != nil {
		return respond(req, http.StatusBadRequest, graphError(err.Error(), 100)), nil
	}
	if m := mediaLookupRE.FindStringSubmatch(req.URL.Path); m != nil && req.Method == http.MethodGet && service == WhatsApp {
		resp, _ := json.Marshal(o.mediaLookup(m[1]))
		o.record(Entry{At: o.Now().UTC(), Service: service, Method: req.Method, Path: req.URL.Path, Body: jsonBody, Response: resp})
		return respondRaw(req, http.StatusOK, resp), nil
	}

	o.mu.Lock()
	o.seq++
	now := o.Now()
	e := Entry{At: now.UTC(), Service: service, Method: req.Method, Path: req.URL.Path, Body: jsonBody}
	resp, _ := json.Marshal(answer(service, req.URL.Path, jsonBody, o.seq, now))
	e.Response = resp
	o.recordLocked(e)
	o.mu.Unlock()

	return respondRaw(req, http.StatusOK, resp), nil
}

func (o *Outbox) classify(req *http.Request, body []byte) string {
	host := req.URL.Hostname()
	path := req.URL.Path
	switch {
	case strings.HasSuffix(host, "slack.com") || strings.Contains(path, "/api/chat.") || strings.Contains(path, "/api/conversations.") ||
		strings.Contains(path, "/api/users.") || strings.Contains(path, "/api/files."):
		return Slack
	case strings.HasSuffix(host, "fbsbx.com") || strings.HasPrefix(path, "/whatsapp_business/"):
		return WhatsApp
	case strings.HasSuffix(host, "fbcdn.net"):
		return Messenger
	case strings.HasSuffix(path, "/events"):
		return CAPI
	case strings.HasSuffix(path, "/media") || (req.Method == http.MethodGet && mediaLookupRE.MatchString(path)):
		return WhatsApp
	case strings.HasSuffix(path, "/messages"):
		var probe struct {
			MessagingProduct string `json:"messaging_product"`
		}
		_ = json.Unmarshal(body, &probe)
		if probe.MessagingProduct == "whatsapp" && !strings.HasPrefix(req.Header.Get("Content-Type"), "multipart/") {
			return WhatsApp
		}
		if host == "graph.instagram.com" {
			return Instagram
		}
		parts := strings.Split(strings.Trim(path, "/"), "/")
		if len(parts) >= 2 && slices.Contains(o.InstagramAccounts, parts[len(parts)-2]) {
			return Instagram
		}
		return Messenger
	}
	return Other
}

// asJSON returns the body as JSON: JSON bodies as they are, form bodies as an object whose
// JSON-valued fields (blocks, attachments, metadata) are embedded as JSON.
func asJSON(contentType string, body []byte) (json.RawMessage, error) {
	if len(bytes.TrimSpace(body)) == 0 {
		return json.RawMessage("null"), nil
	}
	if strings.HasPrefix(contentType, "application/x-www-form-urlencoded") {
		vals, err := url.ParseQuery(string(body))
		if err != nil {
			return nil, fmt.Errorf("form body: %w", err)
		}
		obj := map[string]any{}
		for k, v := range vals {
			if k == "token" {
				continue // slack-go may send the token in the form: never record it
			}
			val := v[len(v)-1]
			if json.Valid([]byte(val)) && (strings.HasPrefix(val, "[") || strings.HasPrefix(val, "{")) {
				obj[k] = json.RawMessage(val)
			} else {
				obj[k] = val
			}
		}
		return json.Marshal(obj)
	}
	if !json.Valid(body) {
		return nil, fmt.Errorf("body is not valid JSON")
	}
	return json.RawMessage(body), nil
}

func answer(service, path string, body json.RawMessage, seq int, now time.Time) any {
	var b struct {
		To        string          `json:"to"`
		Channel   string          `json:"channel"`
		TS        string          `json:"ts"`
		Text      string          `json:"text"`
		Recipient json.RawMessage `json:"recipient"`
		Data      []any           `json:"data"`
		User      string          `json:"user"`
	}
	_ = json.Unmarshal(body, &b)
	switch service {
	case WhatsApp:
		if strings.HasSuffix(path, "/media") {
			return map[string]any{"id": fmt.Sprintf("%d", 8000000000000000+seq)}
		}
		return map[string]any{
			"messaging_product": "whatsapp",
			"contacts":          []map[string]string{{"input": b.To, "wa_id": b.To}},
			"messages":          []map[string]string{{"id": fmt.Sprintf("wamid.LOCAL%06d", seq)}},
		}
	case Messenger, Instagram:
		var r struct {
			ID        string `json:"id"`
			CommentID string `json:"comment_id"`
		}
		_ = json.Unmarshal(b.Recipient, &r)
		if r.ID == "" && r.CommentID == "" {
			// a multipart attachment send records recipient as a JSON string
			var raw string
			if json.Unmarshal(b.Recipient, &raw) == nil {
				_ = json.Unmarshal([]byte(raw), &r)
			}
		}
		return map[string]string{"recipient_id": r.ID + r.CommentID, "message_id": fmt.Sprintf("m_LOCAL%06d", seq)}
	case CAPI:
		return map[string]any{"events_received": len(b.Data), "messages": []string{}, "fbtrace_id": fmt.Sprintf("LOCAL%06d", seq)}
	case Slack:
		ts := fmt.Sprintf("%d.%06d", now.Unix(), seq)
		switch {
		case strings.HasSuffix(path, "chat.postMessage"):
			return map[string]any{"ok": true, "channel": b.Channel, "ts": ts,
				"message": map[string]any{"type": "message", "text": b.Text, "ts": ts, "bot_id": "BLOCAL"}}
		case strings.HasSuffix(path, "chat.update"):
			return map[string]any{"ok": true, "channel": b.Channel, "ts": b.TS, "text": b.Text}
		case strings.HasSuffix(path, "chat.postEphemeral"):
			return map[string]any{"ok": true, "message_ts": ts}
		case strings.HasSuffix(path, "files.getUploadURLExternal"):
			id := fmt.Sprintf("F0LOCALUP%06d", seq)
			return map[string]any{"ok": true, "upload_url": slackUpload + id, "file_id": id}
		case strings.HasPrefix(path, "/upload/v1/"):
			return map[string]any{"ok": true}
		case strings.HasSuffix(path, "files.completeUploadExternal"):
			var f struct {
				Files json.RawMessage `json:"files"`
			}
			_ = json.Unmarshal(body, &f)
			return map[string]any{"ok": true, "files": f.Files}
		case strings.HasSuffix(path, "users.info"):
			// Every local agent is called LocalAgentName.
			return map[string]any{"ok": true, "user": map[string]any{"id": b.User, "name": "local.agent", "real_name": LocalAgentName + " Local",
				"profile": map[string]any{"first_name": LocalAgentName, "display_name": "local.agent", "real_name": LocalAgentName + " Local"}}}
		case strings.HasSuffix(path, "conversations.info"):
			return map[string]any{"ok": true, "channel": map[string]any{"id": b.Channel, "name": LocalChannelName, "is_channel": true}}
		}
		return map[string]any{"ok": true}
	}
	return map[string]any{"error": map[string]any{"message": "Unknown path components: " + path, "type": "OAuthException", "code": 2500}}
}

func graphError(msg string, code int) any {
	return map[string]any{"error": map[string]any{"message": msg, "type": "OAuthException", "code": code, "fbtrace_id": "LOCAL"}}
}

func respond(req *http.Request, status int, v any) *http.Response {
	b, _ := json.Marshal(v)
	return respondRaw(req, status, b)
}

func respondRaw(req *http.Request, status int, b []byte) *http.Response {
	return &http.Response{
		StatusCode:    status,
		Status:        fmt.Sprintf("%d %s", status, http.StatusText(status)),
		Proto:         "HTTP/1.1",
		ProtoMajor:    1,
		ProtoMinor:    1,
		Header:        http.Header{"Content-Type": {"application/json"}},
		Body:          io.NopCloser(bytes.NewReader(b)),
		ContentLength: int64(len(b)),
		Request:       req,
	}
}

// Handler serves GET and DELETE /_local/outbox.
func (o *Outbox) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /_local/outbox", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		entries := o.Entries()
		if entries == nil {
			entries = []Entry{}
		}
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		_ = enc.Encode(entries)
	})
	mux.HandleFunc("POST /_local/media", o.registerFile)
	mux.HandleFunc("POST /_local/slack-files", o.registerFile)
	mux.HandleFunc("DELETE /_local/outbox", func(w http.ResponseWriter, r *http.Request) {
		o.Reset()
		w.WriteHeader(http.StatusNoContent)
	})
	return mux
}
