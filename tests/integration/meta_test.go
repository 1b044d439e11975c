package integration_test

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/frontdesk-app/frontdesk/internal/testenv"
	"github.com/frontdesk-app/frontdesk/shared/channel"
	"github.com/frontdesk-app/frontdesk/shared/conversation"
	"github.com/frontdesk-app/frontdesk/shared/faq"
	"github.com/frontdesk-app/frontdesk/shared/graph/graphtest"
	"github.com/frontdesk-app/frontdesk/shared/meta"
	"github.com/frontdesk-app/frontdesk/shared/meta/metatest"
	"github.com/frontdesk-app/frontdesk/shared/metrics"
	"github.com/frontdesk-app/frontdesk/shared/queue"
)

// post delivers body to the Meta webhook, signed, and waits until the bot is done.
func (e *env) post(body []byte) {
	e.t.Helper()
	req := httptest.NewRequest(http.MethodPost, "/webhooks/meta", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Hub-Signature-256", meta.Sign(body, []byte(appSecret)))
	if rec := e.do(req); rec.Code != http.StatusOK {
		e.t.Fatalf("webhook status = %d (%s), want 200", rec.Code, rec.Body)
	}
}

// messenger is a Messenger webhook body with one messaging event from the customer psid.
func messenger(psid string, at time.Time, event string) []byte {
	ms := at.UnixMilli()
	return fmt.Appendf(nil, `{"object":"page","entry":[{"id":"%s","time":%d,"messaging":[{"sender":{"id":"%s"},"recipient":{"id":"%s"},"timestamp":%d,%s}]}]}`,
		metatest.PageID, ms, psid, metatest.PageID, ms, event)
}

// whatsapp is a WhatsApp webhook body with one message from waID.
func whatsapp(waID string, at time.Time, message string) []byte {
	return fmt.Appendf(nil, `{"object":"whatsapp_business_account","entry":[{"id":"%s","changes":[{"field":"messages","value":{"messaging_product":"whatsapp","metadata":{"display_phone_number":"15550101234","phone_number_id":"%s"},"contacts":[{"profile":{"name":"Erika"},"wa_id":"%s"}],"messages":[{"from":"%s","timestamp":"%d",%s}]}}]}]}`,
		metatest.WABA, metatest.PhoneNumberID, waID, waID, at.Unix(), message)
}

func (e *env) conversation(key channel.Key) *conversation.Conversation {
	e.t.Helper()
	c, err := e.store.GetConversation(e.t.Context(), key)
	if err != nil {
		e.t.Fatalf("conversation %s: %v", key.Surface, err)
	}
	return c
}

// Real Meta traffic on the local stack: a Get Started tap gets the welcome with entry buttons in
// the KB's language, a like is no miss, a catalog order goes to a person with its items, a group
// message gets no private answer.
func TestMetaTrafficLocally(t *testing.T) {
	t.Parallel()
	kb, err := faq.SampleKB()
	if err != nil {
		t.Fatal(err)
	}
	forEachBackend(t, func(t *testing.T, e *env) {
		now := e.clock.Now()

		// Get Started.
		starter := e.say(metatest.Message{Surface: channel.Messenger, From: "7001", Text: "Get Started", Payload: "GET_STARTED", Postback: true}).Key
		sends := e.sent(starter.User)
		if len(sends) != 1 {
			t.Fatalf("Get Started: %d messages, want the welcome", len(sends))
		}
		msg, _ := sends[0].JSON["message"].(map[string]any)
		buttons, _ := msg["quick_replies"].([]any)
		if len(buttons) == 0 || text(sends[0]) == "" {
			t.Fatalf("welcome = %v, want a text with entry buttons", msg)
		}
		for _, b := range buttons {
			qr := b.(map[string]any)
			entry, ok := kb.Entry(fmt.Sprint(qr["payload"]))
			if !ok || qr["title"] != entry.TitleIn("de") {
				t.Errorf("button %v is not a KB entry titled in German", qr)
			}
		}
		if c := e.conversation(starter); c.Misses != 0 || c.Status != conversation.Bot {
			t.Errorf("after Get Started: misses %d status %s, want no miss", c.Misses, c.Status)
		}

		// A like.
		liker := channel.Key{Surface: channel.Messenger, Account: metatest.PageID, User: "7002"}
		e.post(messenger(liker.User, now, `"message":{"mid":"m_like1","sticker_id":369239263222822,"attachments":[{"type":"image","payload":{"url":"https://scontent.xx.fbcdn.net/like.png","sticker_id":369239263222822}}]}`))
		if n := len(e.sent(liker.User)); n != 0 {
			t.Errorf("a like got %d messages, want none", n)
		}
		if c := e.conversation(liker); c.Misses != 0 || c.Status != conversation.Bot {
			t.Errorf("after a like: misses %d status %s, want no miss", c.Misses, c.Status)
		}

		// A catalog order.
		buyer := channel.Key{Surface: channel.WhatsApp, Account: metatest.PhoneNumberID, User: "491700000101"}
		e.post(whatsapp(buyer.User, now, `"id":"wamid.ORDER1","type":"order","order":{"catalog_id":"354160437058781","text":"Bitte bis Freitag","product_items":[{"product_retailer_id":"TSHIRT-M","quantity":2,"item_price":19.9,"currency":"EUR"}]}`))
		c := e.conversation(buyer)
		if c.Status != conversation.Escalated || c.EscalationReason != "order" || c.ThreadTS == "" {
			t.Fatalf("after an order: status %s reason %q thread %q, want escalated", c.Status, c.EscalationReason, c.ThreadTS)
		}
		var thread strings.Builder
		for _, m := range e.slack.Thread(deskChannel, c.ThreadTS) {
			thread.WriteString(m.Text + string(m.Blocks))
		}
		if !strings.Contains(thread.String(), "2 × TSHIRT-M à 19.9 EUR") || !strings.Contains(thread.String(), "Bitte bis Freitag") {
			t.Errorf("the thread does not summarise the order:\n%s", thread.String())
		}
		if got := e.sent(buyer.User); len(got) != 1 || !strings.Contains(text(got[0]), "Bestellung") {
			t.Errorf("the buyer got %d messages, want the German order confirmation", len(got))
		}

		// A group message.
		member := channel.Key{Surface: channel.WhatsApp, Account: metatest.PhoneNumberID, User: "491700000102"}
		e.post(whatsapp(member.User, now, `"id":"wamid.GROUP1","group_id":"Y2FwaV9ncm91cDoxNzA1NTU1MDEzOToxMjAzNjM0MDQ2OTQyMzM4MjAZD","type":"text","text":{"body":"Wie lange dauert die Lieferung?"}`))
		if n := len(e.sent(member.User)); n != 0 {
			t.Errorf("a group message got %d private answers, want none", n)
		}
		if _, err := e.store.GetConversation(t.Context(), member); err == nil {
			t.Errorf("a group message opened the participant's 1:1 conversation")
		}
	})
}

// With the clock of the stack: a message Meta delivers 3 days late gets no stale bot answer and
// is counted; one 2 hours late is answered.
func TestLateDeliveries(t *testing.T) {
	t.Parallel()
	e := newEnv(t, "memstore")
	e.clock.Advance(72 * time.Hour)
	late := e.say(metatest.Message{Surface: channel.WhatsApp, From: "491700000201", Text: "Wie lange dauert die Lieferung?", At: e.clock.Now().Add(-72 * time.Hour)})
	if n := len(e.sent(late.Recipient)); n != 0 {
		t.Errorf("3 days late: %d messages, want no stale answer", n)
	}
	if n := e.metrics.get(metrics.StaleAnswersDropped); n != 1 {
		t.Errorf("StaleAnswersDropped = %d, want 1", n)
	}
	fresh := e.say(metatest.Message{Surface: channel.WhatsApp, From: "491700000202", Text: "Wie lange dauert die Lieferung?", At: e.clock.Now().Add(-2 * time.Hour)})
	if got := e.sent(fresh.Recipient); len(got) != 1 || !strings.Contains(text(got[0]), "Werktag") {
		t.Errorf("2 hours late: %d messages, want the answer", len(got))
	}
	if n := e.metrics.get(metrics.StaleAnswersDropped); n != 1 {
		t.Errorf("StaleAnswersDropped = %d after the 2-hour one, want still 1", n)
	}

	// A payload recorded by others, redelivered now with its own time (2023): no stale answer.
	root, err := testenv.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	body, err := os.ReadFile(filepath.Join(root, metatest.RecordedDir, "pywa_message_text.json"))
	if err != nil {
		t.Fatal(err)
	}
	evs, err := meta.Parse(body)
	if err != nil || len(evs) != 1 || evs[0].At.Year() != 2023 {
		t.Fatalf("recorded text: %v, %v", evs, err)
	}
	in := evs[0]
	in.Key.Account, in.Key.User = metatest.PhoneNumberID, "491700000203"
	e.enqueue(in)
	if n := len(e.sent(in.Key.User)); n != 0 {
		t.Errorf("a message from 2023: %d messages, want no stale answer", n)
	}
	if n := e.metrics.get(metrics.StaleAnswersDropped); n != 2 {
		t.Errorf("StaleAnswersDropped = %d, want 2", n)
	}
}

// enqueue hands in to the bot through the queue, as the webhook would, and waits.
func (e *env) enqueue(in channel.Inbound) {
	e.t.Helper()
	b, err := json.Marshal(channel.Event{Inbound: &in})
	if err != nil {
		e.t.Fatal(err)
	}
	if err := e.queue.Send(context.Background(), queue.Message{GroupID: in.Key.String(), DeduplicationID: in.ID, Body: b}); err != nil {
		e.t.Fatal(err)
	}
	e.wait()
}

var updateGolden = flag.Bool("update", false, "rewrite the golden files in testdata")

// numericIDs turns the id fields of a Messenger body into JSON numbers.
var numericIDs = regexp.MustCompile(`"id":"([0-9]+)"`)

// A Messenger message whose page, sender and recipient ids are JSON numbers is answered exactly
// like its twin with the documented string ids: the same send, byte for byte, and the same
// conversation record.
func TestNumericIDsAnswerLikeStrings(t *testing.T) {
	t.Parallel()
	at := time.Date(2026, 11, 28, 10, 0, 0, 0, time.UTC)
	body := messenger("6254170001234567", at, `"message":{"mid":"m_NUM1","text":"Welche Zahlungsarten gibt es?"}`)
	twin := numericIDs.ReplaceAll(body, []byte(`"id":$1`))
	if bytes.Equal(body, twin) || !bytes.Contains(twin, []byte(`"sender":{"id":6254170001234567}`)) {
		t.Fatalf("the twin has no numeric ids: %s", twin)
	}
	run := func(body []byte) (graphtest.Request, *conversation.Conversation) {
		e := newEnv(t, "memstore")
		e.post(body)
		sends := e.sent("6254170001234567")
		if len(sends) != 1 {
			t.Fatalf("%d sends, want 1", len(sends))
		}
		return sends[0], e.conversation(channel.Key{Surface: channel.Messenger, Account: metatest.PageID, User: "6254170001234567"})
	}
	wantSend, wantConv := run(body)
	gotSend, gotConv := run(twin)
	if !strings.Contains(text(wantSend), "PayPal") {
		t.Fatalf("the string-id message was answered %q, want the payment answer", text(wantSend))
	}
	if diff := cmp.Diff(wantSend.JSON, gotSend.JSON); diff != "" || wantSend.Path != gotSend.Path {
		t.Errorf("the numeric-id twin was answered differently (-strings +numbers):\n%s", diff)
	}
	// The golden send: what Messenger receives for either twin.
	golden := filepath.Join("testdata", "numeric_ids_send.golden.json")
	got, err := json.MarshalIndent(map[string]any{"path": gotSend.Path, "body": gotSend.JSON}, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	if *updateGolden {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(golden, append(got, '\n'), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("golden send missing (go test -run TestNumericIDs -update): %v", err)
	}
	if diff := cmp.Diff(strings.TrimSpace(string(want)), string(got)); diff != "" {
		t.Errorf("the send differs from %s (-golden +got):\n%s", golden, diff)
	}
	wantConv.Lease, gotConv.Lease = nil, nil
	if diff := cmp.Diff(wantConv, gotConv); diff != "" {
		t.Errorf("the numeric-id twin's conversation differs (-strings +numbers):\n%s", diff)
	}
}

// The corpus of payloads recorded by others, through the bot on the local stack: each queued
// event is replayed as if it arrived now, on the stack's accounts, one customer per payload,
// and does what EXPECTED says.
func TestRecordedCorpusThroughTheBot(t *testing.T) {
	t.Parallel()
	root, err := testenv.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	corpus, err := metatest.LoadRecorded(root)
	if err != nil {
		t.Fatal(err)
	}
	e := newEnv(t, "memstore")
	for i, r := range corpus {
		if r.Bot == metatest.BotNone {
			continue
		}
		t.Run(strings.TrimSuffix(r.File, filepath.Ext(r.File)), func(t *testing.T) {
			e.t = t
			evs, err := meta.Parse(r.Body)
			if err != nil {
				t.Fatal(err)
			}
			user := fmt.Sprintf("49170%07d", i)
			var key channel.Key
			recipient := user
			slackBefore := len(e.slack.CallsTo("chat.postMessage"))
			for j, in := range evs {
				if !meta.Enqueue(in) {
					continue
				}
				in.Key.User = user
				in.At = e.clock.Now()
				in.ID = fmt.Sprintf("%s#%d", r.File, j) // unique across the corpus, which reuses sample ids
				switch in.Key.Surface {
				case channel.WhatsApp:
					in.Key.Account = metatest.PhoneNumberID
				case channel.Messenger:
					in.Key.Account = metatest.PageID
				case channel.Instagram:
					in.Key.Account = metatest.InstagramID
				case channel.Comment:
					in.Key.Account = metatest.PageID
					in.CommentID = "comment-" + user
					recipient = in.CommentID
				}
				key = in.Key
				e.enqueue(in)
			}
			sends := e.sent(recipient)
			cards := len(e.slack.CallsTo("chat.postMessage")) - slackBefore
			c, err := e.store.GetConversation(t.Context(), key)
			if err != nil {
				c = &conversation.Conversation{}
			}
			var problems []string
			switch r.Bot {
			case metatest.BotQuiet:
				if len(sends) != 0 || cards != 0 || c.Misses != 0 || c.Escalated() {
					problems = append(problems, fmt.Sprintf("%d sends, %d Slack posts, misses %d, status %s; want nothing", len(sends), cards, c.Misses, c.Status))
				}
			case metatest.BotReply:
				if len(sends) == 0 || cards != 0 || c.Escalated() {
					problems = append(problems, fmt.Sprintf("%d sends, %d Slack posts, status %s; want an answer", len(sends), cards, c.Status))
				}
			case metatest.BotWelcome:
				if len(sends) != 1 || !hasOptions(sends[0]) || c.Misses != 0 || cards != 0 {
					problems = append(problems, fmt.Sprintf("%d sends (options: %v), misses %d; want the welcome with buttons", len(sends), len(sends) > 0 && hasOptions(sends[0]), c.Misses))
				}
			case metatest.BotPerson:
				if len(sends) == 0 || cards == 0 || !c.Escalated() {
					problems = append(problems, fmt.Sprintf("%d sends, %d Slack posts, status %s; want escalated with a notice", len(sends), cards, c.Status))
				}
			case metatest.BotDesk:
				if len(sends) != 0 || cards == 0 || c.Escalated() {
					problems = append(problems, fmt.Sprintf("%d sends, %d Slack posts, status %s; want a card and no answer", len(sends), cards, c.Status))
				}
			}
			for _, p := range problems {
				t.Errorf("%s (%s): %s", r.File, r.Why, p)
			}
		})
	}
}

// hasOptions reports whether a send offers buttons: Messenger quick replies or WhatsApp
// interactive buttons or a list.
func hasOptions(r graphtest.Request) bool {
	if m, ok := r.JSON["message"].(map[string]any); ok {
		qr, _ := m["quick_replies"].([]any)
		return len(qr) > 0
	}
	_, ok := r.JSON["interactive"].(map[string]any)
	return ok
}
