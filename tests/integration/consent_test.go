package integration_test

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/frontdesk-app/frontdesk/shared/apperr"
	"github.com/frontdesk-app/frontdesk/shared/channel"
	"github.com/frontdesk-app/frontdesk/shared/consent"
	"github.com/frontdesk-app/frontdesk/shared/meta/metatest"
)

// consentState reads GET /consent/{subject} as the business's privacy page would.
func (e *env) consentState(subject string) (state, source string) {
	e.t.Helper()
	req := httptest.NewRequest(http.MethodGet, "/consent/"+url.PathEscape(subject), nil)
	req.Header.Set("X-Api-Key", consentKey)
	rec := e.do(req)
	if rec.Code != http.StatusOK {
		e.t.Fatalf("GET /consent/%s = %d %s", subject, rec.Code, rec.Body)
	}
	var v struct{ State, Source string }
	if err := json.Unmarshal(rec.Body.Bytes(), &v); err != nil {
		e.t.Fatal(err)
	}
	return v.State, v.Source
}

func TestOptOutStopsAdSignals(t *testing.T) {
	t.Parallel()
	forEachBackend(t, func(t *testing.T, e *env) {
		const phone = "491709998877"
		// A message from a click-to-WhatsApp ad: a Conversions API event goes out.
		m := e.say(metatest.Message{Surface: channel.WhatsApp, From: phone, Text: "Hallo, ich habe eine Frage zur Lieferung", CtwaClid: "ARAkLkA8rmlFeiCktEJQ-QTwRiyYHAFDLMNDBH0CD3qpjd0HR4irJ6LEkR7JwFF4XvnO2E4Nx0-eM-GABDLOPaOdRMv-_zfUQ2a"})
		events := e.capi.Events()
		if len(events) != 1 || events[0].EventName != "LeadSubmitted" || events[0].UserData["ctwa_clid"] == "" {
			t.Fatalf("CAPI events = %+v, want one LeadSubmitted with the click id", events)
		}

		// An ordinary sentence about stopping an order changes nothing.
		e.say(metatest.Message{Surface: channel.WhatsApp, From: phone, Text: "Ich möchte die Bestellung stoppen"})
		if state, _ := e.consentState("whatsapp:" + phone); state != "granted" {
			t.Errorf("after an order question consent = %s, want granted (opt-out regime)", state)
		}

		// "Werbung stoppen": a German confirmation, consent denied from chat, the click id gone.
		before := len(e.sent(m.Recipient))
		e.say(metatest.Message{Surface: channel.WhatsApp, From: phone, Text: "Werbung stoppen"})
		sends := e.sent(m.Recipient)
		if len(sends) != before+1 || !strings.Contains(text(sends[len(sends)-1]), "Meta") {
			t.Errorf("confirmation = %q, want a German confirmation", text(sends[len(sends)-1]))
		}
		if state, source := e.consentState("whatsapp:" + phone); state != "denied" || source != "chat" {
			t.Errorf("consent = %s from %s, want denied from chat", state, source)
		}
		c, err := e.store.GetConversation(t.Context(), m.Key)
		if err != nil {
			t.Fatal(err)
		}
		if c.Referral != nil {
			t.Errorf("stored referral after opt-out = %+v, want none", c.Referral)
		}

		// Further ad-attributed moments send nothing: a new ad click, an agent's lead.
		e.say(metatest.Message{Surface: channel.WhatsApp, From: phone, Text: "Noch eine Frage", CtwaClid: "ARAnotherClick"})
		c, _ = e.store.GetConversation(t.Context(), m.Key)
		if c.Referral != nil {
			t.Errorf("a refused customer's new click id was stored: %+v", c.Referral)
		}
		if n := len(e.capi.Events()); n != 1 {
			t.Errorf("CAPI events after opt-out = %d, want still 1", n)
		}
		if n := e.capi.Calls(); n != 1 {
			t.Errorf("CAPI calls after opt-out = %d, want still 1 (nothing sent at all)", n)
		}
	})
}

func TestDataDeletionCallback(t *testing.T) {
	t.Parallel()
	forEachBackend(t, func(t *testing.T, e *env) {
		const psid = "6254170000000777"
		m := e.say(metatest.Message{Surface: channel.Messenger, From: psid, Text: "Wie lange dauert die Lieferung?"})
		if _, err := e.store.GetConversation(t.Context(), m.Key); err != nil {
			t.Fatal(err)
		}
		// The same id commenting under a post: that conversation keeps the commenter's name.
		cm := e.say(metatest.Message{Surface: channel.Comment, From: psid, Name: "Lena Kommentar", Text: "Wie lange dauert die Lieferung?"})
		if c, err := e.store.GetConversation(t.Context(), cm.Key); err != nil || c.CustomerName != "Lena Kommentar" {
			t.Fatalf("comment conversation = %+v, %v; want it to hold the commenter's name", c, err)
		}
		payload := map[string]any{"algorithm": "HMAC-SHA256", "issued_at": e.clock.Now().Unix(),
			"expires": e.clock.Now().Add(time.Hour).Unix(), "user_id": psid}
		deletion := func(signed string) *httptest.ResponseRecorder {
			req := httptest.NewRequest(http.MethodPost, "/meta/data-deletion", strings.NewReader(url.Values{"signed_request": {signed}}.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			return e.do(req)
		}

		// Tampered: signed with another key. 4xx, nothing deleted.
		bad, err := consent.SignRequest(payload, []byte("not-the-app-secret"))
		if err != nil {
			t.Fatal(err)
		}
		if rec := deletion(bad); rec.Code != http.StatusUnauthorized {
			t.Errorf("tampered request = %d, want 401", rec.Code)
		}
		if _, err := e.store.GetConversation(t.Context(), m.Key); err != nil {
			t.Fatalf("a tampered request deleted data: %v", err)
		}

		good, err := consent.SignRequest(payload, []byte(appSecret))
		if err != nil {
			t.Fatal(err)
		}
		rec := deletion(good)
		var ans struct {
			URL  string `json:"url"`
			Code string `json:"confirmation_code"`
		}
		if rec.Code != http.StatusOK || json.Unmarshal(rec.Body.Bytes(), &ans) != nil || ans.Code == "" ||
			ans.URL != "https://support.example.com/meta/data-deletion/"+ans.Code {
			t.Fatalf("deletion answer = %d %s", rec.Code, rec.Body)
		}
		if _, err := e.store.GetConversation(t.Context(), m.Key); !apperr.Is(err, apperr.NotFound) {
			t.Errorf("conversation after deletion: err = %v, want NotFound", err)
		}
		if c, err := e.store.GetConversation(t.Context(), cm.Key); !apperr.Is(err, apperr.NotFound) {
			t.Errorf("named conversation after deletion = %+v, %v; want it erased with the name", c, err)
		}
		status := e.do(httptest.NewRequest(http.MethodGet, "/meta/data-deletion/"+ans.Code, nil))
		var st struct{ Status string }
		if status.Code != http.StatusOK || json.Unmarshal(status.Body.Bytes(), &st) != nil || st.Status != "done" {
			t.Errorf("status page = %d %s, want done", status.Code, status.Body)
		}
	})
}

// A whole conversation with the logs captured: none of the customer's phone number, user ids or
// message text reach them, nor any token or secret.
func TestLogsHoldNoPersonalData(t *testing.T) {
	t.Parallel()
	forEachBackend(t, func(t *testing.T, e *env) {
		const phone = "491705554433"
		texts := []string{"Wo ist meine Bestellung 12345?", "Werbung stoppen", "Ich möchte mit einem Mitarbeiter sprechen", "Meine Adresse ist Hauptstraße 5"}
		var m metatest.Built
		var ids []string
		for i, tx := range texts {
			// Real wamids are base64 of a record holding the sender's number.
			id := "wamid." + base64.StdEncoding.EncodeToString([]byte(fmt.Sprintf("\x1c\x18\x0c%s\x15\x02\x00\x12\x18\x14%020d", phone, i)))
			ids = append(ids, id)
			m = e.say(metatest.Message{Surface: channel.WhatsApp, From: phone, Name: "Erika Geheim", Text: tx, CtwaClid: "ARAsecretclick", ID: id})
		}
		c, err := e.store.GetConversation(t.Context(), m.Key)
		if err != nil {
			t.Fatal(err)
		}
		e.threadReply("Ev0LOGS", c.ThreadTS, "Ihre Bestellung kommt morgen an, Frau Geheim.")
		logs := e.logs.String()
		if !strings.Contains(logs, `"msg"`) {
			t.Fatal("no logs captured: the test would prove nothing")
		}
		secrets := append([]string{phone, ids[0], ids[1], base64.StdEncoding.EncodeToString([]byte(phone))[:12], "Erika Geheim", "ARAsecretclick", waToken, slackToken, appSecret, slackSecret,
			"Frau Geheim", "Hauptstraße"}, texts...)
		for _, s := range secrets {
			if strings.Contains(logs, s) {
				t.Errorf("logs contain %q", s)
			}
		}
		if bytes.Contains([]byte(logs), []byte("4917055")) {
			t.Error("logs contain part of the phone number")
		}
	})
}
