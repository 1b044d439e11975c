package slackapi

import (
	"fmt"
	"time"
)

// The status lines the desk posts in an escalation thread, so agents read the same words for
// the same event whoever posts them (the bot, the sweeper).

// NoteClaimed: an agent claimed the conversation.
func NoteClaimed(agent string) string { return ":raising_hand: Claimed by " + Mention(agent) + "." }

// NoteResolved: an agent resolved the conversation.
func NoteResolved(agent string) string {
	return ":white_check_mark: Resolved by " + Mention(agent) + "."
}

// NoteHandedBack: an agent handed the conversation back to the bot.
func NoteHandedBack(agent string) string {
	return ":robot_face: Handed back to the bot by " + Mention(agent) + "."
}

// NoteLead: an agent marked the conversation as a lead.
func NoteLead(agent string) string { return ":star: Marked as a lead by " + Mention(agent) + "." }

// NoteAnswerSent: the suggested answer title went to the customer.
func NoteAnswerSent(agent, title string) string {
	return ":outbox_tray: " + Mention(agent) + " sent the answer “" + escape(title) + "”."
}

// NoteWindowCloses: the customer-service window closes in left.
func NoteWindowCloses(left time.Duration) string {
	return ":hourglass_flowing_sand: Window closes in " + FormatDuration(left) + "."
}

// NoteTemplateSent: an agent reply came after the 24-hour window; the template went instead.
func NoteTemplateSent() string {
	return ":warning: Not sent: the 24-hour window closed — template sent instead."
}

// NoteCustomerMustWrite: an agent reply came after the window and nothing may be sent.
func NoteCustomerMustWrite() string {
	return ":warning: Not sent: the 24-hour window closed — the customer must write first."
}

// NoteHumanAgentTag: a Messenger/Instagram reply after 24 hours went with the HUMAN_AGENT tag.
func NoteHumanAgentTag() string {
	return ":information_source: Sent with the HUMAN_AGENT tag (the 24-hour window has closed; agents may answer for 7 days)."
}

// NoteCustomerDeleted: the customer deleted one of their messages (WhatsApp revoke, Instagram
// and Messenger unsend).
func NoteCustomerDeleted() string {
	return ":wastebasket: The customer deleted a message."
}

// NoteStoryMention: the customer mentioned the business in their Instagram story.
func NoteStoryMention() string {
	return ":loudspeaker: The customer mentioned us in their story."
}

// EditedPrefix leads a customer's edited message mirrored into the thread.
const EditedPrefix = "✏️ (edited) "

// NoteNotSent: an agent reply could not be delivered; reason is frontdesk's own wording.
func NoteNotSent(reason string) string { return ":x: Not sent: " + reason + "." }

// NoteUnclaimed: nobody has claimed the escalation for waited (the sweeper's re-announcement).
func NoteUnclaimed(mention string, waited time.Duration) string {
	return fmt.Sprintf("%s :sos: Still unclaimed after %s. Claim it above.", mention, FormatDuration(waited))
}

// NoteClosedIdle: the sweeper closed a claimed conversation that was idle for idle.
func NoteClosedIdle(idle time.Duration) string {
	return ":zzz: Closed after " + FormatDuration(idle) + " without activity. The customer's next message goes to the bot."
}

// FormatDuration renders d for people: "1 h", "45 min", "1 h 30 min", "2 d 3 h".
func FormatDuration(d time.Duration) string {
	d = d.Round(time.Minute)
	if d < time.Minute {
		return "less than a minute"
	}
	days, hours, mins := int(d/(24*time.Hour)), int(d%(24*time.Hour)/time.Hour), int(d%time.Hour/time.Minute)
	switch {
	case days > 0 && hours > 0:
		return fmt.Sprintf("%d d %d h", days, hours)
	case days > 0:
		return fmt.Sprintf("%d d", days)
	case hours > 0 && mins > 0:
		return fmt.Sprintf("%d h %d min", hours, mins)
	case hours > 0:
		return fmt.Sprintf("%d h", hours)
	}
	return fmt.Sprintf("%d min", mins)
}
