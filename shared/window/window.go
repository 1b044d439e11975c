package window

import (
	"log/slog"
	"time"

	"github.com/frontdesk-app/frontdesk/shared/channel"
)

// The windows.
const (
	// Standard is the customer service window after the customer's last message.
	Standard = 24 * time.Hour
	// HumanAgent is how long after the customer's last message a human agent may still answer
	// on Messenger and Instagram, with the HUMAN_AGENT tag.
	HumanAgent = 7 * 24 * time.Hour
	// PrivateReply is how long after a comment its private reply may be sent.
	PrivateReply = 7 * 24 * time.Hour
)

// Action is what the sender should do.
type Action string

// Actions.
const (
	Send         Action = "send"          // send the reply as is
	SendTagged   Action = "send_tagged"   // send with Decision.Tag (Messenger/Instagram)
	SendTemplate Action = "send_template" // send the configured WhatsApp template instead
	Refuse       Action = "refuse"        // do not send; tell the agent Decision.Reason
)

// Input describes a reply about to be sent.
type Input struct {
	Surface channel.Surface
	// LastInbound is the time of the customer's last message; for Surface Comment, the time of
	// the comment. Zero means the customer never wrote.
	LastInbound time.Time
	Now         time.Time
	// Human marks a reply written by an agent rather than the bot.
	Human bool
	// Template is the configured WhatsApp template for a closed window; empty means none.
	Template string
}

// Decision is the verdict on one reply.
type Decision struct {
	Action Action
	// Tag is the message tag to send with (SendTagged): channel.TagHumanAgent.
	Tag string
	// Template is the WhatsApp template to send (SendTemplate).
	Template string
	// Reason says why, in words an agent reads in the Slack thread.
	Reason string
	// ClosesAt is when the allowance that this decision uses ends: the end of the 24-hour
	// window, of the 7-day human-agent window or of the private-reply window. Zero for
	// templates (always allowed) and refusals.
	ClosesAt time.Time
}

// LogValue implements slog.LogValuer.
func (d Decision) LogValue() slog.Value {
	return slog.GroupValue(slog.String("action", string(d.Action)), slog.String("tag", d.Tag), slog.String("reason", d.Reason))
}

// Decide applies the window rules. The boundaries are exclusive: a reply exactly 24 hours
// after the last message is outside the window. A LastInbound in the future (clock skew)
// counts as now.
func Decide(in Input) Decision {
	if in.LastInbound.IsZero() {
		return Decision{Action: Refuse, Reason: "the customer must write first"}
	}
	age := in.Now.Sub(in.LastInbound)
	if age < 0 {
		age = 0
	}
	switch in.Surface {
	case channel.Comment:
		if age < PrivateReply {
			return Decision{Action: Send, Reason: "private reply to the comment (one per comment, within 7 days)", ClosesAt: in.LastInbound.Add(PrivateReply)}
		}
		return Decision{Action: Refuse, Reason: "the comment is more than 7 days old — a private reply is no longer allowed; the customer must write first"}
	case channel.WhatsApp, channel.Messenger, channel.Instagram:
	default:
		return Decision{Action: Refuse, Reason: "unknown surface " + string(in.Surface)}
	}
	if age < Standard {
		return Decision{Action: Send, Reason: "inside the 24-hour window", ClosesAt: in.LastInbound.Add(Standard)}
	}
	if in.Surface == channel.WhatsApp {
		if in.Template == "" {
			return Decision{Action: Refuse, Reason: "the 24-hour window closed and no WhatsApp template is configured — the customer must write first"}
		}
		return Decision{Action: SendTemplate, Template: in.Template, Reason: "the 24-hour window closed — template sent instead"}
	}
	if age >= HumanAgent {
		return Decision{Action: Refuse, Reason: "more than 7 days since the customer's last message — the customer must write first"}
	}
	if !in.Human {
		return Decision{Action: Refuse, Reason: "the 24-hour window closed — only a human agent may answer until 7 days after the customer's last message"}
	}
	return Decision{Action: SendTagged, Tag: channel.TagHumanAgent, Reason: "the 24-hour window closed — sent with the HUMAN_AGENT tag", ClosesAt: in.LastInbound.Add(HumanAgent)}
}
