package consent_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/frontdesk-app/frontdesk/shared/channel"
	"github.com/frontdesk-app/frontdesk/shared/consent"
	"github.com/frontdesk-app/frontdesk/shared/consent/consenttest"
	"github.com/frontdesk-app/frontdesk/shared/desk"
	"github.com/frontdesk-app/frontdesk/shared/slackapi"
	"github.com/frontdesk-app/frontdesk/shared/slackapi/slacktest"
)

const (
	slackToken = "xoxb-test"
	deskCh     = "C0DESK"
)

// slackThread posts an escalation thread as the bot would, recording the bot's messages in the
// index, plus an agent's own reply and a bot message whose record was lost.
func slackThread(t *testing.T, fake *slacktest.Server, rec *consent.SlackRecorder, c *slackapi.Client) (card string, bot []string, agent, unindexed string) {
	t.Helper()
	ctx := desk.WithPosted(context.Background(), func(ctx context.Context, th desk.Thread, ts string) {
		if err := rec.Record(ctx, waKey, nil, th.Channel, th.TS, ts); err != nil {
			t.Fatal(err)
		}
	})
	post := func(thread, text string) string {
		ts, err := c.PostMessage(ctx, deskCh, thread, text, nil)
		if err != nil {
			t.Fatal(err)
		}
		return ts
	}
	card = post("", "Escalation from WhatsApp")
	bot = []string{card, post(card, "Recent messages"), post(card, ":speech_balloon: Customer: hello")}
	agent = fake.PostAs(deskCh, card, "U0AGENT1", "Hi, I'm on it")
	bot = append(bot, post(card, ":raising_hand: Claimed"))
	unindexed, err := c.PostMessage(context.Background(), deskCh, card, ":outbox_tray: sent", nil)
	if err != nil {
		t.Fatal(err)
	}
	return card, bot, agent, unindexed
}

func TestErasureReachesSlack(t *testing.T) {
	clk := newClock(t0)
	store := consenttest.NewStore(clk.Now)
	fake := slacktest.New(t, slackToken, deskCh)
	client, err := slackapi.NewClient(slackapi.ClientConfig{Token: slackToken, APIURL: fake.URL(), HTTP: fake.Client()})
	if err != nil {
		t.Fatal(err)
	}
	subjects := consent.Subjects{Pepper: pepper}
	rec := &consent.SlackRecorder{Store: store, Subjects: subjects, Now: clk.Now}
	card, bot, agent, unindexed := slackThread(t, fake, rec, client)
	ledger := &consent.Ledger{Store: store, Subjects: subjects, Now: clk.Now,
		Slack: &consent.SlackEraser{Store: store, Slack: slackapi.ErasureAPI{Client: client}}}

	// The conversation record is long gone: the index is what the erasure finds.
	clk.Add(200 * 24 * time.Hour)
	// The first attempt is cut short by Slack failing the second deletion.
	fake.FailNext("chat.delete", slacktest.Failure{Error: "internal_error", After: 1})
	sub := subjects.Key(waKey)
	if err := ledger.Erase(context.Background(), consent.SourceAPI, sub); err == nil {
		t.Fatal("Erase with Slack failing: no error, want one so the request is retried")
	}
	if err := ledger.Erase(context.Background(), consent.SourceAPI, sub); err != nil {
		t.Fatalf("retried Erase: %v", err)
	}
	if err := ledger.Erase(context.Background(), consent.SourceAPI, sub); err != nil {
		t.Fatalf("third Erase: %v", err)
	}

	var deleted []string
	for _, c := range fake.CallsTo("chat.delete") {
		deleted = append(deleted, c.TS)
	}
	want := append(slices.Clone(bot[1:]), unindexed, card)
	slices.Sort(want[:len(want)-1])
	if !slices.Equal(deleted, want) {
		t.Errorf("chat.delete calls = %v, want every bot message, the card last: %v", deleted, want)
	}
	for _, c := range fake.Calls() {
		if c.Method == "chat.delete" && c.TS == agent {
			t.Errorf("chat.delete was tried on the agent's message")
		}
	}
	thread := fake.Thread(deskCh, card)
	if len(thread) != 2 || thread[0].TS != agent || thread[1].Text != slackapi.ErasedLine {
		t.Errorf("thread after erasure = %+v, want the agent's message and one erasure line", thread)
	}
	var lists []slacktest.Call
	for _, c := range fake.CallsTo("chat.postMessage") {
		if c.ThreadTS == "" && strings.Contains(c.Text, "cannot delete") {
			lists = append(lists, c)
		}
	}
	if len(lists) != 1 || !strings.Contains(lists[0].Text, strings.ReplaceAll(agent, ".", "")) {
		t.Errorf("admins' lists = %+v, want one with the agent's message's link", lists)
	}
	if idx, err := store.SlackThreads(context.Background(), sub); err != nil || len(idx) != 0 {
		t.Errorf("index after erasure = %v, %v; want none", idx, err)
	}
}

// A customer's photo the bot uploaded into the thread is deleted with the thread: deleting the
// message that shared it would leave the file in Slack.
func TestErasureDeletesCustomersFiles(t *testing.T) {
	clk := newClock(t0)
	store := consenttest.NewStore(clk.Now)
	fake := slacktest.New(t, slackToken, deskCh)
	client, err := slackapi.NewClient(slackapi.ClientConfig{Token: slackToken, APIURL: fake.URL(), HTTP: fake.Client()})
	if err != nil {
		t.Fatal(err)
	}
	subjects := consent.Subjects{Pepper: pepper}
	rec := &consent.SlackRecorder{Store: store, Subjects: subjects, Now: clk.Now}
	card, _, _, _ := slackThread(t, fake, rec, client)
	if err := client.UploadFile(context.Background(), deskCh, card, channel.File{Name: "photo.jpg", MIME: "image/jpeg", Data: []byte("\xff\xd8\xff")}, "Customer: photo"); err != nil {
		t.Fatal(err)
	}
	var fileID string
	for _, m := range fake.Thread(deskCh, card) {
		if len(m.Files) == 1 {
			fileID = m.Files[0].ID
		}
	}
	if fileID == "" {
		t.Fatal("the photo is not in the thread")
	}
	ledger := &consent.Ledger{Store: store, Subjects: subjects, Now: clk.Now,
		Slack: &consent.SlackEraser{Store: store, Slack: slackapi.ErasureAPI{Client: client}}}
	if err := ledger.Erase(context.Background(), consent.SourceAPI, subjects.Key(waKey)); err != nil {
		t.Fatal(err)
	}
	if f, ok := fake.UploadedFile(fileID); !ok || !f.Deleted || f.Data != nil {
		t.Errorf("the customer's photo was not deleted from Slack: %+v", f)
	}
	if n := len(fake.CallsTo("files.delete")); n != 1 {
		t.Errorf("files.delete called %d times, want 1", n)
	}
}
