// Command bot is the Lambda on the SQS FIFO queue: it answers customers from the FAQ, escalates
// to Slack and delivers agents' replies, reporting partial batch failures.
package main

import "github.com/frontdesk-app/frontdesk/shared/app"

func main() {
	app.Main("bot", app.BotHandler)
}
