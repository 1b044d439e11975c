package channel

import (
	"bytes"
	"log/slog"
	"strings"
	"testing"
	"time"
)

func TestInboundLogsNoPersonalData(t *testing.T) {
	t.Parallel()
	// A real-looking wamid: base64 of a record holding the sender's number 16503879439.
	in := Inbound{
		ID:   "wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQTRBNjU5OUFFRTAzODEwMTQ0RgA=",
		Key:  Key{Surface: WhatsApp, Account: "106540352242922", User: "16503879439"},
		Kind: KindMessage, At: time.Unix(1700000000, 0), Text: "Meine Adresse ist Hauptstraße 5", Name: "Erika",
		Referral: &Referral{CtwaClid: "ARAkLkA8"},
	}
	var buf bytes.Buffer
	slog.New(slog.NewJSONHandler(&buf, nil)).Info("x", "event", in, "agent", AgentEvent{ID: "Ev1", Text: "secret reply", Key: in.Key})
	out := buf.String()
	for _, s := range []string{"16503879439", "MTY1MDM4Nzk0Mzk", "Hauptstraße", "Erika", "ARAkLkA8", "secret reply"} {
		if strings.Contains(out, s) {
			t.Errorf("log contains %q: %s", s, out)
		}
	}
	if !strings.Contains(out, LogID(in.ID)) || LogID(in.ID) == LogID("wamid.other") {
		t.Errorf("log = %s, want the event's stable LogID %s", out, LogID(in.ID))
	}
}

func TestParseKeyRoundTrip(t *testing.T) {
	t.Parallel()
	k := Key{Surface: Comment, Account: "112233", User: "5310#weird"}
	got, err := ParseKey(k.String())
	if err != nil || got != k {
		t.Errorf("ParseKey(%q) = %+v, %v", k.String(), got, err)
	}
	for _, bad := range []string{"", "sms#1#2", "whatsapp##2", "whatsapp#1"} {
		if _, err := ParseKey(bad); err == nil {
			t.Errorf("ParseKey(%q) succeeded", bad)
		}
	}
}
