package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"slices"
	"strings"
	"text/tabwriter"

	"github.com/frontdesk-app/frontdesk/shared/faq"
)

// testLine is one question of "faq test --json": the contract is text, expect, decision
// (answer | ask_back | clarify | escalate), id, options and confidence; outcome, must, line,
// reason and lang are extra.
type testLine struct {
	Text       string   `json:"text"`
	Expect     string   `json:"expect"`
	Decision   string   `json:"decision"`
	ID         string   `json:"id"`
	Options    []string `json:"options"`
	Confidence float64  `json:"confidence"`
	Outcome    string   `json:"outcome"`
	Must       bool     `json:"must"`
	Line       int      `json:"line"`
	Reason     string   `json:"reason,omitempty"`
	Lang       string   `json:"lang"`
}

// testSummaryLine is the last object of "faq test --json".
type testSummaryLine struct {
	Summary bool `json:"summary"`
	faq.TestSummary
}

func faqTest(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("faq test", flag.ContinueOnError)
	fs.SetOutput(stderr)
	asJSON := fs.Bool("json", false, "one JSON object a question, a summary object last")
	var pos []string
	for len(args) > 0 {
		if err := fs.Parse(args); err != nil {
			return err
		}
		if fs.NArg() == 0 {
			break
		}
		pos = append(pos, fs.Arg(0))
		args = fs.Args()[1:]
	}
	if len(pos) != 2 {
		fmt.Fprintln(stderr, faqUsage)
		return errors.New("test: want KB and TESTS")
	}
	bot, err := faq.Load(pos[0])
	if err != nil {
		return fmt.Errorf("test: %w", err)
	}
	cases, err := faq.ReadTestCases(pos[1])
	if err != nil {
		return fmt.Errorf("test: %w", err)
	}
	if err := bot.CheckTestCases(cases); err != nil {
		return fmt.Errorf("test: %s:%w", pos[1], err)
	}
	rs := bot.Test(cases)
	sum := faq.Summarize(rs)
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetEscapeHTML(false)
		for _, r := range rs {
			l := testLine{
				Text: r.Case.Text, Expect: r.Case.Expect, Decision: r.Decision.Action.String(), ID: r.ID(),
				Options: []string{}, Confidence: r.Decision.Confidence, Outcome: r.Outcome, Must: r.Case.Must,
				Line: r.Case.Line, Reason: r.Decision.Reason, Lang: r.Decision.Locale,
			}
			if r.Decision.Action == faq.AskBack {
				for _, o := range r.Decision.Options {
					l.Options = append(l.Options, o.ID)
				}
			}
			if err := enc.Encode(l); err != nil {
				return err
			}
		}
		if err := enc.Encode(testSummaryLine{Summary: true, TestSummary: sum}); err != nil {
			return err
		}
	} else {
		printTestReport(stdout, pos[1], rs, sum)
	}
	if sum.MustFailed > 0 {
		return fmt.Errorf("test: %d must: true question(s) failed", sum.MustFailed)
	}
	return nil
}

// printTestReport writes the readable report: the failures, worst first (confident wrong
// answers), then per entry and overall.
func printTestReport(w io.Writer, name string, rs []faq.TestResult, s faq.TestSummary) {
	order := []struct{ outcome, title string }{
		{faq.OutcomeWrong, "Confident wrong answers"},
		{faq.OutcomeWrongTopic, "Handed over as the wrong topic"},
		{faq.OutcomeMissed, "Not answered"},
		{faq.OutcomeAskedBack, "Asked back (the right entry among the options)"},
	}
	for _, o := range order {
		var lines []string
		for _, r := range rs {
			if r.Outcome != o.outcome {
				continue
			}
			got := describeResult(r)
			must := ""
			if r.Case.Must {
				must = " [must]"
			}
			lines = append(lines, fmt.Sprintf("  %s:%d%s %q\n      expected %s, got %s\n      fix: %s", name, r.Case.Line, must, r.Case.Text, r.Case.Expect, got, fixFor(r)))
		}
		if len(lines) > 0 {
			fmt.Fprintf(w, "%s (%d):\n%s\n\n", o.title, len(lines), strings.Join(lines, "\n"))
		}
	}
	type row struct{ n, right, asked, wrong, missed int }
	per := map[string]*row{}
	for _, r := range rs {
		e := r.Case.Expect
		if per[e] == nil {
			per[e] = &row{}
		}
		p := per[e]
		p.n++
		switch r.Outcome {
		case faq.OutcomeRight:
			p.right++
		case faq.OutcomeAskedBack:
			p.asked++
		case faq.OutcomeWrong, faq.OutcomeWrongTopic:
			p.wrong++
		default:
			p.missed++
		}
	}
	ids := make([]string, 0, len(per))
	for id := range per {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "expected\tquestions\tright\tasked back\twrong\tnot answered")
	for _, id := range ids {
		p := per[id]
		fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%d\t%d\n", id, p.n, p.right, p.asked, p.wrong, p.missed)
	}
	tw.Flush()
	fmt.Fprintf(w, "\n%d questions: in scope %d, right %d, asked back %d, wrong %d, not answered %d (rate %.1f %%, an ask-back counts half)\n",
		s.N, s.InScope, s.Right, s.AskedBack, s.Wrong+s.WrongTopic, s.Missed, 100*s.InScopeRate)
	fmt.Fprintf(w, "out of scope %d: not answered %d, answered %d (%.1f %%), handed over as a topic %d\n",
		s.OutOfScope, s.OOSRight, s.OOSWrong, 100*s.OOSWrongRate, s.OOSWrongTopic)
	if s.MustFailed > 0 {
		fmt.Fprintf(w, "%d must: true question(s) failed\n", s.MustFailed)
	}
}

// fixFor says what a shop changes in its KB so the bot gets the question right: the question
// as a phrasing of the expected entry, or as an out-of-scope phrasing (docs/faq.md). The
// language is the one the bot read it in.
func fixFor(r faq.TestResult) string {
	lang := r.Decision.Locale
	if r.Case.Expect == faq.None {
		return fmt.Sprintf("add it to out_of_scope in %s, or write an entry that answers it", lang)
	}
	return fmt.Sprintf("add it to the %s phrasings of %s", lang, r.Case.Expect)
}

// describeResult says what the bot did in a few words.
func describeResult(r faq.TestResult) string {
	d := r.Decision
	switch d.Action {
	case faq.Answer:
		return fmt.Sprintf("answer %s (%.2f)", d.EntryID, d.Confidence)
	case faq.AskBack:
		var ids []string
		for _, o := range d.Options {
			ids = append(ids, o.ID)
		}
		return fmt.Sprintf("ask back %s (%.2f)", strings.Join(ids, " | "), d.Confidence)
	case faq.Escalate:
		if d.EntryID != "" {
			return fmt.Sprintf("escalate %s (%s, %.2f)", d.EntryID, d.Reason, d.Confidence)
		}
		return fmt.Sprintf("escalate (%s, %.2f)", d.Reason, d.Confidence)
	}
	return fmt.Sprintf("%s (%.2f)", d.Action, d.Confidence)
}
