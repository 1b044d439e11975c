package slackapi

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/frontdesk-app/frontdesk/shared/apperr"
	"github.com/frontdesk-app/frontdesk/shared/bot"
	"github.com/frontdesk-app/frontdesk/shared/channel"
	"github.com/frontdesk-app/frontdesk/shared/conversation"
	"github.com/frontdesk-app/frontdesk/shared/desk/desktest"
	"github.com/frontdesk-app/frontdesk/shared/faq"
	"github.com/frontdesk-app/frontdesk/shared/memstore"
)

// recorded is what frontdesk must make of a payload recorded by others (testdata/recorded,
// sources in its SOURCES file).
type recorded struct {
	// parse is what the parser yields: "agent", "challenge", "ignored" or "invalid".
	parse string
	// ignored is the parser's reason, when parse is "ignored" ("" accepts any reason).
	ignored string
	// agent is the agent event parsed (Key unset), when parse is "agent".
	agent *channel.AgentEvent
	// status is the handler's answer when frontdesk is configured for the payload's own
	// workspace and app (the team_id and api_app_id it names).
	status int
	// thread, when set, is escalated (a WhatsApp conversation) before the request, so an agent
	// event reaches the bot.
	thread *desktestThread
	// customer is what the bot sends the customer; desk the status lines it posts.
	customer string
	desk     []string
}

type desktestThread struct{ channel, ts string }

var recordedWants = map[string]recorded{
	// A human's reply in a thread, sent to the channel too, in an Enterprise Grid org: it goes to
	// the customer and claims the escalation.
	"bolt-python/event_message_thread_broadcast.json": {parse: "agent", agent: &channel.AgentEvent{
		ID: "Ev111", Action: channel.ActionReply, Channel: "C111", ThreadTS: "1633663824.000500", MessageTS: "1633670813.007500",
		User: "U111", Text: "Hi there!", At: time.Date(2021, 10, 8, 5, 26, 53, 7_500_000, time.UTC)},
		status: 200, thread: &desktestThread{"C111", "1633663824.000500"},
		customer: "Hi there!", desk: []string{"update 1633663824.000500: claimed", "note 1633663824.000500: Claimed by U111, who replied."}},
	// Another app's button: nothing for frontdesk.
	"bolt-python/interaction_block_actions.json": {parse: "ignored", ignored: "no button of frontdesk's", status: 200},
	// bolt's fixture has no api_app_id; Slack sends one with every command
	// (https://docs.slack.dev/interactivity/implementing-slash-commands/): a command naming no app
	// is refused.
	"bolt-python/command_hello_world.form": {parse: "ignored", status: 401},
	// Recorded in a real workspace: a bot's reply in a thread (ours would be one: no echo), and
	// top-level messages, an edit and a deletion outside any thread.
	"slack-web/event_botMessage.json":                       {parse: "ignored", ignored: "bot message", status: 200},
	"slack-web/event_channel_left.json":                     {parse: "ignored", ignored: "inner type channel_left", status: 200},
	"slack-web/event_messageChange.json":                    {parse: "ignored", ignored: "not a thread reply", status: 200},
	"slack-web/event_messageExample.json":                   {parse: "ignored", ignored: "not a thread reply", status: 200},
	"slack-web/event_message_deleted.json":                  {parse: "ignored", ignored: "not a thread reply", status: 200},
	"slack-web/event_message_file_share_slack_connect.json": {parse: "ignored", status: 200},
	"slack-web/event_message_file_share.json":               {parse: "ignored", ignored: "not a thread reply", status: 200},
	// The Java SDK's shape samples (every field present, every value empty): no outer type, no
	// workspace; the handler refuses what names no workspace.
	"java-slack-sdk/event_MessageChangedPayload.json":         {parse: "ignored", ignored: "outer type ", status: 401},
	"java-slack-sdk/event_MessageDeletedPayload.json":         {parse: "ignored", ignored: "outer type ", status: 401},
	"java-slack-sdk/event_MessageThreadBroadcastPayload.json": {parse: "ignored", ignored: "outer type ", status: 401},
	// An empty string where Slack sends a number (attachment_id): slack-go's types refuse it,
	// and so does the parser (400); Slack itself never sends it.
	"java-slack-sdk/interaction_BlockActionPayload.json": {parse: "invalid", status: 400},
	"slack-go/event_app_mention.json":                    {parse: "ignored", ignored: "inner type app_mention", status: 200},
	"slack-go/event_message_assistant_thread.json":       {parse: "ignored", ignored: "not a thread reply", status: 200},
	"slack-go/event_url_verification.json":               {parse: "challenge", status: 200},
	"slack-go/event_app_rate_limited.json":               {parse: "ignored", ignored: "app_rate_limited", status: 200},
}

// recordedBody is the request body of a recorded file: interactions are posted as a form.
func recordedBody(name string, raw []byte) (path string, body []byte) {
	switch {
	case strings.HasPrefix(filepath.Base(name), "interaction_"):
		return "/slack/interactions", interactionBody(raw)
	case strings.HasPrefix(filepath.Base(name), "command_"):
		return "/slack/commands", []byte(strings.TrimSpace(string(raw)))
	}
	return "/slack/events", raw
}

// parseRecorded runs the parser of the file's kind.
func parseRecorded(path string, body []byte) (kind string, ignored string, agents []channel.AgentEvent, o Origin, err error) {
	switch path {
	case "/slack/interactions":
		in, err := ParseInteraction(body)
		if err == nil && len(in.Agents) == 0 {
			return "ignored", in.Ignored, nil, in.Origin, nil
		}
		return "agent", "", in.Agents, in.Origin, err
	case "/slack/commands":
		c, err := ParseCommand(body)
		return "ignored", "", nil, c.Origin, err
	}
	ev, err := ParseEvent(body)
	switch {
	case err != nil:
	case ev.Challenge != "":
		return "challenge", "", nil, ev.Origin, nil
	case ev.Agent == nil:
		return "ignored", ev.Ignored, nil, ev.Origin, nil
	default:
		return "agent", "", []channel.AgentEvent{*ev.Agent}, ev.Origin, nil
	}
	return "", "", nil, ev.Origin, err
}

// sentReplies records what the bot sends customers.
type sentReplies struct {
	mu      sync.Mutex
	replies []channel.Reply
}

func (s *sentReplies) Send(_ context.Context, _ channel.Key, r channel.Reply) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.replies = append(s.replies, r)
	return fmt.Sprintf("wamid.%d", len(s.replies)), nil
}

// TestRecordedPayloads runs every payload of testdata/recorded through the parser, the handler
// (configured for the payload's own workspace and app, then for ours, which is another) and,
// for an agent event, the bot.
func TestRecordedPayloads(t *testing.T) {
	t.Parallel()
	files, err := filepath.Glob("testdata/recorded/*/*")
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, f := range files {
		name := strings.TrimPrefix(filepath.ToSlash(f), "testdata/recorded/")
		seen[name] = true
		want, ok := recordedWants[name]
		if !ok {
			t.Errorf("testdata/recorded/%s has no expectation in recordedWants", name)
			continue
		}
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			raw, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			path, body := recordedBody(name, raw)

			// The parser.
			kind, ignored, agents, origin, err := parseRecorded(path, body)
			switch {
			case want.parse == "invalid":
				if !apperr.Is(err, apperr.Invalid) {
					t.Fatalf("parse error = %v, want invalid input", err)
				}
			case err != nil:
				t.Fatalf("parse: %v", err)
			case kind != want.parse:
				t.Fatalf("parsed as %s (%q), want %s", kind, ignored, want.parse)
			case want.ignored != "" && ignored != want.ignored:
				t.Errorf("ignored because %q, want %q", ignored, want.ignored)
			}
			if want.agent != nil {
				if diff := cmp.Diff([]channel.AgentEvent{*want.agent}, agents); diff != "" {
					t.Errorf("agent events (-want +got):\n%s", diff)
				}
			}

			// The handler, configured for the payload's own workspace and app.
			now := time.Now()
			store := memstore.New()
			if want.thread != nil {
				c := &conversation.Conversation{Key: channel.Key{Surface: channel.WhatsApp, Account: "106540352242922", User: "491701234567"},
					Status: conversation.Escalated, Locale: "en", SlackChannel: want.thread.channel, ThreadTS: want.thread.ts,
					LastInboundAt: now.Add(-time.Hour), EscalatedAt: now.Add(-time.Hour), CreatedAt: now.Add(-time.Hour), ExpiresAt: now.Add(time.Hour)}
				if err := store.PutConversation(t.Context(), c); err != nil {
					t.Fatal(err)
				}
			}
			team := or(origin.Team, "T0FRONTDSK")
			q := &memQueue{}
			h := NewHandler(HandlerConfig{SigningSecret: testSecret, TeamIDs: []string{team}, AppID: or(origin.App, "A0FRONTDSK"),
				Conversations: store, Dedup: store, Queue: q, Now: func() time.Time { return now }, Logger: slog.New(slog.DiscardHandler)})
			w := doRequest(h, signedRequest(path, body, now))
			if w.Code != want.status {
				t.Fatalf("status = %d (%s), want %d", w.Code, w.Body, want.status)
			}
			wantQueued := 0
			if want.thread != nil {
				wantQueued = len(agents)
			}
			if n := len(q.sent()); n != wantQueued {
				t.Fatalf("queued %d, want %d", n, wantQueued)
			}

			// For frontdesk's own workspace the payload is another's: refused, nothing queued
			// (url_verification names none, a malformed body is a 400 first).
			ours := NewHandler(HandlerConfig{SigningSecret: testSecret, TeamIDs: []string{"T0FRONTDSK"}, AppID: "A0FRONTDSK",
				Conversations: store, Dedup: &seenStore{}, Queue: &memQueue{}, Now: func() time.Time { return now }, Logger: slog.New(slog.DiscardHandler)})
			wantOurs := http.StatusUnauthorized
			if want.parse == "challenge" || want.parse == "invalid" {
				wantOurs = want.status
			}
			if w := doRequest(ours, signedRequest(path, body, now)); w.Code != wantOurs {
				t.Errorf("status in our workspace = %d, want %d", w.Code, wantOurs)
			}
			if wantQueued == 0 {
				return
			}

			// The bot applies what was queued.
			sender, d := &sentReplies{}, &desktest.Desk{}
			b := &bot.Bot{Conversations: store, Dedup: store, Sender: sender, Desk: d, Retention: 24 * time.Hour, DefaultLocale: "en",
				Brain:  brainFunc(func(faq.Input) faq.Decision { return faq.Decision{Action: faq.Escalate} }),
				Logger: slog.New(slog.DiscardHandler), Now: func() time.Time { return now }}
			for _, m := range q.sent() {
				var ev channel.Event
				if err := json.Unmarshal(m.Body, &ev); err != nil {
					t.Fatal(err)
				}
				if err := b.Handle(t.Context(), ev); err != nil {
					t.Fatalf("bot: %v", err)
				}
			}
			var texts []string
			for _, r := range sender.replies {
				texts = append(texts, r.Text)
			}
			if !slices.Equal(texts, []string{want.customer}) {
				t.Errorf("the customer got %q, want %q", texts, want.customer)
			}
			if diff := cmp.Diff(want.desk, d.Lines()); diff != "" {
				t.Errorf("desk (-want +got):\n%s", diff)
			}
		})
	}
	for name := range recordedWants {
		if !seen[name] {
			t.Errorf("recordedWants names %s, which is not in testdata/recorded", name)
		}
	}
}

type brainFunc func(faq.Input) faq.Decision

func (f brainFunc) Decide(in faq.Input) faq.Decision { return f(in) }

func or(v, def string) string {
	if v == "" {
		return def
	}
	return v
}

func doRequest(h http.Handler, r *http.Request) *httptest.ResponseRecorder {
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}
