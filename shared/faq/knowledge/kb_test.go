package knowledge

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/frontdesk-app/frontdesk/shared/faq/nlp"
	"github.com/google/go-cmp/cmp"
)

func TestLoadKBErrorsNameFileLineAndEntry(t *testing.T) {
	t.Parallel()
	_, err := Load("../testdata/bad.yaml")
	var ces CheckErrors
	if !errors.As(err, &ces) {
		t.Fatalf("LoadKB error = %v, want CheckErrors", err)
	}
	var got []string
	for _, e := range ces {
		got = append(got, e.Error())
	}
	want := []string{
		`../testdata/bad.yaml:14: entry "no-answer": answer missing in en`,
		`../testdata/bad.yaml:16: entry "Bad ID": id must be lower-case letters, digits, '.', '_' or '-' (at most 200)`,
		`../testdata/bad.yaml:24: entry "too-long-title": unsupported language "fr" (want de, en)`,
		`../testdata/bad.yaml:22: entry "too-long-title": title "This title is far too long for a button" is longer than 20 characters (button limit)`,
		`../testdata/bad.yaml:34: entry "ok-entry": unknown key "colour"`,
		`../testdata/bad.yaml:21: entry "too-long-title": follow-up "missing-entry" is no entry`,
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("errors (-want +got):\n%s", diff)
	}
}

func TestLoadKBDuplicateAcrossFiles(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	good, err := os.ReadFile("../testdata/good.yaml")
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"a.yaml", "b.yml"} {
		if err := os.WriteFile(filepath.Join(dir, name), good, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	_, err = Load(dir)
	want := filepath.Join(dir, "b.yml") + `:1: entry "shipping": duplicate id (first defined at ` + filepath.Join(dir, "a.yaml") + `:1)`
	if err == nil || err.Error() != want {
		t.Errorf("LoadKB error = %v, want %s", err, want)
	}
}

func TestLoadKBSyntaxError(t *testing.T) {
	t.Parallel()
	_, err := Parse([]byte("entries:\n  - id: a\n    phrasings: [\n"), "broken.yaml")
	if err == nil || !strings.HasPrefix(err.Error(), "broken.yaml:") {
		t.Errorf("ParseKB error = %v, want one starting with broken.yaml:<line>", err)
	}
}

func TestEntryFallsBackToOtherLanguage(t *testing.T) {
	t.Parallel()
	kb, err := Parse([]byte("- id: a\n  phrasings: {en: [hi]}\n  answer: {en: Hello}\n"), "x.yaml")
	if err != nil {
		t.Fatal(err)
	}
	e, ok := kb.Entry("a")
	if !ok {
		t.Fatal("Entry(a) not found")
	}
	if got, lang := e.AnswerIn(nlp.German); got != "Hello" || lang != nlp.English {
		t.Errorf("AnswerIn(de) = %q, %q, want Hello, en", got, lang)
	}
	if got := e.TitleIn(nlp.German); got != "hi" {
		t.Errorf("TitleIn(de) = %q, want the first phrasing", got)
	}
}

func FuzzParseKB(f *testing.F) {
	for _, p := range []string{"../testdata/bad.yaml", "../testdata/good.yaml", "../kb/shop/orders.yaml"} {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		kb, err := Parse(b, "fuzz.yaml")
		if err == nil && len(kb.Entries) == 0 {
			t.Error("ParseKB accepted a knowledge base without entries")
		}
	})
}
