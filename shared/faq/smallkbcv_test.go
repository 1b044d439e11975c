package faq

import (
	"path/filepath"
	"slices"
	"testing"

	"github.com/frontdesk-app/frontdesk/shared/faq/match"
)

// smallKBCV cross-validates the bot on the small KBs' own phrasings, never their held-out
// questions: every phrasing of an entry that has another one in its language is left out in
// turn and asked (in scope), and every entry that is not small talk is left out whole and its
// phrasings asked (out of scope: the nearest thing to a customer's question the KB does not
// cover). It is what the matcher's and the policy's settings may be tuned on.
func smallKBCV(tb testing.TB, s settings) (in, oos TestSummary) {
	tb.Helper()
	var ins, outs []TestResult
	for _, dir := range smallKBs {
		kb, err := LoadKB(filepath.Join("testdata", dir, "kb.yaml"))
		if err != nil {
			tb.Fatal(err)
		}
		run := func(kb *KB, cs []TestCase) []TestResult {
			b, err := New(kb, withSettings(s))
			if err != nil {
				tb.Fatal(err)
			}
			return b.Test(cs)
		}
		eachPhrasingLeftOut(kb, func(e *Entry, lang, text string) {
			ins = append(ins, run(kb, []TestCase{{Text: text, Expect: e.ID, Lang: lang}})...)
		})
		for i, e := range kb.Entries {
			if e.IsSmallTalk() || e.Human {
				continue
			}
			without := *kb
			without.Entries = slices.Delete(slices.Clone(kb.Entries), i, i+1)
			var cs []TestCase
			for _, l := range Languages {
				for _, p := range e.Phrasings[l] {
					cs = append(cs, TestCase{Text: p, Expect: None, Lang: l})
				}
			}
			outs = append(outs, run(&without, cs)...)
		}
	}
	return Summarize(ins), Summarize(outs)
}

// eachPhrasingLeftOut calls f with kb changed to lack one phrasing, for every phrasing of an
// entry (not small talk) that has another one in its language, and restores kb after each.
func eachPhrasingLeftOut(kb *KB, f func(e *Entry, lang, text string)) {
	for _, e := range kb.Entries {
		if e.IsSmallTalk() {
			continue
		}
		for _, l := range Languages {
			ps := e.Phrasings[l]
			if len(ps) < 2 {
				continue
			}
			for i := range ps {
				e.Phrasings[l] = slices.Delete(slices.Clone(ps), i, i+1)
				f(e, l, ps[i])
			}
			e.Phrasings[l] = ps
		}
	}
}

// BenchmarkSmallKBCV reports smallKBCV's rates for the default matcher and a few variants of
// its settings. Run with -benchtime=1x.
func BenchmarkSmallKBCV(b *testing.B) {
	for _, a := range cvVariants {
		b.Run(a.name, func(b *testing.B) {
			s := defaultSettings()
			a.f(&s)
			var in, oos TestSummary
			for b.Loop() {
				in, oos = smallKBCV(b, s)
			}
			b.Logf("%s: %d phrasings left out (in scope), %d phrasings of left-out entries (out of scope)", a.name, in.InScope, oos.OutOfScope)
			b.ReportMetric(100*in.InScopeRate, "in-scope-%")
			b.ReportMetric(100*oos.OOSWrongRate, "oos-answered-%")
			b.ReportMetric(100*ratio(oos.OOSAskedBack, oos.OutOfScope), "oos-asked-back-%")
		})
	}
}

var cvVariants = []struct {
	name string
	f    func(*settings)
}{
	{"default", func(*settings) {}},
	{"concept-1", func(s *settings) { s.Matcher.Features.BlockWeight[match.BlockConcept] = 1 }},
	{"concept-0.25", func(s *settings) { s.Matcher.Features.BlockWeight[match.BlockConcept] = 0.25 }},
	{"function-0.15", func(s *settings) { s.Matcher.Features.BlockWeight[match.BlockFunction] = 0.15 }},
	{"char-0.5", func(s *settings) { s.Matcher.Features.BlockWeight[match.BlockChar] = 0.5 }},
	{"char-3-6", func(s *settings) { s.Matcher.Features.CharMin, s.Matcher.Features.CharMax = 3, 6 }},
	{"prior-0.3", func(s *settings) { s.Prior.Threshold = 0.3 }},
	{"prior-0.5", func(s *settings) { s.Prior.Threshold = 0.5 }},
}
