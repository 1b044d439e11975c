package faq

import (
	"context"
	"path/filepath"
	"testing"
)

// ablations switch off one part of the matcher at a time.
var ablations = []struct {
	name string
	f    func(*settings)
}{
	{"all", func(*settings) {}},
	{"no-answers", func(s *settings) { s.Answers = false }},
	{"no-synonyms", func(s *settings) { s.Matcher.Lexicon = false }},
	{"no-function-block", func(s *settings) { s.Matcher.Features.FunctionBlock = false }},
	{"no-background", func(s *settings) { s.Matcher.Background = false }},
	{"no-none-class", func(s *settings) { s.Matcher.NoneClass = false }},
}

// BenchmarkAblation measures what each part adds: the small-KB rates and HINT3's MCC with the
// blind threshold (mean of the two held-out halves, testdata/hint3). Run with -benchtime=1x.
func BenchmarkAblation(b *testing.B) {
	hint3 := filepath.Join("testdata", "hint3")
	for _, a := range ablations {
		b.Run(a.name, func(b *testing.B) {
			set := defaultSettings()
			a.f(&set)
			for b.Loop() {
				s, _ := runSmallKBs(b, set)
				b.ReportMetric(100*s.InScopeRate, "smallkb-in-scope-%")
				b.ReportMetric(100*s.OOSWrongRate, "smallkb-oos-answered-%")
				for _, name := range []string{"sofmattress", "curekart", "powerplay11"} {
					train, err := ReadExamplesFile(filepath.Join(hint3, name+"-train.jsonl"))
					if err != nil {
						b.Fatal(err)
					}
					mcc := 0.0
					for _, half := range []string{"A", "B"} {
						test, err := ReadExamplesFile(filepath.Join(hint3, name+"-test"+half+".jsonl"))
						if err != nil {
							b.Fatal(err)
						}
						rep, err := evaluate(context.Background(), set, train, test, nil)
						if err != nil {
							b.Fatal(err)
						}
						mcc += rep.MCC / 2
					}
					b.ReportMetric(mcc, name+"-mcc")
				}
			}
		})
	}
}
