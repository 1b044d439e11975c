package slackapi

import (
	"context"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/slack-go/slack"

	"github.com/frontdesk-app/frontdesk/shared/channel"
	"github.com/frontdesk-app/frontdesk/shared/desk"
)

// Action ids of the "Add to FAQ" offer; the interactions handler maps the buttons to agent
// actions of the same name. Choosing an entry in the select is not an action by itself: its
// value arrives with the button press, in the message's state.
const (
	ActionIDAddPhrasing = string(channel.ActionAddPhrasing) // "faq_phrasing"
	ActionIDNewEntry    = string(channel.ActionNewEntry)    // "faq_new_entry"; value = the agent's reply, masked
	ActionIDPickEntry   = "faq_entry"                       // the static_select of entries
	BlockFAQOffer       = "faq_offer"
)

// Slack's limits of a static_select (https://docs.slack.dev/reference/block-kit/block-elements/select-menu-element).
const (
	maxOptions      = 100
	maxOptionText   = 75
	maxOptionValue  = 150
	maxButtonValue  = 2000
	maxQuestionShow = 500
)

var _ desk.Learning = (*Desk)(nil)

// OfferFAQ posts the "Add to FAQ" offer into the thread.
func (d *Desk) OfferFAQ(ctx context.Context, t desk.Thread, o desk.FAQOffer) error {
	_, err := d.c.PostMessage(ctx, t.Channel, t.TS, "Add the customer's question to the FAQ?", OfferBlocks(o))
	return err
}

// PostDigest posts the week's digest into the channel, outside any thread.
func (d *Desk) PostDigest(ctx context.Context, channel string, g desk.Digest) error {
	_, err := d.c.PostMessage(ctx, channel, "", DigestText(g), nil)
	return err
}

// DigestText renders a digest as mrkdwn: counts only.
func DigestText(g desk.Digest) string {
	var b strings.Builder
	fmt.Fprintf(&b, ":bar_chart: *What the bot missed, week %s*", escape(g.Week))
	b.WriteString("\n*Escalations by reason:* ")
	if len(g.Reasons) == 0 {
		b.WriteString("none")
	}
	for i, r := range g.Reasons {
		if i > 0 {
			b.WriteString(" · ")
		}
		fmt.Fprintf(&b, "%s %d", escape(desk.ReasonText(r.Name)), r.N)
	}
	b.WriteString("\n*Answers agents chose most:* ")
	if len(g.Entries) == 0 {
		b.WriteString("none")
	}
	for i, e := range g.Entries {
		if i > 0 {
			b.WriteString(" · ")
		}
		fmt.Fprintf(&b, "`%s` %d", escape(e.Name), e.N)
	}
	fmt.Fprintf(&b, "\n*Knowledge-base suggestions:* %d made, %d accepted, %d waiting for review (`frontdesk faq suggestions`)",
		g.Made, g.Accepted, g.Waiting)
	return b.String()
}

// OfferBlocks renders the offer: the question, the entry select, "Add as a phrasing" and, for a
// reply in the agent's own words, "New entry with my reply".
func OfferBlocks(o desk.FAQOffer) []slack.Block {
	text := ":books: *Add to FAQ?* The customer asked:\n>" + customerText(o.Question, maxQuestionShow)
	blocks := []slack.Block{slack.NewSectionBlock(md(text), nil, nil)}
	var opts []*slack.OptionBlockObject
	var initial *slack.OptionBlockObject
	for _, e := range o.Entries {
		if len(opts) == maxOptions {
			break
		}
		if e.ID == "" || len(e.ID) > maxOptionValue {
			continue
		}
		label := e.Title
		if label == "" {
			label = e.ID
		}
		opt := slack.NewOptionBlockObject(e.ID, plain(truncate(escape(label), maxOptionText)), nil)
		opts = append(opts, opt)
		if e.ID == o.Selected {
			initial = opt
		}
	}
	var elems []slack.BlockElement
	if len(opts) > 0 {
		sel := slack.NewOptionsSelectBlockElement(slack.OptTypeStatic, plain("Choose an entry"), ActionIDPickEntry, opts...)
		if initial != nil {
			sel.InitialOption = initial
		}
		elems = append(elems, sel, slack.NewButtonBlockElement(ActionIDAddPhrasing, "", plain("Add as a phrasing")).WithStyle(slack.StylePrimary))
	}
	if o.Reply != "" {
		elems = append(elems, slack.NewButtonBlockElement(ActionIDNewEntry, truncateValue(o.Reply), plain("New entry with my reply")))
	}
	if len(elems) > 0 {
		blocks = append(blocks, slack.NewActionBlock(BlockFAQOffer, elems...))
	}
	blocks = append(blocks, slack.NewContextBlock("", md("Suggestions are reviewed by the shop (`frontdesk faq suggestions`) before they reach the bot.")))
	return blocks
}

// truncateValue cuts s to a button value's 2000 characters.
func truncateValue(s string) string {
	if utf8.RuneCountInString(s) <= maxButtonValue {
		return s
	}
	return string([]rune(s)[:maxButtonValue])
}

// SelectedEntry returns the entry chosen in the offer's select from an interaction's
// state.values, or "".
func SelectedEntry(state *slack.BlockActionStates) string {
	if state == nil {
		return ""
	}
	for _, actions := range state.Values {
		if a, ok := actions[ActionIDPickEntry]; ok {
			return a.SelectedOption.Value
		}
	}
	return ""
}
