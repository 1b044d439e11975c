package slackapi

import (
	"bytes"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/slack-go/slack"

	"github.com/frontdesk-app/frontdesk/shared/apperr"
	"github.com/frontdesk-app/frontdesk/shared/channel"
	"github.com/frontdesk-app/frontdesk/shared/conversation"
	"github.com/frontdesk-app/frontdesk/shared/desk"
)

const (
	// testTeam and testApp are the workspace and app of every payload in testdata: the local
	// stack's defaults too (cmd/frontdesk), so events/slack holds for `make run`.
	testTeam = "T0FRONTDSK"
	testApp  = "A0FRONTDSK"

	threadTS     = "1767225600.000100" // the card of the escalation in testdata
	testdataDesk = "C0DESK"
)

func escalated() *conversation.Conversation {
	return &conversation.Conversation{
		Key: testKey, Status: conversation.Escalated, Locale: "de",
		SlackChannel: testdataDesk, ThreadTS: threadTS, EscalationReason: desk.ReasonAskedForHuman,
		EscalatedAt: testNow.Add(-35 * time.Minute), UpdatedAt: testNow.Add(-35 * time.Minute), Version: 3,
	}
}

type harness struct {
	h     http.Handler
	store *convStore
	seen  *seenStore
	queue *memQueue
}

func newHarness(t *testing.T, convs ...*conversation.Conversation) *harness {
	t.Helper()
	hs := &harness{store: newConvStore(t, convs...), seen: &seenStore{}, queue: &memQueue{}}
	hs.h = NewHandler(HandlerConfig{
		SigningSecret: testSecret,
		TeamIDs:       []string{testTeam},
		AppID:         testApp,
		Conversations: hs.store,
		Dedup:         hs.seen,
		Queue:         hs.queue,
		Now:           func() time.Time { return testNow },
		Logger:        slog.New(slog.DiscardHandler),
	})
	return hs
}

func readTestdata(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return bytes.TrimSpace(b)
}

// interactionBody wraps a block_actions payload in the form Slack posts.
func interactionBody(payload []byte) []byte {
	return []byte("payload=" + url.QueryEscape(string(payload)))
}

func signedRequest(path string, body []byte, at time.Time) *http.Request {
	r := httptest.NewRequest(http.MethodPost, path, bytes.NewReader(body))
	for k, v := range SignedHeader(testSecret, at, body) {
		r.Header[k] = v
	}
	if path == "/slack/events" {
		r.Header.Set("Content-Type", "application/json")
	} else {
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	return r
}

func (hs *harness) do(r *http.Request) *httptest.ResponseRecorder {
	w := httptest.NewRecorder()
	hs.h.ServeHTTP(w, r)
	return w
}

func TestEventsURLVerification(t *testing.T) {
	t.Parallel()
	hs := newHarness(t)
	w := hs.do(signedRequest("/slack/events", readTestdata(t, "url_verification.json"), testNow))
	if w.Code != http.StatusOK {
		t.Fatalf("status = %d, want 200", w.Code)
	}
	if got, want := w.Body.String(), "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P"; got != want {
		t.Errorf("body = %q, want the challenge %q", got, want)
	}
	if len(hs.queue.sent()) != 0 {
		t.Error("url_verification enqueued something")
	}
}

func TestEventsThreadReply(t *testing.T) {
	t.Parallel()
	hs := newHarness(t, escalated())
	body := readTestdata(t, "event_thread_reply.json")
	if w := hs.do(signedRequest("/slack/events", body, testNow)); w.Code != http.StatusOK {
		t.Fatalf("status = %d (%s), want 200", w.Code, w.Body)
	}
	msgs := hs.queue.sent()
	if len(msgs) != 1 {
		t.Fatalf("queued %d messages, want 1", len(msgs))
	}
	if got, want := msgs[0].GroupID, testKey.String(); got != want {
		t.Errorf("GroupID = %q, want the conversation key %q (the customer's FIFO group)", got, want)
	}
	if got, want := msgs[0].DeduplicationID, "Ev0AGENTREPLY1"; got != want {
		t.Errorf("DeduplicationID = %q, want the event_id %q", got, want)
	}
	want := []channel.AgentEvent{{
		ID: "Ev0AGENTREPLY1", Action: channel.ActionReply, Key: testKey, Channel: "C0DESK",
		ThreadTS: threadTS, MessageTS: "1767225700.000200", User: "U0AGENT1",
		Text: "Hallo Anna, die Lieferung kommt morgen.",
		At:   time.Date(2026, 1, 1, 0, 1, 40, 200_000, time.UTC),
	}}
	if diff := cmp.Diff(want, hs.queue.agentEvents(t)); diff != "" {
		t.Errorf("agent events (-want +got):\n%s", diff)
	}

	// Slack's retry (and any replay with a fresh signature) carries the same event_id.
	retry := signedRequest("/slack/events", body, testNow.Add(time.Minute))
	retry.Header.Set("X-Slack-Retry-Num", "1")
	retry.Header.Set("X-Slack-Retry-Reason", "http_timeout")
	if w := hs.do(retry); w.Code != http.StatusOK {
		t.Fatalf("retry status = %d, want 200 (so Slack stops retrying)", w.Code)
	}
	if n := len(hs.queue.sent()); n != 1 {
		t.Errorf("queued %d messages after the retry, want still 1", n)
	}
}

func TestEventsIgnored(t *testing.T) {
	t.Parallel()
	tests := []struct{ name, file string }{
		{"bot message (our own mirror)", "event_bot_message.json"},
		{"message_changed by an unfurl", "event_message_changed_unfurl.json"},
		{"note: stays internal", "event_note.json"},
		{"top-level message", "event_top_level.json"},
		{"other event type", "event_reaction_added.json"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			hs := newHarness(t, escalated())
			w := hs.do(signedRequest("/slack/events", readTestdata(t, tt.file), testNow))
			if w.Code != http.StatusOK {
				t.Fatalf("status = %d (%s), want 200", w.Code, w.Body)
			}
			if n := len(hs.queue.sent()); n != 0 {
				t.Errorf("queued %d messages, want none", n)
			}
		})
	}
}

// The forms of internal notes agents type stay in Slack, in the wire text Slack sends.
func TestEventsNoteForms(t *testing.T) {
	t.Parallel()
	reply := readTestdata(t, "event_thread_reply.json")
	for _, note := range []string{"*note:* Kunde ist VIP", "_note_: check stock", "Note - call tomorrow", "Notiz: Paket prüfen",
		"\u003c@U043H11ES4V\u003e can you take this?", "\u003c!here\u003e who speaks French?"} {
		hs := newHarness(t, escalated())
		body := bytes.ReplaceAll(reply, []byte("Hallo Anna, die Lieferung kommt morgen."), []byte(note))
		if w := hs.do(signedRequest("/slack/events", body, testNow)); w.Code != http.StatusOK {
			t.Fatalf("%q: status = %d (%s), want 200", note, w.Code, w.Body)
		}
		if n := len(hs.queue.sent()); n != 0 {
			t.Errorf("%q: queued %d messages for the customer, want none (internal)", note, n)
		}
	}
}

// TestEventsEditAndDelete: an agent's edit or deletion of a reply the customer already has
// becomes an action, so the bot can say in the thread that it did not reach the customer.
func TestEventsEditAndDelete(t *testing.T) {
	t.Parallel()
	tests := []struct {
		file string
		want channel.AgentEvent
	}{
		{"event_message_changed.json", channel.AgentEvent{ID: "Ev0AGENTEDIT1", Action: channel.ActionEdit, Key: testKey, Channel: "C0DESK",
			ThreadTS: threadTS, MessageTS: "1767225700.000200", User: "U0AGENT1", At: time.Date(2026, 1, 1, 0, 2, 20, 600_000, time.UTC)}},
		{"event_message_deleted.json", channel.AgentEvent{ID: "Ev0AGENTDELETE1", Action: channel.ActionDelete, Key: testKey, Channel: "C0DESK",
			ThreadTS: threadTS, MessageTS: "1767225700.000200", User: "U0AGENT1", At: time.Date(2026, 1, 1, 0, 2, 40, 700_000, time.UTC)}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			t.Parallel()
			hs := newHarness(t, escalated())
			if w := hs.do(signedRequest("/slack/events", readTestdata(t, tt.file), testNow)); w.Code != http.StatusOK {
				t.Fatalf("status = %d (%s), want 200", w.Code, w.Body)
			}
			if diff := cmp.Diff([]channel.AgentEvent{tt.want}, hs.queue.agentEvents(t)); diff != "" {
				t.Errorf("agent events (-want +got):\n%s", diff)
			}
		})
	}
}

func TestEventsThreadBroadcast(t *testing.T) {
	t.Parallel()
	hs := newHarness(t, escalated())
	if w := hs.do(signedRequest("/slack/events", readTestdata(t, "event_thread_broadcast.json"), testNow)); w.Code != http.StatusOK {
		t.Fatalf("status = %d, want 200", w.Code)
	}
	evs := hs.queue.agentEvents(t)
	if len(evs) != 1 || evs[0].Text != "Wir haben das Paket neu verschickt." || evs[0].Action != channel.ActionReply {
		t.Fatalf("agent events = %+v, want the broadcast reply", evs)
	}
}

func TestEventsUnknownThread(t *testing.T) {
	t.Parallel()
	other := escalated()
	other.ThreadTS = "1767000000.000100"
	hs := newHarness(t, other)
	if w := hs.do(signedRequest("/slack/events", readTestdata(t, "event_thread_reply.json"), testNow)); w.Code != http.StatusOK {
		t.Fatalf("status = %d, want 200", w.Code)
	}
	if n := len(hs.queue.sent()); n != 0 {
		t.Errorf("queued %d messages for a thread that is no escalation, want none", n)
	}
}

func TestEventsRefused(t *testing.T) {
	t.Parallel()
	body := readTestdata(t, "event_thread_reply.json")
	badSig := signedRequest("/slack/events", body, testNow)
	badSig.Header.Set(HeaderSignature, Sign([]byte("not-the-secret"), testNow, body))
	noHeaders := signedRequest("/slack/events", body, testNow)
	noHeaders.Header.Del(HeaderSignature)
	noHeaders.Header.Del(HeaderTimestamp)
	tampered := signedRequest("/slack/events", body, testNow)
	tampered.Body = io.NopCloser(bytes.NewReader(bytes.Replace(body, []byte("morgen"), []byte("nie"), 1)))
	big := append([]byte(`{"type":"event_callback","pad":"`), bytes.Repeat([]byte("a"), MaxBodyBytes)...)
	big = append(big, `"}`...)

	tests := []struct {
		name string
		req  *http.Request
		want int
	}{
		{"bad signature", badSig, http.StatusUnauthorized},
		{"missing headers", noHeaders, http.StatusUnauthorized},
		{"stale timestamp", signedRequest("/slack/events", body, testNow.Add(-6*time.Minute)), http.StatusUnauthorized},
		{"future timestamp", signedRequest("/slack/events", body, testNow.Add(6*time.Minute)), http.StatusUnauthorized},
		{"tampered body", tampered, http.StatusUnauthorized},
		{"not JSON", signedRequest("/slack/events", []byte("payload=x"), testNow), http.StatusBadRequest},
		{"JSON array", signedRequest("/slack/events", []byte(`[1,2]`), testNow), http.StatusBadRequest},
		{"url_verification without challenge", signedRequest("/slack/events", []byte(`{"type":"url_verification"}`), testNow), http.StatusBadRequest},
		{"over 1 MB", signedRequest("/slack/events", big, testNow), http.StatusRequestEntityTooLarge},
		{"event as a form", func() *http.Request {
			r := signedRequest("/slack/events", body, testNow)
			r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			return r
		}(), http.StatusUnsupportedMediaType},
		{"interaction as JSON", func() *http.Request {
			r := signedRequest("/slack/interactions", readTestdata(t, "interaction_claim.json"), testNow)
			r.Header.Set("Content-Type", "application/json")
			return r
		}(), http.StatusUnsupportedMediaType},
		{"command without a media type", func() *http.Request {
			r := signedRequest("/slack/commands", readTestdata(t, "command_open.form"), testNow)
			r.Header.Del("Content-Type")
			return r
		}(), http.StatusUnsupportedMediaType},
		{"GET", httptest.NewRequest(http.MethodGet, "/slack/events", nil), http.StatusMethodNotAllowed},
		{"bad signature on interactions", func() *http.Request {
			r := signedRequest("/slack/interactions", interactionBody(readTestdata(t, "interaction_claim.json")), testNow)
			r.Header.Set(HeaderSignature, "v0=00")
			return r
		}(), http.StatusUnauthorized},
		{"bad signature on commands", func() *http.Request {
			r := signedRequest("/slack/commands", readTestdata(t, "command_open.form"), testNow)
			r.Header.Del(HeaderSignature)
			return r
		}(), http.StatusUnauthorized},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			hs := newHarness(t, escalated())
			w := hs.do(tt.req)
			if w.Code != tt.want {
				t.Fatalf("status = %d (%s), want %d", w.Code, w.Body, tt.want)
			}
			if n := len(hs.queue.sent()); n != 0 {
				t.Errorf("queued %d messages, want none", n)
			}
			if tt.want != http.StatusMethodNotAllowed {
				var e struct{ Error, Kind string }
				if err := json.Unmarshal(w.Body.Bytes(), &e); err != nil || e.Error == "" {
					t.Errorf("body %q is not an apperr JSON error", w.Body)
				}
			}
		})
	}
}

func TestEventsDependencyFailures(t *testing.T) {
	t.Parallel()
	body := readTestdata(t, "event_thread_reply.json")

	t.Run("enqueue fails: 503, the retry gets through", func(t *testing.T) {
		t.Parallel()
		hs := newHarness(t, escalated())
		hs.queue.err = apperr.E("sqs", apperr.Transient, "throttled")
		if w := hs.do(signedRequest("/slack/events", body, testNow)); w.Code != http.StatusServiceUnavailable {
			t.Fatalf("status = %d, want 503 so Slack retries", w.Code)
		}
		hs.queue.err = nil
		if w := hs.do(signedRequest("/slack/events", body, testNow.Add(time.Minute))); w.Code != http.StatusOK {
			t.Fatalf("retry status = %d, want 200", w.Code)
		}
		if n := len(hs.queue.sent()); n != 1 {
			t.Errorf("queued %d messages, want the retry's 1", n)
		}
	})
	t.Run("store fails: 503, nothing marked", func(t *testing.T) {
		t.Parallel()
		hs := newHarness(t, escalated())
		hs.store.err = apperr.E("dynamo", apperr.Transient, "throttled")
		if w := hs.do(signedRequest("/slack/events", body, testNow)); w.Code != http.StatusServiceUnavailable {
			t.Fatalf("status = %d, want 503", w.Code)
		}
		if len(hs.seen.seen) != 0 {
			t.Errorf("event marked seen although it was not enqueued")
		}
	})
	t.Run("dedup fails: 503", func(t *testing.T) {
		t.Parallel()
		hs := newHarness(t, escalated())
		hs.seen.err = apperr.E("dynamo", apperr.Transient, "throttled")
		if w := hs.do(signedRequest("/slack/events", body, testNow)); w.Code != http.StatusServiceUnavailable {
			t.Fatalf("status = %d, want 503", w.Code)
		}
		if n := len(hs.queue.sent()); n != 0 {
			t.Errorf("queued %d messages, want none", n)
		}
	})
	t.Run("misconfigured: 500", func(t *testing.T) {
		t.Parallel()
		h := NewHandler(HandlerConfig{SigningSecret: testSecret, Logger: slog.New(slog.DiscardHandler)})
		w := httptest.NewRecorder()
		h.ServeHTTP(w, signedRequest("/slack/events", body, time.Now()))
		if w.Code != http.StatusInternalServerError {
			t.Fatalf("status = %d, want 500", w.Code)
		}
	})
}

func TestInteractions(t *testing.T) {
	t.Parallel()
	claim := readTestdata(t, "interaction_claim.json")
	withAction := func(id string) []byte { return bytes.ReplaceAll(claim, []byte(`"claim"`), []byte(`"`+id+`"`)) }
	button := func(action channel.AgentAction) channel.AgentEvent {
		return channel.AgentEvent{
			ID: "ia:1767225750.123456:U0AGENT1:" + string(action), Action: action, Key: testKey,
			Channel: "C0DESK", ThreadTS: threadTS, MessageTS: threadTS, User: "U0AGENT1", UserName: "maria",
			At:          time.Date(2026, 1, 1, 0, 2, 30, 123_456_000, time.UTC),
			ResponseURL: "https://hooks.slack.com/actions/T0FRONTDSK/10283746501234/AbCdEfGhIjKlMnOpQrStUvWx",
		}
	}
	tests := []struct {
		name    string
		payload []byte
		want    []channel.AgentEvent
	}{
		{"claim", claim, []channel.AgentEvent{button(channel.ActionClaim)}},
		{"resolve", withAction("resolve"), []channel.AgentEvent{button(channel.ActionResolve)}},
		{"back to bot", withAction("handback"), []channel.AgentEvent{button(channel.ActionHandBack)}},
		{"lead", withAction("lead"), []channel.AgentEvent{button(channel.ActionLead)}},
		{"send answer from the details reply", readTestdata(t, "interaction_send_answer.json"), []channel.AgentEvent{{
			ID: "ia:1767225760.654321:U0AGENT1:send_answer", Action: channel.ActionSendAnswer, Key: testKey,
			Channel: "C0DESK", ThreadTS: threadTS, MessageTS: "1767225600.000200", User: "U0AGENT1", UserName: "maria",
			Answer: "shipping-times", At: time.Date(2026, 1, 1, 0, 2, 40, 654_321_000, time.UTC),
			ResponseURL: "https://hooks.slack.com/actions/T0FRONTDSK/10283746505678/XyZaBcDeFgHiJkLmNoPqRsTu",
		}}},
		{"unknown button", withAction("something_else"), nil},
		{"view_submission", []byte(`{"type":"view_submission","team":{"id":"T0FRONTDSK"},"api_app_id":"A0FRONTDSK","user":{"id":"U0AGENT1","team_id":"T0FRONTDSK"},"view":{"id":"V1"}}`), nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			hs := newHarness(t, escalated())
			w := hs.do(signedRequest("/slack/interactions", interactionBody(tt.payload), testNow))
			if w.Code != http.StatusOK {
				t.Fatalf("status = %d (%s), want 200", w.Code, w.Body)
			}
			if diff := cmp.Diff(tt.want, hs.queue.agentEvents(t)); diff != "" {
				t.Errorf("agent events (-want +got):\n%s", diff)
			}
			for _, m := range hs.queue.sent() {
				if m.GroupID != testKey.String() {
					t.Errorf("GroupID = %q, want %q", m.GroupID, testKey.String())
				}
				if m.DeduplicationID != tt.want[0].ID {
					t.Errorf("DeduplicationID = %q, want %q", m.DeduplicationID, tt.want[0].ID)
				}
			}
		})
	}
}

func TestInteractionsRefused(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		body []byte
		want int
	}{
		{"no payload", []byte("foo=bar"), http.StatusBadRequest},
		{"payload not JSON", []byte("payload=%7Bnot-json"), http.StatusBadRequest},
		{"bad form", []byte("payload=%zz"), http.StatusBadRequest},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			hs := newHarness(t, escalated())
			if w := hs.do(signedRequest("/slack/interactions", tt.body, testNow)); w.Code != tt.want {
				t.Fatalf("status = %d (%s), want %d", w.Code, w.Body, tt.want)
			}
			if n := len(hs.queue.sent()); n != 0 {
				t.Errorf("queued %d, want none", n)
			}
		})
	}
	t.Run("unknown thread", func(t *testing.T) {
		t.Parallel()
		hs := newHarness(t)
		if w := hs.do(signedRequest("/slack/interactions", interactionBody(readTestdata(t, "interaction_claim.json")), testNow)); w.Code != http.StatusOK {
			t.Fatalf("status = %d, want 200", w.Code)
		}
		if n := len(hs.queue.sent()); n != 0 {
			t.Errorf("queued %d, want none", n)
		}
	})
	t.Run("enqueue fails", func(t *testing.T) {
		t.Parallel()
		hs := newHarness(t, escalated())
		hs.queue.err = apperr.E("sqs", apperr.Transient, "down")
		if w := hs.do(signedRequest("/slack/interactions", interactionBody(readTestdata(t, "interaction_claim.json")), testNow)); w.Code != http.StatusServiceUnavailable {
			t.Fatalf("status = %d, want 503", w.Code)
		}
	})
}

func TestCommands(t *testing.T) {
	t.Parallel()
	open := readTestdata(t, "command_open.form")
	second := escalated()
	second.Key = channel.Key{Surface: channel.Instagram, Account: "17841400000", User: "998877665544332211"}
	second.ThreadTS, second.EscalationReason = "1767226000.000900", desk.ReasonNoMatch
	second.EscalatedAt, second.UpdatedAt = testNow.Add(-2*time.Hour), testNow.Add(-2*time.Hour)
	named := escalated()
	named.Key.User, named.ThreadTS, named.CustomerName = "4917112345767", "1767226200.000100", "Jonas Weber"
	claimed := escalated()
	claimed.Key.User, claimed.Status, claimed.ThreadTS = "4915199999999", conversation.Claimed, "1767226100.000100"

	tests := []struct {
		name    string
		body    []byte
		convs   []*conversation.Conversation
		fail    bool
		want    []string
		notWant []string
	}{
		{name: "open", body: open, convs: []*conversation.Conversation{escalated(), second, named, claimed},
			want: []string{"Unclaimed escalations (3)", "Instagram `99******11` · the bot found no answer · waiting 2 h",
				"WhatsApp `49******67` · asked for a person · waiting 35 min",
				"WhatsApp *Jonas Weber* `49******67` · asked for a person · waiting 35 min",
				"<https://frontdesk-demo.slack.com/archives/C0DESK/p1767225600000100|open thread>"},
			notWant: []string{"4917112345667", "49******99"}},
		{name: "open, none", body: open, want: []string{"No unclaimed escalations"}},
		{name: "open, store down", body: open, fail: true, want: []string{"Could not load"}},
		{name: "help", body: bytes.Replace(open, []byte("text=open"), []byte("text=help"), 1), want: []string{"/frontdesk open", "note:", "Notiz:", "mention of a colleague"}},
		{name: "no text", body: bytes.Replace(open, []byte("text=open"), []byte("text="), 1), want: []string{"/frontdesk open"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			hs := newHarness(t, tt.convs...)
			if tt.fail {
				hs.store.err = apperr.E("dynamo", apperr.Transient, "down")
			}
			w := hs.do(signedRequest("/slack/commands", tt.body, testNow))
			if w.Code != http.StatusOK {
				t.Fatalf("status = %d (%s), want 200", w.Code, w.Body)
			}
			var msg slack.Msg
			if err := json.Unmarshal(w.Body.Bytes(), &msg); err != nil {
				t.Fatalf("answer %q is not a Slack message: %v", w.Body, err)
			}
			if msg.ResponseType != slack.ResponseTypeEphemeral {
				t.Errorf("response_type = %q, want ephemeral", msg.ResponseType)
			}
			all := msg.Text
			for _, b := range msg.Blocks.BlockSet {
				if s, ok := b.(*slack.SectionBlock); ok && s.Text != nil {
					all += "\n" + s.Text.Text
				}
			}
			for _, want := range tt.want {
				if !strings.Contains(all, want) {
					t.Errorf("answer does not contain %q:\n%s", want, all)
				}
			}
			for _, nw := range tt.notWant {
				if strings.Contains(all, nw) {
					t.Errorf("answer contains %q:\n%s", nw, all)
				}
			}
			if n := len(hs.queue.sent()); n != 0 {
				t.Errorf("a command queued %d messages", n)
			}
		})
	}
}

func TestIsNote(t *testing.T) {
	t.Parallel()
	for text, want := range map[string]bool{
		"note: internal": true, "Note: x": true, "  NOTE:x": true, "note:": true,
		"notes are here": false, "a note: x": false, "": false, "not": false,
	} {
		if got := IsNote(text); got != want {
			t.Errorf("IsNote(%q) = %v, want %v", text, got, want)
		}
	}
}

// FuzzEvents posts any body, correctly signed, to each endpoint: the handler may refuse it but
// never fails with a 5xx, and never enqueues for a body that is not a thread reply or button.
func FuzzEvents(f *testing.F) {
	entries, err := os.ReadDir("testdata")
	if err != nil {
		f.Fatal(err)
	}
	for _, e := range entries {
		if e.IsDir() {
			continue
		}
		b := readTestdata(f, e.Name())
		switch {
		case strings.HasPrefix(e.Name(), "interaction_"):
			f.Add(uint8(1), interactionBody(b))
		case strings.HasSuffix(e.Name(), ".form"):
			f.Add(uint8(2), b)
		default:
			f.Add(uint8(0), b)
		}
	}
	paths := []string{"/slack/events", "/slack/interactions", "/slack/commands"}
	f.Fuzz(func(t *testing.T, route uint8, body []byte) {
		hs := newHarness(t, escalated())
		w := hs.do(signedRequest(paths[int(route)%len(paths)], body, testNow))
		if w.Code >= 500 {
			t.Fatalf("status = %d (%s) for body %q", w.Code, w.Body, body)
		}
		for _, m := range hs.queue.sent() {
			if m.GroupID != testKey.String() || m.DeduplicationID == "" {
				t.Fatalf("queued %+v: want the conversation's group and an id", m)
			}
		}
	})
}

// TestRecordedFileShare runs Slack's file_share messages as recorded by others (testdata/recorded,
// see SOURCES) through the handler, moved in memory into the escalation's thread of our
// workspace (they were recorded in a DM of another): a reply carrying its files by reference.
func TestRecordedFileShare(t *testing.T) {
	t.Parallel()
	tests := []struct {
		file string
		want []channel.FileRef
	}{
		{"slack-web/event_message_file_share.json", []channel.FileRef{{ID: "F04EEHX1EES", Name: "namenamename.txt", MIME: "text/plain", Size: 12,
			URL: "https://files.slack.com/files-pri/T043DB835ML-F04EEHX1EES/download/namenamename.txt"}}},
		{"slack-web/event_message_file_share_slack_connect.json", []channel.FileRef{{ID: "F12345678"}}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			t.Parallel()
			var env map[string]any
			if err := json.Unmarshal(readTestdata(t, filepath.Join("recorded", tt.file)), &env); err != nil {
				t.Fatal(err)
			}
			ev := env["event"].(map[string]any)
			ev["channel"], ev["thread_ts"] = testdataDesk, threadTS        // recorded in a DM: put it in the thread
			env["team_id"], env["api_app_id"] = "T0FRONTDSK", "A0FRONTDSK" // recorded in another workspace: make it ours
			body, _ := json.Marshal(env)
			hs := newHarness(t, escalated())
			if w := hs.do(signedRequest("/slack/events", body, testNow)); w.Code != http.StatusOK {
				t.Fatalf("status = %d (%s)", w.Code, w.Body)
			}
			evs := hs.queue.agentEvents(t)
			if len(evs) != 1 || evs[0].Action != channel.ActionReply || evs[0].Text != "message message message" {
				t.Fatalf("agent events = %+v, want one reply with the text", evs)
			}
			if diff := cmp.Diff(tt.want, evs[0].Files); diff != "" {
				t.Errorf("files (-want +got):\n%s", diff)
			}
		})
	}
}

// TestOnlyOurWorkspace: a request signed with our secret but sent for another workspace or
// app is refused with 401 and changes nothing; a Slack Connect partner in a shared channel is
// not one of our agents.
func TestOnlyOurWorkspace(t *testing.T) {
	t.Parallel()
	reply := readTestdata(t, "event_thread_reply.json")
	claim := readTestdata(t, "interaction_claim.json")
	open := readTestdata(t, "command_open.form")
	swap := func(b []byte, pairs ...string) []byte {
		return []byte(strings.NewReplacer(pairs...).Replace(string(b)))
	}
	tests := []struct {
		name string
		path string
		body []byte
		want int
	}{
		{"event from another team", "/slack/events", swap(reply, `"team_id":"T0FRONTDSK"`, `"team_id":"T0OTHERTEAM"`), http.StatusUnauthorized},
		{"event for another app", "/slack/events", swap(reply, `"api_app_id":"A0FRONTDSK"`, `"api_app_id":"A0OTHERAPP"`), http.StatusUnauthorized},
		{"event naming no team", "/slack/events", swap(reply, `"team_id":"T0FRONTDSK",`, ``), http.StatusUnauthorized},
		{"event by a Slack Connect partner", "/slack/events", swap(reply, `"user":"U0AGENT1"`, `"user":"U0AGENT1","user_team":"T0PARTNER"`), http.StatusOK},
		{"button from another team", "/slack/interactions", interactionBody(swap(claim, `"team":{"id":"T0FRONTDSK"`, `"team":{"id":"T0OTHERTEAM"`)), http.StatusUnauthorized},
		{"button for another app", "/slack/interactions", interactionBody(swap(claim, `"api_app_id":"A0FRONTDSK"`, `"api_app_id":"A0OTHERAPP"`)), http.StatusUnauthorized},
		{"button by a Slack Connect partner", "/slack/interactions", interactionBody(swap(claim, `"team_id":"T0FRONTDSK"`, `"team_id":"T0PARTNER"`)), http.StatusUnauthorized},
		{"command from another team", "/slack/commands", swap(open, "team_id=T0FRONTDSK", "team_id=T0OTHERTEAM"), http.StatusUnauthorized},
		{"command for another app", "/slack/commands", swap(open, "api_app_id=A0FRONTDSK", "api_app_id=A0OTHERAPP"), http.StatusUnauthorized},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if bytes.Equal(tt.body, reply) || bytes.Equal(tt.body, interactionBody(claim)) || bytes.Equal(tt.body, open) {
				t.Fatal("the payload was not changed: the test would prove nothing")
			}
			hs := newHarness(t, escalated())
			w := hs.do(signedRequest(tt.path, tt.body, testNow))
			if w.Code != tt.want {
				t.Fatalf("status = %d (%s), want %d", w.Code, w.Body, tt.want)
			}
			if n := len(hs.queue.sent()); n != 0 {
				t.Errorf("queued %d, want nothing", n)
			}
			if n := hs.seen.count(); n != 0 {
				t.Errorf("remembered %d event ids, want none", n)
			}
			if tt.path == "/slack/commands" && strings.Contains(w.Body.String(), "49******67") {
				t.Errorf("another workspace saw the open escalations: %s", w.Body)
			}
		})
	}
	// The unchanged payloads pass: the refusals above are about the workspace, not the rest.
	hs := newHarness(t, escalated())
	if w := hs.do(signedRequest("/slack/events", reply, testNow)); w.Code != http.StatusOK || len(hs.queue.sent()) != 1 {
		t.Errorf("our own event: status %d, queued %d; want 200 and 1", w.Code, len(hs.queue.sent()))
	}
}
