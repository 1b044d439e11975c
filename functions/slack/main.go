// Command slack is the Lambda behind Slack's Events API, interactivity and the /frontdesk slash
// command (POST /slack/events, /slack/interactions, /slack/commands): it verifies each request
// and queues the agent's action for the bot within Slack's 3 seconds.
package main

import "github.com/frontdesk-app/frontdesk/shared/app"

func main() {
	app.Main("slack", app.HTTP(app.Slack))
}
