// Command sweeper runs on a schedule (EventBridge): it re-announces unclaimed escalations in
// Slack, warns agents before a customer's window closes and closes idle conversations.
package main

import "github.com/frontdesk-app/frontdesk/shared/app"

func main() {
	app.Main("sweeper", app.SweeperHandler)
}
