package knowledge

import (
	_ "embed"
	"slices"

	"github.com/frontdesk-app/frontdesk/shared/faq/nlp"
)

// smallTalkYAML is the small-talk module included in every knowledge base (see
// smalltalk.yaml): greetings, thanks, goodbyes, "are you a bot?", asking for a person.
//
//go:embed smalltalk.yaml
var smallTalkYAML []byte

// smallTalkFile names the module in errors.
const smallTalkFile = "smalltalk (built in)"

// smallTalk returns fresh copies of the module's entries (a KB merges into them).
func smallTalk() []*Entry {
	doc, errs := parseKB(smallTalkYAML, smallTalkFile)
	if len(errs) > 0 {
		panic("faq: the built-in small-talk module is invalid: " + errs.Error())
	}
	return doc.entries
}

// mergeModule completes the KB's entry e with the module's entry m of the same id: e's
// answer, title, follow-ups and human flag win; the phrasings are the module's plus e's.
func (e *Entry) mergeModule(m *Entry) {
	ps := map[string][]string{}
	for _, l := range nlp.Languages {
		for _, p := range append(slices.Clone(m.Phrasings[l]), e.Phrasings[l]...) {
			if !slices.Contains(ps[l], p) {
				ps[l] = append(ps[l], p)
			}
		}
		if len(ps[l]) == 0 {
			delete(ps, l)
		}
	}
	e.Phrasings = ps
	e.Answer = mergeLang(m.Answer, e.Answer)
	e.Title = mergeLang(m.Title, e.Title)
	for _, t := range m.Tags {
		if !slices.Contains(e.Tags, t) {
			e.Tags = append(e.Tags, t)
		}
	}
	e.Human = e.Human || m.Human
}

func mergeLang(base, over map[string]string) map[string]string {
	out := map[string]string{}
	for l, s := range base {
		out[l] = s
	}
	for l, s := range over {
		if s != "" {
			out[l] = s
		}
	}
	return out
}
