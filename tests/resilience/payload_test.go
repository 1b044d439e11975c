package resilience_test

import (
	"encoding/json"
	"fmt"
	"strconv"
	"testing"
	"time"

	"github.com/frontdesk-app/frontdesk/shared/channel"
)

// Customer texts whose FAQ decision is known (the sample knowledge base).
const (
	textAnswered  = "Wo ist meine Bestellung?"               // answer: order-status
	textHuman     = "Ich möchte mit einem Menschen sprechen" // escalate: asked for a human
	textOptOut    = "Werbung stoppen"                        // consent command
	textAnswered2 = "Kann ich mit PayPal bezahlen?"          // answer: payment-methods
)

// waText is a WhatsApp Cloud API webhook with one text message, as Meta sends it.
func waText(from, wamid, text string, at time.Time) []byte {
	return waTexts(from, at, [2]string{wamid, text})
}

// waTexts is one webhook carrying several text messages of one customer.
func waTexts(from string, at time.Time, msgs ...[2]string) []byte {
	var messages []map[string]any
	for _, m := range msgs {
		messages = append(messages, map[string]any{
			"from": from, "id": m[0], "timestamp": strconv.FormatInt(at.Unix(), 10),
			"type": "text", "text": map[string]any{"body": m[1]},
		})
	}
	body, err := json.Marshal(map[string]any{
		"object": "whatsapp_business_account",
		"entry": []any{map[string]any{
			"id": "102290129340398",
			"changes": []any{map[string]any{
				"field": "messages",
				"value": map[string]any{
					"messaging_product": "whatsapp",
					"metadata":          map[string]any{"display_phone_number": "15550783881", "phone_number_id": waPhoneID},
					"contacts":          []any{map[string]any{"profile": map[string]any{"name": "Test Customer"}, "wa_id": from}},
					"messages":          messages,
				},
			}},
		}},
	})
	if err != nil {
		panic(err)
	}
	return body
}

// waKey is the conversation key of a WhatsApp customer.
func waKey(user string) channel.Key {
	return channel.Key{Surface: channel.WhatsApp, Account: waPhoneID, User: user}
}

// inboundText is the queued event of a WhatsApp text, as the webhook enqueues it.
func inboundText(user, id, text string, at time.Time) channel.Event {
	return channel.Event{Inbound: &channel.Inbound{ID: id, Key: waKey(user), Kind: channel.KindMessage, Text: text, At: at.UTC(), Name: "Test Customer"}}
}

// customer returns a distinct WhatsApp number for the n-th customer of a test.
func customer(n int) string { return fmt.Sprintf("4917%08d", 10000000+n) }

// wamid returns a distinct message id.
func wamid(tag string, n int) string { return fmt.Sprintf("wamid.%s.%d", tag, n) }

func mustJSON(t testing.TB, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
