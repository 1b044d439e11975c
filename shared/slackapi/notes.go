package slackapi

import (
	"strings"

	"github.com/frontdesk-app/frontdesk/shared/desk"
)

// noteEmoji starts each status line, so agents scan a thread by its icons.
var noteEmoji = map[desk.NoteKind]string{
	desk.Claimed:           ":raising_hand:",
	desk.Resolved:          ":white_check_mark:",
	desk.HandedBack:        ":robot_face:",
	desk.Lead:              ":star:",
	desk.AnswerSent:        ":outbox_tray:",
	desk.ClaimedByReply:    ":raising_hand:",
	desk.Reclaimed:         ":raising_hand:",
	desk.Reopened:          ":raising_hand:",
	desk.ClaimRefused:      ":no_entry_sign:",
	desk.TakenOver:         ":handshake:",
	desk.CustomerDeleted:   ":wastebasket:",
	desk.StoryMention:      ":loudspeaker:",
	desk.ReplyEdited:       ":pencil2:",
	desk.ReplyDeleted:      ":wastebasket:",
	desk.WindowCloses:      ":hourglass_flowing_sand:",
	desk.TemplateSent:      ":warning:",
	desk.CustomerMustWrite: ":warning:",
	desk.HumanAgentTag:     ":information_source:",
	desk.NotSent:           ":x:",
	desk.Split:             ":scissors:",
	desk.PrivateReplySpent: ":warning:",
	desk.Gone:              ":no_entry:",
	desk.Unclaimed:         ":sos:",
	desk.ClosedIdle:        ":zzz:",
	desk.FollowUpAllowed:   ":bell:",
	desk.FollowUpWithdrawn: ":no_bell:",
	desk.FollowUpOptedOut:  ":no_bell:",
	desk.FollowUpRevoked:   ":no_bell:",
	desk.FollowUpSent:      ":outbox_tray:",
	desk.FollowUpElsewhere: ":outbox_tray:",
	desk.Suggested:         ":books:",
	desk.SuggestionRefused: ":information_source:",
}

// NoteText renders status lines as Slack mrkdwn, one line each: the kind's emoji and the
// note's sentence, agents as mentions, everything else escaped.
func NoteText(notes ...desk.Note) string {
	lines := make([]string, 0, len(notes))
	for _, n := range notes {
		line := n.Format(Mention, escape)
		if e := noteEmoji[n.Kind]; e != "" {
			line = e + " " + line
		}
		lines = append(lines, line)
	}
	return strings.Join(lines, "\n")
}
