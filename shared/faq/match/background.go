package match

import (
	"embed"
	"strings"

	"github.com/frontdesk-app/frontdesk/shared/faq/nlp"
)

// The background: everyday and off-topic messages in German and English (weather, sport, jokes,
// tests, spam, insults, questions for a search engine) that no knowledge base answers, written
// for frontdesk. A matcher (Config.Background) trains on them as one more class, "out of
// scope", that stays in the softmax: a message that looks more like the background than like
// any class gets a low confidence for every class, however few classes it has.
//
//go:embed background/*.txt
var backgroundFS embed.FS

// background returns the background messages as out-of-scope phrasings.
func background() []Phrasing {
	var ps []Phrasing
	for _, l := range nlp.Languages {
		b, err := backgroundFS.ReadFile("background/" + l + ".txt")
		if err != nil {
			panic("match: background for " + l + " missing: " + err.Error())
		}
		for line := range strings.Lines(string(b)) {
			line = strings.TrimSpace(line)
			if line == "" || strings.HasPrefix(line, "#") || len(nlp.Tokens(line)) == 0 {
				continue
			}
			ps = append(ps, Phrasing{Text: line, Lang: l, Class: -1, Background: true})
		}
	}
	return ps
}
