package consent_test

import (
	"context"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/frontdesk-app/frontdesk/shared/apperr"
	"github.com/frontdesk-app/frontdesk/shared/channel"
	"github.com/frontdesk-app/frontdesk/shared/consent"
	"github.com/frontdesk-app/frontdesk/shared/conversation"
)

const followUpNumber = "491701234567"

func TestFollowUpGrantAndWithdraw(t *testing.T) {
	t.Parallel()
	waNumberKey := channel.Key{Surface: channel.WhatsApp, Account: "106540352242922", User: followUpNumber}
	tests := []struct {
		name string
		// optOut runs after the grant at t0+1m; nil for none.
		optOut func(ctx context.Context, l *consent.Ledger) error
		want   bool
		// wantSource is the source of the follow-up's last history entry.
		wantSource string
	}{
		{"granted", nil, true, consent.SourceChat},
		{"chat opt-out on Messenger", func(ctx context.Context, l *consent.Ledger) error {
			c := &conversation.Conversation{Key: msKey, Locale: "de"}
			_, _, err := l.HandleChat(ctx, c, "Werbung stoppen", t0.Add(2*time.Minute))
			return err
		}, false, consent.SourceChat},
		{"privacy page opt-out", func(ctx context.Context, l *consent.Ledger) error {
			_, _, err := l.Decide(ctx, consent.Decision{Subject: l.Subjects.Key(msKey), State: consent.Denied,
				Source: consent.SourceAPI, Actor: "privacy-page", At: t0.Add(2 * time.Minute)})
			return err
		}, false, consent.SourceAPI},
		{"Messenger notifications stopped", func(ctx context.Context, l *consent.Ledger) error {
			_, err := l.HandlePreference(ctx, msKey, &channel.Preference{Category: "notification_messages", Value: "STOP NOTIFICATIONS"}, t0.Add(2*time.Minute))
			return err
		}, false, consent.SourceMessengerOptin},
		{"the WhatsApp number stops marketing", func(ctx context.Context, l *consent.Ledger) error {
			_, err := l.HandlePreference(ctx, waNumberKey, &channel.Preference{Category: "marketing_messages", Value: "stop"}, t0.Add(2*time.Minute))
			return err
		}, false, consent.SourceChat}, // recorded on the number's subject; the grant itself stays
		{"an opt-out older than the grant", func(ctx context.Context, l *consent.Ledger) error {
			_, _, err := l.Decide(ctx, consent.Decision{Subject: l.Subjects.Key(msKey), State: consent.Denied,
				Source: consent.SourceAPI, Actor: "privacy-page", At: t0})
			return err
		}, true, consent.SourceChat},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			l, _, _ := newLedger(t, consent.OptOut)
			if err := l.GrantFollowUp(ctx, msKey, followUpNumber, t0.Add(time.Minute)); err != nil {
				t.Fatal(err)
			}
			if tt.optOut != nil {
				if err := tt.optOut(ctx, l); err != nil {
					t.Fatal(err)
				}
			}
			got, err := l.FollowUpAllowed(ctx, msKey, followUpNumber)
			if err != nil || got != tt.want {
				t.Errorf("FollowUpAllowed = %v, %v; want %v", got, err, tt.want)
			}
			hist, err := l.History(ctx, l.Subjects.FollowUpSubject(l.Subjects.Key(msKey)))
			if err != nil || len(hist) == 0 {
				t.Fatalf("follow-up history = %v, %v", hist, err)
			}
			last := hist[len(hist)-1]
			if last.Source != tt.wantSource || last.Target != l.Subjects.ID(channel.WhatsApp, followUpNumber) {
				t.Errorf("last change = %+v, want source %s pointing at the number's subject", last, tt.wantSource)
			}
		})
	}
}

func TestFollowUpLedgerRecord(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	l, _, _ := newLedger(t, consent.OptIn)
	if ok, err := l.FollowUpAllowed(ctx, msKey, followUpNumber); err != nil || ok {
		t.Fatalf("FollowUpAllowed without a grant = %v, %v; want false", ok, err)
	}
	at := t0.Add(time.Minute)
	if err := l.GrantFollowUp(ctx, msKey, followUpNumber, at); err != nil {
		t.Fatal(err)
	}
	if err := l.GrantFollowUp(ctx, msKey, followUpNumber, at.Add(time.Second)); err != nil {
		t.Fatal(err) // the same grant again: not recorded twice
	}
	for _, other := range []string{"491709999999", ""} {
		if ok, err := l.FollowUpAllowed(ctx, msKey, other); err != nil || ok {
			t.Errorf("FollowUpAllowed(another number %q) = %v, %v; want false", other, ok, err)
		}
	}
	fs := l.Subjects.FollowUpSubject(l.Subjects.Key(msKey))
	hist, err := l.History(ctx, fs)
	if err != nil {
		t.Fatal(err)
	}
	want := []consent.Change{{Subject: fs, State: consent.Granted, Source: consent.SourceChat, Actor: consent.ActorCustomer,
		At: at, Surface: channel.Messenger, Target: l.Subjects.ID(channel.WhatsApp, followUpNumber), Version: 1}}
	if diff := cmp.Diff(want, hist, cmpopts.IgnoreFields(consent.Change{}, "ExpiresAt")); diff != "" {
		t.Errorf("history (-want +got):\n%s", diff)
	}
	// Ad-signal consent is a separate purpose: the opt-in regime still shares nothing.
	if ok, _, err := l.Allowed(ctx, l.Subjects.Key(msKey)); err != nil || ok {
		t.Errorf("ad-signal Allowed after a follow-up grant = %v, %v; want false", ok, err)
	}
	if fs == l.Subjects.Key(msKey) || !consent.ValidSubjectID(fs) {
		t.Errorf("FollowUpSubject = %q: want a valid id of its own", fs)
	}
	if err := l.GrantFollowUp(ctx, channel.Key{}, followUpNumber, at); !apperr.Is(err, apperr.Invalid) {
		t.Errorf("GrantFollowUp without a key = %v, want Invalid", err)
	}
}

func TestFollowUpErasure(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	l, st, _ := newLedger(t, consent.OptOut)
	origin := putConv(t, l, st, msKey, "de")
	if err := l.GrantFollowUp(ctx, msKey, followUpNumber, t0.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	// The WhatsApp follow-up, linked back to the Messenger conversation, as the bot saves it.
	wa := &conversation.Conversation{Key: channel.Key{Surface: channel.WhatsApp, Account: "106540352242922", User: followUpNumber},
		Status: conversation.Claimed, Linked: &origin.Key, CreatedAt: t0, UpdatedAt: t0, ExpiresAt: t0.Add(30 * 24 * time.Hour)}
	if err := st.PutConversation(ctx, wa); err != nil {
		t.Fatal(err)
	}
	if err := l.Track(ctx, wa); err != nil {
		t.Fatal(err)
	}
	if err := l.Erase(ctx, consent.SourceDataDeletion, l.Subjects.Key(msKey)); err != nil {
		t.Fatal(err)
	}
	for _, k := range []channel.Key{origin.Key, wa.Key} {
		if _, err := st.GetConversation(ctx, k); !apperr.Is(err, apperr.NotFound) {
			t.Errorf("conversation %s after erasure: %v, want NotFound", k.Surface, err)
		}
	}
	if ok, err := l.FollowUpAllowed(ctx, msKey, followUpNumber); err != nil || ok {
		t.Errorf("FollowUpAllowed after erasure = %v, %v; want false", ok, err)
	}
	hist, err := l.History(ctx, l.Subjects.FollowUpSubject(l.Subjects.Key(msKey)))
	if err != nil || len(hist) != 0 {
		t.Errorf("follow-up history after erasure = %v, %v; want none", hist, err)
	}
}
