package adsignals_test

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/frontdesk-app/frontdesk/shared/adsignals"
	"github.com/frontdesk-app/frontdesk/shared/adsignals/capi"
	"github.com/frontdesk-app/frontdesk/shared/adsignals/capitest"
	"github.com/frontdesk-app/frontdesk/shared/apperr"
	"github.com/frontdesk-app/frontdesk/shared/channel"
	"github.com/frontdesk-app/frontdesk/shared/consent"
	"github.com/frontdesk-app/frontdesk/shared/consent/consenttest"
	"github.com/frontdesk-app/frontdesk/shared/conversation"
	"github.com/frontdesk-app/frontdesk/shared/graph"
	"github.com/frontdesk-app/frontdesk/shared/memstore"
	"github.com/frontdesk-app/frontdesk/shared/retry"
	"github.com/google/go-cmp/cmp"
)

const (
	version  = "v25.0"
	waToken  = "EAAwa-token"
	pgToken  = "EAApage-token"
	igToken  = "EAAig-token"
	phoneID  = "106540352242922"
	wabaID   = "102290129340398"
	pageID   = "1029384756"
	igID     = "17841400000000001"
	waDS     = "900000000000001"
	pageDS   = "900000000000002"
	igDS     = "900000000000003"
	ctwaClid = "ARAkLkA8rmlFeiCktEJQ-QTwRiyYHAFDLMNDBH0CD3qpjd0HR4irJ6LEkR7JwFF4XvnO2E4Nx0"
)

var (
	t0    = time.Date(2026, 5, 4, 10, 0, 0, 0, time.UTC)
	waKey = channel.Key{Surface: channel.WhatsApp, Account: phoneID, User: "491701234567"}
	msKey = channel.Key{Surface: channel.Messenger, Account: pageID, User: "6123456789012345"}
	igKey = channel.Key{Surface: channel.Instagram, Account: igID, User: "1784149999999999"}
)

type counter struct {
	mu sync.Mutex
	n  map[string]int
}

func (c *counter) Count(name string, n int)           { c.mu.Lock(); defer c.mu.Unlock(); c.n[name] += n }
func (c *counter) Milliseconds(string, time.Duration) {}
func (c *counter) get(name string) int                { c.mu.Lock(); defer c.mu.Unlock(); return c.n[name] }

// sends is a minimal dedup.Store for the idempotency tests.
type fixture struct {
	fake    *capitest.Server
	ledger  *consent.Ledger
	store   *consenttest.Store
	sig     *adsignals.Signaler
	metrics *counter
	logs    *bytes.Buffer
}

func setup(t *testing.T, regime consent.Regime) *fixture {
	t.Helper()
	now := func() time.Time { return t0 }
	fake := capitest.New(t, version, map[string]capitest.Dataset{
		waDS:   {Channel: "whatsapp", BusinessID: wabaID, Token: waToken},
		pageDS: {Channel: "messenger", BusinessID: pageID, Token: pgToken},
		igDS:   {Channel: "instagram", BusinessID: igID, Token: igToken},
	}, now)
	st := consenttest.NewStore(now)
	l := &consent.Ledger{Store: st, Subjects: consent.Subjects{Pepper: []byte("test-pepper-0123456789")}, Regime: regime, Conversations: st, Now: now}
	client := &capi.Client{BaseURL: fake.BaseURL(), Version: version, Transport: &graph.Transport{HTTP: fake.Client(), Retry: retry.Policy{BaseBackoff: time.Millisecond}},
		Tokens: map[channel.Surface]string{channel.WhatsApp: waToken, channel.Messenger: pgToken, channel.Instagram: igToken},
	}
	m := &counter{n: map[string]int{}}
	logs := &bytes.Buffer{}
	sig := &adsignals.Signaler{Client: client, Gate: l, Metrics: m, Now: now,
		Accounts: map[string]adsignals.Account{phoneID: {Dataset: waDS, BusinessID: wabaID}, pageID: {Dataset: pageDS}, igID: {Dataset: igDS}},
		Logger:   slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))}
	return &fixture{fake: fake, ledger: l, store: st, sig: sig, metrics: m, logs: logs}
}

func conv(key channel.Key, ref *channel.Referral) *conversation.Conversation {
	return &conversation.Conversation{Key: key, Status: conversation.Bot, Referral: ref, CreatedAt: t0, UpdatedAt: t0, ExpiresAt: t0.Add(720 * time.Hour)}
}

func TestSignalPerChannel(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		conv   *conversation.Conversation
		moment adsignals.Moment
		want   capitest.Event
	}{
		{"whatsapp first ad message", conv(waKey, &channel.Referral{Source: "ad", AdID: "1202", CtwaClid: ctwaClid}), adsignals.FirstAdMessage,
			capitest.Event{Dataset: waDS, EventName: "LeadSubmitted", EventTime: t0.Add(-time.Minute).Unix(), ActionSource: "business_messaging",
				MessagingChannel: "whatsapp", UserData: map[string]string{"whatsapp_business_account_id": wabaID, "ctwa_clid": ctwaClid}}},
		{"messenger lead", conv(msKey, &channel.Referral{Source: "ADS", AdID: "1203"}), adsignals.Lead,
			capitest.Event{Dataset: pageDS, EventName: "QualifiedLead", EventTime: t0.Add(-time.Minute).Unix(), ActionSource: "business_messaging",
				MessagingChannel: "messenger", UserData: map[string]string{"page_id": pageID, "page_scoped_user_id": msKey.User}}},
		{"instagram first ad message", conv(igKey, &channel.Referral{Source: "ADS", AdID: "1204"}), adsignals.FirstAdMessage,
			capitest.Event{Dataset: igDS, EventName: "LeadSubmitted", EventTime: t0.Add(-time.Minute).Unix(), ActionSource: "business_messaging",
				MessagingChannel: "instagram", UserData: map[string]string{"instagram_business_account_id": igID, "ig_sid": igKey.User}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := setup(t, consent.OptOut)
			got, err := f.sig.Signal(context.Background(), tt.moment, tt.conv, "wamid.1", t0.Add(-time.Minute))
			if err != nil || got != adsignals.Sent {
				t.Fatalf("Signal = %v, %v; want sent", got, err)
			}
			if diff := cmp.Diff([]capitest.Event{tt.want}, f.fake.Events()); diff != "" {
				t.Errorf("events (-want +got):\n%s", diff)
			}
			if strings.Contains(f.logs.String(), tt.conv.Key.User) || strings.Contains(f.logs.String(), ctwaClid) {
				t.Errorf("logs hold ids: %s", f.logs)
			}
		})
	}
}

func TestSignalNotSent(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	ad := &channel.Referral{Source: "ad", CtwaClid: ctwaClid}
	tests := []struct {
		name   string
		regime consent.Regime
		prep   func(*fixture)
		conv   *conversation.Conversation
		moment adsignals.Moment
		at     time.Time
		want   adsignals.Outcome
	}{
		{name: "opted out in chat", prep: func(f *fixture) {
			c := conv(waKey, nil)
			if _, _, err := f.ledger.HandleChat(ctx, c, "Werbung stoppen", t0); err != nil {
				t.Fatal(err)
			}
		}, conv: conv(waKey, ad), moment: adsignals.FirstAdMessage, want: adsignals.Suppressed},
		{name: "messenger opted out by api", prep: func(f *fixture) {
			if _, _, err := f.ledger.Decide(ctx, consent.Decision{Subject: f.ledger.Subjects.Key(msKey), State: consent.Denied, Source: consent.SourceAPI}); err != nil {
				t.Fatal(err)
			}
		}, conv: conv(msKey, &channel.Referral{Source: "ADS"}), moment: adsignals.Lead, want: adsignals.Suppressed},
		{name: "opt-in regime, never granted", regime: consent.OptIn, conv: conv(waKey, ad), moment: adsignals.Lead, want: adsignals.Suppressed},
		{name: "whatsapp without ctwa_clid", conv: conv(waKey, &channel.Referral{Source: "ad", AdID: "1"}), moment: adsignals.Lead, want: adsignals.NotAttributed},
		{name: "no referral", conv: conv(msKey, nil), moment: adsignals.Lead, want: adsignals.NotAttributed},
		{name: "link referral, not an ad", conv: conv(msKey, &channel.Referral{Source: "SHORTLINK", Ref: "x"}), moment: adsignals.Lead, want: adsignals.NotAttributed},
		{name: "resolved is off by default", conv: conv(waKey, ad), moment: adsignals.Resolved, want: adsignals.Disabled},
		{name: "comment surface", conv: conv(channel.Key{Surface: channel.Comment, Account: pageID, User: "1"}, ad), moment: adsignals.Lead, want: adsignals.Unconfigured},
		{name: "unknown account", conv: conv(channel.Key{Surface: channel.WhatsApp, Account: "999", User: "491701234567"}, ad), moment: adsignals.Lead, want: adsignals.Unconfigured},
		{name: "older than 7 days", conv: conv(waKey, ad), moment: adsignals.FirstAdMessage, at: t0.Add(-8 * 24 * time.Hour), want: adsignals.TooOld},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := setup(t, tt.regime)
			if tt.prep != nil {
				tt.prep(f)
			}
			got, err := f.sig.Signal(ctx, tt.moment, tt.conv, "evt.1", tt.at)
			if err != nil || got != tt.want {
				t.Fatalf("Signal = %v, %v; want %v", got, err, tt.want)
			}
			if n := f.fake.Calls(); n != 0 {
				t.Errorf("Conversions API got %d calls, want none", n)
			}
			wantSupp := 0
			if tt.want == adsignals.Suppressed {
				wantSupp = 1
			}
			if got := f.metrics.get("ConsentSuppressions"); got != wantSupp {
				t.Errorf("ConsentSuppressions = %d, want %d", got, wantSupp)
			}
		})
	}
}

// TestOptOutStopsSignals is the flow: an ad click sends an event; "Werbung stoppen"
// stops the next one, and the stored ctwa_clid is gone.
func TestOptOutStopsSignals(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := setup(t, consent.OptOut)
	c := conv(waKey, &channel.Referral{Source: "ad", CtwaClid: ctwaClid})
	if err := f.store.PutConversation(ctx, c); err != nil {
		t.Fatal(err)
	}
	if err := f.ledger.Track(ctx, c); err != nil {
		t.Fatal(err)
	}
	if got, err := f.sig.Signal(ctx, adsignals.FirstAdMessage, c, "wamid.1", t0); got != adsignals.Sent || err != nil {
		t.Fatalf("first signal = %v, %v", got, err)
	}
	// The consumer may still hold an old copy with the clid: the gate must stop it anyway.
	stale := *c
	stale.Referral = &channel.Referral{Source: "ad", CtwaClid: ctwaClid}
	handled, reply, err := f.ledger.HandleChat(ctx, c, "Werbung stoppen", t0)
	if err != nil || !handled || !strings.HasPrefix(reply, "Alles klar") {
		t.Fatalf("HandleChat = %v, %q, %v", handled, reply, err)
	}
	if err := f.store.PutConversation(ctx, c); err != nil {
		t.Fatal(err)
	}
	if got, err := f.sig.Signal(ctx, adsignals.Lead, &stale, "slack.1", t0); got != adsignals.Suppressed || err != nil {
		t.Fatalf("signal after opt-out = %v, %v; want suppressed", got, err)
	}
	if n := f.fake.Calls(); n != 1 {
		t.Errorf("Conversions API calls = %d, want 1", n)
	}
	stored, err := f.store.GetConversation(ctx, waKey)
	if err != nil || stored.Referral != nil {
		t.Errorf("stored referral = %+v, %v; want gone", stored.Referral, err)
	}
}

func TestSignalIdempotent(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := setup(t, consent.OptOut)
	sends := memstore.New()
	sends.Now = f.sig.Now // the store decides expiry on the flow's clock
	f.sig.Sends = sends
	c := conv(waKey, &channel.Referral{Source: "ad", CtwaClid: ctwaClid})
	for i, want := range []adsignals.Outcome{adsignals.Sent, adsignals.Duplicate} {
		if got, err := f.sig.Signal(ctx, adsignals.FirstAdMessage, c, "wamid.1", t0); got != want || err != nil {
			t.Errorf("try %d = %v, %v; want %v", i, got, err, want)
		}
	}
	if got, err := f.sig.Signal(ctx, adsignals.Lead, c, "wamid.1", t0); got != adsignals.Sent || err != nil {
		t.Errorf("other moment = %v, %v; want sent", got, err)
	}
	if n := len(f.fake.Events()); n != 2 {
		t.Errorf("events = %d, want 2", n)
	}
	// A failed send releases its claim so the retry can send.
	f.sig.Client.(*capi.Client).Tokens[channel.WhatsApp] = "EAAwrong"
	if _, err := f.sig.Signal(ctx, adsignals.FirstAdMessage, c, "wamid.2", t0); !apperr.Is(err, apperr.Unauthorized) {
		t.Fatalf("bad token err = %v, want unauthorized", err)
	}
	f.sig.Client.(*capi.Client).Tokens[channel.WhatsApp] = waToken
	if got, err := f.sig.Signal(ctx, adsignals.FirstAdMessage, c, "wamid.2", t0); got != adsignals.Sent || err != nil {
		t.Errorf("retry after failure = %v, %v; want sent", got, err)
	}
}

func TestClientRetries(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	ev := adsignals.Event{EventName: "LeadSubmitted", EventTime: t0.Unix(), ActionSource: adsignals.ActionSource, MessagingChannel: "messenger",
		UserData: map[string]string{"page_id": pageID, "page_scoped_user_id": msKey.User}}
	tests := []struct {
		name     string
		fail     []int
		wantKind apperr.Kind // Other: success
		calls    int
	}{
		{"ok", nil, apperr.Other, 1},
		{"429 then ok", []int{429}, apperr.Other, 2},
		{"500, 503 then ok", []int{500, 503}, apperr.Other, 3},
		{"always 503", []int{503, 503, 503, 503}, apperr.Transient, 4},
		{"always 429", []int{429, 429, 429, 429}, apperr.Transient, 4},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := setup(t, consent.OptOut)
			f.fake.FailNext(tt.fail...)
			var slept []time.Duration
			c := f.sig.Client.(*capi.Client)
			c.Transport.Retry.OnRetry = func(_ error, d time.Duration) { slept = append(slept, d) }
			res, err := c.Send(ctx, channel.Messenger, pageDS, ev)
			if tt.wantKind == apperr.Other {
				if err != nil || res.EventsReceived != 1 {
					t.Fatalf("Send = %+v, %v", res, err)
				}
			} else if !apperr.Is(err, tt.wantKind) {
				t.Fatalf("Send err = %v, want %v", err, tt.wantKind)
			}
			if got := f.fake.Calls(); got != tt.calls {
				t.Errorf("calls = %d, want %d", got, tt.calls)
			}
			if len(slept) != tt.calls-1 {
				t.Errorf("slept %v, want %d waits", slept, tt.calls-1)
			}
		})
	}
}

func TestClientErrors(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	good := adsignals.Event{EventName: "LeadSubmitted", EventTime: t0.Unix(), ActionSource: adsignals.ActionSource, MessagingChannel: "messenger",
		UserData: map[string]string{"page_id": pageID, "page_scoped_user_id": msKey.User}}
	bad := good
	bad.UserData = map[string]string{"page_id": pageID}
	old := good
	old.EventTime = t0.Add(-8 * 24 * time.Hour).Unix()
	tests := []struct {
		name    string
		surface channel.Surface
		dataset string
		ev      adsignals.Event
		token   string
		kind    apperr.Kind
		code    int
	}{
		{"wrong token", channel.Messenger, pageDS, good, "EAAnope", apperr.Unauthorized, 190},
		{"unknown dataset", channel.Messenger, "123", good, pgToken, apperr.Invalid, 100},
		{"missing user_data key", channel.Messenger, pageDS, bad, pgToken, apperr.Invalid, 100},
		{"event older than 7 days", channel.Messenger, pageDS, old, pgToken, apperr.Invalid, 100},
		{"no token for surface", channel.Comment, pageDS, good, pgToken, apperr.Invalid, 0},
		{"malformed dataset", channel.Messenger, "1/2", good, pgToken, apperr.Invalid, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := setup(t, consent.OptOut)
			c := f.sig.Client.(*capi.Client)
			c.Tokens[channel.Messenger] = tt.token
			_, err := c.Send(ctx, tt.surface, tt.dataset, tt.ev)
			if !apperr.Is(err, tt.kind) {
				t.Fatalf("err = %v, want %v", err, tt.kind)
			}
			if tt.code != 0 {
				var ae *graph.APIError
				if !asAPI(err, &ae) || ae.Code != tt.code {
					t.Errorf("APIError = %+v, want code %d", ae, tt.code)
				}
				if strings.Contains(err.Error(), tt.token) {
					t.Errorf("error %q holds the token", err)
				}
			}
		})
	}
}

func TestParseAccounts(t *testing.T) {
	t.Parallel()
	got, err := adsignals.ParseAccounts(" 106540352242922=900000000000001/102290129340398, 1029384756=900000000000002 ,")
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]adsignals.Account{phoneID: {Dataset: waDS, BusinessID: wabaID}, pageID: {Dataset: pageDS}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("ParseAccounts (-want +got):\n%s", diff)
	}
	for _, bad := range []string{"1029384756", "abc=1", "1=", "1=2/x", "=1"} {
		if _, err := adsignals.ParseAccounts(bad); !apperr.Is(err, apperr.Invalid) {
			t.Errorf("ParseAccounts(%q) err = %v, want invalid", bad, err)
		}
	}
}
