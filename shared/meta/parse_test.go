package meta

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/frontdesk-app/frontdesk/shared/apperr"
	"github.com/frontdesk-app/frontdesk/shared/channel"
)

var update = flag.Bool("update", false, "rewrite golden files and events/meta-webhook")

// golden is what a payload parses into, stored as testdata/golden/<name>.json.
type golden struct {
	Object  string            `json:"object"`
	Events  []channel.Inbound `json:"events"`
	Skipped []Skip            `json:"skipped"`
}

func payloads(t testing.TB) []string {
	t.Helper()
	files, err := filepath.Glob("testdata/*.json")
	if err != nil || len(files) == 0 {
		t.Fatalf("no testdata payloads: %v", err)
	}
	return files
}

func goldenOf(t testing.TB, body []byte) golden {
	t.Helper()
	b, err := ParseBatch(body)
	if err != nil {
		t.Fatalf("ParseBatch: %v", err)
	}
	g := golden(b)
	if g.Events == nil {
		g.Events = []channel.Inbound{}
	}
	if g.Skipped == nil {
		g.Skipped = []Skip{}
	}
	return g
}

func goldenPath(payload string) string {
	return filepath.Join("testdata", "golden", filepath.Base(payload))
}

// checkGolden compares got with the golden file of payload, or rewrites it under -update.
func checkGolden(t *testing.T, payload string, got golden) {
	t.Helper()
	path := goldenPath(payload)
	if *update {
		b, err := json.MarshalIndent(got, "", "  ")
		if err != nil {
			t.Fatal(err)
		}
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, append(b, '\n'), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("golden file missing (run go test -update): %v", err)
	}
	var want golden
	if err := json.Unmarshal(b, &want); err != nil {
		t.Fatalf("golden %s: %v", path, err)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("%s parses differently from %s (-want +got):\n%s", payload, path, diff)
	}
}

func TestParseGolden(t *testing.T) {
	for _, file := range payloads(t) {
		name := strings.TrimSuffix(filepath.Base(file), ".json")
		t.Run(name, func(t *testing.T) {
			body, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			got := goldenOf(t, body)
			checkGolden(t, file, got)
			for _, in := range got.Events {
				if in.ID == "" || in.Key.Account == "" || in.Key.User == "" || !in.Key.Surface.Valid() {
					t.Errorf("event %+v lacks an id or a complete key", in)
				}
				if _, err := channel.ParseKey(in.Key.String()); err != nil {
					t.Errorf("key %v does not round-trip: %v", in.Key.LogValue(), err)
				}
				if in.At.IsZero() {
					t.Errorf("event %s has no time", in.ID)
				}
			}
		})
	}
}

// TestParseSemantics pins the facts the bot relies on, independent of the golden files.
func TestParseSemantics(t *testing.T) {
	t.Parallel()
	tests := []struct {
		file  string
		check func(t *testing.T, ev []channel.Inbound)
	}{
		{"whatsapp_text", func(t *testing.T, ev []channel.Inbound) {
			want := channel.Key{Surface: channel.WhatsApp, Account: "106540352242922", User: "16505551234"}
			if len(ev) != 1 || ev[0].Key != want || ev[0].Kind != channel.KindMessage {
				t.Errorf("events = %+v, want one message with key %v", ev, want)
			}
		}},
		{"whatsapp_interactive_button_reply", wantOne(channel.KindPostback, func(in channel.Inbound) bool { return in.Payload == "faq:shipping" && in.ReplyTo != "" })},
		{"whatsapp_interactive_list_reply", wantOne(channel.KindPostback, func(in channel.Inbound) bool { return in.Payload == "faq:returns" })},
		{"whatsapp_template_button", wantOne(channel.KindPostback, func(in channel.Inbound) bool { return in.Payload == "continue" })},
		{"whatsapp_image", wantOne(channel.KindMessage, func(in channel.Inbound) bool { return in.Media == "image" && in.Text == "Is this the blue one?" })},
		{"whatsapp_voice", wantOne(channel.KindMessage, func(in channel.Inbound) bool { return in.Media == "voice" })},
		{"whatsapp_reaction", wantOne(channel.KindReaction, func(in channel.Inbound) bool { return in.ReplyTo != "" && in.Text != "" })},
		{"whatsapp_ctwa_referral", wantOne(channel.KindMessage, func(in channel.Inbound) bool {
			return in.Referral.FromAd() && in.Referral.CtwaClid != "" && in.Referral.AdID == "120226305854810726"
		})},
		{"whatsapp_status_failed", wantOne(channel.KindStatus, func(in channel.Inbound) bool {
			return in.Status.ErrorCode == 131047 && strings.HasSuffix(in.ID, ":failed")
		})},
		{"whatsapp_user_preferences", func(t *testing.T, ev []channel.Inbound) {
			if len(ev) != 2 || ev[0].Preference.Value != "stop" || ev[1].Preference.Value != "resume" || ev[0].ID == ev[1].ID {
				t.Errorf("events = %+v, want stop then resume with distinct ids", ev)
			}
		}},
		{"whatsapp_referred_product", wantOne(channel.KindMessage, func(in channel.Inbound) bool {
			return in.Text == "Do you have this in M?" && in.Media == "" &&
				*in.Product == channel.Product{CatalogID: "194836987003835", RetailerID: "di9ozbzfi4"}
		})},
		{"whatsapp_bsuid", wantOne(channel.KindMessage, func(in channel.Inbound) bool { return in.Key.User == "US.13491208655302741918" })},
		{"whatsapp_batch", func(t *testing.T, ev []channel.Inbound) {
			if len(ev) != 4 {
				t.Errorf("%d events, want 4 (two messages and a status in one entry, a message in another)", len(ev))
			}
		}},
		{"messenger_batch", func(t *testing.T, ev []channel.Inbound) {
			if len(ev) != 3 {
				t.Errorf("%d events, want 3 (one per entry)", len(ev))
			}
		}},
		{"messenger_echo_app", wantOne(channel.KindEcho, func(in channel.Inbound) bool { return !in.Human && in.Key.User == "6990125541061880" })},
		{"messenger_echo_inbox", wantOne(channel.KindEcho, func(in channel.Inbound) bool { return in.Human && in.Key.User == "6990125541061880" })},
		{"messenger_quick_reply", wantOne(channel.KindPostback, func(in channel.Inbound) bool { return in.Payload == "faq:shipping" })},
		{"messenger_optin_stop", wantOne(channel.KindPreference, func(in channel.Inbound) bool {
			return *in.Preference == channel.Preference{Category: "notification_messages", Value: "stop"}
		})},
		{"messenger_standby", wantOne(channel.KindMessage, func(in channel.Inbound) bool { return in.Standby })},
		// Sticker 369239263222822 is the thumbs-up the Like button sends.
		{"messenger_sticker", wantOne(channel.KindMessage, func(in channel.Inbound) bool { return in.Media == "like" })},
		{"instagram_deleted", wantOne(channel.KindDeleted, func(in channel.Inbound) bool { return in.Key.Surface == channel.Instagram })},
		{"instagram_story_reply", wantOne(channel.KindMessage, func(in channel.Inbound) bool { return in.ReplyTo == "17954170374002653" })},
		{"instagram_comment", wantOne(channel.KindComment, func(in channel.Inbound) bool {
			return in.Key == channel.Key{Surface: channel.Comment, Account: "17841405309211844", User: "1284392018834727"} && in.CommentID == "17865799348089039"
		})},
		{"instagram_comment_own", wantNone},
		{"page_feed_comment", wantOne(channel.KindComment, func(in channel.Inbound) bool {
			return in.Key.Surface == channel.Comment && in.CommentID == in.ID && in.ReplyTo == ""
		})},
		{"page_feed_comment_reply", wantOne(channel.KindComment, func(in channel.Inbound) bool { return in.ReplyTo != "" })},
		{"page_feed_comment_own", wantNone},
		{"page_feed_comment_edited", wantNone},
		{"unknown_object", wantNone},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			t.Parallel()
			ev, err := Parse(readTestdata(t, tt.file+".json"))
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			tt.check(t, ev)
		})
	}
}

func wantOne(kind channel.Kind, ok func(channel.Inbound) bool) func(*testing.T, []channel.Inbound) {
	return func(t *testing.T, ev []channel.Inbound) {
		t.Helper()
		if len(ev) != 1 || ev[0].Kind != kind || !ok(ev[0]) {
			t.Errorf("events = %+v, want one %s event matching the check", ev, kind)
		}
	}
}

func wantNone(t *testing.T, ev []channel.Inbound) {
	t.Helper()
	if len(ev) != 0 {
		t.Errorf("events = %+v, want none", ev)
	}
}

func TestParseInvalid(t *testing.T) {
	t.Parallel()
	for _, body := range []string{``, `{`, `null`, `[]`, `"page"`, `42`, `{"object":"page","entry":{}}`, "\xff"} {
		_, err := Parse([]byte(body))
		if !apperr.Is(err, apperr.Invalid) {
			t.Errorf("Parse(%q) = %v, want an Invalid error", body, err)
		}
	}
}

// TestParseTolerant: odd values inside one item skip that item, not the batch.
func TestParseTolerant(t *testing.T) {
	t.Parallel()
	body := []byte(`{"object":"whatsapp_business_account","entry":[{"id":"1","changes":[{"field":"messages","value":{"metadata":{"phone_number_id":"2"},"messages":[{"from":"3","id":"a","timestamp":1700000000,"type":"text","text":{"body":"ok"}},{"from":{"id":3},"id":"b","type":"text"},{"from":"3","id":"c","timestamp":"x","type":"hologram"}]}}]},"oops",{"id":"4","changes":"bad"}]}`)
	b, err := ParseBatch(body)
	if err != nil {
		t.Fatalf("ParseBatch: %v", err)
	}
	if len(b.Events) != 1 || b.Events[0].ID != "a" {
		t.Errorf("events = %+v, want only message a", b.Events)
	}
	if len(b.Skipped) != 4 {
		t.Errorf("skipped = %+v, want 4 (message b, type hologram, two bad entries)", b.Skipped)
	}
	for _, s := range b.Skipped {
		if bytes.Contains([]byte(s.Reason+s.Type+s.Field), []byte("ok")) {
			t.Errorf("skip %+v carries content", s)
		}
	}
}

func FuzzParse(f *testing.F) {
	for _, file := range payloads(f) {
		b, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	for _, r := range recorded(f) {
		f.Add(r.Body)
	}
	f.Add([]byte(`{"object":"page","entry":[{"messaging":[{}]}]}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		b, err := ParseBatch(body)
		if err != nil {
			if !apperr.Is(err, apperr.Invalid) {
				t.Fatalf("error kind = %v, want invalid: %v", apperr.KindOf(err), err)
			}
			return
		}
		for _, in := range b.Events {
			if in.ID == "" || in.Key.User == "" || in.Key.Account == "" {
				t.Fatalf("event without id or key: %+v", in)
			}
		}
	})
}

// TestParseNumericIDs: a payload whose ids are JSON numbers parses exactly like its twin with
// the documented string ids.
func TestParseNumericIDs(t *testing.T) {
	t.Parallel()
	for _, file := range []string{"messenger_text", "page_feed_comment", "instagram_comment", "whatsapp_text", "messenger_echo_app"} {
		t.Run(file, func(t *testing.T) {
			t.Parallel()
			body := readTestdata(t, file+".json")
			numeric := numericIDs.ReplaceAll(body, []byte(`"$1":$2`))
			if bytes.Equal(numeric, body) {
				t.Fatal("the payload has no numeric string id to rewrite")
			}
			want, got := goldenOf(t, body), goldenOf(t, numeric)
			if len(want.Events) == 0 {
				t.Fatal("the payload parses into no event")
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("numeric ids parse differently (-string ids +numeric ids):\n%s", diff)
			}
		})
	}
}

// numericIDs matches an id field whose value is a string of digits.
var numericIDs = regexp.MustCompile(`"(id|from|wa_id|phone_number_id|comment_id|parent_id|app_id)"\s*:\s*"([0-9]{1,19})"`)

func TestFlexID(t *testing.T) {
	t.Parallel()
	for raw, want := range map[string]string{
		`"123"`: "123", `1057330340943421`: "1057330340943421", `17841405309211844`: "17841405309211844",
		`null`: "", `1.5`: "", `1e3`: "", `-4`: "", `true`: "", `{}`: "", `"m_abc"`: "m_abc",
	} {
		var v struct {
			ID flexID `json:"id"`
		}
		if err := json.Unmarshal([]byte(`{"id":`+raw+`}`), &v); err != nil {
			t.Errorf("%s: %v", raw, err)
			continue
		}
		if string(v.ID) != want {
			t.Errorf("%s reads as %q, want %q", raw, v.ID, want)
		}
	}
}

// TestParseShapes pins shapes seen in the wild that the golden payloads do not show.
func TestParseShapes(t *testing.T) {
	t.Parallel()
	msg := func(event string) []byte {
		return []byte(`{"object":"page","entry":[{"id":"111","time":1700000000000,"messaging":[` + event + `]}]}`)
	}
	ig := func(event string) []byte {
		return []byte(`{"object":"instagram","entry":[{"id":"178","time":1700000000000,"messaging":[` + event + `]}]}`)
	}
	tests := []struct {
		name  string
		body  []byte
		check func(t *testing.T, ev []channel.Inbound)
	}{
		{"notification stop, underscore form", msg(`{"sender":{"id":"9"},"recipient":{"id":"111"},"timestamp":1700000000000,"optin":{"type":"notification_messages","notification_messages_status":"STOP_NOTIFICATIONS"}}`),
			wantOne(channel.KindPreference, func(in channel.Inbound) bool { return in.Preference.Value == "stop" })},
		{"notification resume, underscore form", msg(`{"sender":{"id":"9"},"recipient":{"id":"111"},"timestamp":1700000000000,"optin":{"type":"notification_messages","notification_messages_status":"resume_notifications"}}`),
			wantOne(channel.KindPreference, func(in channel.Inbound) bool { return in.Preference.Value == "resume" })},
		{"get started", msg(`{"sender":{"id":"9"},"recipient":{"id":"111"},"timestamp":1700000000000,"postback":{"title":"Get Started","payload":"GET_STARTED_PAYLOAD"}}`),
			wantOne(channel.KindPostback, func(in channel.Inbound) bool { return in.Opener })},
		{"an ordinary postback is no opener", msg(`{"sender":{"id":"9"},"recipient":{"id":"111"},"timestamp":1700000000000,"postback":{"title":"Shipping","payload":"faq:shipping"}}`),
			wantOne(channel.KindPostback, func(in channel.Inbound) bool { return !in.Opener })},
		{"instagram echo without is_echo or app_id", ig(`{"sender":{"id":"178"},"recipient":{"id":"9"},"timestamp":1700000000000,"message":{"mid":"m1","text":"It is 49 EUR."}}`),
			wantOne(channel.KindEcho, func(in channel.Inbound) bool { return in.Key.User == "9" && !in.Human })},
		{"instagram echo from the inbox", ig(`{"sender":{"id":"178"},"recipient":{"id":"9"},"timestamp":1700000000000,"message":{"mid":"m1","text":"Hi","is_echo":true,"app_id":263902037430900}}`),
			wantOne(channel.KindEcho, func(in channel.Inbound) bool { return in.Human })},
		{"messenger edit", msg(`{"sender":{"id":"9"},"recipient":{"id":"111"},"timestamp":1700000000000,"message_edit":{"mid":"m1","text":"new","num_edit":2}}`),
			wantOne(channel.KindEdit, func(in channel.Inbound) bool { return in.ReplyTo == "m1" && in.Text == "new" && in.ID == "m1:edit:2" })},
		{"instagram like heart", ig(`{"sender":{"id":"9"},"recipient":{"id":"178"},"timestamp":1700000000000,"message":{"mid":"m2","attachments":[{"type":"like_heart"}]}}`),
			wantOne(channel.KindMessage, func(in channel.Inbound) bool { return in.Media == "like" })},
		{"shared reel", ig(`{"sender":{"id":"9"},"recipient":{"id":"178"},"timestamp":1700000000000,"message":{"mid":"m3","attachments":[{"type":"ig_reel","payload":{"url":"https://x","title":"t"}}]}}`),
			wantOne(channel.KindMessage, func(in channel.Inbound) bool { return in.Media == "share" })},
		{"sticker transition: sticker and image", msg(`{"sender":{"id":"9"},"recipient":{"id":"111"},"timestamp":1700000000000,"message":{"mid":"m4","attachments":[{"type":"image","payload":{"url":"https://x"}},{"type":"sticker","payload":{"url":"https://x","sticker_id":1234}}]}}`),
			wantOne(channel.KindMessage, func(in channel.Inbound) bool { return in.Media == "sticker" })},
		{"whatsapp request_welcome", []byte(`{"object":"whatsapp_business_account","entry":[{"id":"1","changes":[{"field":"messages","value":{"metadata":{"phone_number_id":"2"},"messages":[{"from":"3","id":"w1","timestamp":"1700000000","type":"request_welcome"}]}}]}]}`),
			wantOne(channel.KindMessage, func(in channel.Inbound) bool { return in.Opener && in.Text == "" })},
		{"whatsapp ids as numbers", []byte(`{"object":"whatsapp_business_account","entry":[{"id":1,"changes":[{"field":"messages","value":{"metadata":{"phone_number_id":106540352242922},"contacts":[{"profile":{"name":"A"},"wa_id":491701234567}],"messages":[{"from":491701234567,"id":"w2","timestamp":1700000000,"type":"text","text":{"body":"hi"}}]}}]}]}`),
			wantOne(channel.KindMessage, func(in channel.Inbound) bool {
				return in.Key == channel.Key{Surface: channel.WhatsApp, Account: "106540352242922", User: "491701234567"} && in.Name == "A"
			})},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ev, err := Parse(tt.body)
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			tt.check(t, ev)
		})
	}
}
