package slackapi

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/slack-go/slack"

	"github.com/frontdesk-app/frontdesk/shared/conversation"
	"github.com/frontdesk-app/frontdesk/shared/desk"
	"github.com/frontdesk-app/frontdesk/shared/mrkdwn"
)

// commands serves the slash command (/frontdesk): "open" lists unclaimed escalations, anything
// else shows help. The answer is ephemeral: only the agent who asked sees it.
func (h *handler) commands(w http.ResponseWriter, r *http.Request, body []byte) {
	ctx := r.Context()
	cmd, err := ParseCommand(body)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if err := h.ours(ctx, cmd.Origin); err != nil {
		h.fail(w, r, err)
		return
	}
	if cmd.Sub != "open" {
		writeEphemeral(w, helpText(cmd.Name), nil)
		return
	}
	convs, err := h.cfg.Conversations.ConversationsByStatus(ctx, conversation.Escalated, h.cfg.OpenLimit)
	if err != nil {
		h.log.ErrorContext(ctx, "slack command: listing escalations failed", "err", err)
		writeEphemeral(w, "Could not load the open escalations right now. Try again in a moment.", nil)
		return
	}
	text, blocks := openList(convs, cmd.TeamDomain, h.now(), h.cfg.OpenLimit)
	writeEphemeral(w, text, blocks)
}

func helpText(command string) string {
	if command == "" {
		command = "/frontdesk"
	}
	return fmt.Sprintf("*%[1]s open* lists escalations nobody has claimed yet.\n*%[1]s help* shows this.\n"+
		"In an escalation thread: %[2]s", command, mrkdwn.NoteRule)
}

// openList renders the unclaimed escalations, oldest first, with a link to each thread.
func openList(convs []*conversation.Conversation, teamDomain string, now time.Time, limit int) (string, []slack.Block) {
	if len(convs) == 0 {
		return ":tada: No unclaimed escalations.", nil
	}
	var b strings.Builder
	fmt.Fprintf(&b, "*Unclaimed escalations (%d%s)*", len(convs), more(len(convs), limit))
	for _, c := range convs {
		since := c.EscalatedAt
		if since.IsZero() {
			since = c.UpdatedAt
		}
		who := "`" + MaskID(c.Key.User) + "`"
		if c.CustomerName != "" {
			// Two customers of one country differ in two digits of a masked number: the name
			// tells them apart.
			who = "*" + truncate(escape(Mask(c.CustomerName)), 60) + "* " + who
		}
		line := fmt.Sprintf("\n• %s %s · %s · waiting %s · %s", desk.SurfaceName(c.Key.Surface), who,
			escape(desk.ReasonText(c.EscalationReason)), desk.FormatDuration(now.Sub(since)), threadLink(teamDomain, c.SlackChannel, c.ThreadTS))
		if b.Len()+len(line) > maxSectionTextBytes {
			b.WriteString("\n…")
			break
		}
		b.WriteString(line)
	}
	text := b.String()
	return fmt.Sprintf("%d unclaimed escalations", len(convs)),
		[]slack.Block{slack.NewSectionBlock(md(text), nil, nil)}
}

func more(n, limit int) string {
	if n >= limit {
		return " or more"
	}
	return ""
}

// threadLink links a thread: https://<team>.slack.com/archives/<channel>/p<ts without dot>.
func threadLink(teamDomain, ch, ts string) string {
	if ch == "" || ts == "" {
		return "no thread"
	}
	if teamDomain == "" {
		return "<#" + ch + ">"
	}
	return fmt.Sprintf("<https://%s.slack.com/archives/%s/p%s|open thread>", teamDomain, ch, strings.ReplaceAll(ts, ".", ""))
}

func writeEphemeral(w http.ResponseWriter, text string, blocks []slack.Block) {
	msg := slack.Msg{ResponseType: slack.ResponseTypeEphemeral, Text: text}
	if len(blocks) > 0 {
		msg.Blocks = slack.Blocks{BlockSet: blocks}
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(msg)
}
