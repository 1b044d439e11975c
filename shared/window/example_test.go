package window_test

import (
	"fmt"
	"time"

	"github.com/frontdesk-app/frontdesk/shared/channel"
	"github.com/frontdesk-app/frontdesk/shared/window"
)

func ExampleDecide() {
	last := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	now := last.Add(30 * time.Hour) // an agent answers the next afternoon
	for _, s := range []channel.Surface{channel.WhatsApp, channel.Messenger} {
		d := window.Decide(window.Input{Surface: s, LastInbound: last, Now: now, Human: true, Template: "agent_replied"})
		fmt.Printf("%s: %s %s (%s)\n", s, d.Action, d.Tag, d.Reason)
	}
	// Output:
	// whatsapp: send_template  (the 24-hour window closed — template sent instead)
	// messenger: send_tagged HUMAN_AGENT (the 24-hour window closed — sent with the HUMAN_AGENT tag)
}
