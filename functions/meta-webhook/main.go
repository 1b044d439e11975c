// Command meta-webhook is the Lambda behind GET and POST /webhooks/meta: it verifies Meta's
// webhooks (WhatsApp, Messenger, Instagram, Page feed), queues their events and answers 200.
package main

import "github.com/frontdesk-app/frontdesk/shared/app"

func main() {
	app.Main("meta-webhook", app.HTTP(app.MetaWebhook))
}
