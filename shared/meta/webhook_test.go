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

	"github.com/frontdesk-app/frontdesk/shared/channel"
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
