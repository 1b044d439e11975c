package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"

	"github.com/frontdesk-app/frontdesk/shared/outbox"
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
