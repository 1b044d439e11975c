package faq

import (
	"context"
	"math"
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// The small-KB benchmark: knowledge bases of small businesses (5–15 entries, 1–3 phrasings per
// language) with held-out questions written independently of the phrasings, 40 % of them out
// of scope, in two sets. smallKBs were written with the matcher in view and their misses have
// been read; blindKBs were written by another author who saw neither the matcher nor its
// results, and no setting has been chosen on them: they say what a new shop would see.
// BenchmarkSmallKBs reports the rates; TestSmallKBs guards each set against regression below
// floors a little under what was measured (see docs/faq.md). Settings are chosen on
// smallKBCV, never here.
var (
	smallKBs = []string{"smallkb/apartments", "smallkb/bikes", "smallkb/tea", "smallkb/yoga"}
	blindKBs = []string{"smallkb-blind/bakery", "smallkb-blind/drivingschool", "smallkb-blind/repair", "smallkb-blind/salon"}
)

// smallKBSets are the two sets with their regression guards: the in-scope rate (right, an
// ask-back offering it counts half) must stay above InScope, the share of out-of-scope
// questions answered (confident wrong answers) and the share asked back below the ceilings.
var smallKBSets = []struct {
	name                               string
	kbs                                []string
	InScope, OOSAnswered, OOSAskedBack float64
}{
	// Measured: 61.3 %, 5.4 % (3 of 56), 14.3 % (8 of 56).
	{"own", smallKBs, 0.58, 0.08, 0.20},
	// Measured: 54.8 %, 10.7 % (6 of 56), 21.4 % (12 of 56).
	{"blind", blindKBs, 0.51, 0.14, 0.27},
}

func runSmallKBs(tb testing.TB, set settings) (TestSummary, map[string]TestSummary) {
	s, per, _ := runSmallKBResults(tb, set, smallKBs)
	return s, per
}

// ranked counts the in-scope questions whose expected entry the matcher ranks first, and
// among its top three, whatever the confidence: the ceiling of what any threshold could
// answer right or offer.
func ranked(rs []TestResult) (first, top3, inScope int) {
	for _, r := range rs {
		if r.Case.Expect == None {
			continue
		}
		inScope++
		for i, s := range r.Decision.Top {
			if s.EntryID == r.Case.Expect {
				if i == 0 {
					first++
				}
				top3++
				break
			}
		}
	}
	return first, top3, inScope
}

func runSmallKBResults(tb testing.TB, set settings, kbs []string) (TestSummary, map[string]TestSummary, []TestResult) {
	tb.Helper()
	var all []TestResult
	per := map[string]TestSummary{}
	for _, dir := range kbs {
		name := filepath.Base(dir)
		dir = filepath.Join("testdata", dir)
		kb, err := LoadKB(filepath.Join(dir, "kb.yaml"))
		if err != nil {
			tb.Fatal(err)
		}
		b, err := New(kb, withSettings(set))
		if err != nil {
			tb.Fatal(err)
		}
		cs, err := ReadTestCases(filepath.Join(dir, "questions.yaml"))
		if err != nil {
			tb.Fatal(err)
		}
		if err := b.CheckTestCases(cs); err != nil {
			tb.Fatalf("%s: %v", name, err)
		}
		rs := b.Test(cs)
		if os.Getenv("FAQ_SMALLKB_VERBOSE") != "" {
			for _, r := range rs {
				if r.Outcome != OutcomeRight {
					tb.Logf("%s: %-11s %q expect %s got %s %s (%.2f) top %v", name, r.Outcome, r.Case.Text, r.Case.Expect, r.Decision.Action, r.ID(), r.Decision.Confidence, topIDs(r.Decision.Top))
				}
			}
			tb.Logf("%s: threshold %.3f, ask-back floor %.2f of it", name, b.Policy().Threshold, b.Policy().AskFloor)
		}
		per[name] = Summarize(rs)
		all = append(all, rs...)
	}
	return Summarize(all), per, all
}

func topIDs(top []Suggestion) []string {
	var out []string
	for _, s := range top {
		out = append(out, s.EntryID)
	}
	return out
}

func TestSmallKBs(t *testing.T) {
	for _, f := range smallKBSets {
		t.Run(f.name, func(t *testing.T) {
			t.Parallel()
			s, per, rs := runSmallKBResults(t, defaultSettings(), f.kbs)
			first, top3, in := ranked(rs)
			t.Logf("expected entry ranked first for %d of %d in-scope questions (%.1f %%), among the top three for %d (%.1f %%)",
				first, in, 100*ratio(first, in), top3, 100*ratio(top3, in))
			for _, dir := range f.kbs {
				name := filepath.Base(dir)
				p := per[name]
				t.Logf("%-13s in scope %.1f %% (%d right, %d asked back of %d), out of scope answered %.1f %% (%d of %d), asked back %d",
					name, 100*p.InScopeRate, p.Right, p.AskedBack, p.InScope, 100*p.OOSWrongRate, p.OOSWrong, p.OutOfScope, p.OOSAskedBack)
			}
			t.Logf("all           in scope %.1f %% (%d right, %d asked back of %d), out of scope answered %.1f %%, asked back %.1f %% (%d of %d)",
				100*s.InScopeRate, s.Right, s.AskedBack, s.InScope, 100*s.OOSWrongRate, 100*ratio(s.OOSAskedBack, s.OutOfScope), s.OOSAskedBack, s.OutOfScope)
			if s.InScopeRate < f.InScope {
				t.Errorf("in-scope rate %.3f fell below %.2f", s.InScopeRate, f.InScope)
			}
			if s.OOSWrongRate > f.OOSAnswered {
				t.Errorf("out-of-scope questions answered %.3f, above %.2f", s.OOSWrongRate, f.OOSAnswered)
			}
			if r := ratio(s.OOSAskedBack, s.OutOfScope); r > f.OOSAskedBack {
				t.Errorf("out-of-scope questions asked back %.3f, above %.2f", r, f.OOSAskedBack)
			}
		})
	}
}

func BenchmarkSmallKBs(b *testing.B) {
	for _, set := range smallKBSets {
		b.Run(set.name, func(b *testing.B) {
			var s TestSummary
			var rs []TestResult
			for b.Loop() {
				s, _, rs = runSmallKBResults(b, defaultSettings(), set.kbs)
			}
			first, top3, in := ranked(rs)
			b.ReportMetric(100*ratio(first, in), "ranked-first-%")
			b.ReportMetric(100*ratio(top3, in), "ranked-top3-%")
			b.ReportMetric(100*s.InScopeRate, "in-scope-%")
			b.ReportMetric(100*s.OOSWrongRate, "oos-answered-%")
		})
	}
}

// BenchmarkThresholdSpread measures how far a small KB's blind threshold moves when one
// phrasing changes: for every phrasing of the four small KBs, a variant without it, and the
// spread (max − min, standard deviation) of the thresholds over the variants, with the
// shrinkage towards the prior and without it. Run with -benchtime=1x.
func BenchmarkThresholdSpread(b *testing.B) {
	for _, shrink := range []bool{true, false} {
		name := "shrunk"
		if !shrink {
			name = "cv-only"
		}
		b.Run(name, func(b *testing.B) {
			s := defaultSettings()
			if !shrink {
				s.Prior.Phrasings = 0
			}
			var worst, sumSD float64
			for b.Loop() {
				worst, sumSD = 0, 0
				for _, kbName := range smallKBs {
					ths := thresholdVariants(b, kbName, s)
					lo, hi := slices.Min(ths), slices.Max(ths)
					mean := 0.0
					for _, t := range ths {
						mean += t / float64(len(ths))
					}
					sd := 0.0
					for _, t := range ths {
						sd += (t - mean) * (t - mean) / float64(len(ths))
					}
					sd = math.Sqrt(sd)
					b.Logf("%s %-10s %d variants: threshold %.3f–%.3f (mean %.3f, sd %.3f)", name, kbName, len(ths), lo, hi, mean, sd)
					worst = max(worst, hi-lo)
					sumSD += sd
				}
			}
			b.ReportMetric(worst, "max-range")
			b.ReportMetric(sumSD/float64(len(smallKBs)), "mean-sd")
		})
	}
}

// thresholdVariants returns the blind thresholds of the KB and of each variant with one of
// its own phrasings left out.
func thresholdVariants(tb testing.TB, name string, s settings) []float64 {
	kb, err := LoadKB(filepath.Join("testdata", name, "kb.yaml"))
	if err != nil {
		tb.Fatal(err)
	}
	threshold := func(kb *KB) float64 {
		m, err := build(context.Background(), kb, s)
		if err != nil {
			tb.Fatal(err)
		}
		return m.Policy.Threshold
	}
	ths := []float64{threshold(kb)}
	eachPhrasingLeftOut(kb, func(*Entry, string, string) { ths = append(ths, threshold(kb)) })
	return ths
}
