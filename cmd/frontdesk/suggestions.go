package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"time"

	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/frontdesk-app/frontdesk/shared/dynamo"
	"github.com/frontdesk-app/frontdesk/shared/faq"
	"github.com/frontdesk-app/frontdesk/shared/learn"
	"github.com/frontdesk-app/frontdesk/shared/learn/kbpatch"
)

// faqSuggestions implements "frontdesk faq suggestions": it reads the stored suggestions (from
// the DynamoDB table with --table or FRONTDESK_TABLE, else from the local stack's GET
// /_local/kb-suggestions) and writes the YAML patch against the knowledge base.
func faqSuggestions(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("faq suggestions", flag.ContinueOnError)
	fs.SetOutput(stderr)
	table := fs.String("table", getenv("FRONTDESK_TABLE"), "DynamoDB table to read (default FRONTDESK_TABLE); empty: the local stack")
	base := fs.String("url", "http://127.0.0.1:3000", "the local stack's base URL")
	kbPath := fs.String("kb", getenv("FAQ_KB"), "knowledge base the patch is for (default FAQ_KB, else the sample)")
	out := fs.String("o", "", "write the YAML patch to this file (default: standard output)")
	asJSON := fs.Bool("json", false, "print the suggestions as JSON (the /_local/kb-suggestions form) instead of a patch")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		fmt.Fprintln(stderr, faqUsage)
		return errors.New("suggestions: unexpected arguments")
	}
	var (
		listed []learn.Listed
		err    error
	)
	if *table != "" {
		listed, err = tableSuggestions(ctx, *table)
	} else {
		listed, err = localSuggestions(ctx, strings.TrimRight(*base, "/"))
	}
	if err != nil {
		return fmt.Errorf("suggestions: %w", err)
	}
	if *asJSON {
		return json.NewEncoder(stdout).Encode(listed)
	}
	var kb *faq.KB
	if *kbPath == "" {
		kb, err = faq.SampleKB()
	} else {
		kb, err = faq.LoadKB(*kbPath)
	}
	if err != nil {
		return fmt.Errorf("suggestions: %w", err)
	}
	ss := make([]learn.Suggestion, 0, len(listed))
	for i, l := range listed {
		if l.ID == "" { // a listing from before ids were listed: its time and position make one
			l.ID = learn.ID(l.At.UTC().Format(time.RFC3339Nano) + fmt.Sprint(i))
		}
		ss = append(ss, learn.Suggestion{ID: l.ID, Question: l.Question,
			Entry: l.Entry, NewAnswer: l.NewAnswer, Lang: l.Lang, At: l.At})
	}
	p, skipped := kbpatch.BuildPatch(kb, ss)
	b, err := p.Marshal(time.Now())
	if err != nil {
		return fmt.Errorf("suggestions: %w", err)
	}
	n := 0
	for _, pp := range p.Phrasings {
		n += len(pp.Add)
	}
	fmt.Fprintf(stderr, "%d suggestions: %d new phrasings of %d entries, %d new entries, %d already in the knowledge base or obsolete\n",
		len(listed), n, len(p.Phrasings), len(p.Entries), skipped)
	if *out == "" {
		_, err = stdout.Write(b)
		return err
	}
	if err := os.WriteFile(*out, b, 0o644); err != nil {
		return fmt.Errorf("suggestions: %w", err)
	}
	fmt.Fprintf(stdout, "wrote %s: review it, then frontdesk faq merge KB %s\n", *out, *out)
	return nil
}

func localSuggestions(ctx context.Context, base string) ([]learn.Listed, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+"/_local/kb-suggestions", nil)
	if err != nil {
		return nil, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, fmt.Errorf("is the local stack running (make run)? %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("GET %s/_local/kb-suggestions: %s", base, resp.Status)
	}
	var out []learn.Listed
	if err := json.NewDecoder(io.LimitReader(resp.Body, 16<<20)).Decode(&out); err != nil {
		return nil, fmt.Errorf("GET %s/_local/kb-suggestions: %w", base, err)
	}
	return out, nil
}

func tableSuggestions(ctx context.Context, table string) ([]learn.Listed, error) {
	cfg, err := awsconfig.LoadDefaultConfig(ctx)
	if err != nil {
		return nil, err
	}
	ss, err := dynamo.New(dynamodb.NewFromConfig(cfg), table).Suggestions(ctx)
	if err != nil {
		return nil, err
	}
	return learn.List(ss), nil
}

// faqMerge implements "frontdesk faq merge KB PATCH".
func faqMerge(args []string, stdout, stderr io.Writer) error {
	if len(args) != 2 {
		fmt.Fprintln(stderr, faqUsage)
		return errors.New("merge: want KB and PATCH")
	}
	b, err := os.ReadFile(args[1])
	if err != nil {
		return fmt.Errorf("merge: %w", err)
	}
	p, err := kbpatch.ParsePatch(b)
	if err != nil {
		return fmt.Errorf("merge: %w", err)
	}
	n, err := kbpatch.Merge(args[0], p)
	if err != nil {
		return err
	}
	if _, err := faq.LoadKB(args[0]); err != nil {
		return fmt.Errorf("merge: %d additions written, but the knowledge base does not check (frontdesk faq check %s): %w", n, args[0], err)
	}
	fmt.Fprintf(stdout, "%s: %d additions merged; rebuild the model: frontdesk faq build %s -o %s\n", args[0], n, args[0], faq.ModelPath(args[0]))
	return nil
}
