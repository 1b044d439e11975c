package integration_test

import (
	"encoding/json"
	"fmt"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/frontdesk-app/frontdesk/internal/testenv"
	"github.com/frontdesk-app/frontdesk/shared/channel"
	"github.com/frontdesk-app/frontdesk/shared/faq"
	"github.com/frontdesk-app/frontdesk/shared/learn"
	"github.com/frontdesk-app/frontdesk/shared/meta/metatest"
	"github.com/frontdesk-app/frontdesk/shared/slackapi"
	"github.com/frontdesk-app/frontdesk/shared/slackapi/slacktest"
)

// cli is the frontdesk command, built once for the package's tests.
var cli struct {
	once sync.Once
	path string
	err  error
}

func frontdesk(t *testing.T, env []string, args ...string) string {
	t.Helper()
	cli.once.Do(func() {
		root, err := testenv.RepoRoot()
		if err != nil {
			cli.err = err
			return
		}
		dir, err := os.MkdirTemp("", "frontdesk-cli-")
		if err != nil {
			cli.err = err
			return
		}
		cli.path = filepath.Join(dir, "frontdesk")
		cmd := exec.Command("go", "build", "-o", cli.path, "./cmd/frontdesk")
		cmd.Dir = root
		if out, err := cmd.CombinedOutput(); err != nil {
			cli.err = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if cli.err != nil {
		t.Fatal(cli.err)
	}
	cmd := exec.CommandContext(t.Context(), cli.path, args...)
	cmd.Env = append(os.Environ(), env...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("frontdesk %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

// pressIn presses a button of a thread reply (the details, the "Add to FAQ" offer) as Slack's
// interactivity would, with the offer's entry select set to selected.
func (e *env) pressIn(card string, msg slacktest.Message, actionID, value, selected string) {
	e.t.Helper()
	state := map[string]any{"values": map[string]any{}}
	if selected != "" {
		state["values"] = map[string]any{slackapi.BlockFAQOffer: map[string]any{slackapi.ActionIDPickEntry: map[string]any{
			"type": "static_select", "selected_option": map[string]any{"value": selected, "text": map[string]any{"type": "plain_text", "text": selected}}}}}
	}
	payload, _ := json.Marshal(map[string]any{
		"type": "block_actions", "user": map[string]string{"id": agent, "username": "maria", "team_id": "T0FRONTDSK"},
		"api_app_id": "A0FRONTDSK",
		"container":  map[string]any{"type": "message", "message_ts": msg.TS, "thread_ts": card, "channel_id": deskChannel},
		"team":       map[string]string{"id": "T0FRONTDSK"}, "channel": map[string]string{"id": deskChannel},
		"message": map[string]any{"type": "message", "ts": msg.TS, "thread_ts": card, "text": msg.Text},
		"state":   state,
		"actions": []map[string]any{{"action_id": actionID, "block_id": "b", "value": value, "type": "button",
			"action_ts": fmt.Sprintf("%d.%06d", e.clock.Now().Unix(), len(actionID)+len(value))}},
	})
	form := url.Values{"payload": {string(payload)}}.Encode()
	if rec := e.do(e.slackRequest("/slack/interactions", "application/x-www-form-urlencoded", []byte(form))); rec.Code != http.StatusOK {
		e.t.Fatalf("press %s = %d %s", actionID, rec.Code, rec.Body)
	}
}

// button returns the value of the first button with actionID in the thread's messages, and the
// message holding it.
func (e *env) button(card, actionID string) (slacktest.Message, string, bool) {
	for _, m := range e.slack.Thread(deskChannel, card) {
		var blocks []struct {
			Accessory *struct {
				ActionID string `json:"action_id"`
				Value    string `json:"value"`
			} `json:"accessory"`
			Elements []struct {
				ActionID      string `json:"action_id"`
				Value         string `json:"value"`
				InitialOption *struct {
					Value string `json:"value"`
				} `json:"initial_option"`
			} `json:"elements"`
		}
		_ = json.Unmarshal(m.Blocks, &blocks)
		for _, b := range blocks {
			if b.Accessory != nil && b.Accessory.ActionID == actionID {
				return m, b.Accessory.Value, true
			}
			for _, el := range b.Elements {
				if el.ActionID == actionID {
					v := el.Value
					if el.InitialOption != nil {
						v = el.InitialOption.Value
					}
					return m, v, true
				}
			}
		}
	}
	return slacktest.Message{}, "", false
}

// copySampleKB copies the sample knowledge base into a folder the test may change.
func copySampleKB(t *testing.T) string {
	t.Helper()
	root, err := testenv.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	src := filepath.Join(root, "shared", "faq", "kb", "shop")
	err = filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		if err == nil {
			err = os.WriteFile(filepath.Join(dir, d.Name()), b, 0o644)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return dir
}

// The desk teaches the bot: two escalations the bot found no answer for, one added as a new
// phrasing of an existing entry, one proposed as a new entry with the agent's reply; the
// suggestions come out of "frontdesk faq suggestions" as a patch, merge into the knowledge base,
// check, and the retrained bot answers both customers' questions.
func TestDeskTeachesTheBot(t *testing.T) {
	t.Parallel()
	forEachBackend(t, func(t *testing.T, e *env) {
		const (
			jobs  = "Gibt es bei euch Ausbildungsplätze?"
			bikes = "Kann man bei euch Fahrräder reparieren lassen? Meine Nummer: 0171 2345678"
			reply = "Nein, Reparaturen bieten wir leider nicht an. Wir empfehlen gern eine Werkstatt in deiner Nähe."
		)
		// 1. Escalated after two misses.
		for range 2 {
			e.say(metatest.Message{Surface: channel.WhatsApp, From: "4915100000061", Text: jobs})
		}
		c1, err := e.store.GetConversation(t.Context(), channel.Key{Surface: channel.WhatsApp, Account: metatest.PhoneNumberID, User: "4915100000061"})
		if err != nil || c1.ThreadTS == "" {
			t.Fatalf("first customer not escalated: %v %+v", err, c1)
		}
		// The bot had no answer to suggest; the agent answers in their own words, then picks
		// the entry the question belongs to.
		if resp := e.threadReply("Ev0LEARN1", c1.ThreadTS, "Ja! Schreib uns dazu über das Kontaktformular."); resp.StatusCode != http.StatusOK {
			t.Fatalf("thread reply = %d", resp.StatusCode)
		}
		offer, _, ok := e.button(c1.ThreadTS, slackapi.ActionIDAddPhrasing)
		if !ok {
			t.Fatalf("no Add to FAQ offer after the agent's answer:\n%s", e.thread(c1.ThreadTS))
		}
		const sent = "contact"
		preselected := sent
		e.pressIn(c1.ThreadTS, offer, slackapi.ActionIDAddPhrasing, "", preselected)
		e.pressIn(c1.ThreadTS, offer, slackapi.ActionIDAddPhrasing, "", preselected) // a double click

		// 2. Escalated; the agent answers in their own words and proposes a new entry.
		for range 2 {
			e.say(metatest.Message{Surface: channel.WhatsApp, From: "4915100000062", Text: bikes})
		}
		c2, err := e.store.GetConversation(t.Context(), channel.Key{Surface: channel.WhatsApp, Account: metatest.PhoneNumberID, User: "4915100000062"})
		if err != nil || c2.ThreadTS == "" {
			t.Fatalf("second customer not escalated: %v", err)
		}
		if resp := e.threadReply("Ev0LEARN2", c2.ThreadTS, reply); resp.StatusCode != http.StatusOK {
			t.Fatalf("thread reply = %d", resp.StatusCode)
		}
		offer2, value, ok := e.button(c2.ThreadTS, slackapi.ActionIDNewEntry)
		if !ok || value != reply {
			t.Fatalf("offer after the agent's reply: found %v, value %q", ok, value)
		}
		e.pressIn(c2.ThreadTS, offer2, slackapi.ActionIDNewEntry, value, "")
		if th := e.thread(c2.ThreadTS); !strings.Contains(th, "suggested a new FAQ entry") {
			t.Errorf("thread does not confirm the suggestion:\n%s", th)
		}

		stored, err := e.store.Suggestions(t.Context())
		if err != nil || len(stored) != 2 {
			t.Fatalf("stored suggestions = %+v, %v; want 2", stored, err)
		}
		for _, s := range stored {
			if strings.Contains(s.Question, "2345678") {
				t.Errorf("suggestion keeps the customer's number: %q", s.Question)
			}
		}

		// 3. The shop lists them as a patch, merges and checks.
		var env []string
		var args []string
		switch ds := e.store.(type) {
		case interface{ Table() string }:
			env = []string{"AWS_ENDPOINT_URL=" + testenv.MotoEndpoint(t), "AWS_REGION=" + testenv.Region,
				"AWS_ACCESS_KEY_ID=testing", "AWS_SECRET_ACCESS_KEY=testing", "FRONTDESK_TABLE=" + ds.Table()}
		default:
			mux := http.NewServeMux()
			mux.Handle("GET /_local/kb-suggestions", learn.Handler(e.store))
			srv := httptest.NewServer(mux)
			t.Cleanup(srv.Close)
			args = []string{"--url", srv.URL}
		}
		kb := copySampleKB(t)
		patch := filepath.Join(t.TempDir(), "suggestions.yaml")
		frontdesk(t, env, append([]string{"faq", "suggestions", "--kb", kb, "-o", patch}, args...)...)
		b, err := os.ReadFile(patch)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(b), jobs) || !strings.Contains(string(b), "Werkstatt") || strings.Contains(string(b), "2345678") {
			t.Errorf("patch:\n%s", b)
		}
		frontdesk(t, nil, "faq", "merge", kb, patch)
		if out := frontdesk(t, nil, "faq", "check", kb); !strings.Contains(out, ": ok,") {
			t.Errorf("faq check after merging: %s", out)
		}

		// 4. The retrained bot answers both customers' original questions.
		bot, err := faq.Load(kb)
		if err != nil {
			t.Fatal(err)
		}
		if d := bot.Decide(faq.Input{Text: jobs, Locale: "de"}); d.Action != faq.Answer || d.EntryID != sent {
			t.Errorf("retrained bot on %q: %v %s", jobs, d.Action, d.EntryID)
		}
		if d := bot.Decide(faq.Input{Text: bikes, Locale: "de"}); d.Action != faq.Answer || d.Text != reply {
			t.Errorf("retrained bot on %q: %v %s %q", bikes, d.Action, d.EntryID, d.Text)
		}
	})
}
