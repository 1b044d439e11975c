package sweeper

import (
	"strings"
	"testing"
	"time"

	"github.com/frontdesk-app/frontdesk/shared/faq"
	"github.com/frontdesk-app/frontdesk/shared/learn"
	"github.com/frontdesk-app/frontdesk/shared/memstore"
	"github.com/frontdesk-app/frontdesk/shared/metrics"
	"github.com/frontdesk-app/frontdesk/shared/slackapi"
	"github.com/frontdesk-app/frontdesk/shared/slackapi/slacktest"
)

type countRecorder map[string]int

func (c countRecorder) Count(name string, n int)           { c[name] += n }
func (c countRecorder) Milliseconds(string, time.Duration) {}

// The weekly digest: once per week whatever the schedule, counts only, and the suggestions the
// knowledge base now holds are retired as accepted.
func TestWeeklyDigest(t *testing.T) {
	clock := now
	store := &memstore.Store{Now: func() time.Time { return clock }}
	ctx := t.Context()
	lastWeek := clock.AddDate(0, 0, -7)
	add := func(at time.Time, counter string, n int) {
		if err := store.AddCount(ctx, learn.Week(at), counter, n, at.Add(learn.TallyRetention)); err != nil {
			t.Fatal(err)
		}
	}
	add(lastWeek, learn.ReasonCounter("no_match"), 7)
	add(lastWeek, learn.ReasonCounter("asked_for_human"), 3)
	add(lastWeek, learn.EntryCounter("delivery-time"), 4)
	add(lastWeek, learn.CounterSuggestions, 2)
	add(clock, learn.ReasonCounter("human_topic"), 9) // this week: not in last week's digest

	kb, err := faq.SampleKB()
	if err != nil {
		t.Fatal(err)
	}
	merged := learn.Suggestion{ID: learn.ID("a"), Question: "Wie lange dauert die Lieferung?", Entry: "delivery-time", Lang: "de",
		Agent: "U0AGENT1", Subject: "sub_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", At: lastWeek, ExpiresAt: clock.Add(learn.DefaultRetention)}
	waiting := merged
	waiting.ID, waiting.Question = learn.ID("b"), "Kommt mein Paket noch vor Weihnachten an?"
	for _, s := range []learn.Suggestion{merged, waiting} {
		if _, err := store.PutSuggestion(ctx, &s); err != nil {
			t.Fatal(err)
		}
	}

	fake := slacktest.New(t, "xoxb-sweeper", "C0DESK")
	client, err := slackapi.NewClient(slackapi.ClientConfig{Token: "xoxb-sweeper", APIURL: fake.URL(), HTTP: fake.Client()})
	if err != nil {
		t.Fatal(err)
	}
	rec := countRecorder{}
	d := &Digest{Learn: store, Sends: store, Desk: slackapi.NewDesk(client, slackapi.Routes{Default: "C0DESK"}.Channel),
		Channel: "C0DESK", KB: kb, Metrics: rec, Now: func() time.Time { return clock }}
	r, err := d.Run(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if r.Posted != learn.Week(lastWeek) || r.Accepted != 1 || rec[metrics.SuggestionsAccepted] != 1 {
		t.Errorf("report = %+v, metrics %v; want last week posted and one suggestion accepted", r, rec)
	}
	clock = clock.Add(5 * time.Minute)
	if r, err := d.Run(ctx); err != nil || r.Posted != "" {
		t.Errorf("second run = %+v, %v; want nothing posted", r, err)
	}
	posts := fake.CallsTo("chat.postMessage")
	if len(posts) != 1 {
		t.Fatalf("%d digests posted, want 1", len(posts))
	}
	text := posts[0].Text
	for _, want := range []string{"the bot found no answer 7 · asked for a person 3", "`delivery-time` 4", "2 made, 0 accepted, 1 waiting"} {
		if !strings.Contains(text, want) {
			t.Errorf("digest %q lacks %q", text, want)
		}
	}
	for _, never := range []string{"a topic for a person", waiting.Question, "Weihnachten"} {
		if strings.Contains(text, never) {
			t.Errorf("digest %q contains %q", text, never)
		}
	}
	left, _ := store.Suggestions(ctx)
	if len(left) != 1 || left[0].ID != waiting.ID {
		t.Errorf("suggestions left = %+v, want only the waiting one", left)
	}
	if c, _ := store.Counts(ctx, learn.Week(clock)); c[learn.CounterAccepted] != 1 {
		t.Errorf("this week's counts = %v, want one accepted", c)
	}
}

// A week without escalations or suggestions posts nothing.
func TestQuietWeekPostsNothing(t *testing.T) {
	store := &memstore.Store{Now: func() time.Time { return now }}
	fake := slacktest.New(t, "xoxb-sweeper", "C0DESK")
	client, err := slackapi.NewClient(slackapi.ClientConfig{Token: "xoxb-sweeper", APIURL: fake.URL(), HTTP: fake.Client()})
	if err != nil {
		t.Fatal(err)
	}
	d := &Digest{Learn: store, Sends: store, Desk: slackapi.NewDesk(client, slackapi.Routes{Default: "C0DESK"}.Channel),
		Channel: "C0DESK", Now: func() time.Time { return now }}
	if r, err := d.Run(t.Context()); err != nil || r.Posted != "" {
		t.Errorf("quiet week = %+v, %v; want nothing posted", r, err)
	}
	if n := len(fake.Calls()); n != 0 {
		t.Errorf("%d Slack calls for a quiet week", n)
	}
}
