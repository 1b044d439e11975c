package kbpatch_test

import (
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/frontdesk-app/frontdesk/shared/faq"
	"github.com/frontdesk-app/frontdesk/shared/learn"
	"github.com/frontdesk-app/frontdesk/shared/learn/kbpatch"
)

// copyKB copies the sample knowledge base into a temporary folder.
func copyKB(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	src := filepath.Join("..", "..", "faq", "kb", "shop")
	err := filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dir, d.Name()), b, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
	return dir
}

func TestPatchMergesAndTheBotLearns(t *testing.T) {
	dir := copyKB(t)
	kb, err := faq.LoadKB(dir)
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC)
	sg := func(id, q, entry, answer string) learn.Suggestion {
		return learn.Suggestion{ID: learn.ID(id), Question: q, Entry: entry, NewAnswer: answer, Lang: "de", At: at}
	}
	ss := []learn.Suggestion{
		sg("1", "Mein Päckchen ist seit einer Woche unterwegs, wo bleibt es?", "order-status", ""),
		sg("2", "mein päckchen ist seit einer woche unterwegs, wo bleibt es", "order-status", ""), // a repeat
		sg("3", "Wie lange dauert die Lieferung?", "delivery-time", ""),                           // already there
		sg("4", "Kann ich bei euch einen Gutschein für meine Oma kaufen?", "", "Ja: Gutscheine gibt es im Shop unter „Geschenke“, von 10 bis 200 €."),
		sg("5", "Was ist mit dem alten Eintrag?", "no-such-entry", ""), // its entry is gone, no answer: left out
	}
	p, skipped := kbpatch.BuildPatch(kb, ss)
	if skipped != 2 || len(p.Phrasings) != 1 || len(p.Phrasings[0].Add) != 1 || len(p.Entries) != 1 {
		t.Fatalf("patch = %+v, skipped %d; want one new phrasing, one new entry, two skipped", p, skipped)
	}
	b, err := p.Marshal(at)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), "order-status") || !strings.Contains(string(b), "Gutschein") {
		t.Errorf("patch YAML:\n%s", b)
	}
	// The shop reviews the file; what it merges is what it read.
	back, err := kbpatch.ParsePatch(b)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := kbpatch.ParsePatch([]byte("phrasing: []\n")); err == nil {
		t.Error("a patch with an unknown key was accepted")
	}
	n, err := kbpatch.Merge(dir, back)
	if err != nil || n != 2 {
		t.Fatalf("Merge = %d, %v; want 2 additions", n, err)
	}
	merged, err := faq.LoadKB(dir)
	if err != nil {
		t.Fatalf("the merged knowledge base does not check: %v", err)
	}
	for _, s := range ss[:4] {
		if !kbpatch.Accepted(merged, s) {
			t.Errorf("suggestion %q not accepted after the merge", s.Question)
		}
	}
	// Comments and the rest of the files are kept.
	orders, err := os.ReadFile(filepath.Join(dir, "orders.yaml"))
	if err != nil || !strings.HasPrefix(string(orders), "# Sample knowledge base") {
		t.Errorf("orders.yaml lost its head comment:\n%.200s", orders)
	}
	// A second merge of the same patch adds nothing and refuses the taken id.
	if _, err := kbpatch.Merge(dir, back); err == nil {
		t.Error("merging a new entry twice: no error")
	}

	bot, err := faq.New(merged)
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{ss[3].Question, ss[0].Question} {
		d := bot.Decide(faq.Input{Text: q, Locale: "de"})
		want := p.Entries[0].ID
		if q == ss[0].Question {
			want = "order-status"
		}
		if d.Action != faq.Answer || d.EntryID != want {
			t.Errorf("retrained bot on %q: %v %s (%.2f), want an answer from %s", q, d.Action, d.EntryID, d.Confidence, want)
		}
	}
}
