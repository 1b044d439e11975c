package slackapi

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/frontdesk-app/frontdesk/shared/desk"
)

// The offer passes the strict fake's Block Kit checks with the most entries a select holds, the
// sent entry preselected, and the customer's number masked.
func TestOfferFAQ(t *testing.T) {
	t.Parallel()
	d, fake, _ := newTestDesk(t)
	var entries []desk.Entry
	for i := range 130 {
		entries = append(entries, desk.Entry{ID: fmt.Sprintf("entry-%03d", i), Title: strings.Repeat("Lieferzeit ", 10)})
	}
	card := fake.Post(testChannel, "card")
	o := desk.FAQOffer{Question: "Wo ist mein Paket? Ruf mich an: 0171 2345678", Entries: entries, Selected: "entry-042",
		Reply: "Dein Paket ist unterwegs & kommt morgen <b>an</b>."}
	if err := d.OfferFAQ(t.Context(), desk.Thread{Channel: testChannel, TS: card}, o); err != nil {
		t.Fatalf("OfferFAQ: %v", err)
	}
	calls := fake.CallsTo("chat.postMessage")
	if len(calls) != 1 {
		t.Fatalf("%d posts", len(calls))
	}
	raw := string(calls[0].Blocks)
	if strings.Contains(raw, "2345678") || !strings.Contains(raw, MaskedPhone) {
		t.Errorf("the customer's number is not masked: %s", raw)
	}
	var blocks []map[string]any
	if err := json.Unmarshal(calls[0].Blocks, &blocks); err != nil {
		t.Fatal(err)
	}
	els := blocks[1]["elements"].([]any)
	sel := els[0].(map[string]any)
	if n := len(sel["options"].([]any)); n != 100 {
		t.Errorf("select has %d options, want Slack's 100", n)
	}
	if init := sel["initial_option"].(map[string]any); init["value"] != "entry-042" {
		t.Errorf("initial option = %v, want entry-042", init)
	}
	if v := els[2].(map[string]any)["value"]; v != o.Reply {
		t.Errorf("new-entry button value = %v, want the agent's reply", v)
	}
}
