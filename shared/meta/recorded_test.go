package meta

import (
	"path/filepath"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/frontdesk-app/frontdesk/shared/channel"
	"github.com/frontdesk-app/frontdesk/shared/meta/metatest"
)

func recorded(tb testing.TB) []metatest.Recorded {
	tb.Helper()
	corpus, err := metatest.LoadRecorded(filepath.Join("..", ".."))
	if err != nil {
		tb.Fatal(err)
	}
	if len(corpus) < 40 {
		tb.Fatalf("the recorded corpus holds %d payloads, want at least 40", len(corpus))
	}
	return corpus
}

// TestRecordedCorpus: every payload recorded by others parses, and the webhook queues exactly
// the events EXPECTED names.
func TestRecordedCorpus(t *testing.T) {
	t.Parallel()
	for _, r := range recorded(t) {
		t.Run(r.File, func(t *testing.T) {
			t.Parallel()
			b, err := ParseBatch(r.Body)
			if err != nil {
				t.Fatalf("ParseBatch: %v", err)
			}
			var queued []string
			for _, in := range b.Events {
				if in.ID == "" || in.Key.User == "" || in.Key.Account == "" {
					t.Errorf("event without id or key: %+v", in)
				}
				if Enqueue(in) {
					queued = append(queued, string(in.Key.Surface)+"/"+string(in.Kind))
				}
			}
			slices.Sort(queued)
			if diff := cmp.Diff(r.Queued, queued); diff != "" {
				t.Errorf("queued events differ from EXPECTED (%s) (-want +got):\n%s", r.Why, diff)
			}
		})
	}
}

// TestRecordedSemantics pins what the bot relies on in the recorded payloads.
func TestRecordedSemantics(t *testing.T) {
	t.Parallel()
	one := func(file string) channel.Inbound {
		t.Helper()
		for _, r := range recorded(t) {
			if r.File == file {
				b, err := ParseBatch(r.Body)
				if err != nil || len(b.Events) != 1 {
					t.Fatalf("%s: %d events, %v; want one", file, len(b.Events), err)
				}
				return b.Events[0]
			}
		}
		t.Fatalf("%s is not in the corpus", file)
		return channel.Inbound{}
	}
	if in := one("pywa_message_order.json"); in.Media != "order" || in.Text != "3 × HAMBURGER à 30 ILS\n2 × FRENCH_FRIES à 35 ILS\n2 × SODA à 10 ILS" {
		t.Errorf("order: media %q, summary %q", in.Media, in.Text)
	}
	if in := one("pywa_flow_completion_completion.json"); in.Media != "flow" ||
		in.Text != "comment text: Comment Text\ncs rating: 0\ndelivery rating: 4\npurchase rating: 2\nrecommend radio: 0" {
		t.Errorf("flow: media %q, summary %q", in.Media, in.Text)
	}
	if in := one("pywa_edited_message_image.json"); in.Kind != channel.KindEdit || in.Text != "Updated image caption" ||
		in.ReplyTo != "wamid.HBgLMTQxMjU1NTA4MjkVAgASGBQzQUNCNjk5RDUwNUZGMUZEM0VBRAA=" {
		t.Errorf("edit: %+v", in)
	}
	if in := one("pywa_deleted_message_revoke.json"); in.Kind != channel.KindDeleted || in.ReplyTo != "<ORIGINAL_WHATSAPP_MESSAGE_ID>" {
		t.Errorf("revoke: %+v", in)
	}
	if in := one("meta_whatsapp_group_text.json"); in.Group == "" || Enqueue(in) {
		t.Errorf("group message: group %q, queued %v", in.Group, Enqueue(in))
	}
	if in := one("messengerbot_text.json"); in.Key.Account != "1751036168465324" || in.Key.User != "982337261802700" {
		t.Errorf("numeric ids: key %+v", in.Key)
	}
	if in := one("messengerbot_echo.json"); in.Kind != channel.KindEcho || in.Human || in.Key.User != "961373540645425" {
		t.Errorf("echo of an app: %+v", in)
	}
	if in := one("blueprint_thumbs_up.json"); in.Media != "like" {
		t.Errorf("thumbs up: media %q", in.Media)
	}
	if in := one("blueprint_start_postback.json"); !in.Opener {
		t.Errorf("start postback: not an opener")
	}
	if in := one("pywa_callback_button_quick_reply.json"); in.Kind != channel.KindPostback || in.Payload != "callback_data" {
		t.Errorf("template button: %+v", in)
	}
	if in := one("meta_messenger_optin_stop.json"); in.Preference == nil || *in.Preference != (channel.Preference{Category: "notification_messages", Value: "stop"}) {
		t.Errorf("notification stop: %+v", in.Preference)
	}
}
