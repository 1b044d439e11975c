package slackapi

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/frontdesk-app/frontdesk/shared/apperr"
	"github.com/frontdesk-app/frontdesk/shared/channel"
)

var ours = Origin{Team: testTeam, App: testApp}

func TestParseEvent(t *testing.T) {
	t.Parallel()
	reply := &channel.AgentEvent{ID: "Ev0AGENTREPLY1", Action: channel.ActionReply, Channel: "C0DESK", ThreadTS: threadTS,
		MessageTS: "1767225700.000200", User: "U0AGENT1", Text: "Hallo Anna, die Lieferung kommt morgen.",
		At: time.Date(2026, 1, 1, 0, 1, 40, 200_000, time.UTC)}
	tests := []struct {
		file string
		want Event
	}{
		{"event_thread_reply.json", Event{Origin: ours, Agent: reply}},
		{"url_verification.json", Event{Challenge: "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P"}},
		{"event_bot_message.json", Event{Origin: ours, Ignored: "bot message"}},
		{"event_note.json", Event{Origin: ours, Ignored: "internal note"}},
		{"event_top_level.json", Event{Origin: ours, Ignored: "not a thread reply"}},
		{"event_reaction_added.json", Event{Origin: ours, Ignored: "inner type reaction_added"}},
		{"event_message_changed_unfurl.json", Event{Origin: ours, Ignored: "text unchanged"}},
		{"event_message_changed.json", Event{Origin: ours, Agent: &channel.AgentEvent{ID: "Ev0AGENTEDIT1", Action: channel.ActionEdit,
			Channel: "C0DESK", ThreadTS: threadTS, MessageTS: "1767225700.000200", User: "U0AGENT1",
			At: time.Date(2026, 1, 1, 0, 2, 20, 600_000, time.UTC)}}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			t.Parallel()
			got, err := ParseEvent(readTestdata(t, tt.file))
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("ParseEvent (-want +got):\n%s", diff)
			}
		})
	}
	for _, bad := range []string{``, `[]`, `{"type":`, `{"type":"url_verification"}`} {
		if _, err := ParseEvent([]byte(bad)); !apperr.Is(err, apperr.Invalid) {
			t.Errorf("ParseEvent(%q) error = %v, want invalid", bad, err)
		}
	}
	// An event slack-go cannot read still names its workspace, so a foreign one is refused.
	got, err := ParseEvent([]byte(`{"type":"event_callback","team_id":"T0X","api_app_id":"A0X","event":{"type":"message","ts":7}}`))
	if err != nil || got.Origin != (Origin{Team: "T0X", App: "A0X"}) || got.Agent != nil {
		t.Errorf("unreadable event = %+v, %v; want its origin and nothing to do", got, err)
	}
}

func TestParseInteraction(t *testing.T) {
	t.Parallel()
	got, err := ParseInteraction(interactionBody(readTestdata(t, "interaction_claim.json")))
	if err != nil {
		t.Fatal(err)
	}
	if got.Origin != (Origin{Team: testTeam, App: testApp, UserTeam: testTeam}) || len(got.Agents) != 1 ||
		got.Agents[0].Action != channel.ActionClaim || got.Agents[0].ThreadTS != threadTS || got.Agents[0].Key != (channel.Key{}) {
		t.Errorf("ParseInteraction(claim) = %+v", got)
	}
	// "Add as a phrasing": the entry is the one chosen in the select, from the message's state
	// (the agent changed the preselected one).
	got, err = ParseInteraction(interactionBody(readTestdata(t, "interaction_faq_phrasing.json")))
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Agents) != 1 || got.Agents[0].Action != channel.ActionAddPhrasing || got.Agents[0].Answer != "contact" ||
		got.Agents[0].ThreadTS != threadTS || got.Agents[0].MessageTS != "1767225600.000500" {
		t.Errorf("ParseInteraction(faq phrasing) = %+v", got)
	}
	for _, bad := range [][]byte{[]byte("payload=%zz"), []byte("foo=bar"), []byte("payload=%7Bnot-json")} {
		if _, err := ParseInteraction(bad); !apperr.Is(err, apperr.Invalid) {
			t.Errorf("ParseInteraction(%q) error = %v, want invalid", bad, err)
		}
	}
}

func TestParseCommand(t *testing.T) {
	t.Parallel()
	got, err := ParseCommand(readTestdata(t, "command_open.form"))
	if err != nil {
		t.Fatal(err)
	}
	want := Command{Origin: ours, Name: "/frontdesk", Sub: "open", TeamDomain: "frontdesk-demo"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("ParseCommand (-want +got):\n%s", diff)
	}
	if _, err := ParseCommand([]byte("%zz")); !apperr.Is(err, apperr.Invalid) {
		t.Errorf("ParseCommand(bad form) error = %v, want invalid", err)
	}
}

// seeds adds every file of testdata/ and testdata/recorded/ whose name starts with prefix (after
// the recorded/<source>/ part) to the fuzz corpus, as add turns it into an input.
func seeds(f *testing.F, add func([]byte), prefixes ...string) {
	f.Helper()
	files, _ := filepath.Glob("testdata/*")
	recorded, _ := filepath.Glob("testdata/recorded/*/*")
	for _, p := range append(files, recorded...) {
		name := filepath.Base(p)
		for _, pre := range prefixes {
			if strings.HasPrefix(name, pre) {
				b, err := os.ReadFile(p)
				if err != nil {
					f.Fatal(err)
				}
				add(b)
			}
		}
	}
}

// agentEventShape checks what every parsed agent event must hold for dispatch and the bot.
func agentEventShape(t *testing.T, ev channel.AgentEvent) {
	t.Helper()
	if ev.ID == "" || ev.Channel == "" || ev.ThreadTS == "" || ev.User == "" || ev.Action == "" {
		t.Fatalf("agent event without id, thread, user or action: %+v", ev)
	}
	if ev.Key != (channel.Key{}) {
		t.Fatalf("the parser set a conversation key: %+v", ev.Key)
	}
	if _, err := json.Marshal(channel.Event{Agent: &ev}); err != nil {
		t.Fatalf("the event cannot be queued: %v", err)
	}
}

func FuzzParseEvent(f *testing.F) {
	seeds(f, func(b []byte) { f.Add(b) }, "event_", "url_verification")
	f.Fuzz(func(t *testing.T, body []byte) {
		ev, err := ParseEvent(body)
		if err != nil {
			if !apperr.Is(err, apperr.Invalid) {
				t.Fatalf("error %v is not invalid input", err)
			}
			return
		}
		if ev.Agent != nil {
			agentEventShape(t, *ev.Agent)
			if ev.Agent.Action == channel.ActionReply && (strings.TrimSpace(ev.Agent.Text) == "" || IsNote(ev.Agent.Text)) {
				t.Fatalf("a reply without text, or an internal note, goes to the customer: %q", ev.Agent.Text)
			}
			if ev.Challenge != "" || ev.Ignored != "" {
				t.Fatalf("an agent event with a challenge or a reason to ignore it: %+v", ev)
			}
		}
		if ev.Agent == nil && ev.Challenge == "" && ev.Ignored == "" {
			t.Fatalf("nothing to do and no reason given: %+v", ev)
		}
	})
}

func FuzzParseInteraction(f *testing.F) {
	seeds(f, func(b []byte) { f.Add(interactionBody(b)) }, "interaction_")
	f.Fuzz(func(t *testing.T, body []byte) {
		in, err := ParseInteraction(body)
		if err != nil {
			if !apperr.Is(err, apperr.Invalid) {
				t.Fatalf("error %v is not invalid input", err)
			}
			return
		}
		for _, ev := range in.Agents {
			agentEventShape(t, ev)
			if ev.Channel != in.Agents[0].Channel || ev.ThreadTS != in.Agents[0].ThreadTS {
				t.Fatalf("presses of one interaction in two threads: %+v", in.Agents)
			}
			if ev.Action == channel.ActionSendAnswer && ev.Answer == "" {
				t.Fatalf("send_answer without an entry: %+v", ev)
			}
		}
		if len(in.Agents) == 0 && in.Ignored == "" {
			t.Fatalf("nothing to do and no reason given: %+v", in)
		}
	})
}

func FuzzParseCommand(f *testing.F) {
	seeds(f, func(b []byte) { f.Add(b) }, "command_")
	f.Fuzz(func(t *testing.T, body []byte) {
		c, err := ParseCommand(body)
		if err != nil {
			if !apperr.Is(err, apperr.Invalid) {
				t.Fatalf("error %v is not invalid input", err)
			}
			return
		}
		if c.Sub != strings.ToLower(c.Sub) || strings.ContainsAny(c.Sub, " \t\n") {
			t.Fatalf("sub-command %q is not one lower-case word", c.Sub)
		}
	})
}
