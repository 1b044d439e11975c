package storetest

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/frontdesk-app/frontdesk/shared/apperr"
	"github.com/frontdesk-app/frontdesk/shared/channel"
	"github.com/frontdesk-app/frontdesk/shared/consent"
)

// ConsentStore is a Store that also keeps consent (package consent).
type ConsentStore interface {
	Store
	consent.Store
}

// NewConsentStore returns an empty ConsentStore whose clock is now, like NewStore.
type NewConsentStore func(t *testing.T, now func() time.Time) ConsentStore

// RunConsent runs the consent suite: optimistic locking of the record with its history written
// atomically, history order and expiry, subject-to-conversation links, erasure and deletion
// tombstones.
func RunConsent(t *testing.T, newStore NewConsentStore) {
	t.Helper()
	runCases(t, newStore, []testCase[ConsentStore]{
		{"GetAbsent", consentGetAbsent},
		{"CreateAndGet", consentCreateAndGet},
		{"DoubleCreateConflicts", consentDoubleCreate},
		{"StaleVersionConflictsAndWritesNoHistory", consentStaleVersion},
		{"HistoryOrderedAndComplete", consentHistory},
		{"HistorySameSecond", consentHistorySameSecond},
		{"HistoryExpires", consentHistoryExpires},
		{"RacingCreates", consentRacingCreates},
		{"Links", consentLinks},
		{"EraseSubject", consentErase},
		{"EraseUnknownSubject", consentEraseUnknown},
		{"Deletions", consentDeletions},
		{"InvalidInput", consentInvalid},
		{"SlackIndex", slackIndex},
		{"SlackIndexExpires", slackIndexExpires},
		{"SlackIndexErasedWithSubject", slackIndexErased},
		{"SlackIndexInvalidInput", slackIndexInvalid},
	})
}

var subjects = consent.Subjects{Pepper: []byte("storetest-pepper-0123456789")}

func subjectOf(k channel.Key) string { return subjects.Key(k) }

// decision returns a record and its change for subject, deciding state at at.
func decision(subject string, state consent.State, version int64, at, now time.Time) (*consent.Record, consent.Change) {
	rec := &consent.Record{Subject: subject, State: state, Source: consent.SourceChat, Actor: consent.ActorCustomer,
		At: at, Surface: channel.WhatsApp, UpdatedAt: now, Version: version}
	ch := consent.Change{Subject: subject, State: state, Source: consent.SourceChat, Actor: consent.ActorCustomer,
		At: at, Surface: channel.WhatsApp, Version: version + 1, ExpiresAt: now.Add(consent.DefaultHistoryRetention)}
	return rec, ch
}

func consentGetAbsent(t *testing.T, s ConsentStore, _ *Clock) {
	_, err := s.GetConsent(context.Background(), subjectOf(key("491700000001")))
	wantKind(t, "GetConsent", err, apperr.NotFound)
	hist, err := s.ConsentHistory(context.Background(), subjectOf(key("491700000001")))
	must(t, "ConsentHistory", err)
	if len(hist) != 0 {
		t.Errorf("history of an unknown subject = %v, want empty", hist)
	}
}

func consentCreateAndGet(t *testing.T, s ConsentStore, clk *Clock) {
	ctx := context.Background()
	sub := subjectOf(key("491700000002"))
	now := clk.Now()
	rec, ch := decision(sub, consent.Denied, 0, now.Add(-123456789), now)
	rec.Target, ch.Target = subjectOf(key("491700000022")), subjectOf(key("491700000022"))
	must(t, "PutConsent", s.PutConsent(ctx, rec, ch))
	if rec.Version != 1 {
		t.Errorf("Version after create = %d, want 1", rec.Version)
	}
	got, err := s.GetConsent(ctx, sub)
	must(t, "GetConsent", err)
	if diff := cmp.Diff(rec, got); diff != "" {
		t.Errorf("GetConsent (-want +got):\n%s", diff)
	}
	hist, err := s.ConsentHistory(ctx, sub)
	must(t, "ConsentHistory", err)
	want := ch
	want.ExpiresAt = time.Unix(ch.ExpiresAt.Unix(), 0)
	if diff := cmp.Diff([]consent.Change{want}, hist); diff != "" {
		t.Errorf("ConsentHistory (-want +got):\n%s", diff)
	}
}

func consentDoubleCreate(t *testing.T, s ConsentStore, clk *Clock) {
	ctx := context.Background()
	sub := subjectOf(key("491700000003"))
	rec, ch := decision(sub, consent.Denied, 0, clk.Now(), clk.Now())
	must(t, "PutConsent", s.PutConsent(ctx, rec, ch))
	rec2, ch2 := decision(sub, consent.Granted, 0, clk.Now().Add(time.Second), clk.Now())
	wantKind(t, "second create", s.PutConsent(ctx, rec2, ch2), apperr.Conflict)
	if rec2.Version != 0 {
		t.Errorf("losing record's Version = %d, want unchanged 0", rec2.Version)
	}
}

func consentStaleVersion(t *testing.T, s ConsentStore, clk *Clock) {
	ctx := context.Background()
	sub := subjectOf(key("491700000004"))
	now := clk.Now()
	rec, ch := decision(sub, consent.Denied, 0, now, now)
	must(t, "create", s.PutConsent(ctx, rec, ch))
	rec2, ch2 := decision(sub, consent.Granted, 1, now.Add(time.Second), now)
	must(t, "update", s.PutConsent(ctx, rec2, ch2))
	stale, ch3 := decision(sub, consent.Denied, 1, now.Add(2*time.Second), now)
	wantKind(t, "stale update", s.PutConsent(ctx, stale, ch3), apperr.Conflict)
	got, err := s.GetConsent(ctx, sub)
	must(t, "GetConsent", err)
	if got.State != consent.Granted || got.Version != 2 {
		t.Errorf("record = %s v%d, want granted v2", got.State, got.Version)
	}
	hist, err := s.ConsentHistory(ctx, sub)
	must(t, "ConsentHistory", err)
	if len(hist) != 2 {
		t.Errorf("history has %d entries, want 2: a losing write must not add one", len(hist))
	}
}

func consentHistory(t *testing.T, s ConsentStore, clk *Clock) {
	ctx := context.Background()
	sub := subjectOf(key("491700000005"))
	other := subjectOf(key("491700000006"))
	now := clk.Now()
	states := []consent.State{consent.Denied, consent.Granted, consent.Denied, consent.Granted}
	// Times whose RFC 3339 forms do not sort as strings (".5Z" sorts before "Z").
	offsets := []time.Duration{0, 500 * time.Millisecond, time.Second, 10 * time.Second}
	for i, st := range states {
		rec, ch := decision(sub, st, int64(i), now.Add(offsets[i]), now)
		must(t, "PutConsent", s.PutConsent(ctx, rec, ch))
	}
	orec, och := decision(other, consent.Denied, 0, now, now)
	must(t, "PutConsent other", s.PutConsent(ctx, orec, och))
	hist, err := s.ConsentHistory(ctx, sub)
	must(t, "ConsentHistory", err)
	var got []string
	for _, h := range hist {
		got = append(got, fmt.Sprintf("%s@%s v%d", h.State, h.At.Sub(now), h.Version))
	}
	want := []string{"denied@0s v1", "granted@500ms v2", "denied@1s v3", "granted@10s v4"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("history (-want +got):\n%s", diff)
	}
}

func consentHistorySameSecond(t *testing.T, s ConsentStore, clk *Clock) {
	ctx := context.Background()
	sub := subjectOf(key("491700000007"))
	at := clk.Now()
	rec, ch := decision(sub, consent.Denied, 0, at, at)
	must(t, "stop", s.PutConsent(ctx, rec, ch))
	rec2, ch2 := decision(sub, consent.Granted, 1, at, at)
	must(t, "allow in the same second", s.PutConsent(ctx, rec2, ch2))
	hist, err := s.ConsentHistory(ctx, sub)
	must(t, "ConsentHistory", err)
	if len(hist) != 2 || hist[0].State != consent.Denied || hist[1].State != consent.Granted {
		t.Errorf("history = %+v, want denied then granted", hist)
	}
}

func consentHistoryExpires(t *testing.T, s ConsentStore, clk *Clock) {
	ctx := context.Background()
	sub := subjectOf(key("491700000008"))
	now := clk.Now()
	rec, ch := decision(sub, consent.Denied, 0, now, now)
	ch.ExpiresAt = now.Add(time.Hour)
	must(t, "first", s.PutConsent(ctx, rec, ch))
	rec2, ch2 := decision(sub, consent.Granted, 1, now.Add(time.Minute), now)
	must(t, "second", s.PutConsent(ctx, rec2, ch2))
	clk.Advance(time.Hour)
	hist, err := s.ConsentHistory(ctx, sub)
	must(t, "ConsentHistory", err)
	if len(hist) != 1 || hist[0].State != consent.Granted {
		t.Errorf("history after the first entry expired = %+v, want only the grant", hist)
	}
	if got, err := s.GetConsent(ctx, sub); err != nil || got.State != consent.Granted {
		t.Errorf("record = %+v, %v: the current record has no expiry", got, err)
	}
}

func consentRacingCreates(t *testing.T, s ConsentStore, clk *Clock) {
	ctx := context.Background()
	sub := subjectOf(key("491700000009"))
	now := clk.Now()
	errs := race(8, func(i int) error {
		rec, ch := decision(sub, consent.Denied, 0, now.Add(time.Duration(i)*time.Millisecond), now)
		return s.PutConsent(ctx, rec, ch)
	})
	wantOneWinner(t, errs)
	hist, err := s.ConsentHistory(ctx, sub)
	must(t, "ConsentHistory", err)
	if len(hist) != 1 {
		t.Errorf("history has %d entries after a race, want 1", len(hist))
	}
}

func consentLinks(t *testing.T, s ConsentStore, clk *Clock) {
	ctx := context.Background()
	k1 := key("491700000010")
	k2 := channel.Key{Surface: channel.WhatsApp, Account: "106540352249999", User: k1.User}
	sub := subjectOf(k1)
	now := clk.Now()
	must(t, "link 1", s.LinkConversation(ctx, sub, k1, now.Add(time.Hour)))
	must(t, "link 2", s.LinkConversation(ctx, sub, k2, now.Add(2*time.Hour)))
	must(t, "link 1 again", s.LinkConversation(ctx, sub, k1, now.Add(3*time.Hour)))
	got, err := s.SubjectConversations(ctx, sub)
	must(t, "SubjectConversations", err)
	if diff := cmp.Diff([]channel.Key{k1, k2}, got); diff != "" {
		t.Errorf("links (-want +got):\n%s", diff)
	}
	clk.Advance(2 * time.Hour)
	got, err = s.SubjectConversations(ctx, sub)
	must(t, "SubjectConversations after expiry", err)
	if diff := cmp.Diff([]channel.Key{k1}, got); diff != "" {
		t.Errorf("links after k2 expired (-want +got):\n%s", diff)
	}
	got, err = s.SubjectConversations(ctx, subjectOf(key("491700000011")))
	must(t, "SubjectConversations of another subject", err)
	if len(got) != 0 {
		t.Errorf("another subject's links = %v, want none", got)
	}
}

func consentErase(t *testing.T, s ConsentStore, clk *Clock) {
	ctx := context.Background()
	now := clk.Now()
	k1 := key("491700000012")
	k2 := channel.Key{Surface: channel.WhatsApp, Account: "106540352249999", User: k1.User}
	keep := key("491700000013")
	sub, keepSub := subjectOf(k1), subjectOf(keep)
	for _, k := range []channel.Key{k1, k2, keep} {
		put(t, s, newConversation(k, now))
		must(t, "LinkConversation", s.LinkConversation(ctx, subjectOf(k), k, now.Add(time.Hour)))
	}
	for i, sb := range []string{sub, sub, keepSub} {
		v := int64(0)
		if i == 1 {
			v = 1
		}
		rec, ch := decision(sb, consent.State([]string{"denied", "granted", "denied"}[i]), v, now.Add(time.Duration(i)*time.Second), now)
		must(t, "PutConsent", s.PutConsent(ctx, rec, ch))
	}

	must(t, "EraseSubject", s.EraseSubject(ctx, sub))

	for _, k := range []channel.Key{k1, k2} {
		_, err := s.GetConversation(ctx, k)
		wantKind(t, "GetConversation after erase", err, apperr.NotFound)
	}
	_, err := s.GetConsent(ctx, sub)
	wantKind(t, "GetConsent after erase", err, apperr.NotFound)
	if hist, err := s.ConsentHistory(ctx, sub); err != nil || len(hist) != 0 {
		t.Errorf("history after erase = %v, %v; want empty", hist, err)
	}
	if links, err := s.SubjectConversations(ctx, sub); err != nil || len(links) != 0 {
		t.Errorf("links after erase = %v, %v; want none", links, err)
	}
	// Another subject is untouched.
	get(t, s, keep)
	if _, err := s.GetConsent(ctx, keepSub); err != nil {
		t.Errorf("other subject's record: %v", err)
	}
	if links, _ := s.SubjectConversations(ctx, keepSub); len(links) != 1 {
		t.Errorf("other subject's links = %v, want 1", links)
	}
	// A new decision after the erasure starts at version 0 again.
	rec, ch := decision(sub, consent.Denied, 0, now.Add(time.Minute), now)
	must(t, "PutConsent after erase", s.PutConsent(ctx, rec, ch))
}

func consentEraseUnknown(t *testing.T, s ConsentStore, _ *Clock) {
	must(t, "EraseSubject of an unknown subject", s.EraseSubject(context.Background(), subjectOf(key("491700000014"))))
}

func consentDeletions(t *testing.T, s ConsentStore, clk *Clock) {
	ctx := context.Background()
	now := clk.Now()
	d := &consent.Deletion{Code: "abcdefghijklmnop", Subjects: []string{subjectOf(key("491700000015")), subjectOf(key("491700000016"))},
		Status: consent.DeletionPending, RequestedAt: now.Add(-123456789), ExpiresAt: now.Add(consent.DeletionRetention)}
	must(t, "PutDeletion", s.PutDeletion(ctx, d))
	got, err := s.GetDeletion(ctx, d.Code)
	must(t, "GetDeletion", err)
	want := *d
	want.ExpiresAt = time.Unix(d.ExpiresAt.Unix(), 0)
	if diff := cmp.Diff(&want, got); diff != "" {
		t.Errorf("GetDeletion (-want +got):\n%s", diff)
	}
	got.Subjects[0] = "changed"
	d.Status, d.CompletedAt = consent.DeletionDone, now
	must(t, "PutDeletion done", s.PutDeletion(ctx, d))
	got, err = s.GetDeletion(ctx, d.Code)
	must(t, "GetDeletion done", err)
	if got.Status != consent.DeletionDone || !got.CompletedAt.Equal(now) || got.Subjects[0] == "changed" {
		t.Errorf("GetDeletion after done = %+v", got)
	}
	_, err = s.GetDeletion(ctx, "qrstuvwxyz234567")
	wantKind(t, "GetDeletion unknown", err, apperr.NotFound)
	clk.Advance(consent.DeletionRetention)
	_, err = s.GetDeletion(ctx, d.Code)
	wantKind(t, "GetDeletion expired", err, apperr.NotFound)
}

func consentInvalid(t *testing.T, s ConsentStore, clk *Clock) {
	ctx := context.Background()
	now := clk.Now()
	sub := subjectOf(key("491700000017"))
	_, err := s.GetConsent(ctx, "whatsapp:491700000017")
	wantKind(t, "GetConsent of a raw id", err, apperr.Invalid)
	rec, ch := decision(sub, consent.Denied, 0, now, now)
	ch.Version = 5
	wantKind(t, "PutConsent with a wrong change version", s.PutConsent(ctx, rec, ch), apperr.Invalid)
	rec, ch = decision(sub, "maybe", 0, now, now)
	wantKind(t, "PutConsent with a bad state", s.PutConsent(ctx, rec, ch), apperr.Invalid)
	wantKind(t, "LinkConversation without expiry", s.LinkConversation(ctx, sub, key("491700000017"), time.Time{}), apperr.Invalid)
	wantKind(t, "EraseSubject of a raw id", s.EraseSubject(ctx, "491700000017"), apperr.Invalid)
	wantKind(t, "PutDeletion with a bad code", s.PutDeletion(ctx, &consent.Deletion{Code: "x", Status: consent.DeletionDone, ExpiresAt: now}), apperr.Invalid)
}
