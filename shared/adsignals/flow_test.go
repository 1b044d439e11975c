package adsignals_test

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/frontdesk-app/frontdesk/shared/adsignals"
	"github.com/frontdesk-app/frontdesk/shared/adsignals/capi"
	"github.com/frontdesk-app/frontdesk/shared/adsignals/capitest"
	"github.com/frontdesk-app/frontdesk/shared/apperr"
	"github.com/frontdesk-app/frontdesk/shared/channel"
	"github.com/frontdesk-app/frontdesk/shared/consent"
	"github.com/frontdesk-app/frontdesk/shared/conversation"
	"github.com/frontdesk-app/frontdesk/shared/graph"
	"github.com/frontdesk-app/frontdesk/shared/memstore"
	"github.com/frontdesk-app/frontdesk/shared/retry"
)

// TestPrivacyFlow runs the whole story on the embedded store, with every log line
// captured: an ad click sends a CAPI event; a sentence about an order changes nothing; "Werbung
// stoppen" is confirmed in German, shows as denied from the chat, stops the next event and
// erases the ctwa_clid; a tampered deletion request deletes nothing and a valid one erases the
// customer. The logs never hold the phone number, the message texts, the click id or a token.
func TestPrivacyFlow(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	clock := t0
	now := func() time.Time { return clock }
	var logs bytes.Buffer
	logger := slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))

	store := &memstore.Store{Now: now}
	ledger := &consent.Ledger{Store: store, Subjects: consent.Subjects{Pepper: []byte("flow-pepper-0123456789")},
		Regime: consent.OptOut, Conversations: store, DefaultLocale: "de", Now: now}
	fake := capitest.New(t, version, map[string]capitest.Dataset{waDS: {Channel: "whatsapp", BusinessID: wabaID, Token: waToken}}, now)
	sig := &adsignals.Signaler{
		Client: &capi.Client{BaseURL: fake.BaseURL(), Version: version, Transport: &graph.Transport{HTTP: fake.Client(), Retry: retry.Policy{BaseBackoff: time.Millisecond}},
			Tokens: map[channel.Surface]string{channel.WhatsApp: waToken}},
		Gate: ledger, Accounts: map[string]adsignals.Account{phoneID: {Dataset: waDS, BusinessID: wabaID}},
		Sends: store, Logger: logger, Now: now,
	}
	h, err := consent.NewHandler(consent.HandlerConfig{APIKey: "local-consent-key", AppSecret: []byte("local-app-secret"),
		Ledger: ledger, StatusBaseURL: "http://127.0.0.1:3000", Now: now, Logger: logger})
	if err != nil {
		t.Fatal(err)
	}
	call := func(method, path, ct, body string) *httptest.ResponseRecorder {
		r := httptest.NewRequest(method, path, strings.NewReader(body))
		if ct != "" {
			r.Header.Set("Content-Type", ct)
		}
		r.Header.Set("X-Api-Key", "local-consent-key")
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		return w
	}
	state := func() (st, source string) {
		var v struct{ State, Source string }
		w := call("GET", "/consent/whatsapp:491701234567", "", "")
		if err := json.Unmarshal(w.Body.Bytes(), &v); err != nil || w.Code != 200 {
			t.Fatalf("GET /consent = %d %s", w.Code, w.Body)
		}
		return v.State, v.Source
	}

	// What the bot does with an inbound message: load or create, apply, save, link.
	texts := []string{"Hallo, ich habe Ihre Anzeige gesehen", "Ich möchte die Bestellung stoppen", "Werbung stoppen"}
	inbound := func(id, text string, ref *channel.Referral) (*conversation.Conversation, string) {
		c, err := store.GetConversation(ctx, waKey)
		if apperr.Is(err, apperr.NotFound) {
			c, err = &conversation.Conversation{Key: waKey, Status: conversation.Bot, CreatedAt: clock}, nil
		}
		if err != nil {
			t.Fatal(err)
		}
		if ref != nil && c.Referral == nil {
			c.Referral = ref
		}
		c.LastInboundAt = clock
		_, reply, err := ledger.HandleChat(ctx, c, text, clock)
		if err != nil {
			t.Fatal(err)
		}
		c.UpdatedAt, c.ExpiresAt = clock, clock.Add(30*24*time.Hour)
		if err := store.PutConversation(ctx, c); err != nil {
			t.Fatal(err)
		}
		if err := ledger.Track(ctx, c); err != nil {
			t.Fatal(err)
		}
		logger.InfoContext(ctx, "inbound", "event", channel.Inbound{ID: id, Key: waKey, Kind: channel.KindMessage, Text: text, Referral: ref})
		return c, reply
	}

	// 1. The first message after a click-to-WhatsApp ad: a CAPI event.
	c, _ := inbound("wamid.1", texts[0], &channel.Referral{Source: "ad", AdID: "120200000000", CtwaClid: ctwaClid})
	if got, err := sig.Signal(ctx, adsignals.FirstAdMessage, c, "wamid.1", clock); got != adsignals.Sent || err != nil {
		t.Fatalf("first ad message = %v, %v; want sent", got, err)
	}
	if evs := fake.Events(); len(evs) != 1 || evs[0].UserData["ctwa_clid"] != ctwaClid {
		t.Fatalf("CAPI events = %+v", evs)
	}

	// 2. A sentence about stopping an order changes nothing.
	clock = clock.Add(time.Minute)
	if _, reply := inbound("wamid.2", texts[1], nil); reply != "" {
		t.Errorf("sentence answered as a command: %q", reply)
	}
	if st, src := state(); st != "granted" || src != "" {
		t.Errorf("consent after a sentence = %s from %q, want the regime default", st, src)
	}

	// 3. "Werbung stoppen": a German confirmation; denied from the chat.
	clock = clock.Add(time.Minute)
	_, reply := inbound("wamid.3", texts[2], nil)
	if !strings.HasPrefix(reply, "Alles klar: Wir geben ab sofort keine Daten mehr an Meta") {
		t.Errorf("reply = %q, want the German confirmation", reply)
	}
	if st, src := state(); st != "denied" || src != "chat" {
		t.Errorf("consent = %s from %q, want denied from chat", st, src)
	}

	// 4. Another ad-attributed moment: no CAPI call; the stored ctwa_clid is gone.
	clock = clock.Add(time.Minute)
	stale := *c // a worker that loaded the conversation before the opt-out
	if got, err := sig.Signal(ctx, adsignals.Lead, &stale, "slack.Ev1", clock); got != adsignals.Suppressed || err != nil {
		t.Errorf("lead after opt-out = %v, %v; want suppressed", got, err)
	}
	if n := fake.Calls(); n != 1 {
		t.Errorf("CAPI calls = %d, want 1", n)
	}
	if stored, err := store.GetConversation(ctx, waKey); err != nil || stored.Referral != nil {
		t.Errorf("stored referral = %+v, %v; want erased", stored.Referral, err)
	}

	// 5. Data deletion: tampered → 401 and nothing deleted; valid → erased, status done.
	payload := map[string]any{"algorithm": "HMAC-SHA256", "issued_at": clock.Unix(), "expires": clock.Add(time.Hour).Unix(), "user_id": waKey.User}
	forged, _ := consent.SignRequest(payload, []byte("not-the-app-secret"))
	if w := call("POST", "/meta/data-deletion", "application/x-www-form-urlencoded", url.Values{"signed_request": {forged}}.Encode()); w.Code != http.StatusUnauthorized {
		t.Errorf("forged deletion = %d, want 401", w.Code)
	}
	if _, err := store.GetConversation(ctx, waKey); err != nil {
		t.Fatalf("forged deletion erased the conversation: %v", err)
	}
	signed, _ := consent.SignRequest(payload, []byte("local-app-secret"))
	w := call("POST", "/meta/data-deletion", "application/x-www-form-urlencoded", url.Values{"signed_request": {signed}}.Encode())
	var ans struct {
		URL  string `json:"url"`
		Code string `json:"confirmation_code"`
	}
	if err := json.Unmarshal(w.Body.Bytes(), &ans); err != nil || w.Code != 200 || ans.Code == "" {
		t.Fatalf("deletion = %d %s", w.Code, w.Body)
	}
	if _, err := store.GetConversation(ctx, waKey); !apperr.Is(err, apperr.NotFound) {
		t.Errorf("conversation after deletion: %v, want not found", err)
	}
	path := strings.TrimPrefix(ans.URL, "http://127.0.0.1:3000")
	if w := call("GET", path, "", ""); w.Code != 200 || !strings.Contains(w.Body.String(), `"status":"done"`) {
		t.Errorf("status = %d %s", w.Code, w.Body)
	}
	if st, src := state(); st != "denied" || src != "data_deletion" {
		t.Errorf("consent after deletion = %s from %q", st, src)
	}

	out := logs.String()
	if !strings.Contains(out, `"outcome":"suppressed"`) || !strings.Contains(out, "data deletion") {
		t.Fatalf("the logs lack the flow's steps:\n%s", out)
	}
	for _, secret := range append([]string{waKey.User, "1701234567", ctwaClid, waToken, "local-app-secret", "local-consent-key", "Werbung", "Bestellung"}, texts...) {
		if strings.Contains(out, secret) {
			t.Errorf("logs hold %q", secret)
		}
	}
}
