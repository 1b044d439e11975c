package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"

	"github.com/frontdesk-app/frontdesk/shared/channel"
	"github.com/frontdesk-app/frontdesk/shared/config"
	"github.com/frontdesk-app/frontdesk/shared/conversation"
	"github.com/frontdesk-app/frontdesk/shared/memstore"
	"github.com/frontdesk-app/frontdesk/shared/outbox"
	"github.com/frontdesk-app/frontdesk/shared/queue"
	"github.com/frontdesk-app/frontdesk/shared/slackapi"
)

// fakeStack serves GET /_local/outbox and the Slack routes: it checks each request the way the
// slack function does (signature, then payload) and answers it with one more outbox entry.
type fakeStack struct {
	t       *testing.T
	mu      sync.Mutex
	entries []outbox.Entry
	events  []*slackevents.MessageEvent
	presses []slack.InteractionCallback
}

func (f *fakeStack) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if r.Method == http.MethodGet && r.URL.Path == "/_local/outbox" {
		_ = json.NewEncoder(w).Encode(f.entries)
		return
	}
	body, _ := io.ReadAll(r.Body)
	if err := slackapi.Verify(r.Header, body, []byte("local-slack-secret"), time.Now()); err != nil {
		f.t.Errorf("%s: signature: %v", r.URL.Path, err)
		http.Error(w, "bad signature", http.StatusUnauthorized)
		return
	}
	switch r.URL.Path {
	case "/slack/events":
		ev, err := slackevents.ParseEvent(body, slackevents.OptionNoVerifyToken())
		msg, ok := ev.InnerEvent.Data.(*slackevents.MessageEvent)
		if err != nil || !ok {
			f.t.Errorf("event %s: %v", body, err)
			return
		}
		f.events = append(f.events, msg)
	case "/slack/interactions":
		form, err := url.ParseQuery(string(body))
		var ic slack.InteractionCallback
		if err != nil || json.Unmarshal([]byte(form.Get("payload")), &ic) != nil {
			f.t.Errorf("interaction %s: %v", body, err)
			return
		}
		f.presses = append(f.presses, ic)
	}
	f.entries = append(f.entries, outbox.Entry{Service: outbox.WhatsApp, Path: "/v25.0/106540352242922/messages",
		Body: json.RawMessage(`{"messaging_product":"whatsapp","to":"491701234567","type":"template","template":{"name":"agent_reply_waiting"}}`)})
}

func TestSlackReplyAndPress(t *testing.T) {
	t.Parallel()
	f := &fakeStack{t: t, entries: []outbox.Entry{
		{Service: outbox.Slack, Path: "/api/chat.postMessage", Body: json.RawMessage(`{"channel":"C0LOCALDESK","text":"Escalation from Messenger"}`)},
		{Service: outbox.Slack, Path: "/api/chat.postMessage", Body: json.RawMessage(`{"channel":"C0LOCALDESK","thread_ts":"1795894819.000002","text":"Recent messages"}`)},
		{Service: outbox.Messenger, Path: "/v25.0/112233445566778/messages", Body: json.RawMessage(`{"recipient":{"id":"6254170001234567"},"message":{"text":"Ja?"}}`)},
	}}
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	env := func(string) string { return "" }

	var out bytes.Buffer
	if err := runSlack(context.Background(), []string{"reply", "--url", srv.URL, "Dein Paket ist unterwegs."}, env, &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	if len(f.events) != 1 {
		t.Fatalf("events = %d, want 1", len(f.events))
	}
	m := f.events[0]
	if m.Channel != "C0LOCALDESK" || m.ThreadTimeStamp != "1795894819.000002" || m.TimeStamp == m.ThreadTimeStamp ||
		m.User == "" || m.Text != "Dein Paket ist unterwegs." || m.BotID != "" {
		t.Errorf("event = %+v: want a human's reply in the latest thread", m)
	}
	if got := out.String(); !strings.Contains(got, "[whatsapp] (template agent_reply_waiting)") {
		t.Errorf("output = %q, want the calls frontdesk made", got)
	}

	if err := runSlack(context.Background(), []string{"press", "--url", srv.URL, "--thread", "1795894819.000002", "--channel", "C0LOCALDESK", "resolve"}, env, io.Discard, io.Discard); err != nil {
		t.Fatal(err)
	}
	if len(f.presses) != 1 {
		t.Fatalf("presses = %d, want 1", len(f.presses))
	}
	ic := f.presses[0]
	if ic.Type != slack.InteractionTypeBlockActions || len(ic.ActionCallback.BlockActions) != 1 ||
		ic.ActionCallback.BlockActions[0].ActionID != slackapi.ActionIDResolve || ic.Container.MessageTs != "1795894819.000002" || ic.Container.ChannelID != "C0LOCALDESK" {
		t.Errorf("interaction = %+v", ic)
	}

	for _, args := range [][]string{{"press", "--url", srv.URL, "explode"}, {"reply", "--url", srv.URL}, {"nope", "--url", srv.URL}} {
		if err := runSlack(context.Background(), args, env, io.Discard, io.Discard); err == nil {
			t.Errorf("runSlack(%q) = nil, want an error", args)
		}
	}
}

// TestSlackCLISpeaksForTheLocalWorkspace runs `frontdesk slack` against the real Slack handler
// configured as the local stack is (its team and app allow-list): a request for another
// workspace would be refused with 401 and the command would fail.
// localSlack serves the real Slack handler configured as the local stack is (its workspace
// and app allow-list, an escalated conversation in C0LOCALDESK / 1795894819.000002) and the
// outbox the command reads; it returns the URL and the events queued so far.
func localSlack(t *testing.T) (string, func() []queue.Message) {
	t.Helper()
	const ch, ts = "C0LOCALDESK", "1795894819.000002"
	store := memstore.New()
	c := &conversation.Conversation{Key: channel.Key{Surface: channel.Messenger, Account: "112233445566778", User: "6254170001234567"},
		Status: conversation.Escalated, SlackChannel: ch, ThreadTS: ts, ExpiresAt: time.Now().Add(time.Hour)}
	if err := store.PutConversation(t.Context(), c); err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	entries := []outbox.Entry{{Service: outbox.Slack, Path: "/api/chat.postMessage", Body: json.RawMessage(`{"channel":"C0LOCALDESK","thread_ts":"1795894819.000002","text":"Recent messages"}`)}}
	var queued []queue.Message
	cfg, err := config.FromEnv(localEnv(func(string) string { return "" }))
	if err != nil {
		t.Fatal(err)
	}
	slackHandler := slackapi.NewHandler(slackapi.HandlerConfig{
		SigningSecret: []byte(cfg.SlackSigning.Reveal()), TeamIDs: cfg.SlackTeamIDs, AppID: cfg.SlackAppID,
		Conversations: store, Dedup: store, Logger: slog.New(slog.DiscardHandler),
		Queue: queue.SenderFunc(func(_ context.Context, m queue.Message) error {
			mu.Lock()
			defer mu.Unlock()
			queued = append(queued, m)
			// What the bot would do next, so the command sees a call in the outbox.
			entries = append(entries, outbox.Entry{Service: outbox.Messenger, Path: "/v25.0/112233445566778/messages",
				Body: json.RawMessage(`{"recipient":{"id":"6254170001234567"},"message":{"text":"ok"}}`)})
			return nil
		}),
	})
	mux := http.NewServeMux()
	mux.HandleFunc("GET /_local/outbox", func(w http.ResponseWriter, _ *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		_ = json.NewEncoder(w).Encode(entries)
	})
	mux.Handle("/slack/", slackHandler)
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)

	return srv.URL, func() []queue.Message {
		mu.Lock()
		defer mu.Unlock()
		return slices.Clone(queued)
	}
}

func TestSlackCLISpeaksForTheLocalWorkspace(t *testing.T) {
	t.Parallel()
	url, queued := localSlack(t)
	env := func(string) string { return "" }
	for _, args := range [][]string{{"reply", "--url", url, "Dein Paket ist unterwegs."}, {"press", "--url", url, "claim"}} {
		if err := runSlack(t.Context(), args, env, io.Discard, io.Discard); err != nil {
			t.Fatalf("frontdesk slack %s: %v", args[0], err)
		}
	}
	if n := len(queued()); n != 2 {
		t.Errorf("queued %d agent events, want the reply and the press", n)
	}
	// Another workspace's id in the environment is refused by the same handler.
	other := func(k string) string {
		if k == "SLACK_TEAM_IDS" {
			return "T0ELSEWHERE"
		}
		return ""
	}
	if err := runSlack(t.Context(), []string{"press", "--url", url, "--timeout", "1s", "claim"}, other, io.Discard, io.Discard); err == nil || !strings.Contains(err.Error(), "401") {
		t.Errorf("a press for another workspace = %v, want the handler's 401", err)
	}
}

// TestEventsSpeakForTheLocalWorkspace: the stored Slack events name the workspace and app the
// local stack (and events/env.json) obey, so `sam local invoke` with them is not refused.
func TestEventsSpeakForTheLocalWorkspace(t *testing.T) {
	t.Parallel()
	files, err := filepath.Glob("../../events/slack/*.json")
	if err != nil || len(files) == 0 {
		t.Fatalf("events/slack: %v (%d files)", err, len(files))
	}
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var ev struct {
			Body            string `json:"body"`
			IsBase64Encoded bool   `json:"isBase64Encoded"`
		}
		if err := json.Unmarshal(raw, &ev); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		body := ev.Body
		if ev.IsBase64Encoded {
			b, err := base64.StdEncoding.DecodeString(body)
			if err != nil {
				t.Fatalf("%s: %v", f, err)
			}
			body = string(b)
		}
		if strings.Contains(body, `"type":"url_verification"`) {
			continue // names no workspace
		}
		if form, err := url.ParseQuery(body); err == nil && form.Get("payload") != "" {
			body = form.Get("payload")
		}
		for _, want := range []string{localSettings["SLACK_TEAM_IDS"], localSettings["SLACK_APP_ID"]} {
			if !strings.Contains(body, want) {
				t.Errorf("%s does not name %s, the local stack's workspace and app", filepath.Base(f), want)
			}
		}
	}
}

// TestDocsDeskCommands runs the frontdesk slack lines of docs/desk.md as written against the
// local stack's Slack handler: each is accepted and queued.
func TestDocsDeskCommands(t *testing.T) {
	t.Parallel()
	doc, err := os.ReadFile("../../docs/desk.md")
	if err != nil {
		t.Fatal(err)
	}
	url, queued := localSlack(t)
	n := 0
	for _, line := range strings.Split(string(doc), "\n") {
		cmd, ok := strings.CutPrefix(line, "$ go run ./cmd/frontdesk slack ")
		if !ok {
			continue
		}
		cmd, _, _ = strings.Cut(cmd, "#")
		args := shellWords(cmd)
		args = append([]string{args[0], "--url", url}, args[1:]...)
		if err := runSlack(t.Context(), args, func(string) string { return "" }, io.Discard, io.Discard); err != nil {
			t.Errorf("%s: %v", line, err)
		}
		n++
	}
	if n == 0 || len(queued()) != n {
		t.Errorf("ran %d commands, queued %d events; want one each", n, len(queued()))
	}
}

// shellWords splits a command line as a shell would for these docs: spaces, double quotes.
func shellWords(s string) []string {
	var out []string
	var cur strings.Builder
	quoted, in := false, false
	for _, r := range s {
		switch {
		case r == '"':
			quoted, in = !quoted, true
		case r == ' ' && !quoted:
			if in {
				out = append(out, cur.String())
				cur.Reset()
			}
			in = false
		default:
			cur.WriteRune(r)
			in = true
		}
	}
	if in {
		out = append(out, cur.String())
	}
	return out
}
