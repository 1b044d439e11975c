package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/frontdesk-app/frontdesk/shared/channel"
	"github.com/frontdesk-app/frontdesk/shared/consent"
	"github.com/frontdesk-app/frontdesk/shared/meta"
	"github.com/frontdesk-app/frontdesk/shared/meta/metatest"
	"github.com/frontdesk-app/frontdesk/shared/outbox"
	"github.com/frontdesk-app/frontdesk/shared/slackapi"
)

// localStack runs the local stack as "frontdesk serve" does, with nothing leaving the machine.
func localStack(t *testing.T) (*stack, *httptest.Server) {
	t.Helper()
	st, err := newStack(t.Context(), localEnv(func(string) string { return "" }), func(string) bool { return false },
		"../../template.yaml", slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(st.Close)
	srv := httptest.NewServer(st.mux)
	t.Cleanup(srv.Close)
	return st, srv
}

func (s *stack) idle(t *testing.T) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
	defer cancel()
	if err := s.queue.Wait(ctx); err != nil {
		t.Fatal(err)
	}
}

func postSigned(t *testing.T, srv *httptest.Server, m metatest.Message) {
	t.Helper()
	b, err := metatest.Payload(m)
	if err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequestWithContext(t.Context(), http.MethodPost, srv.URL+"/webhooks/meta", bytes.NewReader(b.Body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Hub-Signature-256", meta.Sign(b.Body, []byte(localSecrets["META_APP_SECRET"])))
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("webhook = %d", resp.StatusCode)
	}
}

type slackCall struct {
	path           string
	channel, ts    string
	threadTS, text string
	answeredTS     string
}

func slackCalls(es []outbox.Entry) []slackCall {
	var out []slackCall
	for _, e := range es {
		if e.Service != outbox.Slack {
			continue
		}
		var b struct{ Channel, TS, Text string }
		var th struct {
			ThreadTS string `json:"thread_ts"`
		}
		var r struct{ TS string }
		_ = json.Unmarshal(e.Body, &b)
		_ = json.Unmarshal(e.Body, &th)
		_ = json.Unmarshal(e.Response, &r)
		out = append(out, slackCall{path: e.Path[strings.LastIndex(e.Path, "/")+1:], channel: b.Channel, ts: b.TS,
			threadTS: th.ThreadTS, text: b.Text, answeredTS: r.TS})
	}
	return out
}

// Locally, a data deletion callback for a customer with an escalated thread shows in the outbox
// as chat.delete of every message the bot posted in that thread, and one erasure line.
func TestLocalDataDeletionErasesTheThread(t *testing.T) {
	st, srv := localStack(t)
	const wa = "4915100000077"
	postSigned(t, srv, metatest.Message{Surface: channel.WhatsApp, From: wa, Text: "Ich möchte mit einem Mitarbeiter sprechen"})
	st.idle(t)
	postSigned(t, srv, metatest.Message{Surface: channel.WhatsApp, From: wa, Text: "Hallo? Meine Mail ist erika@example.com"})
	st.idle(t)

	var card string
	var bot []string
	for _, c := range slackCalls(st.outbox.Entries()) {
		if c.path != "chat.postMessage" {
			continue
		}
		if card == "" && c.threadTS == "" {
			card = c.answeredTS
		}
		if c.answeredTS == card || c.threadTS == card {
			bot = append(bot, c.answeredTS)
		}
	}
	if card == "" || len(bot) < 3 {
		t.Fatalf("escalation thread not in the outbox: card %q, bot messages %v", card, bot)
	}
	before := len(st.outbox.Entries())

	now := time.Now()
	signed, err := consent.SignRequest(map[string]any{"algorithm": "HMAC-SHA256", "issued_at": now.Unix(),
		"expires": now.Add(time.Hour).Unix(), "user_id": wa}, []byte(localSecrets["META_APP_SECRET"]))
	if err != nil {
		t.Fatal(err)
	}
	resp, err := srv.Client().Post(srv.URL+"/meta/data-deletion", "application/x-www-form-urlencoded",
		strings.NewReader(url.Values{"signed_request": {signed}}.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("data deletion = %d %s", resp.StatusCode, body)
	}

	var deleted []string
	lines := 0
	for _, c := range slackCalls(st.outbox.Entries()[before:]) {
		switch {
		case c.path == "chat.delete":
			deleted = append(deleted, c.ts)
		case c.path == "chat.postMessage" && c.threadTS == card && c.text == slackapi.ErasedLine:
			lines++
		case c.path == "chat.postMessage":
			t.Errorf("unexpected post during the erasure: %+v", c)
		}
	}
	slices.Sort(bot)
	got := slices.Clone(deleted)
	slices.Sort(got)
	if !slices.Equal(got, bot) {
		t.Errorf("chat.delete of %v, want every bot message of the thread %v", deleted, bot)
	}
	if lines != 1 {
		t.Errorf("%d erasure lines, want 1", lines)
	}
}
