package console

import (
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/frontdesk-app/frontdesk/shared/channel"
	"github.com/frontdesk-app/frontdesk/shared/meta"
	"github.com/frontdesk-app/frontdesk/shared/observe"
	"github.com/frontdesk-app/frontdesk/shared/outbox"
	"github.com/frontdesk-app/frontdesk/shared/slackapi"
)

// fakeStack checks the console's requests as the real handlers would (the signatures) and
// remembers them.
type fakeStack struct {
	t     *testing.T
	clock *Clock
	paths []string
	seen  func(body []byte) // when set, gets every body the stack accepts
}

func (f *fakeStack) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	switch r.URL.Path {
	case "/webhooks/meta":
		if err := meta.VerifySignature(r.Header.Get("X-Hub-Signature-256"), body, []byte("app-secret")); err != nil {
			http.Error(w, "bad signature", http.StatusUnauthorized)
			return
		}
	case "/slack/events", "/slack/interactions":
		if err := slackapi.Verify(r.Header, body, []byte("slack-secret"), f.clock.Now()); err != nil {
			http.Error(w, "bad signature", http.StatusUnauthorized)
			return
		}
	default:
		http.NotFound(w, r)
		return
	}
	f.paths = append(f.paths, r.URL.Path)
	if f.seen != nil {
		f.seen(body)
	}
}

func newConsole(t *testing.T, hosts ...string) (*Console, *fakeStack, *Journal) {
	t.Helper()
	if len(hosts) == 0 {
		hosts = []string{"127.0.0.1:3000", "localhost:3000"}
	}
	clock := NewClock()
	stack := &fakeStack{t: t, clock: clock}
	j := NewJournal(clock.Now)
	c, err := New(Config{Stack: stack, MetaAppSecret: []byte("app-secret"), SlackSigningSecret: []byte("slack-secret"),
		Clock: clock, Journal: j, Hosts: hosts})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	return c, stack, j
}

func do(c http.Handler, method, host, path, body string, header map[string]string) *httptest.ResponseRecorder {
	r := httptest.NewRequest(method, path, strings.NewReader(body))
	r.Host = host
	if body != "" {
		r.Header.Set("Content-Type", "application/json")
	}
	for k, v := range header {
		r.Header.Set(k, v)
	}
	w := httptest.NewRecorder()
	c.ServeHTTP(w, r)
	return w
}

func TestServesOnlyItsOwnHostAndPage(t *testing.T) {
	t.Parallel()
	c, stack, _ := newConsole(t)
	say := `{"surface":"whatsapp","user":"491701234567","name":"Erika","text":"hallo"}`
	tests := []struct {
		name, method, host, path, body string
		header                         map[string]string
		want                           int
	}{
		{"page", "GET", "127.0.0.1:3000", "/_local/console", "", nil, 200},
		{"page by localhost", "GET", "localhost:3000", "/_local/console/", "", nil, 200},
		{"script", "GET", "127.0.0.1:3000", "/_local/console/static/console.js", "", nil, 200},
		{"another host (DNS rebinding)", "GET", "attacker.example:3000", "/_local/console", "", nil, 403},
		{"another port", "GET", "127.0.0.1:4000", "/_local/console", "", nil, 403},
		{"cross-origin post", "POST", "127.0.0.1:3000", "/_local/console/api/say", say, map[string]string{"Origin": "http://attacker.example"}, 403},
		{"cross-site post", "POST", "127.0.0.1:3000", "/_local/console/api/say", say, map[string]string{"Sec-Fetch-Site": "cross-site"}, 403},
		{"form post", "POST", "127.0.0.1:3000", "/_local/console/api/say", say, map[string]string{"Content-Type": "application/x-www-form-urlencoded"}, 415},
		{"unknown field", "POST", "127.0.0.1:3000", "/_local/console/api/say", `{"surface":"whatsapp","txt":"x"}`, nil, 400},
		{"unknown surface", "POST", "127.0.0.1:3000", "/_local/console/api/say", `{"surface":"telegram","text":"x"}`, nil, 400},
		{"empty message", "POST", "127.0.0.1:3000", "/_local/console/api/say", `{"surface":"whatsapp","text":"  "}`, nil, 400},
		{"clock backwards", "POST", "127.0.0.1:3000", "/_local/console/api/clock", `{"advance":"-1h"}`, nil, 400},
		{"same-origin post", "POST", "127.0.0.1:3000", "/_local/console/api/say", say, map[string]string{"Origin": "http://127.0.0.1:3000", "Sec-Fetch-Site": "same-origin"}, 200},
	}
	for _, tt := range tests {
		w := do(c, tt.method, tt.host, tt.path, tt.body, tt.header)
		if w.Code != tt.want {
			t.Errorf("%s: %s %s = %d %s, want %d", tt.name, tt.method, tt.path, w.Code, strings.TrimSpace(w.Body.String()), tt.want)
		}
		if csp := w.Header().Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'self'") {
			t.Errorf("%s: Content-Security-Policy = %q", tt.name, csp)
		}
	}
	if len(stack.paths) != 1 || stack.paths[0] != "/webhooks/meta" {
		t.Errorf("the stack got %v, want the one accepted message as a signed webhook", stack.paths)
	}
}

func TestDisabledSaysWhy(t *testing.T) {
	t.Parallel()
	c, err := New(Config{Disabled: "WHATSAPP_TOKEN is set"})
	if err != nil {
		t.Fatal(err)
	}
	w := do(c, "GET", "127.0.0.1:3000", "/_local/console", "", nil)
	if w.Code != 403 || !strings.Contains(w.Body.String(), "WHATSAPP_TOKEN is set") {
		t.Errorf("disabled console = %d %q, want 403 saying why", w.Code, w.Body.String())
	}
}

func TestLoopbackHosts(t *testing.T) {
	t.Parallel()
	hosts, err := LoopbackHosts(&net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 3000})
	if err != nil || strings.Join(hosts, ",") != "127.0.0.1:3000,localhost:3000,[::1]:3000" {
		t.Errorf("LoopbackHosts(127.0.0.1:3000) = %v, %v", hosts, err)
	}
	if hosts, err := LoopbackHosts(&net.TCPAddr{IP: net.IPv6loopback, Port: 3000}); err != nil || len(hosts) != 3 {
		t.Errorf("LoopbackHosts([::1]:3000) = %v, %v", hosts, err)
	}
	if _, err := LoopbackHosts(&net.TCPAddr{IP: net.IPv4zero, Port: 3000}); err == nil {
		t.Error("LoopbackHosts(0.0.0.0:3000) = nil error, want a refusal")
	}
}

// Agent requests are signed with the local clock, however far it was moved: the Slack handler
// checks the signature's age against the same clock.
func TestAgentRequestsSignedWithTheLocalClock(t *testing.T) {
	t.Parallel()
	c, stack, j := newConsole(t)
	if w := do(c, "POST", "127.0.0.1:3000", "/_local/console/api/clock", `{"advance":"25h"}`, nil); w.Code != 200 {
		t.Fatalf("clock = %d %s", w.Code, w.Body)
	}
	if off := c.cfg.Clock.Offset(); off != 25*time.Hour {
		t.Fatalf("offset = %s, want 25h", off)
	}
	if w := do(c, "POST", "127.0.0.1:3000", "/_local/console/api/slack/reply", `{"channel":"C0LOCALDESK","thread_ts":"1796378000.000001","text":"Hallo"}`, nil); w.Code != 200 {
		t.Errorf("reply = %d %s", w.Code, w.Body)
	}
	if w := do(c, "POST", "127.0.0.1:3000", "/_local/console/api/slack/press", `{"channel":"C0LOCALDESK","message_ts":"1796378000.000001","action_id":"claim"}`, nil); w.Code != 200 {
		t.Errorf("press = %d %s", w.Code, w.Body)
	}
	if strings.Join(stack.paths, " ") != "/slack/events /slack/interactions" {
		t.Errorf("the stack got %v", stack.paths)
	}
	var types []string
	for _, it := range j.Items() {
		types = append(types, it.Type)
		if it.Type == TypeAgent && it.Status != 200 {
			t.Errorf("agent item %+v, want status 200", it)
		}
	}
	if strings.Join(types, " ") != "clock agent agent" {
		t.Errorf("journal = %v", types)
	}
}

// A press sends the message's select as Slack does, in the payload's state; a selection
// without the select's ids is refused, not sent half.
func TestPressCarriesTheSelect(t *testing.T) {
	t.Parallel()
	c, stack, _ := newConsole(t)
	var got []byte
	stack.seen = func(body []byte) { got = body }
	press := `{"channel":"C0LOCALDESK","message_ts":"1796378000.000002","thread_ts":"1796378000.000001","action_id":"faq_phrasing","block_id":"faq_offer"`
	if w := do(c, "POST", "127.0.0.1:3000", "/_local/console/api/slack/press", press+`,"selected":"delivery-time","select_block":"faq_offer","select_action":"faq_entry"}`, nil); w.Code != 200 {
		t.Fatalf("press = %d %s", w.Code, w.Body)
	}
	in, err := slackapi.ParseInteraction(got)
	if err != nil {
		t.Fatal(err)
	}
	if len(in.Agents) != 1 || in.Agents[0].Action != channel.ActionAddPhrasing || in.Agents[0].Answer != "delivery-time" {
		t.Errorf("the stack reads the press as %+v, want Add as a phrasing of delivery-time", in.Agents)
	}
	if w := do(c, "POST", "127.0.0.1:3000", "/_local/console/api/slack/press", press+`,"selected":"delivery-time"}`, nil); w.Code != 400 || !strings.Contains(w.Body.String(), "select_block") {
		t.Errorf("half a selection = %d %s, want 400 naming what is missing", w.Code, w.Body)
	}
}

// The journal puts each send into its conversation; a private reply finds the comment's.
func TestJournalAttributesSends(t *testing.T) {
	t.Parallel()
	j := NewJournal(time.Now)
	comment := channel.Key{Surface: channel.Comment, Account: "112233445566778", User: "5310000000000099"}
	j.customer(comment, CustomerMessage{Surface: channel.Comment, ID: "900000000000001_abc", Text: "Preis?"})
	j.Decided(context.Background(), observe.Decision{Kind: observe.Bot, Key: comment, Action: "answer"})
	j.Recorded(outbox.Entry{Service: outbox.Messenger, Path: "/v25.0/112233445566778/messages", Body: json.RawMessage(`{"recipient":{"comment_id":"900000000000001_abc"},"message":{"text":"19 €"}}`)})
	j.Recorded(outbox.Entry{Service: outbox.WhatsApp, Path: "/v25.0/106540352242922/messages", Body: json.RawMessage(`{"messaging_product":"whatsapp","to":"491701234567","type":"text"}`)})
	j.Recorded(outbox.Entry{Service: outbox.Instagram, Path: "/v25.0/17841400000000001/messages", Body: json.RawMessage(`{"recipient":{"id":"1789000000000042"},"message":{"text":"hi"}}`)})
	j.Recorded(outbox.Entry{Service: outbox.Slack, Path: "/api/chat.postMessage", Body: json.RawMessage(`{"channel":"C0LOCALDESK"}`)})
	want := []string{comment.String(), comment.String(), comment.String(), "whatsapp#106540352242922#491701234567", "instagram#17841400000000001#1789000000000042", ""}
	items := j.Items()
	for i, it := range items {
		if it.Seq != int64(i+1) || it.Conv != want[i] {
			t.Errorf("item %d (%s): seq %d conv %q, want %d %q", i, it.Type, it.Seq, it.Conv, i+1, want[i])
		}
	}
}

// The event stream sends the state at once and again after a change.
func TestEventStream(t *testing.T) {
	t.Parallel()
	srv := httptest.NewUnstartedServer(nil)
	c, _, _ := newConsole(t, srv.Listener.Addr().String())
	srv.Config.Handler = c
	srv.Start()
	t.Cleanup(srv.Close)
	req, _ := http.NewRequest("GET", srv.URL+"/_local/console/api/events", nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if ct := resp.Header.Get("Content-Type"); ct != "text/event-stream" {
		t.Fatalf("Content-Type = %q", ct)
	}
	read := func() State {
		t.Helper()
		var event, data string
		buf := make([]byte, 0, 64<<10)
		one := make([]byte, 1)
		for !strings.HasSuffix(string(buf), "\n\n") {
			if _, err := resp.Body.Read(one); err != nil {
				t.Fatal(err)
			}
			buf = append(buf, one[0])
		}
		for _, line := range strings.Split(string(buf), "\n") {
			if v, ok := strings.CutPrefix(line, "event: "); ok {
				event = v
			}
			if v, ok := strings.CutPrefix(line, "data: "); ok {
				data = v
			}
		}
		var s State
		if event != "state" || json.Unmarshal([]byte(data), &s) != nil {
			t.Fatalf("event %q data %.200s", event, data)
		}
		return s
	}
	if s := read(); s.Items == nil || len(s.Items) != 0 || len(s.Customers) != len(Customers) || s.Offset != "real time" {
		t.Errorf("first state = %+v", s)
	}
	r, _ := http.NewRequest("POST", srv.URL+"/_local/console/api/clock", strings.NewReader(`{"advance":"30m"}`))
	r.Header.Set("Content-Type", "application/json")
	if resp, err := http.DefaultClient.Do(r); err != nil || resp.StatusCode != 200 {
		t.Fatalf("clock: %v %v", resp, err)
	}
	if s := read(); len(s.Items) != 1 || s.Offset != "+30 min" || s.OffsetSec != 1800 {
		t.Errorf("state after the clock moved = %+v", s)
	}
}

func TestOffsetInHoursAndMinutes(t *testing.T) {
	t.Parallel()
	for d, want := range map[time.Duration]string{0: "real time", 45 * time.Minute: "+45 min", 25 * time.Hour: "+25 h", 25*time.Hour + 45*time.Minute: "+25 h 45 min"} {
		if got := formatOffset(d); got != want {
			t.Errorf("formatOffset(%s) = %q, want %q", d, got, want)
		}
	}
}

func TestJournalKeepsTheNewest(t *testing.T) {
	t.Parallel()
	j := NewJournal(time.Now)
	j.Max = 3
	for range 5 {
		j.add(Item{Type: TypeClock})
	}
	items := j.Items()
	if len(items) != 3 || items[0].Seq != 3 || items[2].Seq != 5 {
		t.Errorf("items = %+v, want seq 3 to 5", items)
	}
}
