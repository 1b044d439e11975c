package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/frontdesk-app/frontdesk/shared/apperr"
	"github.com/frontdesk-app/frontdesk/shared/consent"
)

const (
	idxChannel = "C0DESK"
	idxThread  = "1767225600.000100"
)

func slackIndex(t *testing.T, s ConsentStore, clk *Clock) {
	ctx := context.Background()
	sub := subjectOf(key("491700000031"))
	other := subjectOf(key("491700000032"))
	now := clk.Now()
	exp := now.Add(365 * 24 * time.Hour)
	must(t, "RecordSlackMessages", s.RecordSlackMessages(ctx, sub, idxChannel, idxThread, []string{idxThread, "1767225600.000300"}, exp))
	must(t, "RecordSlackMessages again", s.RecordSlackMessages(ctx, sub, idxChannel, idxThread, []string{"1767225600.000200", "1767225600.000300", "1767225600.000200"}, exp))
	must(t, "RecordSlackMessages other thread", s.RecordSlackMessages(ctx, sub, "C0AAA", "1767225500.000100", []string{"1767225500.000100"}, exp.Add(time.Hour)))
	must(t, "RecordSlackMessages other subject", s.RecordSlackMessages(ctx, other, idxChannel, "1767225700.000100", []string{"1767225700.000100"}, exp))

	got, err := s.SlackThreads(ctx, sub)
	must(t, "SlackThreads", err)
	want := []consent.SlackThread{
		{Subject: sub, Channel: "C0AAA", ThreadTS: "1767225500.000100", Messages: []string{"1767225500.000100"}, ExpiresAt: exp.Add(time.Hour)},
		{Subject: sub, Channel: idxChannel, ThreadTS: idxThread, Messages: []string{idxThread, "1767225600.000200", "1767225600.000300"}, ExpiresAt: exp},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Fatalf("SlackThreads mismatch (-want +got):\n%s", diff)
	}

	// An erasure records its progress; a later message moves the expiry and keeps it.
	must(t, "MarkSlackThread line", s.MarkSlackThread(ctx, sub, idxChannel, idxThread, "1767225600.000900", false))
	must(t, "MarkSlackThread admins", s.MarkSlackThread(ctx, sub, idxChannel, idxThread, "", true))
	must(t, "RecordSlackMessages later", s.RecordSlackMessages(ctx, sub, idxChannel, idxThread, []string{"1767225600.000400"}, exp.Add(48*time.Hour)))
	got, err = s.SlackThreads(ctx, sub)
	must(t, "SlackThreads", err)
	want[1].Messages = append(want[1].Messages, "1767225600.000400")
	want[1].Line, want[1].AdminsTold, want[1].ExpiresAt = "1767225600.000900", true, exp.Add(48*time.Hour)
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("SlackThreads after marks mismatch (-want +got):\n%s", diff)
	}

	err = s.MarkSlackThread(ctx, sub, idxChannel, "1767225999.000100", "1767225600.000900", false)
	wantKind(t, "MarkSlackThread unknown thread", err, apperr.NotFound)
	if none, err := s.SlackThreads(ctx, subjectOf(key("491700000039"))); err != nil || len(none) != 0 {
		t.Errorf("SlackThreads of an unknown subject = %v, %v; want empty", none, err)
	}
}

func slackIndexExpires(t *testing.T, s ConsentStore, clk *Clock) {
	ctx := context.Background()
	sub := subjectOf(key("491700000033"))
	now := clk.Now()
	must(t, "RecordSlackMessages", s.RecordSlackMessages(ctx, sub, idxChannel, idxThread, []string{idxThread}, now.Add(time.Hour)))
	must(t, "MarkSlackThread", s.MarkSlackThread(ctx, sub, idxChannel, idxThread, "1767225600.000900", true))
	clk.Advance(time.Hour)
	got, err := s.SlackThreads(ctx, sub)
	must(t, "SlackThreads", err)
	if len(got) != 0 {
		t.Fatalf("SlackThreads after expiry = %v, want none", got)
	}
	wantKind(t, "MarkSlackThread expired", s.MarkSlackThread(ctx, sub, idxChannel, idxThread, "1767225600.000901", false), apperr.NotFound)
	// A new message into the thread starts a fresh index: nothing of the expired one returns.
	must(t, "RecordSlackMessages after expiry", s.RecordSlackMessages(ctx, sub, idxChannel, idxThread, []string{"1767225600.000500"}, clk.Now().Add(time.Hour)))
	got, err = s.SlackThreads(ctx, sub)
	must(t, "SlackThreads", err)
	want := []consent.SlackThread{{Subject: sub, Channel: idxChannel, ThreadTS: idxThread, Messages: []string{"1767225600.000500"}, ExpiresAt: clk.Now().Add(time.Hour)}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("SlackThreads after a fresh record mismatch (-want +got):\n%s", diff)
	}
}

func slackIndexErased(t *testing.T, s ConsentStore, clk *Clock) {
	ctx := context.Background()
	sub, keep := subjectOf(key("491700000034")), subjectOf(key("491700000035"))
	exp := clk.Now().Add(time.Hour)
	must(t, "RecordSlackMessages", s.RecordSlackMessages(ctx, sub, idxChannel, idxThread, []string{idxThread}, exp))
	must(t, "RecordSlackMessages keep", s.RecordSlackMessages(ctx, keep, idxChannel, idxThread, []string{idxThread}, exp))
	must(t, "EraseSubject", s.EraseSubject(ctx, sub))
	if got, err := s.SlackThreads(ctx, sub); err != nil || len(got) != 0 {
		t.Errorf("SlackThreads after erase = %v, %v; want empty", got, err)
	}
	if got, err := s.SlackThreads(ctx, keep); err != nil || len(got) != 1 {
		t.Errorf("SlackThreads of another subject after erase = %v, %v; want its one thread", got, err)
	}
}

func slackIndexInvalid(t *testing.T, s ConsentStore, clk *Clock) {
	ctx := context.Background()
	sub := subjectOf(key("491700000036"))
	exp := clk.Now().Add(time.Hour)
	for name, err := range map[string]error{
		"bad subject": s.RecordSlackMessages(ctx, "491700000036", idxChannel, idxThread, []string{idxThread}, exp),
		"no channel":  s.RecordSlackMessages(ctx, sub, "", idxThread, []string{idxThread}, exp),
		"bad ts":      s.RecordSlackMessages(ctx, sub, idxChannel, idxThread, []string{"yesterday"}, exp),
		"bad thread":  s.RecordSlackMessages(ctx, sub, idxChannel, "", []string{idxThread}, exp),
		"no expiry":   s.RecordSlackMessages(ctx, sub, idxChannel, idxThread, []string{idxThread}, time.Time{}),
		"no ts":       s.RecordSlackMessages(ctx, sub, idxChannel, idxThread, nil, exp),
	} {
		wantKind(t, "RecordSlackMessages "+name, err, apperr.Invalid)
	}
	_, err := s.SlackThreads(ctx, "nobody")
	wantKind(t, "SlackThreads bad subject", err, apperr.Invalid)
}
