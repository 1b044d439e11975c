package slackapi

import (
	"context"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/slack-go/slack"

	"github.com/frontdesk-app/frontdesk/shared/apperr"
	"github.com/frontdesk-app/frontdesk/shared/channel"
	"github.com/frontdesk-app/frontdesk/shared/conversation"
	"github.com/frontdesk-app/frontdesk/shared/desk"
	"github.com/frontdesk-app/frontdesk/shared/mrkdwn"
)

// Action ids of the escalation buttons; the interactions handler maps them to
// channel.AgentAction values of the same name.
const (
	ActionIDClaim      = string(channel.ActionClaim)      // "claim"
	ActionIDResolve    = string(channel.ActionResolve)    // "resolve"
	ActionIDHandBack   = string(channel.ActionHandBack)   // "handback"
	ActionIDSendAnswer = string(channel.ActionSendAnswer) // "send_answer"; value = FAQ entry id
	ActionIDLead       = string(channel.ActionLead)       // "lead"
	ActionIDTakeOver   = string(channel.ActionTakeOver)   // "takeover", on a refused claim's status line
)

// Block ids of the messages Desk posts.
const (
	blockActions    = "escalation_actions"
	blockSuggestion = "suggestion_" // + index
	blockTakeOver   = "takeover_actions"
)

// Limits of what the desk shows.
const (
	maxMessages     = 10
	maxMessageChars = 500
	maxSuggestions  = 5
	maxAnswerChars  = 300
)

// Desk posts escalations to Slack and keeps their messages current: it implements desk.Desk,
// the port the bot and the sweeper call. Every method is a Web API call and may return the
// Client's errors.
//
// An escalation is two messages: the card (surface, customer, language, reason, status and the
// Claim / Resolve / Back to bot / Lead buttons), which Update rewrites as the status changes,
// and, as the card's first thread reply, the details (the recent messages and the suggested
// answers with their "Send this answer" buttons). The split keeps the details when the card is
// updated from stored metadata, which holds no message text.
type Desk struct {
	c          *Client
	channelFor func(channel.Key, string) string
}

// NewDesk returns a desk posting with c into the channel channelFor picks for a conversation
// and its locale (see Routes).
func NewDesk(c *Client, channelFor func(k channel.Key, locale string) string) *Desk {
	return &Desk{c: c, channelFor: channelFor}
}

var _ desk.Desk = (*Desk)(nil)

// Announce posts the escalation card and its details and returns the thread, the card's channel
// and ts, to store on the conversation.
//
// When the card was posted but the details were not, Announce returns the thread together with
// the error: store it anyway (the thread exists), and do not announce again.
func (d *Desk) Announce(ctx context.Context, a desk.Card) (desk.Thread, error) {
	const op apperr.Op = "slackapi.Announce"
	ch := d.channelFor(a.Key, a.Locale)
	if ch == "" {
		return desk.Thread{}, apperr.E(op, apperr.Invalid, "no Slack channel configured for this conversation")
	}
	if a.Status == "" {
		a.Status = conversation.Escalated
	}
	ts, err := d.c.PostMessage(ctx, ch, "", cardText(a), CardBlocks(a))
	if err != nil {
		return desk.Thread{}, err
	}
	t := desk.Thread{Channel: ch, TS: ts}
	if len(a.Messages) == 0 && len(a.Suggestions) == 0 {
		return t, nil
	}
	if _, err := d.c.PostMessage(ctx, ch, ts, "Recent messages and suggested answers", DetailBlocks(a)); err != nil {
		return t, apperr.Wrap(op, apperr.KindOf(err), err, "escalation posted without its details")
	}
	return t, nil
}

// Update rewrites the card of t for a's status: claimed by, resolved, handed back; the buttons
// that no longer apply are removed (Claim once claimed, all once resolved or handed back).
// Messages and Suggestions of a are not used.
func (d *Desk) Update(ctx context.Context, t desk.Thread, a desk.Card) error {
	return d.c.UpdateMessage(ctx, t.Channel, t.TS, cardText(a), CardBlocks(a))
}

// Mirror posts a customer's message into the escalation thread, masked and escaped.
func (d *Desk) Mirror(ctx context.Context, t desk.Thread, name, text string) error {
	if name == "" {
		name = "Customer"
	}
	line := fmt.Sprintf(":speech_balloon: *%s:* %s", customerText(name, 80), customerText(text, 3000))
	_, err := d.c.PostMessage(ctx, t.Channel, t.TS, line, nil)
	return err
}

// MirrorFile posts a customer's file into the escalation thread with the caption, masked and
// escaped, as its message.
func (d *Desk) MirrorFile(ctx context.Context, t desk.Thread, name string, f channel.File, caption string) error {
	if name == "" {
		name = "Customer"
	}
	line := fmt.Sprintf(":paperclip: *%s* sent a file", customerText(name, 80))
	if caption != "" {
		line = fmt.Sprintf(":paperclip: *%s:* %s", customerText(name, 80), customerText(caption, 3000))
	}
	return d.c.UploadFile(ctx, t.Channel, t.TS, f, line)
}

// Note posts status lines into the thread, one line each, as one message.
func (d *Desk) Note(ctx context.Context, t desk.Thread, notes ...desk.Note) error {
	if len(notes) == 0 {
		return nil
	}
	text := NoteText(notes...)
	var blocks []slack.Block
	for _, n := range notes {
		if n.Kind == desk.ClaimRefused {
			// The way out of a refused claim is one click away, under the line that says why.
			blocks = []slack.Block{
				slack.NewSectionBlock(md(truncate(text, maxSectionTextBytes)), nil, nil),
				slack.NewActionBlock(blockTakeOver, slack.NewButtonBlockElement(ActionIDTakeOver, ActionIDTakeOver, plain("Take over")).WithStyle(slack.StyleDanger)),
			}
		}
	}
	_, err := d.c.PostMessage(ctx, t.Channel, t.TS, text, blocks)
	return err
}

// Reannounce posts n into the thread and into the channel ("Also send to channel") with an
// @here, so an escalation nobody claimed comes back into view.
func (d *Desk) Reannounce(ctx context.Context, t desk.Thread, n desk.Note) error {
	_, err := d.c.Broadcast(ctx, t.Channel, t.TS, "<!here> "+NoteText(n), nil)
	return err
}

// customerLabel names the customer: the display name with the masked id, or the masked id alone
// when the name is not known (a card redrawn from stored metadata, which holds no name).
func customerLabel(a desk.Card) string {
	if a.Name != "" {
		return Mask(a.Name) + " (" + MaskID(a.Key.User) + ")"
	}
	return MaskID(a.Key.User)
}

func cardText(a desk.Card) string {
	return fmt.Sprintf("Escalation from %s: %s, %s. %s", desk.SurfaceName(a.Key.Surface),
		escape(customerLabel(a)), escape(desk.ReasonText(a.Reason)), statusText(a))
}

func statusText(a desk.Card) string {
	switch a.Status {
	case conversation.Claimed:
		return "Claimed by " + Mention(a.Agent) + "."
	case conversation.Closed:
		if a.Agent == "" {
			return "Closed."
		}
		return "Resolved by " + Mention(a.Agent) + "."
	case conversation.Bot:
		if a.Reason == desk.ReasonStoryMention && a.Agent == "" {
			return "For the team's information: no question, the bot keeps the conversation."
		}
		if a.Agent == "" {
			return "Handed back to the bot."
		}
		return "Handed back to the bot by " + Mention(a.Agent) + "."
	}
	return "Waiting for an agent."
}

var statusEmoji = map[conversation.Status]string{
	conversation.Escalated: ":sos:",
	conversation.Claimed:   ":raising_hand:",
	conversation.Closed:    ":white_check_mark:",
	conversation.Bot:       ":robot_face:",
}

// CardBlocks renders the escalation card.
func CardBlocks(a desk.Card) []slack.Block {
	if a.Status == "" {
		a.Status = conversation.Escalated
	}
	header := truncate(desk.SurfaceName(a.Key.Surface)+" · "+customerLabel(a), 150)
	fields := []*slack.TextBlockObject{
		md("*Customer*\n" + truncate(escape(customerLabel(a)), 200)),
		md("*Surface*\n" + desk.SurfaceName(a.Key.Surface)),
		md("*Language*\n" + orDash(escape(desk.LanguageName(a.Locale)))),
		md("*Reason*\n" + truncate(escape(desk.ReasonText(a.Reason)), 500)),
		md("*Status*\n" + statusEmoji[a.Status] + " " + statusText(a)),
	}
	if a.FollowUp != "" {
		fields = append(fields, md("*Window*\n"+truncate(escape(a.FollowUp), 500)))
	}
	if a.LeadBy != "" {
		fields = append(fields, md("*Lead*\n:star: marked by "+Mention(a.LeadBy)))
	}
	blocks := []slack.Block{
		slack.NewHeaderBlock(plain(header)),
		slack.NewSectionBlock(nil, fields, nil),
	}
	var buttons []slack.BlockElement
	button := func(id, label string, style slack.Style) {
		b := slack.NewButtonBlockElement(id, id, plain(label))
		if style != "" {
			b = b.WithStyle(style)
		}
		buttons = append(buttons, b)
	}
	switch a.Status {
	case conversation.Escalated:
		button(ActionIDClaim, "Claim", slack.StylePrimary)
		button(ActionIDResolve, "Resolve", "")
		button(ActionIDHandBack, "Back to bot", "")
	case conversation.Claimed:
		button(ActionIDResolve, "Resolve", slack.StylePrimary)
		button(ActionIDHandBack, "Back to bot", "")
	}
	if len(buttons) > 0 && a.LeadBy == "" {
		// At most once: a conversation marked a lead has sent its one QualifiedLead.
		button(ActionIDLead, "Mark as lead", "")
	}
	if len(buttons) > 0 {
		blocks = append(blocks, slack.NewActionBlock(blockActions, buttons...))
	}
	if !a.At.IsZero() {
		blocks = append(blocks, slack.NewContextBlock("", md("Escalated "+slackDate(a.At)+" · "+mrkdwn.NoteRule)))
	}
	return blocks
}

// DetailBlocks renders the details reply: the recent messages and the suggested answers.
func DetailBlocks(a desk.Card) []slack.Block {
	var blocks []slack.Block
	msgs := a.Messages
	if len(msgs) > maxMessages {
		msgs = msgs[len(msgs)-maxMessages:]
	}
	if len(msgs) > 0 {
		var b strings.Builder
		b.WriteString("*Recent messages*")
		for _, m := range msgs {
			line := "\n>" + strings.ReplaceAll(customerText(m, maxMessageChars), "\n", "\n>")
			if b.Len()+len(line) > maxSectionTextBytes {
				break
			}
			b.WriteString(line)
		}
		blocks = append(blocks, slack.NewSectionBlock(md(b.String()), nil, nil))
	}
	sugg := a.Suggestions
	if len(sugg) > maxSuggestions {
		sugg = sugg[:maxSuggestions]
	}
	if len(sugg) > 0 {
		if len(blocks) > 0 {
			blocks = append(blocks, slack.NewDividerBlock())
		}
		blocks = append(blocks, slack.NewSectionBlock(md("*Suggested answers*"), nil, nil))
	}
	for i, s := range sugg {
		// The bot's score is for ordering, not for agents: a number like 0.17 reads as a grade.
		text := fmt.Sprintf("*%s*\n%s", truncate(escape(s.Title), 200), truncate(escape(s.Answer), maxAnswerChars))
		btn := slack.NewButtonBlockElement(ActionIDSendAnswer, s.EntryID, plain("Send this answer"))
		blocks = append(blocks, slack.NewSectionBlock(md(text), nil, slack.NewAccessory(btn), slack.SectionBlockOptionBlockID(blockSuggestion+strconv.Itoa(i))))
	}
	return blocks
}

func md(s string) *slack.TextBlockObject {
	return slack.NewTextBlockObject(slack.MarkdownType, s, false, false)
}

func plain(s string) *slack.TextBlockObject {
	return slack.NewTextBlockObject(slack.PlainTextType, s, true, false)
}

// A section's text may hold 3000 characters; counting bytes keeps well inside.
const maxSectionTextBytes = 2900

func orDash(s string) string {
	if s == "" {
		return "–"
	}
	return s
}

var userIDRE = regexp.MustCompile(`^[UW][A-Z0-9]{2,}$`)

// Mention renders a Slack user id as a mention (<@U123>); anything else is escaped text.
func Mention(user string) string {
	if userIDRE.MatchString(user) {
		return "<@" + user + ">"
	}
	if user == "" {
		return "someone"
	}
	return escape(user)
}

// slackDate renders t in each reader's own time zone, with a UTC fallback
// (https://docs.slack.dev/messaging/formatting-message-text#date-formatting).
func slackDate(t time.Time) string {
	return fmt.Sprintf("<!date^%d^{date_short_pretty} {time}|%s>", t.Unix(), t.UTC().Format("2006-01-02 15:04 UTC"))
}
