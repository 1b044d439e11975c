package desk

import (
	"fmt"
	"log/slog"
	"time"

	"github.com/frontdesk-app/frontdesk/shared/channel"
)

// NoteKind says what a status line reports.
type NoteKind string

// The status lines. The fields of Note each kind uses are named in brackets.
const (
	Claimed    NoteKind = "claimed"     // an agent claimed the conversation [Agent]
	Resolved   NoteKind = "resolved"    // an agent resolved it [Agent]
	HandedBack NoteKind = "handed_back" // an agent handed it back to the bot [Agent]
	Lead       NoteKind = "lead"        // an agent marked it as a lead [Agent]
	AnswerSent NoteKind = "answer_sent" // a suggested answer went to the customer [Agent, Text: its title]

	// Claims that did not come from the Claim button, and one that was refused.
	ClaimedByReply NoteKind = "claimed_by_reply" // an agent answered an unclaimed escalation: it is theirs now [Agent]
	Reclaimed      NoteKind = "reclaimed"        // an agent answered after "Back to bot": the bot is silent again [Agent]
	Reopened       NoteKind = "reopened"         // an agent answered a resolved conversation: it is open again, theirs [Agent]
	ClaimRefused   NoteKind = "claim_refused"    // Claim pressed while another agent holds it; the desk offers "Take over" [Agent: who pressed, Other: who holds it]
	TakenOver      NoteKind = "taken_over"       // an agent took the conversation over [Agent, Other: who had it]

	CustomerDeleted NoteKind = "customer_deleted" // the customer deleted one of their messages
	StoryMention    NoteKind = "story_mention"    // the customer mentioned the business in their story

	ReplyEdited  NoteKind = "reply_edited"  // an agent edited a reply already sent [Agent]
	ReplyDeleted NoteKind = "reply_deleted" // a reply already sent was deleted [Agent: its author]

	WindowCloses      NoteKind = "window_closes"       // the customer's window closes soon [Duration: left; Surface: what comes after]
	TemplateSent      NoteKind = "template_sent"       // after the window, the template went instead of the reply
	CustomerMustWrite NoteKind = "customer_must_write" // after the window, nothing may be sent
	HumanAgentTag     NoteKind = "human_agent_tag"     // sent with Messenger's HUMAN_AGENT tag
	NotSent           NoteKind = "not_sent"            // a reply could not be delivered [Text: why, frontdesk's words]
	Split             NoteKind = "split"               // a long reply went out as several messages [Text: how many, and the surface's limit]
	PrivateReplySpent NoteKind = "private_reply_spent" // a reply to a comment whose one private reply was already sent
	Gone              NoteKind = "gone"                // the conversation expired or was erased; nothing was sent

	Unclaimed  NoteKind = "unclaimed"   // nobody claimed the escalation [Duration: waited]
	ClosedIdle NoteKind = "closed_idle" // closed without activity [Duration: idle]

	FollowUpAllowed   NoteKind = "followup_allowed"   // the customer allowed the WhatsApp follow-up [Number, masked]
	FollowUpWithdrawn NoteKind = "followup_withdrawn" // the customer withdrew it
	FollowUpOptedOut  NoteKind = "followup_opted_out" // the customer opted out; the follow-up is withdrawn
	FollowUpRevoked   NoteKind = "followup_revoked"   // withdrawn by the time it was due: nothing sent
	FollowUpSent      NoteKind = "followup_sent"      // the template went; WhatsApp replies continue in this thread [Number]
	FollowUpElsewhere NoteKind = "followup_elsewhere" // the template went; WhatsApp replies go to another thread [Number]

	Suggested         NoteKind = "suggested"          // an agent added the question to the FAQ suggestions [Agent, Text: the entry's title, "" for a new entry]
	SuggestionRefused NoteKind = "suggestion_refused" // "Add to FAQ" stored nothing [Text: why, frontdesk's words]
)

// NoteKinds lists every kind, for tests that check each is worded and rendered.
var NoteKinds = []NoteKind{
	Claimed,
	Resolved,
	HandedBack,
	Lead,
	AnswerSent,
	ClaimedByReply,
	Reclaimed,
	Reopened,
	ClaimRefused,
	TakenOver,
	CustomerDeleted,
	StoryMention,
	ReplyEdited,
	ReplyDeleted,
	WindowCloses,
	TemplateSent,
	CustomerMustWrite,
	HumanAgentTag,
	NotSent,
	Split,
	PrivateReplySpent,
	Gone,
	Unclaimed,
	ClosedIdle,
	FollowUpAllowed,
	FollowUpWithdrawn,
	FollowUpOptedOut,
	FollowUpRevoked,
	FollowUpSent,
	FollowUpElsewhere,
	Suggested,
	SuggestionRefused,
}

// Note is one status line in an escalation's thread: frontdesk telling the agents what happened.
// Its fields are plain text; the desk escapes them and renders Agent as a mention.
type Note struct {
	Kind NoteKind
	// Agent is the desk's user id of the agent who acted.
	Agent string
	// Other is another agent's id: who holds the claim (ClaimRefused), who had it (TakenOver).
	Other string
	// Text is a detail in frontdesk's words: an answer's title, why a reply was not sent.
	Text string
	// Number is a masked phone number (phone.Mask).
	Number string
	// Surface, on WindowCloses, adds what happens after the window closes.
	Surface channel.Surface
	// Duration is how long: left (WindowCloses), waited (Unclaimed), idle (ClosedIdle).
	Duration time.Duration
}

// Format words n as one sentence. agent writes an agent's id in the desk's medium (a
// mention), text writes plain text (escaped for the medium).
func (n Note) Format(agent, text func(string) string) string {
	d := FormatDuration(n.Duration)
	switch n.Kind {
	case Claimed:
		return "Claimed by " + agent(n.Agent) + "."
	case Resolved:
		return "Resolved by " + agent(n.Agent) + "."
	case HandedBack:
		return "Handed back to the bot by " + agent(n.Agent) + "."
	case Lead:
		return "Marked as a lead by " + agent(n.Agent) + "."
	case AnswerSent:
		return agent(n.Agent) + " sent the answer “" + text(n.Text) + "”."
	case ClaimedByReply:
		return "Claimed by " + agent(n.Agent) + ", who replied."
	case Reclaimed:
		return agent(n.Agent) + " replied after the hand-back, so the conversation is theirs again: the bot stays silent until it is resolved or handed back."
	case Reopened:
		return agent(n.Agent) + " replied to the resolved conversation, so it is open again and theirs: the customer's messages come here until it is resolved."
	case ClaimRefused:
		return "Not claimed: " + agent(n.Other) + " has this conversation. " + agent(n.Agent) + ", take it over only if you agreed to."
	case TakenOver:
		return agent(n.Agent) + " took the conversation over from " + agent(n.Other) + "."
	case CustomerDeleted:
		return "The customer deleted a message."
	case StoryMention:
		return "The customer mentioned us in their story."
	case ReplyEdited:
		return agent(n.Agent) + " edited a reply the customer already has: edits are not sent to the customer. To correct it, send a new reply."
	case ReplyDeleted:
		return "A reply by " + agent(n.Agent) + " was deleted here, but not for the customer: deletions are not sent to the customer, who still sees it."
	case WindowCloses:
		s := "Window closes in " + d + "."
		switch n.Surface {
		case channel.WhatsApp:
			s += " After that only the approved template can be sent until the customer writes again."
		case channel.Messenger, channel.Instagram:
			s += " After that your replies go out with the HUMAN_AGENT tag, up to 7 days after the customer's last message."
		}
		return s
	case TemplateSent:
		return "Not sent: the 24-hour window closed — template sent instead."
	case CustomerMustWrite:
		return "Not sent: the 24-hour window closed — the customer must write first."
	case HumanAgentTag:
		return "Sent with the HUMAN_AGENT tag (the 24-hour window has closed; agents may answer for 7 days)."
	case NotSent:
		return "Not sent: " + text(n.Text) + "."
	case Split:
		return "Sent as " + text(n.Text) + "."
	case PrivateReplySpent:
		return "Not sent: this comment's one private reply was already used — the customer can answer it in Messenger or Instagram, or comment again."
	case Gone:
		return "This conversation no longer exists (it expired or its data was erased). Nothing was sent."
	case Unclaimed:
		return "Still unclaimed after " + d + ". Claim it above."
	case ClosedIdle:
		return "Closed after " + d + " without activity. The customer's next message goes to the bot."
	case FollowUpAllowed:
		return "WhatsApp follow-up allowed (" + text(n.Number) + ")."
	case FollowUpWithdrawn:
		return "The customer withdrew the WhatsApp follow-up."
	case FollowUpOptedOut:
		return "The customer opted out: the WhatsApp follow-up is withdrawn."
	case FollowUpRevoked:
		return "The customer has withdrawn the WhatsApp follow-up (opt-out): nothing sent to WhatsApp."
	case FollowUpSent:
		return "WhatsApp template sent to " + text(n.Number) + "; replies on WhatsApp continue here."
	case FollowUpElsewhere:
		return "WhatsApp template sent to " + text(n.Number) + ". The customer's WhatsApp conversation is already with an agent in another thread: their replies go there."
	case Suggested:
		if n.Text == "" {
			return agent(n.Agent) + " suggested a new FAQ entry with their reply. The shop reviews it."
		}
		return agent(n.Agent) + " suggested the question as a new phrasing of “" + text(n.Text) + "”. The shop reviews it."
	case SuggestionRefused:
		return "Nothing added to the FAQ: " + text(n.Text) + "."
	}
	return text(string(n.Kind))
}

// String words n in plain text, an agent by their id.
func (n Note) String() string {
	return n.Format(func(id string) string {
		if id == "" {
			return "someone"
		}
		return id
	}, func(s string) string { return s })
}

// LogValue implements slog.LogValuer: the kind only (Text may name an answer, Number is
// personal data even masked).
func (n Note) LogValue() slog.Value { return slog.StringValue(string(n.Kind)) }

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
