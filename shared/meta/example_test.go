package meta_test

import (
	"fmt"

	"github.com/frontdesk-app/frontdesk/shared/meta"
)

func ExampleParse() {
	body := []byte(`{"object":"whatsapp_business_account","entry":[{"id":"102290129340398","changes":[{"field":"messages","value":{"messaging_product":"whatsapp","metadata":{"phone_number_id":"106540352242922"},"contacts":[{"profile":{"name":"Sheena"},"wa_id":"16505551234"}],"messages":[{"from":"16505551234","id":"wamid.A1","timestamp":"1749416383","type":"interactive","interactive":{"type":"button_reply","button_reply":{"id":"faq:shipping","title":"Shipping"}}}]}}]}]}`)
	secret := []byte("local-app-secret")
	header := meta.Sign(body, secret) // what Meta sends as X-Hub-Signature-256
	if err := meta.VerifySignature(header, body, secret); err != nil {
		fmt.Println(err)
		return
	}
	events, err := meta.Parse(body)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, in := range events {
		fmt.Println(in.Key.String(), in.Kind, in.Payload, in.At.Format("2006-01-02"))
	}
	// Output: whatsapp#106540352242922#16505551234 postback faq:shipping 2025-06-08
}
