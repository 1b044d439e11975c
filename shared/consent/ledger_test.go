package consent_test

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/frontdesk-app/frontdesk/shared/apperr"
	"github.com/frontdesk-app/frontdesk/shared/channel"
	"github.com/frontdesk-app/frontdesk/shared/consent"
	"github.com/frontdesk-app/frontdesk/shared/consent/consenttest"
	"github.com/frontdesk-app/frontdesk/shared/conversation"
	"github.com/google/go-cmp/cmp"
)

var (
	pepper = []byte("test-pepper-0123456789")
	t0     = time.Date(2026, 5, 4, 10, 0, 0, 0, time.UTC)
	waKey  = channel.Key{Surface: channel.WhatsApp, Account: "106540352242922", User: "491701234567"}
	waKey2 = channel.Key{Surface: channel.WhatsApp, Account: "106540352249999", User: "491701234567"}
	msKey  = channel.Key{Surface: channel.Messenger, Account: "1029384756", User: "6123456789012345"}
)

// clock is a settable test clock.
type clock struct{ ns atomic.Int64 }

func newClock(t time.Time) *clock    { c := &clock{}; c.ns.Store(t.UnixNano()); return c }
func (c *clock) Now() time.Time      { return time.Unix(0, c.ns.Load()).UTC() }
func (c *clock) Add(d time.Duration) { c.ns.Add(int64(d)) }

func newLedger(t *testing.T, regime consent.Regime) (*consent.Ledger, *consenttest.Store, *clock) {
	t.Helper()
	clk := newClock(t0)
	st := consenttest.NewStore(clk.Now)
	subjects, err := consent.NewSubjects(pepper)
	if err != nil {
		t.Fatal(err)
	}
	return &consent.Ledger{Store: st, Subjects: subjects, Regime: regime, Conversations: st, Now: clk.Now}, st, clk
}

// putConv stores a conversation from an ad and links it to its subject, as the bot does.
func putConv(t *testing.T, l *consent.Ledger, st *consenttest.Store, key channel.Key, locale string) *conversation.Conversation {
	t.Helper()
	c := &conversation.Conversation{Key: key, Status: conversation.Bot, Locale: locale, LastInboundAt: t0,
		Referral:  &channel.Referral{Source: "ad", AdID: "120200000000", CtwaClid: "ARAkLkA8rmlFeiCktEJQ-QTwRiyYHAFDLMNDBH0CD3qpjd0HR4irJ6LEkR7JwFF4XvnO2E4Nx0-eM-GABDLOPaOdRMv-_zfUQ2a"},
		CreatedAt: t0, UpdatedAt: t0, ExpiresAt: t0.Add(30 * 24 * time.Hour)}
	ctx := context.Background()
	if err := st.PutConversation(ctx, c); err != nil {
		t.Fatal(err)
	}
	if err := l.Track(ctx, c); err != nil {
		t.Fatal(err)
	}
	return c
}

func TestHandleChatOptOut(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	l, st, _ := newLedger(t, consent.OptOut)
	c := putConv(t, l, st, waKey, "")
	putConv(t, l, st, waKey2, "") // the same customer writing to another business number
	subject := l.Subjects.Key(waKey)

	if ok, _, err := l.Allowed(ctx, subject); err != nil || !ok {
		t.Fatalf("Allowed before = %v, %v; want true (opt-out regime)", ok, err)
	}
	handled, reply, err := l.HandleChat(ctx, c, "Werbung stoppen", t0.Add(time.Minute))
	if err != nil || !handled {
		t.Fatalf("HandleChat = %v, %v", handled, err)
	}
	if want := consent.Confirmations["de"][consent.CommandOptOut]; reply != want {
		t.Errorf("reply = %q, want %q", reply, want)
	}
	if c.Referral != nil {
		t.Errorf("held conversation still has referral %+v", c.Referral)
	}
	ok, rec, err := l.Allowed(ctx, subject)
	if err != nil || ok {
		t.Fatalf("Allowed after = %v, %v; want false", ok, err)
	}
	want := &consent.Record{Subject: subject, State: consent.Denied, Source: consent.SourceChat, Actor: consent.ActorCustomer,
		At: t0.Add(time.Minute), Surface: channel.WhatsApp, UpdatedAt: t0, Version: 1}
	if diff := cmp.Diff(want, rec); diff != "" {
		t.Errorf("record mismatch (-want +got):\n%s", diff)
	}
	other, err := st.GetConversation(ctx, waKey2)
	if err != nil {
		t.Fatal(err)
	}
	if other.Referral != nil {
		t.Errorf("other conversation still has referral %+v", other.Referral)
	}
	// The held conversation is the caller's to store: the ledger must not have written it,
	// or the caller's write would conflict.
	stored, err := st.GetConversation(ctx, waKey)
	if err != nil {
		t.Fatal(err)
	}
	if stored.Version != c.Version {
		t.Errorf("held conversation version %d in store, caller has %d", stored.Version, c.Version)
	}

	// A repeated command changes nothing but still answers.
	handled, reply, err = l.HandleChat(ctx, c, "keine Werbung mehr!", t0.Add(2*time.Minute))
	if err != nil || !handled || reply == "" {
		t.Fatalf("repeat HandleChat = %v, %q, %v", handled, reply, err)
	}
	hist, err := l.History(ctx, subject)
	if err != nil {
		t.Fatal(err)
	}
	if len(hist) != 1 {
		t.Errorf("history has %d entries after a repeated opt-out, want 1", len(hist))
	}

	// Back: English command in a German conversation answers in English.
	c.Locale = "de"
	handled, reply, err = l.HandleChat(ctx, c, "allow ads", t0.Add(3*time.Minute))
	if err != nil || !handled {
		t.Fatalf("HandleChat(allow ads) = %v, %v", handled, err)
	}
	if want := consent.Confirmations["en"][consent.CommandOptIn]; reply != want {
		t.Errorf("reply = %q, want %q", reply, want)
	}
	if ok, _, _ := l.Allowed(ctx, subject); !ok {
		t.Errorf("Allowed after opt-in = false")
	}
	hist, _ = l.History(ctx, subject)
	got := []consent.State{}
	for _, h := range hist {
		got = append(got, h.State)
	}
	if diff := cmp.Diff([]consent.State{consent.Denied, consent.Granted}, got); diff != "" {
		t.Errorf("history states (-want +got):\n%s", diff)
	}
	if hist[0].ExpiresAt != t0.Add(consent.DefaultHistoryRetention) {
		t.Errorf("history ExpiresAt = %v, want now + 3 years", hist[0].ExpiresAt)
	}
}

func TestHandleChatLocale(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	tests := []struct {
		text, convLocale, defLocale string
		want                        string
	}{
		{"opt out", "de", "en", consent.Confirmations["de"][consent.CommandOptOut]},
		{"opt out", "", "de", consent.Confirmations["de"][consent.CommandOptOut]},
		{"opt out", "", "", consent.Confirmations["en"][consent.CommandOptOut]},
		{"stop ads", "de", "de", consent.Confirmations["en"][consent.CommandOptOut]},
		{"Werbung erlauben", "en", "en", consent.Confirmations["de"][consent.CommandOptIn]},
	}
	for _, tt := range tests {
		t.Run(tt.text+"/"+tt.convLocale+"/"+tt.defLocale, func(t *testing.T) {
			t.Parallel()
			l, st, _ := newLedger(t, consent.OptOut)
			l.DefaultLocale = tt.defLocale
			c := putConv(t, l, st, waKey, tt.convLocale)
			_, reply, err := l.HandleChat(ctx, c, tt.text, t0)
			if err != nil {
				t.Fatal(err)
			}
			if reply != tt.want {
				t.Errorf("reply = %q, want %q", reply, tt.want)
			}
		})
	}
}

func TestHandleChatIgnoresSentences(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	l, st, _ := newLedger(t, consent.OptOut)
	c := putConv(t, l, st, waKey, "de")
	for _, text := range []string{"Ich möchte die Bestellung stoppen", "stop my order", "Wie kann ich die Werbung stoppen?"} {
		handled, reply, err := l.HandleChat(ctx, c, text, t0)
		if handled || reply != "" || err != nil {
			t.Errorf("HandleChat(%q) = %v, %q, %v; want not handled", text, handled, reply, err)
		}
	}
	if _, err := st.GetConsent(ctx, l.Subjects.Key(waKey)); !apperr.Is(err, apperr.NotFound) {
		t.Errorf("GetConsent err = %v, want not found: a sentence changed consent", err)
	}
	if c.Referral == nil {
		t.Errorf("referral dropped by a sentence")
	}
}

func TestAllowedRegimes(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	tests := []struct {
		regime consent.Regime
		want   bool
	}{{consent.OptOut, true}, {consent.OptIn, false}, {"", true}}
	for _, tt := range tests {
		t.Run(string(tt.regime), func(t *testing.T) {
			t.Parallel()
			l, _, _ := newLedger(t, tt.regime)
			ok, rec, err := l.AllowedKey(ctx, msKey)
			if err != nil || ok != tt.want || rec != nil {
				t.Errorf("Allowed = %v, %v, %v; want %v, nil, nil", ok, rec, err, tt.want)
			}
			if _, _, err := l.Decide(ctx, consent.Decision{Subject: l.Subjects.Key(msKey), State: consent.Granted, Source: consent.SourceAPI, Actor: "privacy-page"}); err != nil {
				t.Fatal(err)
			}
			if ok, _, _ := l.AllowedKey(ctx, msKey); !ok {
				t.Errorf("Allowed after grant = false")
			}
		})
	}
}

func TestDecideOutOfOrder(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	l, _, _ := newLedger(t, consent.OptOut)
	s := l.Subjects.Key(waKey)
	if _, _, err := l.Decide(ctx, consent.Decision{Subject: s, State: consent.Granted, Source: consent.SourceChat, At: t0.Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	// A marketing stop from before the grant arrives late: it must not override it.
	rec, changed, err := l.Decide(ctx, consent.Decision{Subject: s, State: consent.Denied, Source: consent.SourceWhatsAppPrefs, At: t0})
	if err != nil || changed || rec.State != consent.Granted {
		t.Errorf("stale Decide = %v, %v, %v; want granted, unchanged", rec, changed, err)
	}
}

func TestDecideRetriesConflict(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	l, st, _ := newLedger(t, consent.OptOut)
	var conflicts atomic.Int32
	st.Fail = func(op string) error {
		if op == "PutConsent" && conflicts.Add(1) <= 2 {
			return apperr.E("test", apperr.Conflict, "lost a race")
		}
		return nil
	}
	rec, changed, err := l.Decide(ctx, consent.Decision{Subject: l.Subjects.Key(waKey), State: consent.Denied, Source: consent.SourceAPI})
	if err != nil || !changed || rec.State != consent.Denied {
		t.Fatalf("Decide = %v, %v, %v", rec, changed, err)
	}
	st.Fail = func(op string) error {
		if op == "PutConsent" {
			return apperr.E("test", apperr.Conflict, "always loses")
		}
		return nil
	}
	if _, _, err := l.Decide(ctx, consent.Decision{Subject: l.Subjects.Key(waKey), State: consent.Granted, Source: consent.SourceAPI}); !apperr.Is(err, apperr.Conflict) {
		t.Errorf("Decide err = %v, want conflict after bounded retries", err)
	}
}

func TestDecideInvalid(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	l, _, _ := newLedger(t, consent.OptOut)
	s := l.Subjects.Key(waKey)
	for _, d := range []consent.Decision{
		{Subject: "whatsapp:491701234567", State: consent.Denied, Source: consent.SourceAPI},
		{Subject: s, State: "maybe", Source: consent.SourceAPI},
		{Subject: s, State: consent.Denied},
	} {
		if _, _, err := l.Decide(ctx, d); !apperr.Is(err, apperr.Invalid) {
			t.Errorf("Decide(%+v) err = %v, want invalid", d, err)
		}
	}
}

func TestHandlePreference(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	custom := consent.PreferenceMapping{MarketingStop: consent.Ignore, MarketingResume: consent.Grant,
		NotificationStop: consent.Deny, NotificationResume: consent.Grant}
	tests := []struct {
		name    string
		mapping *consent.PreferenceMapping
		key     channel.Key
		pref    channel.Preference
		changed bool
		state   consent.State // expected record state when changed
		source  string
	}{
		{"whatsapp stop denies", nil, waKey, channel.Preference{Category: "marketing_messages", Value: "stop"}, true, consent.Denied, consent.SourceWhatsAppPrefs},
		{"whatsapp resume ignored", nil, waKey, channel.Preference{Category: "marketing_messages", Value: "resume"}, false, "", ""},
		{"messenger stop denies", nil, msKey, channel.Preference{Category: "notification_messages", Value: "STOP NOTIFICATIONS"}, true, consent.Denied, consent.SourceMessengerOptin},
		{"messenger resume ignored", nil, msKey, channel.Preference{Category: "notification_messages", Value: "resume"}, false, "", ""},
		{"custom: whatsapp stop ignored", &custom, waKey, channel.Preference{Category: "marketing_messages", Value: "stop"}, false, "", ""},
		{"custom: whatsapp resume grants", &custom, waKey, channel.Preference{Category: "marketing_messages", Value: "resume"}, true, consent.Granted, consent.SourceWhatsAppPrefs},
		{"unknown category", nil, waKey, channel.Preference{Category: "utility_messages", Value: "stop"}, false, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			l, st, _ := newLedger(t, consent.OptOut)
			l.Preferences = tt.mapping
			c := putConv(t, l, st, tt.key, "")
			changed, err := l.HandlePreference(ctx, tt.key, &tt.pref, t0)
			if err != nil || changed != tt.changed {
				t.Fatalf("HandlePreference = %v, %v; want %v", changed, err, tt.changed)
			}
			rec, err := st.GetConsent(ctx, l.Subjects.Key(tt.key))
			if !tt.changed {
				if !apperr.Is(err, apperr.NotFound) {
					t.Errorf("GetConsent = %v, %v; want not found", rec, err)
				}
				return
			}
			if err != nil || rec.State != tt.state || rec.Source != tt.source {
				t.Fatalf("record = %+v, %v; want %s from %s", rec, err, tt.state, tt.source)
			}
			stored, _ := st.GetConversation(ctx, c.Key)
			if (tt.state == consent.Denied) != (stored.Referral == nil) {
				t.Errorf("referral after %s = %+v", tt.state, stored.Referral)
			}
		})
	}
}

func TestParsePreferenceMapping(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in      string
		want    consent.PreferenceMapping
		wantErr bool
	}{
		{in: "", want: consent.DefaultPreferenceMapping()},
		{in: "marketing_stop=ignore, notification_resume=GRANT", want: consent.PreferenceMapping{MarketingStop: consent.Ignore,
			MarketingResume: consent.Ignore, NotificationStop: consent.Deny, NotificationResume: consent.Grant}},
		{in: "marketing_stop=maybe", wantErr: true},
		{in: "telegram_stop=deny", wantErr: true},
		{in: "marketing_stop", wantErr: true},
	}
	for _, tt := range tests {
		got, err := consent.ParsePreferenceMapping(tt.in)
		if (err != nil) != tt.wantErr {
			t.Errorf("ParsePreferenceMapping(%q) err = %v, want error %v", tt.in, err, tt.wantErr)
			continue
		}
		if !tt.wantErr && got != tt.want {
			t.Errorf("ParsePreferenceMapping(%q) = %+v, want %+v", tt.in, got, tt.want)
		}
	}
}

func TestRequestDeletion(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	l, st, clk := newLedger(t, consent.OptOut)
	// The app-scoped id happens to be the customer's Messenger id (the mapping frontdesk can
	// make); a WhatsApp customer with another id must survive.
	asid := msKey.User
	putConv(t, l, st, msKey, "en")
	putConv(t, l, st, waKey, "de")
	ms := l.Subjects.Key(msKey)
	if _, _, err := l.Decide(ctx, consent.Decision{Subject: ms, State: consent.Granted, Source: consent.SourceChat}); err != nil {
		t.Fatal(err)
	}
	clk.Add(time.Minute)
	d, err := l.RequestDeletion(ctx, asid, t0)
	if err != nil {
		t.Fatalf("RequestDeletion: %v", err)
	}
	if d.Status != consent.DeletionDone || d.CompletedAt.IsZero() || !consent.ValidDeletionCode(d.Code) ||
		d.ExpiresAt != clk.Now().Add(consent.DeletionRetention) || len(d.Subjects) != len(channel.Surfaces) {
		t.Errorf("deletion = %+v", d)
	}
	if _, err := st.GetConversation(ctx, msKey); !apperr.Is(err, apperr.NotFound) {
		t.Errorf("messenger conversation survived: %v", err)
	}
	if _, err := st.GetConversation(ctx, waKey); err != nil {
		t.Errorf("unrelated whatsapp conversation erased: %v", err)
	}
	rec, err := st.GetConsent(ctx, ms)
	if err != nil || rec.State != consent.Denied || rec.Source != consent.SourceDataDeletion || rec.Actor != consent.ActorMeta {
		t.Errorf("record after deletion = %+v, %v; want a denial from data_deletion", rec, err)
	}
	hist, _ := l.History(ctx, ms)
	if len(hist) != 1 || hist[0].Source != consent.SourceDataDeletion {
		t.Errorf("history after deletion = %+v; want only the deletion's denial", hist)
	}
	// Meta retrying the same request gets the same code, and nothing is done twice.
	again, err := l.RequestDeletion(ctx, asid, t0)
	if err != nil || again.Code != d.Code || !again.CompletedAt.Equal(d.CompletedAt) {
		t.Errorf("repeat = %+v, %v; want the same finished deletion %s", again, err, d.Code)
	}
	got, err := l.Deletion(ctx, d.Code)
	if err != nil || got.Status != consent.DeletionDone {
		t.Errorf("Deletion(%s) = %+v, %v", d.Code, got, err)
	}
	if _, err := l.Deletion(ctx, "not-a-code"); !apperr.Is(err, apperr.NotFound) {
		t.Errorf("Deletion(bad) err = %v, want not found", err)
	}
}

func TestRequestDeletionStoreFails(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	l, st, _ := newLedger(t, consent.OptOut)
	st.Fail = func(op string) error {
		if op == "EraseSubject" {
			return apperr.E("test", apperr.Transient, "throttled")
		}
		return nil
	}
	d, err := l.RequestDeletion(ctx, "218471", t0)
	if !apperr.Is(err, apperr.Transient) {
		t.Fatalf("err = %v, want transient", err)
	}
	got, err := st.GetDeletion(ctx, d.Code)
	if err != nil || got.Status != consent.DeletionPending {
		t.Errorf("tombstone = %+v, %v; want pending", got, err)
	}
}

func TestTrackInvalid(t *testing.T) {
	t.Parallel()
	l, _, _ := newLedger(t, consent.OptOut)
	if err := l.Track(context.Background(), &conversation.Conversation{Key: waKey}); !apperr.Is(err, apperr.Invalid) {
		t.Errorf("Track without expiry err = %v, want invalid", err)
	}
}
