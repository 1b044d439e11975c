package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/frontdesk-app/frontdesk/shared/apperr"
	"github.com/frontdesk-app/frontdesk/shared/learn"
)

// LearnStore is a store that also keeps knowledge-base suggestions and the weekly counts.
type LearnStore interface {
	learn.Store
}

// RunLearn runs the learn suite: suggestions written once per id, listed in order, expiring,
// erased with their subject; weekly counters that add up and expire.
func RunLearn(t *testing.T, newStore func(t *testing.T, now func() time.Time) LearnStore) {
	t.Helper()
	runCases(t, newStore, []testCase[LearnStore]{
		{"SuggestionsOncePerID", learnOnce},
		{"SuggestionsOrderedAndExpire", learnOrder},
		{"SuggestionsDeleteAndErase", learnErase},
		{"SuggestionInvalid", learnInvalid},
		{"Counts", learnCounts},
		{"CountsExpire", learnCountsExpire},
		{"Candidates", learnCandidates},
	})
}

func newSuggestion(id string, at time.Time, subject string) *learn.Suggestion {
	return &learn.Suggestion{ID: learn.ID(id), Question: "Wann kommt mein Paket [phone]?", Entry: "delivery-time",
		Lang: "de", Agent: "U0AGENT1", Subject: subject, At: at, ExpiresAt: at.Add(learn.DefaultRetention)}
}

func learnOnce(t *testing.T, s LearnStore, clk *Clock) {
	ctx := context.Background()
	now := clk.Now()
	sg := newSuggestion("ia:1.2:U0AGENT1:add_faq", now.Add(123456789), subjectOf(key("491700000041")))
	created, err := s.PutSuggestion(ctx, sg)
	must(t, "PutSuggestion", err)
	if !created {
		t.Fatal("first PutSuggestion created = false")
	}
	again := *sg
	again.Question = "changed on a retry"
	created, err = s.PutSuggestion(ctx, &again)
	must(t, "PutSuggestion again", err)
	if created {
		t.Error("PutSuggestion of an existing id created = true")
	}
	got, err := s.Suggestions(ctx)
	must(t, "Suggestions", err)
	want := *sg
	want.At = want.At.UTC()
	want.ExpiresAt = time.Unix(want.ExpiresAt.Unix(), 0).UTC()
	if diff := cmp.Diff([]learn.Suggestion{want}, got); diff != "" {
		t.Errorf("Suggestions mismatch (-want +got):\n%s", diff)
	}
}

func learnOrder(t *testing.T, s LearnStore, clk *Clock) {
	ctx := context.Background()
	now := clk.Now()
	sub := subjectOf(key("491700000042"))
	late := newSuggestion("late", now.Add(2*time.Second), sub)
	early := newSuggestion("early", now.Add(time.Second), sub)
	early.Entry, early.NewAnswer = "", "Wir liefern auch samstags."
	short := newSuggestion("short", now, sub)
	short.ExpiresAt = now.Add(time.Hour)
	for _, sg := range []*learn.Suggestion{late, early, short} {
		if _, err := s.PutSuggestion(ctx, sg); err != nil {
			t.Fatalf("PutSuggestion: %v", err)
		}
	}
	ids := func() []string {
		got, err := s.Suggestions(ctx)
		must(t, "Suggestions", err)
		var out []string
		for _, g := range got {
			out = append(out, g.ID)
		}
		return out
	}
	if diff := cmp.Diff([]string{short.ID, early.ID, late.ID}, ids()); diff != "" {
		t.Errorf("order mismatch (-want +got):\n%s", diff)
	}
	clk.Advance(time.Hour)
	if diff := cmp.Diff([]string{early.ID, late.ID}, ids()); diff != "" {
		t.Errorf("after expiry (-want +got):\n%s", diff)
	}
	// An expired id may be written again.
	short.ExpiresAt = clk.Now().Add(time.Hour)
	created, err := s.PutSuggestion(ctx, short)
	must(t, "PutSuggestion after expiry", err)
	if !created {
		t.Error("PutSuggestion over an expired suggestion created = false")
	}
}

func learnErase(t *testing.T, s LearnStore, clk *Clock) {
	ctx := context.Background()
	now := clk.Now()
	gone, keep := subjectOf(key("491700000043")), subjectOf(key("491700000044"))
	a, b, c := newSuggestion("a", now, gone), newSuggestion("b", now.Add(time.Second), keep), newSuggestion("c", now.Add(2*time.Second), gone)
	for _, sg := range []*learn.Suggestion{a, b, c} {
		if _, err := s.PutSuggestion(ctx, sg); err != nil {
			t.Fatalf("PutSuggestion: %v", err)
		}
	}
	must(t, "EraseSubjectSuggestions", s.EraseSubjectSuggestions(ctx, gone))
	got, err := s.Suggestions(ctx)
	must(t, "Suggestions", err)
	if len(got) != 1 || got[0].ID != b.ID {
		t.Fatalf("after erasing a subject: %v, want only %s", got, b.ID)
	}
	must(t, "DeleteSuggestion", s.DeleteSuggestion(ctx, b.ID))
	must(t, "DeleteSuggestion absent", s.DeleteSuggestion(ctx, b.ID))
	if got, err := s.Suggestions(ctx); err != nil || len(got) != 0 {
		t.Errorf("after delete: %v, %v; want none", got, err)
	}
}

func learnInvalid(t *testing.T, s LearnStore, clk *Clock) {
	ctx := context.Background()
	now := clk.Now()
	sub := subjectOf(key("491700000045"))
	for name, mod := range map[string]func(*learn.Suggestion){
		"no id":             func(sg *learn.Suggestion) { sg.ID = "" },
		"no question":       func(sg *learn.Suggestion) { sg.Question = "" },
		"bad entry":         func(sg *learn.Suggestion) { sg.Entry = "Delivery Time" },
		"neither":           func(sg *learn.Suggestion) { sg.Entry = "" },
		"bad lang":          func(sg *learn.Suggestion) { sg.Lang = "deutsch" },
		"no subject":        func(sg *learn.Suggestion) { sg.Subject = "" },
		"no expiry":         func(sg *learn.Suggestion) { sg.ExpiresAt = time.Time{} },
		"question too long": func(sg *learn.Suggestion) { sg.Question = string(make([]rune, 501)) },
		"answer too long":   func(sg *learn.Suggestion) { sg.NewAnswer = string(make([]rune, 2001)) },
	} {
		sg := newSuggestion("x", now, sub)
		mod(sg)
		_, err := s.PutSuggestion(ctx, sg)
		wantKind(t, "PutSuggestion "+name, err, apperr.Invalid)
	}
	if got, err := s.Suggestions(ctx); err != nil || len(got) != 0 {
		t.Errorf("invalid suggestions were stored: %v, %v", got, err)
	}
	exp := now.Add(time.Hour)
	wantKind(t, "AddCount bad week", s.AddCount(ctx, "2026-48", learn.CounterSuggestions, 1, exp), apperr.Invalid)
	wantKind(t, "AddCount bad counter", s.AddCount(ctx, "2026-W48", "pk", 1, exp), apperr.Invalid)
	wantKind(t, "AddCount zero", s.AddCount(ctx, "2026-W48", learn.CounterSuggestions, 0, exp), apperr.Invalid)
	_, err := s.Counts(ctx, "last week")
	wantKind(t, "Counts bad week", err, apperr.Invalid)
}

func learnCounts(t *testing.T, s LearnStore, clk *Clock) {
	ctx := context.Background()
	now := clk.Now()
	week := learn.Week(now)
	exp := now.Add(learn.TallyRetention)
	adds := []struct {
		counter string
		n       int
	}{
		{learn.ReasonCounter("no_match"), 1}, {learn.ReasonCounter("no_match"), 2}, {learn.ReasonCounter("Free text!"), 1},
		{learn.EntryCounter("delivery-time"), 1}, {learn.CounterSuggestions, 4}, {learn.CounterAccepted, 1},
	}
	for _, a := range adds {
		must(t, "AddCount "+a.counter, s.AddCount(ctx, week, a.counter, a.n, exp))
	}
	must(t, "AddCount other week", s.AddCount(ctx, learn.Week(now.Add(-7*24*time.Hour)), learn.CounterSuggestions, 9, exp))
	got, err := s.Counts(ctx, week)
	must(t, "Counts", err)
	want := map[string]int{"reason:no_match": 3, "reason:other": 1, "entry:delivery-time": 1, "suggestions": 4, "accepted": 1}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Counts mismatch (-want +got):\n%s", diff)
	}
	if got, err := s.Counts(ctx, "2020-W01"); err != nil || len(got) != 0 {
		t.Errorf("Counts of an empty week = %v, %v; want empty", got, err)
	}
}

func learnCountsExpire(t *testing.T, s LearnStore, clk *Clock) {
	ctx := context.Background()
	week := learn.Week(clk.Now())
	must(t, "AddCount", s.AddCount(ctx, week, learn.CounterSuggestions, 2, clk.Now().Add(time.Hour)))
	clk.Advance(time.Hour)
	got, err := s.Counts(ctx, week)
	must(t, "Counts", err)
	if len(got) != 0 {
		t.Errorf("Counts after expiry = %v, want empty", got)
	}
	must(t, "AddCount after expiry", s.AddCount(ctx, week, learn.CounterSuggestions, 1, clk.Now().Add(time.Hour)))
	got, err = s.Counts(ctx, week)
	must(t, "Counts", err)
	if diff := cmp.Diff(map[string]int{"suggestions": 1}, got); diff != "" {
		t.Errorf("Counts restarted after expiry (-want +got):\n%s", diff)
	}
}

func learnCandidates(t *testing.T, s LearnStore, clk *Clock) {
	ctx := context.Background()
	sub, other := subjectOf(key("491700000046")), subjectOf(key("491700000047"))
	now := clk.Now()
	c := &learn.Candidate{Subject: sub, Channel: "C0DESK", ThreadTS: "1767225600.000100", Question: "Wo bleibt mein Paket? [phone]",
		Lang: "de", Entry: "order-status", ExpiresAt: now.Add(learn.CandidateLife)}
	_, err := s.GetCandidate(ctx, sub, c.Channel, c.ThreadTS)
	wantKind(t, "GetCandidate absent", err, apperr.NotFound)
	must(t, "PutCandidate", s.PutCandidate(ctx, c))
	newer := *c
	newer.Question, newer.Entry, newer.ExpiresAt = "Und die Rechnung?", "", now.Add(time.Hour)
	must(t, "PutCandidate newer", s.PutCandidate(ctx, &newer))
	must(t, "PutCandidate other thread", s.PutCandidate(ctx, &learn.Candidate{Subject: sub, Channel: "C0DESK", ThreadTS: "1767225600.000900",
		Question: "Hallo", Lang: "de", ExpiresAt: now.Add(time.Hour)}))
	must(t, "PutCandidate other subject", s.PutCandidate(ctx, &learn.Candidate{Subject: other, Channel: "C0DESK", ThreadTS: c.ThreadTS,
		Question: "Hi", Lang: "en", ExpiresAt: now.Add(time.Hour)}))
	got, err := s.GetCandidate(ctx, sub, c.Channel, c.ThreadTS)
	must(t, "GetCandidate", err)
	want := newer
	want.ExpiresAt = time.Unix(want.ExpiresAt.Unix(), 0).UTC()
	if diff := cmp.Diff(&want, got); diff != "" {
		t.Errorf("GetCandidate mismatch (-want +got):\n%s", diff)
	}
	for name, bad := range map[string]learn.Candidate{
		"no question": {Subject: sub, Channel: "C0DESK", ThreadTS: "1.2", Lang: "de", ExpiresAt: now},
		"no thread":   {Subject: sub, Channel: "C0DESK", Question: "x", Lang: "de", ExpiresAt: now},
		"bad entry":   {Subject: sub, Channel: "C0DESK", ThreadTS: "1.2", Question: "x", Lang: "de", Entry: "A B", ExpiresAt: now},
		"no expiry":   {Subject: sub, Channel: "C0DESK", ThreadTS: "1.2", Question: "x", Lang: "de"},
	} {
		wantKind(t, "PutCandidate "+name, s.PutCandidate(ctx, &bad), apperr.Invalid)
	}

	clk.Advance(time.Hour)
	_, err = s.GetCandidate(ctx, sub, c.Channel, c.ThreadTS)
	wantKind(t, "GetCandidate expired", err, apperr.NotFound)

	must(t, "PutCandidate again", s.PutCandidate(ctx, c))
	must(t, "EraseSubjectSuggestions", s.EraseSubjectSuggestions(ctx, sub))
	_, err = s.GetCandidate(ctx, sub, c.Channel, c.ThreadTS)
	wantKind(t, "GetCandidate after erasing the subject's suggestions", err, apperr.NotFound)

	// A store that also keeps consent deletes the candidates with the subject's other items.
	if es, ok := s.(interface {
		EraseSubject(ctx context.Context, subject string) error
	}); ok {
		c.Subject = other
		must(t, "PutCandidate", s.PutCandidate(ctx, c))
		must(t, "EraseSubject", es.EraseSubject(ctx, other))
		_, err = s.GetCandidate(ctx, other, c.Channel, c.ThreadTS)
		wantKind(t, "GetCandidate after EraseSubject", err, apperr.NotFound)
	}
}
