package meta

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/frontdesk-app/frontdesk/shared/channel"
	"github.com/frontdesk-app/frontdesk/shared/metrics"
	"github.com/frontdesk-app/frontdesk/shared/queue"
)

const testVerifyToken = "local-verify-token"

// recorder is a queue.Sender that records messages, or fails with err.
type recorder struct {
	mu   sync.Mutex
	msgs []queue.Message
	err  error
}

func (r *recorder) Send(_ context.Context, m queue.Message) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.err != nil {
		return r.err
	}
	r.msgs = append(r.msgs, m)
	return nil
}

func (r *recorder) messages() []queue.Message {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]queue.Message(nil), r.msgs...)
}

var fixedNow = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

func newTestWebhook(q queue.Sender) http.Handler {
	return NewWebhook(WebhookConfig{
		AppSecret:   testSecret,
		VerifyToken: testVerifyToken,
		Queue:       q,
		Logger:      slog.New(slog.DiscardHandler),
		Now:         func() time.Time { return fixedNow },
	})
}

func readTestdata(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestWebhookVerify(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		query    string
		want     int
		wantBody string
	}{
		{"good token", "hub.mode=subscribe&hub.verify_token=local-verify-token&hub.challenge=1158201444", 200, "1158201444"},
		{"wrong token", "hub.mode=subscribe&hub.verify_token=nope&hub.challenge=1158201444", 403, ""},
		{"missing token", "hub.mode=subscribe&hub.challenge=1158201444", 400, ""},
		{"missing challenge", "hub.mode=subscribe&hub.verify_token=local-verify-token", 400, ""},
		{"missing mode", "hub.verify_token=local-verify-token&hub.challenge=1", 400, ""},
		{"wrong mode", "hub.mode=unsubscribe&hub.verify_token=local-verify-token&hub.challenge=1", 400, ""},
		{"no params", "", 400, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			rec := httptest.NewRecorder()
			newTestWebhook(&recorder{}).ServeHTTP(rec, httptest.NewRequest(http.MethodGet, Path+"?"+tt.query, nil))
			if rec.Code != tt.want {
				t.Fatalf("status = %d, want %d (body %s)", rec.Code, tt.want, rec.Body)
			}
			if tt.want == 200 {
				if got := rec.Body.String(); got != tt.wantBody {
					t.Errorf("body = %q, want %q", got, tt.wantBody)
				}
				if ct := rec.Header().Get("Content-Type"); !strings.HasPrefix(ct, "text/plain") {
					t.Errorf("Content-Type = %q, want text/plain", ct)
				}
				return
			}
			var e struct{ Error, Kind string }
			if err := json.Unmarshal(rec.Body.Bytes(), &e); err != nil || e.Error == "" {
				t.Errorf("body = %s, want an apperr JSON error", rec.Body)
			}
		})
	}
}

func TestWebhookVerifyWithoutConfiguredToken(t *testing.T) {
	t.Parallel()
	h := NewWebhook(WebhookConfig{AppSecret: testSecret, Queue: &recorder{}})
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, Path+"?hub.mode=subscribe&hub.verify_token=x&hub.challenge=1", nil))
	if rec.Code != http.StatusForbidden {
		t.Errorf("status = %d, want 403", rec.Code)
	}
}

func TestWebhookReceive(t *testing.T) {
	t.Parallel()
	text := readTestdata(t, "whatsapp_text.json")
	big := append([]byte(`{"object":"page","entry":[],"pad":"`), bytes.Repeat([]byte("a"), MaxBodyBytes)...)
	big = append(big, `"}`...)
	tests := []struct {
		name        string
		body        []byte
		sig         string // "" means sign correctly
		contentType string
		queueErr    error
		want        int
		wantQueued  int
	}{
		{"whatsapp text", text, "", "application/json", nil, 200, 1},
		{"content type with charset", text, "", "application/json; charset=utf-8", nil, 200, 1},
		{"bad signature", text, "sha256=" + strings.Repeat("0", 64), "application/json", nil, 401, 0},
		{"missing signature", text, "-", "application/json", nil, 401, 0},
		{"wrong content type", text, "", "text/plain", nil, 415, 0},
		{"missing content type", text, "", "", nil, 415, 0},
		{"not json", []byte(`{"object":`), "", "application/json", nil, 400, 0},
		{"json array", []byte(`[1,2]`), "", "application/json", nil, 400, 0},
		{"too large", big, "", "application/json", nil, 413, 0},
		{"queue down", text, "", "application/json", errors.New("sqs: throttled"), 503, 0},
		{"unknown object acknowledged", []byte(`{"object":"user","entry":[{"id":"1","changes":[{"field":"name","value":{}}]}]}`), "", "application/json", nil, 200, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			q := &recorder{err: tt.queueErr}
			req := httptest.NewRequest(http.MethodPost, Path, bytes.NewReader(tt.body))
			if tt.contentType != "" {
				req.Header.Set("Content-Type", tt.contentType)
			}
			switch tt.sig {
			case "":
				req.Header.Set(SignatureHeader, Sign(tt.body, testSecret))
			case "-":
			default:
				req.Header.Set(SignatureHeader, tt.sig)
			}
			rec := httptest.NewRecorder()
			newTestWebhook(q).ServeHTTP(rec, req)
			if rec.Code != tt.want {
				t.Fatalf("status = %d, want %d (body %s)", rec.Code, tt.want, rec.Body)
			}
			if got := len(q.messages()); got != tt.wantQueued {
				t.Errorf("queued %d messages, want %d", got, tt.wantQueued)
			}
		})
	}
}

func TestWebhookEnqueuesEvent(t *testing.T) {
	t.Parallel()
	body := readTestdata(t, "whatsapp_text.json")
	q := &recorder{}
	req := httptest.NewRequest(http.MethodPost, Path, bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set(SignatureHeader, Sign(body, testSecret))
	rec := httptest.NewRecorder()
	newTestWebhook(q).ServeHTTP(rec, req)
	if rec.Code != 200 {
		t.Fatalf("status = %d, want 200", rec.Code)
	}
	msgs := q.messages()
	if len(msgs) != 1 {
		t.Fatalf("queued %d, want 1", len(msgs))
	}
	m := msgs[0]
	const wamid = "wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQTRBNjU5OUFFRTAzODEwMTQ0RgA="
	if m.GroupID != "whatsapp#106540352242922#16505551234" {
		t.Errorf("GroupID = %q, want whatsapp#106540352242922#16505551234", m.GroupID)
	}
	if m.DeduplicationID != wamid {
		t.Errorf("DeduplicationID = %q, want %q", m.DeduplicationID, wamid)
	}
	var ev channel.Event
	if err := json.Unmarshal(m.Body, &ev); err != nil || ev.Inbound == nil {
		t.Fatalf("body %s is not a channel.Event with an inbound: %v", m.Body, err)
	}
	if ev.Inbound.Text != "Does it come in another color?" || ev.Inbound.Kind != channel.KindMessage || ev.Inbound.Name != "Sheena Nelson" {
		t.Errorf("inbound = %+v, want the text message from Sheena Nelson", *ev.Inbound)
	}
	if want := time.Unix(1749416383, 0).UTC(); !ev.Inbound.At.Equal(want) {
		t.Errorf("At = %v, want %v", ev.Inbound.At, want)
	}
}

func postSigned(t testing.TB, h http.Handler, body []byte) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequest(http.MethodPost, Path, bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set(SignatureHeader, Sign(body, testSecret))
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

// TestWebhookQueuesWhatTheBotActsOn: receipts, non-failed statuses and standby events are
// acknowledged but not queued; everything else is, one message per event, grouped by
// conversation.
func TestWebhookQueuesWhatTheBotActsOn(t *testing.T) {
	t.Parallel()
	tests := []struct {
		file      string
		wantIDs   []string
		wantGroup string
	}{
		{"whatsapp_batch.json", []string{"wamid.HBgLMTY1MDU1NTEyMzQVAgASGBQzQkFUMDE=", "wamid.HBgLMTY1MDU1NTEyMzQVAgASGBQzQkFUMDI=", "wamid.HBgNNDkxNTExMjM0NTY3OBUCABIYFDNC"}, ""},
		{"whatsapp_status_delivered_read.json", nil, ""},
		{"whatsapp_status_failed.json", []string{"wamid.HBgLMTY1MDU1NTEyMzQVAgARGBJGQUlMRURfMDEA:failed"}, "whatsapp#106540352242922#16505551234"},
		{"messenger_standby.json", nil, ""},
		{"messenger_read.json", nil, ""},
		{"messenger_echo_inbox.json", []string{"m_ECH02kjsdf8sdf7sdf6sdf5sdf4"}, "messenger#1067280970047460#6990125541061880"},
		{"page_feed_comment.json", []string{"122134567890123456_1234567890123456"}, "comment#1067280970047460#7123456789012345"},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			t.Parallel()
			q := &recorder{}
			rec := postSigned(t, newTestWebhook(q), readTestdata(t, tt.file))
			if rec.Code != 200 {
				t.Fatalf("status = %d, want 200", rec.Code)
			}
			var ids []string
			for _, m := range q.messages() {
				ids = append(ids, m.DeduplicationID)
				if tt.wantGroup != "" && m.GroupID != tt.wantGroup {
					t.Errorf("GroupID = %q, want %q", m.GroupID, tt.wantGroup)
				}
			}
			if diff := cmp.Diff(tt.wantIDs, ids); diff != "" {
				t.Errorf("queued ids (-want +got):\n%s", diff)
			}
		})
	}
}

// TestWebhookPartialEnqueueFailure: when the queue fails midway the webhook answers 503 so
// Meta retries the batch.
func TestWebhookPartialEnqueueFailure(t *testing.T) {
	t.Parallel()
	n := 0
	q := queue.SenderFunc(func(context.Context, queue.Message) error {
		n++
		if n == 2 {
			return errors.New("sqs: throttled")
		}
		return nil
	})
	rec := postSigned(t, newTestWebhook(q), readTestdata(t, "whatsapp_batch.json"))
	if rec.Code != http.StatusServiceUnavailable {
		t.Errorf("status = %d, want 503", rec.Code)
	}
	if n != 2 {
		t.Errorf("%d send attempts, want 2 (stop at the first failure)", n)
	}
	if strings.Contains(rec.Body.String(), "throttled") {
		t.Errorf("body %s leaks the internal error", rec.Body)
	}
}

func TestWebhookStampsMissingTime(t *testing.T) {
	t.Parallel()
	body := []byte(`{"object":"page","entry":[{"id":"1","messaging":[{"sender":{"id":"2"},"recipient":{"id":"1"},"message":{"mid":"m_1","text":"hi"}}]}]}`)
	q := &recorder{}
	if rec := postSigned(t, newTestWebhook(q), body); rec.Code != 200 {
		t.Fatalf("status = %d, want 200", rec.Code)
	}
	var ev channel.Event
	if err := json.Unmarshal(q.messages()[0].Body, &ev); err != nil {
		t.Fatal(err)
	}
	if !ev.Inbound.At.Equal(fixedNow) {
		t.Errorf("At = %v, want the webhook's Now %v", ev.Inbound.At, fixedNow)
	}
}

// TestWebhookLogsNoContent: nothing the customer wrote, and no user id, reaches the log.
func TestWebhookLogsNoContent(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	h := NewWebhook(WebhookConfig{AppSecret: testSecret, VerifyToken: testVerifyToken, Queue: &recorder{},
		Logger: slog.New(slog.NewJSONHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))})
	for _, f := range []string{"whatsapp_text.json", "whatsapp_system.json", "messenger_text.json", "page_feed_comment.json"} {
		postSigned(t, h, readTestdata(t, f))
	}
	out := buf.String()
	if out == "" {
		t.Fatal("nothing logged")
	}
	for _, secret := range []string{"another color", "16505551234", "Sheena", "6990125541061880", "Vienna", "Switzerland", "7123456789012345", "16505559999"} {
		if strings.Contains(out, secret) {
			t.Errorf("log contains %q:\n%s", secret, out)
		}
	}
}

func FuzzWebhook(f *testing.F) {
	for _, file := range payloads(f) {
		b, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b, true)
	}
	for _, r := range recorded(f) {
		f.Add(r.Body, true)
	}
	f.Add([]byte("{}"), false)
	h := newTestWebhook(queue.SenderFunc(func(context.Context, queue.Message) error { return nil }))
	f.Fuzz(func(t *testing.T, body []byte, sign bool) {
		req := httptest.NewRequest(http.MethodPost, Path, bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		if sign {
			req.Header.Set(SignatureHeader, Sign(body, testSecret))
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code >= 500 {
			t.Fatalf("status = %d for body %q", rec.Code, body)
		}
		if !sign && rec.Code != http.StatusUnauthorized {
			t.Fatalf("unsigned body answered %d, want 401", rec.Code)
		}
	})
}

func TestWebhookWithoutQueue(t *testing.T) {
	t.Parallel()
	h := NewWebhook(WebhookConfig{AppSecret: testSecret, VerifyToken: testVerifyToken})
	if rec := postSigned(t, h, readTestdata(t, "whatsapp_text.json")); rec.Code != http.StatusInternalServerError {
		t.Errorf("status = %d, want 500 (misconfigured, Meta retries)", rec.Code)
	}
}

// countMetrics is a metrics.Recorder that counts.
type countMetrics struct {
	mu sync.Mutex
	n  map[string]int
}

func (c *countMetrics) Count(name string, n int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.n == nil {
		c.n = map[string]int{}
	}
	c.n[name] += n
}

func (c *countMetrics) Milliseconds(string, time.Duration) {}

// A signed webhook for an account the deployment does not serve is acknowledged, so Meta does
// not retry it, and nothing of it is queued; it is counted and logged. Events of a batch for
// our accounts still go through.
func TestWebhookForeignAccounts(t *testing.T) {
	t.Parallel()
	q := &recorder{}
	m := &countMetrics{}
	logs := &bytes.Buffer{}
	h := NewWebhook(WebhookConfig{
		AppSecret: testSecret, VerifyToken: testVerifyToken, Queue: q, Metrics: m,
		Logger: slog.New(slog.NewJSONHandler(logs, nil)), Now: func() time.Time { return fixedNow },
		// whatsapp_batch.json holds two numbers; only the first is ours.
		Accounts: &Accounts{WhatsApp: []string{"106540352242922"}, Pages: []string{"1067280970047460"}},
	})
	rec := postSigned(t, h, readTestdata(t, "whatsapp_batch.json"))
	if rec.Code != http.StatusOK {
		t.Fatalf("status = %d, want 200", rec.Code)
	}
	msgs := q.messages()
	if len(msgs) != 2 {
		t.Fatalf("queued %d events, want the 2 of the served number", len(msgs))
	}
	for _, msg := range msgs {
		if !strings.Contains(msg.GroupID, "106540352242922") {
			t.Errorf("queued an event of group %s", msg.GroupID)
		}
	}
	if got := m.n[metrics.UnknownAccounts]; got != 1 {
		t.Errorf("UnknownAccounts = %d, want 1", got)
	}
	if !strings.Contains(logs.String(), "109876543210987") || !strings.Contains(logs.String(), "does not serve") {
		t.Errorf("no log line names the foreign account: %s", logs)
	}

	// A number that is not ours at all: 200, nothing queued.
	q2 := &recorder{}
	h2 := NewWebhook(WebhookConfig{AppSecret: testSecret, VerifyToken: testVerifyToken, Queue: q2,
		Accounts: &Accounts{WhatsApp: []string{"100000000000001"}}})
	if rec := postSigned(t, h2, readTestdata(t, "whatsapp_text.json")); rec.Code != http.StatusOK || len(q2.messages()) != 0 {
		t.Errorf("foreign number: status %d, %d queued; want 200 and nothing", rec.Code, len(q2.messages()))
	}
}

func TestAccountsServes(t *testing.T) {
	t.Parallel()
	a := &Accounts{WhatsApp: []string{"106540352242922"}, Pages: []string{"112233"}, Instagram: []string{"178414"}}
	for _, tt := range []struct {
		key  channel.Key
		want bool
	}{
		{channel.Key{Surface: channel.WhatsApp, Account: "106540352242922"}, true},
		{channel.Key{Surface: channel.WhatsApp, Account: "112233"}, false},
		{channel.Key{Surface: channel.Messenger, Account: "112233"}, true},
		{channel.Key{Surface: channel.Instagram, Account: "178414"}, true},
		{channel.Key{Surface: channel.Instagram, Account: "112233"}, false},
		{channel.Key{Surface: channel.Comment, Account: "112233"}, true},
		{channel.Key{Surface: channel.Comment, Account: "178414"}, true},
		{channel.Key{Surface: channel.Messenger, Account: "../112233"}, false},
		{channel.Key{Surface: channel.Messenger, Account: "112233/"}, false},
		{channel.Key{Surface: channel.Messenger, Account: ""}, false},
		{channel.Key{Surface: "email", Account: "112233"}, false},
	} {
		if got := a.Serves(tt.key); got != tt.want {
			t.Errorf("Serves(%v) = %v, want %v", tt.key, got, tt.want)
		}
	}
	if !(*Accounts)(nil).Serves(channel.Key{Surface: channel.Messenger, Account: "1"}) {
		t.Error("a nil allow-list must serve every account (tests)")
	}
}

// TestWebhookKeepsGroupsOut: a WhatsApp group message is acknowledged and not queued, so it can
// neither be answered privately nor touch the participant's one-to-one conversation; the log
// says so without its content.
func TestWebhookKeepsGroupsOut(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	q := &recorder{}
	h := NewWebhook(WebhookConfig{AppSecret: testSecret, VerifyToken: testVerifyToken, Queue: q,
		Logger: slog.New(slog.NewJSONHandler(&buf, nil))})
	var body []byte
	for _, r := range recorded(t) {
		if r.File == "meta_whatsapp_group_text.json" {
			body = r.Body
		}
	}
	if rec := postSigned(t, h, body); rec.Code != http.StatusOK {
		t.Fatalf("status = %d, want 200", rec.Code)
	}
	if len(q.msgs) != 0 {
		t.Errorf("queued %d messages, want none", len(q.msgs))
	}
	out := buf.String()
	if !strings.Contains(out, "group message not queued") {
		t.Errorf("the log does not say the group message was left out:\n%s", out)
	}
	for _, s := range []string{"What do you all think", "16505551234", "Y2FwaV9ncm91cD"} {
		if strings.Contains(out, s) {
			t.Errorf("log contains %q", s)
		}
	}
}
