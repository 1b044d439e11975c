package faq

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/frontdesk-app/frontdesk/shared/channel"
	"github.com/frontdesk-app/frontdesk/shared/faq/decide"
	"github.com/frontdesk-app/frontdesk/shared/faq/match"
	"github.com/frontdesk-app/frontdesk/shared/faq/nlp"
)

// Input is one customer message with the conversation state the bot needs.
type Input struct {
	Text string
	// Payload is the id of a tapped option (an entry id).
	Payload string
	// Media is set (image, audio, sticker, ...) when the message is not plain text.
	Media string
	// Locale is the conversation's language so far ("" when new).
	Locale string
	// Misses is the conversation's count of consecutive misses.
	Misses int
	// Pending holds the entry ids offered by the last ask-back.
	Pending []string
	// Opener says the message opens a conversation without a question (a Messenger "Get
	// Started" tap, a greeting): the bot answers with its welcome.
	Opener bool
}

// Decision is what the bot does with a message.
type Decision struct {
	Action Action
	// Locale is the language of Text, to store on the conversation.
	Locale string
	// EntryID is the answered (or human-topic) entry.
	EntryID string
	// Text is the message to send: the answer, the ask-back prompt, the request to rephrase or
	// the escalation notice.
	Text string
	// Options are the ask-back candidates, or the answered entry's follow-ups (ID = entry id).
	Options []channel.Option
	// Reason says why the bot escalates (Reason* constants).
	Reason string
	// Suggestions are the best entries for an agent to send (top 3, small talk left out).
	Suggestions []Suggestion
	// Top is the matcher's ranking: the three most probable entries with their calibrated
	// probabilities (Suggestion.Score), best first; empty when nothing was matched (a tapped
	// option, media, an opener).
	Top []Suggestion
	// Misses is the conversation's new count of consecutive misses.
	Misses int
	// Confidence is the best entry's calibrated probability (0 when nothing was matched).
	Confidence float64
}

// Suggestion is an entry an agent may send.
type Suggestion struct {
	EntryID string
	Title   string
	Answer  string
	Score   float64
}

// MaxMisses is how many misses in a row escalate.
const MaxMisses = 2

// Bot answers customer messages from a knowledge base. It is safe for concurrent use.
type Bot struct {
	kb      *KB
	m       *match.Matcher
	policy  Policy
	entries []*Entry // class → entry
	locale  string
}

// Option configures New.
type Option func(*botOptions)

type botOptions struct {
	model    *Model
	policy   *Policy
	locale   string
	settings settings
}

// WithModel uses a precomputed model (see Build) instead of training at start. It must have
// been built from the same knowledge base.
func WithModel(m *Model) Option { return func(o *botOptions) { o.model = m } }

// WithPolicy fixes the thresholds instead of choosing them by cross-validation.
func WithPolicy(p Policy) Option { return func(o *botOptions) { o.policy = &p } }

// withSettings trains with s instead of defaultSettings() when no model is given (the
// benchmarks' variants).
func withSettings(s settings) Option { return func(o *botOptions) { o.settings = s } }

// WithDefaultLocale sets the language for messages whose language cannot be told on a new
// conversation (default German).
func WithDefaultLocale(lang string) Option { return func(o *botOptions) { o.locale = lang } }

// New builds a bot for kb: it trains the matcher on the entries' phrasings and chooses the
// thresholds by cross-validation, unless WithModel supplies both.
func New(kb *KB, opts ...Option) (*Bot, error) {
	o := botOptions{locale: Languages[0], settings: defaultSettings()}
	for _, f := range opts {
		f(&o)
	}
	if !slices.Contains(Languages, o.locale) {
		return nil, fmt.Errorf("faq: unsupported default locale %q", o.locale)
	}
	model := o.model
	if model == nil {
		var err error
		if model, err = build(context.Background(), kb, o.settings); err != nil {
			return nil, err
		}
	} else if model.KBHash != kb.Hash() {
		return nil, fmt.Errorf("faq: the model was built from another knowledge base (rebuild it)")
	}
	b := &Bot{kb: kb, m: model.matcher, policy: model.Policy, locale: o.locale}
	if o.policy != nil {
		b.policy = *o.policy
	}
	for _, id := range model.Classes {
		e, ok := kb.Entry(id)
		if !ok {
			return nil, fmt.Errorf("faq: model entry %q is not in the knowledge base", id)
		}
		b.entries = append(b.entries, e)
	}
	return b, nil
}

// KB returns the bot's knowledge base.
func (b *Bot) KB() *KB { return b.kb }

// Policy returns the thresholds in use.
func (b *Bot) Policy() Policy { return b.policy }

// Decide chooses what to do with one message. The order: a tapped option answers its entry;
// media escalates; a request for a person escalates; then the matcher answers, asks back,
// asks to rephrase (first miss) or escalates (second miss in a row). An answered entry marked
// human escalates with the entry's id.
func (b *Bot) Decide(in Input) Decision {
	lang := DetectLanguage(in.Text)
	if lang == "" {
		lang = in.Locale
	}
	if !slices.Contains(Languages, lang) {
		lang = b.locale
	}
	if e, ok := b.kb.Entry(in.Payload); ok {
		return b.answer(e, lang, 1, nil)
	}
	if in.Opener {
		return b.Welcome(lang)
	}
	if in.Media != "" {
		return Decision{Action: Escalate, Locale: lang, Reason: ReasonUnreadableMedia, Text: TextsFor(lang).Media, Misses: in.Misses}
	}
	if id := b.pendingChoice(in); id != "" {
		e, _ := b.kb.Entry(id)
		return b.answer(e, lang, 1, nil)
	}
	var probs []float64
	var top []decide.Scored
	if strings.TrimSpace(in.Text) != "" {
		probs = b.m.Probs(in.Text, lang)
		top = match.TopK(probs, 3)
	}
	d := b.decideText(in, lang, top, b.topicRanking(probs))
	d.Top = b.ranking(top, lang)
	return d
}

// topicRanking ranks the entries that are not small talk by their probability given that the
// message is about one of them (small talk's share taken out): "Ich möchte mit einem
// Mitarbeiter über meine Rücksendung sprechen" is talk-to-person first, but its topic, for
// the agent, is the return policy.
func (b *Bot) topicRanking(probs []float64) []decide.Scored {
	if probs == nil {
		return nil
	}
	topic := make([]float64, len(probs))
	small := 0.0
	for c, p := range probs {
		if b.entries[c].IsSmallTalk() {
			small += p
		} else {
			topic[c] = p
		}
	}
	if small < 1 {
		for c := range topic {
			topic[c] /= 1 - small
		}
	}
	return match.TopK(topic, 3)
}

func (b *Bot) decideText(in Input, lang string, top, topics []decide.Scored) Decision {
	sugg := b.suggestions(topics, lang)
	if asksForHuman(in.Text) {
		return b.askedForHuman(lang, sugg, in.Misses, conf(top))
	}
	out := b.policy.Decide(top)
	switch out.Action {
	case Answer:
		e := b.entries[out.Class]
		if e.Human && e.ID != TalkToPersonID && out.Conf < b.policy.HumanThreshold() {
			// A topic for a person hands the conversation over: it needs more than a word
			// shared with its phrasings. Short of that, the customer chooses: the topic
			// and the runners-up are offered as an ask-back.
			out = decide.Outcome{Action: AskBack, Class: -1, Conf: out.Conf}
			for _, s := range top {
				out.Options = append(out.Options, s.Class)
			}
			break
		}
		switch e.ID {
		case TalkToPersonID:
			return b.askedForHuman(lang, sugg, in.Misses, out.Conf)
		case GreetingID:
			d := b.Welcome(lang)
			d.Confidence, d.Suggestions = out.Conf, sugg
			return d
		}
		return b.answer(e, lang, out.Conf, sugg)
	}
	if out.Action == AskBack {
		d := Decision{Action: AskBack, Locale: lang, Text: TextsFor(lang).AskBack, Suggestions: sugg, Misses: in.Misses, Confidence: out.Conf}
		for _, c := range out.Options {
			// Small talk is no button to offer ("How are you?" under "Did you mean…").
			if e := b.entries[c]; !e.IsSmallTalk() {
				d.Options = append(d.Options, channel.Option{ID: e.ID, Title: e.TitleIn(lang)})
			}
		}
		if len(d.Options) > 0 {
			return d
		}
	}
	misses := in.Misses + 1
	if misses >= MaxMisses {
		return Decision{Action: Escalate, Locale: lang, Reason: ReasonNoMatch, Text: TextsFor(lang).Escalate, Suggestions: sugg, Misses: misses, Confidence: out.Conf}
	}
	return Decision{Action: Clarify, Locale: lang, Text: TextsFor(lang).Clarify, Suggestions: sugg, Misses: misses, Confidence: out.Conf}
}

func (b *Bot) askedForHuman(lang string, sugg []Suggestion, misses int, confidence float64) Decision {
	return Decision{Action: Escalate, Locale: lang, Reason: ReasonAskedForHuman, Text: TextsFor(lang).Escalate, Suggestions: sugg, Misses: misses, Confidence: confidence}
}

// maxWelcomeButtons is how many entries the welcome offers as buttons (WhatsApp's limit).
const maxWelcomeButtons = MaxFollowUps

// Welcome is the decision on a message that opens a conversation (Input.Opener, or a typed
// greeting): the answer of the greeting entry in lang, with its follow-ups as buttons, or
// the first entries of the KB that are neither small talk nor for a person when it has none.
// It is never a miss.
func (b *Bot) Welcome(lang string) Decision {
	e, ok := b.kb.Entry(GreetingID)
	if !ok {
		d := Decision{Action: Answer, Locale: lang, Text: TextsFor(lang).Welcome, Confidence: 1}
		d.Options = b.welcomeButtons(nil, lang)
		return d
	}
	d := b.answer(e, lang, 1, nil)
	d.Options = b.welcomeButtons(e, d.Locale)
	return d
}

func (b *Bot) welcomeButtons(greeting *Entry, lang string) []channel.Option {
	var opts []channel.Option
	if greeting != nil {
		for _, id := range greeting.FollowUps {
			if f, ok := b.kb.Entry(id); ok {
				opts = append(opts, channel.Option{ID: f.ID, Title: f.TitleIn(lang)})
			}
		}
		if len(opts) > 0 {
			return opts
		}
	}
	for _, e := range b.kb.Entries {
		if len(opts) == maxWelcomeButtons {
			break
		}
		if !e.Human && !e.IsSmallTalk() {
			opts = append(opts, channel.Option{ID: e.ID, Title: e.TitleIn(lang)})
		}
	}
	return opts
}

// pendingChoice resolves a typed reply to an ask-back ("2", "the first", an option's title).
func (b *Bot) pendingChoice(in Input) string {
	if len(in.Pending) == 0 {
		return ""
	}
	if n := ordinal(in.Text); n > 0 && n <= len(in.Pending) {
		if _, ok := b.kb.Entry(in.Pending[n-1]); ok {
			return in.Pending[n-1]
		}
	}
	t := nlp.Normalize(in.Text)
	for _, id := range in.Pending {
		e, ok := b.kb.Entry(id)
		if !ok {
			continue
		}
		for _, l := range Languages {
			if t != "" && nlp.Normalize(e.TitleIn(l)) == t {
				return id
			}
		}
	}
	return ""
}

func (b *Bot) answer(e *Entry, lang string, confidence float64, sugg []Suggestion) Decision {
	if e.Human {
		if sugg == nil {
			sugg = []Suggestion{b.suggestion(e, lang, confidence)}
		}
		return Decision{Action: Escalate, Locale: lang, EntryID: e.ID, Reason: ReasonHumanTopic, Text: TextsFor(lang).Escalate, Suggestions: sugg, Confidence: confidence}
	}
	text, l := e.AnswerIn(lang)
	d := Decision{Action: Answer, Locale: l, EntryID: e.ID, Text: text, Suggestions: sugg, Confidence: confidence}
	for _, id := range e.FollowUps {
		if f, ok := b.kb.Entry(id); ok {
			d.Options = append(d.Options, channel.Option{ID: f.ID, Title: f.TitleIn(l)})
		}
	}
	return d
}

// suggestions are the candidates of topics (topicRanking) an agent may send: the ones the bot
// itself would offer (decide.Policy.Close), small talk left out. Below that the ranking is
// noise, and a list of unrelated answers under an escalation only costs an agent time (or
// sends a wrong answer with one click).
func (b *Bot) suggestions(top []decide.Scored, lang string) []Suggestion {
	close := b.policy.Close(top)
	if close == nil {
		return nil
	}
	out := make([]Suggestion, 0, len(close))
	for _, s := range close {
		if e := b.entries[s.Class]; !e.IsSmallTalk() {
			out = append(out, b.suggestion(e, lang, s.Prob))
		}
	}
	return out
}

// ranking is the matcher's top entries with their probabilities.
func (b *Bot) ranking(top []decide.Scored, lang string) []Suggestion {
	if len(top) == 0 {
		return nil
	}
	out := make([]Suggestion, 0, len(top))
	for _, s := range top {
		out = append(out, b.suggestion(b.entries[s.Class], lang, s.Prob))
	}
	return out
}

func (b *Bot) suggestion(e *Entry, lang string, score float64) Suggestion {
	a, _ := e.AnswerIn(lang)
	return Suggestion{EntryID: e.ID, Title: e.TitleIn(lang), Answer: a, Score: score}
}

func conf(top []decide.Scored) float64 {
	if len(top) == 0 {
		return 0
	}
	return top[0].Prob
}
