package faq

import (
	"context"
	"path/filepath"
	"testing"
)

// ablations switch off one part of the matcher at a time.
var ablations = []struct {
	name string
	f    func(*matcherConfig)
}{
	{"all", func(*matcherConfig) {}},
	{"no-answers", func(c *matcherConfig) { c.Answers = false }},
	{"no-synonyms", func(c *matcherConfig) { c.Lexicon = false }},
	{"no-function-block", func(c *matcherConfig) { c.Features.FunctionBlock = false }},
	{"no-background", func(c *matcherConfig) { c.Background = false }},
	{"no-none-class", func(c *matcherConfig) { c.NoneClass = false }},
}

// BenchmarkAblation measures what each part adds: the small-KB rates and HINT3's MCC with the
// blind threshold (mean of the two held-out halves, testdata/hint3). Run with -benchtime=1x;
// not in parallel with other tests (it switches the default matcher).
func BenchmarkAblation(b *testing.B) {
	saved := defaultMatcher
	defer func() { defaultMatcher = saved }()
	hint3 := filepath.Join("testdata", "hint3")
	for _, a := range ablations {
		b.Run(a.name, func(b *testing.B) {
			defaultMatcher = saved
			a.f(&defaultMatcher)
			for b.Loop() {
				s, _ := runSmallKBs(b)
				b.ReportMetric(100*s.InScopeRate, "smallkb-in-scope-%")
				b.ReportMetric(100*s.OOSWrongRate, "smallkb-oos-answered-%")
				for _, set := range []string{"sofmattress", "curekart", "powerplay11"} {
					train, err := ReadExamplesFile(filepath.Join(hint3, set+"-train.jsonl"))
					if err != nil {
						b.Fatal(err)
					}
					mcc := 0.0
					for _, half := range []string{"A", "B"} {
						test, err := ReadExamplesFile(filepath.Join(hint3, set+"-test"+half+".jsonl"))
						if err != nil {
							b.Fatal(err)
						}
						rep, err := EvaluateContext(context.Background(), train, test, nil)
						if err != nil {
							b.Fatal(err)
						}
						mcc += rep.MCC / 2
					}
					b.ReportMetric(mcc, set+"-mcc")
				}
			}
		})
	}
}
