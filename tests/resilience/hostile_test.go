package resilience_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/frontdesk-app/frontdesk/internal/testenv"
	"github.com/frontdesk-app/frontdesk/shared/app"
	"github.com/frontdesk-app/frontdesk/shared/config"
	"github.com/frontdesk-app/frontdesk/shared/memstore"
	"github.com/frontdesk-app/frontdesk/shared/meta"
	"github.com/frontdesk-app/frontdesk/shared/queue"
	"github.com/frontdesk-app/frontdesk/shared/samtemplate"
)

// Hostile requests to every route of template.yaml get the right 4xx with a
// clear JSON error and queue nothing.

// countingQueue is a queue.Sender that counts and drops what it is given.
type countingQueue struct {
	mu   sync.Mutex
	sent []queue.Message
}

func (q *countingQueue) Send(_ context.Context, m queue.Message) error {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.sent = append(q.sent, m)
	return nil
}

func (q *countingQueue) count() int {
	q.mu.Lock()
	defer q.mu.Unlock()
	return len(q.sent)
}

// lightStack is the stack on the embedded store with a counting queue: the ingress handlers
// never reach the bot, so no AWS is needed. Outbound calls go nowhere.
func lightStack(t testing.TB, q queue.Sender) http.Handler {
	t.Helper()
	env := map[string]string{
		"SLACK_CHANNEL": deskChannel, "PUBLIC_BASE_URL": "https://frontdesk.example",
		"GRAPH_API_BASE_URL": "http://127.0.0.1:1/graph", "SLACK_API_URL": "http://127.0.0.1:1/api/",
		"META_APP_SECRET": appSecret, "META_VERIFY_TOKEN": verifyToken, "WHATSAPP_TOKEN": waToken,
		"PAGE_TOKEN": pageToken, "INSTAGRAM_TOKEN": igToken, "SLACK_BOT_TOKEN": slackToken,
		"SLACK_SIGNING_SECRET": slackSigning, "CONSENT_API_KEY": consentKey, "SUBJECT_PEPPER": pepper,
		"WHATSAPP_PHONE_NUMBER_IDS": waPhoneID, "PAGE_IDS": pageID, "INSTAGRAM_ACCOUNT_IDS": igID,
		"SLACK_TEAM_IDS": slackTeam, "SLACK_APP_ID": slackApp,
	}
	cfg, err := config.FromEnv(func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	ms := memstore.New()
	stack, err := app.NewStack(app.Deps{
		Config: cfg, Conversations: ms, Dedup: ms, Consent: ms, Queue: q,
		HTTP: &http.Client{Timeout: time.Second}, Logger: testLogger(t), Now: time.Now,
	})
	if err != nil {
		t.Fatal(err)
	}
	root, err := testenv.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	routes, err := samtemplate.ReadRoutes(filepath.Join(root, "template.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	mux, err := stack.Mux(routes)
	if err != nil {
		t.Fatal(err)
	}
	return mux
}

// hostile is one request and the answer it must get.
type hostile struct {
	name   string
	req    func() *http.Request
	status int
	// errorHas is a word the JSON error message must contain, case-insensitively.
	errorHas string
}

func metaPost(body []byte, contentType, signature string) func() *http.Request {
	return func() *http.Request {
		r := httptest.NewRequest(http.MethodPost, "/webhooks/meta", bytes.NewReader(body))
		if contentType != "" {
			r.Header.Set("Content-Type", contentType)
		}
		if signature != "" {
			r.Header.Set(meta.SignatureHeader, signature)
		}
		return r
	}
}

// signedMeta is body signed with the app secret, sent as JSON.
func signedMeta(body []byte) func() *http.Request {
	return metaPost(body, "application/json", meta.Sign(body, []byte(appSecret)))
}

// slackPost signs body as Slack would at the time at.
func slackPost(path, contentType string, body []byte, at time.Time) func() *http.Request {
	return func() *http.Request {
		ts := strconv.FormatInt(at.Unix(), 10)
		r := httptest.NewRequest(http.MethodPost, path, bytes.NewReader(body))
		r.Header.Set("Content-Type", contentType)
		r.Header.Set("X-Slack-Request-Timestamp", ts)
		r.Header.Set("X-Slack-Signature", slackSignature(ts, body))
		return r
	}
}

func consentPost(body []byte, contentType, key string) func() *http.Request {
	return func() *http.Request {
		r := httptest.NewRequest(http.MethodPost, "/consent", bytes.NewReader(body))
		r.Header.Set("Content-Type", contentType)
		if key != "" {
			r.Header.Set("X-Api-Key", key)
		}
		return r
	}
}

// huge is a body over every route's limit (5 MB), a JSON object so only the size is wrong.
var huge = []byte(`{"object":"page","entry":[],"pad":"` + strings.Repeat("a", 5<<20) + `"}`)

// chunked sends a body without Content-Length, as a client that streams would.
func chunked(r func() *http.Request) func() *http.Request {
	return func() *http.Request {
		req := r()
		req.ContentLength = -1
		req.Body = io.NopCloser(struct{ io.Reader }{req.Body})
		return req
	}
}

func hostileRequests() []hostile {
	now := time.Now()
	wa := waText(customer(90), wamid("hostile", 1), textAnswered, now)
	slackEvent := threadReplyEvent("Ev0HOSTILE01", "1767225600.000100", "hi", now)
	return []hostile{
		// Meta webhook.
		{"meta: malformed JSON", signedMeta([]byte(`{"object":"whatsapp_business_account","entry":[`)), 400, "json"},
		{"meta: empty body", signedMeta(nil), 400, ""},
		{"meta: JSON array", signedMeta([]byte(`[{"object":"page"}]`)), 400, ""},
		{"meta: wrong field types", signedMeta([]byte(`{"object":"page","entry":"not a list"}`)), 400, ""},
		{"meta: wrong content type", metaPost(wa, "text/plain", meta.Sign(wa, []byte(appSecret))), 415, "content-type"},
		{"meta: form content type", metaPost(wa, "application/x-www-form-urlencoded", meta.Sign(wa, []byte(appSecret))), 415, "content-type"},
		{"meta: no content type", metaPost(wa, "", meta.Sign(wa, []byte(appSecret))), 415, "content-type"},
		{"meta: missing signature", metaPost(wa, "application/json", ""), 401, "signature"},
		{"meta: wrong signature", metaPost(wa, "application/json", meta.Sign(wa, []byte("another-secret"))), 401, "signature"},
		{"meta: signature of another body", metaPost(wa, "application/json", meta.Sign([]byte("{}"), []byte(appSecret))), 401, "signature"},
		{"meta: sha1 signature", metaPost(wa, "application/json", "sha1="+strings.Repeat("ab", 20)), 401, "signature"},
		{"meta: truncated signature", metaPost(wa, "application/json", meta.Sign(wa, []byte(appSecret))[:20]), 401, "signature"},
		{"meta: 5 MB body", signedMeta(huge), 413, "body"},
		{"meta: 5 MB body without length", chunked(signedMeta(huge)), 413, "body"},
		{"meta: handshake with a wrong token", func() *http.Request {
			return httptest.NewRequest(http.MethodGet, "/webhooks/meta?hub.mode=subscribe&hub.verify_token=wrong&hub.challenge=42", nil)
		}, 403, "verify_token"},
		{"meta: handshake without parameters", func() *http.Request { return httptest.NewRequest(http.MethodGet, "/webhooks/meta", nil) }, 400, "hub.mode"},

		// Slack.
		{"slack events: missing signature", func() *http.Request {
			r := httptest.NewRequest(http.MethodPost, "/slack/events", bytes.NewReader(slackEvent))
			r.Header.Set("Content-Type", "application/json")
			return r
		}, 401, "signature"},
		{"slack events: wrong signature", func() *http.Request {
			r := slackPost("/slack/events", "application/json", slackEvent, now)()
			r.Header.Set("X-Slack-Signature", "v0="+strings.Repeat("ab", 32))
			return r
		}, 401, "signature"},
		{"slack events: replayed timestamp", slackPost("/slack/events", "application/json", slackEvent, now.Add(-10*time.Minute)), 401, "timestamp"},
		{"slack events: timestamp from the future", slackPost("/slack/events", "application/json", slackEvent, now.Add(10*time.Minute)), 401, "timestamp"},
		{"slack events: malformed JSON", slackPost("/slack/events", "application/json", []byte(`{"type":"event_callback",`), now), 400, "json"},
		{"slack events: 5 MB body", slackPost("/slack/events", "application/json", huge, now), 413, "body"},
		{"slack interactions: payload not JSON", slackPost("/slack/interactions", "application/x-www-form-urlencoded",
			[]byte(url.Values{"payload": {"{not json"}}.Encode()), now), 400, "payload"},
		{"slack interactions: no payload", slackPost("/slack/interactions", "application/x-www-form-urlencoded", []byte("a=b"), now), 400, "payload"},
		{"slack commands: 5 MB body", slackPost("/slack/commands", "application/x-www-form-urlencoded", huge, now), 413, "body"},

		// Consent API and Meta's data deletion callback.
		{"consent: missing API key", consentPost([]byte(`{"subject":"whatsapp:491701234567","state":"denied"}`), "application/json", ""), 401, "api-key"},
		{"consent: wrong API key", consentPost([]byte(`{"subject":"whatsapp:491701234567","state":"denied"}`), "application/json", "wrong"), 401, "api key"},
		{"consent: malformed JSON", consentPost([]byte(`{"subject":`), "application/json", consentKey), 400, "json"},
		{"consent: wrong field type", consentPost([]byte(`{"subject":42,"state":"denied"}`), "application/json", consentKey), 400, "wrong type"},
		{"consent: unknown state", consentPost([]byte(`{"subject":"whatsapp:491701234567","state":"maybe"}`), "application/json", consentKey), 400, "state"},
		{"consent: unknown field", consentPost([]byte(`{"subject":"whatsapp:491701234567","state":"denied","admin":true}`), "application/json", consentKey), 400, "unknown field"},
		{"consent: wrong content type", consentPost([]byte(`{"subject":"whatsapp:491701234567","state":"denied"}`), "text/plain", consentKey), 415, "content-type"},
		{"consent: 5 MB body", consentPost(huge, "application/json", consentKey), 413, "body"},
		{"consent: invalid UTF-8 subject", consentPost([]byte("{\"subject\":\"whatsapp:49\xff170\",\"state\":\"denied\"}"), "application/json", consentKey), 400, "user id"},
		{"data deletion: no signed_request", func() *http.Request {
			r := httptest.NewRequest(http.MethodPost, "/meta/data-deletion", strings.NewReader("a=b"))
			r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			return r
		}, 400, "signed_request"},
		{"data deletion: forged signed_request", func() *http.Request {
			r := httptest.NewRequest(http.MethodPost, "/meta/data-deletion", strings.NewReader("signed_request=AAAA.eyJ1c2VyX2lkIjoiMSJ9"))
			r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			return r
		}, 401, "signature"},
	}
}

func TestHostileRequests(t *testing.T) {
	t.Parallel()
	// One stack for every case (building one loads the FAQ model): the cases run one after
	// another, so each sees only its own queued messages.
	q := &countingQueue{}
	mux := lightStack(t, q)
	for _, tt := range hostileRequests() {
		t.Run(tt.name, func(t *testing.T) {
			before := q.count()
			w := httptest.NewRecorder()
			mux.ServeHTTP(w, tt.req())
			if w.Code != tt.status {
				t.Errorf("status = %d, want %d (body %.200s)", w.Code, tt.status, w.Body)
			}
			var e struct {
				Error string `json:"error"`
				Kind  string `json:"kind"`
			}
			if ct := w.Header().Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
				t.Errorf("Content-Type = %q, want application/json", ct)
			}
			if err := json.Unmarshal(w.Body.Bytes(), &e); err != nil || e.Error == "" {
				t.Errorf("body = %.200q, want a JSON object with an error message", w.Body)
			} else if !strings.Contains(strings.ToLower(e.Error), tt.errorHas) {
				t.Errorf("error = %q, want it to mention %q", e.Error, tt.errorHas)
			}
			if n := q.count() - before; n != 0 {
				t.Errorf("queued %d messages, want none", n)
			}
		})
	}
}

// TestUnknownObjectAcknowledged: a correctly signed webhook of an object frontdesk does not
// handle is acknowledged (200) and queues nothing. A 4xx would make Meta retry it for days and
// eventually disable the subscription; the handler logs it instead.
func TestUnknownObjectAcknowledged(t *testing.T) {
	t.Parallel()
	q := &countingQueue{}
	mux := lightStack(t, q)
	body := []byte(`{"object":"user","entry":[{"id":"1","time":1749416383,"changes":[{"field":"email","value":"x"}]}]}`)
	w := httptest.NewRecorder()
	mux.ServeHTTP(w, signedMeta(body)())
	if w.Code != http.StatusOK {
		t.Errorf("status = %d, want 200 (body %s)", w.Code, w.Body)
	}
	if n := q.count(); n != 0 {
		t.Errorf("queued %d messages, want none", n)
	}
}

// TestHostileControl: the same stack queues a valid webhook, so "queued nothing" above is a
// result and not a broken counter.
func TestHostileControl(t *testing.T) {
	t.Parallel()
	q := &countingQueue{}
	mux := lightStack(t, q)
	w := httptest.NewRecorder()
	mux.ServeHTTP(w, signedMeta(waText(customer(91), wamid("control", 1), textAnswered, time.Now()))())
	if w.Code != http.StatusOK || q.count() != 1 {
		t.Errorf("valid webhook: status %d, queued %d; want 200 and 1", w.Code, q.count())
	}
}
