package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/frontdesk-app/frontdesk/shared/faq"
)

const faqUsage = `usage:
  frontdesk faq check KB
      validate a knowledge base (a YAML file or a folder of them)
  frontdesk faq build KB -o MODEL
      train the matcher and choose its thresholds once, write the model for FAQ_MODEL / go:embed
  frontdesk faq ask [--kb KB] MESSAGE...
      talk to the bot: each argument is one customer message of one conversation (FAQ_KB or
      the sample KB by default); prints the decision for each
  frontdesk faq chat [--kb KB]
      an interactive conversation with the bot, one message a line (a terminal or piped
      stdin); after each reply the decision, confidence and top three; /reset starts a new
      conversation, /lang de|en sets its language, /start taps "Get Started", /quit ends
  frontdesk faq test KB TESTS [--json]
      run a shop's own test questions (YAML or .jsonl: text, expect: ENTRY-ID or none,
      must: true) through the bot; a readable report, or with --json one object a question
      and a summary last; exits non-zero when a must: true question fails
  frontdesk faq eval --train TRAIN.jsonl --test TEST.jsonl [--val VAL.jsonl] [--json]
  frontdesk faq eval --train TRAIN.jsonl --cv K [--json]
      measure the bot: one KB entry per intent of TRAIN ("intent": null lines are negatives);
      thresholds from VAL when given, else by cross-validation on TRAIN; --train may repeat;
      --cv K evaluates by K-fold cross-validation over TRAIN instead of a test file
  frontdesk faq suggestions [--table TABLE | --url URL] [--kb KB] [-o PATCH] [--json]
      the agents' "Add to FAQ" suggestions as a YAML patch against KB: from the DynamoDB table
      (--table, default FRONTDESK_TABLE), else from the local stack's GET /_local/kb-suggestions
  frontdesk faq merge KB PATCH
      merge a reviewed patch into the knowledge base (in place), then check it`

// runFAQ implements "frontdesk faq ...".
func runFAQ(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprintln(stderr, faqUsage)
		return errors.New("missing subcommand")
	}
	switch args[0] {
	case "check":
		return faqCheck(args[1:], stdout, stderr)
	case "build":
		return faqBuild(ctx, args[1:], stdout, stderr)
	case "eval":
		return faqEval(ctx, args[1:], stdout, stderr)
	case "test":
		return faqTest(args[1:], stdout, stderr)
	case "chat":
		return faqChat(args[1:], stdin, stdout, stderr)
	case "ask":
		return faqAsk(args[1:], stdout, stderr)
	case "suggestions":
		return faqSuggestions(ctx, args[1:], os.Getenv, stdout, stderr)
	case "merge":
		return faqMerge(args[1:], stdout, stderr)
	case "help", "-h", "--help":
		fmt.Fprintln(stdout, faqUsage)
		return nil
	}
	fmt.Fprintln(stderr, faqUsage)
	return fmt.Errorf("unknown subcommand %q", args[0])
}

func faqCheck(args []string, stdout, stderr io.Writer) error {
	if len(args) != 1 {
		fmt.Fprintln(stderr, faqUsage)
		return errors.New("check: want one KB path")
	}
	kb, err := faq.LoadKB(args[0])
	if err != nil {
		var ces faq.CheckErrors
		if errors.As(err, &ces) {
			for _, e := range ces {
				fmt.Fprintln(stderr, e)
			}
			return fmt.Errorf("check: %d problem(s) in %s", len(ces), args[0])
		}
		return fmt.Errorf("check: %w", err)
	}
	n := map[string]int{}
	human, small := 0, 0
	for _, e := range kb.Entries {
		for l, ps := range e.Phrasings {
			n[l] += len(ps)
		}
		if e.Human {
			human++
		}
		if e.IsSmallTalk() {
			small++
		}
	}
	fmt.Fprintf(stdout, "%s: ok, %d entries (%d small talk, %d always to a person), phrasings: de %d, en %d, out of scope: %d\n",
		args[0], len(kb.Entries), small, human, n[faq.German], n[faq.English], len(kb.OutOfScope[faq.German])+len(kb.OutOfScope[faq.English]))
	return nil
}

func faqBuild(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("faq build", flag.ContinueOnError)
	fs.SetOutput(stderr)
	out := fs.String("o", "", "output model file")
	kbPath, rest := splitPositional(args)
	if err := fs.Parse(rest); err != nil {
		return err
	}
	if kbPath == "" && fs.NArg() == 1 {
		kbPath = fs.Arg(0)
	}
	if kbPath == "" || *out == "" {
		fmt.Fprintln(stderr, faqUsage)
		return errors.New("build: want KB and -o MODEL")
	}
	kb, err := faq.LoadKB(kbPath)
	if err != nil {
		return fmt.Errorf("build: %w", err)
	}
	t0 := time.Now()
	pr := newProgress(stderr, "build")
	m, err := faq.BuildContext(faq.WithProgress(ctx, pr.report), kb)
	pr.done()
	if err != nil {
		return fmt.Errorf("build: %w", err)
	}
	b, err := m.MarshalBinary()
	if err != nil {
		return fmt.Errorf("build: %w", err)
	}
	if err := os.WriteFile(*out, b, 0o644); err != nil {
		return fmt.Errorf("build: %w", err)
	}
	fmt.Fprintf(stdout, "%s: %d entries, threshold %.3f, %d bytes, built in %s\n", *out, len(m.Classes), m.Policy.Threshold, len(b), time.Since(t0).Round(time.Millisecond))
	return nil
}

// splitPositional takes a leading positional argument off args (flags may follow it).
func splitPositional(args []string) (string, []string) {
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		return args[0], args[1:]
	}
	return "", args
}

type listFlag []string

func (l *listFlag) String() string { return strings.Join(*l, ",") }
func (l *listFlag) Set(s string) error {
	*l = append(*l, s)
	return nil
}

func faqEval(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("faq eval", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var train listFlag
	fs.Var(&train, "train", "training file (JSON lines); may repeat")
	test := fs.String("test", "", "test file (JSON lines)")
	val := fs.String("val", "", "validation file to choose thresholds on")
	cv := fs.Int("cv", 0, "evaluate by K-fold cross-validation over TRAIN instead of --test")
	asJSON := fs.Bool("json", false, "print one JSON object")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if len(train) == 0 || (*test == "") == (*cv == 0) || *cv == 1 || *cv < 0 {
		fmt.Fprintln(stderr, faqUsage)
		return errors.New("eval: want --train and either --test or --cv K (K ≥ 2)")
	}
	var tr []faq.Example
	for _, p := range train {
		ex, err := faq.ReadExamplesFile(p)
		if err != nil {
			return fmt.Errorf("eval: %w", err)
		}
		tr = append(tr, ex...)
	}
	var rep faq.Report
	var err error
	pr := newProgress(stderr, "eval")
	ctx = faq.WithProgress(ctx, pr.report)
	defer pr.done()
	if *cv > 0 {
		if *val != "" {
			return errors.New("eval: --val does not combine with --cv")
		}
		rep, err = faq.CrossEvaluate(ctx, tr, *cv)
	} else {
		var te, va []faq.Example
		if te, err = faq.ReadExamplesFile(*test); err != nil {
			return fmt.Errorf("eval: %w", err)
		}
		if *val != "" {
			if va, err = faq.ReadExamplesFile(*val); err != nil {
				return fmt.Errorf("eval: %w", err)
			}
		}
		rep, err = faq.EvaluateContext(ctx, tr, te, va)
	}
	pr.done()
	if err != nil {
		return fmt.Errorf("eval: %w", err)
	}
	if *asJSON {
		enc := json.NewEncoder(stdout)
		return enc.Encode(rep)
	}
	fmt.Fprintf(stdout, `queries            %d (%d in scope, %d out of scope)
top-1 accuracy     %.2f %%
in-scope accuracy  %.2f %%   (answered with the right entry)
out-of-scope       recall %.2f %%, precision %.2f %%
accuracy           %.2f %%   (out of scope as a class)
MCC                %.4f (best %.4f at threshold %.3f)
ask-back rate      %.2f %%   (in scope answered or offered right: %.2f %%)
threshold          %.3f (from %s)
build              %.0f ms, heap %.1f MB
per query          p50 %.0f µs, p99 %.0f µs
`, rep.NTest, rep.NInScope, rep.NOOS, 100*rep.Top1Accuracy, 100*rep.InScopeAccuracy, 100*rep.OOSRecall, 100*rep.OOSPrecision,
		100*rep.Accuracy, rep.MCC, rep.BestMCC, rep.BestMCCThreshold, 100*rep.AskBackRate, 100*rep.InScopeResolved, rep.Threshold, rep.ThresholdFrom,
		rep.BuildMS, rep.HeapMB, rep.P50US, rep.P99US)
	return nil
}

func faqAsk(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("faq ask", flag.ContinueOnError)
	fs.SetOutput(stderr)
	kbPath := fs.String("kb", os.Getenv("FAQ_KB"), "knowledge base (default: FAQ_KB, else the sample)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() == 0 {
		fmt.Fprintln(stderr, faqUsage)
		return errors.New("ask: want at least one message")
	}
	bot, err := faq.Load(*kbPath)
	if err != nil {
		return fmt.Errorf("ask: %w", err)
	}
	var locale string
	var misses int
	var pending []string
	for _, msg := range fs.Args() {
		d := bot.Decide(faq.Input{Text: msg, Locale: locale, Misses: misses, Pending: pending})
		locale, misses, pending = d.Locale, d.Misses, nil
		fmt.Fprintf(stdout, "> %s\n  %s", msg, d.Action)
		if d.EntryID != "" {
			fmt.Fprintf(stdout, " %s", d.EntryID)
		}
		if d.Reason != "" {
			fmt.Fprintf(stdout, " (%s)", d.Reason)
		}
		fmt.Fprintf(stdout, " [%s, confidence %.2f, misses %d]\n  %s\n", d.Locale, d.Confidence, d.Misses, d.Text)
		for _, o := range d.Options {
			fmt.Fprintf(stdout, "  [%s] %s\n", o.ID, o.Title)
			if d.Action == faq.AskBack {
				pending = append(pending, o.ID)
			}
		}
	}
	return nil
}
