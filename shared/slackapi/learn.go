package slackapi

import (
	"context"
	"unicode/utf8"

	"github.com/slack-go/slack"

	"github.com/frontdesk-app/frontdesk/shared/channel"
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

// EntryOption is a knowledge-base entry the agent can attach the question to.
type EntryOption struct {
	ID    string
	Title string
}

// FAQOffer is the thread's "Add to FAQ" offer after an agent answered.
type FAQOffer struct {
	// Question is the customer's question, masked (shown so the agent sees what is stored).
	Question string
	// Entries are the entries to choose from (the first 100); Selected is preselected: the
	// entry the agent sent, else the bot's best guess.
	Entries  []EntryOption
	Selected string
	// Reply is the agent's own reply, masked: offered as the answer of a new entry. Empty for
	// an answer sent from the knowledge base.
	Reply string
}

// OfferFAQ posts the offer into the thread.
func (d *Desk) OfferFAQ(ctx context.Context, channel, threadTS string, o FAQOffer) error {
	_, err := d.c.PostMessage(ctx, channel, threadTS, "Add the customer's question to the FAQ?", OfferBlocks(o))
	return err
}

// OfferBlocks renders the offer: the question, the entry select, "Add as a phrasing" and, for a
// reply in the agent's own words, "New entry with my reply".
func OfferBlocks(o FAQOffer) []slack.Block {
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

// NoteSuggested: an agent added the question to the FAQ suggestions.
func NoteSuggested(agent, entryTitle string, newEntry bool) string {
	if newEntry {
		return ":books: " + Mention(agent) + " suggested a new FAQ entry with their reply. The shop reviews it."
	}
	return ":books: " + Mention(agent) + " suggested the question as a new phrasing of “" + escape(entryTitle) + "”. The shop reviews it."
}

// NoteCandidateGone: the customer's question is no longer kept.
func NoteCandidateGone() string {
	return ":information_source: Nothing added to the FAQ: the customer's question is kept only 7 days after the escalation."
}
