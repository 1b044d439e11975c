package outbox

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"
)

func TestRecordsAndAnswers(t *testing.T) {
	t.Parallel()
	o := New()
	o.InstagramAccounts = []string{"1784"}
	o.Now = func() time.Time { return time.Unix(1700000000, 0) }
	var observed []Entry
	o.OnRecord = func(e Entry) { observed = append(observed, e) }
	c := &http.Client{Transport: o}

	tests := []struct {
		name, url, ctype, body string
		wantService            string
		wantField              string // a field of the answer that must be set
	}{
		{"whatsapp", "https://graph.facebook.com/v25.0/106540352242922/messages", "application/json",
			`{"messaging_product":"whatsapp","to":"4915","type":"text","text":{"body":"hi"}}`, WhatsApp, "messages"},
		{"messenger", "https://graph.facebook.com/v25.0/1122/messages", "application/json",
			`{"recipient":{"id":"99"},"messaging_type":"RESPONSE","message":{"text":"hi"}}`, Messenger, "message_id"},
		{"instagram", "https://graph.facebook.com/v25.0/1784/messages", "application/json",
			`{"recipient":{"id":"77"},"message":{"text":"hi"}}`, Instagram, "message_id"},
		{"capi", "https://graph.facebook.com/v25.0/555/events", "application/json",
			`{"data":[{"event_name":"LeadSubmitted"}]}`, CAPI, "events_received"},
		{"slack form", "https://slack.com/api/chat.postMessage", "application/x-www-form-urlencoded",
			url.Values{"channel": {"C1"}, "text": {"hello"}, "token": {"xoxb-secret"}, "blocks": {`[{"type":"section"}]`}}.Encode(), Slack, "ts"},
	}
	for _, tt := range tests {
		resp, err := c.Post(tt.url, tt.ctype, strings.NewReader(tt.body))
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		var got map[string]any
		if err := json.NewDecoder(resp.Body).Decode(&got); err != nil {
			t.Fatalf("%s: decode answer: %v", tt.name, err)
		}
		if resp.StatusCode != 200 || got[tt.wantField] == nil {
			t.Errorf("%s: status %d answer %v, want 200 with %q", tt.name, resp.StatusCode, got, tt.wantField)
		}
	}
	entries := o.Entries()
	if len(entries) != len(tests) {
		t.Fatalf("entries = %d, want %d", len(entries), len(tests))
	}
	for i, tt := range tests {
		if entries[i].Service != tt.wantService {
			t.Errorf("entry %d service = %q, want %q", i, entries[i].Service, tt.wantService)
		}
	}
	slack := string(entries[4].Body)
	if strings.Contains(slack, "xoxb-secret") {
		t.Errorf("slack body recorded the token: %s", slack)
	}
	if !strings.Contains(slack, `"blocks":[{"type":"section"}]`) {
		t.Errorf("slack blocks not embedded as JSON: %s", slack)
	}
	if entries[0].Path != "/v25.0/106540352242922/messages" {
		t.Errorf("path = %q", entries[0].Path)
	}
	// The entry keeps the answer: a Slack message's ts is how later calls refer to it.
	var posted struct{ TS string }
	if err := json.Unmarshal(entries[4].Response, &posted); err != nil || posted.TS == "" {
		t.Errorf("slack entry response = %s, want the message's ts", entries[4].Response)
	}
	if len(observed) != len(entries) || observed[4].Path != entries[4].Path {
		t.Errorf("OnRecord saw %d entries, want the %d recorded in order", len(observed), len(entries))
	}
}

func TestHandlerListsAndEmpties(t *testing.T) {
	t.Parallel()
	o := New()
	c := &http.Client{Transport: o}
	if _, err := c.Post("https://graph.facebook.com/v25.0/1/messages", "application/json", strings.NewReader(`{"messaging_product":"whatsapp","to":"1"}`)); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(o.Handler())
	defer srv.Close()
	resp, err := http.Get(srv.URL + "/_local/outbox")
	if err != nil {
		t.Fatal(err)
	}
	var got []Entry
	if err := json.NewDecoder(resp.Body).Decode(&got); err != nil || len(got) != 1 || got[0].Service != WhatsApp {
		t.Fatalf("GET = %v (%v), want one whatsapp entry", got, err)
	}
	req, _ := http.NewRequest(http.MethodDelete, srv.URL+"/_local/outbox", nil)
	if resp, err := http.DefaultClient.Do(req); err != nil || resp.StatusCode != http.StatusNoContent {
		t.Fatalf("DELETE = %v %v", resp, err)
	}
	if n := len(o.Entries()); n != 0 {
		t.Errorf("after DELETE %d entries, want 0", n)
	}
}

func TestRejectsInvalidJSON(t *testing.T) {
	t.Parallel()
	o := New()
	resp, err := (&http.Client{Transport: o}).Post("https://graph.facebook.com/v25.0/1/messages", "application/json", strings.NewReader(`{"to":`))
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != 400 || len(o.Entries()) != 0 {
		t.Errorf("status = %d entries = %d, want 400 and nothing recorded", resp.StatusCode, len(o.Entries()))
	}
}

// The outbox keeps the newest Max calls: a stack left running does not grow without bound.
func TestKeepsTheNewestMax(t *testing.T) {
	t.Parallel()
	o := New()
	o.Max = 3
	c := &http.Client{Transport: o}
	for i := range 5 {
		body := `{"messaging_product":"whatsapp","to":"4915","type":"text","text":{"body":"m` + string(rune('0'+i)) + `"}}`
		resp, err := c.Post("https://graph.facebook.com/v25.0/106540352242922/messages", "application/json", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
	}
	got := o.Entries()
	if len(got) != 3 {
		t.Fatalf("%d entries, want 3", len(got))
	}
	for i, e := range got {
		if want := `"m` + string(rune('2'+i)) + `"`; !strings.Contains(string(e.Body), want) {
			t.Errorf("entry %d = %s, want the call with %s (the oldest dropped)", i, e.Body, want)
		}
	}
}
